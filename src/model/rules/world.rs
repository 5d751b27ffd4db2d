//! One in-memory world for the rules' unit tests: a county founded on a
//! log with no database — one village, three households holding land under
//! contract, homesteads and shares, and every actor's key — in which a test
//! decides entries as the writer would (`decide`, then `apply`). Each rule
//! file's tests (named by rule id) and the G1 property test run in it.

#![cfg(test)]

use std::sync::Arc;

use serde_json::{json, Value};

use crate::ledger::SignerKey;
use crate::model::land::NoLand;
use crate::model::{decide, Area, Command, Context, Footprint, Role, RuleError, State};

pub const COUNTY: &str = "140421";
pub const VILLAGE: &str = "14042100100101";
pub const HOUSEHOLDS: [&str; 3] = [
    "140421001001010001",
    "140421001001010002",
    "140421001001010003",
];

/// A square parcel of about 37 亩 (0.0005° a side), the `i`-th along a row.
pub fn square(i: usize) -> Footprint {
    let (x, y) = (113.0 + i as f64 * 0.001, 36.0);
    let ring = vec![
        (x, y),
        (x + 0.0005, y),
        (x + 0.0005, y + 0.0005),
        (x, y + 0.0005),
        (x, y),
    ];
    Footprint {
        area: Area(250_000),
        bbox: [x, y, x + 0.0005, y + 0.0005],
        vertices: 5,
        shape: Arc::new(geo_types::MultiPolygon(vec![geo_types::Polygon::new(
            ring.into(),
            vec![],
        )])),
    }
}

/// The actors: county, exchange, collective, transferee, the households.
pub fn actors() -> Vec<(SignerKey, Role, String)> {
    let mut all = vec![
        (Role::County, COUNTY.to_owned()),
        (Role::Exchange, COUNTY.to_owned()),
        (Role::Collective, VILLAGE.to_owned()),
        (Role::Transferee, "91350100M000100Y43".to_owned()),
    ];
    all.extend(
        HOUSEHOLDS
            .iter()
            .map(|h| (Role::Household, (*h).to_owned())),
    );
    all.into_iter()
        .enumerate()
        .map(|(n, (role, party))| {
            let key = SignerKey::from_seed(&format!("a{n}"), [n as u8 + 1; 32]).unwrap();
            (key, role, party)
        })
        .collect()
}

pub struct World {
    pub state: State,
    pub index: u64,
    pub day: chrono::NaiveDate,
    /// The entries accepted, by kind.
    pub accepted: std::collections::BTreeMap<String, usize>,
    /// The actor who cosigns the next entry `checked` decides, if chosen
    /// (else one the log's length picks).
    pub cosigner: Option<usize>,
    /// Every title's canonical record, kept by what each change names
    /// (`State::record_titles_of`) as the state map's follower keeps it,
    /// and compared after every accepted entry with the records made anew
    /// from the state (issue 20): the follower's list misses nothing.
    pub records: std::collections::BTreeMap<String, Vec<u8>>,
}

impl World {
    /// Decides one entry; applies it when accepted. Returns whether it was.
    pub fn admit(
        &mut self,
        signer: &[u8; 32],
        kind: &str,
        body: Value,
        footprints: &[Footprint],
    ) -> bool {
        self.admit_cosigned(signer, &[], kind, body, footprints)
    }

    /// The same, with the keys that cosigned it.
    pub fn admit_cosigned(
        &mut self,
        signer: &[u8; 32],
        cosigners: &[[u8; 32]],
        kind: &str,
        body: Value,
        footprints: &[Footprint],
    ) -> bool {
        self.decide(signer, cosigners, kind, &body, footprints)
            .is_ok()
    }

    /// Decides one entry as the writer would: read the body, decide, apply
    /// the changes when accepted; the refusal otherwise.
    pub fn decide(
        &mut self,
        signer: &[u8; 32],
        cosigners: &[[u8; 32]],
        kind: &str,
        body: &Value,
        footprints: &[Footprint],
    ) -> Result<(), RuleError> {
        let cmd = Command::parse(kind, body)?;
        let now = self.day.and_hms_opt(8, 0, 0).unwrap().and_utc();
        let ctx = Context {
            cosigners,
            other_logs: &crate::ledger::CountyLogs,
            index: self.index,
            signer,
            county: COUNTY,
            footprints,
            today: self.day,
            now,
        };
        let changes = decide(&self.state, &NoLand, &ctx, &cmd)?;
        let mut named = std::collections::BTreeSet::new();
        for c in &changes {
            named.extend(self.state.record_titles_of(c));
            self.state.apply(c);
            named.extend(self.state.record_titles_of(c));
        }
        self.follow_records(named, kind);
        self.index += 1;
        *self.accepted.entry(kind.to_owned()).or_default() += 1;
        Ok(())
    }

    /// Updates the records of the titles named and checks them against all
    /// records made anew from the state.
    fn follow_records(
        &mut self,
        named: std::collections::BTreeSet<crate::model::titles::Title>,
        kind: &str,
    ) {
        let look = self.state.record_lookups();
        for t in named {
            match self.state.record_with(&t, &look) {
                Some(r) => self.records.insert(t.key(), r.canonical()),
                None => self.records.remove(&t.key()),
            };
        }
        let anew: std::collections::BTreeMap<String, Vec<u8>> = self
            .state
            .all_titles()
            .iter()
            .filter_map(|t| Some((t.key(), self.state.record_with(t, &look)?.canonical())))
            .collect();
        if anew != self.records {
            let differ: Vec<&String> = anew
                .keys()
                .chain(self.records.keys())
                .filter(|k| anew.get(*k) != self.records.get(*k))
                .collect();
            panic!("after `{kind}` (index {}) the records followed differ from the state's at {differ:?}", self.index);
        }
    }

    /// `key` signs an entry with no geometry; the refusal's code if refused.
    pub fn sign(&mut self, key: &SignerKey, kind: &str, body: Value) -> Result<(), &'static str> {
        self.decide(&key.public_bytes(), &[], kind, &body, &[])
            .map_err(|e| crate::model::Refusal::code(&e))
    }

    /// The village's members' assembly decides `subject`, all three heads
    /// for it (D1, D3), signed by the collective; the decision's log index.
    pub fn passed(&mut self, subject: &str) -> u64 {
        let at = self.index;
        let vote = json!({"assembly": "members_assembly", "subject": subject,
            "question": "全体成员表决", "date": "2026-11-20", "eligible": 3, "present": 3,
            "for": 3, "against": 0, "minutes_sha256": "ab".repeat(32)});
        let collective = actors()[2].0.public_bytes();
        assert!(
            self.admit(&collective, "decision.record", vote, &[]),
            "{subject}"
        );
        at
    }

    /// A log with nothing on it yet, on 2026-11-22.
    pub fn empty() -> World {
        World {
            state: State::default(),
            index: 0,
            day: "2026-11-22".parse().unwrap(),
            accepted: Default::default(),
            cosigner: None,
            records: Default::default(),
        }
    }

    /// A county with one village, three households holding land under
    /// contract, homesteads and shares, and the actors' keys.
    pub fn new() -> World {
        World::founded(false)
    }

    /// The same county begun under the authority rules: the root key binds
    /// the four departments, the registry (actor 0) does what the county's
    /// one key did, natural resources grants the homesteads, the root key
    /// only publishes settings.
    pub fn new_v2() -> World {
        World::founded(true)
    }

    pub fn founded(authority: bool) -> World {
        let mut w = World {
            day: "2026-11-23".parse().unwrap(),
            ..World::empty()
        };
        let all = if authority { actors_v2() } else { actors() };
        let public = |n: usize| all[n].0.public_bytes();
        let (root, homesteads) = if authority { (ROOT, 10) } else { (0, 0) };
        let (root_public, county) = (public(root), public(0));
        let log = SignerKey::from_seed(&crate::model::log_origin(COUNTY), [99; 32]).unwrap();
        let mut genesis = json!({"county": COUNTY, "name": "平顺县",
            "log_vkey": log.verifier().to_string(), "root_vkey": all[root].0.verifier().to_string(),
            "contracts": crate::model::settings::CONTRACTS});
        if authority {
            genesis["rules"] = json!(2);
        }
        assert!(w.admit(&root_public, "genesis", genesis, &[]));
        if authority {
            for (n, department) in DEPARTMENTS {
                assert!(
                    w.admit(
                        &root_public,
                        "key.register",
                        json!({"vkey": all[n].0.verifier().to_string(), "role": "county", "party": COUNTY, "department": department}),
                        &[]
                    ),
                    "{department}"
                );
            }
        }
        assert!(w.admit(
            &county,
            "collective.register",
            json!({"FBFBM": VILLAGE, "FBFMC": "一组", "boundary": null}),
            &[square(0)]
        ));
        // The exchange and the collective by the county, the transferee by
        // the exchange.
        for (n, (key, role, party)) in all.iter().enumerate().take(4).skip(1) {
            let by = if *role == Role::Transferee {
                public(1)
            } else {
                county
            };
            assert!(
                w.admit(
                    &by,
                    "key.register",
                    json!({"vkey": key.verifier().to_string(), "role": role, "party": party}),
                    &[]
                ),
                "{n}"
            );
        }
        let collective = public(2);
        for (i, h) in HOUSEHOLDS.iter().enumerate() {
            let person = format!("{:064x}", i + 1);
            // Under the authority rules the first household has a daughter
            // too, on its certificate, who may leave it (A7).
            let mut members = vec![json!({"person": person, "relation": "02"})];
            if authority && i == 0 {
                members.push(json!({"person": DAUGHTER, "relation": "30"}));
            }
            let on_certificate: Vec<&Value> = members.iter().map(|m| &m["person"]).collect();
            assert!(w.admit(
                &collective,
                "household.register",
                json!({"CBFBM": h, "members": members}),
                &[]
            ));
            let n = 4 + i;
            assert!(w.admit(
                &collective,
                "key.register",
                json!({"vkey": all[n].0.verifier().to_string(), "role": "household", "party": h}),
                &[]
            ));
            for p in [2 * i + 1, 2 * i + 2] {
                assert!(w.admit(
                    &collective,
                    "parcel.register",
                    json!({"DKBM": format!("{VILLAGE}{p:05}"), "DKMC": "地",
                    "DKLB": "10", "TDYT": "1", "DLDJ": "05", "SFJBNT": "1", "geometry": null}),
                    &[square(p)]
                ));
            }
            assert!(w.admit(&collective, "contract.grant", json!({"CBHTBM": format!("{h}J"), "CBFBM": h,
                "DKBM": [format!("{VILLAGE}{:05}", 2 * i + 1), format!("{VILLAGE}{:05}", 2 * i + 2)],
                "start": "2026-01-01", "end": "2055-12-31", "certificate_members": on_certificate}), &[]));
            let mut plot = square(20 + i);
            plot.area = Area(10_000);
            assert!(w.admit(
                &public(homesteads),
                "homestead.grant",
                json!({"CBFBM": h, "terrain": "plain",
                "posting_sha256": "ab".repeat(32), "geometry": null}),
                &[plot]
            ));
        }
        let decision = w.passed("share_quantification");
        assert!(w.admit(&collective, "shares.quantify", json!({"decision": decision,
            "allocations": HOUSEHOLDS.iter().map(|h| json!({"CBFBM": h, "shares": 10})).collect::<Vec<_>>()}), &[]));
        // The heads are members of the collective (P4), so that deaths
        // and estates (I1, I2) can happen among the random entries.
        let membership = w.passed("membership");
        assert!(w.admit(
            &collective,
            "member.admit",
            json!({"decision": membership,
            "persons": (1..=3).map(|i| format!("{i:064x}")).collect::<Vec<_>>()}),
            &[]
        ));
        assert!(w.admit(
            &county,
            "transferee.qualify",
            json!({"party": all[3].2, "kind": "organisation", "project_sha256": "ab".repeat(32),
                   "risk_sha256": "ab".repeat(32), "approved": true}),
            &[]
        ));
        assert!(w.admit(
            &root_public,
            "county.settings",
            json!({"settings": {"share_cap_percent": null}, "reason": "test"}),
            &[]
        ));
        w
    }
}

/// The actors under the authority rules: the registry first (so that the
/// deals above verify title as the county), the exchange, the collective,
/// the transferee and the households as before, then the root key, the
/// other three departments and the log key (which signs only
/// `act.effect`).
pub fn actors_v2() -> Vec<(SignerKey, Role, String)> {
    let mut all = actors();
    let key = |n: u8| SignerKey::from_seed(&format!("d{n}"), [n + 100; 32]).unwrap();
    all[0] = (key(0), Role::County, COUNTY.to_owned());
    all.extend([
        (
            SignerKey::from_seed("root", [1; 32]).unwrap(),
            Role::County,
            COUNTY.to_owned(),
        ),
        (key(1), Role::County, COUNTY.to_owned()),
        (key(2), Role::County, COUNTY.to_owned()),
        (key(3), Role::County, COUNTY.to_owned()),
        (
            SignerKey::from_seed(&crate::model::log_origin(COUNTY), [99; 32]).unwrap(),
            Role::County,
            "log".to_owned(),
        ),
    ]);
    all
}

/// The first household's daughter, under the authority rules (A7).
pub const DAUGHTER: &str = "00000000000000000000000000000000000000000000000000000000000000d0";

pub const ROOT: usize = 7;
pub const LOG: usize = 11;
pub const DEPARTMENTS: [(usize, &str); 4] = [
    (0, "registry"),
    (8, "civil_registration"),
    (9, "justice"),
    (10, "natural_resources"),
];
