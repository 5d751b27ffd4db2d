//! The API described by the code: every entry the demo county's log holds
//! has a body its kind's published JSON Schema accepts, and the schema
//! refuses what the server refuses.

use std::collections::HashMap;

use sanquan::store::{queries, Db};
use serde_json::{json, Value};

use crate::common::{ok, sanquan, COUNTY};

/// A validator for `schema`, a part of the OpenAPI document, with its
/// references resolved from the document's root, as OpenAPI tools resolve
/// them.
fn from_root(doc: &Value, schema: &Value) -> jsonschema::Validator {
    let rooted = json!({"allOf": [schema], "components": doc["components"]});
    jsonschema::validator_for(&rooted).expect("the schema resolves from the root")
}

#[test]
fn every_demo_entry_fits_the_schema_of_its_kind() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    ok(&sanquan(&[
        "demo",
        "--load-only",
        "--data-dir",
        data.to_str().unwrap(),
    ]));
    let db = Db::open(data.join("sanquan.db").to_str().unwrap(), COUNTY).unwrap();
    let mut conn = db.conn().unwrap();
    let size = queries::log_size(&mut conn, COUNTY).unwrap();
    let doc = sanquan::api::openapi_document();
    let kinds = &doc["components"]["schemas"]["Envelope"]["properties"]["entry"]["x-kinds"];
    let mut validators: HashMap<String, jsonschema::Validator> = HashMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for index in 0..size {
        let leaf = queries::entry_leaf(&mut conn, COUNTY, index)
            .unwrap()
            .unwrap();
        let record: Value = serde_json::from_slice(&leaf).unwrap();
        let entry = &record["envelope"]["entry"];
        let kind = entry["kind"].as_str().unwrap().to_owned();
        let validator = validators
            .entry(kind.clone())
            .or_insert_with(|| from_root(&doc, &kinds[&kind]["body"]));
        let errors: Vec<String> = validator
            .iter_errors(&entry["body"])
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "entry {index} ({kind}): {errors:?}");
        *seen.entry(kind).or_default() += 1;
    }
    // Every envelope is one of the kinds' envelopes that `POST /entries`
    // takes, and only of its own kind's.
    let entry = from_root(&doc, &json!({"$ref": "#/components/schemas/Entry"}));
    for index in (0..size).step_by(7) {
        let leaf = queries::entry_leaf(&mut conn, COUNTY, index)
            .unwrap()
            .unwrap();
        let record: Value = serde_json::from_slice(&leaf).unwrap();
        let mut envelope = record["envelope"].clone();
        if envelope["entry"]["kind"] == "genesis" {
            continue;
        }
        let errors: Vec<String> = entry
            .iter_errors(&envelope)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "envelope {index}: {errors:?}");
        envelope["entry"]["kind"] = json!("no.such.kind");
        assert!(!entry.is_valid(&envelope), "envelope {index} of no kind");
    }
    // The demo writes a county's worth of kinds.
    assert!(seen.len() >= 25, "{seen:?}");

    // The served description's examples are the demo's own entries, and
    // each fits its kind's schema.
    let examples = sanquan::registry::Registry::reader(db.clone())
        .kind_examples()
        .unwrap();
    assert_eq!(examples.len(), seen.len());
    for (kind, body) in &examples {
        assert!(validators[kind].is_valid(body), "example of {kind}");
    }

    // The typed views of the reads fit their published schemas: each
    // decision, distribution and certificate the demo made, and its parties.
    let registry = sanquan::registry::Registry::reader(db.clone());
    let view = |name: &str| from_root(&doc, &doc["x-views"][name]);
    let (decision, distribution, certificate, party) = (
        view("DecisionView"),
        view("DistributionView"),
        view("CertificateView"),
        view("PartyView"),
    );
    let (parcel, parcels, collective, title, household) = (
        view("ParcelFeature"),
        view("ParcelCollection"),
        view("CollectiveFeature"),
        view("TitleView"),
        view("HouseholdView"),
    );
    let (income, attestations) = (view("IncomeView"), view("AttestationsOf"));
    let (listing, listings) = (view("ListingView"), view("ListingsView"));
    let attestation = view("AttestationView");
    let right = view("RightCertificateView");
    let mut checked = 0;
    let mut fits = |validator: &jsonschema::Validator, value: Value, what: String| {
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:?} in {value}");
        checked += 1;
    };
    fits(
        &listings,
        json!(registry.listings(None, None, None).unwrap()),
        "listings".into(),
    );
    for index in 0..size {
        let leaf = queries::entry_leaf(&mut conn, COUNTY, index)
            .unwrap()
            .unwrap();
        let record: Value = serde_json::from_slice(&leaf).unwrap();
        let entry = &record["envelope"]["entry"];
        match entry["kind"].as_str().unwrap() {
            "decision.record" => fits(
                &decision,
                json!(registry.decision(index).unwrap()),
                format!("decision {index}"),
            ),
            "dividend.distribute" => fits(
                &distribution,
                json!(registry.distribution(index).unwrap()),
                format!("distribution {index}"),
            ),
            "deal.settle" => {
                if let Ok(r) = registry.right_certificate(index) {
                    fits(&right, json!(r), format!("right {index}"));
                }
            }
            "certificate.issue" => {
                let code = entry["body"]["CBHTBM"].as_str().unwrap();
                fits(
                    &certificate,
                    json!(registry.certificate(code).unwrap()),
                    format!("certificate {code}"),
                );
            }
            "parcel.register" if index % 50 == 0 => {
                let code = entry["body"]["DKBM"].as_str().unwrap();
                fits(
                    &parcel,
                    json!(registry.parcel(code).unwrap()),
                    format!("parcel {code}"),
                );
                fits(
                    &title,
                    json!(registry.title(code).unwrap()),
                    format!("title {code}"),
                );
            }
            "household.register" => {
                let code = entry["body"]["CBFBM"].as_str().unwrap();
                fits(
                    &household,
                    json!(registry.household(code, None).unwrap()),
                    format!("household {code}"),
                );
                fits(
                    &income,
                    json!(registry.income(code).unwrap()),
                    format!("income of {code}"),
                );
                fits(
                    &attestations,
                    json!(registry.attestations_of(code).unwrap()),
                    format!("attestations of {code}"),
                );
            }
            "collective.register" => {
                let code = entry["body"]["FBFBM"].as_str().unwrap();
                fits(
                    &collective,
                    json!(registry.collective(code).unwrap()),
                    format!("collective {code}"),
                );
                let all = json!(registry.parcels(Some(code), None).unwrap());
                fits(&parcels, all, format!("parcels of {code}"));
            }
            "attest.retention" => fits(
                &attestation,
                json!(registry.attestation(index).unwrap()),
                format!("attestation {index}"),
            ),
            "listing.submit" => fits(
                &listing,
                json!(registry.listing(index).unwrap()),
                format!("listing {index}"),
            ),
            "key.register" => {
                let code = entry["body"]["party"].as_str().unwrap();
                fits(
                    &party,
                    json!(registry.party(code).unwrap()),
                    format!("party {code}"),
                );
            }
            _ => {}
        }
    }
    assert!(checked >= 10, "{checked} views checked");
    // What the server refuses, the schema refuses too.
    let grant = from_root(&doc, &kinds["contract.grant"]["body"]);
    let body = json!({"CBHTBM": "140421001001010001J", "CBFBM": "140421001001010001",
                      "DKBM": [], "start": "2026-01-01", "end": "2055-12-31",
                      "certificate_members": []});
    assert!(grant.is_valid(&body));
    for (field, bad) in [
        ("CBHTBM", "x"),
        ("CBFBM", "14042100100101"),
        ("start", "2026-1-1"),
    ] {
        let mut wrong = body.clone();
        wrong[field] = json!(bad);
        assert!(!grant.is_valid(&wrong), "{field}: {bad}");
    }
    let mut extra = body.clone();
    extra["zz"] = json!(1);
    assert!(!grant.is_valid(&extra));
    let mut missing = body;
    missing.as_object_mut().unwrap().remove("start");
    assert!(!grant.is_valid(&missing));
}

/// Every route the description names a view for is a described route, and
/// every view it names is described (`/api/v1/expropriations/{index}` once
/// named a view that was not).
#[test]
fn every_view_a_route_names_is_described() {
    let doc = sanquan::api::openapi_document();
    let mut named = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(view) = item["get"]["responses"]["200"]["x-view"].as_str() else {
            continue;
        };
        named += 1;
        assert!(
            item["get"]["summary"].is_string(),
            "{path}: a view for a route the description does not have"
        );
        assert!(
            doc["x-views"][view].is_object(),
            "{path} names {view}, which is not described"
        );
    }
    assert!(named >= 20, "{named}");
}

/// Every `$ref` in the served description resolves from the document's
/// root, as OpenAPI tools resolve it (none is left pointing at a `$defs`
/// that only a sub-schema had).
#[test]
fn every_reference_resolves_from_the_root() {
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let doc = sanquan::api::openapi_document();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 100, "{}", all.len());
    for r in all {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{r} is not local"));
        assert!(doc.pointer(pointer).is_some(), "{r} points nowhere");
    }
}
