//! The API as its clients meet it, from the one route table
//! (`src/api/table.rs`): every route answers its documented example on the
//! demo county with the documented status and view; the served document
//! passes an independent OpenAPI 3.1 validator; a client generated from it
//! by a mainstream generator reads a title and submits a signed entry; and
//! the route table of `docs/api.md` is the table's own.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::common::{ok, sanquan};

/// A demo county of its own for a test (one data directory has one server).
pub(crate) fn demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    ok(&sanquan(&[
        "demo",
        "--load-only",
        "--data-dir",
        data.to_str().unwrap(),
    ]));
    (dir, data)
}

/// The demo county loaded onto a new database `county` of `pg`: the
/// temporary folder, the data directory and the database's URL.
pub(crate) fn demo_on(
    pg: &sanquan::store::pg_temp::TempPostgres,
) -> (tempfile::TempDir, PathBuf, String) {
    let url = pg.create_database("county").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("county");
    ok(&sanquan(&[
        "demo",
        "--load-only",
        "--data-dir",
        data.to_str().unwrap(),
        "--database-url",
        &url,
    ]));
    (dir, data, url)
}

/// `sanquan serve` on the demo, on a port of its choosing.
pub(crate) struct Served {
    child: Child,
    pub url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn serve(data: &Path) -> Served {
    serve_with(data, &[])
}

/// The same, with more arguments.
pub(crate) fn serve_with(data: &Path, more: &[&str]) -> Served {
    let mut args = vec![
        "serve".as_ref(),
        "--listen".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--data-dir".as_ref(),
        data.as_os_str(),
    ];
    args.extend(more.iter().map(std::ffi::OsStr::new));
    let (child, line) = crate::common::started(&args);
    // "sanquan: serving … — open http://127.0.0.1:PORT/ (…)"
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim_end_matches('/')
        .to_owned();
    Served { child, url }
}

/// The served document's parameters of `route` filled with their examples.
fn example_url(doc: &Value, route: &sanquan::api::table::Route) -> String {
    let op = &doc["paths"][format!("/api/v1{}", route.path)][route.method.as_str().to_lowercase()];
    let mut path = format!("/api/v1{}", route.path);
    let mut query = Vec::new();
    for p in op["parameters"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap();
        let example = match &p["example"] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Null => {
                assert_eq!(p["in"], "header", "{}: {name} has no example", route.path);
                continue;
            }
            other => panic!("{}: {name}: example {other}", route.path),
        };
        match p["in"].as_str().unwrap() {
            "path" => path = path.replace(&format!("{{{name}}}"), &example),
            "query" => query.push(format!("{name}={example}")),
            _ => {}
        }
    }
    if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// Every GET route of the table answers its example from the served
/// document on the demo with the status it documents, in a content type it
/// documents, and a JSON body fits the view the route names.
#[test]
fn every_route_answers_its_documented_example_on_the_demo() {
    let (_dir, data) = demo();
    let served = serve(&data);
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let doc: Value = agent
        .get(&format!("{}/api/v1/openapi.json", served.url))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    let mut checked = 0;
    for route in sanquan::api::ROUTES {
        if route.method != sanquan::api::table::Method::Get {
            continue;
        }
        let url = example_url(&doc, route);
        let answer = match agent.get(&format!("{}{url}", served.url)).call() {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{url}: {e}"),
        };
        assert_eq!(answer.status(), route.answer.status, "{url}");
        // Issue 21: a county's route answers at its county's path too.
        if route.reach == sanquan::api::table::Reach::County {
            let own = url.replacen("/api/v1", "/api/v1/counties/140421", 1);
            let status = match agent.get(&format!("{}{own}", served.url)).call() {
                Ok(r) => r.status(),
                Err(ureq::Error::Status(s, _)) => s,
                Err(e) => panic!("{own}: {e}"),
            };
            assert_eq!(status, route.answer.status, "{own}");
        }
        let content_type = answer.content_type().to_owned();
        assert!(
            route.answer.types.is_empty()
                || route
                    .answer
                    .types
                    .iter()
                    .any(|t| content_type.starts_with(t)),
            "{url}: {content_type} is not one of {:?}",
            route.answer.types
        );
        let text = answer.into_string().unwrap();
        if let Some(view) = route.answer.view {
            let body: Value = serde_json::from_str(&text).unwrap();
            let schema = json!({"allOf": [doc["x-views"][view]], "components": doc["components"]});
            let validator = jsonschema::validator_for(&schema).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{url} as {view}: {errors:?}");
        }
        checked += 1;
    }
    assert!(checked >= 25, "{checked}");

    // The household whose leased parcel the county is taking for a road
    // (E1) sees it first on its own page, with what it is still owed.
    let get = |path: &str| -> Value {
        agent
            .get(&format!("{}{path}", served.url))
            .call()
            .unwrap()
            .into_json()
            .unwrap()
    };
    let x = get("/api/v1/expropriations/1461");
    let title =
        get(&format!("/titles/{}", x["DKBM"][0].as_str().unwrap()).replacen("/", "/api/v1/", 1));
    let household = title["holder"]
        .as_str()
        .expect("the land is still the household's");
    let page = agent
        .get(&format!("{}/household/{household}", served.url))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    let banner = page
        .split(r#"<section class="alert""#)
        .nth(1)
        .expect("a banner for the expropriation")
        .split("</section>")
        .next()
        .unwrap();
    assert!(
        banner.contains("县道 X203 拓宽") && banner.contains("还应付给您家"),
        "{banner}"
    );
    assert!(
        page.find(r#"class="alert""#) < page.find(r#"id="rights""#),
        "the banner leads the page"
    );
    let summary = page
        .split(r#"id="summary">"#)
        .nth(1)
        .unwrap()
        .split("</p>")
        .next()
        .unwrap();
    assert!(
        summary.contains("块地") && summary.contains("亩") && summary.contains("元"),
        "{summary}"
    );
    // Names before codes (issue 18, 2): the household by its village and
    // number, its parcels by name and 亩; the code small beside.
    assert!(
        page.contains("<h1>第1村第一组 · 第2户</h1>")
            && page.contains("承包方编码 140421001001010002"),
        "the household's name"
    );
    assert!(
        page.contains("大块地6号 2.40 亩"),
        "the parcels by name and area"
    );
    // 6: the board reads in the market's units: where, how many 亩 of
    // what land, how long, the reserve per 亩 and year with its total.
    let board = agent
        .get(&format!("{}/exchange", served.url))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(
        board.contains("第1村第一组 · ")
            && board.contains("亩种植业用地")
            && board.contains("元/亩/年")
            && board.contains("出租10年"),
        "the board's rows"
    );
    // 3: a member's settling in a town is on the household's page, with
    // the county's attestation.
    let settled = agent
        .get(&format!("{}/household/140421001001010001", served.url))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    let card = settled
        .split(r#"id="settlements""#)
        .nth(1)
        .expect("the members who settled in a town")
        .split("</div>")
        .next()
        .unwrap();
    assert!(
        card.contains("落户到山西省长治市潞州区")
            && card.contains("/attestation/")
            && card.contains("不影响"),
        "{card}"
    );
}

/// Issue 18 (4, 12): the officer's documents pass as official — the
/// 承包经营权证, the 交易鉴证书, the 权益保留证明 and the 土地经营权证 each
/// name their issuing authority, carry a seal area, a date in 年月日 and a
/// 核验码 that opens the document again; printed by Chromium to A4 their
/// text (pdftotext) holds all of it, the certificate its members' table and
/// parcels with 四至, the attestation its whole statement without rule ids;
/// at a phone's width none scrolls sideways.
#[test]
fn documents_print_as_official_on_a4_and_their_codes_open_them() {
    let (_dir, data) = demo();
    let served = serve(&data);
    let Some(mut b) = crate::browser::Browser::start(&served.url, "documents") else {
        return;
    };
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let right = agent
        .get(&format!("{}/api/v1/listings/1432", served.url))
        .call()
        .unwrap()
        .into_json::<Value>()
        .unwrap()["settled_at"]
        .as_u64()
        .unwrap();
    let attestation = agent
        .get(&format!(
            "{}/api/v1/households/140421001001010001/attestations",
            served.url
        ))
        .call()
        .unwrap()
        .into_json::<Value>()
        .unwrap()["attestations"][0]
        .as_u64()
        .expect("the demo's attestation");
    let documents = [
        (
            "/certificate/140421001001010002J",
            "平顺县人民政府",
            "中华人民共和国农村土地承包经营权证",
            vec![
                "家庭成员",
                "户主",
                "配偶",
                "四至",
                "是否基本农田",
                "地块示意图",
                "承包期限",
            ],
        ),
        (
            "/deal/1432",
            "平顺县农村产权交易中心",
            "农村产权交易鉴证书",
            vec!["成交价格", "每亩每年", "鉴证意见", "不因本项交易而丧失"],
        ),
        (
            &*format!("/attestation/{attestation}"),
            "平顺县农业农村局",
            "权益保留证明",
            vec![
                "进城落户",
                "不得以退出土地承包经营权作为农户进城落户的条件",
                "特此证明",
            ],
        ),
        (
            &*format!("/right/{right}"),
            "平顺县农业农村局",
            "土地经营权",
            vec!["土地经营权人", "流转合同"],
        ),
    ];
    for (path, issuer, title, clauses) in documents {
        b.goto(path);
        assert!(b.fits_width(), "{path} scrolls sideways on a phone");
        let code =
            b.js("const c = document.querySelector('#doc-code'); return c ? c.textContent : null;");
        let (text, pages) = b.printed(path.trim_start_matches('/').replace('/', "-").as_str());
        let flat: String = text.split_whitespace().collect();
        for needle in [issuer, title].into_iter().chain(clauses.iter().copied()) {
            assert!(
                flat.contains(needle),
                "{path} printed without {needle}:\n{text}"
            );
        }
        assert!(pages <= 4, "{path}: {pages} pages");
        // 11: numbered as a Chinese document is, in the page's margin.
        assert!(
            flat.contains("第1页共"),
            "{path} has no page numbers:\n{text}"
        );
        // A rule id as a word of its own (a hash or code may hold the
        // same letters by chance).
        let words: Vec<&str> = text.split(|c: char| !c.is_ascii_alphanumeric()).collect();
        assert!(
            !["C5", "G3", "H5", "S5", "M5"]
                .iter()
                .any(|id| words.contains(id)),
            "{path} cites rule ids:\n{text}"
        );
        if let Some(code) = code.as_str() {
            // Issued: the seal area, a day in 年月日, the 核验码, which opens
            // the document again — typed in any case, without its hyphen.
            assert!(
                flat.contains("（盖章）") && flat.contains(code),
                "{path}:\n{text}"
            );
            let day = regex_lite_day(&flat);
            assert!(day, "{path} has no 年月日 date:\n{text}");
            let typed = code.replace('-', "").to_lowercase();
            let opened = agent
                .get(&format!("{}/v/{typed}", served.url))
                .call()
                .unwrap();
            assert_eq!(
                (opened.status(), opened.header("Location")),
                (303, Some(path)),
                "{code}"
            );
        } else {
            assert!(path.starts_with("/right/"), "{path} has no 核验码");
        }
    }
    // 11: printed from the browser's own dialog, its header and footer
    // (the address, the date) stay off the paper.
    let url = format!("{}/certificate/140421001001010002J", served.url);
    if let Some(text) = crate::browser::printed_with_browser_margins(&url) {
        assert!(
            !text.contains("http://") && text.contains("第1页"),
            "{text}"
        );
    }
    // A code that is not this log's is not found, as a page in Chinese.
    match agent
        .get(&format!("{}/v/{attestation}-AAAA", served.url))
        .call()
    {
        Err(ureq::Error::Status(404, r)) => assert!(r.into_string().unwrap().contains("未找到")),
        other => panic!("a wrong code: {:?}", other.map(|r| r.status())),
    }
    b.assert_no_console_errors();
}

/// Whether a text holds a day as documents write it: 2026年11月9日.
fn regex_lite_day(text: &str) -> bool {
    text.match_indices('年').any(|(i, _)| {
        let before = &text[..i];
        let after = &text[i + '年'.len_utf8()..];
        before.chars().rev().take(4).all(|c| c.is_ascii_digit())
            && after.split_once('月').is_some_and(|(m, rest)| {
                !m.is_empty()
                    && m.len() <= 2
                    && m.chars().all(|c| c.is_ascii_digit())
                    && rest.split_once('日').is_some_and(|(d, _)| {
                        !d.is_empty() && d.len() <= 2 && d.chars().all(|c| c.is_ascii_digit())
                    })
            })
    })
}

/// A Python virtual environment with the pinned tools of
/// `tests/tools/requirements.txt`, made once under `target/`; `None` where
/// it cannot be made (no network) and `SANQUAN_REQUIRE_PYTHON` is unset.
fn python_tools() -> Option<&'static Path> {
    static TOOLS: OnceLock<Option<PathBuf>> = OnceLock::new();
    TOOLS
        .get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let wanted =
                std::fs::read_to_string(root.join("tests/tools/requirements.txt")).unwrap();
            let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("python-tools");
            let stamp = venv.join("requirements.txt");
            if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
                return Some(venv);
            }
            let made = Command::new("python3")
                .arg("-m")
                .arg("venv")
                .arg("--clear")
                .arg(&venv)
                .status();
            let installed = made.is_ok_and(|s| s.success())
                && Command::new(venv.join("bin/pip"))
                    .args(["install", "-q", "--disable-pip-version-check", "-r"])
                    .arg(root.join("tests/tools/requirements.txt"))
                    .status()
                    .is_ok_and(|s| s.success());
            if installed {
                std::fs::write(&stamp, wanted).unwrap();
                return Some(venv);
            }
            assert!(
                std::env::var_os("SANQUAN_REQUIRE_PYTHON").is_none(),
                "the Python tools are required (SANQUAN_REQUIRE_PYTHON) but could not be installed"
            );
            eprintln!(
                "skipped: the Python tools of tests/tools/requirements.txt could not be installed"
            );
            None
        })
        .as_deref()
}

/// The document as served passes openapi-spec-validator (OpenAPI 3.1, its
/// schemas as JSON Schema 2020-12); a client generated from it by
/// openapi-python-client, with no warning, reads a title (a typed
/// `TitleView`) and submits an entry it signs itself — the model picked by
/// the `kind` discriminator — which the log appends; a replay comes back as
/// the documented error.
#[test]
fn a_generated_client_reads_a_title_and_submits_a_signed_entry() {
    let Some(tools) = python_tools() else {
        return;
    };
    let (_dir, data) = demo();
    let served = serve(&data);
    let work = tempfile::tempdir().unwrap();
    let spec = work.path().join("openapi.json");
    let text = ureq::get(&format!("{}/api/v1/openapi.json", served.url))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    std::fs::write(&spec, &text).unwrap();

    let validate = Command::new(tools.join("bin/openapi-spec-validator"))
        .arg(&spec)
        .output()
        .unwrap();
    assert!(
        validate.status.success(),
        "openapi-spec-validator: {}{}",
        String::from_utf8_lossy(&validate.stdout),
        String::from_utf8_lossy(&validate.stderr)
    );

    let client = work.path().join("client");
    let generate = Command::new(tools.join("bin/openapi-python-client"))
        .args(["generate", "--meta", "none", "--path"])
        .arg(&spec)
        .arg("--output-path")
        .arg(client.join("sanquan_client"))
        .env("PATH", tools.join("bin"))
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&generate.stdout),
        String::from_utf8_lossy(&generate.stderr)
    );
    assert!(generate.status.success(), "openapi-python-client: {said}");
    assert!(
        !said.contains("Warning") && !said.contains("Unable"),
        "{said}"
    );

    let size_before = ureq::get(&format!("{}/api/v1/checkpoint", served.url))
        .call()
        .unwrap()
        .into_string()
        .unwrap()
        .lines()
        .nth(1)
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap();
    let run = Command::new(tools.join("bin/python"))
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/client_test.py"))
        .arg(&client)
        .arg(&served.url)
        .arg(data.join("keys/demo/collective-14042100100101.key"))
        .args(["14042100100101", "1404210010010100001"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "the generated client: {}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let seen: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(seen["title"]["parcel"]["DKBM"], "1404210010010100001");
    assert_eq!(seen["title"]["holder"], "140421001001010001");
    assert_eq!(seen["again"]["error"]["code"], "replayed_nonce");
    let index = seen["receipt"]["index"].as_u64().unwrap();
    assert!(index >= size_before, "{index} {size_before}");
    // The entry the client signed is on the log, as it sent it.
    let leaf: Value = ureq::get(&format!("{}/api/v1/entries/{index}", served.url))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(leaf["envelope"]["entry"]["kind"], "decision.record");
    assert_eq!(leaf["envelope"]["entry"]["body"]["subject"], "other");
}

/// `docs/api.md`'s route table is the route table's own (re-made with
/// `SANQUAN_BLESS=1`).
#[test]
fn the_route_table_in_the_docs_is_the_tables() {
    crate::common::made_doc(
        "docs/api.md",
        Some((
            "<!-- routes: made from src/api/table.rs -->\n",
            "<!-- end of routes -->",
        )),
        &sanquan::api::table::markdown(),
    );
}
