//! The single writer: one thread owns the log. A batch of pending envelopes
//! has its signatures checked as a batch (by a stage before the writer, so
//! that the next batch is checked while the writer commits this one); the
//! writer then admits them in order through the sequencer (authority, rules),
//! and commits the accepted ones, their projections, the tiles and a new
//! checkpoint in one transaction. A caller is answered only after that
//! transaction is durable; a refused envelope never aborts the others of its
//! batch.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use diesel::connection::SimpleConnection;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use tokio::sync::{mpsc, oneshot};

use super::project::{write_batch, Batch, PersonRow};
use super::queries::load_sequencer;
use super::statelog::{ProveError, StateKeeper};
use super::{Db, DbConnection, StoreError};
use crate::ledger::merkle::Hash;
use crate::ledger::{
    format_integrated, verify_signatures, Checkpoint, Envelope, LedgerError, Sequencer, SignerKey,
};
use crate::model::person::{PersonRecord, PersonalError};
use crate::model::{authority, log_origin, Command, Role, RuleError};
use crate::spatial::{self, GeometryError};
use rayon::prelude::*;

/// The most envelopes one transaction takes.
pub const MAX_BATCH: usize = 8192;
const QUEUE: usize = 65_536;
/// The most envelope bytes waiting for the writer at once. A submission that
/// would pass it is answered `busy` (HTTP 503 with `Retry-After`) at once,
/// so a flood of large envelopes costs its sender, not the server's memory.
pub const QUEUE_BYTES: usize = 16 << 20;
/// How long a caller may wait for its answer before it is told to retry.
pub const ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What an accepted entry's caller gets back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    pub index: u64,
    pub leaf_hash: Hash,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum SubmitError {
    #[error(transparent)]
    Refused(#[from] LedgerError),
    #[error(transparent)]
    Geometry(#[from] GeometryError),
    #[error(transparent)]
    Personal(#[from] PersonalError),
    #[error("the entry was not stored: {0}")]
    Store(String),
    /// Issue 21 (7): the commit failed for a full disk; nothing was written.
    #[error("the entry was not stored, the disk is full: {0}")]
    DiskFull(String),
    #[error("the writer has stopped")]
    Stopped,
    /// The queue holds [`QUEUE_BYTES`] already (nothing was written), or no
    /// answer came within [`ANSWER_TIMEOUT`] (it may yet be written): the
    /// same envelope may be sent again — its nonce makes that safe.
    #[error("the log is busy; try again in a moment")]
    Busy,
}

/// Answers still to come, in the order their envelopes were queued.
pub struct Pending(Vec<Option<oneshot::Receiver<Result<Receipt, SubmitError>>>>);

impl Pending {
    pub fn wait(self) -> Vec<Result<Receipt, SubmitError>> {
        self.0
            .into_iter()
            .map(|a| match a {
                Some(a) => a.blocking_recv().unwrap_or(Err(SubmitError::Stopped)),
                None => Err(SubmitError::Stopped),
            })
            .collect()
    }
}

struct Job {
    envelope: Envelope,
    /// Personal records of the persons the entry names, off the log.
    personal: Vec<PersonRecord>,
    reply: oneshot::Sender<Result<Receipt, SubmitError>>,
    /// The job's share of [`QUEUE_BYTES`], given back when it is answered.
    _held: QueueShare,
}

impl Job {
    /// Answers the caller, after giving back the job's share of the queue:
    /// a caller that sends its next envelope at once finds the room free.
    fn answer(self, result: Result<Receipt, SubmitError>) {
        let Job { reply, _held, .. } = self;
        drop(_held);
        let _ = reply.send(result);
    }
}

/// What an envelope costs of the queue: its bytes, and eight times as many
/// for one of over 64 KiB (a large geometry, which the server holds parsed,
/// at many times its size, until the stage has measured it) — so that the
/// queue's bound bounds memory too, and ordinary entries never feel it.
fn queue_cost(envelope: &Envelope) -> usize {
    let bytes = envelope.signing_input().len();
    if bytes > 64 << 10 {
        bytes * 8
    } else {
        bytes
    }
}

/// Bytes of the queue a job holds; dropped with the job.
struct QueueShare {
    bytes: usize,
    queued: Arc<AtomicUsize>,
}

impl Drop for QueueShare {
    fn drop(&mut self) {
        self.queued.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// The jobs whose signature verified and whose signer may sign their kind,
/// with their geometry prepared, in the order they came.
struct Checked {
    jobs: Vec<Job>,
}

/// What the writer's thread is sent: a batch to write, or a title to prove
/// as of the newest state-log leaf (issue 20).
enum ToWriter {
    Batch(Checked),
    Prove(
        crate::model::titles::Title,
        oneshot::Sender<Result<crate::ledger::titleproof::TitleProof, ProveError>>,
    ),
}

/// What the stage before the writer knows of the keys: each bound key's role
/// and whether it was revoked. It lets the stage refuse an envelope whose
/// signer may not sign its kind before any costly work (geometry, rules) is
/// done for it. The writer keeps it as it admits entries; the stage adds the
/// keys that entries in flight register, so a key may be used right after
/// the entry that binds it. The rules still decide everything.
#[derive(Default)]
struct Gate(std::sync::RwLock<HashMap<[u8; 32], GateKey>>);

/// A key's role, and the index that revoked it.
type GateKey = (Role, Option<u64>);

impl Gate {
    fn keys(state: &crate::model::State) -> HashMap<[u8; 32], GateKey> {
        state
            .keys
            .values()
            .map(|k| (k.public, (k.role, k.revoked_at)))
            .collect()
    }

    fn of(state: &crate::model::State) -> Gate {
        Gate(std::sync::RwLock::new(Gate::keys(state)))
    }

    fn replace(&self, state: &crate::model::State) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Gate::keys(state);
    }

    /// Refuses, as the rules would, a signer that is unknown, revoked or may
    /// not sign the envelope's kind. Genesis (the first entry) is the rules'.
    fn admit(&self, envelope: &Envelope) -> Result<(), LedgerError> {
        let kind = envelope.command.kind();
        if kind == "genesis" {
            return Ok(());
        }
        let keys = self.0.read().unwrap_or_else(|e| e.into_inner());
        let (role, revoked) = *keys.get(&envelope.signer).ok_or(RuleError::UnknownSigner)?;
        if let Some(at) = revoked {
            return Err(RuleError::RevokedSigner { at }.into());
        }
        if !authority::may_sign(role, kind) {
            return Err(RuleError::KindNotAllowed {
                role: role.as_str(),
                kind,
            }
            .into());
        }
        drop(keys);
        if let Command::KeyRegister(k) = &envelope.command {
            self.0
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .entry(k.vkey.public_bytes())
                .or_insert((k.role, None));
        }
        Ok(())
    }

    /// Forgets a key the stage let in for a `key.register` in flight that
    /// the rules then refused, so it buys no more work than a stranger's.
    fn refused(&self, envelope: &Envelope, state: &crate::model::State) {
        if let Command::KeyRegister(k) = &envelope.command {
            let public = k.vkey.public_bytes();
            if state.key(&public).is_none() {
                self.0
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&public);
            }
        }
    }

    /// Follows the key changes of an admitted entry.
    fn follow(&self, changes: &[crate::model::Change]) {
        for change in changes {
            match change {
                crate::model::Change::KeyBound(k) => {
                    self.0
                        .write()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(k.public, (k.role, None));
                }
                crate::model::Change::KeyRevoked { public, at } => {
                    if let Some(k) = self
                        .0
                        .write()
                        .unwrap_or_else(|e| e.into_inner())
                        .get_mut(public)
                    {
                        k.1 = Some(*at);
                    }
                }
                crate::model::Change::KeyRestored { public } => {
                    if let Some(k) = self
                        .0
                        .write()
                        .unwrap_or_else(|e| e.into_inner())
                        .get_mut(public)
                    {
                        k.1 = None;
                    }
                }
                _ => {}
            }
        }
    }
}

/// The server's clock, whose time each record carries (it starts notice
/// periods and closes auctions). A county runs on the system clock; a test
/// or benchmark that must see ten working days pass runs it ahead, which the
/// log then shows as it is.
#[derive(Clone, Default)]
pub struct Clock {
    ahead_seconds: Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.ahead_seconds.load(Ordering::SeqCst))
    }

    /// The time now as an entry states it (RFC 3339, seconds, UTC): what a
    /// client on this clock signs.
    pub fn stamp(&self) -> String {
        self.now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    /// Moves the clock forward (never back).
    pub fn advance(&self, by: chrono::Duration) {
        self.ahead_seconds
            .fetch_add(by.num_seconds().max(0), Ordering::SeqCst);
    }

    /// A clock that starts `by` in the past: a demo whose history is dated
    /// back, then brought up to real time with [`Clock::catch_up`].
    pub fn behind(by: chrono::Duration) -> Clock {
        Clock {
            ahead_seconds: Arc::new(std::sync::atomic::AtomicI64::new(-by.num_seconds().max(0))),
        }
    }

    /// Moves a clock that is behind up to real time.
    pub fn catch_up(&self) {
        self.ahead_seconds.fetch_max(0, Ordering::SeqCst);
    }
}

/// The handle to the writer thread. Dropping every handle (or calling
/// [`Writer::shutdown`]) lets the thread finish what is queued and stop.
pub struct Writer {
    queue: mpsc::Sender<Job>,
    /// Envelope bytes waiting, bounded by `queue_limit`.
    queued: Arc<AtomicUsize>,
    /// [`QUEUE_BYTES`], unless [`Writer::limit_queue`] said otherwise.
    queue_limit: AtomicUsize,
    threads: Vec<JoinHandle<()>>,
    /// Requests to the writer's thread itself (title proofs); dropped at
    /// [`Writer::stop`] so the thread sees its channel close.
    to_writer: Option<std::sync::mpsc::SyncSender<ToWriter>>,
    /// The county's trust policy, when the state log is kept.
    policy: Option<crate::ledger::policy::Policy>,
    /// Tells the WAL checkpointer to finish.
    stopping: Arc<AtomicBool>,
    pub origin: String,
    clock: Clock,
    commits: Arc<AtomicU64>,
}

impl Writer {
    /// Starts the writer of `db`'s county, signing checkpoints with `log_key`.
    pub fn start(db: &Db, log_key: SignerKey) -> Result<Writer, StoreError> {
        Self::start_with_clock(db, log_key, Clock::default())
    }

    /// The same, on `clock`.
    pub fn start_with_clock(
        db: &Db,
        log_key: SignerKey,
        clock: Clock,
    ) -> Result<Writer, StoreError> {
        Self::start_as(db, log_key, clock, false, None)
    }

    /// The same, keeping the state map and the state log (issue 20): a
    /// leaf each `period` the log grew in, and title proofs on request;
    /// each leaf's checkpoint sent to the witnesses of `policy` that have a
    /// URL, for their cosignatures.
    pub fn start_keeping_state(
        db: &Db,
        log_key: SignerKey,
        clock: Clock,
        period: std::time::Duration,
        policy: Option<crate::ledger::policy::Policy>,
    ) -> Result<Writer, StoreError> {
        Self::start_as(db, log_key, clock, false, Some((period, policy)))
    }

    /// A writer that judges every entry as the real one does — authority,
    /// rules, geometry, personal records, each entry against those before
    /// it — and answers, but writes nothing: what `sanquan import --check`
    /// runs a package through, built by that same process and not signed
    /// ([`Envelope::unsigned`]; the signer's authority is judged, the
    /// signature is not). Its state is lost with it.
    pub fn start_dry(db: &Db, log_key: SignerKey, clock: Clock) -> Result<Writer, StoreError> {
        Self::start_as(db, log_key, clock, true, None)
    }

    fn start_as(
        db: &Db,
        log_key: SignerKey,
        clock: Clock,
        dry: bool,
        state: Option<(std::time::Duration, Option<crate::ledger::policy::Policy>)>,
    ) -> Result<Writer, StoreError> {
        let mut conn = db.writer_connection()?;
        lock_county(&mut conn, &db.county)?;
        let stopping = Arc::new(AtomicBool::new(false));
        let checkpointer = wal_checkpointer(&mut conn, db, stopping.clone())?;
        let mut seq = load_sequencer(&mut conn, &db.county, &db.tiles)?;
        let mut cosigner = None;
        let policy = state.as_ref().and_then(|(_, p)| p.clone());
        let keeper = match state {
            Some((period, policy)) => {
                let witnessed = policy.filter(|p| p.witnesses.iter().any(|w| w.url.is_some()));
                let (tx, rx) = std::sync::mpsc::channel();
                let keeper = StateKeeper::start(
                    &mut conn,
                    &mut seq,
                    &log_key,
                    period,
                    witnessed.is_some().then_some(tx),
                )?;
                if let Some(policy) = witnessed {
                    let (db, leaves) = (db.clone(), keeper.leaf_hashes());
                    cosigner = Some(move || super::cosigner::run(db, policy, leaves, rx));
                }
                Some(keeper)
            }
            None => None,
        };
        let id_numbers = load_id_numbers(&mut conn, &db.county)?;
        let (queue, rx) = mpsc::channel(QUEUE);
        let gate = Arc::new(Gate::of(&seq.state));
        let stage_gate = gate.clone();
        let writer_clock = clock.clone();
        let commits = Arc::new(AtomicU64::new(0));
        let mut state = WriterState {
            commits: commits.clone(),
            gate,
            conn,
            db: db.clone(),
            seq,
            log_key,
            origin: log_origin(&db.county),
            last_time: clock.now(),
            clock,
            id_numbers,
            dry,
            keeper,
            proofs: Vec::new(),
        };
        let (checked_tx, checked_rx) = std::sync::mpsc::sync_channel(1);
        let to_writer = Some(checked_tx.clone());
        let spawn = |name: &str, f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.into())
                .spawn(f)
                .map_err(|e| StoreError::Connect(e.to_string()))
        };
        let mut threads = vec![
            spawn(
                "sanquan-signatures",
                Box::new(move || check_signatures(rx, checked_tx, &stage_gate, dry)),
            )?,
            spawn("sanquan-writer", Box::new(move || state.run(checked_rx)))?,
        ];
        if let Some(wal) = checkpointer {
            threads.push(spawn("sanquan-wal", Box::new(wal))?);
        }
        if let Some(cosigner) = cosigner {
            threads.push(spawn("sanquan-cosigner", Box::new(cosigner))?);
        }
        Ok(Writer {
            queue,
            queued: Arc::new(AtomicUsize::new(0)),
            queue_limit: AtomicUsize::new(QUEUE_BYTES),
            threads,
            to_writer,
            policy,
            stopping,
            origin: log_origin(&db.county),
            clock: writer_clock,
            commits,
        })
    }

    /// How many batches the writer has committed or tried: it changes
    /// before the answers of every batch that may have changed what a view
    /// reads, so a view kept under one count is current while it lasts.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Acquire)
    }

    /// Bounds the bytes waiting for the writer at `bytes` (a server with
    /// little memory; a test that fills the queue).
    pub fn limit_queue(&self, bytes: usize) {
        self.queue_limit.store(bytes, Ordering::Release);
    }

    /// The envelope bytes waiting for the writer now.
    pub fn queued_bytes(&self) -> usize {
        self.queued.load(Ordering::Acquire)
    }

    /// The clock the writer integrates entries on.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// A share of the queue for `envelope`, or `None` while the queue holds
    /// [`QUEUE_BYTES`] (one envelope alone always fits an empty queue).
    fn share(&self, envelope: &Envelope) -> Option<QueueShare> {
        let bytes = queue_cost(envelope);
        let limit = self.queue_limit.load(Ordering::Acquire);
        self.queued
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |q| {
                (q == 0 || q + bytes <= limit).then_some(q + bytes)
            })
            .ok()
            .map(|_| QueueShare {
                bytes,
                queued: self.queued.clone(),
            })
    }

    /// The same, waiting for room (the bulk paths of the command line).
    fn share_blocking(&self, envelope: &Envelope) -> QueueShare {
        loop {
            if let Some(share) = self.share(envelope) {
                return share;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// Submits an envelope with the personal records of the persons it names
    /// (they are kept off the log, in the private table) and waits until it
    /// is durable or refused. A full queue, or no answer within
    /// [`ANSWER_TIMEOUT`], is [`SubmitError::Busy`]: nothing acknowledged.
    pub async fn submit_with_personal(
        &self,
        envelope: Envelope,
        personal: Vec<PersonRecord>,
    ) -> Result<Receipt, SubmitError> {
        let answer = self.queue_now(envelope, personal)?;
        match tokio::time::timeout(ANSWER_TIMEOUT, answer).await {
            Ok(answer) => answer.map_err(|_| SubmitError::Stopped)?,
            Err(_) => Err(SubmitError::Busy),
        }
    }

    /// Submits many envelopes, each with the personal records of the
    /// persons it names, in the order given, and waits for every answer
    /// (`POST /entries/batch`). Each is judged as if sent alone — one refused
    /// never aborts another — but they are queued back to back, so a later
    /// one may rest on an earlier one (a key it registers). Once one finds
    /// the queue full, it and every one after it are [`SubmitError::Busy`]:
    /// what is queued is always a prefix of what was sent, so a sender's
    /// retry of the rest keeps their order.
    pub async fn submit_many(
        &self,
        submissions: Vec<(Envelope, Vec<PersonRecord>)>,
    ) -> Vec<Result<Receipt, SubmitError>> {
        let mut full = false;
        let queued: Vec<_> = submissions
            .into_iter()
            .map(|(envelope, personal)| {
                if full {
                    return Err(SubmitError::Busy);
                }
                let queued = self.queue_now(envelope, personal);
                full = queued.is_err();
                queued
            })
            .collect();
        let deadline = tokio::time::Instant::now() + ANSWER_TIMEOUT;
        let mut answers = Vec::with_capacity(queued.len());
        for q in queued {
            answers.push(match q {
                Err(e) => Err(e),
                Ok(answer) => match tokio::time::timeout_at(deadline, answer).await {
                    Ok(answer) => answer.unwrap_or(Err(SubmitError::Stopped)),
                    Err(_) => Err(SubmitError::Busy),
                },
            });
        }
        answers
    }

    /// Queues an envelope if the queue has room for it now; its answer
    /// comes on the receiver.
    fn queue_now(
        &self,
        envelope: Envelope,
        personal: Vec<PersonRecord>,
    ) -> Result<oneshot::Receiver<Result<Receipt, SubmitError>>, SubmitError> {
        let share = self.share(&envelope).ok_or(SubmitError::Busy)?;
        let (reply, answer) = oneshot::channel();
        let job = Job {
            envelope,
            personal,
            reply,
            _held: share,
        };
        match self.queue.try_send(job) {
            Ok(()) => Ok(answer),
            Err(mpsc::error::TrySendError::Full(_)) => Err(SubmitError::Busy),
            Err(mpsc::error::TrySendError::Closed(_)) => Err(SubmitError::Stopped),
        }
    }

    pub fn submit_with_personal_blocking(
        &self,
        envelope: Envelope,
        personal: Vec<PersonRecord>,
    ) -> Result<Receipt, SubmitError> {
        let (reply, answer) = oneshot::channel();
        let _held = self.share_blocking(&envelope);
        self.queue
            .blocking_send(Job {
                envelope,
                personal,
                reply,
                _held,
            })
            .map_err(|_| SubmitError::Stopped)?;
        answer.blocking_recv().unwrap_or(Err(SubmitError::Stopped))
    }

    pub async fn submit(&self, envelope: Envelope) -> Result<Receipt, SubmitError> {
        self.submit_with_personal(envelope, Vec::new()).await
    }

    /// Submits many envelopes at once (bulk import, benchmarks) and waits for
    /// all; the answers are in the order given.
    pub fn submit_all_blocking(
        &self,
        envelopes: Vec<Envelope>,
    ) -> Vec<Result<Receipt, SubmitError>> {
        self.enqueue(envelopes).wait()
    }

    /// Queues many envelopes without waiting, so the caller can prepare the
    /// next ones meanwhile; [`Pending::wait`] gives the answers in order.
    pub fn enqueue(&self, envelopes: Vec<Envelope>) -> Pending {
        self.enqueue_with_personal(envelopes.into_iter().map(|e| (e, Vec::new())))
    }

    /// The same, each envelope with the personal records of the persons it
    /// names (a survey package's households).
    pub fn enqueue_with_personal(
        &self,
        envelopes: impl IntoIterator<Item = (Envelope, Vec<PersonRecord>)>,
    ) -> Pending {
        Pending(
            envelopes
                .into_iter()
                .map(|(envelope, personal)| {
                    let (reply, answer) = oneshot::channel();
                    let _held = self.share_blocking(&envelope);
                    self.queue
                        .blocking_send(Job {
                            envelope,
                            personal,
                            reply,
                            _held,
                        })
                        .ok()
                        .map(|()| answer)
                })
                .collect(),
        )
    }

    /// The county's trust policy the state log is cosigned under.
    pub fn policy(&self) -> Option<&crate::ledger::policy::Policy> {
        self.policy.as_ref()
    }

    /// A proof of `title`'s record (or its absence) as of the newest
    /// state-log leaf, made by the writer between two batches — after a
    /// commit of the map if the title changed since (issue 20).
    pub async fn prove_title(
        &self,
        title: crate::model::titles::Title,
    ) -> Result<crate::ledger::titleproof::TitleProof, ProveError> {
        let (reply, answer) = oneshot::channel();
        let sender = self.to_writer.clone().ok_or(ProveError::Stopped)?;
        tokio::task::spawn_blocking(move || sender.send(ToWriter::Prove(title, reply)))
            .await
            .map_err(|_| ProveError::Stopped)?
            .map_err(|_| ProveError::Stopped)?;
        answer.await.map_err(|_| ProveError::Stopped)?
    }

    /// The same, from a thread that may block.
    pub fn prove_title_blocking(
        &self,
        title: crate::model::titles::Title,
    ) -> Result<crate::ledger::titleproof::TitleProof, ProveError> {
        let (reply, answer) = oneshot::channel();
        let sender = self.to_writer.clone().ok_or(ProveError::Stopped)?;
        sender
            .send(ToWriter::Prove(title, reply))
            .map_err(|_| ProveError::Stopped)?;
        answer.blocking_recv().map_err(|_| ProveError::Stopped)?
    }

    pub fn submit_blocking(&self, envelope: Envelope) -> Result<Receipt, SubmitError> {
        self.submit_with_personal_blocking(envelope, Vec::new())
    }

    /// Closes the queue, lets the writer finish what it holds, and waits.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.to_writer = None;
        let (closed, _) = mpsc::channel(1);
        drop(std::mem::replace(&mut self.queue, closed));
        let mut threads = self.threads.drain(..);
        // The signature stage and the writer finish what is queued first.
        for t in threads.by_ref().take(2) {
            let _ = t.join();
        }
        self.stopping.store(true, Ordering::Release);
        for t in threads {
            let _ = t.join();
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// On SQLite, copying the write-ahead log back into the database file
/// (checkpointing) would run on the writer's thread after each commit; it runs
/// instead on a thread of its own, as passive checkpoints that never block
/// the writer. The thread ends with the writer.
fn wal_checkpointer(
    conn: &mut DbConnection,
    db: &Db,
    stop: Arc<AtomicBool>,
) -> Result<Option<impl FnOnce() + Send + 'static>, StoreError> {
    let DbConnection::Sqlite(c) = conn else {
        return Ok(None);
    };
    c.batch_execute("PRAGMA wal_autocheckpoint = 0;")?;
    let mut own = db.manager.connect()?;
    // It copies pages; it needs no cache of its own.
    own.batch_execute("PRAGMA cache_size = -2048;")?;
    let wal = std::path::PathBuf::from(format!("{}-wal", db.manager.url()));
    Ok(Some(move || {
        while !stop.load(Ordering::Acquire) {
            std::thread::sleep(std::time::Duration::from_millis(100));
            // Once a checkpoint has copied everything, the next commit starts
            // the log file over from its beginning (and cuts it back to
            // `WAL_LIMIT`). Under a steady stream of commits a passive
            // checkpoint may never catch up; past the limit, a truncating one
            // waits for the writer between two commits and empties the file.
            let large = std::fs::metadata(&wal).is_ok_and(|m| m.len() > super::WAL_LIMIT);
            let how = if large { "TRUNCATE" } else { "PASSIVE" };
            if let Err(e) = own.batch_execute(&format!("PRAGMA wal_checkpoint({how});")) {
                tracing::warn!(error = %e, "WAL checkpoint");
            }
        }
        if let Err(e) = own.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);") {
            tracing::warn!(error = %e, "final WAL checkpoint");
        }
    }))
}

/// On PostgreSQL, where several processes can reach one database, the writer
/// holds a session advisory lock on its county for as long as it lives.
fn lock_county(conn: &mut DbConnection, county: &str) -> Result<(), StoreError> {
    let DbConnection::Postgres(pg) = conn else {
        return Ok(());
    };
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    let key = 0x5341_4e51_0000_0000_i64 | county.parse::<i64>().unwrap_or(0);
    let got: Locked = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
        .bind::<diesel::sql_types::BigInt, _>(key)
        .get_result(pg)?;
    if got.locked {
        Ok(())
    } else {
        Err(StoreError::WriterBusy(county.to_owned()))
    }
}

/// Gives up every advisory lock the connection holds (PostgreSQL); on a
/// connection that is gone there is nothing to give up.
fn unlock_county(conn: &mut DbConnection) {
    if let DbConnection::Postgres(pg) = conn {
        let _ = pg.batch_execute("SELECT pg_advisory_unlock_all()");
    }
}

type FaultHook = Box<dyn Fn(&Envelope) + Send + Sync>;

static FAULT_HOOK: std::sync::RwLock<Option<FaultHook>> = std::sync::RwLock::new(None);

/// Installs a hook the writer calls on every envelope just before its rules,
/// inside the guard that catches a panic: the tests use it to show that a
/// panicking rule costs one refused entry, not the writer. Production never
/// sets one.
pub fn set_fault_hook(hook: Option<FaultHook>) {
    *FAULT_HOOK.write().unwrap_or_else(|e| e.into_inner()) = hook;
}

fn fault_hook(envelope: &Envelope) {
    if let Some(hook) = FAULT_HOOK
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
    {
        hook(envelope);
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

/// The ID numbers of the persons already registered, from the private table.
fn load_id_numbers(
    conn: &mut DbConnection,
    county: &str,
) -> Result<std::collections::HashSet<String>, StoreError> {
    Ok(super::queries::load_persons(conn, county, None)?
        .into_iter()
        .map(|(_, _, r)| r.id_number)
        .collect())
}

struct WriterState {
    /// Judges and answers, writes nothing ([`Writer::start_dry`]).
    dry: bool,
    gate: Arc<Gate>,
    id_numbers: std::collections::HashSet<String>,
    conn: DbConnection,
    db: Db,
    seq: Sequencer,
    log_key: SignerKey,
    origin: String,
    last_time: DateTime<Utc>,
    clock: Clock,
    /// The state map and state log, when kept (issue 20).
    keeper: Option<StateKeeper>,
    /// Batches committed (or tried), published before their answers: what
    /// readers key the views they keep on ([`Writer::commits`]).
    commits: Arc<AtomicU64>,
    /// Title proofs waiting for the next leaf.
    proofs: Vec<(
        crate::model::titles::Title,
        oneshot::Sender<Result<crate::ledger::titleproof::TitleProof, ProveError>>,
    )>,
}

/// Validates and measures an envelope's geometry, if its command has one.
pub(crate) fn prepare(envelope: &mut Envelope) -> Result<(), GeometryError> {
    let geometries = envelope.command.geometries();
    if geometries.is_empty() || !envelope.footprints.is_empty() {
        return Ok(());
    }
    envelope.footprints = geometries
        .into_iter()
        .map(|(geometry, field)| spatial::footprint(geometry, &field))
        .collect::<Result<_, _>>()?;
    envelope.command.release_geometry();
    Ok(())
}

/// The personal records sent must be exactly those of the persons the entry
/// names, and each must be well formed (P2).
fn check_personal(envelope: &Envelope, personal: &[PersonRecord]) -> Result<(), PersonalError> {
    let named = envelope.command.persons();
    match (named.is_empty(), personal.is_empty()) {
        (true, true) => return Ok(()),
        (true, false) => return Err(PersonalError::Unexpected),
        (false, true) => return Err(PersonalError::Missing),
        (false, false) => {}
    }
    let today = Utc::now().date_naive();
    for (at, record) in personal.iter().enumerate() {
        record.check(at, today)?;
    }
    let mut sent: Vec<String> = personal.iter().map(PersonRecord::commitment).collect();
    let mut named: Vec<&str> = named;
    sent.sort();
    named.sort();
    if sent.iter().map(String::as_str).ne(named) {
        return Err(PersonalError::Mismatch);
    }
    Ok(())
}

/// The stage before the writer: takes what is pending, up to a batch, checks
/// its signatures as a batch, refuses at once what a bad signature or a
/// signer without authority for the kind sent (before any costly work), and
/// prepares the geometry of the rest in parallel.
fn check_signatures(
    mut rx: mpsc::Receiver<Job>,
    writer: std::sync::mpsc::SyncSender<ToWriter>,
    gate: &Gate,
    dry: bool,
) {
    while let Some(first) = rx.blocking_recv() {
        let mut jobs = Vec::with_capacity(256);
        jobs.push(first);
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let started = std::time::Instant::now();
        let envelopes: Vec<&Envelope> = jobs.iter().map(|j| &j.envelope).collect();
        // A dry writer judges what its own process built a moment ago
        // (`import --check`), unsigned: it has no signature to check, and
        // the signer's authority is still judged below.
        let signatures = if dry {
            vec![true; envelopes.len()]
        } else {
            verify_signatures(&envelopes)
        };
        let verified = started.elapsed();
        let signed: Vec<Job> = jobs
            .into_iter()
            .zip(signatures)
            .filter_map(|(job, ok)| {
                let admitted = if ok {
                    gate.admit(&job.envelope)
                } else {
                    Err(LedgerError::SignatureInvalid)
                };
                match admitted {
                    Ok(()) => Some(job),
                    Err(e) => {
                        job.answer(Err(SubmitError::Refused(e)));
                        None
                    }
                }
            })
            .collect();
        // Geometry is validated and measured here, in parallel: the writer
        // only asks the index.
        let jobs: Vec<Job> = signed
            .into_par_iter()
            .filter_map(|mut job| {
                // Geometry comes from a stranger's bytes: a panic in its
                // validation refuses that envelope, not the stage.
                let prepared =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        prepare(&mut job.envelope)
                    }));
                let checked = match prepared {
                    Ok(p) => p.map_err(SubmitError::Geometry),
                    Err(panic) => {
                        tracing::error!(panic = %panic_text(&panic), "geometry validation panicked");
                        Err(SubmitError::Refused(LedgerError::Internal))
                    }
                }
                .and_then(|()| {
                    check_personal(&job.envelope, &job.personal).map_err(SubmitError::Personal)
                });
                match checked {
                    Ok(()) => Some(job),
                    Err(e) => {
                        job.answer(Err(e));
                        None
                    }
                }
            })
            .collect();
        tracing::debug!(batch = jobs.len(), ?verified, prepared = ?(started.elapsed() - verified), "signatures checked");
        if jobs.is_empty() {
            continue;
        }
        if writer.send(ToWriter::Batch(Checked { jobs })).is_err() {
            return;
        }
    }
}

impl WriterState {
    fn run(&mut self, rx: std::sync::mpsc::Receiver<ToWriter>) {
        let mut proofs = Vec::new();
        loop {
            // A3: with nothing to write, the writer still carries out the
            // acts whose notice has ended, within a second of it.
            let mut batch = match rx.recv_timeout(std::time::Duration::from_secs(1)) {
                Ok(ToWriter::Batch(batch)) => batch,
                Ok(ToWriter::Prove(title, reply)) => {
                    proofs.push((title, reply));
                    Checked { jobs: Vec::new() }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Checked { jobs: Vec::new() },
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
            };
            // What piled up while the last transaction committed goes into
            // this one.
            while batch.jobs.len() < 2 * MAX_BATCH {
                match rx.try_recv() {
                    Ok(ToWriter::Batch(more)) => batch.jobs.extend(more.jobs),
                    Ok(ToWriter::Prove(title, reply)) => proofs.push((title, reply)),
                    Err(_) => break,
                }
            }
            if !batch.jobs.is_empty() || !self.due_acts().is_empty() {
                self.process(batch);
            }
            self.keep_state(std::mem::take(&mut proofs));
        }
    }

    /// Between two batches: the state log's leaf when a period is due, and
    /// the title proofs asked for.
    fn keep_state(
        &mut self,
        proofs: Vec<(
            crate::model::titles::Title,
            oneshot::Sender<Result<crate::ledger::titleproof::TitleProof, ProveError>>,
        )>,
    ) {
        let Some(keeper) = self.keeper.as_mut() else {
            for (_, reply) in proofs {
                let _ = reply.send(Err(ProveError::NotKept));
            }
            return;
        };
        if keeper.due() {
            if let Err(e) = keeper.commit(&mut self.conn, &mut self.seq) {
                tracing::error!(error = %e, "state log leaf not written");
            }
        }
        self.proofs.extend(proofs);
        for (title, reply) in std::mem::take(&mut self.proofs) {
            match keeper.prove(&mut self.conn, &mut self.seq, &title) {
                // A title changed since the newest leaf, and a leaf was made
                // less than a second ago: asked again within a second, so
                // that proofs never make leaves faster than one a second.
                Err(ProveError::Later) => self.proofs.push((title, reply)),
                answer => {
                    let _ = reply.send(answer);
                }
            }
        }
    }

    /// The acts over a party whose notice has ended with no objection, on
    /// the writer's clock (A3).
    fn due_acts(&self) -> Vec<u64> {
        let today = self.last_time.max(self.clock.now()).date_naive();
        let mut due: Vec<u64> = self
            .seq
            .state
            .acts
            .values()
            .filter(|a| a.is_due(today))
            .map(|a| a.index)
            .collect();
        // In the order they were made: the earlier act is carried out first.
        due.sort_unstable();
        due
    }

    /// `act.effect` entries for the due acts, signed by the log key: they
    /// come first in the batch, so nothing later in it sees the act open.
    fn effects(&self, integrated: &str) -> Vec<Envelope> {
        self.due_acts()
            .into_iter()
            .filter_map(|act| {
                Envelope::sign(
                    &self.log_key,
                    &self.origin,
                    "act.effect",
                    &format!("act-{act}"),
                    integrated,
                    serde_json::json!({ "act": act }),
                )
                .ok()
            })
            .collect()
    }

    /// Admits one envelope — a client's, or an act's effect — with a panic
    /// in its rule or apply contained. The rules are pure, so a panic in one
    /// entry's rule left nothing changed: that entry is refused and the
    /// batch goes on. A panic while applying its changes may have left the
    /// state half changed: `poisoned` is set, the rest of the batch is
    /// answered `busy` and the state is reloaded.
    fn admit_guarded(
        &mut self,
        envelope: &Envelope,
        integrated: &str,
        poisoned: &mut bool,
    ) -> Result<crate::ledger::Admitted, LedgerError> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            fault_hook(envelope);
            self.seq.admit(envelope, integrated)
        }))
        .unwrap_or_else(|panic| {
            let what = panic_text(&panic);
            tracing::error!(nonce = %envelope.nonce, kind = %envelope.kind, panic = %what, "an entry's rule panicked; refused");
            *poisoned = self.seq.poisoned;
            Err(LedgerError::Internal)
        })
    }

    fn process(&mut self, Checked { jobs }: Checked) {
        let started = std::time::Instant::now();
        // The server's clock never runs backwards in the log.
        self.last_time = self.last_time.max(self.clock.now());
        let integrated = format_integrated(self.last_time);
        let mut answers = Vec::with_capacity(jobs.len());
        let mut admitted = Vec::new();
        let mut persons = Vec::new();
        let mut poisoned = false;
        let effects = self.effects(&integrated);
        for envelope in &effects {
            match self.admit_guarded(envelope, &integrated, &mut poisoned) {
                Ok(a) => {
                    self.gate.follow(&a.changes);
                    admitted.push((envelope, a));
                }
                Err(e) => tracing::error!(error = %e, "an act's effect was refused"),
            }
        }
        for job in &jobs {
            if poisoned {
                answers.push(Err(SubmitError::Busy));
                continue;
            }
            // An ID number is a person's unique key (P2), checked here where
            // the private table is known — and last: an entry the signer's
            // authority or the rules refuse gets that refusal whether the ID
            // is registered or not (no oracle of ID numbers, 11.2).
            let mut fresh = std::collections::HashSet::new();
            let taken = job.personal.iter().position(|r| {
                self.id_numbers.contains(&r.id_number) || !fresh.insert(r.id_number.as_str())
            });
            if let Some(at) = taken {
                let decided = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.seq.decide(&job.envelope, &integrated)
                }))
                .unwrap_or(Err(LedgerError::Internal));
                answers.push(match decided {
                    Err(e) => Err(SubmitError::Refused(e)),
                    Ok(_) => Err(SubmitError::Personal(PersonalError::PersonExists { at })),
                });
                continue;
            }
            let result = self.admit_guarded(&job.envelope, &integrated, &mut poisoned);
            answers.push(match result {
                Ok(a) => {
                    self.gate.follow(&a.changes);
                    let receipt = Receipt {
                        index: a.index,
                        leaf_hash: a.leaf_hash,
                    };
                    if let Some(h) = job.envelope.command.household_of_persons() {
                        for record in &job.personal {
                            self.id_numbers.insert(record.id_number.clone());
                            persons.push(PersonRow {
                                commitment: record.commitment(),
                                household: h.to_owned(),
                                record: record.clone(),
                            });
                        }
                    }
                    admitted.push((&job.envelope, a));
                    Ok(receipt)
                }
                Err(e) => {
                    self.gate.refused(&job.envelope, &self.seq.state);
                    Err(SubmitError::Refused(e))
                }
            });
        }
        let ruled = started.elapsed();
        if poisoned {
            for a in answers.iter_mut().filter(|a| a.is_ok()) {
                *a = Err(SubmitError::Busy);
            }
            self.reload();
        } else if self.dry {
            // Nothing is written: what a commit would have taken is let go.
            self.seq.tree.take_dirty();
            self.seq.state.take_changed();
        } else if !admitted.is_empty() {
            // A panic while committing is a failed commit: nothing of the
            // batch is acknowledged, and the state is reloaded below.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.commit(&admitted, persons)
            }))
            .unwrap_or_else(|panic| {
                Err(StoreError::Corrupt(format!(
                    "a panic while committing: {}",
                    panic_text(&panic)
                )))
            });
            tracing::debug!(batch = answers.len(), ?ruled, committed = ?(started.elapsed() - ruled), "batch written");
            if let Err(e) = result {
                tracing::error!(error = %e, "batch not committed; reloading the writer's state");
                let failed = match e.is_disk_full() {
                    true => SubmitError::DiskFull(e.to_string()),
                    false => SubmitError::Store(e.to_string()),
                };
                for a in answers.iter_mut().filter(|a| a.is_ok()) {
                    *a = Err(failed.clone());
                }
                self.reload();
            }
        }
        // Before any answer: a client that reads after its answer never
        // gets a view kept from before its entry.
        self.commits.fetch_add(1, Ordering::AcqRel);
        for (job, answer) in jobs.into_iter().zip(answers) {
            job.answer(answer);
        }
    }

    fn commit(
        &mut self,
        admitted: &[(&Envelope, crate::ledger::Admitted)],
        persons: Vec<PersonRow>,
    ) -> Result<(), StoreError> {
        let tiles = self.seq.tree.take_dirty();
        let checkpoint = Checkpoint {
            origin: self.origin.clone(),
            size: self.seq.size(),
            root: self.seq.tree.root(),
        };
        let note = checkpoint.sign(&self.log_key);
        let changed = self.seq.state.take_changed();
        let batch = Batch {
            county: &self.db.county,
            entries: admitted.iter().map(|(e, a)| (*e, a)).collect(),
            persons,
            tiles: &tiles,
            checkpoint: (checkpoint.size, &note),
            state: &self.seq.state,
            changed: &changed,
        };
        write_batch(&mut self.conn, &batch)?;
        self.bound_wal();
        Ok(())
    }

    /// On SQLite, a write-ahead log past twice [`super::WAL_LIMIT`] — the
    /// checkpointer's passive copies fell behind a stream of commits — is
    /// copied back and emptied here, between two commits, where no other
    /// writer can be in the way: the log file stays bounded whatever the
    /// load (the batch after this one waits for it).
    fn bound_wal(&mut self) {
        let DbConnection::Sqlite(c) = &mut self.conn else {
            return;
        };
        let wal = format!("{}-wal", self.db.manager.url());
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 2 * super::WAL_LIMIT) {
            if let Err(e) = c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);") {
                tracing::warn!(error = %e, "WAL checkpoint by the writer");
            }
        }
    }

    /// After a failed commit, the in-memory state is rebuilt from what is
    /// durable; until that succeeds, the writer keeps trying.
    fn reload(&mut self) {
        // The old connection may still hold the county's lock (a commit that
        // failed on a live connection): give it up before taking it again.
        unlock_county(&mut self.conn);
        loop {
            let fresh = self.db.writer_connection().and_then(|mut conn| {
                lock_county(&mut conn, &self.db.county)?;
                let seq = load_sequencer(&mut conn, &self.db.county, &self.db.tiles)?;
                Ok((conn, seq))
            });
            match fresh {
                Ok((conn, mut seq)) => {
                    if self.keeper.is_some() {
                        seq.map = Some(crate::ledger::follower::MapFollower::build(&seq.state));
                    }
                    self.conn = conn;
                    self.gate.replace(&seq.state);
                    self.seq = seq;
                    match load_id_numbers(&mut self.conn, &self.db.county) {
                        Ok(ids) => self.id_numbers = ids,
                        Err(e) => {
                            tracing::error!(error = %e, "cannot reload the ID numbers; retrying");
                            continue;
                        }
                    }
                    return;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot reload the writer's state; retrying");
                    std::thread::sleep(std::time::Duration::from_secs(1));
                }
            }
        }
    }
}
