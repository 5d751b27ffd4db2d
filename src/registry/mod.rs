//! The registry service: turns requests into signed commands for the one
//! writer, and reads the log, its proofs, its checkpoints and the land
//! registry for the views. This file holds the service and its errors; its
//! reads are split by area: `log`, `land`, `households`, `exchange`,
//! `parties` (each an `impl Registry`), over the typed `views`.

mod exchange;
pub mod export;
mod households;
pub mod import;
mod kept;
mod land;
mod log;
pub mod package;
mod parties;
mod province;
pub mod views;

pub use exchange::ContractCopy;
pub use households::{ClerkContract, ClerkWork};
pub use land::ParcelSheet;
pub use log::Stamp;
pub use province::{Counties, County, LISTINGS_PER_COUNTY};

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use diesel::Connection;

use crate::ledger::merkle::Hash;
use crate::ledger::read_auth::SignedRead;
use crate::ledger::{Envelope, LedgerError};
use crate::model::exchange::Listing;
use crate::model::person::{PersonRecord, PersonalError};
use crate::model::{log_origin, Fen};
use crate::spatial::GeometryError;
use crate::store::{queries, Db, Receipt, StoreError, SubmitError, Writer};

crate::refusals! {
    /// Why the service could not do what was asked.
    /// (`EnumIter`: one of each, with empty details, for the error catalogue.)
    #[derive(Debug, thiserror::Error, strum::EnumIter)]
    pub enum ServiceError {
        #[error(transparent)]
        Refused(#[from] LedgerError)
            => Refused(e) => e.class(), e.field(),
            e.message_zh(), code e.code();
        #[error(transparent)]
        Geometry(#[from] GeometryError)
            => Geometry(e) => e.class(), e.field(),
            e.message_zh(), code e.code();
        #[error(transparent)]
        Personal(#[from] PersonalError)
            => Personal(e) => e.class(), e.field(),
            e.message_zh(), code e.code();
        #[error("{what} {id} not found")]
        NotFound {
            /// What was asked for, in English (see `thing_zh`).
            what: &'static str,
            id: String,
            field: &'static str,
        }
            => NotFound { what, id, field, .. } => Class::NotFound, (*field).to_owned(),
            format!("未找到{} {id}", thing_zh(what));
        #[error("{reason}")]
        OutOfRange {
            field: &'static str,
            reason: String,
            reason_zh: String,
        }
            => OutOfRange { reason_zh, field, .. } => Class::Malformed, (*field).to_owned(),
            format!("参数超出范围：{reason_zh}");
        /// A query parameter that names nothing that can be (a status, a kind).
        #[error("{field}: {reason}")]
        BadQuery {
            field: &'static str,
            reason: &'static str,
            reason_zh: &'static str,
        }
            => BadQuery { reason_zh, field, .. } => Class::Malformed, (*field).to_owned(),
            (*reason_zh).to_owned();
        /// A survey package that does not read (issue 19).
        #[error("the package: {0}")]
        BadPackage(#[from] package::PackageError)
            => BadPackage(e) => Class::Malformed, "body",
            format!("成果包：{}：{}", e.file, e.why_zh), code "bad_package";
        #[error(transparent)]
        ReadAuth(#[from] crate::ledger::read_auth::ReadAuthError)
            => ReadAuth(e) => e.class(), e.field(),
            e.message_zh(), code e.code();
        #[error("a {role} key for {party} may not read the personal data of household {household}")]
        ReadNotAllowed {
            role: &'static str,
            party: String,
            household: String,
        }
            => ReadNotAllowed { role, party, household, .. } => Class::Forbidden, "header.Authorization",
            format!(
                "{}（{party}）的密钥无权查看承包方 {household} 的个人信息",
                crate::model::error::role_zh(role)
            );
        /// A key offered under a short code another key holds (issue 18).
        #[error("another key was offered under the short code {code}: make a new key")]
        OfferTaken { code: String }
            => OfferTaken { code, .. } => Class::Conflict, "vkey",
            format!("另一把密钥已用短码 {code} 登记待办，请重新生成一把密钥");
        /// A verifier key that does not read (issue 18's key offers).
        #[error("vkey: {reason}")]
        BadKey { reason: &'static str }
            => BadKey { reason, .. } => Class::Malformed, "vkey",
            format!("验证公钥无效：{}", crate::model::error::serde_reason_zh(reason));
        /// M5: a party signs only the 当事人信息及签署页 the registry keeps
        /// for the contract (so no party can fix another page for both).
        #[error("the page of the parties signed is not the one the registry keeps for the contract of listing {listing}: read the contract again")]
        ScheduleNotKept { listing: u64 }
            => ScheduleNotKept { listing, .. } => Class::Refused, "entry.body.schedule_sha256",
            format!("所签的当事人信息及签署页不是登记簿为挂牌 {listing} 的合同保存的那一页，请重新打开合同再签");
        /// Issue 21 (5): a server on a streaming replica reads only.
        #[error("this server is a read-only copy of the county's registry: do this on the county's own server")]
        ReadOnly
            => ReadOnly => Class::Busy, (),
            "本服务器是县登记簿的只读副本，不能在这里办理，请到县里的登记服务器办理";
        /// `POST /entries/batch`: a body that is not a list of submissions
        /// the server takes at once.
        #[error("the batch must be a JSON array of 1 to {max} submissions: {reason}")]
        BadBatch {
            max: usize,
            reason: &'static str,
            reason_zh: &'static str,
        }
            => BadBatch { max, reason_zh, .. } => Class::Malformed, "body",
            format!("批量提交须为 1 至 {max} 条提交组成的 JSON 数组：{reason_zh}");
        #[error("the log is not accepting entries: {0}")]
        Unavailable(String)
            => Unavailable(r) => Class::Busy, (),
            format!("日志暂不接受条目：{r}");
        /// The writer's queue is full, or it did not answer in time; nothing was
        /// written, and the same envelope may be sent again.
        #[error("the log is busy; send the entry again in a moment")]
        Busy
            => Busy => Class::Busy, (),
            "日志繁忙，请稍后重新提交该条目";
        /// Issue 21 (7): the database refuses connections, or went away
        /// during the request; nothing of it was written.
        #[error("the registry's database cannot be reached ({0}); nothing was written: try again in a moment")]
        DatabaseUnavailable(String)
            => DatabaseUnavailable(_) => Class::Busy, (),
            "登记簿的数据库暂时连不上，这次没有写入任何内容，请稍后再试";
        /// Issue 21 (7): the disk under the database is full.
        #[error("the registry's disk is full ({0}); nothing was written: the operator must make room, then send it again")]
        DiskFull(String)
            => DiskFull(_) => Class::Busy, (),
            "登记簿服务器的磁盘已满，这次没有写入任何内容，请管理员腾出空间后再提交";
        #[error(transparent)]
        #[strum(disabled)]
        Store(StoreError)
            => Store(e) => Class::Internal, (),
            format!("存储错误：{e}"), code "store_error";
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        use diesel::result::{DatabaseErrorKind as Kind, Error as Db};
        if e.is_disk_full() {
            return ServiceError::DiskFull(e.to_string());
        }
        match e {
            StoreError::Pool(_)
            | StoreError::Connect(_)
            | StoreError::Db(Db::DatabaseError(
                Kind::ClosedConnection | Kind::UnableToSendCommand,
                _,
            )) => ServiceError::DatabaseUnavailable(e.to_string()),
            e => ServiceError::Store(e),
        }
    }
}

impl From<SubmitError> for ServiceError {
    fn from(e: SubmitError) -> Self {
        match e {
            SubmitError::Refused(r) => ServiceError::Refused(r),
            SubmitError::Geometry(g) => ServiceError::Geometry(g),
            SubmitError::Personal(p) => ServiceError::Personal(p),
            SubmitError::Store(s) => ServiceError::DatabaseUnavailable(s),
            SubmitError::DiskFull(s) => ServiceError::DiskFull(s),
            SubmitError::Stopped => ServiceError::Unavailable("the writer has stopped".into()),
            SubmitError::Busy => ServiceError::Busy,
        }
    }
}

/// The things a read may not find, in Chinese.
fn thing_zh(what: &str) -> &'static str {
    match what {
        "attestation" => "权益保留证明",
        "certificate of contract" => "承包合同的证书",
        "collective" => "集体经济组织",
        "decision at log index" => "日志序号处的决议",
        "distribution at log index" => "日志序号处的收益分配",
        "entry" => "日志条目",
        "household" => "承包方",
        "listing" => "交易项目",
        "parcel" => "地块",
        "checkpoint" => "检查点",
        "contract of listing" => "交易项目的合同",
        "party" => "当事方",
        "document" => "核验码对应的文书",
        "settled deal" => "已结算的交易",
        "key offer" => "这个短码对应的密钥",
        _ => "所查对象",
    }
}

/// A registered household, or `not_found`.
fn known_household(
    conn: &mut crate::store::DbConnection,
    county: &str,
    code: &str,
) -> Result<(), ServiceError> {
    if queries::load_households(conn, county, queries::HouseholdsOf::Code(code))?.contains_key(code)
    {
        Ok(())
    } else {
        Err(ServiceError::NotFound {
            what: "household",
            id: code.to_string(),
            field: "code",
        })
    }
}

/// The most features one answer carries.
pub const MAX_FEATURES: i64 = 10_000;

/// The most submissions one `POST /entries/batch` takes.
pub const MAX_SUBMISSIONS: usize = 1_000;

/// One submission of a batch as read: the envelope with the personal
/// records of the persons it names, or why it does not read.
pub type Submission = Result<(Envelope, Vec<PersonRecord>), ServiceError>;

/// Who asks to see a household's members' personal data: a key file on
/// this machine (`sanquan query --key`), or a signed read over HTTP, used up
/// once its key is found to be allowed.
#[derive(Debug, Clone, Copy)]
pub enum Reader<'a> {
    Key(&'a [u8; 32]),
    Signed(&'a SignedRead),
}

/// One county's registry: its database and its writer (none for a reader
/// beside the process that writes).
#[derive(Clone)]
pub struct Registry {
    pub db: Db,
    writer: Option<Arc<Writer>>,
    /// A read-only server's own state and map, followed from its database
    /// (a streaming replica), and the trust policy its proofs are for.
    replica: Option<Arc<Replica>>,
    /// Signed reads of the last five minutes, each good once.
    reads: Arc<std::sync::Mutex<crate::ledger::read_auth::ReadNonces>>,
    /// The writer's clock (the system's for a reader), so that a view and a
    /// rule never disagree about what day it is.
    clock: crate::store::Clock,
    /// Public views kept until the next commit (`kept`).
    kept: Arc<kept::KeptViews>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Registry {
    pub fn new(db: Db, writer: Writer) -> Self {
        Registry {
            db,
            clock: writer.clock().clone(),
            writer: Some(Arc::new(writer)),
            replica: None,
            reads: Default::default(),
            kept: Default::default(),
        }
    }

    /// When a view read now is read (`kept`): the writer's commit count
    /// and the day; none without a writer in this process, so nothing is
    /// kept.
    fn moment(&self) -> Option<kept::Moment> {
        self.writer.as_ref().map(|w| (w.commits(), self.today()))
    }

    /// Today on the writer's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.now().date_naive()
    }

    /// The writer, for its settings (queue limit, clock).
    pub fn the_writer(&self) -> Option<&Writer> {
        self.writer.as_deref()
    }

    /// Reads only: every submit answers `unavailable`.
    pub fn reader(db: Db) -> Self {
        Registry {
            db,
            writer: None,
            replica: None,
            reads: Default::default(),
            clock: Default::default(),
            kept: Default::default(),
        }
    }

    /// A read-only server (issue 21) on `db` — opened read only, a
    /// streaming replica as a rule: every submit and every read that would
    /// keep something answers `unavailable`; title proofs are made under
    /// the newest state leaf the database holds, the log replayed from it
    /// and followed once a second in the background while the registry is
    /// in use.
    pub fn replica(db: Db, policy: Option<crate::ledger::policy::Policy>) -> Self {
        let replica = Arc::new(Replica {
            follower: std::sync::Mutex::new(crate::store::follow::StateFollower::new(&db.county)),
            policy,
        });
        let (weak, follow_db) = (Arc::downgrade(&replica), db.clone());
        std::thread::spawn(move || {
            while let Some(replica) = weak.upgrade() {
                let followed = follow_db.conn().map_err(Into::into).and_then(|mut c| {
                    replica
                        .follower
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .catch_up(&mut c)
                });
                if let Err(e) = followed {
                    tracing::warn!("following the state log: {e}");
                }
                drop(replica);
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
        });
        Registry {
            replica: Some(replica),
            ..Self::reader(db)
        }
    }

    /// Refuses what would write on a read-only server.
    fn writable(&self) -> Result<(), ServiceError> {
        match self.db.is_read_only() {
            false => Ok(()),
            true => Err(ServiceError::ReadOnly),
        }
    }

    /// Reads on `clock` (a writer's elsewhere), so its views see that day.
    pub fn on_clock(mut self, clock: crate::store::Clock) -> Self {
        self.clock = clock;
        self
    }

    fn writer(&self) -> Result<&Writer, ServiceError> {
        self.writer
            .as_deref()
            .ok_or_else(|| match self.db.is_read_only() {
                true => ServiceError::ReadOnly,
                false => ServiceError::Unavailable("this registry only reads".into()),
            })
    }

    /// Checks a signed read (`Authorization: Sanquan …`): its form, its
    /// freshness and its signature, with no I/O. It is used up (refused the
    /// second time) by the read it asks for, once its key may read there —
    /// so a stranger's reads, however many, take nobody's place among the
    /// nonces remembered.
    pub fn signed_read(
        &self,
        header: &str,
        method: &str,
        path: &str,
    ) -> Result<SignedRead, ServiceError> {
        // Freshness of a request is a matter of real time.
        let now = chrono::Utc::now();
        Ok(crate::ledger::read_auth::verify_read(
            header, method, path, now,
        )?)
    }

    pub fn origin(&self) -> String {
        log_origin(&self.db.county)
    }

    /// Parses and submits an envelope — or `{"envelope", "personal"}`, an
    /// envelope with the personal records of the persons it names — and
    /// answers once it is durable.
    pub async fn submit(&self, bytes: &[u8]) -> Result<Receipt, ServiceError> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| LedgerError::MalformedJson(e.to_string()))?;
        let (envelope, personal) = self.submission(value)?;
        Ok(self
            .writer()?
            .submit_with_personal(envelope, personal)
            .await?)
    }

    /// Reads a JSON array of submissions, each as [`Registry::submit`]
    /// takes one (`POST /entries/batch`): each parsed, or why it does not
    /// read. A body that is not such an array is refused whole.
    pub fn read_batch(&self, bytes: &[u8]) -> Result<Vec<Submission>, ServiceError> {
        let bad = |reason, reason_zh| ServiceError::BadBatch {
            max: MAX_SUBMISSIONS,
            reason,
            reason_zh,
        };
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| LedgerError::MalformedJson(e.to_string()))?;
        let serde_json::Value::Array(items) = value else {
            return Err(bad("not an array", "不是数组"));
        };
        if items.is_empty() {
            return Err(bad("it is empty", "数组为空"));
        }
        if items.len() > MAX_SUBMISSIONS {
            return Err(bad("too many", "条数过多"));
        }
        Ok(items.into_iter().map(|v| self.submission(v)).collect())
    }

    /// Submits what [`Registry::read_batch`] read, in its order, and
    /// answers once each is durable or refused, each on its own: one refused
    /// never aborts another, and a later one may rest on an earlier one.
    pub async fn submit_read(
        &self,
        batch: Vec<Submission>,
    ) -> Result<Vec<Result<Receipt, ServiceError>>, ServiceError> {
        let writer = self.writer()?;
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut sent = Vec::with_capacity(batch.len());
        for submission in batch {
            match submission {
                Ok(s) => {
                    sent.push(s);
                    outcomes.push(None);
                }
                Err(e) => outcomes.push(Some(Err(e))),
            }
        }
        let mut answers = writer.submit_many(sent).await.into_iter();
        Ok(outcomes
            .into_iter()
            .map(|o| {
                o.unwrap_or_else(|| {
                    answers
                        .next()
                        .unwrap_or(Err(SubmitError::Stopped))
                        .map_err(ServiceError::from)
                })
            })
            .collect())
    }

    /// One submission: an envelope, or `{"envelope", "personal"}`.
    fn submission(
        &self,
        value: serde_json::Value,
    ) -> Result<(Envelope, Vec<PersonRecord>), ServiceError> {
        let with_personal = value.get("envelope").is_some();
        if !with_personal {
            let envelope = Envelope::from_value(value, &self.origin())?;
            self.schedule_kept(&envelope)?;
            return Ok((envelope, Vec::new()));
        }
        let serde_json::Value::Object(mut top) = value else {
            unreachable!("has a key")
        };
        if let Some(k) = top.keys().find(|k| *k != "envelope" && *k != "personal") {
            return Err(LedgerError::BadEnvelope {
                field: k.clone(),
                reason: "unknown field".into(),
                reason_zh: "未知字段".into(),
            }
            .into());
        }
        let envelope =
            Envelope::from_value(top.remove("envelope").unwrap_or_default(), &self.origin())?;
        let personal: Vec<PersonRecord> = serde_path_to_error::deserialize(
            top.remove("personal").unwrap_or_default(),
        )
        .map_err(|e| LedgerError::BadEnvelope {
            field: match e.path().to_string().as_str() {
                "." => "personal".to_owned(),
                p => format!("personal{p}").replace("personal.[", "personal["),
            },
            reason: e.inner().to_string(),
            reason_zh: crate::model::error::serde_reason_zh(&e.inner().to_string()),
        })?;
        Ok((envelope, personal))
    }

    /// M5: a `contract.sign` names the 当事人信息及签署页 the registry keeps
    /// for the award (the rules see only its hash, and let the first party
    /// fix it for both).
    fn schedule_kept(&self, envelope: &Envelope) -> Result<(), ServiceError> {
        let crate::model::Command::ContractSign(sign) = &envelope.command else {
            return Ok(());
        };
        let Some(read) = &sign.schedule_sha256 else {
            return Ok(());
        };
        let mut conn = self.db.conn()?;
        let award =
            queries::listing(&mut conn, &self.db.county, sign.listing)?.and_then(|l| l.award);
        let Some(award) = award else {
            // The rules refuse it for what it is.
            return Ok(());
        };
        let kept = queries::schedule_of(&mut conn, &self.db.county, sign.listing, award.index)?;
        match kept {
            Some(page) if crate::model::exchange::sha256_hex(&page) == **read => Ok(()),
            _ => Err(ServiceError::ScheduleNotKept {
                listing: sign.listing,
            }),
        }
    }

    /// Lets `reader` read the personal data of `household` (or of a deal
    /// over it) if its key is in force and `allowed` — and remembers a
    /// signed read's nonce, so it is good for one request only.
    fn may_read(
        &self,
        conn: &mut crate::store::DbConnection,
        reader: Reader,
        household: &str,
        allowed: impl Fn(&crate::model::KeyBinding) -> bool,
    ) -> Result<(), ServiceError> {
        let public = match reader {
            Reader::Key(public) => public,
            Reader::Signed(read) => &read.key,
        };
        let key = queries::load_keys(conn, &self.db.county, Some(public))?
            .remove(public)
            .filter(|k| k.is_active());
        let Some(key) = key else {
            return Err(LedgerError::from(crate::model::RuleError::UnknownSigner).into());
        };
        if !allowed(&key) {
            return Err(ServiceError::ReadNotAllowed {
                role: key.role.as_str(),
                party: key.party,
                household: household.to_owned(),
            });
        }
        if let Reader::Signed(read) = reader {
            self.reads
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remember(read, chrono::Utc::now())?;
        }
        Ok(())
    }

    /// Stops the writer after what it holds, once the server's workers have
    /// let go of their handles.
    pub fn shutdown(self) {
        let Some(mut writer) = self.writer else {
            return;
        };
        for _ in 0..300 {
            match Arc::try_unwrap(writer) {
                Ok(w) => return w.shutdown(),
                Err(still_shared) => writer = still_shared,
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        tracing::warn!(
            "the writer was still shared at shutdown; it stops when the last handle goes"
        );
    }

    /// Listing `id` as stored, or `not_found`.
    fn stored_listing(&self, id: u64) -> Result<Listing, ServiceError> {
        let mut conn = self.db.conn()?;
        queries::listing(&mut conn, &self.db.county, id)?.ok_or_else(|| ServiceError::NotFound {
            what: "listing",
            id: id.to_string(),
            field: "id",
        })
    }

    /// The writer's time now, as an entry states it (RFC 3339).
    pub fn now_stamp(&self) -> String {
        self.clock.stamp()
    }

    /// The writer's time now.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

/// A read-only server's follower of the state log and its trust policy.
struct Replica {
    follower: std::sync::Mutex<crate::store::follow::StateFollower>,
    policy: Option<crate::ledger::policy::Policy>,
}

/// What the charts count.
pub struct ChartFigures {
    /// The area in 亩 of each listing's parcels.
    pub listing_mu: BTreeMap<u64, rust_decimal::Decimal>,
    /// How many parcels each collective's households hold today.
    pub contracted: HashMap<String, usize>,
}
