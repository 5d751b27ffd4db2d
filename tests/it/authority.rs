//! No official alone can take a household's rights (DOMAIN.md A1–A6), and no
//! entry can break the log (L1): the sequences a hostile collective or one
//! county department tried, replayed with its key alone — refused — and with
//! two hands: pending for the protective notice, held by the household's
//! objection, decided by an award, or carried out when the notice ran out.
//! On SQLite and PostgreSQL; `verify` passes after each.

use std::time::{Duration, Instant};

use sanquan::ledger::elsewhere::MemoryLog;
use sanquan::ledger::{Envelope, SignerKey};
use sanquan::model::state::ActEnd;
use sanquan::model::Refusal;
use serde_json::{json, Value};

use crate::common::*;
use crate::common::{person, Market, NEIGHBOUR, OUTSIDER, SELLER, VILLAGE};

/// A lender: the county's rural commercial bank, by its unified social
/// credit code.
const BANK: &str = "91140421MA0BANK00L";

/// The county's departments (A2), each bound by the root key.
pub(crate) struct Departments {
    pub registry: SignerKey,
    pub civil: SignerKey,
    pub justice: SignerKey,
    pub natural: SignerKey,
}

/// The demo village under the authority rules: the switch recorded on the
/// log (rules 2), and the county's four departments bound by the root key —
/// each department's first key in force at once; the market's helpers sign
/// as the registry.
fn under_authority(backend: Backend) -> (Market, Departments) {
    let m = Market::new(backend);
    m.ok(
        &m.log.county_key,
        "county.settings",
        json!({"settings": {"rules": 2}, "reason": "施行处分行为公示与双人签署规则"}),
    );
    let d = Departments {
        registry: new_key("registry"),
        civil: new_key("civil"),
        justice: new_key("justice"),
        natural: new_key("natural"),
    };
    for (key, department) in [
        (&d.registry, "registry"),
        (&d.civil, "civil_registration"),
        (&d.justice, "justice"),
        (&d.natural, "natural_resources"),
    ] {
        m.ok(
            &m.log.county_key,
            "key.register",
            department_key(key, department),
        );
        assert!(m.state().key(&key.public_bytes()).is_some(), "{department}");
    }
    *m.county.lock().unwrap() = d.registry.clone();
    (m, d)
}

/// `key.register` of a county department's key.
fn department_key(key: &SignerKey, department: &str) -> Value {
    let mut body = register("county", COUNTY, key);
    body["department"] = json!(department);
    body
}

/// A third household of the village, 0003, with no land: its head.
fn third_household(m: &Market) -> sanquan::model::person::PersonRecord {
    let third = person("王三", "11010519491231002X", 3);
    let env = sign(
        &m.collective,
        "household.register",
        json!({"CBFBM": format!("{VILLAGE}0003"), "members": [{"person": third.commitment(), "relation": "02"}]}),
    );
    let registered = m
        .log
        .writer()
        .submit_with_personal_blocking(env, vec![third.clone()]);
    assert_eq!(outcome(&registered), "accepted");
    third
}

/// An envelope signed by `key` and cosigned by each of `cosigners`.
fn cosigned(
    key: &SignerKey,
    cosigners: &[&SignerKey],
    kind: &str,
    body: Value,
) -> sanquan::ledger::Envelope {
    let mut env = sign(key, kind, body);
    for c in cosigners {
        env.cosign(c);
    }
    env
}

/// An entry signed by `key` and cosigned by `second`; its index.
fn two_hands(m: &Market, key: &SignerKey, second: &SignerKey, kind: &str, body: Value) -> u64 {
    m.ok_cosigned(key, second, kind, body)
}

/// A key recovery for the seller's household, by the collective with the
/// county's hand (A6); its index.
fn recover_seller(m: &Market, key: &SignerKey) -> u64 {
    two_hands(
        m,
        &m.collective,
        &m.county.lock().unwrap(),
        "key.register",
        register("household", SELLER, key),
    )
}

/// The act made at `index`, as the store holds it.
fn act(m: &Market, index: u64) -> sanquan::model::state::Act {
    m.state()
        .acts
        .get(&index)
        .cloned()
        .expect("the act is stored")
}

/// Runs the clock past the protective notice and waits for the writer to
/// carry out what is due (it looks every second).
fn notice_runs_out(m: &Market, index: u64) -> sanquan::model::state::Act {
    m.log.clock.advance(chrono::Duration::days(31));
    let started = Instant::now();
    loop {
        let a = act(m, index);
        if a.closed.is_some() || started.elapsed() > Duration::from_secs(15) {
            return a;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The seller's household page, as a fresh server of the market shows it.
fn seller_page(m: &Market) -> String {
    ureq::get(&format!(
        "{}/household/{SELLER}",
        crate::common::spawn_app(m.registry())
    ))
    .call()
    .unwrap()
    .into_string()
    .unwrap()
}

fn is_member(m: &Market, person: &str) -> bool {
    m.state()
        .memberships
        .get(person)
        .is_some_and(|ms| ms.ended.is_none())
}

/// Sequence 1, key takeover (A6): the collective cannot revoke the
/// household's key, nor bind its own for the household alone; with the
/// county's cosignature a recovery is pending, and the household's current
/// key cancels it; unobjected, it binds the new key and retires the old one
/// only when the notice ends. The exchange cannot take a transferee's key.
#[test]
fn a_collective_alone_cannot_take_a_households_keys() {
    on_each_backend(under_authority, |(m, d)| {
        let thief = new_key("thief");
        m.refused(
            &m.collective,
            "key.revoke",
            revoke(&m.seller),
            "not_own_key",
            "entry.body.vkey",
        );
        m.refused(
            &m.collective,
            "key.register",
            register("household", SELLER, &thief),
            "second_hand_missing",
            "cosigs",
        );
        // The county's registry alone neither; its root key signs no such
        // thing at all (A2).
        m.refused(
            &d.registry,
            "key.register",
            register("household", SELLER, &thief),
            "second_hand_missing",
            "cosigs",
        );
        m.refused(
            &m.log.county_key,
            "key.register",
            register("household", SELLER, &thief),
            "outside_remit",
            "entry.signer",
        );
        // The exchange cannot take a transferee's key.
        m.refused(
            &m.exchange,
            "key.revoke",
            revoke(&m.outsider),
            "not_own_key",
            "entry.body.vkey",
        );
        m.refused(
            &m.exchange,
            "key.register",
            register("transferee", OUTSIDER, &thief),
            "second_hand_missing",
            "cosigs",
        );
        // Two hands: pending, the thief's key not bound, the household's
        // key cancels it.
        let recovery = recover_seller(m, &thief);
        assert!(act(m, recovery).is_open());
        assert!(m.state().key(&thief.public_bytes()).is_none());
        // The household's page leads with it: what it is, the day by
        // which to object, the way to object (issue 18, 3).
        let page = seller_page(m);
        let banner = page
            .split(r#"id="acts-alert""#)
            .nth(1)
            .expect("a banner for the act over the household")
            .split("</section>")
            .next()
            .unwrap();
        assert!(
            banner.contains("更换农户的签名密钥（密钥恢复）")
                && banner.contains("异议截止")
                && banner.contains(&format!("#object-{recovery}")),
            "{banner}"
        );
        m.refused(
            &thief,
            "contract.return",
            json!({"CBHTBM": format!("{SELLER}J"), "compensation": "1.00", "effective": "2027-01-01"}),
            "unknown_signer",
            "entry.signer",
        );
        m.refused(
            &m.neighbour,
            "act.object",
            json!({"act": recovery, "reason": "不是我家的"}),
            "party_not_allowed",
            "entry.body.act",
        );
        m.ok(
            &m.seller,
            "act.object",
            json!({"act": recovery, "reason": "我的密钥还在，我没有申请恢复"}),
        );
        let cancelled = notice_runs_out(m, recovery);
        assert!(matches!(cancelled.closed, Some((_, ActEnd::Cancelled))));
        assert!(m.state().key(&thief.public_bytes()).is_none());
        // The household rotates its own key at once.
        let new = new_key("s2");
        m.ok(
            &m.seller,
            "key.register",
            register("household", SELLER, &new),
        );
        // A recovery nobody objects to is carried out after the notice: the
        // new key is bound and the household's keys before it act no more.
        let lost = new_key("lost-phone");
        let recovery = recover_seller(m, &lost);
        let done = notice_runs_out(m, recovery);
        assert!(matches!(done.closed, Some((_, ActEnd::Done))), "{done:?}");
        let state = m.state();
        assert!(state
            .key(&lost.public_bytes())
            .is_some_and(|k| k.is_active()));
        assert!(state
            .key(&m.seller.public_bytes())
            .is_some_and(|k| !k.is_active()));
        assert!(state
            .key(&new.public_bytes())
            .is_some_and(|k| !k.is_active()));
        // A5: the recovery was a thief's after all: an award restores the
        // household's keys and retires the one the recovery bound.
        let today = m.log.clock.now().date_naive().to_string();
        two_hands(
            m,
            &d.justice,
            &d.registry,
            "dispute.award",
            json!({"tribunal": "court", "case_no": "（2027）晋0421民初6号", "in_force_on": today,
                   "document_sha256": "9f".repeat(32), "effect": {"restore": {"act": recovery}}}),
        );
        let state = m.state();
        assert!(state
            .key(&lost.public_bytes())
            .is_some_and(|k| !k.is_active()));
        assert!(state
            .key(&new.public_bytes())
            .is_some_and(|k| k.is_active()));
        // The restored key acts: it rotates to a new one of its own.
        m.ok(
            &new,
            "key.register",
            register("household", SELLER, &new_key("s3")),
        );
        m.verifies();
    });
}

/// Sequences 2 and 4, a forged death and membership "elsewhere" (A1–A3):
/// the collective alone is refused; with the county's cosignature the end of
/// membership is pending, the estate cannot be settled meanwhile, and the
/// household's objection holds it past the notice until an award quashes
/// it. Unobjected, an end with two hands takes effect after the notice.
#[test]
fn a_death_recorded_by_the_collective_alone_takes_nothing() {
    on_each_backend(under_authority, |(m, d)| {
        let head = crate::lifecycle::admit_head(m);
        let death = json!({"person": head, "reason": "death", "document_sha256": "cd".repeat(32)});
        m.refused(
            &m.collective,
            "member.end",
            death.clone(),
            "second_hand_missing",
            "cosigs",
        );
        // A death is the civil registration's fact: not the registry's hand.
        let env = cosigned(&m.collective, &[&d.registry], "member.end", death.clone());
        assert_eq!(
            outcome(&m.log.writer().submit_blocking(env)),
            "second_hand_missing"
        );
        let ended = two_hands(m, &m.collective, &d.civil, "member.end", death);
        assert!(is_member(m, &head), "a pending act changed the membership");
        // The estate is not settled the same day: she is still a member.
        let env = cosigned(
            &m.collective,
            &[&d.civil],
            "estate.settle",
            json!({"CBFBM": SELLER, "heirs": [], "heirs_compensation": "0", "document_sha256": "ef".repeat(32)}),
        );
        assert_eq!(
            outcome(&m.log.writer().submit_blocking(env)),
            "bad_attribute"
        );
        m.ok(
            &m.seller,
            "act.object",
            json!({"act": ended, "reason": "她还活着"}),
        );
        let held = notice_runs_out(m, ended);
        assert!(held.is_open() && held.objection.is_some());
        assert!(is_member(m, &head), "an objected act took effect");
        // An award decides: by the county with a second department.
        let today = m.log.clock.now().date_naive().to_string();
        let quash = json!({"tribunal": "arbitration", "case_no": "平农仲字〔2026〕第123号", "in_force_on": today,
                           "document_sha256": "9a".repeat(32), "effect": {"act": {"act": ended, "upheld": false}}});
        m.refused(
            &d.justice,
            "dispute.award",
            quash.clone(),
            "second_hand_missing",
            "cosigs",
        );
        two_hands(m, &d.justice, &d.registry, "dispute.award", quash);
        assert!(matches!(act(m, ended).closed, Some((_, ActEnd::Quashed))));
        assert!(is_member(m, &head));
        // With two hands and no objection, the end takes effect after the
        // notice, not before.
        let elsewhere = two_hands(
            m,
            &m.collective,
            &d.civil,
            "member.end",
            json!({"person": head, "reason": "member_elsewhere", "document_sha256": "ce".repeat(32)}),
        );
        assert!(is_member(m, &head));
        let done = notice_runs_out(m, elsewhere);
        assert!(matches!(done.closed, Some((_, ActEnd::Done))), "{done:?}");
        assert!(!is_member(m, &head));
        // A5: an award in force restores her membership, once, with two
        // hands; the history stays on the log.
        let today = m.log.clock.now().date_naive().to_string();
        let restore = json!({"tribunal": "court", "case_no": "（2027）晋0421民初5号", "in_force_on": today,
                             "document_sha256": "9e".repeat(32), "effect": {"restore": {"act": elsewhere}}});
        m.refused(
            &d.justice,
            "dispute.award",
            restore.clone(),
            "second_hand_missing",
            "cosigs",
        );
        two_hands(m, &d.justice, &d.registry, "dispute.award", restore.clone());
        assert!(is_member(m, &head));
        let shown = m.registry().household(SELLER, None).unwrap();
        assert!(shown
            .acts
            .iter()
            .any(|a| a.index == elsewhere && a.status == "restored"));
        let env = cosigned(&d.justice, &[&d.registry], "dispute.award", restore);
        assert_eq!(
            outcome(&m.log.writer().submit_blocking(env)),
            "act_not_open"
        );
        m.verifies();
    });
}

/// Sequences 3 and 5: the collective alone cannot join a stranger to a
/// household or divide it, nor the county alone move a contract by an
/// award; with two hands each is pending and the household's objection
/// holds it.
#[test]
fn a_split_a_join_or_an_award_by_one_official_is_refused() {
    on_each_backend(under_authority, |(m, d)| {
        let stranger = person("外人", "140421199006200042", 7);
        let join = json!({"CBFBM": SELLER, "members": [{"person": stranger.commitment(), "relation": "99"}],
                          "document_sha256": "aa".repeat(32)});
        let env = sign(&m.collective, "household.join", join.clone());
        let r = m
            .log
            .writer()
            .submit_with_personal_blocking(env, vec![stranger.clone()]);
        assert_eq!(outcome(&r), "second_hand_missing");
        // With the county's hand it waits out its notice, then the stranger
        // is of the household.
        let env = cosigned(&m.collective, &[&d.civil], "household.join", join);
        let joined = m
            .log
            .writer()
            .submit_with_personal_blocking(env, vec![stranger.clone()])
            .unwrap()
            .index;
        let members = |m: &Market| m.state().households[SELLER].members.len();
        assert_eq!(members(m), 1);
        let done = notice_runs_out(m, joined);
        assert!(matches!(done.closed, Some((_, ActEnd::Done))), "{done:?}");
        assert_eq!(members(m), 2);
        // Splitting the stranger out with the household's land: not by the
        // collective alone.
        let split = json!({"CBFBM": format!("{VILLAGE}0009"), "from": SELLER,
                           "members": [{"person": stranger.commitment(), "relation": "02"}],
                           "DKBM": [crate::common::parcel(2)], "agreement_sha256": "cd".repeat(32)});
        m.refused(
            &m.collective,
            "household.split",
            split.clone(),
            "second_hand_missing",
            "cosigs",
        );
        let today = m.log.clock.now().date_naive().to_string();
        let award = json!({"tribunal": "court", "case_no": "（2026）晋0421民初7号", "in_force_on": today,
                           "document_sha256": "9b".repeat(32),
                           "effect": {"contract_holder": {"CBHTBM": format!("{SELLER}J"), "CBFBM": format!("{VILLAGE}0003")}}});
        third_household(m);
        m.refused(
            &d.justice,
            "dispute.award",
            award.clone(),
            "second_hand_missing",
            "cosigs",
        );
        // With two hands: pending, and held by the household's objection.
        let moved = two_hands(m, &d.justice, &m.collective, "dispute.award", award);
        let pending = act(m, moved);
        assert_eq!(pending.parties, vec![SELLER.to_owned()]);
        assert!(pending.titles.contains(&crate::common::parcel(1)));
        // Shown on the title it touches and on the county's notice board
        // (A3), in the JSON and on the page.
        let registry = m.registry();
        let title = registry.title(&crate::common::parcel(1)).unwrap();
        assert!(title
            .acts
            .iter()
            .any(|a| a.index == moved && a.status == "pending"));
        assert_eq!(
            registry.notice_board().unwrap().first().map(|a| a.index),
            Some(moved)
        );
        let app = spawn_app(registry);
        let board = ureq::get(&format!("{app}/notices"))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        assert!(board.contains(&format!("/log/{moved}")) && board.contains("依裁决变更承包合同"));
        let page = ureq::get(&format!("{app}/parcel/{}", crate::common::parcel(1)))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        assert!(
            page.contains(&format!("/log/{moved}")),
            "the title page shows the act"
        );
        m.ok(
            &m.seller,
            "act.object",
            json!({"act": moved, "reason": "判决尚未送达，我已申请再审"}),
        );
        let held = notice_runs_out(m, moved);
        assert!(held.is_open());
        let contract = m.state().contracts[&format!("{SELLER}J")].clone();
        assert_eq!(contract.household, SELLER);
        m.verifies();
    });
}

/// L1: the exact envelope of the report — `"decision":
/// 18446744073709551615` — is refused before it is signed or stored, naming
/// the field, and the log still verifies; 2^53 − 1 is refused by the rules
/// like any other unknown decision, not by its size.
#[test]
fn a_number_past_i_json_is_refused_and_the_log_still_verifies() {
    Market::on_each_backend(|m| {
        let listing = |decision: Value| {
            json!({"mode": "asset_lease", "asset": "仓库", "start": "2027-01-01", "end": "2030-12-31",
                   "reserve": "1000", "increment": "10", "deposit": "100", "auction_minutes": 30,
                   "decision": decision})
        };
        for big in [
            json!(18_446_744_073_709_551_615u64),
            json!(9_007_199_254_740_992u64),
        ] {
            m.refused(
                &m.collective,
                "listing.submit",
                listing(big),
                "bad_envelope",
                "entry.body.decision",
            );
        }
        let before = m.size();
        let r = m.log.submit(
            &m.collective,
            "listing.submit",
            listing(json!(9_007_199_254_740_991u64)),
        );
        assert_ne!(outcome(&r), "accepted");
        assert_eq!(m.size(), before);
        m.verifies();
    });
}

/// Logs written by earlier releases still verify with this code: their
/// entries are replayed under the rules in force when they were written.
/// `log-v1`: the demo county of the release before the authority rules;
/// `log-v2`: the demo county of the release before the house was rebuilt
/// (issue 17: layers, tables, refusals, routes), made by commit 855df0f.
#[test]
fn logs_written_by_earlier_releases_still_verify() {
    for (fixture, entries) in [("log-v1", 1659), ("log-v2", 1516)] {
        let dir = tempfile::tempdir().unwrap();
        let fixture = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
        std::fs::create_dir(dir.path().join("keys")).unwrap();
        for f in ["config.json", "keys/log.key.pub"] {
            let name = f.trim_start_matches("keys/");
            std::fs::copy(format!("{fixture}/{name}"), dir.path().join(f)).unwrap();
        }
        let db = std::process::Command::new("gzip")
            .args(["-dc", &format!("{fixture}/sanquan.db.gz")])
            .output()
            .unwrap();
        assert!(db.status.success());
        std::fs::write(dir.path().join("sanquan.db"), db.stdout).unwrap();
        let out = ok(&sanquan(&[
            "verify",
            "--data-dir",
            dir.path().to_str().unwrap(),
        ]));
        assert!(
            out.starts_with(&format!("ok: {entries} entries")),
            "{fixture}: {out}"
        );
    }
}

/// A2: an act's hands must still be keys in force when its notice ends — a
/// collective key revoked during the notice (found compromised) takes its
/// pending acts with it: they lapse, naming why, and take nothing.
#[test]
fn an_act_whose_signer_was_revoked_during_the_notice_lapses() {
    on_each_backend(under_authority, |(m, d)| {
        let head = crate::lifecycle::admit_head(m);
        let ended = two_hands(
            m,
            &m.collective,
            &d.civil,
            "member.end",
            json!({"person": head, "reason": "death", "document_sha256": "cd".repeat(32)}),
        );
        m.ok(&d.registry, "key.revoke", revoke(&m.collective));
        let lapsed = notice_runs_out(m, ended);
        assert_eq!(
            lapsed.closed.map(|(_, end)| end),
            Some(ActEnd::Lapsed("revoked_signer".into()))
        );
        assert!(is_member(m, &head));
        m.verifies();
    });
}

/// A6 with a way out: when the household's key was stolen, the thief's key
/// — the "current key" — cancels each recovery at once; an award in force,
/// recorded with two hands, carries the recovery out all the same, and the
/// stolen key acts no more.
#[test]
fn a_recovery_a_stolen_key_cancelled_is_carried_out_by_an_award() {
    on_each_backend(under_authority, |(m, d)| {
        let new = new_key("new-phone");
        let recovery = recover_seller(m, &new);
        // The thief holds the household's key and cancels.
        m.ok(
            &m.seller,
            "act.object",
            json!({"act": recovery, "reason": "不同意"}),
        );
        assert!(matches!(
            act(m, recovery).closed,
            Some((_, ActEnd::Cancelled))
        ));
        let today = m.log.clock.now().date_naive().to_string();
        let award = |upheld: bool| {
            json!({"tribunal": "court", "case_no": "（2026）晋0421民初9号", "in_force_on": today,
                   "document_sha256": "9c".repeat(32), "effect": {"act": {"act": recovery, "upheld": upheld}}})
        };
        // Nothing to quash: it is already cancelled.
        m.refused(
            &d.justice,
            "dispute.award",
            award(false),
            "act_not_open",
            "entry.body.effect",
        );
        two_hands(m, &d.justice, &d.registry, "dispute.award", award(true));
        let state = m.state();
        assert!(matches!(
            state.acts[&recovery].closed,
            Some((_, ActEnd::Done))
        ));
        assert!(state
            .key(&new.public_bytes())
            .is_some_and(|k| k.is_active()));
        assert!(state
            .key(&m.seller.public_bytes())
            .is_some_and(|k| !k.is_active()));
        m.verifies();
    });
}

/// Parcel `n`'s outline split down its middle, the east part `gap` degrees
/// narrower (a strip of the whole left to no part).
fn halves(n: u32, gap: f64) -> Value {
    let (x, y, s) = (113.001 + f64::from(n) * 0.001, 36.001, 0.0005);
    let rect = |lon: f64, w: f64| json!({"type": "Polygon", "coordinates": [[[lon, y], [lon + w, y], [lon + w, y + s], [lon, y + s], [lon, y]]]});
    let code = |k: u32| format!("{VILLAGE}{:05}", 10 * n + k);
    json!({"DKBM": crate::common::parcel(n), "reason": "修路分地",
           "parts": [{"DKBM": code(1), "DKMC": "西半块", "geometry": rect(x, s / 2.0)},
                     {"DKBM": code(2), "DKMC": "东半块", "geometry": rect(x + s / 2.0 + gap, s / 2.0 - gap)}]})
}

/// Sequence 7, reshaping land under rights (C9): a parcel under a settled
/// lease or an open listing is not split, even with the household's
/// consent; held land is not split by the collective alone; the parts
/// cover the whole to one tolerance, not one per part; a split the
/// household cosigns moves its contract to the parts in the same change.
#[test]
fn land_under_a_right_a_listing_or_a_contract_is_not_reshaped_by_the_collective() {
    for backend in backends() {
        let (m, _) = under_authority(backend);
        let lease = m.verified_deal(1);
        m.ok(
            &m.exchange,
            "payment.confirm",
            json!({"listing": lease, "amount": "12000.00"}),
        );
        m.ok(
            &m.exchange,
            "deal.settle",
            json!({"listing": lease, "certificate_no": "JZ-7"}),
        );
        let listed = m.reviewed_lease(2, "2027-06-01");
        let split = |key: &SignerKey, body: Value, code: &str, field: &str| {
            let before = m.size();
            let env = cosigned(key, &[&m.seller], "parcel.split", body);
            let r = m.log.writer().submit_blocking(env);
            assert_eq!(outcome(&r), code, "{backend:?}");
            if let Err(sanquan::store::SubmitError::Refused(e)) = &r {
                assert_eq!(e.field().as_deref(), Some(field));
                assert_chinese(e);
            }
            assert_eq!(m.size(), before);
        };
        // With the seller's own consent, still not: the lease would stay on
        // the retired code, the listing's award could not be checked.
        split(
            &m.collective,
            halves(1, 0.0),
            "parcel_held",
            "entry.body.DKBM",
        );
        split(
            &m.collective,
            halves(2, 0.0),
            "parcel_held",
            "entry.body.DKBM",
        );
        assert_eq!(m.listing(listed).parcels, vec![crate::common::parcel(2)]);
        // The neighbour's parcel 3, under its contract and nothing else:
        // not by the collective alone.
        m.refused(
            &m.collective,
            "parcel.split",
            halves(3, 0.0),
            "consent_missing",
            "cosigs",
        );
        // A strip of about 1.5 m² left to no part: within two parts'
        // tolerance (rules 1), beyond the one tolerance C9 allows.
        let env = cosigned(
            &m.collective,
            &[&m.neighbour],
            "parcel.split",
            halves(3, 3.0e-7),
        );
        let r = m.log.writer().submit_blocking(env);
        assert_eq!(outcome(&r), "parts_area_mismatch", "{backend:?}");
        let contract = format!("{NEIGHBOUR}J");
        m.ok_cosigned(&m.collective, &m.neighbour, "parcel.split", halves(3, 0.0));
        let parts = m.state().contracts[&contract].parcels.clone();
        assert_eq!(
            parts,
            vec![format!("{VILLAGE}00031"), format!("{VILLAGE}00032")],
            "the contract follows the parts in the same change"
        );
        m.verifies();
    }
}

/// A plan for expropriation `x` posted from `from` for 30 days.
fn plan(x: u64, from: chrono::NaiveDate, hearing: bool, lines: Value) -> Value {
    let to = from + chrono::Duration::days(29);
    json!({"expropriation": x, "survey_sha256": "c3".repeat(32), "plan_sha256": "d4".repeat(32),
           "notice_from": from.to_string(), "notice_to": to.to_string(), "hearing_requested": hearing,
           "compensation": lines})
}

/// Sequence 6, expropriation without the notice, the hearing or the money
/// (E3): no announcement before the county publishes its zone price; no plan
/// before the survey; no notice dated back; no plan below the floor or
/// without a household's resettlement and social security; a hearing the
/// household asked for with its own entry stays asked; the parcels are
/// frozen; completion by the county alone is refused, and with a second
/// hand it waits out the protective notice before the land is taken.
#[test]
fn an_expropriation_pays_the_published_price_and_hears_the_household() {
    on_each_backend(under_authority, |(m, d)| {
        let county = d.natural.clone();
        let root = m.log.county_key.clone();
        let p = crate::common::parcel;
        let announce = json!({"DKBM": [p(1), p(2)], "purpose": "县道拓宽",
                              "document_sha256": "b2".repeat(32)});
        m.refused(
            &county,
            "expropriation.announce",
            announce.clone(),
            "bad_attribute",
            "entry.body.DKBM",
        );
        m.ok(
            &root,
            "county.settings",
            json!({"settings": {"zone_prices": {"140421001": "30000.00"}}, "reason": "公布区片综合地价"}),
        );
        let announced = m.log.clock.now().date_naive();
        let x = m.ok(&county, "expropriation.announce", announce);
        let floor = m.state().expropriations[&x]
            .floor
            .expect("the floor is set")
            .0;
        // About 7.5 亩 at 30,000 元 per 亩.
        assert!((20_000_000..30_000_000).contains(&floor), "{floor}");
        let yuan = |fen: i64| sanquan::model::Fen(fen).to_string();
        let lines = |land: i64, social: bool| {
            let mut l = vec![
                json!({"party": VILLAGE, "head": "land", "amount": yuan(land)}),
                json!({"party": SELLER, "head": "resettlement", "amount": yuan(floor - land)}),
            ];
            if social {
                l.push(json!({"party": SELLER, "head": "social_security", "amount": "8000.00"}));
            }
            Value::Array(l)
        };
        // Frozen against reshaping, even with the household's consent.
        let env = cosigned(&m.collective, &[&m.seller], "parcel.split", halves(2, 0.0));
        assert_eq!(outcome(&m.log.writer().submit_blocking(env)), "parcel_held");
        let kind = "expropriation.plan";
        m.refused(
            &county,
            kind,
            plan(x, announced, false, lines(floor / 2, true)),
            "bad_attribute",
            "entry.body.survey_sha256",
        );
        m.log.clock.advance(chrono::Duration::days(31));
        let today = m.log.clock.now().date_naive();
        m.refused(
            &county,
            kind,
            plan(x, announced, false, lines(floor / 2, true)),
            "bad_attribute",
            "entry.body.notice_from",
        );
        let cheap = json!([{"party": VILLAGE, "head": "land", "amount": "0.01"},
                           {"party": SELLER, "head": "resettlement", "amount": "0.01"},
                           {"party": SELLER, "head": "social_security", "amount": "0.01"}]);
        m.refused(
            &county,
            kind,
            plan(x, today, false, cheap),
            "bad_attribute",
            "entry.body.compensation",
        );
        m.refused(
            &county,
            kind,
            plan(x, today, false, lines(floor / 2, false)),
            "bad_attribute",
            "entry.body.compensation",
        );
        m.ok(&county, kind, plan(x, today, false, lines(floor / 2, true)));
        // The seller asks for a hearing with its own key; the neighbour,
        // losing nothing, may not; a plan posted again keeps it asked.
        m.ok(
            &m.seller,
            "expropriation.ask_hearing",
            json!({"expropriation": x}),
        );
        m.refused(
            &m.neighbour,
            "expropriation.ask_hearing",
            json!({"expropriation": x}),
            "bad_attribute",
            "entry.body.expropriation",
        );
        m.refused(
            &county,
            kind,
            plan(x, today, false, lines(floor / 2, true)),
            "bad_attribute",
            "entry.body.hearing_requested",
        );
        m.log.clock.advance(chrono::Duration::days(31));
        for (party, fen) in [(VILLAGE, floor / 2), (SELLER, floor - floor / 2 + 800_000)] {
            m.ok(
                &county,
                "expropriation.pay",
                json!({"expropriation": x, "party": party, "amount": yuan(fen), "document_sha256": "e5".repeat(32)}),
            );
        }
        let complete = json!({"expropriation": x});
        m.refused(
            &county,
            "expropriation.complete",
            complete.clone(),
            "expropriation_not_ready",
            "entry.body.expropriation",
        );
        m.ok(
            &county,
            "expropriation.hearing",
            json!({"expropriation": x, "document_sha256": "f6".repeat(32)}),
        );
        // The county's word that it paid is not the household's: its own
        // receipt is needed (or the exchange's escrow).
        let env = cosigned(
            &county,
            &[&d.registry],
            "expropriation.complete",
            complete.clone(),
        );
        assert_eq!(
            outcome(&m.log.writer().submit_blocking(env)),
            "expropriation_not_ready"
        );
        m.refused(
            &m.neighbour,
            "expropriation.receipt",
            json!({"expropriation": x, "party": SELLER}),
            "party_not_allowed",
            "entry.body.party",
        );
        m.ok(
            &m.seller,
            "expropriation.receipt",
            json!({"expropriation": x, "party": SELLER}),
        );
        // The county alone completes nothing; with the collective's hand the
        // completion waits out its notice, the land still the seller's.
        m.refused(
            &county,
            "expropriation.complete",
            complete.clone(),
            "second_hand_missing",
            "cosigs",
        );
        let done = two_hands(
            m,
            &county,
            &m.collective,
            "expropriation.complete",
            complete,
        );
        let holder = |m: &Market| m.registry().title(&p(1)).unwrap().holder;
        assert_eq!(holder(m).as_deref(), Some(SELLER));
        assert_eq!(act(m, done).parties, vec![SELLER.to_owned()]);
        let effect = notice_runs_out(m, done);
        assert!(
            matches!(effect.closed, Some((_, ActEnd::Done))),
            "{effect:?}"
        );
        assert_eq!(holder(m), None);
        m.verifies();
    });
}

/// 11.2, no oracle of ID numbers: whether an ID number is registered is
/// told (`person_exists`) only to an entry its signer may make and the
/// rules would accept; a key that may not register anyone in the household,
/// or an entry the rules refuse, gets the same answer for a registered ID
/// as for a new one.
#[test]
fn a_registered_id_number_is_told_only_to_an_entry_the_rules_accept() {
    Market::on_each_backend(|m| {
        let join = |key: &SignerKey, p: &sanquan::model::person::PersonRecord, doc: &str| {
            let body = json!({"CBFBM": SELLER, "members": [{"person": p.commitment(), "relation": "99"}],
                              "document_sha256": doc});
            // A digest that does not read is refused as the envelope is parsed.
            let origin = sanquan::model::log_origin(COUNTY);
            match sanquan::ledger::Envelope::sign(
                key,
                &origin,
                "household.join",
                &format!("j{}", unique()),
                &stamp(),
                body,
            ) {
                Ok(env) => outcome(
                    &m.log
                        .writer()
                        .submit_with_personal_blocking(env, vec![p.clone()]),
                ),
                Err(e) => e.code().to_owned(),
            }
        };
        // The seller's head, registered; and someone never registered.
        let known = person("韩一", "14042119800101123X", 5);
        let fresh = person("路人", "140421199006200042", 6);
        let (good, bad) = ("aa".repeat(32), "not a hash".to_owned());
        let before = m.size();
        for (key, doc) in [
            (&m.neighbour, &good),
            (&m.outsider, &good),
            (&m.collective, &bad),
        ] {
            let (a, b) = (join(key, &known, doc), join(key, &fresh, doc));
            assert_eq!(a, b, "the answer tells the ID apart");
            assert_ne!(a, "person_exists");
        }
        assert_eq!(m.size(), before);
        assert_eq!(join(&m.collective, &known, &good), "person_exists");
        assert_eq!(m.size(), before);
        m.verifies();
    });
}

/// The smaller findings of the pass (11.4–11.8), under rules 2, each the
/// sequence that was accepted: a notice dated back; an outsider added by a
/// household; `right.end` "abandoned" on a lease not yet begun or pledged;
/// a low reserve bid up past the county-level threshold unflagged; land a
/// withdrawable return frees granted to another.
#[test]
fn the_smaller_findings_are_refused_under_the_authority_rules() {
    on_each_backend(under_authority, |(m, _)| {
        let day = |d: i64| {
            (m.log.clock.now() + chrono::Duration::days(d))
                .date_naive()
                .to_string()
        };
        // 11.8: a notice starts no earlier than the day it is logged.
        let notice = |from: i64| json!({"CBHTBM": [format!("{SELLER}J")], "from": day(from), "to": day(from + 10), "posting_sha256": "ab".repeat(32)});
        m.refused(
            &m.collective,
            "notice.post",
            notice(-30),
            "bad_attribute",
            "entry.body.from",
        );
        m.ok(&m.collective, "notice.post", notice(0));
        // R3: the neighbour's objection to parcel 2 (beside its own) lapses
        // unsued after 15 days; the same document does not file it again,
        // a new one does.
        let objection = |doc: &str| json!({"DKBM": crate::common::parcel(2), "kind": "objection", "reason": "四至有误", "document_sha256": doc});
        m.ok(
            &m.neighbour,
            "encumbrance.register",
            objection(&"cd".repeat(32)),
        );
        m.log.clock.advance(chrono::Duration::days(16));
        m.refused(
            &m.neighbour,
            "encumbrance.register",
            objection(&"cd".repeat(32)),
            "bad_attribute",
            "entry.body.document_sha256",
        );
        let again = m.ok(
            &m.neighbour,
            "encumbrance.register",
            objection(&"ce".repeat(32)),
        );
        m.ok(
            &m.neighbour,
            "encumbrance.release",
            json!({"encumbrance": again, "reason": "已协商解决"}),
        );
        // 11.7: a household adds a spouse or a child, not an outsider.
        let outsider = person("外人", "140421199006200042", 7);
        let join = |relation: &str| {
            let body = json!({"CBFBM": SELLER, "members": [{"person": outsider.commitment(), "relation": relation}],
                              "document_sha256": "aa".repeat(32)});
            outcome(&m.log.writer().submit_with_personal_blocking(
                sign(&m.seller, "household.join", body),
                vec![outsider.clone()],
            ))
        };
        assert_eq!(join("99"), "bad_attribute");
        assert_eq!(join("12"), "accepted");
        // 11.5: the lease settled below starts on 2027-01-01.
        let lease = m.verified_deal(1);
        m.ok(
            &m.exchange,
            "payment.confirm",
            json!({"listing": lease, "amount": "12000.00"}),
        );
        m.ok(
            &m.exchange,
            "deal.settle",
            json!({"listing": lease, "certificate_no": "JZ-9"}),
        );
        let right = m
            .state()
            .rights
            .values()
            .find(|r| r.holder == NEIGHBOUR)
            .map(|r| r.index)
            .unwrap();
        let end = |ground: &str| json!({"right": right, "ground": ground, "document_sha256": "ab".repeat(32)});
        m.refused(
            &m.seller,
            "right.end",
            end("abandoned"),
            "bad_attribute",
            "entry.body.ground",
        );
        let pledge = m.ok(
            &m.seller,
            "encumbrance.register",
            json!({"DKBM": crate::common::parcel(1), "kind": "pledge", "reason": "贷款担保", "document_sha256": "ab".repeat(32),
                   "pledgee": BANK}),
        );
        m.refused(
            &m.seller,
            "right.end",
            end("damaged"),
            "parcel_encumbered",
            "entry.body.DKBM",
        );
        assert!(m.state().rights[&right].ended.is_none());
        let _ = pledge;
        // 11.9: a reserve of 1,000 yuan bid up to the threshold is flagged.
        let listed = m.reviewed_lease(2, "2027-06-01");
        assert!(!m.listing(listed).county_level);
        m.bidders(listed, &[(&m.outsider, OUTSIDER)]);
        m.log.clock.advance(chrono::Duration::days(20));
        m.ok(
            &m.outsider,
            "bid.place",
            json!({"listing": listed, "amount": "300000.00"}),
        );
        assert!(m.listing(listed).county_level, "X3: by the price reached");
        m.verifies();
    });
}

/// 11.4: a contract return withdrawn within a cooling-off window longer
/// than the return's notice: the land it freed is not granted to another
/// meanwhile, so the withdrawal never leaves two contracts in force.
#[test]
fn land_a_return_may_still_take_back_is_not_granted_to_another() {
    on_each_backend(under_authority, |(m, _)| {
        m.ok(
            &m.log.county_key,
            "county.settings",
            json!({"settings": {"cooling_off_days": 365}, "reason": "冷静期一年"}),
        );
        let effective = (m.log.clock.now() + chrono::Duration::days(200))
            .date_naive()
            .to_string();
        let returned = m.ok(
            &m.neighbour,
            "contract.return",
            json!({"CBHTBM": format!("{NEIGHBOUR}J"), "effective": effective, "compensation": "3000.00"}),
        );
        m.log.clock.advance(chrono::Duration::days(210));
        let third = third_household(m);
        let code = format!("{VILLAGE}0003");
        let grant = json!({"CBHTBM": format!("{code}J"), "CBFBM": code, "DKBM": [crate::common::parcel(3)],
            "start": "2027-01-01", "end": "2056-12-31", "certificate_members": [third.commitment()]});
        m.refused(
            &m.collective,
            "contract.grant",
            grant,
            "parcel_contracted",
            "entry.body.DKBM",
        );
        let surrender = m
            .state()
            .surrenders
            .values()
            .find(|s| s.index == returned)
            .map(|s| s.index)
            .unwrap();
        m.ok(
            &m.neighbour,
            "surrender.withdraw",
            json!({"surrender": surrender, "reason": "改变主意"}),
        );
        let state = m.state();
        let today = m.log.clock.now().date_naive();
        assert_eq!(
            state
                .contract_over(&crate::common::parcel(3), today)
                .map(|k| k.household.as_str()),
            Some(NEIGHBOUR)
        );
        m.verifies();
    });
}

/// A2, departments: after the switch the root key signs only the county's
/// settings and department keys; each department signs only its remit and
/// is the second hand only of the acts its remit covers; a county key names
/// its department. A new key for a department that has had one — and a
/// collective's second key — takes effect only after the protective notice:
/// the root key alone cannot complete an act over a household within it.
#[test]
fn the_root_key_and_each_department_sign_only_their_remit() {
    on_each_backend(under_authority, |(m, d)| {
        let root = m.log.county_key.clone();
        third_household(m);
        let today = m.log.clock.now().date_naive().to_string();
        let award = json!({"tribunal": "court", "case_no": "（2026）晋0421民初21号", "in_force_on": today,
                           "document_sha256": "9d".repeat(32),
                           "effect": {"contract_holder": {"CBHTBM": format!("{SELLER}J"), "CBFBM": format!("{VILLAGE}0003")}}});
        for (key, code) in [
            (&root, "outside_remit"),
            (&d.civil, "outside_remit"),
            (&d.natural, "outside_remit"),
        ] {
            m.refused(key, "dispute.award", award.clone(), code, "entry.signer");
        }
        // The registry is no hand for a death; civil registration is.
        let head = crate::lifecycle::admit_head(m);
        let death = json!({"person": head, "reason": "death", "document_sha256": "cd".repeat(32)});
        let env = cosigned(&m.collective, &[&d.justice], "member.end", death);
        assert_eq!(
            outcome(&m.log.writer().submit_blocking(env)),
            "second_hand_missing"
        );
        // The pages know each key's remit and each county key's department,
        // so a desk offers a form to the department whose remit it is.
        let app = spawn_app(m.registry());
        let desk = ureq::get(&format!("{app}/desk/county"))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        assert!(desk.contains("data-remits=") && !desk.contains("data-remits=\"{}\""));
        let hex: String = d
            .justice
            .public_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let keys: Value = ureq::get(&format!("{app}/api/v1/keys?signers={hex}"))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(keys["keys"][&hex]["department"], "justice");
        // A county key names its department; no other key has one.
        m.refused(
            &root,
            "key.register",
            register("county", COUNTY, &new_key("nameless")),
            "bad_attribute",
            "entry.body.department",
        );
        let mut with_department = register("collective", VILLAGE, &new_key("v2"));
        with_department["department"] = json!("justice");
        m.refused(
            &d.registry,
            "key.register",
            with_department,
            "bad_attribute",
            "entry.body.department",
        );
        // The root mints a second justice key and a second registry key:
        // each waits out the notice, and signs nothing meanwhile.
        let (justice2, registry2) = (new_key("justice2"), new_key("registry2"));
        let j = m.ok(&root, "key.register", department_key(&justice2, "justice"));
        let r = m.ok(
            &root,
            "key.register",
            department_key(&registry2, "registry"),
        );
        assert!(act(m, j).is_open() && act(m, r).is_open());
        let env = cosigned(&justice2, &[&registry2], "dispute.award", award.clone());
        assert_eq!(
            outcome(&m.log.writer().submit_blocking(env)),
            "unknown_signer"
        );
        // A collective's second key waits too.
        let village2 = new_key("village2");
        let v = m.ok(
            &d.registry,
            "key.register",
            register("collective", VILLAGE, &village2),
        );
        assert!(m.state().key(&village2.public_bytes()).is_none());
        for index in [j, r, v] {
            let done = notice_runs_out(m, index);
            assert!(matches!(done.closed, Some((_, ActEnd::Done))), "{done:?}");
        }
        // In force now, the root's two keys make the award — which is
        // itself pending, and the household's objection holds it.
        let today = m.log.clock.now().date_naive().to_string();
        let mut award = award;
        award["in_force_on"] = json!(today);
        // A4: the case number in its official form, not free text.
        let mut free_text = award.clone();
        free_text["case_no"] = json!("平仲 2026-1");
        let env = cosigned(&justice2, &[&registry2], "dispute.award", free_text);
        assert_eq!(
            outcome(&m.log.writer().submit_blocking(env)),
            "bad_attribute"
        );
        let moved = two_hands(m, &justice2, &registry2, "dispute.award", award);
        m.ok(
            &m.seller,
            "act.object",
            json!({"act": moved, "reason": "我没有参加过这个诉讼"}),
        );
        let held = notice_runs_out(m, moved);
        assert!(held.is_open());
        assert_eq!(m.state().contracts[&format!("{SELLER}J")].household, SELLER);
        m.verifies();
    });
}

/// A7, persons: a household binds a personal key for one of its members
/// with its collective's cosignature — in force only after the protective
/// notice (the registry, seeing her in person, binds one at once); with it,
/// her voluntary exit and a split that takes her share out need her own
/// signature; she objects to an act over her household with it; no one else
/// revokes it.
#[test]
fn a_member_with_a_personal_key_signs_what_concerns_her_alone() {
    on_each_backend(under_authority, |(m, d)| {
        let head = crate::lifecycle::admit_head(m);
        let hers = new_key("wang-personal");
        let bind = register("member", &head, &hers);
        m.refused(
            &m.seller,
            "key.register",
            bind.clone(),
            "consent_missing",
            "cosigs",
        );
        m.refused(
            &m.neighbour,
            "key.register",
            bind.clone(),
            "party_not_allowed",
            "entry.body.party",
        );
        // Bound by the household and the collective, it waits for the
        // notice: they cannot mint her signature overnight.
        let bound = m.ok_cosigned(&m.seller, &m.collective, "key.register", bind);
        assert!(m.state().key(&hers.public_bytes()).is_none());
        assert!(notice_runs_out(m, bound).closed.is_some());
        assert!(m.state().key(&hers.public_bytes()).is_some());
        // No one else revokes it (A6).
        m.refused(
            &m.collective,
            "key.revoke",
            revoke(&hers),
            "not_own_key",
            "entry.body.vkey",
        );
        // Her exit: the household's and the collective's signatures are not
        // enough now; hers is needed.
        let exit = json!({"person": head, "reason": "voluntary_exit", "compensation": "5000.00",
                          "document_sha256": "ab".repeat(32)});
        let env = cosigned(&m.collective, &[&m.seller], "member.end", exit.clone());
        assert_eq!(
            outcome(&m.log.writer().submit_blocking(env)),
            "consent_missing"
        );
        // She objects to an act over her household with her own key.
        let death = json!({"person": head, "reason": "death", "document_sha256": "cd".repeat(32)});
        let ended = two_hands(m, &m.collective, &d.civil, "member.end", death);
        m.ok(
            &hers,
            "act.object",
            json!({"act": ended, "reason": "我还活着"}),
        );
        assert!(act(m, ended).objection.is_some());
        let env = cosigned(&m.collective, &[&m.seller, &hers], "member.end", exit);
        assert_eq!(outcome(&m.log.writer().submit_blocking(env)), "accepted");
        assert!(!is_member(m, &head));
        m.verifies();
    });
}

/// P5 across counties: a member of the demo village who holds a personal
/// key is admitted by a collective of 壶关县 (140427), her key cosigning
/// the admission there. That log's record of it, its inclusion proof and
/// the checkpoint its log key signed end her membership here on the
/// registry's hand — refused before the root key pinned that log's key,
/// and on notice (A3) once it did — and `verify` checks the evidence again
/// from this log alone.
#[test]
fn a_member_admitted_by_another_county_s_collective_leaves_on_that_log_s_record() {
    on_each_backend(under_authority, |(m, d)| {
        let head = crate::lifecycle::admit_head(m);
        let hers = new_key("wang-personal");
        m.ok(
            &d.registry,
            "key.register",
            register("member", &head, &hers),
        );
        let origin = "sanquan/140427";
        let mut huguan = MemoryLog::new("140427", SignerKey::generate(origin).unwrap());
        let time = "2026-11-23T08:00:00Z";
        let mut admit = Envelope::sign(
            &new_key("huguan-collective"),
            origin,
            "member.admit",
            "n1",
            time,
            json!({"decision": 0, "persons": ["ee".repeat(32)]}),
        )
        .unwrap();
        admit.cosign(&hers);
        let at = huguan.append(&admit, "2026-11-23T08:00:01.000000Z");
        let end = json!({"person": head, "reason": "member_elsewhere", "document_sha256": "ab".repeat(32),
                         "elsewhere": huguan.evidence(at)});
        let early = cosigned(&m.collective, &[&d.registry], "member.end", end.clone());
        let refused = m.log.writer().submit_blocking(early);
        assert_eq!(outcome(&refused), "bad_attribute");
        let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("other_logs"), "{message}");
        m.ok(
            &m.log.county_key,
            "county.settings",
            json!({"settings": {"other_logs": {"140427": huguan.vkey()}}, "reason": "壶关县日志公钥"}),
        );
        let index = two_hands(m, &m.collective, &d.registry, "member.end", end);
        assert!(is_member(m, &head), "pending: nothing changed yet");
        // Her household's page says where it rests, so she can object if
        // it is not hers.
        let page = seller_page(m);
        assert!(
            page.contains(&format!(
                "山西省长治市壶关县的日志第 {at} 条记有该集体的成员确认"
            )),
            "{page}"
        );
        let done = notice_runs_out(m, index);
        assert!(matches!(done.closed, Some((_, ActEnd::Done))), "{done:?}");
        assert!(!is_member(m, &head));
        m.verifies();
    });
}

/// A7, a member with no personal key: her voluntary exit, signed by the
/// collective and her household, is her paper application only when the
/// registry records it — an act over her household, on the notice board
/// with her commitment, carried out when the notice runs out. A personal key
/// the household and the collective bind for her to sign it is on notice
/// too, and she cancels it with a key the registry binds her at its desk.
#[test]
fn a_member_without_a_key_leaves_by_her_paper_application_on_notice() {
    on_each_backend(under_authority, |(m, d)| {
        let head = crate::lifecycle::admit_head(m);
        let exit = json!({"person": head, "reason": "voluntary_exit", "compensation": "5000.00",
                          "document_sha256": "ab".repeat(32)});
        // The household head and the collective alone: refused.
        let env = cosigned(&m.collective, &[&m.seller], "member.end", exit.clone());
        let refused = m.log.writer().submit_blocking(env);
        assert_eq!(outcome(&refused), "second_hand_missing");
        let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("registry"), "{message}");
        // Nor by minting her a key: it waits for the notice, and she
        // cancels it with the key the registry binds her in person.
        let minted = new_key("minted-for-her");
        let bound = m.ok_cosigned(
            &m.seller,
            &m.collective,
            "key.register",
            register("member", &head, &minted),
        );
        let own = new_key("wang-own");
        m.ok(&d.registry, "key.register", register("member", &head, &own));
        m.ok(
            &own,
            "act.object",
            json!({"act": bound, "reason": "这把密钥不是我申请的"}),
        );
        assert!(matches!(act(m, bound).closed, Some((_, ActEnd::Cancelled))));
        m.refused(
            &m.neighbour,
            "act.object",
            json!({"act": bound, "reason": "x"}),
            "act_not_open",
            "entry.body.act",
        );
        // Her own key now signs her exit; without it (a member who never
        // had one), the registry records her paper application.
        m.ok(&own, "key.revoke", revoke(&own));
        let env = cosigned(&m.collective, &[&m.seller, &d.registry], "member.end", exit);
        let index = m.log.writer().submit_blocking(env).expect("recorded").index;
        let pending = act(m, index);
        assert_eq!(pending.parties, vec![SELLER.to_owned()]);
        assert!(pending.body["person"] == json!(head));
        assert!(is_member(m, &head), "pending: nothing changed yet");
        let done = notice_runs_out(m, index);
        assert!(matches!(done.closed, Some((_, ActEnd::Done))), "{done:?}");
        assert!(!is_member(m, &head));
        m.verifies();
    });
}

/// 11.9, an atomic swap: under the authority rules a swap is registered
/// whole — both halves in one entry, by one household with the other's
/// cosignature — so that neither holds both plots at any moment.
#[test]
fn a_swap_is_registered_whole_in_one_entry() {
    on_each_backend(under_authority, |(m, _)| {
        let p = crate::common::parcel;
        let body = json!({"mode": "swap", "DKBM": [p(2)], "swap_for": [p(3)], "start": "2027-01-01",
            "reserve": "0", "increment": "100.00", "deposit": "0", "auction_minutes": 60});
        let id = m.ok_cosigned(&m.seller, &m.neighbour, "listing.submit", body);
        m.reviewed(id);
        m.awarded(id, &[(&m.neighbour, NEIGHBOUR)], "0", &m.seller);
        m.settle(id, "0");
        m.refused(
            &m.seller,
            "transfer.register",
            json!({"listing": id}),
            "consent_missing",
            "cosigs",
        );
        m.ok_cosigned(
            &m.seller,
            &m.neighbour,
            "transfer.register",
            json!({"listing": id}),
        );
        let state = m.state();
        assert_eq!(
            state.contract_of.get(&p(2)).unwrap(),
            &format!("{NEIGHBOUR}K")
        );
        assert_eq!(state.contract_of.get(&p(3)).unwrap(), &format!("{SELLER}K"));
        assert_eq!(state.listings[&id].registered.len(), 2);
        m.refused(
            &m.neighbour,
            "transfer.register",
            json!({"listing": id}),
            "bad_attribute",
            "entry.body.listing",
        );
        m.verifies();
    });
}

/// Found by the property test with hostile officials: two awards over the
/// same contract, both pending; the first carried out moves it to another
/// household, and the second would then take it from that household, whom
/// its notice never named — it lapses instead.
#[test]
fn an_act_lapses_rather_than_take_from_a_party_its_notice_did_not_name() {
    on_each_backend(under_authority, |(m, d)| {
        third_household(m);
        let fourth = person("赵四", "140421199006200042", 4);
        let env = sign(
            &m.collective,
            "household.register",
            json!({"CBFBM": format!("{VILLAGE}0004"), "members": [{"person": fourth.commitment(), "relation": "02"}]}),
        );
        assert_eq!(
            outcome(
                &m.log
                    .writer()
                    .submit_with_personal_blocking(env, vec![fourth])
            ),
            "accepted"
        );
        let today = m.log.clock.now().date_naive().to_string();
        let award = |to: &str, n: u32| {
            json!({"tribunal": "court", "case_no": format!("（2026）晋0421民初{n}号"), "in_force_on": today,
                   "document_sha256": "9b".repeat(32),
                   "effect": {"contract_holder": {"CBHTBM": format!("{SELLER}J"), "CBFBM": format!("{VILLAGE}{to}")}}})
        };
        let first = two_hands(
            m,
            &d.justice,
            &d.registry,
            "dispute.award",
            award("0003", 31),
        );
        let second = two_hands(
            m,
            &d.justice,
            &d.registry,
            "dispute.award",
            award("0004", 32),
        );
        let done = notice_runs_out(m, first);
        assert!(matches!(done.closed, Some((_, ActEnd::Done))), "{done:?}");
        let lapsed = notice_runs_out(m, second);
        assert_eq!(
            lapsed.closed.map(|(_, end)| end),
            Some(ActEnd::Lapsed("act_not_open".into()))
        );
        assert_eq!(
            m.state().contracts[&format!("{SELLER}J")].household,
            format!("{VILLAGE}0003")
        );
        m.verifies();
    });
}

/// A4, seizures: under the authority rules a seizure (by justice) names the
/// court order's case number in official form and the last day of its term,
/// three years at most; after it the parcel is free again unless renewed.
#[test]
fn a_seizure_names_its_order_and_ends_with_its_term() {
    on_each_backend(under_authority, |(m, d)| {
        let p = crate::common::parcel(1);
        let day = |days: i64| {
            (m.log.clock.now() + chrono::Duration::days(days))
                .date_naive()
                .to_string()
        };
        let seizure = |case_no: &str, until: String| {
            json!({"DKBM": p, "kind": "seizure", "reason": "财产保全", "document_sha256": "5b".repeat(32),
                   "case_no": case_no, "until": until})
        };
        m.refused(
            &d.justice,
            "encumbrance.register",
            seizure("平仲 2026-1", day(300)),
            "bad_attribute",
            "entry.body.case_no",
        );
        m.refused(
            &d.justice,
            "encumbrance.register",
            seizure("（2026）晋0421执保3号", day(4 * 366)),
            "bad_attribute",
            "entry.body.until",
        );
        m.ok(
            &d.justice,
            "encumbrance.register",
            seizure("（2026）晋0421执保3号", day(300)),
        );
        let seized = |m: &Market| !m.registry().title(&p).unwrap().encumbrances.is_empty();
        assert!(seized(m));
        m.log.clock.advance(chrono::Duration::days(301));
        assert!(!seized(m), "the seizure ended with its term");
        m.verifies();
    });
}

/// W1, A1: under the authority rules a new certificate drops no one — a
/// daughter who left for a household of her own keeps her place on her
/// parents' certificate when the collective issues it again.
#[test]
fn a_certificate_issued_again_keeps_a_daughter_who_left() {
    on_each_backend(under_authority, |(m, d)| {
        let daughter = person("韩小妹", "140421199006200042", 8);
        let join = json!({"CBFBM": SELLER, "members": [{"person": daughter.commitment(), "relation": "30"}],
                          "document_sha256": "aa".repeat(32)});
        let env = sign(&m.seller, "household.join", join);
        let joined = m
            .log
            .writer()
            .submit_with_personal_blocking(env, vec![daughter.clone()]);
        assert_eq!(outcome(&joined), "accepted");
        let today = |m: &Market| m.log.clock.now().date_naive();
        let issue = |m: &Market| {
            let from = today(m);
            let notice = m.ok(
                &m.collective,
                "notice.post",
                json!({"CBHTBM": [format!("{SELLER}J")], "from": from.to_string(),
                       "to": (from + chrono::Days::new(7)).to_string(), "posting_sha256": "ab".repeat(32)}),
            );
            m.log.clock.advance(chrono::Duration::days(9));
            m.ok(
                &m.collective,
                "certificate.issue",
                json!({"CBHTBM": format!("{SELLER}J"), "notice": notice}),
            );
            m.state().contracts[&format!("{SELLER}J")]
                .certificate_members
                .clone()
        };
        assert!(issue(m).contains(&daughter.commitment()));
        m.ok(
            &m.seller,
            "household.split",
            json!({"CBFBM": format!("{VILLAGE}0005"), "members": [{"person": daughter.commitment(), "relation": "02"}],
                   "agreement_sha256": "cd".repeat(32)}),
        );
        assert!(
            issue(m).contains(&daughter.commitment()),
            "her place on the certificate stays (W1)"
        );
        // A7: she leaves it only by her own act — with no personal key,
        // her paper application recorded by the registry, on notice.
        let from = today(m);
        let notice = m.ok(
            &m.collective,
            "notice.post",
            json!({"CBHTBM": [format!("{SELLER}J")], "from": from.to_string(),
                   "to": (from + chrono::Days::new(7)).to_string(), "posting_sha256": "ab".repeat(32)}),
        );
        m.log.clock.advance(chrono::Duration::days(9));
        let leave =
            |who: &str| json!({"CBHTBM": format!("{SELLER}J"), "notice": notice, "leaving": [who]});
        m.refused(
            &m.collective,
            "certificate.issue",
            leave(&m.head.commitment()),
            "bad_attribute",
            "entry.body.leaving",
        );
        m.refused(
            &m.collective,
            "certificate.issue",
            leave(&daughter.commitment()),
            "second_hand_missing",
            "cosigs",
        );
        let left = two_hands(
            m,
            &m.collective,
            &d.registry,
            "certificate.issue",
            leave(&daughter.commitment()),
        );
        assert_eq!(act(m, left).parties, vec![format!("{VILLAGE}0005")]);
        let members = |m: &Market| {
            m.state().contracts[&format!("{SELLER}J")]
                .certificate_members
                .clone()
        };
        assert!(members(m).contains(&daughter.commitment()), "pending");
        assert!(matches!(
            notice_runs_out(m, left).closed,
            Some((_, ActEnd::Done))
        ));
        assert!(!members(m).contains(&daughter.commitment()));
        // A5: an award in force puts her back.
        let restore = json!({"tribunal": "court", "case_no": "（2026）晋0421民初7号",
            "in_force_on": today(m).to_string(), "document_sha256": "ee".repeat(32),
            "effect": {"restore": {"act": left}}});
        two_hands(m, &d.justice, &d.registry, "dispute.award", restore);
        assert!(members(m).contains(&daughter.commitment()));
        m.verifies();
    });
}

/// P5: a child born to a member is a member by the birth record — the
/// household adds her and the civil registration cosigns — without an
/// assembly; added without the record she is of the household, not yet a
/// member.
#[test]
fn a_child_born_to_a_member_is_a_member_by_the_birth_record() {
    on_each_backend(under_authority, |(m, d)| {
        crate::lifecycle::admit_head(m);
        let join = |who: &sanquan::model::person::PersonRecord, civil: bool| {
            let body = json!({"CBFBM": SELLER, "members": [{"person": who.commitment(), "relation": "30"}],
                              "document_sha256": "b1".repeat(32)});
            let mut env = sign(&m.seller, "household.join", body);
            if civil {
                env.cosign(&d.civil);
            }
            let r = m
                .log
                .writer()
                .submit_with_personal_blocking(env, vec![who.clone()]);
            assert_eq!(outcome(&r), "accepted");
        };
        let born = person("韩小红", "140421199006200042", 9);
        join(&born, true);
        assert!(
            is_member(m, &born.commitment()),
            "a member by the birth record"
        );
        let other = person("韩小兰", "11010519491231002X", 10);
        join(&other, false);
        assert!(!is_member(m, &other.commitment()));
        assert!(m
            .state()
            .member_of
            .get(&other.commitment())
            .is_some_and(|h| h == SELLER));
        m.verifies();
    });
}

/// R3: past the county's title verification a deal is held by an
/// objection only once the county records the objector's suit — an
/// objection filed alone no longer stops the settlement.
#[test]
fn a_verified_deal_is_held_only_by_an_objection_with_a_suit() {
    on_each_backend(under_authority, |(m, d)| {
        let p = crate::common::parcel;
        let objection = |n: u32| json!({"DKBM": p(n), "kind": "objection", "reason": "四至有误", "document_sha256": "cd".repeat(32)});
        // The first deal: an objection after verification, no suit.
        let settle = |id: u64| {
            m.ok(
                &m.exchange,
                "payment.confirm",
                json!({"listing": id, "amount": "12000.00"}),
            );
            let env = sign(
                &m.exchange,
                "deal.settle",
                json!({"listing": id, "certificate_no": format!("JZ-{id}")}),
            );
            outcome(&m.log.writer().submit_blocking(env))
        };
        let first = m.verified_deal(1);
        m.ok(&m.collective, "encumbrance.register", objection(1));
        assert_eq!(settle(first), "accepted");
        // The second: the objection's suit recorded, the settlement waits.
        let second = m.verified_deal(2);
        let filed = m.ok(&m.neighbour, "encumbrance.register", objection(2));
        m.ok(
            &d.justice,
            "objection.suit",
            json!({"encumbrance": filed, "case_no": "（2026）晋0421民初40号", "document_sha256": "ef".repeat(32)}),
        );
        assert_eq!(settle(second), "title_changed");
        m.verifies();
    });
}

/// A4: an award that decides some of a contract's parcels moves only those
/// — to the household it names, under a new contract for the rest of the
/// term — after its notice; the rest stays the household's.
#[test]
fn an_award_moves_only_the_parcels_it_names() {
    on_each_backend(under_authority, |(m, d)| {
        third_household(m);
        let p = crate::common::parcel;
        let today = m.log.clock.now().date_naive().to_string();
        let award = |parcels: Vec<String>| {
            json!({"tribunal": "court", "case_no": "（2026）晋0421民初55号", "in_force_on": today,
                   "document_sha256": "9b".repeat(32),
                   "effect": {"contract_parcels": {"CBHTBM": format!("{SELLER}J"), "DKBM": parcels,
                                                   "CBFBM": format!("{VILLAGE}0003")}}})
        };
        let env = cosigned(
            &d.justice,
            &[&d.registry],
            "dispute.award",
            award(vec![p(1), p(2)]),
        );
        assert_eq!(
            outcome(&m.log.writer().submit_blocking(env)),
            "bad_attribute",
            "all of them is a contract_holder award"
        );
        let moved = two_hands(
            m,
            &d.justice,
            &d.registry,
            "dispute.award",
            award(vec![p(2)]),
        );
        assert_eq!(act(m, moved).parties, vec![SELLER.to_owned()]);
        let done = notice_runs_out(m, moved);
        assert!(matches!(done.closed, Some((_, ActEnd::Done))), "{done:?}");
        let state = m.state();
        assert_eq!(state.contracts[&format!("{SELLER}J")].parcels, vec![p(1)]);
        assert_eq!(
            state.contract_of.get(&p(2)),
            Some(&format!("{VILLAGE}0003K"))
        );
        m.verifies();
    });
}

/// D1 under the authority rules: a members' assembly's eligible are the
/// members of the collective on the log, and an admission rests on its own
/// decision, used once — a collective cannot pass a membership by counting
/// an assembly of its choosing, nor admit more persons later on an old
/// decision.
#[test]
fn a_members_decision_counts_the_members_on_the_log_and_is_used_once() {
    on_each_backend(under_authority, |(m, _)| {
        let head = crate::lifecycle::admit_head(m);
        let members = m
            .state()
            .memberships
            .values()
            .filter(|x| x.collective == VILLAGE && x.ended.is_none())
            .count() as u64;
        assert!(members >= 1);
        let decision = |eligible: u64| {
            json!({"assembly": "members_assembly", "subject": "membership", "question": "q2",
                   "date": "2026-11-21", "eligible": eligible, "present": eligible,
                   "for": eligible, "against": 0, "minutes_sha256": "cd".repeat(32)})
        };
        m.refused(
            &m.collective,
            "decision.record",
            decision(members + 3),
            "bad_attribute",
            "entry.body.eligible",
        );
        let fresh = m.ok(&m.collective, "decision.record", decision(members));
        // The decision that admitted the head admits no one else.
        let first = m.state().memberships[&head].decision;
        let wife = crate::common::person("王五", "140421195203030021", 5);
        let joined = sign(
            &m.seller,
            "household.join",
            json!({"CBFBM": SELLER, "members": [{"person": wife.commitment(), "relation": "10"}],
                   "document_sha256": "ef".repeat(32)}),
        );
        let r = m
            .log
            .writer()
            .submit_with_personal_blocking(joined, vec![wife.clone()]);
        assert_eq!(outcome(&r), "accepted");
        m.refused(
            &m.collective,
            "member.admit",
            json!({"decision": first, "persons": [wife.commitment()]}),
            "decision_not_passed",
            "entry.body.decision",
        );
        m.ok(
            &m.collective,
            "member.admit",
            json!({"decision": fresh, "persons": [wife.commitment()]}),
        );
        // A distribution rests on its own decision too: the members decided
        // this year's, not every year's.
        let members = members + 1;
        let decide = |subject: &str| {
            json!({"assembly": "members_assembly", "subject": subject, "question": subject,
                   "date": "2026-11-21", "eligible": members, "present": members,
                   "for": members, "against": 0, "minutes_sha256": "cd".repeat(32)})
        };
        let quantification = m.ok(
            &m.collective,
            "decision.record",
            decide("share_quantification"),
        );
        m.ok(
            &m.collective,
            "shares.quantify",
            json!({"decision": quantification, "allocations": [{"CBFBM": SELLER, "shares": 10}]}),
        );
        let assets = m.ok(&m.collective, "decision.record", decide("operating_assets"));
        let distribute = json!({"decision": assets, "total": "1000.00", "reserve": "100.00", "welfare": "100.00"});
        m.ok(&m.collective, "dividend.distribute", distribute.clone());
        m.refused(
            &m.collective,
            "dividend.distribute",
            distribute,
            "decision_not_passed",
            "entry.body.decision",
        );
        m.verifies();
    });
}

/// E3, each parcel reaches its floor: a plan whose land compensation and
/// resettlement subsidy meet the floor in sum, but pay one household's land
/// a fen while another's is paid for both, is refused.
#[test]
fn each_households_land_reaches_its_floor() {
    on_each_backend(under_authority, |(m, d)| {
        let p = crate::common::parcel;
        m.ok(
            &m.log.county_key,
            "county.settings",
            json!({"settings": {"zone_prices": {"140421001": "30000.00"}}, "reason": "公布区片综合地价"}),
        );
        let announce = json!({"DKBM": [p(1), p(3)], "purpose": "县道拓宽",
                              "document_sha256": "b2".repeat(32)});
        let x = m.ok(&d.natural, "expropriation.announce", announce);
        let floor = m.state().expropriations[&x].floor.expect("floor").0;
        m.log.clock.advance(chrono::Duration::days(31));
        let today = m.log.clock.now().date_naive();
        let yuan = |fen: i64| sanquan::model::Fen(fen).to_string();
        let lines = |seller: i64, neighbour: i64| {
            json!([{"party": VILLAGE, "head": "land", "amount": "0.01"},
                   {"party": SELLER, "head": "resettlement", "amount": yuan(seller)},
                   {"party": SELLER, "head": "social_security", "amount": "8000.00"},
                   {"party": NEIGHBOUR, "head": "resettlement", "amount": yuan(neighbour)},
                   {"party": NEIGHBOUR, "head": "social_security", "amount": "8000.00"}])
        };
        let before = m.size();
        let env = sign(
            &d.natural,
            "expropriation.plan",
            plan(x, today, false, lines(floor, 1)),
        );
        let r = m.log.writer().submit_blocking(env);
        assert_eq!(outcome(&r), "bad_attribute");
        let message = r.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains(NEIGHBOUR), "{message}");
        assert_eq!(m.size(), before);
        // Spread by area, each household's land is paid its floor.
        let area = |n: u32| m.state().parcels[p(n).as_str()].area.0;
        let (a1, a3) = (area(1), area(3));
        let share =
            |a: i64| (i128::from(floor) * i128::from(a)).div_euclid(i128::from(a1 + a3)) as i64 + 1;
        m.ok(
            &d.natural,
            "expropriation.plan",
            plan(x, today, false, lines(share(a1), share(a3))),
        );
        m.verifies();
    });
}

/// A2 at the desk: a browser holding the natural-resources department's key
/// sees the expropriation forms, and not the registry's or the root key's
/// (a form no key it holds may sign is hidden); with the registry's key
/// too, the registry's forms come back.
#[test]
fn each_department_sees_its_own_forms_at_the_county_desk() {
    let (m, d) = under_authority(Backend::Sqlite);
    let head = m.head.commitment();
    let Market { log, .. } = m;
    let (registry, _db, _, _) = log.into_registry();
    let app = spawn_app(registry);
    let Some(mut b) = crate::browser::Browser::start(&app, "desks") else {
        return;
    };
    // A farmer's phone, with no county key, sees none of the county's forms.
    b.goto(&format!("/household/{SELLER}"));
    b.wait(
        "document.getElementById('f-member-key').hidden === true",
        "the county's form hidden",
    );
    crate::web::import_key(&mut b, &d.natural);
    b.goto("/desk/county");
    b.signer("f-expropriate", "natural");
    let hidden = |b: &crate::browser::Browser, form: &str| {
        b.js(&format!("return document.getElementById('{form}').hidden"))
    };
    assert_eq!(hidden(&b, "f-expropriate"), json!(false));
    assert_eq!(hidden(&b, "f-qualify"), json!(true));
    assert_eq!(hidden(&b, "f-settings"), json!(true));
    crate::web::import_key(&mut b, &d.registry);
    b.goto("/desk/county");
    b.signer("f-qualify", "registry");
    assert_eq!(hidden(&b, "f-qualify"), json!(false));
    assert_eq!(hidden(&b, "f-expropriate"), json!(false));
    assert_eq!(hidden(&b, "f-settings"), json!(true));
    // A7 at the registry's window: a member's personal key, bound at once.
    let hers = new_key("wang-phone");
    b.goto(&format!("/household/{SELLER}"));
    b.js("document.getElementById('f-member-key').scrollIntoView()");
    b.screenshots("member-key");
    b.fill("f-member-key", &[("vkey", &hers.verifier().to_string())]);
    b.signer("f-member-key", "registry");
    b.ok("f-member-key");
    let hex: String = hers
        .public_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let keys: Value = ureq::get(&format!("{app}/api/v1/keys?signers={hex}"))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(keys["keys"][&hex]["party"], json!(head));
    assert_eq!(keys["keys"][&hex]["role"], "member");
}

/// Issue 18 (5) with A2 in the browser: a farmer who lost his phone gets his
/// household's key back by two hands — the collective signs the recovery
/// (the new phone's short code typed), the page keeps it under a cosigning
/// code and says so; the county registry opens it by that code, reads it and
/// cosigns; the recovery is then on notice over the household, which its
/// page says. No key alone does it: the collective's signature alone is
/// kept, not logged.
#[test]
fn a_lost_key_comes_back_by_two_hands_in_the_browser() {
    let (m, d) = under_authority(Backend::Sqlite);
    let collective = m.collective.clone();
    let Market { log, .. } = m;
    let (registry, _db, _, _) = log.into_registry();
    let app = spawn_app(registry);
    let Some(mut b) = crate::browser::Browser::start(&app, "recovery") else {
        return;
    };
    crate::web::import_key(&mut b, &collective);
    crate::web::import_key(&mut b, &d.registry);
    // The farmer's new phone makes its key and offers it under a short code.
    let fresh = new_key("新手机");
    let offered: Value = ureq::post(&format!("{app}/api/v1/key-offers"))
        .send_json(json!({"vkey": fresh.verifier().to_string()}))
        .unwrap()
        .into_json()
        .unwrap();
    let short = offered["code"].as_str().unwrap().to_owned();
    let before = log_size(&app);
    b.goto(&format!("/household/{SELLER}"));
    b.fill("f-recover-key", &[("vkey", &short)]);
    b.signer("f-recover-key", "c");
    b.click("#f-recover-key button[type=submit]");
    b.wait(
        "document.getElementById('f-recover-key').dataset.draft",
        "the recovery kept for its second hand",
    );
    let card = b.text("#f-recover-key .second-hand");
    assert!(card.contains("共同签署码"), "{card}");
    assert_eq!(log_size(&app), before, "one hand alone logs nothing");
    let code = b
        .js("return document.getElementById('f-recover-key').dataset.draft")
        .as_str()
        .unwrap()
        .to_owned();
    // The registry opens it by its code, typed as staff type it.
    b.goto(&format!(
        "/cosign?code={}",
        code.to_lowercase().replace('-', "")
    ));
    let draft = b.text("#draft");
    assert!(
        draft.contains("密钥恢复") && draft.contains(SELLER),
        "{draft}"
    );
    b.signer("f-cosign", "registry");
    let index = b.ok("f-cosign");
    assert_eq!(log_size(&app), before + 1);
    b.goto(&format!("/household/{SELLER}"));
    let alert = b.text("#acts-alert");
    assert!(
        alert.contains("密钥恢复") && alert.contains("提出异议"),
        "{alert}"
    );
    let entry: Value = ureq::get(&format!("{app}/api/v1/entries/{index}"))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(
        entry["envelope"]["entry"]["body"]["vkey"],
        json!(fresh.verifier().to_string())
    );
    assert_eq!(
        entry["envelope"]["cosigs"].as_array().map(Vec::len),
        Some(1)
    );
    b.assert_no_console_errors();
}

/// A2 over HTTP: an act kept for its second hand is kept only signed by a
/// bound key, under a code that names it however typed; kept, it is not
/// logged; cosigned from what the code returns, it is.
#[test]
fn a_draft_waits_for_its_second_hand_and_binds_nothing_alone() {
    for backend in crate::common::backends() {
        let (m, d) = under_authority(backend);
        let fresh = new_key("新手机");
        let body =
            json!({"vkey": fresh.verifier().to_string(), "role": "household", "party": SELLER});
        let env = sign(&m.collective, "key.register", body.clone());
        let stranger = sign(&new_key("stranger"), "key.register", body.clone());
        let m_collective = m.collective.clone();
        let Market { log, .. } = m;
        let (registry, _db, _, _) = log.into_registry();
        let app = spawn_app(registry);
        let post = |bytes: Vec<u8>| match ureq::post(&format!("{app}/api/v1/drafts"))
            .set("Content-Type", "application/json")
            .send_bytes(&bytes)
        {
            Ok(r) => (r.status(), r.into_json::<Value>().unwrap()),
            Err(ureq::Error::Status(s, r)) => (s, r.into_json::<Value>().unwrap()),
            Err(e) => panic!("{e}"),
        };
        let (status, refused) = post(stranger.to_json());
        assert_eq!(
            (status, refused["error"]["code"].as_str()),
            (403, Some("unknown_signer"))
        );
        let mut forged: Value = serde_json::from_slice(&env.to_json()).unwrap();
        forged["entry"]["body"]["party"] = json!(NEIGHBOUR);
        let (status, refused) = post(forged.to_string().into_bytes());
        assert_eq!(
            (status, refused["error"]["code"].as_str()),
            (403, Some("signature_invalid")),
            "{refused}"
        );
        let before = log_size(&app);
        let (status, kept) = post(env.to_json());
        assert_eq!(status, 200, "{kept}");
        let code = kept["code"].as_str().unwrap();
        assert_eq!(
            post(env.to_json()).1["code"],
            json!(code),
            "kept again, the same code"
        );
        assert_eq!(log_size(&app), before);
        let typed = code.to_lowercase().replace('-', "");
        let read: Value = ureq::get(&format!("{app}/api/v1/drafts/{typed}"))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(read["kind"], json!("key.register"));
        assert_eq!(read["signer"]["party"], json!(VILLAGE));
        let mut again = sanquan::ledger::Envelope::from_value(
            read["envelope"].clone(),
            &sanquan::model::log_origin(COUNTY),
        )
        .unwrap();
        again.cosign(&d.registry);
        let answer = ureq::post(&format!("{app}/api/v1/entries"))
            .set("Content-Type", "application/json")
            .send_bytes(&again.to_json())
            .unwrap();
        assert_eq!(answer.status(), 201);
        assert_eq!(log_size(&app), before + 1);
        assert!(ureq::get(&format!("{app}/api/v1/drafts/ZZZZ-ZZZZ"))
            .call()
            .is_err());
        // No key pushes out another office's act: a signer keeps at most 20
        // drafts, its own oldest let go first.
        let theirs = post(sign(&d.registry, "key.register", body.clone()).to_json()).1;
        let mut codes = Vec::new();
        for _ in 0..21 {
            let (status, kept) = post(sign(&m_collective, "key.register", body.clone()).to_json());
            assert_eq!(status, 200, "{kept}");
            codes.push(kept["code"].as_str().unwrap().to_owned());
        }
        let found = |code: &str| {
            ureq::get(&format!("{app}/api/v1/drafts/{code}"))
                .call()
                .is_ok()
        };
        assert!(!found(&codes[0]) && found(&codes[20]));
        assert!(found(theirs["code"].as_str().unwrap()), "{theirs}");
    }
}

/// The number of entries on the log, from its checkpoint.
fn log_size(app: &str) -> u64 {
    let note = ureq::get(&format!("{app}/api/v1/checkpoint"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    note.lines().nth(1).unwrap().parse().unwrap()
}

/// E2 under the authority rules: a pledge names its lender, and an
/// expropriation of the pledged land compensates the lender too — a plan
/// without its line is refused.
#[test]
fn a_pledges_lender_is_a_party_an_expropriation_compensates() {
    on_each_backend(under_authority, |(m, d)| {
        let p = crate::common::parcel;
        let pledge = json!({"DKBM": p(2), "kind": "pledge", "reason": "向农商行贷款",
                            "document_sha256": "ab".repeat(32)});
        m.refused(
            &m.seller,
            "encumbrance.register",
            pledge.clone(),
            "bad_attribute",
            "entry.body.pledgee",
        );
        let mut to_bank = pledge.clone();
        to_bank["pledgee"] = json!(VILLAGE);
        m.refused(
            &m.seller,
            "encumbrance.register",
            to_bank.clone(),
            "bad_attribute",
            "entry.body.pledgee",
        );
        to_bank["pledgee"] = json!(BANK);
        m.ok(&m.seller, "encumbrance.register", to_bank);
        m.ok(
            &m.log.county_key,
            "county.settings",
            json!({"settings": {"zone_prices": {"140421001": "30000.00"}}, "reason": "公布区片综合地价"}),
        );
        let announce =
            json!({"DKBM": [p(2)], "purpose": "县道拓宽", "document_sha256": "b2".repeat(32)});
        let x = m.ok(&d.natural, "expropriation.announce", announce);
        let floor = m.state().expropriations[&x].floor.expect("floor").0;
        m.log.clock.advance(chrono::Duration::days(31));
        let today = m.log.clock.now().date_naive();
        let mut lines = json!([{"party": VILLAGE, "head": "land", "amount": "0.01"},
                               {"party": SELLER, "head": "resettlement", "amount": sanquan::model::Fen(floor).to_string()},
                               {"party": SELLER, "head": "social_security", "amount": "8000.00"}]);
        m.refused(
            &d.natural,
            "expropriation.plan",
            plan(x, today, false, lines.clone()),
            "compensation_missing",
            "entry.body.compensation",
        );
        lines
            .as_array_mut()
            .unwrap()
            .push(json!({"party": BANK, "head": "land", "amount": "20000.00"}));
        m.ok(
            &d.natural,
            "expropriation.plan",
            plan(x, today, false, lines),
        );
        m.verifies();
    });
}
