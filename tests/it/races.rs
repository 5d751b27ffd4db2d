//! Entries that race: sent at the same moment from several clients, the one
//! writer orders them, and each race ends in exactly one consistent outcome
//! that `verify` confirms — on SQLite and on PostgreSQL.

use std::sync::Barrier;

use sanquan::ledger::{Envelope, SignerKey};
use sanquan::model::Refusal;
use sanquan::store::verify::verify;
use sanquan::store::{Receipt, SubmitError};
use serde_json::{json, Value};

use crate::common::*;
use crate::common::{lease, parcel, Market, NEIGHBOUR, OUTSIDER};

/// Submits every entry at once, one client thread each; the answers in the
/// order given.
fn race(m: &Market, entries: Vec<(&SignerKey, &str, Value)>) -> Vec<Result<Receipt, SubmitError>> {
    let envelopes: Vec<Envelope> = entries
        .into_iter()
        .map(|(key, kind, body)| sign(key, kind, body))
        .collect();
    let start = Barrier::new(envelopes.len());
    std::thread::scope(|scope| {
        let clients: Vec<_> = envelopes
            .into_iter()
            .map(|env| {
                let start = &start;
                scope.spawn(move || {
                    start.wait();
                    m.log.writer().submit_blocking(env)
                })
            })
            .collect();
        clients.into_iter().map(|c| c.join().unwrap()).collect()
    })
}

fn code(r: &Result<Receipt, SubmitError>) -> String {
    match r {
        Ok(_) => "accepted".into(),
        Err(SubmitError::Refused(e)) => e.code().to_owned(),
        Err(e) => format!("{e:?}"),
    }
}

fn accepted(answers: &[Result<Receipt, SubmitError>]) -> usize {
    answers.iter().filter(|a| a.is_ok()).count()
}

#[test]
fn equal_bids_racing_in_an_auction_leave_one_bid_standing() {
    Market::on_each_backend(|m| {
        let id = m.ok(
            &m.seller,
            "listing.submit",
            lease(&[&parcel(1)], "2027-01-01", "2036-12-31"),
        );
        m.reviewed(id);
        m.bidders(id, &[(&m.outsider, OUTSIDER), (&m.neighbour, NEIGHBOUR)]);
        m.log.clock.advance(chrono::Duration::days(20));
        for round in 0..5 {
            // Both bid the same amount: whichever the writer takes first
            // stands, the other is now below the increment (X4).
            let amount = format!("{}.00", 10_000 + round * 1_000);
            let body = json!({"listing": id, "amount": amount});
            let answers = race(
                m,
                vec![
                    (&m.outsider, "bid.place", body.clone()),
                    (&m.neighbour, "bid.place", body),
                ],
            );
            assert_eq!(accepted(&answers), 1, "round {round}: {answers:?}");
            assert!(answers.iter().any(|a| code(a) == "bid_too_low"));
            let l = m.listing(id);
            assert_eq!(l.bids.len(), round as usize + 1);
            assert_eq!(
                l.best().unwrap().amount,
                sanquan::model::Fen((10_000 + round as i64 * 1_000) * 100)
            );
        }
    });
}

#[test]
fn two_listings_of_one_parcel_at_once_admit_exactly_one() {
    Market::on_each_backend(|m| {
        for round in 0..4 {
            let p = parcel(1 + round % 2);
            let mut equity = lease(&[&p], "2027-01-01", "2036-12-31");
            equity["mode"] = json!("equity");
            let answers = race(
                m,
                vec![
                    (
                        &m.seller,
                        "listing.submit",
                        lease(&[&p], "2027-01-01", "2036-12-31"),
                    ),
                    (&m.seller, "listing.submit", equity),
                ],
            );
            assert_eq!(accepted(&answers), 1, "round {round}: {answers:?}");
            assert!(answers.iter().any(|a| code(a) == "already_listed"));
            let state = m.state();
            let open: Vec<_> = state
                .listings
                .values()
                .filter(|l| l.parcels == vec![p.clone()] && l.status.is_open())
                .collect();
            assert_eq!(open.len(), 1);
            // Rejected, the parcel is free for the next round.
            m.ok(
                &m.exchange,
                "listing.review",
                json!({"listing": open[0].id, "approve": false, "reason": "重新挂牌"}),
            );
        }
    });
}

#[test]
fn a_settlement_racing_a_seizure_either_settles_first_or_is_refused() {
    for backend in backends() {
        let mut outcomes = std::collections::BTreeSet::new();
        for round in 0..4 {
            let m = Market::new(backend);
            let id = m.verified_deal(2);
            m.ok(
                &m.exchange,
                "payment.confirm",
                json!({"listing": id, "amount": "12000.00"}),
            );
            let settle = json!({"listing": id, "certificate_no": format!("PS-{round}")});
            let seizure = json!({"DKBM": parcel(2), "kind": "seizure", "reason": "协助执行",
                                 "document_sha256": "ab".repeat(32)});
            let mut entries = vec![
                (&m.exchange, "deal.settle", settle),
                (&m.log.county_key, "encumbrance.register", seizure),
            ];
            if round % 2 == 1 {
                entries.reverse();
            }
            let answers = race(&m, entries);
            let codes: Vec<String> = answers.iter().map(code).collect();
            let settled = codes.contains(&"accepted".to_owned())
                && !codes.contains(&"title_changed".to_owned());
            let state = m.state();
            let l = &state.listings[&id];
            let seized = state
                .encumbrances
                .values()
                .any(|e| e.parcel.as_str() == parcel(2));
            assert!(seized, "the seizure always registers: {codes:?}");
            if settled {
                // Settled before the seizure: the right exists, under the
                // seizure registered after it.
                assert_eq!(l.status.as_str(), "settled");
                assert_eq!(state.rights.len(), 1);
                let seizure_at = state.encumbrances.values().next().unwrap().index;
                assert!(l.settled_at.unwrap() < seizure_at);
            } else {
                // Seized first: the settlement was refused and nothing of it
                // was written.
                assert!(codes.contains(&"title_changed".to_owned()), "{codes:?}");
                assert_eq!(l.status.as_str(), "awarded");
                assert!(state.rights.is_empty());
            }
            outcomes.insert(settled);
            verify(&m.log.db, &m.log.log_key.verifier(), |_, _| {}).unwrap();
        }
        eprintln!("settle-vs-seizure outcomes seen on {backend:?}: {outcomes:?}");
    }
}
