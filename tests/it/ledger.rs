//! The writer, the key registry rules and the proofs, on both backends.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use sanquan::ledger::merkle::{leaf_hash, verify_consistency, verify_inclusion};
use sanquan::ledger::{Checkpoint, Envelope};
use sanquan::store::queries;
use sanquan::store::verify::verify;

use crate::common::*;

fn checkpoint(log: &TestLog) -> Checkpoint {
    let (_, note) = queries::latest_checkpoint(&mut log.db.conn().unwrap(), COUNTY)
        .unwrap()
        .unwrap();
    Checkpoint::open(&note, &log.log_key.verifier()).unwrap()
}

fn size(log: &TestLog) -> u64 {
    queries::log_size(&mut log.db.conn().unwrap(), COUNTY).unwrap()
}

#[test]
fn appends_are_durable_signed_and_provable() {
    for backend in backends() {
        let log = TestLog::new(backend);
        let mut receipts = Vec::new();
        let mut roots = vec![(1, checkpoint(&log).root)];
        for i in 0..40u32 {
            let key = new_key(&format!("collective-{i}"));
            let r = log
                .submit(
                    &log.county_key,
                    "key.register",
                    register("collective", &format!("140421001{i:05}"), &key),
                )
                .unwrap();
            receipts.push(r);
            let cp = checkpoint(&log);
            assert_eq!(
                cp.size,
                r.index + 1,
                "{backend:?}: a checkpoint per committed batch"
            );
            roots.push((cp.size, cp.root));
        }
        assert_eq!(
            receipts.iter().map(|r| r.index).collect::<Vec<_>>(),
            (1..=40).collect::<Vec<_>>()
        );
        let cp = checkpoint(&log);
        assert_eq!(cp.origin, "sanquan/140421");
        let mut conn = log.db.conn().unwrap();
        for r in &receipts {
            let leaf = queries::entry_leaf(&mut conn, COUNTY, r.index)
                .unwrap()
                .unwrap();
            assert_eq!(leaf_hash(&leaf), r.leaf_hash);
            let proof =
                queries::inclusion_proof(&mut conn, COUNTY, &log.db.tiles, r.index, cp.size)
                    .unwrap();
            assert!(
                verify_inclusion(&r.leaf_hash, r.index, cp.size, &proof, &cp.root),
                "{backend:?} {}",
                r.index
            );
        }
        for (old, old_root) in &roots {
            let proof = queries::consistency_proof(&mut conn, COUNTY, &log.db.tiles, *old, cp.size)
                .unwrap();
            assert!(
                verify_consistency(*old, cp.size, old_root, &cp.root, &proof),
                "{backend:?} {old}"
            );
        }
        drop(conn);
        verify(&log.db, &log.log_key.verifier(), |_, _| {}).unwrap();
    }
}

#[test]
fn a_refused_entry_never_aborts_the_others_of_its_batch() {
    for backend in backends() {
        let log = TestLog::new(backend);
        let stranger = new_key("stranger");
        let mut envelopes = Vec::new();
        let mut expected = Vec::new();
        for i in 0..300u32 {
            let key = new_key(&format!("c{i}"));
            let party = format!("140421002{i:05}");
            let (env, want) = match i % 5 {
                // A forged signature: the body was changed after signing.
                1 => {
                    let good = sign(
                        &log.county_key,
                        "key.register",
                        register("collective", &party, &key),
                    );
                    let mut v: serde_json::Value = serde_json::from_slice(&good.to_json()).unwrap();
                    v["entry"]["body"]["party"] = "14042100299999".into();
                    (
                        Envelope::from_value(v, "sanquan/140421").unwrap(),
                        "signature_invalid",
                    )
                }
                2 => (
                    sign(
                        &stranger,
                        "key.register",
                        register("collective", &party, &key),
                    ),
                    "unknown_signer",
                ),
                3 => (
                    sign_with(
                        &log.county_key,
                        "key.register",
                        register("collective", &party, &key),
                        "same-nonce",
                        "sanquan/140421",
                    ),
                    if i == 3 { "accepted" } else { "replayed_nonce" },
                ),
                _ => (
                    sign(
                        &log.county_key,
                        "key.register",
                        register("collective", &party, &key),
                    ),
                    "accepted",
                ),
            };
            envelopes.push(env);
            expected.push(want);
        }
        let answers = log.writer().submit_all_blocking(envelopes);
        let got: Vec<String> = answers.iter().map(outcome).collect();
        assert_eq!(got, expected, "{backend:?}");
        let indices: Vec<u64> = answers
            .iter()
            .filter_map(|a| a.as_ref().ok())
            .map(|r| r.index)
            .collect();
        let accepted = expected.iter().filter(|e| **e == "accepted").count() as u64;
        assert_eq!(
            indices,
            (1..=accepted).collect::<Vec<_>>(),
            "{backend:?}: contiguous indices"
        );
        assert_eq!(size(&log), accepted + 1);
        verify(&log.db, &log.log_key.verifier(), |_, _| {}).unwrap();
    }
}

#[test]
fn keys_act_only_in_their_role_and_party_and_not_after_revocation() {
    for backend in backends() {
        let log = TestLog::new(backend);
        let county = &log.county_key;
        let coll = new_key("collective-14042100100101");
        let hh = new_key("household-140421001001010007");
        let exchange = new_key("exchange-140421");
        let firm = new_key("transferee-91350100M000100Y43");
        let check = |r, want: &str| assert_eq!(outcome(&r), want, "{backend:?}");
        check(
            log.submit(
                county,
                "key.register",
                register("collective", "14042100100101", &coll),
            ),
            "accepted",
        );
        check(
            log.submit(
                county,
                "key.register",
                register("exchange", COUNTY, &exchange),
            ),
            "accepted",
        );
        // The collective binds its own households, not another's, not collectives.
        check(
            log.submit(
                &coll,
                "key.register",
                register("household", "140421001001020007", &hh),
            ),
            "party_not_allowed",
        );
        check(
            log.submit(
                &coll,
                "key.register",
                register("collective", "14042100100102", &hh),
            ),
            "party_not_allowed",
        );
        check(
            log.submit(
                &coll,
                "key.register",
                register("household", "140421001001010007", &hh),
            ),
            "accepted",
        );
        // The exchange binds transferees, with a valid social credit code.
        check(
            log.submit(
                &exchange,
                "key.register",
                register("transferee", "91350100M000100Y44", &firm),
            ),
            "bad_party_code",
        );
        check(
            log.submit(
                &exchange,
                "key.register",
                register("transferee", "91350100M000100Y43", &firm),
            ),
            "accepted",
        );
        // A household key binds keys for its own household only (a
        // rotation, A6).
        let other = new_key("x");
        check(
            log.submit(
                &hh,
                "key.register",
                register("household", "140421001001010008", &other),
            ),
            "party_not_allowed",
        );
        check(log.submit(&hh, "genesis", serde_json::json!({"county": COUNTY, "name": "x", "log_vkey": log.log_key.verifier().to_string(), "root_vkey": hh.verifier().to_string()})), "genesis_misplaced");
        // Twice the same key, and a key of another county's party.
        check(
            log.submit(
                county,
                "key.register",
                register("collective", "14042100100103", &coll),
            ),
            "key_already_registered",
        );
        check(
            log.submit(
                county,
                "key.register",
                register("collective", "11010100100101", &other),
            ),
            "bad_party_code",
        );
        // Revoked: the collective's key can no longer act, nor come back.
        check(log.submit(county, "key.revoke", revoke(&coll)), "accepted");
        check(
            log.submit(
                &coll,
                "key.register",
                register("household", "140421001001010009", &other),
            ),
            "revoked_signer",
        );
        check(
            log.submit(
                county,
                "key.register",
                register("collective", "14042100100101", &coll),
            ),
            "key_already_revoked",
        );
        // The county's last key cannot be revoked.
        check(
            log.submit(county, "key.revoke", revoke(county)),
            "last_county_key",
        );
        verify(&log.db, &log.log_key.verifier(), |_, _| {}).unwrap();
    }
}

#[test]
fn a_restarted_writer_continues_the_same_tree_and_remembers_nonces() {
    for backend in backends() {
        let mut log = TestLog::new(backend);
        let first = sign_with(
            &log.county_key,
            "key.register",
            register("collective", "14042100100101", &new_key("a")),
            "once",
            "sanquan/140421",
        );
        log.writer().submit_blocking(first.clone()).unwrap();
        for i in 0..300u32 {
            log.submit(
                &log.county_key,
                "key.register",
                register("collective", &format!("140421003{i:05}"), &new_key("k")),
            )
            .unwrap();
        }
        let before = checkpoint(&log);
        log.restart();
        let replay = log.writer().submit_blocking(first);
        assert_eq!(outcome(&replay), "replayed_nonce", "{backend:?}");
        let r = log
            .submit(
                &log.county_key,
                "key.register",
                register("collective", "14042100399999", &new_key("z")),
            )
            .unwrap();
        assert_eq!(r.index, before.size, "{backend:?}");
        let after = checkpoint(&log);
        let proof = queries::consistency_proof(
            &mut log.db.conn().unwrap(),
            COUNTY,
            &log.db.tiles,
            before.size,
            after.size,
        )
        .unwrap();
        assert!(verify_consistency(
            before.size,
            after.size,
            &before.root,
            &after.root,
            &proof
        ));
        verify(&log.db, &log.log_key.verifier(), |_, _| {}).unwrap();
    }
}

#[test]
fn concurrent_submitters_get_distinct_indices() {
    for backend in backends() {
        let log = TestLog::new(backend);
        let writer = log.writer();
        let indices: Vec<u64> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8u32)
                .map(|t| {
                    let key = &log.county_key;
                    s.spawn(move || {
                        (0..50u32)
                            .map(|i| {
                                let env = sign(
                                    key,
                                    "key.register",
                                    register(
                                        "collective",
                                        &format!("1404210{t:02}{i:05}"),
                                        &new_key("c"),
                                    ),
                                );
                                writer.submit_blocking(env).unwrap().index
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        let mut sorted = indices.clone();
        sorted.sort();
        assert_eq!(sorted, (1..=400).collect::<Vec<_>>(), "{backend:?}");
        verify(&log.db, &log.log_key.verifier(), |_, _| {}).unwrap();
    }
}

#[test]
fn checkpoints_are_signed_notes_of_the_log_key() {
    let log = TestLog::new(Backend::Sqlite);
    let (_, note) = queries::latest_checkpoint(&mut log.db.conn().unwrap(), COUNTY)
        .unwrap()
        .unwrap();
    let lines: Vec<&str> = note.lines().collect();
    assert_eq!(lines[0], "sanquan/140421");
    assert_eq!(lines[1], "1");
    assert_eq!(B64.decode(lines[2]).unwrap().len(), 32);
    assert_eq!(lines[3], "");
    assert!(lines[4].starts_with("— sanquan/140421 "));
    assert!(Checkpoint::open(&note, &log.county_key.verifier()).is_err());
}

/// On PostgreSQL, a statement prepared while a county's tables are small
/// (a new county) does not keep, as they grow, the sequential scan that was
/// cheapest over one page (a plan kept so made the writer's batches of key
/// registrations ten times slower within seconds): a reader's session plans
/// each statement for its values, and the writer's keeps to the indexes.
#[test]
fn a_statement_prepared_over_small_tables_keeps_to_its_index_as_they_grow() {
    use diesel::connection::SimpleConnection;
    use diesel::RunQueryDsl;
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let test_db = TestDb::new(Backend::Postgres);
    let db = sanquan::store::Db::open(&test_db.url, COUNTY).unwrap();
    for session in ["reader", "writer"] {
        let conn = match session {
            "reader" => db.dedicated(),
            _ => db.writer_connection(),
        };
        let sanquan::store::DbConnection::Postgres(mut c) = conn.unwrap() else {
            unreachable!("a PostgreSQL URL")
        };
        let key = |i: u32| format!("sha256('{i}'::text::bytea)");
        c.batch_execute(
            "CREATE TEMP TABLE grows (county TEXT NOT NULL, k BYTEA NOT NULL, PRIMARY KEY (county, k)); \
             INSERT INTO grows SELECT '140421', sha256(i::text::bytea) FROM generate_series(1, 20) i; \
             ANALYZE grows; \
             PREPARE d(text, bytea[]) AS DELETE FROM grows WHERE county = $1 AND k = ANY($2);",
        )
        .unwrap();
        // More than the five runs after which a server may keep a generic plan.
        for i in 0..8 {
            c.batch_execute(&format!("EXECUTE d('140421', ARRAY[{}])", key(100 + i)))
                .unwrap();
        }
        c.batch_execute(
            "INSERT INTO grows SELECT '140421', sha256(i::text::bytea) FROM generate_series(1000, 60000) i",
        )
        .unwrap();
        #[derive(diesel::QueryableByName)]
        struct Line {
            #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
            line: String,
        }
        let plan: Vec<Line> =
            diesel::sql_query(format!("EXPLAIN EXECUTE d('140421', ARRAY[{}])", key(7)))
                .load(&mut c)
                .unwrap();
        let plan: Vec<String> = plan.into_iter().map(|l| l.line).collect();
        assert!(
            plan.iter().any(|l| l.contains("Index"))
                && !plan.iter().any(|l| l.contains("Seq Scan")),
            "{session}: {plan:#?}"
        );
    }
}
