//! L1, as a property: for every kind, bodies generated from the kind's own
//! JSON Schema — and, in every field, arbitrary JSON values instead — are
//! either refused before anything is signed, or read back from the bytes
//! the log stores as the same command — whose body, written out again in
//! JCS, reads back as that command once more. What is signed is what is stored is what `verify` replays.

use serde_json::{json, Map, Value};

use super::{Envelope, SignerKey};
use crate::model::kinds::body_schema;
use crate::model::KINDS;

/// A small deterministic generator (xorshift), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const VKEY: &str = "sanquan/140421+d5a38aa7+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk";

/// Numbers at and around every edge that matters: I-JSON's 2^53 − 1, u64,
/// i64, fractions and exponents.
fn edge_number(rng: &mut Rng) -> Value {
    match rng.below(12) {
        0 => json!(0),
        1 => json!(1),
        2 => json!(7),
        3 => json!(9_007_199_254_740_991u64),
        4 => json!(9_007_199_254_740_992u64),
        5 => json!(u64::MAX),
        6 => json!(-1),
        7 => json!(i64::MIN),
        8 => json!(0.5),
        9 => json!(1e300),
        10 => json!(-9_007_199_254_740_991i64),
        _ => json!(rng.next() % 1000),
    }
}

fn any_string(rng: &mut Rng) -> Value {
    let pool = [
        "",
        "1",
        "0",
        "0.50",
        "12.5",
        "1e3",
        "-1",
        "140421",
        "14042100100101",
        "140421001001010001",
        "1404210010010100001",
        "14042100100101J",
        "2026-11-22",
        "2026-02-30",
        "x",
        "中文 名称",
        "e\u{301}",
        "\u{202e}abc",
        "（2026）晋0421民初123号",
        "91350100M000100Y43",
        VKEY,
    ];
    if rng.chance(10) {
        return Value::String("ab".repeat(rng.below(3000)));
    }
    if rng.chance(10) {
        return Value::String(format!("{:064x}", rng.next()).chars().take(64).collect());
    }
    Value::String((*rng.pick(&pool)).to_owned())
}

/// Any JSON value at all, to a small depth.
fn arbitrary(rng: &mut Rng, depth: u32) -> Value {
    match rng.below(if depth > 2 { 4 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => edge_number(rng),
        3 => any_string(rng),
        4 => Value::Array(
            (0..rng.below(3))
                .map(|_| arbitrary(rng, depth + 1))
                .collect(),
        ),
        5 => {
            let mut m = Map::new();
            for _ in 0..rng.below(3) {
                if let Value::String(k) = any_string(rng) {
                    m.insert(k.chars().take(12).collect(), arbitrary(rng, depth + 1));
                }
            }
            Value::Object(m)
        }
        _ => {
            json!({"type": "Polygon", "coordinates": [[[113.1, 36.2], [113.101, 36.2], [113.101, 36.201], [113.1, 36.2]]]})
        }
    }
}

/// A valid geometry, often; sometimes not.
fn geometry(rng: &mut Rng) -> Value {
    let (x, y) = (
        113.0 + rng.below(1000) as f64 * 1e-4,
        36.0 + rng.below(1000) as f64 * 1e-4,
    );
    match rng.below(4) {
        0 => arbitrary(rng, 1),
        1 => {
            json!({"type": "Polygon", "coordinates": [[[x, y], [x + 1e-3, y], [x + 1e-3, y + 1e-3], [x, y]]], "bbox": null})
        }
        _ => {
            json!({"type": "Polygon", "coordinates": [[[x, y], [x + 1e-3, y], [x + 1e-3, y + 1e-3], [x, y + 1e-3], [x, y]]]})
        }
    }
}

/// A value for `schema` (with the body's `$defs`), mostly fitting it.
fn generate(schema: &Value, defs: &Value, rng: &mut Rng, depth: u32) -> Value {
    if rng.chance(4) {
        return arbitrary(rng, depth);
    }
    let Value::Object(s) = schema else {
        // `true`: any value — a geometry here.
        return geometry(rng);
    };
    if let Some(Value::String(r)) = s.get("$ref") {
        let name = r.trim_start_matches("#/$defs/");
        return generate(&defs[name], defs, rng, depth);
    }
    if let Some(c) = s.get("const") {
        return c.clone();
    }
    if let Some(Value::Array(e)) = s.get("enum") {
        return rng.pick(e).clone();
    }
    for alt in ["oneOf", "anyOf"] {
        if let Some(Value::Array(options)) = s.get(alt) {
            return generate(rng.pick(options), defs, rng, depth);
        }
    }
    let ty = match s.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null")
            .to_owned(),
        _ => return geometry(rng),
    };
    match ty.as_str() {
        "string" => {
            // Self-checking fields (`model::fields`) and keys: mostly a
            // value of their form, now and then any string.
            match s.get("format").or(s.get("pattern")).and_then(Value::as_str) {
                _ if rng.chance(10) => any_string(rng),
                Some("date") => json!(format!(
                    "20{:02}-{:02}-{:02}",
                    rng.below(99),
                    rng.below(12) + 1,
                    rng.below(28) + 1
                )),
                Some("^[0-9a-f]{64}$") => json!(format!("{:016x}", rng.next()).repeat(4)),
                Some(p) if p.starts_with("^(0|[1-9]") => {
                    json!(format!("{}.{:02}", rng.below(100_000), rng.below(100)))
                }
                // Codes (`model::codes`): digits of their length, a contract's with J.
                Some(p) if p.starts_with("^[0-9]{") => {
                    let n: usize = p[7..]
                        .split('}')
                        .next()
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0);
                    let digits: String = (0..n)
                        .map(|i| char::from(b'1' + (rng.below(9) + i) as u8 % 9))
                        .collect();
                    json!(if p.ends_with("J$") {
                        format!("{digits}J")
                    } else {
                        digits
                    })
                }
                Some(_) => Value::String(VKEY.into()),
                None => any_string(rng),
            }
        }
        "integer" => {
            if rng.chance(70) {
                json!(rng.next() % 200)
            } else {
                edge_number(rng)
            }
        }
        "boolean" => Value::Bool(rng.chance(50)),
        "array" => {
            let items = s.get("items").cloned().unwrap_or(Value::Bool(true));
            Value::Array(
                (0..rng.below(4))
                    .map(|_| generate(&items, defs, rng, depth + 1))
                    .collect(),
            )
        }
        "object" => {
            let empty = Map::new();
            let props = s
                .get("properties")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            let required: Vec<&str> = s
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut out = Map::new();
            for (name, sub) in props {
                let include = required.contains(&name.as_str()) || rng.chance(50);
                if include && !(rng.chance(3)) {
                    out.insert(name.clone(), generate(sub, defs, rng, depth + 1));
                }
            }
            if rng.chance(3) {
                out.insert("unknown".into(), arbitrary(rng, depth + 1));
            }
            Value::Object(out)
        }
        _ => Value::Null,
    }
}

fn jcs(v: &Value) -> Vec<u8> {
    serde_json_canonicalizer::to_vec(v).expect("canonical JSON")
}

/// Signs `body` as `kind` and, if that is allowed, checks that the stored
/// bytes read back as the same command and write out byte for byte.
/// `Ok(true)` accepted, `Ok(false)` refused, `Err` a broken round trip.
fn round_trip(key: &SignerKey, kind: &str, body: &Value, n: usize) -> Result<bool, String> {
    let origin = "sanquan/140421";
    let Ok(env) = Envelope::sign(
        key,
        origin,
        kind,
        &format!("n{n}"),
        "2026-11-22T08:00:00Z",
        body.clone(),
    ) else {
        return Ok(false);
    };
    let stored = env.record(7, "2026-11-22T08:00:01Z");
    let record = super::Record::parse(&stored, origin)
        .map_err(|e| format!("stored record unreadable: {e}"))?;
    // (Compared in JCS: a position 113.0 received reads back as 113, the
    // same number.)
    if jcs(&record.envelope.command.body()) != jcs(&env.command.body()) {
        return Err("the stored bytes read back as another command".into());
    }
    if record.envelope.record(7, "2026-11-22T08:00:01Z") != stored {
        return Err("the stored record is not written back byte for byte".into());
    }
    // The body as its type writes it reads back as the same command: a
    // field left out and the same field at its default are one meaning.
    let written = env.command.body();
    match crate::model::Command::parse(
        kind,
        &serde_json::from_slice(&jcs(&written)).unwrap_or_default(),
    ) {
        Ok(again) if jcs(&again.body()) == jcs(&written) => {}
        other => {
            return Err(format!(
                "the body written out ({written}) reads back otherwise: {other:?}"
            ))
        }
    }
    Ok(true)
}

#[test]
fn every_kind_round_trips_whatever_its_fields_hold() {
    let key = SignerKey::from_seed("roundtrip", [5; 32]).unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let cases = 600;
    let mut accepted_kinds = 0;
    let mut accepted_total = 0;
    for kind in KINDS {
        let schema = body_schema(kind).expect("every kind has a schema");
        let defs = schema.get("$defs").cloned().unwrap_or(Value::Null);
        let mut accepted = 0;
        for n in 0..cases {
            let body = generate(&schema, &defs, &mut rng, 0);
            match round_trip(&key, kind, &body, n) {
                Ok(true) => accepted += 1,
                Ok(false) => {}
                Err(why) => panic!("{kind}: {why}\n body {body}"),
            }
        }
        accepted_kinds += usize::from(accepted > 0);
        accepted_total += accepted;
        assert!(
            accepted >= 3,
            "{kind}: only {accepted} of {cases} generated bodies were accepted"
        );
    }
    assert_eq!(accepted_kinds, KINDS.len());
    assert!(
        accepted_total > KINDS.len() * 20,
        "{accepted_total} accepted in all"
    );
}

/// The exact envelope of the report: a body number of 2^64 − 1 is refused
/// before it is signed, naming the field; 2^53 − 1 is a number like any.
#[test]
fn an_integer_past_i_json_is_refused_before_signing() {
    let key = SignerKey::from_seed("roundtrip", [5; 32]).unwrap();
    let body = |d: Value| json!({"mode": "lease", "DKBM": ["1404210010010100001"], "years": 5, "reserve": "100", "decision": d});
    for (d, refused) in [
        (json!(18_446_744_073_709_551_615u64), true),
        (json!(9_007_199_254_740_992u64), true),
        (json!(-9_007_199_254_740_992i64), true),
        (json!(2.5), true),
    ] {
        let got = Envelope::sign(
            &key,
            "sanquan/140421",
            "listing.submit",
            "n",
            "2026-11-22T08:00:00Z",
            body(d.clone()),
        );
        match got {
            Err(super::LedgerError::BadEnvelope { field, .. }) if refused => {
                assert_eq!(field, "entry.body.decision", "{d}")
            }
            other => panic!("{d}: {other:?}"),
        }
    }
    // Also in a geometry's positions.
    let geo = json!({"DKBM": "1404210010010100001", "DKMC": "x", "DKLB": "10", "TDYT": "1", "DLDJ": "01", "SFJBNT": "2",
        "geometry": {"type": "Polygon", "coordinates": [[[18_446_744_073_709_551_615u64, 1], [2, 1], [2, 2], [18_446_744_073_709_551_615u64, 1]]]}});
    assert!(matches!(
        Envelope::sign(&key, "sanquan/140421", "parcel.register", "n", "2026-11-22T08:00:00Z", geo),
        Err(super::LedgerError::BadEnvelope { field, .. }) if field == "entry.body.geometry.coordinates[0][0][0]"
    ));
}
