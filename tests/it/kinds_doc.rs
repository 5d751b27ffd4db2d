//! `docs/kinds.md`, made from the kinds' one declaration
//! (`src/model/table.rs`): each kind's signers, the county offices whose
//! remit it is, whether it acts over a party and its second hands, its rule
//! ids and its body's fields (from the body's JSON Schema). Re-made with
//! `SANQUAN_BLESS=1 cargo test --test it doc`.

use serde_json::Value;

/// A field's type in a word or two, from its JSON Schema.
fn type_of(schema: &Value) -> String {
    if let Some(r) = schema["$ref"].as_str() {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    match (&schema["type"], &schema["items"]) {
        (Value::String(t), items) if t == "array" => format!("[{}]", type_of(items)),
        (Value::String(t), _) => t.clone(),
        (Value::Array(ts), _) => ts
            .iter()
            .filter_map(|t| t.as_str())
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join("|"),
        _ if schema["anyOf"].is_array() => schema["anyOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(type_of)
            .filter(|t| t != "null")
            .collect::<Vec<_>>()
            .join("|"),
        _ => "any".to_owned(),
    }
}

fn make() -> String {
    use sanquan::model::kinds::{
        body_schema, can_act_over, county_offices, rule_ids, second_hands, signers, KINDS,
    };
    use sanquan::model::roles::Office;
    let mut out = String::from(
        "# Entry kinds\n\n\
         <!-- Made from src/model/table.rs by tests/it/kinds_doc.rs; do not edit. -->\n\n\
         Every kind of entry the log takes, from its one declaration in\n\
         `src/model/table.rs`: who may sign it, for the county the offices whose\n\
         remit it is (A2), whether it can act over a party without that party's\n\
         signature (A1: then it takes effect only after a notice the party may\n\
         object to, and needs a second hand), the rule ids it checks\n\
         ([domain.md](domain.md), [rules.md](rules.md)) and its body's fields\n\
         (`*` required; the full JSON Schema is `body.<kind>` in\n\
         `/api/v1/openapi.json`).\n\n\
         | kind | signers | county offices | acts over a party (second hands) | rules | body |\n\
         |---|---|---|---|---|---|\n",
    );
    for k in KINDS {
        let schema = body_schema(k).unwrap_or_default();
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(|f| f.as_str()).collect())
            .unwrap_or_default();
        let fields: Vec<String> = schema["properties"]
            .as_object()
            .map(|p| {
                p.iter()
                    .map(|(name, s)| {
                        let star = if required.contains(&name.as_str()) {
                            "*"
                        } else {
                            ""
                        };
                        format!("`{name}`{star} {}", type_of(s))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let offices: Vec<&str> = county_offices(k)
            .iter()
            .map(|o| match o {
                Office::Root => "root",
                Office::Department(d) => d.as_str(),
            })
            .collect();
        let acts = if can_act_over(k) {
            let hands: Vec<&str> = second_hands(k).iter().map(|d| d.as_str()).collect();
            format!("yes ({})", hands.join(", "))
        } else {
            "no".to_owned()
        };
        let signers: Vec<&str> = signers(k).iter().map(|r| r.as_str()).collect();
        out.push_str(&format!(
            "| `{k}` | {} | {} | {acts} | {} | {} |\n",
            signers.join(", "),
            offices.join(", "),
            rule_ids(k).join(", "),
            fields.join(", ").replace('|', "\\|"),
        ));
    }
    out
}

#[test]
fn kinds_doc_is_current() {
    let made = make();
    assert_eq!(
        made.matches("\n| `").count(),
        sanquan::model::KINDS.len(),
        "one row per kind"
    );
    crate::common::made_doc("docs/kinds.md", None, &made);
}
