//! Issue 21 (3): the schema distributed by county code on a Citus cluster —
//! a coordinator and two workers on loopback, from the extension built into
//! Debian's PostgreSQL 15 (`vendor/citus/build.sh`). The whole lease flow runs
//! through the writer, `verify` replays it, and every table's rows of the
//! county are found on one worker's shards only.

use sanquan::store::pg_temp::TempCitus;

use crate::common::*;

/// The cluster, or why there is none: with `SANQUAN_REQUIRE_CITUS` set (CI,
/// when it built the extension) a missing extension fails the test.
fn cluster() -> Option<TempCitus> {
    if !TempCitus::installed() {
        if std::env::var_os("SANQUAN_REQUIRE_CITUS").is_some() {
            panic!("Citus is required (SANQUAN_REQUIRE_CITUS) but citus.so is not installed");
        }
        eprintln!(
            "skipping the Citus test: the extension is not installed \
             (vendor/citus/build.sh builds it into PostgreSQL 15)"
        );
        return None;
    }
    Some(TempCitus::start(2).expect("a coordinator and two workers start"))
}

#[test]
fn a_lease_settles_on_citus_and_a_countys_rows_live_on_one_worker() {
    let Some(cluster) = cluster() else { return };
    let mut m = Market::with_log(TestLog::on(TestDb::at(cluster.url())));
    crate::exchange::lease_to_settlement(&mut m);
    let (db, key) = m.replayed();
    let report =
        sanquan::store::verify::verify(&db, &key, |_, _| {}).expect("the log on Citus verifies");
    assert!(report.entries > 20, "{} entries", report.entries);

    let sql = |q: &str| cluster.coordinator.psql("postgres", q).unwrap();
    // Every table with a county column is distributed, in one colocation
    // group with the log.
    let local = sql(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' \
         AND column_name = 'county' AND table_name::regclass NOT IN \
         (SELECT logicalrelid FROM pg_dist_partition)",
    );
    assert_eq!(local, "0", "tables left undistributed");
    let groups = sql("SELECT count(DISTINCT colocationid) FROM pg_dist_partition");
    assert_eq!(groups, "1");
    let tables: Vec<String> = sql("SELECT logicalrelid::text FROM pg_dist_partition")
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(tables.len() >= 30, "{tables:?}");

    // Each table's shard for the county, and the worker that holds it.
    let mut ports = std::collections::BTreeSet::new();
    let mut rows_on_holder = 0;
    for table in &tables {
        let shard = sql(&format!(
            "SELECT get_shard_id_for_distribution_column('{table}', '{COUNTY}')"
        ));
        let port: u16 = sql(&format!(
            "SELECT nodeport FROM pg_dist_shard_placement WHERE shardid = {shard}"
        ))
        .parse()
        .unwrap();
        ports.insert(port);
        let worker = cluster
            .workers
            .iter()
            .find(|w| w.port() == port)
            .expect("a worker holds the shard");
        let other = cluster.workers.iter().find(|w| w.port() != port).unwrap();
        // On the worker that holds the shard, the county's rows are there;
        // on the other worker, no shard of the table holds any of them.
        let here: i64 = worker
            .psql(
                "postgres",
                &format!("SELECT count(*) FROM {table}_{shard} WHERE county = '{COUNTY}'"),
            )
            .unwrap()
            .parse()
            .unwrap();
        rows_on_holder += here;
        let shards_elsewhere = other
            .psql(
                "postgres",
                &format!(
                    "SELECT string_agg(relname, ',') FROM pg_class WHERE relname ~ '^{table}_[0-9]+$'"
                ),
            )
            .unwrap();
        for name in shards_elsewhere.split(',').filter(|s| !s.is_empty()) {
            let there = other
                .psql(
                    "postgres",
                    &format!("SELECT count(*) FROM {name} WHERE county = '{COUNTY}'"),
                )
                .unwrap();
            assert_eq!(
                there, "0",
                "{name} on the other worker holds rows of {COUNTY}"
            );
        }
    }
    assert_eq!(
        ports.len(),
        1,
        "the county's shards are on one worker: {ports:?}"
    );
    let entries: i64 = sql(&format!(
        "SELECT count(*) FROM log_entries WHERE county = '{COUNTY}'"
    ))
    .parse()
    .unwrap();
    assert_eq!(entries as u64, report.entries);
    assert!(
        rows_on_holder > entries,
        "{rows_on_holder} rows on the holder"
    );
}
