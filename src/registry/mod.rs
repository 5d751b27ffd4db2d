//! The registry service: turns requests into signed commands for the one
//! writer, and reads the log, its proofs, its checkpoints and the land
//! registry for the views.

pub mod views;

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
use crate::model::{log_origin, Refusal};
use crate::spatial::GeometryError;
use crate::store::{queries, Db, Receipt, StoreError, SubmitError, Writer};

/// Why the service could not do what was asked.
/// (`EnumIter`: one of each, with empty details, for the error catalogue.)
#[derive(Debug, thiserror::Error, strum::EnumIter)]
pub enum ServiceError {
    #[error(transparent)]
    Refused(#[from] LedgerError),
    #[error(transparent)]
    Geometry(#[from] GeometryError),
    #[error(transparent)]
    Personal(#[from] PersonalError),
    #[error("{what} {id} not found")]
    NotFound {
        /// What was asked for, in English (see `thing_zh`).
        what: &'static str,
        id: String,
        field: &'static str,
    },
    #[error("{reason}")]
    OutOfRange {
        field: &'static str,
        reason: String,
        reason_zh: String,
    },
    /// A query parameter that names nothing that can be (a status, a kind).
    #[error("{field}: {reason}")]
    BadQuery {
        field: &'static str,
        reason: &'static str,
        reason_zh: &'static str,
    },
    #[error(transparent)]
    ReadAuth(#[from] crate::ledger::read_auth::ReadAuthError),
    #[error("a {role} key for {party} may not read the personal data of household {household}")]
    ReadNotAllowed {
        role: &'static str,
        party: String,
        household: String,
    },
    #[error("the log is not accepting entries: {0}")]
    Unavailable(String),
    /// The writer's queue is full, or it did not answer in time; nothing was
    /// written, and the same envelope may be sent again.
    #[error("the log is busy; send the entry again in a moment")]
    Busy,
    #[error(transparent)]
    #[strum(disabled)]
    Store(#[from] StoreError),
}

impl From<SubmitError> for ServiceError {
    fn from(e: SubmitError) -> Self {
        match e {
            SubmitError::Refused(r) => ServiceError::Refused(r),
            SubmitError::Geometry(g) => ServiceError::Geometry(g),
            SubmitError::Personal(p) => ServiceError::Personal(p),
            SubmitError::Store(s) => ServiceError::Unavailable(s),
            SubmitError::Stopped => ServiceError::Unavailable("the writer has stopped".into()),
            SubmitError::Busy => ServiceError::Busy,
        }
    }
}

impl Refusal for ServiceError {
    fn class(&self) -> crate::model::error::Class {
        use crate::model::error::Class;
        match self {
            ServiceError::Refused(e) => e.class(),
            ServiceError::Geometry(e) => e.class(),
            ServiceError::Personal(e) => e.class(),
            ServiceError::NotFound { .. } => Class::NotFound,
            ServiceError::OutOfRange { .. } | ServiceError::BadQuery { .. } => Class::Malformed,
            ServiceError::ReadAuth(e) => e.class(),
            ServiceError::ReadNotAllowed { .. } => Class::Forbidden,
            ServiceError::Unavailable(_) | ServiceError::Busy => Class::Busy,
            ServiceError::Store(_) => Class::Internal,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ServiceError::Refused(e) => e.code(),
            ServiceError::Geometry(e) => e.code(),
            ServiceError::Personal(e) => e.code(),
            ServiceError::NotFound { .. } => "not_found",
            ServiceError::ReadAuth(e) => e.code(),
            ServiceError::ReadNotAllowed { .. } => "read_not_allowed",
            ServiceError::OutOfRange { .. } => "out_of_range",
            ServiceError::BadQuery { .. } => "bad_query",
            ServiceError::Unavailable(_) => "unavailable",
            ServiceError::Busy => "busy",
            ServiceError::Store(_) => "store_error",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            ServiceError::Refused(e) => e.message_zh(),
            ServiceError::Geometry(e) => e.message_zh(),
            ServiceError::Personal(e) => e.message_zh(),
            ServiceError::NotFound { what, id, .. } => format!("未找到{} {id}", thing_zh(what)),
            ServiceError::ReadAuth(e) => e.message_zh(),
            ServiceError::ReadNotAllowed {
                role,
                party,
                household,
            } => format!(
                "{}（{party}）的密钥无权查看承包方 {household} 的个人信息",
                crate::model::error::role_zh(role)
            ),
            ServiceError::OutOfRange { reason_zh, .. } => format!("参数超出范围：{reason_zh}"),
            ServiceError::BadQuery { reason_zh, .. } => (*reason_zh).to_owned(),
            ServiceError::Unavailable(r) => format!("日志暂不接受条目：{r}"),
            ServiceError::Busy => "日志繁忙，请稍后重新提交该条目".into(),
            ServiceError::Store(e) => format!("存储错误：{e}"),
        }
    }

    fn field(&self) -> Option<String> {
        match self {
            ServiceError::Refused(e) => e.field(),
            ServiceError::Geometry(e) => e.field(),
            ServiceError::Personal(e) => e.field(),
            ServiceError::NotFound { field, .. }
            | ServiceError::OutOfRange { field, .. }
            | ServiceError::BadQuery { field, .. } => Some((*field).to_owned()),
            ServiceError::ReadAuth(e) => e.field(),
            ServiceError::ReadNotAllowed { .. } => Some("header.Authorization".into()),
            ServiceError::Unavailable(_) | ServiceError::Busy | ServiceError::Store(_) => None,
        }
    }
}

/// The things a read may not find, in Chinese.
fn thing_zh(what: &str) -> &'static str {
    match what {
        "attestation" => "权利保留证明",
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
        _ => "所查对象",
    }
}

/// A registered household, or `not_found`.
fn known_household(
    conn: &mut crate::store::DbConnection,
    county: &str,
    code: &str,
) -> Result<(), ServiceError> {
    if queries::load_households(conn, county, Some(code))?.contains_key(code) {
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
    /// Signed reads of the last five minutes, each good once.
    reads: Arc<std::sync::Mutex<crate::ledger::read_auth::ReadNonces>>,
    /// The writer's clock (the system's for a reader), so that a view and a
    /// rule never disagree about what day it is.
    clock: crate::store::Clock,
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
            reads: Default::default(),
        }
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
            reads: Default::default(),
            clock: Default::default(),
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
            .ok_or_else(|| ServiceError::Unavailable("this registry only reads".into()))
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
        let with_personal = value.get("envelope").is_some();
        if !with_personal {
            let envelope = Envelope::from_value(value, &self.origin())?;
            return Ok(self.writer()?.submit(envelope).await?);
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
        Ok(self
            .writer()?
            .submit_with_personal(envelope, personal)
            .await?)
    }

    /// A household with its members by commitment; their personal data is not
    /// shown to anyone over HTTP until requests carry a role.
    /// A household: members, contracts, shares, homestead. Its members'
    /// personal data only for a `reader` key (of a signed read) that may see
    /// it: the county agency's, the household's collective's, its own.
    pub fn household(
        &self,
        code: &str,
        reader: Option<Reader>,
    ) -> Result<views::HouseholdView, ServiceError> {
        let mut conn = self.db.conn()?;
        let h = queries::load_households(&mut conn, &self.db.county, Some(code))?
            .remove(code)
            .ok_or_else(|| ServiceError::NotFound {
                what: "household",
                id: code.to_string(),
                field: "code",
            })?;
        let county = &self.db.county;
        let shares = queries::shares_of(&mut conn, county, code)?;
        let persons: Vec<&str> = h.members.iter().map(|m| m.person.as_str()).collect();
        let members = queries::members_among(&mut conn, county, &persons)?;
        let homestead = queries::homestead_summary(&mut conn, county, code)?;
        let mut contracts: Vec<_> =
            queries::load_contracts(&mut conn, county, queries::ContractsOf::Household(code))?
                .into_values()
                .collect();
        contracts.sort_by(|a, b| a.code.cmp(&b.code));
        let mut certificates = Vec::new();
        for k in &contracts {
            certificates.push(queries::certificate_of(&mut conn, county, &k.code)?);
        }
        let personal = match reader {
            Some(reader) => {
                let public = match reader {
                    Reader::Key(public) => public,
                    Reader::Signed(read) => &read.key,
                };
                self.may_read_personal(&mut conn, public, code)?;
                if let Reader::Signed(read) = reader {
                    self.reads
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .remember(read, chrono::Utc::now())?;
                }
                Some(
                    queries::load_persons(&mut conn, county, Some(code))?
                        .into_iter()
                        .map(|(commitment, _, record)| (commitment, record))
                        .collect(),
                )
            }
            None => None,
        };
        let surrenders = queries::surrenders_of(&mut conn, county, code)?;
        let estate = queries::estate(&mut conn, county, code)?;
        let acts = queries::acts_over(&mut conn, county, code)?;
        Ok(views::household(
            &h,
            views::HouseholdRights {
                shares,
                members_of_collective: &members,
                homestead: homestead.as_ref(),
                contracts: &contracts,
                certificates: &certificates,
                estate: estate.as_ref(),
            },
            personal.as_ref(),
            &surrenders,
            &acts,
            self.today(),
        ))
    }

    fn may_read_personal(
        &self,
        conn: &mut crate::store::DbConnection,
        public: &[u8; 32],
        household: &str,
    ) -> Result<(), ServiceError> {
        use crate::model::Role;
        let key = queries::load_keys(conn, &self.db.county, Some(public))?
            .remove(public)
            .filter(|k| k.is_active());
        let Some(key) = key else {
            return Err(LedgerError::from(crate::model::RuleError::UnknownSigner).into());
        };
        let allowed = match key.role {
            Role::County => true,
            Role::Collective => household.starts_with(&key.party),
            Role::Household => household == key.party,
            Role::Exchange | Role::Transferee | Role::Member => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(ServiceError::ReadNotAllowed {
                role: key.role.as_str(),
                party: key.party,
                household: household.to_owned(),
            })
        }
    }

    /// The land contract certificate (承包经营权证) of a contract, as data,
    /// once issued: the parties, the parcels with their areas, the term and
    /// the members who share the right (C3).
    pub fn certificate(&self, code: &str) -> Result<views::CertificateView, ServiceError> {
        let mut conn = self.db.conn()?;
        let not_issued = || ServiceError::NotFound {
            what: "certificate of contract",
            id: code.to_string(),
            field: "code",
        };
        let issued = queries::certificate_of(&mut conn, &self.db.county, code)?;
        let (index, notice) = issued.ok_or_else(not_issued)?;
        let k =
            queries::load_contracts(&mut conn, &self.db.county, queries::ContractsOf::Code(code))?
                .remove(code)
                .ok_or_else(not_issued)?;
        let mut parcels = Vec::new();
        for p in &k.parcels {
            if let Some(p) = queries::parcel(&mut conn, &self.db.county, p)? {
                parcels.push(p);
            }
        }
        Ok(views::certificate(&k, &parcels, index, notice))
    }

    pub fn distribution(&self, index: u64) -> Result<views::DistributionView, ServiceError> {
        let mut conn = self.db.conn()?;
        let d = queries::load_distributions(
            &mut conn,
            &self.db.county,
            queries::DistributionsOf::Index(index),
        )?
        .remove(&index)
        .ok_or_else(|| ServiceError::NotFound {
            what: "distribution at log index",
            id: index.to_string(),
            field: "index",
        })?;
        Ok(views::distribution(&d))
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

    /// Listings, newest first (at most [`MAX_FEATURES`]).
    pub fn listings(
        &self,
        status: Option<&str>,
        collective: Option<&str>,
        mode: Option<&str>,
    ) -> Result<views::ListingsView, ServiceError> {
        let parses = |field: &'static str, value: Option<&str>, ok: fn(&str) -> bool| match value {
            Some(v) if !ok(v) => Err(ServiceError::BadQuery {
                field,
                reason: "names no such value",
                reason_zh: "所给的值不存在",
            }),
            _ => Ok(()),
        };
        parses("status", status, |v| {
            serde_json::from_value::<crate::model::exchange::Status>(v.into()).is_ok()
        })?;
        parses("kind", mode, |v| {
            serde_json::from_value::<crate::model::exchange::Mode>(v.into()).is_ok()
        })?;
        parses("collective", collective, |v| {
            crate::model::codes::check_collective(v).is_ok()
        })?;
        let mut conn = self.db.conn()?;
        let today = self.today();
        // A listing whose notice ran out is stored as under notice until its
        // next step: read both, and show each at its stage today.
        let stored: &[Option<&str>] = match status {
            Some("notice") | Some("trading") => &[Some("notice"), Some("trading")],
            _ => &[status],
        };
        let mut found = Vec::new();
        for s in stored {
            found.extend(queries::listings(
                &mut conn,
                &self.db.county,
                *s,
                collective,
                mode,
                MAX_FEATURES,
            )?);
        }
        found.sort_by_key(|l| std::cmp::Reverse(l.id));
        let listings: Vec<_> = found
            .into_iter()
            .map(|mut l| {
                l.status = l.status_on(today);
                l
            })
            .filter(|l| status.is_none_or(|s| l.status.as_str() == s))
            .take(MAX_FEATURES as usize)
            .map(|l| views::listing(&l))
            .collect();
        Ok(views::ListingsView { listings })
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

    /// A listing with its whole history and, once awarded, its contract text.
    pub fn listing(&self, id: u64) -> Result<views::ListingView, ServiceError> {
        let l = self.stored_listing(id)?;
        let l = Listing {
            status: l.status_on(self.today()),
            ..l
        };
        Ok(views::listing(&l))
    }

    /// What a household earned: the prices of its settled transfers and its
    /// dividends, in yuan.
    pub fn income(&self, household: &str) -> Result<views::IncomeView, ServiceError> {
        use crate::model::shares::yuan;
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        known_household(&mut conn, county, household)?;
        let rights = queries::rights_of_household(&mut conn, county, household)?;
        let collective = crate::model::codes::collective_of(household);
        let mut dividends: Vec<(u64, i64)> = queries::load_distributions(
            &mut conn,
            county,
            queries::DistributionsOf::Collective(collective),
        )?
        .into_values()
        .filter_map(|d| {
            d.parts
                .iter()
                .find(|(h, _)| h == household)
                .map(|(_, fen)| (d.index, *fen))
        })
        .collect();
        dividends.sort_unstable();
        // Assignments, swaps and shares end in no derived right: their price
        // is the transferor's too (M4).
        let settled: Vec<_> = queries::listings(
            &mut conn,
            county,
            Some("settled"),
            Some(collective),
            None,
            i64::MAX,
        )?
        .into_iter()
        .filter(|l| l.transferor == household)
        .collect();
        // M4: a price the exchange still holds in escrow.
        let held = |listing: u64| {
            settled
                .iter()
                .any(|l| l.id == listing && l.paid_out_at.is_none())
        };
        let sales: Vec<_> = settled
            .iter()
            .filter(|l| l.mode.moves_base_right())
            .collect();
        let transfers: i64 = rights.iter().map(|r| r.price).sum::<i64>()
            + sales
                .iter()
                .filter_map(|l| l.award.as_ref())
                .map(|a| a.price)
                .sum::<i64>();
        let paid: i64 = dividends.iter().map(|(_, f)| f).sum();
        let leases = rights.iter().map(|r| views::IncomeTransfer {
            right: Some(r.index),
            listing: r.listing,
            mode: r.mode,
            holder: r.holder.clone(),
            start: r.start,
            end: Some(r.end),
            price: yuan(r.price),
            held: held(r.listing),
        });
        let sold = sales.iter().filter_map(|l| {
            l.award.as_ref().map(|a| views::IncomeTransfer {
                right: None,
                listing: l.id,
                mode: l.mode,
                holder: a.party.clone(),
                start: l.start,
                end: None,
                price: yuan(a.price),
                held: held(l.id),
            })
        });
        Ok(views::IncomeView {
            household: household.to_owned(),
            transfers: leases.chain(sold).collect(),
            dividends: dividends
                .iter()
                .map(|(i, f)| views::IncomeDividend {
                    distribution: *i,
                    amount: yuan(*f),
                })
                .collect(),
            total: yuan(transfers + paid),
        })
    }

    /// The county's attestation of the rights a household retains (G3), as
    /// a document an auditor checks without trusting this server: the
    /// signed entry's exact bytes, its inclusion proof and the signed
    /// checkpoint it is proved against.
    pub fn attestation(&self, index: u64) -> Result<views::AttestationView, ServiceError> {
        use base64::Engine;
        let b64 = |h: &Hash| base64::engine::general_purpose::STANDARD.encode(h);
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let a = queries::attestation(&mut conn, county, index)?.ok_or_else(|| {
            ServiceError::NotFound {
                what: "attestation",
                id: index.to_string(),
                field: "index",
            }
        })?;
        let leaf = queries::entry_leaf(&mut conn, county, index)?.ok_or_else(|| {
            ServiceError::NotFound {
                what: "entry",
                id: index.to_string(),
                field: "index",
            }
        })?;
        drop(conn);
        let (size, note) = self.checkpoint()?;
        let proof = self.inclusion_proof(index, size)?;
        Ok(views::AttestationView {
            index: a.index,
            household: a.household.clone(),
            day: a.day,
            statement: views::retention_statement(&a, false),
            statement_zh: views::retention_statement(&a, true),
            rights: a.rights,
            proof: views::AttestationProof {
                entry: String::from_utf8_lossy(&leaf).into_owned(),
                leaf_hash: b64(&crate::ledger::merkle::leaf_hash(&leaf)),
                tree_size: size,
                inclusion: proof.iter().map(b64).collect(),
                checkpoint: note,
            },
        })
    }
    /// The log indexes of a household's attestations.
    pub fn attestations_of(&self, household: &str) -> Result<views::AttestationsOf, ServiceError> {
        let mut conn = self.db.conn()?;
        known_household(&mut conn, &self.db.county, household)?;
        let found = queries::attestations_of(&mut conn, &self.db.county, household)?;
        Ok(views::AttestationsOf {
            household: household.to_owned(),
            attestations: found,
        })
    }

    /// Who `code` is on this log: the kind of party, the keys bound to act
    /// for it (verifier key, role, the log indices that bound and revoked
    /// each), and, for a transferee, the county's reviews (M8, X6) and
    /// whether the latest approved it.
    pub fn party(&self, code: &str) -> Result<views::PartyView, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let keys = queries::keys_of_party(&mut conn, county, code)?;
        let reviews = queries::reviews_of(&mut conn, county, code)?;
        if keys.is_empty() && reviews.is_empty() {
            return Err(ServiceError::NotFound {
                what: "party",
                id: code.to_owned(),
                field: "code",
            });
        }
        let kind = crate::model::authority::PartyType::of(county, code)
            .map_or("unknown", crate::model::authority::PartyType::as_str);
        let latest = reviews.values().next_back();
        let settings = queries::settings_of(&mut conn, county)?;
        let (min, max) = (settings.transferee_min_age, settings.transferee_max_age);
        let today = self.today();
        Ok(views::PartyView {
            party: code.to_owned(),
            kind,
            keys: keys.iter().map(views::PartyKey::of).collect(),
            reviews: reviews
                .values()
                .map(|r| {
                    let (from, until) = r.qualifies(min, max).unwrap_or_default();
                    views::PartyReview {
                        index: r.index,
                        kind: r.kind.clone(),
                        approved: r.approved,
                        born: r.born,
                        qualified_from: from,
                        qualified_until: until,
                    }
                })
                .collect(),
            qualified: latest.is_some_and(|r| r.qualifies_on(today, min, max)),
        })
    }

    /// Who holds the public key `signer`: its party, role and the indices
    /// that bound and revoked it.
    pub fn key(&self, signer: &[u8; 32]) -> Result<views::KeyView, ServiceError> {
        self.keys(&[*signer])?
            .keys
            .into_values()
            .next()
            .ok_or_else(|| ServiceError::NotFound {
                what: "key",
                id: hex(signer),
                field: "signer",
            })
    }

    /// Who each of `signers` is; keys nobody registered are left out.
    pub fn keys(&self, signers: &[[u8; 32]]) -> Result<views::KeysView, ServiceError> {
        let mut conn = self.db.conn()?;
        let mut keys = std::collections::BTreeMap::new();
        for signer in signers {
            if let Some(k) =
                queries::load_keys(&mut conn, &self.db.county, Some(signer))?.remove(signer)
            {
                keys.insert(
                    hex(signer),
                    views::KeyView {
                        key: views::PartyKey::of(&k),
                        party: k.party,
                    },
                );
            }
        }
        Ok(views::KeysView { keys })
    }

    /// An example body of each kind this log holds: its newest entry's.
    pub fn kind_examples(&self) -> Result<Vec<(String, serde_json::Value)>, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let mut out = Vec::new();
        for (kind, index) in queries::newest_of_each_kind(&mut conn, county)? {
            if let Some(leaf) = queries::entry_leaf(&mut conn, county, index)? {
                let record: serde_json::Value = serde_json::from_slice(&leaf).unwrap_or_default();
                out.push((kind, record["envelope"]["entry"]["body"].clone()));
            }
        }
        Ok(out)
    }

    /// The writer's time now.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// A household's base rights today (G1), as `attest.retention` states
    /// them: contracts in force with their parcels' areas, the homestead in
    /// force, the shares.
    pub fn base_rights(
        &self,
        household: &str,
    ) -> Result<crate::model::exchange::BaseRights, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let contracts = queries::load_contracts(
            &mut conn,
            county,
            queries::ContractsOf::Household(household),
        )?;
        let mut areas = std::collections::HashMap::new();
        for p in contracts.values().flat_map(|k| &k.parcels) {
            if let Some(parcel) = queries::parcel(&mut conn, county, p)? {
                areas.insert(p.clone(), parcel.area.0);
            }
        }
        Ok(crate::model::rights::base_rights_of(
            household,
            self.today(),
            contracts.values(),
            |p| areas.get(p).copied().unwrap_or(0),
            queries::homestead_summary(&mut conn, county, household)?
                .filter(|h| h.exited_at.is_none())
                .map(|h| h.area.0),
            queries::shares_of(&mut conn, county, household)?,
        ))
    }

    /// An expropriation (E1), by the log index of its pre-announcement.
    pub fn expropriation(&self, index: u64) -> Result<views::ExpropriationView, ServiceError> {
        let mut conn = self.db.conn()?;
        queries::expropriation(&mut conn, &self.db.county, index)?
            .map(|x| views::ExpropriationView::of(&x))
            .ok_or_else(|| ServiceError::NotFound {
                what: "expropriation",
                id: index.to_string(),
                field: "index",
            })
    }

    /// The 土地经营权证 of a derived right registered at settlement (M6:
    /// terms of five years or more); `not_found` for one not registered.
    pub fn right_certificate(
        &self,
        index: u64,
    ) -> Result<views::RightCertificateView, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let r = queries::derived_right(&mut conn, county, index)?
            .filter(|r| r.registered)
            .ok_or_else(|| ServiceError::NotFound {
                what: "registered right",
                id: index.to_string(),
                field: "index",
            })?;
        let mut parcels = Vec::new();
        let mut total = crate::model::units::Area(0);
        for code in &r.parcels {
            if let Some(p) = queries::parcel(&mut conn, county, code)? {
                total.0 += p.area.0;
                parcels.push(views::CertificateParcel::of(&p));
            }
        }
        Ok(views::RightCertificateView {
            index: r.index,
            listing: r.listing,
            mode: r.mode,
            holder: r.holder.clone(),
            household: r.household.clone(),
            parcels,
            total_area_mu: total.mu().to_string(),
            start: r.start,
            end: r.end,
            in_force: r.in_force(self.today()),
            not_begun: self.today() < r.start,
            ended: r.ended.as_ref().map(|(index, ground)| views::RightEnded {
                index: *index,
                ground: ground.clone(),
            }),
            certified: r
                .certified
                .as_ref()
                .map(|(index, no)| views::RightCertified {
                    index: *index,
                    certificate_no: no.clone(),
                }),
        })
    }

    /// The county's name and its log's verifier key (from genesis).
    pub fn county(&self) -> Result<crate::model::state::County, ServiceError> {
        let mut conn = self.db.conn()?;
        queries::county_of(&mut conn, &self.db.county)?.ok_or_else(|| ServiceError::NotFound {
            what: "county",
            id: self.db.county.clone(),
            field: "county",
        })
    }

    /// The county's settings in force (its calendar among them).
    pub fn settings(&self) -> Result<crate::model::settings::Settings, ServiceError> {
        let mut conn = self.db.conn()?;
        Ok(queries::settings_of(&mut conn, &self.db.county)?)
    }

    /// The households of a collective, by code.
    pub fn households_of(&self, collective: &str) -> Result<Vec<String>, ServiceError> {
        let mut conn = self.db.conn()?;
        Ok(queries::household_codes(
            &mut conn,
            &self.db.county,
            collective,
        )?)
    }

    /// The parcels of a collective under an encumbrance in force.
    pub fn encumbered_parcels(&self, collective: &str) -> Result<Vec<String>, ServiceError> {
        let mut conn = self.db.conn()?;
        let today = self.today();
        // A parcel's code begins with its collective's (NY/T 2539).
        Ok(
            queries::encumbrances_where(&mut conn, &self.db.county, None)?
                .into_iter()
                .filter(|e| e.in_force(today) && e.parcel.starts_with(collective))
                .map(|e| e.parcel.to_string())
                .collect(),
        )
    }

    /// The collectives of the county, by code, with their names.
    pub fn collectives(&self) -> Result<Vec<(String, String)>, ServiceError> {
        let mut conn = self.db.conn()?;
        let mut all: Vec<(String, String)> = queries::load_collectives(&mut conn, &self.db.county)?
            .into_values()
            .map(|k| (k.code, k.name))
            .collect();
        all.sort();
        Ok(all)
    }

    /// For the charts, from areas and contracts, without reading a geometry.
    pub fn chart_figures(
        &self,
        listings: &[views::ListingView],
    ) -> Result<ChartFigures, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let codes: Vec<&str> = listings
            .iter()
            .flat_map(|l| l.parcels.iter().map(String::as_str))
            .collect();
        let areas = queries::parcel_areas(&mut conn, county, &codes)?;
        let listing_mu = listings
            .iter()
            .map(|l| {
                let total: i64 = l
                    .parcels
                    .iter()
                    .filter_map(|p| areas.get(p))
                    .map(|a| a.0)
                    .sum();
                (l.id, crate::model::units::Area(total).mu())
            })
            .collect();
        let today = self.today();
        let mut contracted: HashMap<String, usize> = HashMap::new();
        for k in queries::load_contracts(&mut conn, county, queries::ContractsOf::All)?
            .into_values()
            .filter(|k| k.holds(today))
        {
            *contracted
                .entry(crate::model::codes::collective_of(&k.household).to_owned())
                .or_default() += k.parcels.len();
        }
        Ok(ChartFigures {
            listing_mu,
            contracted,
        })
    }

    /// The newest `n` entries of the log, newest first.
    pub fn recent_entries(&self, n: u64) -> Result<Vec<views::LogLine>, ServiceError> {
        let mut conn = self.db.conn()?;
        let size = queries::log_size(&mut conn, &self.db.county)?;
        let rows = queries::log_rows(&mut conn, &self.db.county, size.saturating_sub(n), n as i64)?;
        let mut lines: Vec<views::LogLine> = rows
            .into_iter()
            .map(|(index, kind, signer, _, leaf)| views::LogLine {
                index: index as u64,
                kind,
                signer: B64.encode(signer),
                integrated: serde_json::from_slice::<serde_json::Value>(&leaf)
                    .ok()
                    .and_then(|v| v.get("integrated")?.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            })
            .collect();
        lines.reverse();
        Ok(lines)
    }

    /// The contract text the parties of listing `id` sign (M5): exactly the
    /// bytes whose SHA-256 `contract.sign` carries.
    pub fn contract(&self, id: u64) -> Result<(String, String), ServiceError> {
        let l = self.stored_listing(id)?;
        let hash = l.award.as_ref().map(|a| a.contract_sha256.clone());
        match (l.contract_text(), hash) {
            (Some(text), Some(hash)) => Ok((text, hash)),
            _ => Err(ServiceError::NotFound {
                what: "contract of listing",
                id: id.to_string(),
                field: "id",
            }),
        }
    }

    /// The contract as a printable page.
    pub fn contract_page(&self, id: u64) -> Result<String, ServiceError> {
        let (text, hash) = self.contract(id)?;
        Ok(views::contract_page(id, &text, &hash))
    }

    /// The leaf bytes of one entry, exactly as hashed into the tree.
    pub fn entry(&self, index: u64) -> Result<Vec<u8>, ServiceError> {
        let mut conn = self.db.conn()?;
        queries::entry_leaf(&mut conn, &self.db.county, index)?.ok_or_else(|| {
            ServiceError::NotFound {
                what: "entry",
                id: index.to_string(),
                field: "index",
            }
        })
    }

    /// The newest signed checkpoint note.
    pub fn checkpoint(&self) -> Result<(u64, String), ServiceError> {
        let mut conn = self.db.conn()?;
        queries::latest_checkpoint(&mut conn, &self.db.county)?.ok_or_else(|| {
            ServiceError::NotFound {
                what: "checkpoint",
                id: String::new(),
                field: "checkpoint",
            }
        })
    }

    pub fn collective(
        &self,
        code: &str,
    ) -> Result<views::Feature<views::CollectiveProperties>, ServiceError> {
        let mut conn = self.db.conn()?;
        let (k, active) =
            queries::collective(&mut conn, &self.db.county, code)?.ok_or_else(|| {
                ServiceError::NotFound {
                    what: "collective",
                    id: code.to_string(),
                    field: "code",
                }
            })?;
        Ok(views::collective_feature(&k, active))
    }

    /// A parcel with its 四至, computed now from the active parcels around it.
    pub fn parcel(
        &self,
        code: &str,
    ) -> Result<views::Feature<views::ParcelProperties>, ServiceError> {
        let mut conn = self.db.conn()?;
        let p = queries::parcel(&mut conn, &self.db.county, code)?.ok_or_else(|| {
            ServiceError::NotFound {
                what: "parcel",
                id: code.to_string(),
                field: "code",
            }
        })?;
        // Look about 100 m around it.
        let (dlon, dlat) = (0.0012, 0.0009);
        let b = p.bbox;
        let around = queries::parcels_in_bbox(
            &mut conn,
            &self.db.county,
            [b[0] - dlon, b[1] - dlat, b[2] + dlon, b[3] + dlat],
            true,
            500,
        )?;
        let around: Vec<(String, [f64; 4])> = around
            .into_iter()
            .filter(|n| n.code != p.code)
            .map(|n| (n.code.to_string(), n.bbox))
            .collect();
        let sizhi = crate::spatial::neighbours(p.bbox, &around);
        let contract = queries::load_contracts(
            &mut conn,
            &self.db.county,
            queries::ContractsOf::Parcel(code),
        )?
        .into_values()
        .next();
        Ok(views::parcel_feature(
            &p,
            contract.as_ref(),
            Some(&sizhi),
            self.today(),
        ))
    }

    pub fn decision(&self, index: u64) -> Result<views::DecisionView, ServiceError> {
        let mut conn = self.db.conn()?;
        let d = queries::decision(&mut conn, &self.db.county, index)?.ok_or_else(|| {
            ServiceError::NotFound {
                what: "decision at log index",
                id: index.to_string(),
                field: "index",
            }
        })?;
        Ok(views::decision(&d))
    }

    /// The title report of a parcel, as of the newest checkpoint.
    pub fn title(&self, code: &str) -> Result<views::TitleView, ServiceError> {
        let mut conn = self.db.conn()?;
        // One snapshot: the parcel, its encumbrances and the tree size agree.
        let (size, p, encumbrances, contract) = conn.transaction(|c| {
            let size = queries::latest_checkpoint(c, &self.db.county)?.map_or(0, |(s, _)| s);
            let p = queries::parcel(c, &self.db.county, code)?;
            let e = queries::encumbrances_where(c, &self.db.county, Some(code))?;
            let k =
                queries::load_contracts(c, &self.db.county, queries::ContractsOf::Parcel(code))?
                    .into_values()
                    .next();
            Ok::<_, crate::store::StoreError>((size, p, e, k))
        })?;
        let p = p.ok_or_else(|| ServiceError::NotFound {
            what: "parcel",
            id: code.to_string(),
            field: "code",
        })?;
        // The newest expropriation that names the parcel (E1).
        let expropriation = queries::expropriations_of(&mut conn, &self.db.county, &p.collective)?
            .into_values()
            .rev()
            .find(|x| x.parcels.iter().any(|q| q == code));
        // The rights derived from this parcel's contract (G2, M6) — or, on
        // land the state took, from the households its plan compensated.
        let households: Vec<String> = match (&contract, &expropriation) {
            (Some(k), _) => vec![k.household.clone()],
            (None, Some(x)) => x
                .plan
                .iter()
                .flat_map(|p| &p.lines)
                .map(|(party, _, _)| party.clone())
                .filter(|party| {
                    crate::model::authority::PartyType::of(&self.db.county, party)
                        == Ok(crate::model::authority::PartyType::Household)
                })
                .collect(),
            (None, None) => Vec::new(),
        };
        let mut rights = Vec::new();
        for h in households {
            for r in queries::rights_of_household(&mut conn, &self.db.county, &h)? {
                if r.parcels.iter().any(|p| p == code) && !rights.contains(&r) {
                    rights.push(r);
                }
            }
        }
        let acts: Vec<_> = queries::all_acts(&mut conn, &self.db.county)?
            .into_values()
            .filter(|a| a.titles.iter().any(|t| t == code))
            .collect();
        Ok(views::title(
            &p,
            views::TitleFacts {
                contract: contract.as_ref(),
                encumbrances: &encumbrances,
                rights: &rights,
                expropriation: expropriation.as_ref(),
                acts: &acts,
            },
            size,
            self.today(),
        ))
    }

    /// The county's notice board (公示栏, A3): every act over a household
    /// still open — pending its notice or held by an objection — and every
    /// key on notice (A2), newest first.
    pub fn notice_board(&self) -> Result<Vec<views::ActView>, ServiceError> {
        let mut conn = self.db.conn()?;
        let today = self.today();
        Ok(queries::all_acts(&mut conn, &self.db.county)?
            .into_values()
            .rev()
            .filter(|a| a.is_open())
            .map(|a| views::ActView::of(&a, today))
            .collect())
    }

    /// Parcels of a collective, or within a bounding box, as a FeatureCollection.
    pub fn parcels(
        &self,
        collective: Option<&str>,
        bbox: Option<[f64; 4]>,
    ) -> Result<views::FeatureCollection<views::ParcelProperties>, ServiceError> {
        let mut conn = self.db.conn()?;
        let found = match (collective, bbox) {
            (Some(code), _) => {
                queries::parcels_of_collective(&mut conn, &self.db.county, code, MAX_FEATURES + 1)?
            }
            (None, Some(b)) => {
                queries::parcels_in_bbox(&mut conn, &self.db.county, b, false, MAX_FEATURES + 1)?
            }
            (None, None) => {
                return Err(ServiceError::OutOfRange {
                    field: "collective",
                    reason: "give collective=CODE or bbox=minlon,minlat,maxlon,maxlat".into(),
                    reason_zh: "须给出 collective=集体经济组织编码，或 bbox=最小经度,最小纬度,最大经度,最大纬度".into(),
                })
            }
        };
        if found.len() as i64 > MAX_FEATURES {
            return Err(ServiceError::OutOfRange {
                field: "bbox",
                reason: format!("more than {MAX_FEATURES} parcels: ask for a smaller area"),
                reason_zh: format!("地块超过 {MAX_FEATURES} 个，请缩小范围"),
            });
        }
        let mut contracts = std::collections::HashMap::new();
        let collectives: std::collections::BTreeSet<&str> =
            found.iter().map(|p| p.collective.as_str()).collect();
        for k in collectives {
            contracts.extend(queries::load_contracts(
                &mut conn,
                &self.db.county,
                queries::ContractsOf::Collective(k),
            )?);
        }
        Ok(views::parcel_collection(&found, &contracts, self.today()))
    }

    /// Inclusion proof of `index` in the tree of `size` (≤ the newest checkpoint).
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ServiceError> {
        let (current, _) = self.checkpoint()?;
        if size == 0 || size > current {
            return Err(ServiceError::OutOfRange {
                field: "size",
                reason: format!("size must be between 1 and the checkpoint's {current}"),
                reason_zh: format!("`size` 须在 1 与检查点的 {current} 之间"),
            });
        }
        if index >= size {
            return Err(ServiceError::OutOfRange {
                field: "index",
                reason: format!("index must be less than size {size}"),
                reason_zh: format!("`index` 须小于 `size` {size}"),
            });
        }
        let mut conn = self.db.conn()?;
        Ok(queries::inclusion_proof(
            &mut conn,
            &self.db.county,
            &self.db.tiles,
            index,
            size,
        )?)
    }

    /// Consistency proof between two tree sizes, 1 ≤ old ≤ new ≤ the checkpoint's.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, ServiceError> {
        let (current, _) = self.checkpoint()?;
        if new == 0 || new > current {
            return Err(ServiceError::OutOfRange {
                field: "new",
                reason: format!("new must be between 1 and the checkpoint's {current}"),
                reason_zh: format!("`new` 须在 1 与检查点的 {current} 之间"),
            });
        }
        if old == 0 || old > new {
            return Err(ServiceError::OutOfRange {
                field: "old",
                reason: format!("old must be between 1 and new ({new})"),
                reason_zh: format!("`old` 须在 1 与 `new`（{new}）之间"),
            });
        }
        let mut conn = self.db.conn()?;
        Ok(queries::consistency_proof(
            &mut conn,
            &self.db.county,
            &self.db.tiles,
            old,
            new,
        )?)
    }
}

/// What the charts count.
pub struct ChartFigures {
    /// The area in 亩 of each listing's parcels.
    pub listing_mu: BTreeMap<u64, rust_decimal::Decimal>,
    /// How many parcels each collective's households hold today.
    pub contracted: HashMap<String, usize>,
}
