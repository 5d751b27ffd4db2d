//! Citus (a province on one cluster, issue 21): every table of the log and
//! its projection is distributed by county code and colocated with
//! `log_entries`, so all of one county's rows live in one shard group on one
//! worker and the writer's transaction — every statement filtered by its
//! county — is routed to that worker alone (single-shard, no two-phase
//! commit). Reads across counties (a province's listings and figures) are
//! planned by the coordinator over every shard.
//!
//! There is no reference table: settings are each county's own row
//! (`county_settings`), and the calendar is the rules' code, not a table.
//! Run on a plain PostgreSQL server, nothing here does anything.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::StoreError;

/// The table the others are colocated with.
const ANCHOR: &str = "log_entries";

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Whether the database runs the Citus extension.
pub fn is_citus(conn: &mut PgConnection) -> Result<bool, StoreError> {
    let found: Count =
        diesel::sql_query("SELECT count(*) AS n FROM pg_extension WHERE extname = 'citus'")
            .get_result(conn)?;
    Ok(found.n > 0)
}

/// The tables with a `county` column not distributed yet, the anchor first.
fn local_tables(conn: &mut PgConnection) -> Result<Vec<String>, StoreError> {
    let mut names: Vec<String> = diesel::sql_query(
        "SELECT c.table_name AS name FROM information_schema.columns c \
         JOIN information_schema.tables t USING (table_schema, table_name) \
         WHERE c.table_schema = 'public' AND c.column_name = 'county' \
           AND t.table_type = 'BASE TABLE' \
           AND c.table_name::regclass NOT IN (SELECT logicalrelid FROM pg_dist_partition) \
         ORDER BY c.table_name",
    )
    .load::<Name>(conn)?
    .into_iter()
    .map(|n| n.name)
    .collect();
    names.sort_by_key(|n| n != ANCHOR);
    Ok(names)
}

/// Distributes every table not yet distributed by county, colocated with
/// the log (after the migrations, so a table a later migration adds is
/// distributed on the next start). Returns how many tables it distributed;
/// none on a server without Citus.
pub fn distribute(conn: &mut PgConnection) -> Result<usize, StoreError> {
    if !is_citus(conn)? {
        return Ok(0);
    }
    let tables = local_tables(conn)?;
    for table in &tables {
        // Names come from the catalogue, and are the migrations' own.
        let colocate = if table == ANCHOR { "default" } else { ANCHOR };
        conn.batch_execute(&format!(
            "SELECT create_distributed_table('{table}', 'county', colocate_with => '{colocate}')"
        ))?;
    }
    Ok(tables.len())
}
