//! Storage: the diesel schema, both backends behind one `MultiConnection`,
//! migrations, the single writer, projections, queries and the replaying
//! verifier.
//!
//! Reads go through [`DbConnection`] and diesel's `MultiBackend`. Writes that
//! need a backend's own SQL (SQLite's immediate transactions, upserts) use
//! [`db_run!`] / [`db_transaction!`], which expand the same diesel code once
//! per backend, as Vaultwarden's `db_run!` does.

pub mod backup;
pub mod citus;
pub mod cosigner;
pub mod follow;
pub mod geopackage;
pub mod pg_temp;
pub mod project;
pub mod queries;
pub mod schema;
pub mod statelog;
pub mod tables;
pub mod verify;
pub mod writer;

pub use queries::TileCache;
pub use writer::{Clock, Pending, Receipt, SubmitError, Writer};

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Runs `$body` with `$c` bound to the backend's own connection type.
#[macro_export]
macro_rules! db_run {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::store::DbConnection::Sqlite($c) => $body,
            $crate::store::DbConnection::Postgres($c) => $body,
        }
    };
}

/// Runs `$body` in a write transaction: `BEGIN IMMEDIATE` on SQLite, so the
/// write lock is taken up front; a plain transaction on PostgreSQL.
#[macro_export]
macro_rules! db_transaction {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::store::DbConnection::Sqlite(conn) => conn.immediate_transaction(|$c| $body),
            $crate::store::DbConnection::Postgres(conn) => conn.transaction(|$c| $body),
        }
    };
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("database connection pool: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("another writer holds the log of county {0}; submit through the running server")]
    WriterBusy(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// A read-only open of a database whose schema is not this program's.
    #[error("the database's schema is not this program's ({0}): upgrade the county's own server first, then open it read-only again")]
    SchemaBehind(String),
}

impl StoreError {
    /// The disk under the database is full (SQLite's `SQLITE_FULL`,
    /// PostgreSQL's `No space left on device` and SQLSTATE 53100 — diesel
    /// gives neither a kind of its own, so their messages): nothing was
    /// written, and only room made by the operator lets writes go on.
    pub fn is_disk_full(&self) -> bool {
        let text = self.to_string();
        [
            "database or disk is full",
            "No space left on device",
            "disk full",
        ]
        .iter()
        .any(|m| text.contains(m))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Opens connections by URL: `postgres://…` for PostgreSQL, anything else is
/// an SQLite file path. (Diesel's derived manager would try each backend in
/// turn and could create an SQLite file named after a PostgreSQL URL.)
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    /// Every connection refuses to write (a read-only server, a replica).
    read_only: bool,
}

/// The size past which the SQLite write-ahead log is copied back and cut
/// (a `TRUNCATE` checkpoint), and to which it is cut after each checkpoint.
pub const WAL_LIMIT: u64 = 64 << 20;

/// What every PostgreSQL session of the registry runs with.
const PG_SESSION: &str = "SET plan_cache_mode = force_custom_plan";

impl Manager {
    pub fn new(url: &str) -> Self {
        Manager {
            url: url.to_owned(),
            read_only: false,
        }
    }

    /// The database's URL (for SQLite, the file's path).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn connect(&self) -> Result<DbConnection, StoreError> {
        let fail = |e: diesel::ConnectionError| StoreError::Connect(e.to_string());
        Ok(match Backend::of(&self.url) {
            Backend::Postgres => {
                let mut c = PgConnection::establish(&self.url).map_err(fail)?;
                // Every reader's statement is planned for its own values. A
                // prepared statement's generic plan, made once while a
                // county's tables were small (a sequential scan is cheapest
                // over a page), was kept as they grew: the writer's `DELETE
                // … = ANY($keys)` of the keys registered went from 30 µs a row
                // to 400 µs within seconds of a stream of registrations. (The
                // writer's own session: [`Db::writer_connection`].)
                c.batch_execute(PG_SESSION)?;
                if self.read_only {
                    c.batch_execute("SET default_transaction_read_only = on")?;
                }
                DbConnection::Postgres(c)
            }
            Backend::Sqlite => {
                let mut c = SqliteConnection::establish(&self.url).map_err(fail)?;
                // WAL for concurrent readers; FULL so a commit is durable before
                // the writer acknowledges it.
                // A reader's page cache is 8 MiB: the pool's eight readers
                // together hold at most 64 MiB, however many clients ask.
                // After a checkpoint the write-ahead log is cut back to
                // [`WAL_LIMIT`] bytes.
                c.batch_execute(&format!(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                     PRAGMA cache_size = -8192; PRAGMA journal_size_limit = {WAL_LIMIT};"
                ))
                .map_err(StoreError::Db)?;
                if self.read_only {
                    c.batch_execute("PRAGMA query_only = ON;")?;
                }
                DbConnection::Sqlite(c)
            }
        })
    }
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        Manager::connect(self).map_err(|e| {
            r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(e.to_string()))
        })
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// The database of one county's log: a pool of readers plus what the writer
/// and the verifier need to open their own connection.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    pub(crate) manager: Manager,
    pub county: String,
    pub tiles: TileCache,
    read_only: bool,
}

impl Db {
    /// Connects, runs the embedded migrations, and returns the pool.
    pub fn open(url: &str, county: &str) -> Result<Db, StoreError> {
        Self::open_sized(url, county, 8)
    }

    /// The same, with at most `readers` pooled connections (a province's
    /// many counties in one database share its connections).
    pub fn open_sized(url: &str, county: &str, readers: u32) -> Result<Db, StoreError> {
        let manager = Manager::new(url);
        let mut conn = manager.connect()?;
        let migrated = match &mut conn {
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
            DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
        };
        migrated.map_err(|e| StoreError::Migration(e.to_string()))?;
        if let DbConnection::Postgres(c) = &mut conn {
            citus::distribute(c)?;
        }
        drop(conn);
        Self::pooled(manager, county, readers)
    }

    /// Opens to read only (issue 21): a streaming replica, or a database
    /// another process writes. No migration and no DDL; every connection
    /// refuses to write (`default_transaction_read_only`, SQLite's
    /// `query_only`). Refused if the schema lacks a migration this program
    /// has — the server that writes upgrades it, then the replica follows.
    pub fn open_read_only(url: &str, county: &str) -> Result<Db, StoreError> {
        let manager = Manager {
            read_only: true,
            ..Manager::new(url)
        };
        let mut conn = manager.connect()?;
        let mut ours: Vec<String> = match &conn {
            DbConnection::Sqlite(_) => {
                migration_versions::<diesel::sqlite::Sqlite>(&SQLITE_MIGRATIONS)?
            }
            DbConnection::Postgres(_) => {
                migration_versions::<diesel::pg::Pg>(&POSTGRES_MIGRATIONS)?
            }
        };
        let applied = applied_migrations(&mut conn)
            .map_err(|e| StoreError::SchemaBehind(format!("no migrations applied: {e}")))?;
        ours.retain(|v| !applied.contains(v));
        if let Some(missing) = ours.first() {
            return Err(StoreError::SchemaBehind(format!(
                "migration {missing} and {} more not applied",
                ours.len() - 1
            )));
        }
        drop(conn);
        let mut db = Self::pooled(manager, county, 8)?;
        db.read_only = true;
        Ok(db)
    }

    fn pooled(manager: Manager, county: &str, readers: u32) -> Result<Db, StoreError> {
        let pool = Pool::builder()
            .max_size(readers)
            .min_idle(Some(1))
            .connection_timeout(std::time::Duration::from_secs(10))
            .build(manager.clone())?;
        Ok(Db {
            pool,
            manager,
            county: county.to_owned(),
            tiles: TileCache::default(),
            read_only: false,
        })
    }

    /// The same database for another county, sharing this one's pool of
    /// readers (a province's counties in one PostgreSQL database: one pool,
    /// not one a county); its own tile cache.
    pub fn for_county(&self, county: &str) -> Db {
        Db {
            pool: self.pool.clone(),
            manager: self.manager.clone(),
            county: county.to_owned(),
            tiles: TileCache::default(),
            read_only: self.read_only,
        }
    }

    /// Whether this database was opened to read only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    pub fn conn(&self) -> Result<PooledConnection<Manager>, StoreError> {
        Ok(self.pool.get()?)
    }

    /// A connection of its own, outside the pool (the writer's, the verifier's),
    /// with a larger page cache than a reader's: it touches the projections'
    /// indexes at random. 32 MiB: measured side by side with 128 MiB, appends,
    /// `verify` and a 300,000-parcel import ran as fast (the operating system
    /// caches the file's pages too) and peak memory fell by 106–124 MiB.
    pub fn dedicated(&self) -> Result<DbConnection, StoreError> {
        let mut conn = self.manager.connect()?;
        if let DbConnection::Sqlite(c) = &mut conn {
            c.batch_execute("PRAGMA cache_size = -32768;")?;
        }
        Ok(conn)
    }

    /// The writer's own connection. On PostgreSQL its statements — keyed
    /// reads, deletes and inserts, some over thousands of keys — keep their
    /// generic plans (planning a `= ANY` of 8,192 keys for its values on
    /// every batch cost a fifth of the writer's speed), and a plan made while
    /// the county's tables were small never scans a whole table: sequential
    /// scans are off for it.
    pub fn writer_connection(&self) -> Result<DbConnection, StoreError> {
        let mut conn = self.dedicated()?;
        if let DbConnection::Postgres(c) = &mut conn {
            c.batch_execute("SET plan_cache_mode = auto; SET enable_seqscan = off")?;
        }
        Ok(conn)
    }

    pub fn backend(&self) -> Backend {
        Backend::of(&self.manager.url)
    }
}

/// The versions of the embedded migrations of one backend.
fn migration_versions<DB: diesel::backend::Backend>(
    source: &EmbeddedMigrations,
) -> Result<Vec<String>, StoreError> {
    use diesel::migration::MigrationSource;
    Ok(MigrationSource::<DB>::migrations(source)
        .map_err(|e| StoreError::Migration(e.to_string()))?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect())
}

/// The versions of the migrations applied to the database, read without
/// writing (diesel's own reader creates its table first).
fn applied_migrations(conn: &mut DbConnection) -> Result<Vec<String>, diesel::result::Error> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Applied {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let sql = diesel::sql_query("SELECT version FROM __diesel_schema_migrations");
    let rows: Vec<Applied> = db_run!(conn, |c| sql.load(c))?;
    Ok(rows.into_iter().map(|a| a.version).collect())
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    #[derive(QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = diesel::sql_types::Text)]
        compile_options: String,
    }

    /// `.cargo/config.toml` builds the bundled SQLite for many readers: a
    /// prepared statement not planned again each time it is bound (QPSG;
    /// diesel binds every `.first()`'s `LIMIT ?`), and no global mutex
    /// around allocations.
    #[test]
    fn sqlite_is_built_for_many_readers() {
        let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
        let options: Vec<String> = diesel::sql_query("PRAGMA compile_options")
            .load::<CompileOption>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|o| o.compile_options)
            .collect();
        for wanted in ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0"] {
            assert!(
                options.iter().any(|o| o == wanted),
                "{wanted} not in {options:?}"
            );
        }
    }
}
