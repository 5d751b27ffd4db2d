//! Issue 18 (12): every page of the demo county as a farmer's phone shows
//! it, in Chinese — nothing wider than the phone, no Latin word outside
//! codes, and no serious or critical accessibility violation that axe-core
//! (vendored for the tests, `tests/vendor/`) finds in the real browser.

use serde_json::{json, Value};

use crate::api::{demo, serve};
use crate::browser::Browser;

/// axe-core, injected into each page over WebDriver (never served).
const AXE: &str = include_str!("../vendor/axe-core-4.10.2/axe.min.js");

/// The Latin words a page's main text shows outside codes: a run of two or
/// more letters with no digit, hyphen, dot, slash or underscore beside it
/// (so 91350100M000100Y43, SHA-256, listing.submit and 1513-GYZD are codes),
/// leaving out what is code or English by its markup, and the names people
/// gave their keys.
const LATIN_WORDS: &str = r#"
const skip = 'code, .mono, [lang=en], svg, script, style, input, textarea, select, option, [hidden], .pii, .key-name, details:not([open]) > :not(summary)';
const root = document.querySelector('main') ?? document.body;
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
const words = new Set();
for (let n; (n = walker.nextNode());) {
  const el = n.parentElement;
  if (!el || el.closest(skip) || !el.offsetParent) continue;
  for (const m of n.textContent.matchAll(/(?:^|[^A-Za-z0-9_./+@-])([A-Za-z]{2,})(?=$|[^A-Za-z0-9_./+@-])/g)) words.add(m[1]);
}
return [...words];
"#;

#[test]
fn every_page_fits_a_phone_reads_in_chinese_and_passes_axe() {
    let (_dir, data) = demo();
    let served = serve(&data);
    let Some(mut b) = Browser::start(&served.url, "pages") else {
        return;
    };
    let get = |path: &str| -> Value {
        ureq::get(&format!("{}{path}", served.url))
            .call()
            .unwrap()
            .into_json()
            .unwrap()
    };
    let settled = get("/api/v1/listings?status=settled")["listings"][0]["id"]
        .as_u64()
        .unwrap();
    let trading = get("/api/v1/listings?status=trading")["listings"][0]["id"]
        .as_u64()
        .unwrap();
    let right = get(&format!("/api/v1/listings/{settled}"))["settled_at"]
        .as_u64()
        .unwrap();
    let attestation = get("/api/v1/households/140421001001010001/attestations")["attestations"][0]
        .as_u64()
        .unwrap();
    let draft = get("/api/v1/openapi.json")["paths"]["/api/v1/drafts/{code}"]["get"]["parameters"]
        [0]["example"]
        .as_str()
        .expect("the demo's recovery waiting for its second hand")
        .to_owned();
    let pages = [
        "/".to_owned(),
        "/map".to_owned(),
        "/exchange".to_owned(),
        format!("/listing/{trading}"),
        format!("/listing/{settled}"),
        format!("/contract/{settled}"),
        format!("/deal/{settled}"),
        format!("/right/{right}"),
        "/household/140421001001010002".to_owned(),
        "/certificate/140421001001010002J".to_owned(),
        format!("/attestation/{attestation}"),
        "/parcel/1404210010010100006".to_owned(),
        "/notices".to_owned(),
        "/keys".to_owned(),
        format!("/cosign?code={draft}"),
        "/clerk/14042100100101".to_owned(),
        "/desk/county".to_owned(),
        "/desk/exchange".to_owned(),
        "/charts".to_owned(),
        "/nowhere".to_owned(),
    ];
    let mut problems = Vec::new();
    for path in &pages {
        if path == "/nowhere" {
            b.goto_unscripted(path);
        } else {
            b.goto(path);
        }
        check(&b, path, &mut problems);
    }
    // And as the people who act there see them: with the keys of a farmer,
    // the collective, the exchange and the county in the browser, each
    // page shows the forms those keys may sign.
    for key in [
        "household-140421001001010002",
        "collective-14042100100101",
        "exchange",
    ] {
        import_key_text(
            &mut b,
            &std::fs::read_to_string(data.join(format!("keys/demo/{key}.key"))).unwrap(),
        );
    }
    import_key_text(
        &mut b,
        &std::fs::read_to_string(data.join("keys/county.key")).unwrap(),
    );
    let clerk = "/clerk/14042100100101";
    let keyed = [
        "/household/140421001001010002".to_owned(),
        format!("/listing/{trading}"),
        "/keys".to_owned(),
        format!("/cosign?code={draft}"),
        clerk.to_owned(),
        format!("{clerk}/household"),
        format!("{clerk}/key"),
        format!("{clerk}/decision"),
        format!("{clerk}/admit"),
        format!("{clerk}/grant"),
        format!("{clerk}/notice"),
        format!("{clerk}/certify"),
        format!("{clerk}/join"),
        format!("{clerk}/survey"),
        "/desk/county?household=140421001001010001".to_owned(),
        "/desk/exchange".to_owned(),
    ];
    for path in &keyed {
        b.goto(path);
        b.wait(
            "document.body.dataset.signers === 'ready'",
            "the forms this browser may sign",
        );
        check(&b, &format!("{path} (with keys)"), &mut problems);
        // The README's pictures of the staff's pages, as their keys see them.
        let shot = match path.as_str() {
            p if p == clerk => Some(("clerk", "tasks")),
            p if p.starts_with("/desk/county") => Some(("desk", "f-hukou")),
            p if p.starts_with("/cosign") => Some(("cosign", "draft")),
            _ => None,
        };
        if let Some((name, at)) = shot {
            b.js(&format!(
                "document.getElementById('{at}')?.scrollIntoView()"
            ));
            b.screenshots(name);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A page's width, its words and axe-core's findings, as problems.
fn check(b: &Browser, path: &str, problems: &mut Vec<String>) {
    if !b.fits_width() {
        problems.push(format!("{path}: wider than a 390-px phone"));
    }
    let latin = b.js(LATIN_WORDS);
    if latin != json!([]) {
        problems.push(format!("{path}: Latin words {latin}"));
    }
    b.js(&format!("{AXE}\n;window.axe = axe; return true;"));
    let violations = b.js_async(
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations \
         .filter(v => v.impact === 'serious' || v.impact === 'critical') \
         .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)));",
    );
    if violations != json!([]) {
        problems.push(format!("{path}: axe {violations}"));
    }
}

/// A key file's text imported on the keys page.
fn import_key_text(b: &mut Browser, text: &str) {
    b.goto("/keys");
    b.fill("import", &[("text", text.trim())]);
    b.click("#import button[type=submit]");
    b.wait(
        "document.querySelector('#import .status').classList.contains('ok')",
        "key imported",
    );
}

/// Issue 18 (10): the map draws the village's homesteads (宅基地) by their
/// households beside the parcels; a tap on one opens the sheet that leads
/// to its household, and from a close zoom each carries its label.
#[test]
fn the_map_shows_the_village_homesteads() {
    let (_dir, data) = demo();
    let served = serve(&data);
    let Some(mut b) = Browser::start(&served.url, "map-homesteads") else {
        return;
    };
    b.goto("/map?collective=14042100100101");
    b.wait(
        "Number(document.getElementById('map').dataset.homesteads) > 0",
        "the homesteads drawn",
    );
    let home = "140421001001010001";
    b.js(&format!(
        "const m = document.getElementById('map').leafletMap; \
         Object.values(m._layers).find(l => l.feature?.id === '{home}' && l.feature.properties.DKMC.startsWith('宅基地')).fire('click');"
    ));
    b.wait("!document.getElementById('map-sheet').hidden", "the sheet");
    assert!(
        b.text("#map-sheet").contains("宅基地"),
        "{}",
        b.text("#map-sheet")
    );
    assert_eq!(
        b.js("return document.querySelector('#map-sheet a').getAttribute('href')"),
        json!(format!("/household/{home}"))
    );
    b.js("document.getElementById('map').leafletMap.setZoom(18, {animate: false});");
    b.wait(
        "[...document.querySelectorAll('.leaflet-tooltip.parcel-label')].some(t => t.textContent === '宅基地 第1户')",
        "the homestead's label",
    );
    b.assert_no_console_errors();
}

/// A 1×1 PNG, what the stand-in tile server answers for every tile.
const TILE: [u8; 69] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x38, 0xf1, 0xec, 0x24,
    0x00, 0x04, 0xf1, 0x02, 0x78, 0x28, 0xbe, 0x25, 0x84, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Issue 18 (10): a county's base map — a tile layer it configures in
/// `config.json` (`map_tiles`) — is drawn under the parcels, its host let in
/// by the pages' policy for images only; a template that is not an http(s)
/// URL with {z}, {x} and {y} is refused when the server starts.
#[test]
fn a_county_base_map_is_drawn_under_the_parcels() {
    use std::io::{Read, Write};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    crate::cli::init(&dir);
    // A stand-in tile server on another port: another origin.
    let tiles = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = tiles.local_addr().unwrap().port();
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = asked.clone();
    std::thread::spawn(move || {
        for mut conn in tiles.incoming().flatten() {
            let mut buf = [0u8; 2048];
            let _ = conn.read(&mut buf);
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                TILE.len()
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(&TILE);
        }
    });
    let config = dir.join("config.json");
    let mut c: Value = serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    c["map_tiles"] =
        json!({"url": "ftp://tiles.example/{z}/{x}/{y}.png", "attribution": "测试底图"});
    std::fs::write(&config, c.to_string()).unwrap();
    let refused = crate::common::sanquan(&[
        "serve",
        "--data-dir",
        dir.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("map_tiles"));
    c["map_tiles"]["url"] = json!(format!(
        "http://127.0.0.1:{port}/tiles/{{z}}/{{x}}/{{y}}.png"
    ));
    std::fs::write(&config, c.to_string()).unwrap();
    let _server = crate::cli::serve_with(&dir, &[]);
    let url = crate::cli::server_url(&dir);
    let policy = ureq::get(&format!("{url}/map"))
        .call()
        .unwrap()
        .header("Content-Security-Policy")
        .unwrap()
        .to_owned();
    assert!(
        policy.contains(&format!("img-src 'self' data: http://127.0.0.1:{port};")),
        "{policy}"
    );
    let Some(mut b) = Browser::start(&url, "base-map") else {
        return;
    };
    b.goto("/map");
    b.wait(
        "Number(document.getElementById('map').dataset.tilesLoaded) > 0",
        "the base map's tiles",
    );
    assert!(asked.load(std::sync::atomic::Ordering::SeqCst) > 0);
    assert!(b.text(".leaflet-control-attribution").contains("测试底图"));
    b.assert_no_console_errors();
}
