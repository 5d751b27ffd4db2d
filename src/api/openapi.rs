//! The OpenAPI description of `/api/v1`: the routes from their table
//! (`table.rs`), the entry kinds from their one declaration
//! (`model::table`), and every body and view as a schema under
//! `components/schemas`, with references that resolve from the root.

/// The JSON Schema of a view as it is written out (a field left out when
/// empty is not required).
fn view_schema<V: schemars::JsonSchema>() -> serde_json::Value {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<V>()
        .to_value()
}

/// Puts `schema` (a JSON Schema as schemars writes it) under
/// `components/schemas/{name}`, its `$defs` beside it there and its
/// references rewritten to resolve from the document's root, as OpenAPI
/// tools resolve them; returns a reference to it.
fn lift(
    doc: &mut serde_json::Value,
    name: &str,
    mut schema: serde_json::Value,
) -> serde_json::Value {
    fn rewrite(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::String(r)) = m.get_mut("$ref") {
                    if let Some(def) = r.strip_prefix("#/$defs/") {
                        *r = format!("#/components/schemas/{def}");
                    }
                }
                // A property that may be anything (`true`, a GeoJSON
                // geometry) is the empty schema, which generators read.
                if let Some(serde_json::Value::Object(props)) = m.get_mut("properties") {
                    for p in props.values_mut().filter(|p| p.as_bool() == Some(true)) {
                        *p = serde_json::json!({});
                    }
                }
                m.values_mut().for_each(rewrite);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(rewrite),
            _ => {}
        }
    }
    rewrite(&mut schema);
    let schemas = &mut doc["components"]["schemas"];
    if let Some(serde_json::Value::Object(defs)) =
        schema.as_object_mut().and_then(|m| m.remove("$defs"))
    {
        for (def, s) in defs {
            // The same type under the same name, whoever uses it.
            schemas[def.as_str()] = s;
        }
    }
    if let Some(m) = schema.as_object_mut() {
        m.remove("$schema");
        // Generators name a model by its title: the component's own name,
        // so that two uses of one generic type (`Feature<…>`) differ.
        m.insert("title".into(), name.into());
    }
    schemas[name] = schema;
    serde_json::json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// Writes a `oneOf` of string constants and string enums (a Rust enum of
/// unit variants; those with a doc come as constants) as one string `enum`,
/// the variants' words kept beside it (`x-enum-descriptions`): generators
/// read an `enum`, not a union of constants.
fn constants_as_enums(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            let words: Option<Vec<(serde_json::Value, serde_json::Value)>> = m
                .get("oneOf")
                .and_then(|o| o.as_array())
                .and_then(|members| {
                    members
                        .iter()
                        .map(|c| {
                            let about = c.get("description").cloned().unwrap_or_default();
                            match (c.get("const"), c.get("enum")) {
                                (Some(w @ serde_json::Value::String(_)), _) => {
                                    Some(vec![(w.clone(), about)])
                                }
                                // Undocumented variants come as one enum.
                                (None, Some(serde_json::Value::Array(ws)))
                                    if ws.iter().all(|w| w.is_string()) =>
                                {
                                    Some(ws.iter().map(|w| (w.clone(), about.clone())).collect())
                                }
                                _ => None,
                            }
                        })
                        .collect::<Option<Vec<Vec<_>>>>()
                        .map(|groups| groups.concat())
                });
            if let Some(words) = words {
                m.remove("oneOf");
                m.insert("type".into(), "string".into());
                let (values, about): (Vec<_>, Vec<_>) = words.into_iter().unzip();
                m.insert("enum".into(), values.into());
                m.insert("x-enum-descriptions".into(), about.into());
            }
            m.values_mut().for_each(constants_as_enums);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(constants_as_enums),
        _ => {}
    }
}

/// Gives each object of a component's `oneOf` (a Rust enum's variants)
/// a component of its own, `{name}.{variant}`, referenced from the `oneOf`:
/// generators make a model of each, where inline ones make them stumble.
fn hoist_variants(doc: &mut serde_json::Value) {
    let Some(schemas) = doc["components"]["schemas"].as_object_mut() else {
        return;
    };
    let mut hoisted = Vec::new();
    for (name, schema) in schemas.iter_mut() {
        let Some(members) = schema.get_mut("oneOf").and_then(|o| o.as_array_mut()) else {
            continue;
        };
        for (i, member) in members.iter_mut().enumerate() {
            if member.get("properties").is_none() {
                continue;
            }
            // A variant is named by its one required property, if it has one.
            let variant = match member["required"].as_array().map(|r| r.as_slice()) {
                Some([serde_json::Value::String(only)]) => only.clone(),
                _ => i.to_string(),
            };
            let at = format!("{name}.{variant}");
            let mut body = member.take();
            body["title"] = at.clone().into();
            *member = serde_json::json!({ "$ref": format!("#/components/schemas/{at}") });
            hoisted.push((at, body));
        }
    }
    schemas.extend(hoisted);
}

/// The OpenAPI description: the routes from `table.rs`, the framing from
/// `openapi.json`, and the
/// entry kinds from their one declaration (`model::table`) — each kind's
/// name, the roles that may sign it and the rule ids it checks. Every body
/// and view is a schema under `components/schemas`; an envelope's entry is
/// one of the kinds' entries (`entry.<kind>`), told apart by `kind`.
pub fn openapi_document() -> serde_json::Value {
    // The same for every request: made once.
    static DOCUMENT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(make_document).clone()
}

fn make_document() -> serde_json::Value {
    use crate::model::kinds::{
        body_schema, can_act_over, county_offices, rule_ids, second_hands, signers, KINDS,
    };
    use crate::model::roles::Office;
    let mut doc: serde_json::Value =
        serde_json::from_str(include_str!("openapi.json")).unwrap_or_default();
    // Each kind's entry: the signed fields with that kind and its body. The
    // envelope's entry is one of them, told apart by `kind` (the
    // discriminator generated clients dispatch on); `Entry` is the envelope.
    let fields = doc["components"]["schemas"]["Envelope"]["properties"]["entry"].take();
    let mut entries = Vec::new();
    let mut mapping = serde_json::Map::new();
    let mut bodies = serde_json::Map::new();
    for k in KINDS {
        let body = lift(
            &mut doc,
            &format!("body.{k}"),
            body_schema(k).unwrap_or_default(),
        );
        let mut entry = fields.clone();
        entry["properties"]["kind"] = serde_json::json!({"type": "string", "enum": [k]});
        entry["properties"]["body"] = body.clone();
        let name = format!("entry.{k}");
        let at = format!("#/components/schemas/{name}");
        doc["components"]["schemas"][name.as_str()] = entry;
        entries.push(serde_json::json!({ "$ref": at }));
        mapping.insert((*k).to_owned(), at.into());
        bodies.insert((*k).to_owned(), body);
    }
    doc["components"]["schemas"]["Envelope"]["properties"]["entry"] = serde_json::json!({
        "oneOf": entries,
        "discriminator": {"propertyName": "kind", "mapping": mapping},
    });
    doc["components"]["schemas"]["Entry"] =
        serde_json::json!({"$ref": "#/components/schemas/Envelope"});
    let entry = &mut doc["components"]["schemas"]["Envelope"]["properties"]["entry"];
    entry["x-kinds"] = KINDS
        .iter()
        .map(|k| {
            let roles: Vec<&str> = signers(k).iter().map(|r| r.as_str()).collect();
            // A2: the county offices whose remit it is (under rules 2), and
            // the departments that may be the second hand of its acts.
            let offices: Vec<&str> = county_offices(k)
                .iter()
                .map(|o| match o {
                    Office::Root => "root",
                    Office::Department(d) => d.as_str(),
                })
                .collect();
            let hands: Vec<&str> = second_hands(k).iter().map(|d| d.as_str()).collect();
            (
                (*k).to_owned(),
                serde_json::json!({"signers": roles, "rules": rule_ids(k), "body": bodies[*k],
                    // A1: whether an entry of this kind can act over a
                    // party without its signature (two hands, the notice).
                    "acts_over_party": can_act_over(k),
                    "county_offices": offices, "second_hands": hands}),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    doc["x-errors"] = serde_json::json!(crate::http::error::catalogue());
    // The typed views reads answer with, each a JSON Schema of its own; the
    // routes (`table.rs`) name the view each answers with.
    use crate::registry::views;
    macro_rules! views {
        ($($name:literal => $view:ty;)*) => {{
            let mut all = serde_json::Map::new();
            $( all.insert($name.to_owned(), lift(&mut doc, $name, view_schema::<$view>())); )*
            all
        }};
    }
    let views = views! {
        "DecisionView" => views::DecisionView;
        "DistributionView" => views::DistributionView;
        "CertificateView" => views::CertificateView;
        "PartyView" => views::PartyView;
        "KeyView" => views::KeyView;
        "KeyOffer" => views::KeyOffer;
        "Draft" => views::Draft;
        "KeysView" => views::KeysView;
        "RightCertificateView" => views::RightCertificateView;
        "ExpropriationView" => views::ExpropriationView;
        "ParcelFeature" => views::Feature<views::ParcelProperties>;
        "ParcelCollection" => views::FeatureCollection<views::ParcelProperties>;
        "CollectiveFeature" => views::Feature<views::CollectiveProperties>;
        "TitleView" => views::TitleView;
        "HouseholdView" => views::HouseholdView;
        "IncomeView" => views::IncomeView;
        "ListingView" => views::ListingView;
        "ListingsView" => views::ListingsView;
        "CountiesView" => views::CountiesView;
        "ProvinceListingsView" => views::ProvinceListingsView;
        "ProvinceFiguresView" => views::ProvinceFiguresView;
        "AttestationsOf" => views::AttestationsOf;
        "AttestationView" => views::AttestationView;
        "Hashes" => views::Hashes;
        "AdmissionElsewhere" => crate::model::entry::AdmissionElsewhere;
        "ReceiptView" => views::ReceiptView;
        "BatchView" => super::routes::BatchView;
        "SurveyPlan" => crate::registry::import::SurveyPlan;
    };
    super::table::describe(&mut doc, &views);
    doc["x-views"] = serde_json::Value::Object(views);
    constants_as_enums(&mut doc["components"]);
    constants_as_enums(&mut doc["paths"]);
    hoist_variants(&mut doc);
    doc
}
