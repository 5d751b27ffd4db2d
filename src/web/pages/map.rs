//! The map of the county's land, and the parcels and states it draws.

use super::*;

// ---- map ----

#[derive(Deserialize)]
pub(super) struct CollectiveQuery {
    collective: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct MapQuery {
    collective: Option<String>,
    /// `minlon,minlat,maxlon,maxlat`: the parcels in a box, whatever their
    /// collective.
    bbox: Option<String>,
}

#[derive(Template)]
#[template(path = "map.html")]
pub(super) struct MapPage {
    c: Chrome,
    collectives: Vec<(String, String)>,
    collective: String,
    /// Where the page fetches its parcels and their states from.
    parcels: String,
    states: String,
    /// The site's base map, if it has one.
    tiles: Option<crate::web::MapTiles>,
}

pub(super) async fn map(
    req: HttpRequest,
    reg: web::Data<Registry>,
    q: web::Query<MapQuery>,
) -> Result<HttpResponse, PageError> {
    let MapQuery { collective, bbox } = q.into_inner();
    let tiles = req
        .app_data::<web::Data<crate::web::Site>>()
        .and_then(|s| s.map_tiles.clone())
        .filter(|t| t.origin().is_some());
    let page = read(&reg, &req, "map", move |reg, c| {
        let collectives = reg.collectives()?;
        if let Some(bbox) = bbox {
            // The API checks the box when the page fetches it.
            let bbox: String = bbox
                .chars()
                .filter(|ch| ch.is_ascii_digit() || matches!(ch, '.' | ',' | '-'))
                .collect();
            return Ok(MapPage {
                c,
                collectives,
                collective: String::new(),
                parcels: format!("/map/parcels?bbox={bbox}"),
                states: "/map/states".into(),
                tiles,
            });
        }
        let collective = match collective {
            Some(code) => reg.collective(&code)?.id,
            None => collectives.first().map(|k| k.0.clone()).unwrap_or_default(),
        };
        Ok(MapPage {
            c,
            collectives,
            parcels: format!("/map/parcels?collective={collective}"),
            states: format!("/map/states?collective={collective}"),
            collective,
            tiles,
        })
    })
    .await?;
    html(&page)
}

/// What the map draws: the API's parcels with only what the map shows (name
/// and holder) and positions to 1e-6° (about 0.1 m, finer than a pixel at
/// any zoom a map of parcels is read at) — a third of the bytes to fetch
/// and parse on a phone.
pub(super) async fn map_parcels(
    req: HttpRequest,
    reg: web::Data<Registry>,
    q: web::Query<MapQuery>,
) -> Result<HttpResponse, PageError> {
    let MapQuery { collective, bbox } = q.into_inner();
    let bbox = bbox.as_deref().map(crate::http::parse_bbox).transpose()?;
    let features =
        crate::web::read_costed(crate::http::Cost::Bulk, &reg, &req, "map", move |reg, _| {
            Ok(reg
                .parcels(collective.as_deref(), bbox)?
                .features
                .into_iter()
                .map(|f| {
                    serde_json::json!({
                        "type": "Feature",
                        "id": f.id,
                        "properties": {"DKMC": f.properties.name, "holder": f.properties.holder},
                        "geometry": rounded(f.geometry),
                    })
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .json(serde_json::json!({"type": "FeatureCollection", "features": features})))
}

/// The homesteads in force of a collective, for its map's 宅基地 layer:
/// by household, with their 亩, positions to 1e-6° as the parcels'.
pub(super) async fn map_homesteads(
    req: HttpRequest,
    reg: web::Data<Registry>,
    q: web::Query<CollectiveQuery>,
) -> Result<HttpResponse, PageError> {
    let collective = q.into_inner().collective.unwrap_or_default();
    let features =
        crate::web::read_costed(crate::http::Cost::Bulk, &reg, &req, "map", move |reg, _| {
            Ok(reg
                .homestead_map(&collective)?
                .into_iter()
                .map(|(household, mu, geometry)| {
                    serde_json::json!({
                        "type": "Feature",
                        "id": household,
                        "properties": {"holder": household, "area_mu": mu},
                        "geometry": rounded(geometry),
                    })
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .json(serde_json::json!({"type": "FeatureCollection", "features": features})))
}

/// Every number of a GeoJSON geometry to six decimals.
pub(super) fn rounded(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) => n
            .as_f64()
            .and_then(|x| serde_json::Number::from_f64((x * 1e6).round() / 1e6))
            .map_or(Value::Number(n), Value::Number),
        Value::Array(items) => Value::Array(items.into_iter().map(rounded).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, rounded(v))).collect()),
        other => other,
    }
}

/// The state of each parcel of a collective (or of the county) that is not
/// plain contracted or free: listed on the exchange, leased out, encumbered.
pub(super) async fn map_states(
    req: HttpRequest,
    reg: web::Data<Registry>,
    q: web::Query<CollectiveQuery>,
) -> Result<HttpResponse, PageError> {
    // A county with no collective yet has a map with nothing on it.
    let collective = q.into_inner().collective.filter(|k| !k.is_empty());
    let states = read(&reg, &req, "map", move |reg, _| {
        let today = reg.today();
        let mut states: BTreeMap<String, &'static str> = BTreeMap::new();
        for l in reg.listings(None, collective.as_deref(), None)?.listings {
            let state = match l.status {
                Status::Review | Status::Notice | Status::Trading | Status::Awarded => "listed",
                Status::Settled if l.start <= today && today <= l.end => "leased",
                _ => continue,
            };
            for p in l.parcels {
                states.insert(p, state);
            }
        }
        for code in reg.encumbered_parcels(collective.as_deref().unwrap_or_default())? {
            states.insert(code, "encumbered");
        }
        Ok(states)
    })
    .await?;
    Ok(HttpResponse::Ok().json(states))
}
