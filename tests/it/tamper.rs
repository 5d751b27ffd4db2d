//! Tampering with the stored log or projections: `verify` fails and names
//! what is wrong, on both backends.

use diesel::prelude::*;
use sanquan::store::schema::{actor_keys, checkpoints, log_entries, tree_tiles};
use sanquan::store::verify::{verify, VerifyError, VerifyFailure};
use sanquan::store::{queries, DbConnection};

use crate::common::*;

/// A log of genesis and 600 key registrations (three level-0 tiles).
fn built(backend: Backend) -> TestLog {
    let log = TestLog::new(backend);
    let envelopes = (0..600u32)
        .map(|i| {
            sign(
                &log.county_key,
                "key.register",
                register("collective", &format!("140421004{i:05}"), &new_key("c")),
            )
        })
        .collect();
    assert!(log
        .writer()
        .submit_all_blocking(envelopes)
        .iter()
        .all(|r| r.is_ok()));
    verify(&log.db, &log.log_key.verifier(), |_, _| {}).expect("untouched log verifies");
    log
}

fn failure(log: &TestLog) -> VerifyFailure {
    match verify(&log.db, &log.log_key.verifier(), |_, _| {}) {
        Err(VerifyError::Failed(f)) => f,
        other => panic!("expected a verification failure, got {other:?}"),
    }
}

fn at_index(f: &VerifyFailure) -> Option<u64> {
    match f {
        VerifyFailure::Entry { index, .. } => Some(*index),
        _ => None,
    }
}

fn conn(log: &TestLog) -> DbConnection {
    log.db.dedicated().unwrap()
}

fn leaf(c: &mut DbConnection, index: i64) -> Vec<u8> {
    queries::entry_leaf(c, COUNTY, index as u64)
        .unwrap()
        .unwrap()
}

fn set_leaf(c: &mut DbConnection, index: i64, leaf: Vec<u8>) {
    let n = diesel::update(
        log_entries::table
            .filter(log_entries::county.eq(COUNTY))
            .filter(log_entries::idx.eq(index)),
    )
    .set(log_entries::leaf.eq(leaf))
    .execute(c)
    .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_flipped_byte_is_named() {
    for backend in backends() {
        let log = built(backend);
        let mut c = conn(&log);
        let mut bytes = leaf(&mut c, 300);
        // A byte inside the body (the party code): still JSON, no longer signed.
        let at = bytes.windows(9).position(|w| w == b"140421004").unwrap() + 10;
        bytes[at] ^= 0x01;
        set_leaf(&mut c, 300, bytes);
        let f = failure(&log);
        assert_eq!(at_index(&f), Some(300), "{backend:?}: {f}");
        assert!(f.to_string().contains("signature"), "{f}");
    }
}

#[test]
fn an_altered_server_time_is_named_through_the_tree() {
    for backend in backends() {
        let log = built(backend);
        let mut c = conn(&log);
        let text = String::from_utf8(leaf(&mut c, 7)).unwrap();
        let (head, tail) = text.split_at(text.find("\"integrated\":\"").unwrap());
        // The same record with a server time one year earlier: canonical,
        // correctly signed by the client, but not what the tree holds.
        let altered = format!(
            "{head}{}",
            tail.replacen("\"integrated\":\"2", "\"integrated\":\"1", 1)
        );
        set_leaf(&mut c, 7, altered.into_bytes());
        let f = failure(&log);
        assert!(matches!(at_index(&f), Some(7)), "{backend:?}: {f}");
    }
}

#[test]
fn a_deleted_entry_is_named() {
    for backend in backends() {
        let log = built(backend);
        let mut c = conn(&log);
        diesel::delete(
            log_entries::table
                .filter(log_entries::county.eq(COUNTY))
                .filter(log_entries::idx.eq(42i64)),
        )
        .execute(&mut c)
        .unwrap();
        let f = failure(&log);
        assert_eq!(at_index(&f), Some(42), "{backend:?}: {f}");
        assert!(f.to_string().contains("missing"), "{f}");
    }
}

#[test]
fn a_deleted_last_entry_disagrees_with_the_checkpoint() {
    for backend in backends() {
        let log = built(backend);
        let mut c = conn(&log);
        diesel::delete(
            log_entries::table
                .filter(log_entries::county.eq(COUNTY))
                .filter(log_entries::idx.eq(600i64)),
        )
        .execute(&mut c)
        .unwrap();
        let f = failure(&log);
        assert!(
            matches!(f, VerifyFailure::Checkpoint(_)),
            "{backend:?}: {f}"
        );
        assert!(
            f.to_string().contains("600 entries, the checkpoint 601"),
            "{f}"
        );
    }
}

#[test]
fn swapped_entries_are_named() {
    for backend in backends() {
        let log = built(backend);
        let mut c = conn(&log);
        let (a, b) = (leaf(&mut c, 100), leaf(&mut c, 200));
        set_leaf(&mut c, 100, b);
        set_leaf(&mut c, 200, a);
        let f = failure(&log);
        assert_eq!(at_index(&f), Some(100), "{backend:?}: {f}");
        assert!(f.to_string().contains("moved"), "{f}");
    }
}

#[test]
fn an_edited_projection_row_is_named() {
    for backend in backends() {
        let log = built(backend);
        let mut c = conn(&log);
        let n = diesel::update(actor_keys::table.filter(actor_keys::party.eq("14042100400017")))
            .set(actor_keys::party.eq("14042100499999"))
            .execute(&mut c)
            .unwrap();
        assert_eq!(n, 1);
        let f = failure(&log);
        assert!(
            matches!(
                f,
                VerifyFailure::Projection {
                    table: "actor_keys",
                    ..
                }
            ),
            "{backend:?}: {f}"
        );
    }
}

#[test]
fn a_key_row_no_entry_made_is_named() {
    for backend in backends() {
        let log = built(backend);
        let mut c = conn(&log);
        diesel::insert_into(actor_keys::table)
            .values((
                actor_keys::county.eq(COUNTY),
                actor_keys::public_key.eq(new_key("rogue").verifier().public_bytes().to_vec()),
                actor_keys::vkey.eq(new_key("rogue").verifier().to_string()),
                actor_keys::role.eq("county"),
                actor_keys::party.eq(COUNTY),
                actor_keys::registered_at.eq(3i64),
                actor_keys::revoked_at.eq(None::<i64>),
            ))
            .execute(&mut c)
            .unwrap();
        let f = failure(&log);
        assert!(
            f.to_string().contains("not made by any entry"),
            "{backend:?}: {f}"
        );
    }
}

#[test]
fn a_forged_checkpoint_or_tile_is_caught() {
    for backend in backends() {
        let log = built(backend);
        let mut c = conn(&log);
        let note: String = checkpoints::table
            .filter(checkpoints::size.eq(601i64))
            .select(checkpoints::note)
            .first(&mut c)
            .unwrap();
        let forged = note.replacen("\n601\n", "\n602\n", 1);
        diesel::update(checkpoints::table.filter(checkpoints::size.eq(601i64)))
            .set(checkpoints::note.eq(&forged))
            .execute(&mut c)
            .unwrap();
        assert!(
            matches!(failure(&log), VerifyFailure::Checkpoint(_)),
            "{backend:?}"
        );
        diesel::update(checkpoints::table.filter(checkpoints::size.eq(601i64)))
            .set(checkpoints::note.eq(&note))
            .execute(&mut c)
            .unwrap();

        // A level-0 tile changed: a proof from it would lie, verify names it.
        let mut tile: Vec<u8> = tree_tiles::table
            .filter(tree_tiles::level.eq(0))
            .filter(tree_tiles::idx.eq(1i64))
            .select(tree_tiles::hashes)
            .first(&mut c)
            .unwrap();
        tile[32 * 5] ^= 0xff;
        diesel::update(
            tree_tiles::table
                .filter(tree_tiles::level.eq(0))
                .filter(tree_tiles::idx.eq(1i64)),
        )
        .set(tree_tiles::hashes.eq(tile))
        .execute(&mut c)
        .unwrap();
        let f = failure(&log);
        assert_eq!(at_index(&f), Some(256 + 5), "{backend:?}: {f}");
    }
}

/// Every collection the state declares is verified against its table: on
/// the demo's log, emptying any one table (the county's and settings' rows
/// too) makes `verify` fail naming that table. A collection nobody compared
/// would pass here.
#[test]
fn emptying_any_projection_table_is_named() {
    use diesel::connection::SimpleConnection;
    use diesel::sql_types::BigInt;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    ok(&sanquan(&["demo", "--data-dir", d, "--load-only"]));
    let mut c =
        diesel::SqliteConnection::establish(dir.join("sanquan.db").to_str().unwrap()).unwrap();
    let mut tables: Vec<&str> = sanquan::model::state::TABLES.to_vec();
    tables.extend(["counties", "county_settings"]);
    let mut checked = Vec::new();
    for table in tables {
        let rows = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result::<Count>(&mut c)
            .unwrap()
            .n;
        if rows == 0 {
            continue;
        }
        c.batch_execute(&format!(
            "CREATE TABLE saved AS SELECT * FROM {table}; DELETE FROM {table};"
        ))
        .unwrap();
        let out = sanquan(&["verify", "--data-dir", d]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{table} emptied, verify passed");
        assert!(
            err.contains(&format!("projection {table},")),
            "{table} emptied: {err}"
        );
        c.batch_execute(&format!(
            "INSERT INTO {table} SELECT * FROM saved; DROP TABLE saved;"
        ))
        .unwrap();
        checked.push(table);
    }
    assert!(ok(&sanquan(&["verify", "--data-dir", d])).starts_with("ok:"));
    // The demo fills nearly every table, so the test is not vacuous.
    assert!(checked.len() >= 20, "only {checked:?} had rows");
}
