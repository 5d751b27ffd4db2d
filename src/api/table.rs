//! The routes of `/api/v1`, each declared once: its method, path, handler,
//! words, parameters (typed, with an example from the demo county) and
//! answers. actix's routing, the OpenAPI paths, the route table of
//! `docs/api.md` and the tests' list of routes all come from [`ROUTES`].
//!
//! Adding a route is one row of `api_routes!` below and its handler in
//! `routes.rs`.

use actix_web::web;
use serde_json::{json, Value};

use super::routes::*;

/// The HTTP method of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }

    fn lower(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
        }
    }

    fn actix(self) -> actix_web::Route {
        match self {
            Method::Get => web::get(),
            Method::Post => web::post(),
        }
    }
}

/// Whom a route answers for (issue 21: a server may hold several counties).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// One county: the home county's at `/api/v1{path}`, and each county's
    /// at `/api/v1/counties/{county}{path}`.
    County,
    /// Every county the server holds, once, at `/api/v1{path}`.
    Province,
}

/// Where a parameter is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    Path,
    Query,
    Header,
}

impl In {
    pub const fn as_str(self) -> &'static str {
        match self {
            In::Path => "path",
            In::Query => "query",
            In::Header => "header",
        }
    }
}

/// What a parameter holds, as its JSON Schema says it.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    /// A log index: a canonical decimal from 0.
    Index,
    /// A tree size: a canonical decimal from 1.
    Size,
    /// A code of so many decimal digits (county 6, collective 14, household
    /// 18, parcel 19).
    Digits(usize),
    /// A public key: 64 lower-case hex digits.
    Hex64,
    /// Up to 64 public keys separated by commas.
    Hex64List,
    /// `minlon,minlat,maxlon,maxlat` in decimal degrees.
    Bbox,
    /// A value of a Rust type (a listing's status, a transfer's mode), with
    /// that type's own JSON Schema: its words are said once, by the type.
    Of(fn() -> Value),
    /// A key's short code: ABCD-EFGH in 32 letters and digits.
    KeyCode,
    /// A draft's short code, written as a key's.
    DraftCode,
    /// Any text.
    Text,
}

impl Ty {
    pub fn schema(self) -> Value {
        match self {
            Ty::Index => json!({"type": "integer", "minimum": 0}),
            Ty::Size => json!({"type": "integer", "minimum": 1}),
            Ty::Digits(n) => json!({"type": "string", "pattern": format!("^[0-9]{{{n}}}$")}),
            Ty::Hex64 => json!({"type": "string", "pattern": "^[0-9a-f]{64}$"}),
            Ty::Hex64List => {
                json!({"type": "string", "pattern": "^[0-9a-f]{64}(,[0-9a-f]{64}){0,63}$"})
            }
            Ty::Bbox => json!({"type": "string", "pattern": "^-?[0-9.]+(,-?[0-9.]+){3}$"}),
            Ty::Of(schema) => schema(),
            Ty::KeyCode | Ty::DraftCode => {
                json!({"type": "string", "pattern": "^[2-9A-HJ-NP-Za-hj-np-z]{4}-?[2-9A-HJ-NP-Za-hj-np-z]{4}$"})
            }
            Ty::Text => json!({"type": "string"}),
        }
    }

    /// `example` as the JSON value of this type.
    fn example(self, example: &str) -> Value {
        match self {
            Ty::Index | Ty::Size => example.parse::<u64>().map_or(Value::Null, Value::from),
            _ => Value::from(example),
        }
    }
}

/// The JSON Schema of a type that stands alone (its `$defs` are not
/// lifted: for the simple enums parameters take).
fn schema_of<T: schemars::JsonSchema>() -> Value {
    let mut schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    if let Some(m) = schema.as_object_mut() {
        m.remove("$schema");
        m.remove("title");
    }
    schema
}

/// One parameter of a route.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub at: In,
    pub ty: Ty,
    pub required: bool,
    pub about: &'static str,
    /// A value that answers on the demo county (`sanquan demo`); empty for
    /// a header.
    pub example: &'static str,
}

/// The answer a route gives when it does what it is for.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    pub status: u16,
    /// The content types it answers in (empty: no body).
    pub types: &'static [&'static str],
    pub about: &'static str,
    /// The typed view the body is (`registry::views`), by its schema's name.
    pub view: Option<&'static str>,
}

/// One route of `/api/v1`.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: Method,
    pub reach: Reach,
    /// Below `/api/v1`.
    pub path: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
    pub params: &'static [Param],
    /// The schema (under `components/schemas`) of the request body.
    pub request: Option<&'static str>,
    pub answer: Answer,
    /// The statuses it refuses with (each an `Error`).
    pub refused: &'static [u16],
}

impl Route {
    /// The OpenAPI operation of this route; `views` holds a reference to
    /// each view's schema by name.
    fn operation(&self, views: &serde_json::Map<String, Value>) -> Value {
        let params: Vec<Value> = self
            .params
            .iter()
            .map(|p| {
                let mut param = json!({
                    "name": p.name, "in": p.at.as_str(), "required": p.required,
                    "schema": p.ty.schema(),
                });
                if !p.about.is_empty() {
                    param["description"] = json!(p.about);
                }
                if !p.example.is_empty() {
                    param["example"] = p.ty.example(p.example);
                }
                param
            })
            .collect();
        let view = self.answer.view.map(|v| views[v].clone());
        let content: serde_json::Map<String, Value> = self
            .answer
            .types
            .iter()
            .map(|t| {
                let schema = view.clone().map_or(json!({}), |v| json!({"schema": v}));
                ((*t).to_owned(), schema)
            })
            .collect();
        let mut ok = json!({"description": self.answer.about});
        if !content.is_empty() {
            ok["content"] = Value::Object(content);
        }
        if let Some(v) = self.answer.view {
            ok["x-view"] = json!(v);
        }
        let mut responses = serde_json::Map::new();
        responses.insert(self.answer.status.to_string(), ok);
        for status in self.refused {
            responses.insert(
                status.to_string(),
                json!({"$ref": "#/components/responses/Error"}),
            );
        }
        let mut op = json!({
            "operationId": self.operation_id(),
            "summary": self.summary,
            "parameters": params,
            "responses": responses,
        });
        if !self.description.is_empty() {
            op["description"] = json!(self.description);
        }
        if let Some(schema) = self.request {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {
                "schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
        }
        op
    }

    /// A name for the operation that generated clients use as a function
    /// name: the method and the path's words (`get_households_code_income`).
    pub fn operation_id(&self) -> String {
        let words: Vec<String> = self
            .path
            .split(['/', '.'])
            .filter(|w| !w.is_empty())
            .map(|w| w.trim_matches(['{', '}']).replace('-', "_"))
            .collect();
        format!("{}_{}", self.method.lower(), words.join("_"))
    }
}

/// Puts every route under `paths` of `doc`.
pub fn describe(doc: &mut Value, views: &serde_json::Map<String, Value>) {
    for route in ROUTES {
        doc["paths"][format!("/api/v1{}", route.path)][route.method.lower()] =
            route.operation(views);
    }
}

/// Puts `key` (64 hex digits) as the example of every parameter that names
/// keys, and `code` (a key offered) of every one that names a key by short
/// code, in the document as served: the demo's keys are made afresh.
pub fn fill_key_examples(doc: &mut Value, key: &[u8; 32], code: Option<&str>, draft: Option<&str>) {
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let code = code.unwrap_or_default().to_owned();
    let draft = draft.unwrap_or_default().to_owned();
    for route in ROUTES {
        for (i, p) in route.params.iter().enumerate() {
            let example = match p.ty {
                Ty::Hex64 | Ty::Hex64List => &hex,
                Ty::KeyCode => &code,
                Ty::DraftCode => &draft,
                _ => continue,
            };
            doc["paths"][format!("/api/v1{}", route.path)][route.method.lower()]["parameters"][i]
                ["example"] = json!(example);
        }
    }
}

/// The route table of `docs/api.md`, in Markdown.
pub fn markdown() -> String {
    let mut out = String::from("| route | answer | parameters |\n|---|---|---|\n");
    for r in ROUTES {
        let params: Vec<String> = r
            .params
            .iter()
            .map(|p| {
                let need = if p.required { "" } else { ", optional" };
                let about = if p.about.is_empty() {
                    String::new()
                } else {
                    format!(": {}", p.about)
                };
                format!("`{}` ({}{need}){about}", p.name, p.at.as_str())
            })
            .collect();
        let words = if r.description.is_empty() {
            r.summary.to_owned()
        } else {
            format!("{}. {}", r.summary, r.description)
        };
        out.push_str(&format!(
            "| `{} {}` | {} → `{}` | {} |\n",
            r.method.as_str(),
            r.path,
            words.replace('|', "\\|").replace('\n', " "),
            r.answer.status,
            params.join("; ").replace('|', "\\|"),
        ));
    }
    out
}

/// Declares the routes: each row is a handler of `routes.rs` and its
/// [`Route`]; `routes` mounts them and `ROUTES` lists them.
macro_rules! api_routes {
    ($($handler:ident => $route:expr;)*) => {
        /// Every route of `/api/v1`, in the order the document lists them.
        pub const ROUTES: &[Route] = &[$($route),*];

        /// Mounts every route under `/api/v1`: the home county's and the
        /// province's (the server mounts them beside the pages).
        pub fn routes(cfg: &mut web::ServiceConfig) {
            let scope = web::scope("/api/v1")
                $(.route(($route).path, ($route).method.actix().to($handler)))*;
            cfg.service(scope);
        }

        /// Adds the routes of one county to `scope` (its registry is the
        /// scope's own data).
        pub fn county_routes(mut scope: actix_web::Scope) -> actix_web::Scope {
            $(
                if ($route).reach == Reach::County {
                    scope = scope.route(($route).path, ($route).method.actix().to($handler));
                }
            )*
            scope
        }
    };
}

api_routes! {
    post_entry => Route {
        method: Method::Post,
        reach: Reach::County,
        path: "/entries",
        summary: "Submit a signed entry envelope",
        description: "The signature covers \"sanquan entry v1\\n\" followed by the RFC 8785 canonical JSON of `entry`. Answered once the entry is durable. An entry that names persons (household.register) is sent as {\"envelope\": <envelope>, \"personal\": [<record>…]}: each record {salt (base64, ≥16 bytes), name, id_number (GB 11643, upper-case X), phone?} is kept off the log, in a private table, and the entry names it by the hex SHA-256 of its RFC 8785 JSON. Sent as Content-Type: application/json, at most 1 MiB. The signature and the signer's authority for the kind are checked before any geometry or rule work; a full queue answers 503 busy with Retry-After at once.",
        request: Some("Submission"),
        params: &[],
        answer: Answer { status: 201, types: &["application/json"], about: "Appended", view: Some("ReceiptView") },
        refused: &[400, 403, 409, 413, 422, 503, 415],
    };
    post_entries_batch => Route {
        method: Method::Post,
        reach: Reach::County,
        path: "/entries/batch",
        summary: "Submit many signed entries at once, each judged on its own",
        description: "A JSON array of 1 to 1,000 submissions, each as POST /entries takes one (an envelope, or {\"envelope\", \"personal\"}), at most 16 MiB in all: a clerk's survey import or any client with many entries to send. They are queued in the order sent, so one may rest on an earlier one (a key it registers), and each is judged as if sent alone: one refused never aborts another. The answer, once every one is durable or refused, lists each one's outcome in the order sent: its receipt ({index, leaf_hash}), or {status, error} with the status and error POST /entries would have answered (a field is the submission's own path). Once one finds the writer's queue full, it and every one after it are busy (503): send those again. A body that is not such an array is refused whole and changes nothing.",
        request: Some("Submissions"),
        params: &[],
        answer: Answer { status: 200, types: &["application/json"], about: "Each submission's outcome, in order", view: Some("BatchView") },
        refused: &[400, 413, 415, 503],
    };
    post_survey_plan => Route {
        method: Method::Post,
        reach: Reach::County,
        path: "/survey/plan",
        summary: "What is left to register of a surveyed GeoJSON (确权成果): the entries to sign",
        description: "The survey import the command line (`sanquan import`) and the clerk's page share. Send a GeoJSON FeatureCollection of collectives (FBFBM) and parcels (DKBM, NY/T 2539 names; CBFBM, CBQXQ, CBQXZ for the household holding a parcel and the term), at most 16 MiB. The answer lists the entries that register what is not registered yet — each with its kind, body and the party whose key signs it — what is skipped as registered, and what does not read; once every parcel is registered, it lists the contracts the households need. Sign each entry and POST it to /entries; ask again until no entry is left. Nothing is written by this call.",
        request: Some("SurveyCollection"),
        params: &[],
        answer: Answer { status: 200, types: &["application/json"], about: "The plan", view: Some("SurveyPlan") },
        refused: &[400, 413, 415, 503],
    };
    post_survey_package => Route {
        method: Method::Post,
        reach: Reach::County,
        path: "/survey/package",
        summary: "What is left to register of a village's NY/T 2539 package (确权成果包, a .zip): the entries to sign, step by step",
        description: "The clerk's upload of a package `sanquan import` reads too: a .zip (Content-Type: application/zip, at most 64 MiB) holding the layers (DK, ZJQY/CJQY shapefiles with .prj and .cpg) and the ownership tables (FBF, CBF, CBF_JTCY, CBHT, CBDKXX, CBJYQZ as .csv, .dbf or an .mdb). `step` is land (collectives and parcels), households, contracts or certificates, each once the one before is on the log. The answer lists the entries to sign — a household's with the personal records of its members, to send beside it to /entries, as the upload holds them —, what is registered already, and each row the package's own checks refuse, by file, row, field and code, in English and Chinese. Nothing is written by this call.",
        request: None,
        params: &[
            Param { name: "step", at: In::Query, ty: Ty::Of(schema_of::<crate::registry::import::PackageStep>), required: true, about: "land, households, contracts or certificates", example: "land" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The plan", view: Some("SurveyPlan") },
        refused: &[400, 413, 415, 503],
    };
    get_entry => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/entries/{index}",
        summary: "The leaf data of one entry, exactly as hashed into the tree",
        description: "The JCS bytes of {\"envelope\", \"index\", \"integrated\"}; SHA-256(0x00 ‖ body) is the leaf hash.",
        request: None,
        params: &[
            Param { name: "index", at: In::Path, ty: Ty::Index, required: true, about: "", example: "0" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The record", view: None },
        refused: &[404],
    };
    get_entry_evidence => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/entries/{index}/evidence",
        summary: "One entry as evidence for another county (P5): its record, its inclusion proof and the newest checkpoint it is under — what `member.end`'s `elsewhere` carries",
        description: "`{\"county\", \"checkpoint\", \"record\", \"proof\"}`: the county's code, the newest checkpoint (signed note), the entry's record exactly as hashed and its RFC 9162 inclusion proof (base64) in that checkpoint's tree",
        request: None,
        params: &[
            Param { name: "index", at: In::Path, ty: Ty::Index, required: true, about: "", example: "0" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The evidence", view: Some("AdmissionElsewhere") },
        refused: &[400, 404],
    };
    get_checkpoint => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/checkpoint",
        summary: "The newest checkpoint, a C2SP tlog-checkpoint signed note",
        description: "the newest checkpoint, a C2SP tlog-checkpoint signed note (text/plain)",
        request: None,
        params: &[],
        answer: Answer { status: 200, types: &["text/plain"], about: "The signed note", view: None },
        refused: &[],
    };
    get_state_checkpoint => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/state/checkpoint",
        summary: "The newest state-log checkpoint (issue 20): a signed note whose extension line names the state map's root and the event-log size it reflects, with the witnesses' cosignatures",
        description: "the newest state-log checkpoint, a C2SP tlog-checkpoint signed note (origin `sanquan/<county>/state`) with one extension line `state <event size> <event root> <map root>` and the witnesses' cosignatures (text/plain)",
        request: None,
        params: &[],
        answer: Answer { status: 200, types: &["text/plain"], about: "The signed note", view: None },
        refused: &[404],
    };
    get_state_leaves => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/state/leaves",
        summary: "Up to 1,000 state-log leaves from `from`, one a line: base64 of the event-log size (8 bytes, big-endian), the event-log root and the state map's root — what `sanquan monitor` checks against the events",
        description: "state-log leaves from `from` (at most 1,000), one a line, each the base64 of 72 bytes: the event-log size (big-endian), the event-log root, the state map's root (text/plain)",
        request: None,
        params: &[
            Param { name: "from", at: In::Query, ty: Ty::Index, required: true, about: "", example: "0" },
        ],
        answer: Answer { status: 200, types: &["text/plain"], about: "The leaves", view: None },
        refused: &[400],
    };
    get_title_proof => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/titles/{title}/proof",
        summary: "A title proof (权属证明, issue 20): the title's record — holder, contract, rights with terms, encumbrances, open acts — or its absence, under the state map and a signed, cosigned state checkpoint; verify offline with `sanquan verify-proof`",
        description: "a proof of one title's record as of the newest state-log leaf: C2SP tlog-proof text (`form=text`, the default) or the compact form in base64 (`form=compact`, what a certificate's QR holds); checked offline against a trust policy (C2SP tlog-policy) by `sanquan verify-proof`",
        request: None,
        params: &[
            Param { name: "title", at: In::Path, ty: Ty::Text, required: true, about: "a parcel's 19-digit code, or ZJD or FE and a household's 18-digit code", example: "1404210010010100001" },
            Param { name: "form", at: In::Query, ty: Ty::Text, required: false, about: "`text` (default) or `compact`", example: "text" },
        ],
        answer: Answer { status: 200, types: &["text/plain"], about: "The proof", view: None },
        refused: &[400, 503],
    };
    get_inclusion => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/proofs/inclusion",
        summary: "RFC 9162 inclusion proof of entry `index` in the tree of `size` entries",
        description: "`{\"hashes\": […]}`, RFC 9162 inclusion proof",
        request: None,
        params: &[
            Param { name: "index", at: In::Query, ty: Ty::Index, required: true, about: "", example: "0" },
            Param { name: "size", at: In::Query, ty: Ty::Size, required: true, about: "", example: "1" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The proof", view: Some("Hashes") },
        refused: &[400],
    };
    get_consistency => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/proofs/consistency",
        summary: "RFC 9162 consistency proof between tree sizes `old` and `new`",
        description: "`{\"hashes\": […]}`, RFC 9162 consistency proof",
        request: None,
        params: &[
            Param { name: "old", at: In::Query, ty: Ty::Size, required: true, about: "", example: "1" },
            Param { name: "new", at: In::Query, ty: Ty::Size, required: true, about: "", example: "2" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The proof", view: Some("Hashes") },
        refused: &[400],
    };
    openapi => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/openapi.json",
        summary: "This description of the API (OpenAPI 3.1)",
        description: "Usable by client generators: every entry kind's body is a schema under `components/schemas` (`body.<kind>`, from its Rust type, with the types it uses beside it, every `$ref` resolving from the document's root), each kind's entry is `entry.<kind>`, and an envelope's `entry` is one of them, told apart by the `kind` discriminator (`POST /entries` takes `Entry`, the envelope, or it with the personal records of the persons it names); every route has an `operationId` and typed parameters with an example from the log served (on the demo, the demo county's); `x-kinds` beside the envelope's `kind` gives each kind's roles, rule ids (docs/domain.md), county offices and second hands — all from the kind's one declaration in `src/model/table.rs`; every JSON read's 200 answer has the schema of its typed view (`src/registry/views/`, the same structs the printable pages render), listed again under `x-views` and named by `x-view`; `x-errors` lists every error code with its HTTP status and an example of both messages (one refusal of each kind of each layer, enumerated from the error types); each kind's `example` is its newest entry on the log being served (on the demo, the demo county's own)",
        request: None,
        params: &[],
        answer: Answer { status: 200, types: &["application/json"], about: "OpenAPI 3.1", view: None },
        refused: &[],
    };
    get_collective => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/collectives/{code}",
        summary: "A collective (发包方): boundary, area in m² and 亩, number of active parcels",
        description: "a collective as a GeoJSON Feature: boundary, area in m² and 亩, active parcels",
        request: None,
        params: &[
            Param { name: "code", at: In::Path, ty: Ty::Digits(14), required: true, about: "", example: "14042100100101" },
        ],
        answer: Answer { status: 200, types: &["application/geo+json"], about: "A GeoJSON Feature", view: Some("CollectiveFeature") },
        refused: &[404],
    };
    get_parcel => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/parcels/{code}",
        summary: "A parcel (地块): NY/T 2539 fields, geodesic area_m2 and area_mu as decimal strings, 四至 (sizhi), holder, status",
        description: "a parcel as a GeoJSON Feature: NY/T 2539 fields, `area_m2` and `area_mu` (decimal strings, geodesic), 四至 (`sizhi`, computed from the parcels around it now), holder and status",
        request: None,
        params: &[
            Param { name: "code", at: In::Path, ty: Ty::Digits(19), required: true, about: "", example: "1404210010010100001" },
        ],
        answer: Answer { status: 200, types: &["application/geo+json"], about: "A GeoJSON Feature", view: Some("ParcelFeature") },
        refused: &[404],
    };
    get_parcels => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/parcels",
        summary: "Parcels of a collective, or within a bounding box, as a FeatureCollection (at most 10,000)",
        description: "a FeatureCollection (at most 10,000 features)",
        request: None,
        params: &[
            Param { name: "collective", at: In::Query, ty: Ty::Text, required: false, about: "", example: "14042100100101" },
            Param { name: "bbox", at: In::Query, ty: Ty::Bbox, required: false, about: "minlon,minlat,maxlon,maxlat in decimal degrees (when no collective is given)", example: "113.000,36.000,113.002,36.002" },
        ],
        answer: Answer { status: 200, types: &["application/geo+json"], about: "A GeoJSON FeatureCollection", view: Some("ParcelCollection") },
        refused: &[400],
    };
    get_title => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/titles/{code}",
        summary: "The title report of a parcel: its attributes, holder and contract, derived rights, encumbrances in force, and its history as log indices, as of the newest checkpoint",
        description: "the title report: the parcel, holder and contract, the derived rights on it (holder, term, registered, in force today), encumbrances in force, and its history as log indices, as of the newest checkpoint",
        request: None,
        params: &[
            Param { name: "code", at: In::Path, ty: Ty::Text, required: true, about: "", example: "1404210010010100001" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The report", view: Some("TitleView") },
        refused: &[404],
    };
    get_decision => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/decisions/{index}",
        summary: "A decision of a collective (D1–D3): assembly, subject, question, date, counts, minutes hash, and whether the counts make it pass",
        description: "a decision of a collective (D1–D3) with its counts, and whether they make it pass",
        request: None,
        params: &[
            Param { name: "index", at: In::Path, ty: Ty::Index, required: true, about: "", example: "814" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The decision", view: Some("DecisionView") },
        refused: &[404],
    };
    get_household => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/households/{code}",
        summary: "A household (承包方): members by commitment and relation (GB/T 4761); names, ID numbers and phones only on a signed read by the county, the household's collective or the household itself",
        description: "a household: members by commitment and relation, contracts (parcels, term, in force, certificate), shares, homestead; members' names, ID numbers and phones only on a signed read (below) by the county, the household's collective or the household itself",
        request: None,
        params: &[
            Param { name: "code", at: In::Path, ty: Ty::Digits(18), required: true, about: "", example: "140421001001010001" },
            Param { name: "Authorization", at: In::Header, ty: Ty::Text, required: false, about: "Sanquan keyid=<base64 public key>,time=<RFC 3339>,nonce=<1–64 letters and digits>,sig=<base64 Ed25519 over \"sanquan read v2\\n\" METHOD \" \" PATH \"\\n\" TIME \"\\n\" NONCE>; within 5 minutes of the server's clock, and good for one request", example: "" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The household", view: Some("HouseholdView") },
        refused: &[404, 401, 403],
    };
    get_distribution => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/distributions/{index}",
        summary: "A distribution of a collective's income (S3): total, reserve, welfare, and each holder's part in yuan; the parts add up to the fen",
        description: "a distribution: total, reserve, welfare and each holder's part, in yuan",
        request: None,
        params: &[
            Param { name: "index", at: In::Path, ty: Ty::Index, required: true, about: "", example: "1517" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The distribution", view: Some("DistributionView") },
        refused: &[404],
    };
    get_certificate => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/certificates/{code}",
        summary: "The land contract certificate (承包经营权证) of a contract, as data, once issued: parties, parcels and areas, term, members sharing the right",
        description: "the land contract certificate as data, once issued",
        request: None,
        params: &[
            Param { name: "code", at: In::Path, ty: Ty::Text, required: true, about: "", example: "140421001001010001J" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The certificate", view: Some("CertificateView") },
        refused: &[404],
    };
    get_listings => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/listings",
        summary: "Exchange listings, newest first, by status (review, notice, trading, awarded, settled, rejected, withdrawn), collective and kind (mode)",
        description: "exchange listings, newest first",
        request: None,
        params: &[
            Param { name: "status", at: In::Query, ty: Ty::Of(schema_of::<crate::model::exchange::Status>), required: false, about: "", example: "settled" },
            Param { name: "collective", at: In::Query, ty: Ty::Text, required: false, about: "", example: "14042100100101" },
            Param { name: "kind", at: In::Query, ty: Ty::Of(schema_of::<crate::model::exchange::Mode>), required: false, about: "", example: "lease" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "{\"listings\": [...]}", view: Some("ListingsView") },
        refused: &[],
    };
    get_counties => Route {
        method: Method::Get,
        reach: Reach::Province,
        path: "/counties",
        summary: "The counties this server holds",
        description: "Each with its name, its log's size and where its routes are: every route marked for one county is also at /api/v1/counties/{county}/… for each county held; the first county listed is the home county, which answers /api/v1/… itself and the pages.",
        request: None,
        params: &[],
        answer: Answer { status: 200, types: &["application/json"], about: "{\"counties\": [...]}", view: Some("CountiesView") },
        refused: &[503],
    };
    get_province_listings => Route {
        method: Method::Get,
        reach: Reach::Province,
        path: "/province/listings",
        summary: "Listings of every county held, county by county, newest first",
        description: "A province's exchange in one read: each county's listings of the status and kind given, at most per_county (default 50, at most 500) of each.",
        request: None,
        params: &[
            Param { name: "status", at: In::Query, ty: Ty::Of(schema_of::<crate::model::exchange::Status>), required: false, about: "", example: "settled" },
            Param { name: "kind", at: In::Query, ty: Ty::Of(schema_of::<crate::model::exchange::Mode>), required: false, about: "", example: "lease" },
            Param { name: "per_county", at: In::Query, ty: Ty::Size, required: false, about: "at most 500", example: "20" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "{\"counties\": [{county, name, listings}...]}", view: Some("ProvinceListingsView") },
        refused: &[400, 503],
    };
    get_province_figures => Route {
        method: Method::Get,
        reach: Reach::Province,
        path: "/province/figures",
        summary: "Each county's figures and their sums",
        description: "Entries, collectives, parcels not retired, households, contracts not returned and listings by status, for each county held, and the sums: counted by the registers' keys, no document read.",
        request: None,
        params: &[],
        answer: Answer { status: 200, types: &["application/json"], about: "{\"counties\": [...], \"total\": {...}}", view: Some("ProvinceFiguresView") },
        refused: &[503],
    };
    get_listing => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/listings/{id}",
        summary: "A listing with its intents, bids, objections, award (and the SHA-256 of its rendered contract), consent, verification, payment, settlement, registrations and its whole history as log indices",
        description: "a listing with its intents, bids, award (and the SHA-256 of its rendered contract), verification, payment, settlement and its whole history as log indices",
        request: None,
        params: &[
            Param { name: "id", at: In::Path, ty: Ty::Index, required: true, about: "", example: "1432" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The listing", view: Some("ListingView") },
        refused: &[404],
    };
    get_income => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/households/{code}/income",
        summary: "A household's income: prices of its settled transfers and its dividends, in yuan",
        description: "a household's income: prices of its settled transfers (leases, equity, assignments, shares) and its dividends, in yuan",
        request: None,
        params: &[
            Param { name: "code", at: In::Path, ty: Ty::Text, required: true, about: "", example: "140421001001010001" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The income", view: Some("IncomeView") },
        refused: &[],
    };
    get_attestations_of => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/households/{code}/attestations",
        summary: "The log indices of the county's attestations of a household's retained rights",
        description: "the log indices of a household's attestations",
        request: None,
        params: &[
            Param { name: "code", at: In::Path, ty: Ty::Text, required: true, about: "", example: "140421001001010001" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "{\"CBFBM\", \"attestations\": [index…]}", view: Some("AttestationsOf") },
        refused: &[],
    };
    get_attestation => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/attestations/{index}",
        summary: "The county's attestation of the rights a household retains (G3), with the signed entry's bytes, its leaf hash, the inclusion proof and the signed checkpoint, so it can be checked without trusting the server",
        description: "the county's attestation of a household's retained rights (G3), as a document to check without trusting the server: the rights, a statement in words, the signed entry's exact bytes, its leaf hash, the inclusion proof and the signed checkpoint",
        request: None,
        params: &[
            Param { name: "index", at: In::Path, ty: Ty::Index, required: true, about: "", example: "1513" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The attestation document", view: Some("AttestationView") },
        refused: &[404],
    };
    get_attestation_page => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/attestations/{index}/print",
        summary: "The attestation as a printable page: a redirect to the county's page of it (/attestation/{index}, Chinese first, with its proof and a verify button)",
        description: "`303` to `/attestation/{index}`, the county's printable page of it",
        request: None,
        params: &[
            Param { name: "index", at: In::Path, ty: Ty::Index, required: true, about: "", example: "1513" },
        ],
        answer: Answer { status: 303, types: &[], about: "See /attestation/{index}", view: None },
        refused: &[400],
    };
    get_contract => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/listings/{id}/contract",
        summary: "The contract of an awarded listing (M5), in Chinese: its 正文 and its 当事人信息及签署页 — the names, masked ID numbers and 核验码 shown on a signed read by a party, the collective or the county, withheld from anyone else",
        description: "the contract of an awarded listing as rendered from `contracts/` (M5). On the Chinese texts (setting `contracts` 2) it is the 正文 (rendered by the rules; its SHA-256, `X-Contract-Body-SHA256`, is the award's `contract_sha256`) and, after a blank line, the 当事人信息及签署页 the registry keeps off the log (its SHA-256 in `X-Contract-Schedule-SHA256`); both parties sign `X-Contract-SHA256` = SHA-256 of \"sanquan contract v2\\n<body sha>\\n<page sha>\\n\" with `schedule_sha256` in `contract.sign`. Without a signed read the page's names and 核验码 are withheld (`X-Contract-Copy: public`); a signed read by a party of the deal, the collective or the county answers it whole (`whole`), anyone else's is refused. Deals awarded on the English texts (setting 1) answer their whole text, whose SHA-256 the parties signed. `/contract/print` redirects to `/contract/{id}`, the same as a printable page",
        request: None,
        params: &[
            Param { name: "id", at: In::Path, ty: Ty::Index, required: true, about: "the log index of listing.submit", example: "1432" },
            Param { name: "Authorization", at: In::Header, ty: Ty::Text, required: false, about: "a signed read (as for /households/{code}) by a party of the deal, the collective or the county: the names and the 核验码 shown", example: "" },
        ],
        answer: Answer { status: 200, types: &["text/plain"], about: "The rendered contract", view: None },
        refused: &[400, 401, 403, 404],
    };
    get_contract_page => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/listings/{id}/contract/print",
        summary: "The same contract as a printable page with the SHA-256 both parties sign: a redirect to the county's page of it (/contract/{id})",
        description: "",
        request: None,
        params: &[
            Param { name: "id", at: In::Path, ty: Ty::Index, required: true, about: "the log index of listing.submit", example: "1432" },
        ],
        answer: Answer { status: 303, types: &[], about: "See /contract/{id}, the county's printable page of it (Chinese first, A4)", view: None },
        refused: &[400, 404],
    };
    get_party => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/parties/{code}",
        summary: "Who a party is: its type, the keys bound to act for it (verifier key, role, registered and revoked at which log index) and a transferee's reviews by the county (M8, X6)",
        description: "who a party is on this log: its type (county, collective, household, organisation, person), the keys bound to act for it (verifier key, role, the log indices that bound and revoked each) and, for a transferee, the county's reviews — what was reviewed, the days each qualifies the party (a person from the least age to the last day of the greatest, X6; an organisation until the county reviews again) — and whether it is qualified today",
        request: None,
        params: &[
            Param { name: "code", at: In::Path, ty: Ty::Text, required: true, about: "a county, collective, household or social credit code, or a person's commitment", example: "140421001001010001" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The party", view: Some("PartyView") },
        refused: &[404],
    };
    get_key => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/keys/{signer}",
        summary: "Who a key is: the party it acts for, its role, and the log indices that registered and revoked it",
        description: "who a key is (its party, role, registered and revoked at which index); the second for up to 64 keys at once, unregistered ones left out (a browser asks for all the keys it holds)",
        request: None,
        params: &[
            Param { name: "signer", at: In::Path, ty: Ty::Hex64, required: true, about: "the public key, 64 lower-case hex digits", example: "" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The key's binding", view: Some("KeyView") },
        refused: &[400, 404],
    };
    post_key_offer => Route {
        method: Method::Post,
        reach: Reach::County,
        path: "/key-offers",
        summary: "A farmer's phone offers its new key for registration: answered with the key's short code (ABCD-EFGH), which the clerk may type in place of the key",
        description: "Send {\"vkey\": <verifier key>} (the public key only). The short code is the first 40 bits of SHA-256 of the key's 32 bytes, written in 23456789ABCDEFGHJKLMNPQRSTUVWXYZ; the offer is kept for seven days (at most 10,000 a county, the oldest let go first) and binds nothing: the collective binds the key with key.register. A key offered under a code another key already holds is refused (409): make a new key.",
        request: Some("KeyOfferRequest"),
        params: &[],
        answer: Answer { status: 200, types: &["application/json"], about: "The offer", view: Some("KeyOffer") },
        refused: &[400, 409, 413, 415],
    };
    get_key_offer => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/key-offers/{code}",
        summary: "The key a short code names: offered this week for registration, or already bound (then with whom it acts for)",
        description: "the key a farmer's phone offered under this short code (typed in any case, with or without its hyphen), or the key already bound on the log whose code it is, with its binding — what the clerk's key form fills in when the code is typed",
        request: None,
        params: &[
            Param { name: "code", at: In::Path, ty: Ty::KeyCode, required: true, about: "the short code, as ABCD-EFGH", example: "" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The key", view: Some("KeyOffer") },
        refused: &[404],
    };
    post_draft => Route {
        method: Method::Post,
        reach: Reach::County,
        path: "/drafts",
        summary: "An act over a household signed by its first hand, kept for the second hand to cosign (A2): answered with its short code (ABCD-EFGH)",
        description: "Send the signed envelope (no personal data). It is kept, not decided: its signatures must verify and its signer be bound; it is kept until its signature's time window closes (the county's entry_time_window_minutes after its time), at most 20 a signer (its own oldest let go first) and 10,000 a county. The second hand reads it under its code, adds its signature to `cosigs` and submits the envelope to /entries, where the rules judge it.",
        request: Some("Envelope"),
        params: &[],
        answer: Answer { status: 200, types: &["application/json"], about: "The draft", view: Some("Draft") },
        refused: &[400, 403, 413, 415],
    };
    get_draft => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/drafts/{code}",
        summary: "The act waiting under a short code for its second hand's cosignature: what it is, who signed it, until when",
        description: "the signed envelope kept under this code (typed in any case, with or without its hyphen), its kind, its signer's binding and when its time window closes; gone once it has",
        request: None,
        params: &[
            Param { name: "code", at: In::Path, ty: Ty::DraftCode, required: true, about: "the short code, as ABCD-EFGH", example: "" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The draft", view: Some("Draft") },
        refused: &[404],
    };
    get_keys => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/keys",
        summary: "Who several keys are at once (a browser asks for all the keys it holds): by public key, the party, role and the log indices that registered and revoked each; keys nobody registered are left out",
        description: "who a key is (its party, role, registered and revoked at which index); the second for up to 64 keys at once, unregistered ones left out (a browser asks for all the keys it holds)",
        request: None,
        params: &[
            Param { name: "signers", at: In::Query, ty: Ty::Hex64List, required: true, about: "up to 64 public keys, 64 lower-case hex digits each, separated by commas", example: "" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The keys' bindings", view: Some("KeysView") },
        refused: &[400],
    };
    get_right => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/rights/{index}",
        summary: "The 土地经营权证 of a derived right registered at settlement (M6: a term of five years or more): holder, the household that keeps its contract, parcels, term, in force, an early end",
        description: "the 土地经营权证 of a derived right registered at settlement (M6: five years or more): holder, the household that keeps its contract, parcels with areas, term, whether in force, an early end; the page `/right/{index}` prints it",
        request: None,
        params: &[
            Param { name: "index", at: In::Path, ty: Ty::Index, required: true, about: "the log index of the settlement that made the right", example: "1468" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The certificate", view: Some("RightCertificateView") },
        refused: &[400, 404],
    };
    get_expropriation => Route {
        method: Method::Get,
        reach: Reach::County,
        path: "/expropriations/{index}",
        summary: "An expropriation (征收, E1) by the log index of its pre-announcement: the parcels, the plan with its notice and who it compensates for what, the hearing, the payments, who is still owed, and whether the rights on the land have ended",
        description: "",
        request: None,
        params: &[
            Param { name: "index", at: In::Path, ty: Ty::Index, required: true, about: "the log index of `expropriation.announce`", example: "1461" },
        ],
        answer: Answer { status: 200, types: &["application/json"], about: "The expropriation", view: Some("ExpropriationView") },
        refused: &[400, 404],
    };

}
