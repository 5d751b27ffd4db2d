//! The guarantee across time (#11): a contract never lapses by anyone's
//! inaction (C2), and land a household gave back of its own act (C6) may be
//! contracted again.

use sanquan::model::rights::base_rights;
use sanquan::store::queries;
use serde_json::{json, Value};

use crate::common::*;
use crate::common::{parcel, person, Market, NEIGHBOUR, SELLER};
use sanquan::model::person::PersonRecord;

/// A third household of the village, with no land.
const THIRD: &str = "140421001001010003";

fn third_household(m: &Market) {
    let p = person("王三", "11010519491231002X", 3);
    let env = sign(
        &m.collective,
        "household.register",
        json!({"CBFBM": THIRD, "members": [{"person": p.commitment(), "relation": "02"}]}),
    );
    let r = m.log.writer().submit_with_personal_blocking(env, vec![p]);
    assert_eq!(outcome(&r), "accepted");
}

/// THIRD as a married couple: the husband heads it, the wife married in.
fn couple(m: &Market) -> (PersonRecord, PersonRecord) {
    let (husband, wife) = (
        person("王四", "140421198503150029", 4),
        person("李五", "140421199006200042", 5),
    );
    let env = sign(
        &m.collective,
        "household.register",
        json!({"CBFBM": THIRD, "members": [
            {"person": husband.commitment(), "relation": "02"},
            {"person": wife.commitment(), "relation": "10"}]}),
    );
    let r = m
        .log
        .writer()
        .submit_with_personal_blocking(env, vec![husband.clone(), wife.clone()]);
    assert_eq!(outcome(&r), "accepted");
    (husband, wife)
}

/// The seller's head becomes a member of the collective (P4), as its
/// members' assembly decided; returns her commitment.
pub(crate) fn admit_head(m: &Market) -> String {
    let decision = m.ok(
        &m.collective,
        "decision.record",
        json!({"assembly": "members_assembly", "subject": "membership", "question": "q", "date": "2026-11-20",
               "eligible": 90, "present": 80, "for": 70, "against": 10, "minutes_sha256": "ab".repeat(32)}),
    );
    let head = m.head.commitment();
    m.ok(
        &m.collective,
        "member.admit",
        json!({"decision": decision, "persons": [head]}),
    );
    head
}

/// Parcel `n` of the village, a square at `lon`.
fn new_parcel(m: &Market, n: u32, lon: f64) {
    let g = json!({"type": "Polygon", "coordinates": [[[lon, 36.001], [lon + 0.0005, 36.001], [lon + 0.0005, 36.0015], [lon, 36.0015], [lon, 36.001]]]});
    m.ok(
        &m.collective,
        "parcel.register",
        json!({"DKBM": parcel(n), "DKMC": "西坡地", "DKLB": "10", "TDYT": "1", "DLDJ": "05", "SFJBNT": "1", "geometry": g}),
    );
}

fn grant_to_third(m: &Market, parcels: &[String]) -> String {
    let members: Vec<String> = queries::load_households(
        &mut m.log.db.conn().unwrap(),
        COUNTY,
        queries::HouseholdsOf::Code(THIRD),
    )
    .unwrap()[THIRD]
        .members
        .iter()
        .map(|x| x.person.clone())
        .collect();
    let today = m.log.clock.now().date_naive();
    let start = today.format("%Y-%m-01").to_string();
    let start_day: chrono::NaiveDate = start.parse().unwrap();
    let end = start_day
        .checked_add_months(chrono::Months::new(12 * 30))
        .unwrap()
        .pred_opt()
        .unwrap();
    outcome(&m.log.submit(
        &m.collective,
        "contract.grant",
        json!({"CBHTBM": format!("{THIRD}J"), "CBFBM": THIRD, "DKBM": parcels,
               "start": start, "end": end.to_string(), "certificate_members": members}),
    ))
}

/// Forest parcel 4 joins the seller's contract; returns the contract's code.
fn forest_for_seller(m: &Market) -> String {
    let g = json!({"type": "Polygon", "coordinates": [[[113.006, 36.001], [113.0065, 36.001], [113.0065, 36.0015], [113.006, 36.0015], [113.006, 36.001]]]});
    m.ok(
        &m.collective,
        "parcel.register",
        json!({"DKBM": parcel(4), "DKMC": "后山林地", "DKLB": "10", "TDYT": "2", "DLDJ": "06", "SFJBNT": "2", "geometry": g}),
    );
    let contract = format!("{SELLER}J");
    m.ok(
        &m.collective,
        "contract.extend",
        json!({"CBHTBM": contract, "DKBM": [parcel(4)]}),
    );
    contract
}

fn holds(m: &Market, household: &str, contract: &str) -> bool {
    let state = queries::load_state(&mut m.log.db.conn().unwrap(), COUNTY).unwrap();
    base_rights(&state, household, m.log.clock.now().date_naive())
        .contracts
        .iter()
        .any(|k| k.code == contract)
}

/// C2, G1: thirty years on, with nobody having done anything, the arable
/// land is still the household's — extended by law — and the collective may
/// not grant it to another; it records the extension, and that is all.
#[test]
fn an_arable_contract_past_its_end_stays_the_households() {
    Market::on_each_backend(|m| {
        third_household(m);
        let contract = format!("{SELLER}J");
        // The contract ends 2055-12-31; time runs on to mid-2056.
        let to = chrono::NaiveDate::from_ymd_opt(2056, 6, 1).unwrap();
        let days = (to - m.log.clock.now().date_naive()).num_days();
        m.log.clock.advance(chrono::Duration::days(days));

        assert!(holds(m, SELLER, &contract), "time took the contract");
        assert_eq!(grant_to_third(m, &[parcel(1)]), "parcel_contracted");
        let title = m.registry().title(&parcel(1)).unwrap();
        assert_eq!(title.holder.as_deref(), Some(SELLER));
        assert!(title.contract.as_ref().unwrap().extended_by_law);

        // Nor is the household stuck waiting for the collective's record: it
        // may lease its land for the term extended by law.
        assert_eq!(
            outcome(&m.log.submit(
                &m.seller,
                "listing.submit",
                crate::common::lease(&[&parcel(2)], "2057-01-01", "2060-12-31"),
            )),
            "accepted"
        );

        // The collective records the extension: another thirty years.
        assert_eq!(
            outcome(&m.log.submit(
                &m.collective,
                "contract.renew",
                json!({"CBHTBM": contract, "end": "2085-12-31"}),
            )),
            "accepted"
        );
        let title = m.registry().title(&parcel(1)).unwrap();
        assert!(!title.contract.as_ref().unwrap().extended_by_law);
        assert!(holds(m, SELLER, &contract));
        m.verifies();
    });
}

/// C6: land the household returned of its own act goes back to the
/// collective when the return takes effect, and the collective may contract
/// it again (the projection once refused it and answered 503).
#[test]
fn returned_land_is_contracted_again() {
    Market::on_each_backend(|m| {
        third_household(m);
        let contract = format!("{SELLER}J");
        let effective = (m.log.clock.now().date_naive() + chrono::Duration::days(200)).to_string();
        assert_eq!(
            outcome(&m.log.submit(
                &m.seller,
                "contract.return",
                json!({"CBHTBM": contract, "effective": effective, "compensation": "5000.00"}),
            )),
            "accepted"
        );
        // Until it takes effect, the land is still the household's.
        assert_eq!(grant_to_third(m, &[parcel(1)]), "parcel_contracted");
        m.log.clock.advance(chrono::Duration::days(230));
        assert!(!holds(m, SELLER, &contract));
        assert_eq!(grant_to_third(m, &[parcel(1), parcel(2)]), "accepted");
        let title = m.registry().title(&parcel(1)).unwrap();
        assert_eq!(title.holder.as_deref(), Some(THIRD));
        m.verifies();
    });
}

/// C3, W1: a contract's certificate names every member of the household; a
/// grant that leaves one out — a wife married in, a daughter — is refused.
#[test]
fn a_certificate_that_leaves_out_a_member_is_refused() {
    Market::on_each_backend(|m| {
        let (husband, wife) = couple(m);
        new_parcel(m, 4, 113.005);
        let grant = |members: Vec<String>| {
            m.log.submit(
                &m.collective,
                "contract.grant",
                json!({"CBHTBM": format!("{THIRD}J"), "CBFBM": THIRD, "DKBM": [parcel(4)],
                       "start": "2026-01-01", "end": "2055-12-31", "certificate_members": members}),
            )
        };
        let refused = grant(vec![husband.commitment()]);
        assert_eq!(outcome(&refused), "bad_attribute");
        let Err(sanquan::store::SubmitError::Refused(e)) = refused else {
            unreachable!()
        };
        assert_eq!(
            sanquan::model::Refusal::field(&e).as_deref(),
            Some("entry.body.certificate_members")
        );
        assert!(e.to_string().contains(&wife.commitment()));
        assert_eq!(
            outcome(&grant(vec![husband.commitment(), wife.commitment()])),
            "accepted"
        );
    });
}

/// M4: after settlement the exchange pays the whole price out of escrow to
/// the household, once; until then the household's income shows it held.
#[test]
fn the_price_is_paid_out_to_the_household_once_after_settlement() {
    Market::on_each_backend(|m| {
        let id = m.verified_deal(1);
        let release = |key: &sanquan::ledger::SignerKey, amount: &str| {
            outcome(&m.log.submit(
                key,
                "payment.release",
                json!({"listing": id, "amount": amount}),
            ))
        };
        // Not before the deal settles.
        assert_eq!(release(&m.exchange, "12000.00"), "wrong_stage");
        m.ok(
            &m.exchange,
            "payment.confirm",
            json!({"listing": id, "amount": "12000.00"}),
        );
        m.ok(
            &m.exchange,
            "deal.settle",
            json!({"listing": id, "certificate_no": "JZ-1"}),
        );
        let income = || m.registry().income(SELLER).unwrap();
        assert!(income().transfers.iter().any(|t| t.listing == id && t.held));
        // Only the exchange, only the whole price, only once.
        assert_eq!(release(&m.seller, "12000.00"), "kind_not_allowed");
        assert_eq!(release(&m.exchange, "11000.00"), "bad_attribute");
        assert_eq!(release(&m.exchange, "12000.00"), "accepted");
        assert_eq!(release(&m.exchange, "12000.00"), "bad_attribute");
        assert!(income()
            .transfers
            .iter()
            .any(|t| t.listing == id && !t.held));
        // M6: a lease of ten years is a registered right with its
        // certificate; the household keeps its contract (G2).
        let settled = m.listing(id).settled_at.unwrap();
        let reader = || m.registry();
        let cert = reader().right_certificate(settled).unwrap();
        assert_eq!(
            (cert.holder.as_str(), cert.household.as_str()),
            (crate::common::NEIGHBOUR, SELLER)
        );
        assert_eq!(cert.parcels[0].code, parcel(1));
        assert!(reader().right_certificate(id).is_err());
        m.verifies();
    });
}

/// W2: a member takes her share out of the household — her land and her
/// shares — by her own application, recorded by the collective, without the
/// head of household's key; the head's household cannot be named by anyone
/// else's collective, and a household divides only itself.
#[test]
fn a_woman_takes_her_share_out_without_the_heads_key() {
    for backend in backends() {
        let m = Market::new(backend);
        let (husband, wife) = couple(&m);
        new_parcel(&m, 4, 113.005);
        new_parcel(&m, 5, 113.006);
        m.ok(
            &m.collective,
            "contract.grant",
            json!({"CBHTBM": format!("{THIRD}J"), "CBFBM": THIRD, "DKBM": [parcel(4), parcel(5)],
                   "start": "2026-01-01", "end": "2055-12-31",
                   "certificate_members": [husband.commitment(), wife.commitment()]}),
        );
        let her = "140421001001010004";
        let split = |from: Option<&str>| {
            let mut body = json!({"CBFBM": her, "members": [{"person": wife.commitment(), "relation": "02"}],
                                  "DKBM": [parcel(5)], "agreement_sha256": "cd".repeat(32)});
            if let Some(f) = from {
                body["from"] = json!(f);
            }
            body
        };
        // The collective must name the household; another household may
        // not divide this one.
        assert_eq!(
            outcome(&m.log.submit(&m.collective, "household.split", split(None))),
            "bad_attribute"
        );
        assert_eq!(
            outcome(
                &m.log
                    .submit(&m.seller, "household.split", split(Some(THIRD)))
            ),
            "bad_attribute"
        );
        // Recorded on her application by the collective, or on a court's
        // decision by the county (R1): one run each way.
        let recorder = match backend {
            Backend::Sqlite => &m.collective,
            Backend::Postgres => &m.log.county_key,
        };
        assert_eq!(
            outcome(
                &m.log
                    .submit(recorder, "household.split", split(Some(THIRD)))
            ),
            "accepted"
        );
        // She holds her land under a contract of her own for the rest of the
        // term; he keeps the rest.
        let state = queries::load_state(&mut m.log.db.conn().unwrap(), COUNTY).unwrap();
        let today = m.log.clock.now().date_naive();
        let hers = base_rights(&state, her, today);
        assert_eq!(hers.contracts.len(), 1);
        assert_eq!(hers.contracts[0].parcels, vec![parcel(5)]);
        assert_eq!(
            base_rights(&state, THIRD, today).contracts[0].parcels,
            vec![parcel(4)]
        );
        m.verifies();
    }
}

/// P4, G1: a member leaves the collective only by her own act — her
/// household's signature on the entry naming her, with the collective's as
/// its consent; the collective alone cannot record her "voluntary" exit.
#[test]
fn leaving_the_collective_is_the_members_own_act() {
    Market::on_each_backend(|m| {
        let head = admit_head(m);
        let exit =
            json!({"person": head, "reason": "voluntary_exit", "document_sha256": "cd".repeat(32)});
        m.refused(
            &m.collective,
            "member.end",
            exit.clone(),
            "consent_missing",
            "cosigs",
        );
        // Another household's signature is not hers.
        let mut env = sign(&m.collective, "member.end", exit.clone());
        env.cosign(&m.neighbour);
        assert_eq!(
            outcome(&m.log.writer().submit_blocking(env)),
            "consent_missing"
        );
        // G4: a voluntary exit states its compensation, more than zero.
        let mut env = sign(&m.collective, "member.end", exit.clone());
        env.cosign(&m.seller);
        assert_eq!(
            outcome(&m.log.writer().submit_blocking(env)),
            "bad_attribute"
        );
        let mut exit = exit;
        exit["compensation"] = json!("20000.00");
        let left = m.ok_cosigned(&m.collective, &m.seller, "member.end", exit.clone());
        let member = |m: &Market| {
            queries::load_state(&mut m.log.db.conn().unwrap(), COUNTY)
                .unwrap()
                .memberships[&head]
                .ended
                .is_none()
        };
        assert!(!member(m));
        // ... and hers to take back within the cooling-off window (G4).
        let withdraw = |at: u64| json!({"surrender": at, "reason": "想清楚了，不退了"});
        m.ok(&m.seller, "surrender.withdraw", withdraw(left));
        assert!(member(m), "the withdrawn exit left her a member");
        let left = m.ok_cosigned(&m.collective, &m.seller, "member.end", exit);
        m.log.clock.advance(chrono::Duration::days(31));
        m.refused(
            &m.seller,
            "surrender.withdraw",
            withdraw(left),
            "cooling_off_over",
            "entry.body.surrender",
        );
        assert!(!member(m));
        m.verifies();
    });
}

/// I1, I2: while a member lives the land stays the household's; once its
/// last member has died, the collective settles the estate — its arable land
/// returns with the heirs' compensation recorded — and may contract it again.
#[test]
fn the_last_members_death_returns_arable_land_with_the_heirs_compensation() {
    Market::on_each_backend(|m| {
        third_household(m);
        let head = admit_head(m);
        let estate = json!({"CBFBM": SELLER, "heirs": [NEIGHBOUR], "heirs_compensation": "3000.00",
                            "document_sha256": "ef".repeat(32)});
        m.refused(
            &m.collective,
            "estate.settle",
            estate.clone(),
            "bad_attribute",
            "entry.body.CBFBM",
        );
        m.ok(
            &m.collective,
            "member.end",
            json!({"person": head, "reason": "death", "document_sha256": "cd".repeat(32)}),
        );
        // Dying ends the membership, not the land (I1); settling the estate
        // is the collective's, not another household's.
        assert!(holds(m, SELLER, &format!("{SELLER}J")));
        m.refused(
            &m.neighbour,
            "estate.settle",
            estate.clone(),
            "kind_not_allowed",
            "entry.signer",
        );
        m.ok(&m.collective, "estate.settle", estate);
        assert!(!holds(m, SELLER, &format!("{SELLER}J")));
        let title = m.registry().title(&parcel(1)).unwrap();
        let returned = title.contract.unwrap().returned.unwrap();
        assert_eq!(returned.compensation, "3000.00");
        assert_eq!(grant_to_third(m, &[parcel(1)]), "accepted");
        m.verifies();
    });
}

/// I2–I4: when the last member dies, the arable land of a contract returns,
/// but its forest land stays under the contract for the rest of the term,
/// and the house with its homestead and the shares stay — all held for the
/// heirs the collective names (a household of the county, or a person by
/// commitment), once.
#[test]
fn an_estate_keeps_forest_land_the_house_and_the_shares_for_the_heirs() {
    Market::on_each_backend(|m| {
        third_household(m);
        // Forest land joins the seller's contract; the county grants its homestead.
        let contract = forest_for_seller(m);
        let plot = json!({"type": "Polygon", "coordinates": [[[113.005, 36.005], [113.00511, 36.005], [113.00511, 36.0051], [113.005, 36.0051], [113.005, 36.005]]]});
        m.ok(
            &m.log.county_key,
            "homestead.grant",
            json!({"CBFBM": SELLER, "terrain": "plain", "posting_sha256": "ef".repeat(32), "geometry": plot}),
        );
        let head = admit_head(m);
        m.ok(
            &m.collective,
            "member.end",
            json!({"person": head, "reason": "death", "document_sha256": "cd".repeat(32)}),
        );
        let urban_heir = "7f".repeat(32);
        let estate = |heirs: Value| {
            json!({"CBFBM": SELLER, "heirs": heirs, "heirs_compensation": "1500.00",
                   "document_sha256": "ef".repeat(32)})
        };
        for heirs in [json!([]), json!([SELLER]), json!(["140421001001019999"])] {
            m.refused(
                &m.collective,
                "estate.settle",
                estate(heirs),
                "bad_attribute",
                "entry.body.heirs",
            );
        }
        m.ok(
            &m.collective,
            "estate.settle",
            estate(json!([NEIGHBOUR, urban_heir])),
        );
        m.refused(
            &m.collective,
            "estate.settle",
            estate(json!([NEIGHBOUR])),
            "bad_attribute",
            "entry.body.CBFBM",
        );
        // The arable land returned and may be contracted again; the forest
        // land is still the contract's, the homestead still the household's.
        let state = m.state();
        assert_eq!(state.contracts[&contract].parcels, vec![parcel(4)]);
        assert!(holds(m, SELLER, &contract));
        assert!(state.homesteads[SELLER].exited.is_none());
        assert_eq!(grant_to_third(m, &[parcel(1), parcel(2)]), "accepted");
        let view = m.registry().household(SELLER, None).unwrap();
        let e = view.estate.expect("the household shows its estate");
        assert_eq!(e.heirs, vec![NEIGHBOUR.to_owned(), urban_heir]);
        assert_eq!(e.compensation, "1500.00");
        assert!(view.homestead.is_some());
        m.verifies();
    });
}

/// M6, M2: the county issues the 土地经营权证 of a registered right, once;
/// the company that holds the right pledges it only with that certificate
/// and the household's written consent, its cosignature.
#[test]
fn a_transferee_pledges_its_certified_right_with_the_households_consent() {
    Market::on_each_backend(|m| {
        let id = m.reviewed_lease(1, "2027-01-01");
        m.awarded(
            id,
            &[(&m.outsider, crate::common::OUTSIDER)],
            "12000.00",
            &m.seller,
        );
        let right = m.settle(id, "12000.00");
        let pledge = |r: Option<u64>| {
            let mut body = json!({"DKBM": parcel(1), "kind": "pledge", "reason": "向农商行贷款",
                                  "document_sha256": "ab".repeat(32)});
            if let Some(r) = r {
                body["right"] = json!(r);
            }
            body
        };
        let kind = "encumbrance.register";
        m.refused(
            &m.outsider,
            kind,
            pledge(None),
            "bad_attribute",
            "entry.body.right",
        );
        m.refused(
            &m.outsider,
            kind,
            pledge(Some(right)),
            "bad_attribute",
            "entry.body.right",
        );
        let certify = json!({"right": right, "certificate_no": "平顺经营权证 2026-0001"});
        m.refused(
            &m.collective,
            "right.certify",
            certify.clone(),
            "kind_not_allowed",
            "entry.signer",
        );
        let issued = m.ok(&m.log.county_key, "right.certify", certify.clone());
        m.refused(
            &m.log.county_key,
            "right.certify",
            certify,
            "bad_attribute",
            "entry.body.right",
        );
        m.refused(
            &m.outsider,
            kind,
            pledge(Some(right)),
            "consent_missing",
            "cosigs",
        );
        // The household's own pledge never names a transferee's right.
        m.refused(
            &m.seller,
            kind,
            pledge(Some(right)),
            "party_not_allowed",
            "entry.body.DKBM",
        );
        let pledged = m.ok_cosigned(&m.outsider, &m.seller, kind, pledge(Some(right)));
        let state = m.state();
        assert_eq!(state.encumbrances[&pledged].by, crate::common::OUTSIDER);
        let cert = m.registry().right_certificate(right).unwrap();
        let certified = cert.certified.expect("the certificate is issued");
        assert_eq!(
            (certified.index, certified.certificate_no.as_str()),
            (issued, "平顺经营权证 2026-0001")
        );
        m.verifies();
    });
}

/// C3: a baby born into the household joins it (her personal record off the
/// log) and is named on its next certificate — issued after a new notice;
/// nobody is dropped from it.
#[test]
fn a_member_born_later_is_named_on_the_next_certificate() {
    Market::on_each_backend(|m| {
        let (husband, wife) = couple(m);
        new_parcel(m, 4, 113.005);
        assert_eq!(grant_to_third(m, &[parcel(4)]), "accepted");
        let contract = format!("{THIRD}J");
        let notice = |m: &Market| {
            let today = m.log.clock.now().date_naive();
            let id = m.ok(
                &m.collective,
                "notice.post",
                json!({"CBHTBM": [contract], "from": today.to_string(),
                       "to": (today + chrono::Duration::days(6)).to_string(), "posting_sha256": "ab".repeat(32)}),
            );
            m.log.clock.advance(chrono::Duration::days(8));
            id
        };
        let issue = |n: u64| json!({"CBHTBM": contract, "notice": n});
        let first = notice(m);
        m.ok(&m.collective, "certificate.issue", issue(first));

        let baby = person("王小", "140421202503010025", 6);
        let join = json!({"CBFBM": THIRD, "members": [{"person": baby.commitment(), "relation": "30"}],
                          "document_sha256": "ab".repeat(32)});
        // Not another household's clerk or key; not without her record.
        let env = sign(&m.neighbour, "household.join", join.clone());
        assert_eq!(
            outcome(
                &m.log
                    .writer()
                    .submit_with_personal_blocking(env, vec![baby.clone()])
            ),
            "party_not_allowed"
        );
        let env = sign(&m.collective, "household.join", join.clone());
        assert_eq!(
            outcome(&m.log.writer().submit_blocking(env)),
            "personal_data_missing"
        );
        let env = sign(&m.collective, "household.join", join.clone());
        let r = m
            .log
            .writer()
            .submit_with_personal_blocking(env, vec![baby.clone()]);
        assert_eq!(outcome(&r), "accepted");
        // Joining twice is refused: she belongs to a household now.
        let env = sign(&m.collective, "household.join", join);
        assert_eq!(
            outcome(
                &m.log
                    .writer()
                    .submit_with_personal_blocking(env, vec![baby.clone()])
            ),
            "person_in_household"
        );

        // The old notice's certificate is not issued again; a new notice's is,
        // naming her and everyone before.
        m.refused(
            &m.collective,
            "certificate.issue",
            issue(first),
            "certificate_issued",
            "entry.body.CBHTBM",
        );
        let second = notice(m);
        m.ok(&m.collective, "certificate.issue", issue(second));
        let named = &m.state().contracts[&contract].certificate_members;
        assert_eq!(
            named,
            &vec![husband.commitment(), wife.commitment(), baby.commitment()]
        );
        m.verifies();
    });
}

/// R1: an award or judgment in force, recorded by the county with its
/// document's hash, decides: a lease annulled ends, a contract passes to the
/// household the court names — without the holder's key, and only so.
#[test]
fn an_award_in_force_decides_a_dispute() {
    Market::on_each_backend(|m| {
        third_household(m);
        let id = m.verified_deal(1);
        m.ok(
            &m.exchange,
            "payment.confirm",
            json!({"listing": id, "amount": "12000.00"}),
        );
        let right = m.ok(
            &m.exchange,
            "deal.settle",
            json!({"listing": id, "certificate_no": "JZ-1"}),
        );
        let today = m.log.clock.now().date_naive().to_string();
        let award = |effect: Value| {
            json!({"tribunal": "arbitration", "case_no": "平农仲字〔2026〕第 7 号", "in_force_on": today,
                   "document_sha256": "9a".repeat(32), "effect": effect})
        };
        let end_lease = award(json!({"right_end": {"right": right}}));
        // Only the county records an award; not the household, not the collective.
        for key in [&m.seller, &m.collective] {
            m.refused(
                key,
                "dispute.award",
                end_lease.clone(),
                "kind_not_allowed",
                "entry.signer",
            );
        }
        let mut later = end_lease.clone();
        later["in_force_on"] = json!("2099-01-01");
        m.refused(
            &m.log.county_key,
            "dispute.award",
            later,
            "bad_attribute",
            "entry.body.in_force_on",
        );
        let ended = m.ok(&m.log.county_key, "dispute.award", end_lease);
        assert_eq!(
            m.state().rights[&right].ended,
            Some((ended, "award".into()))
        );
        // A contract passes to another household of the village, which holds none.
        let contract = format!("{SELLER}J");
        m.refused(
            &m.log.county_key,
            "dispute.award",
            award(json!({"contract_holder": {"CBHTBM": contract, "CBFBM": NEIGHBOUR}})),
            "bad_attribute",
            "entry.body.effect",
        );
        m.ok(
            &m.log.county_key,
            "dispute.award",
            award(json!({"contract_holder": {"CBHTBM": contract, "CBFBM": THIRD}})),
        );
        assert!(holds(m, THIRD, &contract));
        m.verifies();
    });
}

/// C2 for forest land: past the end of its term the household keeps its
/// priority to renew, so the land is granted to no one else meanwhile.
#[test]
fn forest_land_past_its_term_is_granted_to_no_one_else() {
    Market::on_each_backend(|m| {
        third_household(m);
        let contract = forest_for_seller(m);
        let to = chrono::NaiveDate::from_ymd_opt(2056, 6, 1).unwrap();
        let days = (to - m.log.clock.now().date_naive()).num_days();
        m.log.clock.advance(chrono::Duration::days(days));
        assert!(holds(m, SELLER, &contract), "time took the forest land");
        assert_eq!(grant_to_third(m, &[parcel(4)]), "parcel_contracted");
        let title = m.registry().title(&parcel(4)).unwrap();
        assert_eq!(title.holder.as_deref(), Some(SELLER));
        m.verifies();
    });
}

/// C2: the second-round extension for a whole collective at once — after a
/// notice, thirty more years for every arable contract it listed, then new
/// certificates on the same notice; never before the notice closes, never for
/// a contract not due.
#[test]
fn the_collective_extends_every_contract_after_one_notice() {
    Market::on_each_backend(|m| {
        let to = chrono::NaiveDate::from_ymd_opt(2055, 6, 1).unwrap();
        let days = (to - m.log.clock.now().date_naive()).num_days();
        m.log.clock.advance(chrono::Duration::days(days));
        let contracts = [format!("{SELLER}J"), format!("{NEIGHBOUR}J")];
        let today = m.log.clock.now().date_naive();
        let notice = m.ok(
            &m.collective,
            "notice.post",
            json!({"CBHTBM": contracts, "from": today.to_string(),
                   "to": (today + chrono::Duration::days(9)).to_string(), "posting_sha256": "ab".repeat(32)}),
        );
        let all = json!({"notice": notice});
        m.refused(
            &m.collective,
            "contract.renew_all",
            all.clone(),
            "bad_attribute",
            "entry.body.notice",
        );
        m.log.clock.advance(chrono::Duration::days(12));
        m.refused(
            &m.seller,
            "contract.renew_all",
            all.clone(),
            "kind_not_allowed",
            "entry.signer",
        );
        m.ok(&m.collective, "contract.renew_all", all.clone());
        let state = m.state();
        for code in &contracts {
            let k = &state.contracts[code];
            assert_eq!(
                (k.start.to_string(), k.end.to_string()),
                ("2056-01-01".to_owned(), "2085-12-31".to_owned()),
                "{code}"
            );
            m.ok(
                &m.collective,
                "certificate.issue",
                json!({"CBHTBM": code, "notice": notice}),
            );
        }
        // Once extended, they are not due again for decades.
        m.refused(
            &m.collective,
            "contract.renew_all",
            all,
            "bad_attribute",
            "entry.body.notice",
        );
        m.verifies();
    });
}
