//! The web UI in a real Chromium, on both backends: a whole lease deal and a
//! member settling in town, every step signed in the browser by keys made
//! or imported there — and the server never sent a private key.

use base64::Engine;
use sanquan::ledger::SignerKey;
use serde_json::{json, Value};

use crate::browser::{Browser, Proxy};
use crate::common::*;
use crate::common::{parcel, NEIGHBOUR, OUTSIDER, SELLER, VILLAGE};

/// The county's set-up before anyone opens a page: the village and its
/// parcels, and the keys of the collective and the exchange.
struct County {
    registry: sanquan::registry::Registry,
    clock: sanquan::store::Clock,
    county: SignerKey,
    collective: SignerKey,
    exchange: SignerKey,
    _db: TestDb,
}

fn county(backend: Backend) -> County {
    let log = TestLog::new(backend);
    let (collective, exchange) = (new_key("collective-1"), new_key("exchange"));
    let ok = |key: &SignerKey, kind: &str, body: Value| {
        assert_eq!(outcome(&log.submit(key, kind, body)), "accepted", "{kind}");
    };
    let boundary = json!({"type": "Polygon", "coordinates": [[[113.0, 36.0], [113.01, 36.0], [113.01, 36.01], [113.0, 36.01], [113.0, 36.0]]]});
    ok(
        &log.county_key,
        "collective.register",
        json!({"FBFBM": VILLAGE, "FBFMC": "一组", "boundary": boundary}),
    );
    ok(
        &log.county_key,
        "key.register",
        register("collective", VILLAGE, &collective),
    );
    ok(
        &log.county_key,
        "key.register",
        register("exchange", COUNTY, &exchange),
    );
    for n in 1..=3u32 {
        let lon = 113.001 + f64::from(n) * 0.001;
        let g = json!({"type": "Polygon", "coordinates": [[[lon, 36.001], [lon + 0.0005, 36.001], [lon + 0.0005, 36.0015], [lon, 36.0015], [lon, 36.001]]]});
        ok(
            &collective,
            "parcel.register",
            json!({"DKBM": parcel(n), "DKMC": "东洼地", "DKLB": "10", "TDYT": "1", "DLDJ": "05", "SFJBNT": "1", "geometry": g}),
        );
    }
    let clock = log.clock.clone();
    let (registry, db, _, county) = log.into_registry();
    County {
        registry,
        clock,
        county,
        collective,
        exchange,
        _db: db,
    }
}

/// The seed of a key, as the key file carries it (base64 of 0x01 ‖ seed).
fn seed(key: &SignerKey) -> Vec<u8> {
    let text = key.to_string();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(text.splitn(5, '+').nth(4).unwrap())
        .unwrap();
    raw[1..].to_vec()
}

/// The keys this browser holds: name → (verifier key, how it signs).
fn browser_keys(b: &Browser) -> Vec<(String, String, String)> {
    let v = b.js_async(
        "import('/static/app.js').then(m => m.keys.all()).then(ks => done(ks.map(k => [k.name, k.vkey, k.how])));",
    );
    serde_json::from_value(v).unwrap()
}

fn vkey_of(b: &Browser, name: &str) -> String {
    browser_keys(b)
        .into_iter()
        .find(|k| k.0 == name)
        .unwrap_or_else(|| panic!("no key {name}"))
        .1
}

pub(crate) fn import_key(b: &mut Browser, key: &SignerKey) {
    b.goto("/keys");
    b.fill("import", &[("text", &key.to_string())]);
    b.click("#import button[type=submit]");
    b.wait(
        "document.querySelector('#import .status').classList.contains('ok')",
        "key imported",
    );
}

fn generate_key(b: &mut Browser, name: &str) {
    b.goto("/keys");
    b.type_into("#kname", name);
    b.click("#generate button[type=submit]");
    b.wait(
        "document.querySelector('#generate .status').classList.contains('ok')",
        "key made",
    );
}

/// Clicks a verify button and insists the browser's checks all passed.
fn verify_here(b: &Browser, button: &str) -> String {
    b.click(button);
    b.wait(
        "document.getElementById('verify-report').dataset.result",
        "verified",
    );
    let report = b.text("#verify-report");
    assert_eq!(
        b.js("return document.getElementById('verify-report').dataset.result"),
        json!("ok"),
        "{report}"
    );
    report
}

fn file_with(content: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut f, content.as_bytes()).unwrap();
    f
}

fn choose_file(b: &Browser, css: &str, file: &tempfile::NamedTempFile) {
    b.rt.block_on(async {
        b.client
            .find(fantoccini::Locator::Css(css))
            .await
            .unwrap()
            .send_keys(&file.path().display().to_string())
            .await
            .unwrap();
    });
}

#[test]
fn a_lease_and_a_move_to_town_done_in_the_browser_leave_the_household_its_rights() {
    for backend in backends() {
        let c = county(backend);
        let app = spawn_app(c.registry.clone());
        let proxy = Proxy::start(&app);
        let label = format!("{backend:?}").to_lowercase();
        let Some(mut b) = Browser::start(&proxy.url, &label) else {
            return;
        };
        // The PostgreSQL run signs with the vendored fallback, as a phone
        // without WebCrypto Ed25519 would.
        let fallback = backend == Backend::Postgres;
        b.goto("/keys");
        if fallback {
            b.js("localStorage.setItem('sanquanFallback', '1');");
            b.goto("/keys");
        }
        b.screenshots("keys");
        for key in [&c.collective, &c.exchange, &c.county] {
            import_key(&mut b, key);
        }
        for name in ["王大爷的手机", "neighbour", "company"] {
            generate_key(&mut b, name);
        }
        let hows: Vec<String> = browser_keys(&b).into_iter().map(|k| k.2).collect();
        assert!(
            hows.iter()
                .all(|h| h == if fallback { "fallback" } else { "webcrypto" }),
            "{hows:?}"
        );

        // The clerk registers two households with their members, binds the
        // farmers' keys and grants a contract.
        let clerk = format!("/clerk/{VILLAGE}");
        // A refusal in plain words: which member, her name, the field's
        // label — no field names or codes but behind 详情.
        b.goto(&format!("{clerk}/household"));
        b.fill(
            "f-household",
            &[
                ("CBFBM", SELLER),
                ("_name", "韩一"),
                ("_id_number", "140421198001011234"),
            ],
        );
        b.signer("f-household", "collective-1");
        let refused = b.submit("f-household").unwrap_err();
        let shown = b.text("#f-household .err");
        assert!(
            shown.starts_with("第 1 位成员（韩一）的身份证号："),
            "{shown}"
        );
        assert!(
            !shown.contains("id_number") && !shown.contains("bad_"),
            "{shown}"
        );
        assert!(refused.contains("personal[0].id_number"), "{refused}");
        for (code, name, id) in [
            (SELLER, "韩一", "14042119800101123X"),
            (NEIGHBOUR, "杨二", "140421197512300469"),
        ] {
            b.goto(&format!("{clerk}/household"));
            b.fill(
                "f-household",
                &[("CBFBM", code), ("_name", name), ("_id_number", id)],
            );
            b.signer("f-household", "collective-1");
            b.ok("f-household");
            // 8: a success card says it is done and links to what was made.
            assert!(b.text("#f-household .success-card").contains("办好了"));
            assert_eq!(
                b.js("return document.querySelector('#f-household .success-card a').getAttribute('href')"),
                json!(format!("/household/{code}"))
            );
        }
        b.screenshots("clerk");
        // 5: a key a farmer can get. His phone shows the new key as a QR
        // code and a short code, with the next step in plain words; the
        // clerk scans the QR code from a photo, or types the short code,
        // and the key is bound.
        b.goto("/keys");
        b.wait(
            "document.querySelectorAll('.handover .qr svg').length >= 3",
            "the new keys' QR codes",
        );
        let card = |name: &str| {
            format!("[...document.querySelectorAll('#keys li')].find(li => li.querySelector('b').textContent === {name:?})")
        };
        let code_of = |b: &Browser, name: &str| {
            b.js(&format!(
                "return {}.querySelector('.short-code').textContent;",
                card(name)
            ))
            .as_str()
            .unwrap()
            .to_owned()
        };
        let next = b.js(&format!(
            "return {}.querySelector('.next-step').textContent;",
            card("王大爷的手机")
        ));
        assert!(
            next.as_str()
                .unwrap()
                .contains("请带身份证和这部手机到村委会"),
            "{next}"
        );
        b.screenshots("key-handover");
        let photo = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
        let qr_png = b.rt.block_on(async {
            let li = b
                .client
                .find(fantoccini::Locator::XPath(
                    "//li[b='王大爷的手机']//div[@class='qr']",
                ))
                .await
                .unwrap();
            li.screenshot().await.unwrap()
        });
        std::fs::write(photo.path(), qr_png).unwrap();
        let neighbour_code = code_of(&b, "neighbour");
        let farmer_code = code_of(&b, "王大爷的手机");
        b.goto(&format!("{clerk}/key"));
        b.fill("f-key", &[("party", SELLER)]);
        b.rt.block_on(async {
            b.client
                .find(fantoccini::Locator::Css("#scan-key"))
                .await
                .unwrap()
                .send_keys(&photo.path().display().to_string())
                .await
                .unwrap();
        });
        b.wait(
            "document.querySelector('#scan-key').dataset.done === '1'",
            "the QR code read",
        );
        assert_eq!(
            b.js("return document.querySelector('#f-key [name=vkey]').value;"),
            json!(vkey_of(&b, "王大爷的手机"))
        );
        assert!(b.text("#f-key .key-check").contains(&farmer_code));
        b.ok("f-key");
        b.goto(&format!("{clerk}/key"));
        // A code typed wrong is refused beside the field, in plain words,
        // and nothing is signed.
        let wrong = if neighbour_code == "2222-2222" {
            "3333-3333"
        } else {
            "2222-2222"
        };
        b.fill("f-key", &[("party", NEIGHBOUR), ("vkey", wrong)]);
        b.submit("f-key").unwrap_err();
        assert!(
            b.text("#f-key .err").contains("没有找到短码"),
            "{}",
            b.text("#f-key .err")
        );
        // The lookup's 404 is the answer expected here, not a page error.
        b.collect_console();
        b.errors
            .retain(|e| !e.contains(&format!("/api/v1/key-offers/{}", wrong.replace('-', ""))));
        b.goto(&format!("{clerk}/key"));
        b.fill(
            "f-key",
            &[
                ("party", NEIGHBOUR),
                ("vkey", &neighbour_code.to_lowercase().replace('-', "")),
            ],
        );
        b.ok("f-key");
        assert_eq!(
            b.js("return document.querySelector('#f-key [name=vkey]').value;"),
            json!(vkey_of(&b, "neighbour"))
        );
        // A refusal shows next to the field at fault, and the form keeps
        // what was typed.
        b.goto(&format!("{clerk}/grant"));
        let contract = format!("{SELLER}J");
        let parcels = format!("{} {}", parcel(1), parcel(2));
        b.fill(
            "f-grant",
            &[
                ("CBHTBM", &contract),
                ("CBFBM", SELLER),
                ("DKBM", &format!("{parcels} {VILLAGE}99999")),
                ("start", "2026-01-01"),
                ("end", "2055-12-31"),
            ],
        );
        let refused = b.submit("f-grant").unwrap_err();
        assert!(
            refused.contains("unknown_parcel") || refused.contains("地块"),
            "{refused}"
        );
        assert_eq!(
            b.js("return document.querySelector('#f-grant [name=DKBM]').getAttribute('aria-invalid')"),
            json!("true"),
            "{refused}"
        );
        assert_eq!(
            b.js("return document.querySelector('#f-grant [name=CBHTBM]').value"),
            json!(contract)
        );
        b.screenshots("clerk-refused");
        b.fill("f-grant", &[("DKBM", &parcels)]);
        b.ok("f-grant");

        // A survey imported on the clerk's page: one entry a parcel, with a
        // progress bar and a report of what the log refused.
        let square = |lon: f64| json!({"type": "Polygon", "coordinates": [[[lon, 36.001], [lon + 0.0005, 36.001], [lon + 0.0005, 36.0015], [lon, 36.0015], [lon, 36.001]]]});
        let survey = file_with(
            &json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": square(113.005),
                 "properties": {"DKBM": parcel(4), "DKMC": "西坡地", "DKLB": "10", "TDYT": "1", "DLDJ": "05", "SFJBNT": "2"}},
                {"type": "Feature", "geometry": square(113.002),
                 "properties": {"DKBM": parcel(5), "DKMC": "重叠地", "DKLB": "10", "TDYT": "1", "DLDJ": "05", "SFJBNT": "2"}},
            ]})
            .to_string(),
        );
        b.goto(&format!("{clerk}/survey"));
        choose_file(&b, "#survey [name=file]", &survey);
        b.signer("survey", "collective-1");
        b.click("#survey button[type=submit]");
        b.wait(
            "document.getElementById('survey').dataset.done",
            "survey imported",
        );
        assert_eq!(
            b.js("return document.querySelector('#survey progress').value"),
            json!(2)
        );
        let report =
            b.js("return document.querySelector('#survey table.report tbody').textContent");
        let report = report.as_str().unwrap();
        assert!(
            report.contains(&parcel(5)) && report.contains("parcel_overlap"),
            "{report}"
        );
        assert!(!report.contains(&parcel(4)), "{report}");

        // The map: every parcel of the village, found by its code; a tap
        // on it shows what it is below the map, which leads to its title.
        b.goto(&format!("/map?collective={VILLAGE}"));
        b.wait(
            "document.getElementById('map').dataset.features",
            "the map drawn",
        );
        assert_eq!(
            b.js("return document.getElementById('map').dataset.features"),
            json!("4")
        );
        // 10: the village's boundary over its parcels; from a close zoom,
        // each parcel labelled with its name.
        b.wait(
            "document.getElementById('map').dataset.boundaryDrawn === '1'",
            "the boundary",
        );
        b.js("document.getElementById('map').leafletMap.setZoom(18, {animate: false});");
        b.wait(
            "document.querySelectorAll('.leaflet-tooltip.parcel-label').length > 0",
            "the labels",
        );
        assert!(b.text("#map").contains("东洼地"), "{}", b.text("#map"));
        b.js("document.getElementById('map').leafletMap.setZoom(15, {animate: false});");
        b.wait(
            "document.getElementById('map').dataset.labelled === 'false'",
            "labels off far out",
        );
        b.screenshots("map");
        b.type_into("#q", &parcel(1));
        b.click("#map-search button[type=submit]");
        std::thread::sleep(std::time::Duration::from_millis(700));
        b.click("#map");
        b.wait("!document.getElementById('map-sheet').hidden", "the sheet");
        assert!(
            b.text("#map-sheet").contains("亩"),
            "{}",
            b.text("#map-sheet")
        );
        b.click("#map-sheet a");
        b.wait("location.pathname.startsWith('/parcel/')", "the title page");
        assert_eq!(b.text("h1 small"), parcel(1));

        // The exchange binds the company's key; the county reviews it.
        b.goto("/desk/exchange");
        let company = vkey_of(&b, "company");
        b.fill("f-transferee", &[("party", OUTSIDER), ("vkey", &company)]);
        b.signer("f-transferee", "exchange");
        b.ok("f-transferee");
        b.goto("/desk/county");
        let (project, risk) = (file_with("经营项目"), file_with("风险防范"));
        b.fill("f-qualify", &[("party", OUTSIDER)]);
        choose_file(&b, "#f-qualify [name=project_sha256]", &project);
        choose_file(&b, "#f-qualify [name=risk_sha256]", &risk);
        b.signer("f-qualify", "county-140421");
        b.ok("f-qualify");
        b.goto(&format!("/party/{OUTSIDER}"));
        assert!(b.text("#party-keys").contains(&company));
        assert!(b.text("#party-reviews").contains("县里再审查前一直有效"));

        // The farmer lists a lease on the household's page.
        let today = c.clock.now().date_naive();
        let start = (today + chrono::Duration::days(60)).to_string();
        b.goto(&format!("/household/{SELLER}"));
        b.screenshots("household");
        // The members' names only on a read signed by a key that may see
        // them: the household's own.
        assert_eq!(b.text("#members .pii"), "");
        b.signer("f-names", "王大爷的手机");
        b.click("#f-names button[type=submit]");
        b.wait("document.getElementById('f-names').dataset.done", "names");
        // The ID number masked on screen, whole on a tap.
        assert!(b.text("#members").contains("韩一 1404**********123X"));
        b.click("#members .masked");
        assert!(b.text("#members").contains("韩一 14042119800101123X"));
        b.goto(&format!("/household/{SELLER}"));
        b.signer("f-names", "neighbour");
        b.click("#f-names button[type=submit]");
        b.wait("document.querySelector('#f-names .err')", "refusal");
        assert_eq!(
            b.js("return document.querySelector('#f-names .err').dataset.code"),
            json!("read_not_allowed")
        );
        assert!(!b.text("#members").contains("韩一"));
        let form = format!("list-{contract}");
        // 6: the farmer asks for rent per 亩 and year; the page works out
        // the whole term's reserve from the parcels ticked and the dates.
        b.fill(
            &form,
            &[
                ("start", "2027-01-01"),
                ("end", "2036-12-31"),
                ("_per_mu_year", "250"),
            ],
        );
        let mu: f64 = b
            .js(&format!(
                "return [...document.querySelectorAll('#{form} input[data-mu]')].reduce((n, b) => n + Number(b.dataset.mu), 0);"
            ))
            .as_f64()
            .unwrap();
        let total = b.js(&format!(
            "return document.querySelector('#{form} [name=reserve]').value;"
        ));
        assert_eq!(
            total,
            json!(format!(
                "{:.2}",
                (250.0 * mu * 10.0 * 100.0).round() / 100.0
            ))
        );
        assert!(b
            .text(&format!("#{form} .total-words"))
            .contains("× 250 元/亩/年 × 10 年 = 合计"));
        b.fill(
            &form,
            &[
                ("start", &start),
                ("end", "2036-12-31"),
                // As a farmer types amounts: the page signs plain yuan.
                ("reserve", "1万元"),
            ],
        );
        // 6: the auction's rules are not the farmer's to set.
        assert_eq!(
            b.js(&format!(
                "return !!document.querySelector('#{form} [name=increment]')"
            )),
            json!(false)
        );
        b.signer(&form, "王大爷的手机");
        let id = b.ok(&form);
        let listing = format!("/listing/{id}");
        let signed: Value = ureq::get(&format!("{}/api/v1/listings/{id}", proxy.url))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(signed["reserve"], json!("10000.00"));
        assert_eq!(signed["auction_minutes"], json!(0), "{signed}");
        b.goto(&listing);
        assert!(b.text("main").contains("由交易所审核时定"));
        // The exchange sets them on review, filled from the reserve; typed
        // as staff type amounts, signed as plain yuan.
        assert_eq!(
            b.js("return [...document.querySelectorAll('#f-review input[data-type=yuan]')].map(i => i.value)"),
            json!(["100", "1000"])
        );
        b.fill(
            "f-review",
            &[
                ("increment", "１００"),
                ("deposit", "1,000元"),
                ("auction_minutes", "60"),
            ],
        );
        b.signer("f-review", "exchange");
        b.ok("f-review");
        let reviewed: Value = ureq::get(&format!("{}/api/v1/listings/{id}", proxy.url))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(
            [
                &reviewed["increment"],
                &reviewed["deposit"],
                &reviewed["auction_minutes"]
            ],
            [&json!("100.00"), &json!("1000.00"), &json!(60)]
        );
        for bidder in ["company", "neighbour"] {
            b.goto(&listing);
            b.signer("f-intent", bidder);
            b.ok("f-intent");
        }
        for party in [OUTSIDER, NEIGHBOUR] {
            let form = format!("f-deposit-{party}");
            b.goto(&listing);
            b.signer(&form, "exchange");
            b.ok(&form);
        }
        b.goto("/exchange");
        b.screenshots("exchange");

        // The notice runs its course; two bidders make an auction.
        c.clock.advance(chrono::Duration::days(25));
        b.goto(&listing);
        assert!(b.text("#stage").contains("竞价"), "{}", b.text("#stage"));
        b.goto(&listing);
        b.signer("f-bid", "neighbour");
        b.ok("f-bid");
        // The company bids from another page; this one follows the auction
        // in place — by 竞买号, not by name — and keeps a bid being typed.
        b.goto(&listing);
        b.fill("f-bid", &[("amount", "10300.00")]);
        assert_eq!(
            b.js_async(&format!(
                "(async () => {{ const m = await import('/static/app.js'); \
                 const k = (await m.keys.all()).find(k => k.name === 'company'); \
                 await m.submitEntry(k, 'bid.place', {{listing: {id}, amount: '10100.00'}}); }})() \
                 .then(() => done(true), e => done(JSON.stringify(e)));"
            )),
            json!(true)
        );
        b.wait(
            "document.querySelectorAll('#bids li').length === 2",
            "the page following the bids",
        );
        assert_eq!(b.text("#best"), "10100.00");
        assert_eq!(
            b.js("return document.querySelector('#f-bid [name=amount]').value;"),
            json!("10300.00")
        );
        let bids = b.text("#bids");
        assert!(
            bids.contains("1号竞买人") && bids.contains("2号竞买人") && !bids.contains(OUTSIDER),
            "{bids}"
        );
        b.screenshots("listing-trading");
        c.clock.advance(chrono::Duration::hours(2));
        b.goto(&listing);
        b.signer("f-award", "exchange");
        b.ok("f-award");

        // Both parties read the contract the log's hash names, and sign it.
        b.goto(&listing);
        let shown = b
            .js("return document.getElementById('contract').textContent")
            .as_str()
            .unwrap()
            .to_owned();
        let served = ureq::get(&format!("{app}/api/v1/listings/{id}/contract"))
            .call()
            .unwrap();
        let hash = served.header("X-Contract-SHA256").unwrap().to_owned();
        assert_eq!(shown, served.into_string().unwrap());
        assert_eq!(b.text("#contract-sha"), hash);
        b.screenshots("listing-contract");
        for party in ["王大爷的手机", "company"] {
            b.goto(&listing);
            b.click("#f-sign [name=_read]");
            b.signer("f-sign", party);
            b.ok("f-sign");
        }
        b.goto(&listing);
        // 9: the officer sees the register's evidence beside the button.
        let checks = b.text("#title-checks");
        assert!(
            checks.contains("✓ 承包合同在出让方名下")
                && checks.contains("✓ 没有查封、抵押或异议")
                && !checks.contains('✗'),
            "{checks}"
        );
        b.signer("f-verify", "county-140421");
        b.ok("f-verify");
        b.goto(&listing);
        b.signer("f-pay", "exchange");
        b.ok("f-pay");
        b.goto(&listing);
        b.signer("f-settle", "exchange");
        b.ok("f-settle");
        // M4: the price leaves escrow for the household.
        b.goto(&listing);
        assert!(b.text("#paid-out").contains("托管"));
        b.signer("f-release", "exchange");
        b.ok("f-release");
        b.goto(&listing);
        assert!(b.text("#paid-out").contains("已付给出让方"));

        // The title page: the company holds the lease, the household still
        // holds its contract; its history verifies in the browser.
        b.goto(&format!("/parcel/{}", parcel(1)));
        assert_eq!(b.text("#holder"), SELLER);
        let derived = b.text("#derived");
        assert!(
            derived.contains(OUTSIDER) && derived.contains(&id.to_string()),
            "{derived}"
        );
        verify_here(&b, "button[data-verify]");
        b.screenshots("title");
        // M6: the lease is a registered right with its certificate.
        b.click("#derived a[href^='/right/']");
        b.wait(
            "location.pathname.startsWith('/right/')",
            "the right's certificate",
        );
        let cert = b.text("#right");
        assert!(cert.contains(OUTSIDER) && cert.contains(SELLER), "{cert}");
        assert!(b.text("#certified").contains("县里尚未发证"));
        // The county issues it there, under its number (M6).
        b.fill("f-certify", &[("certificate_no", "平顺经营权证 2026-0001")]);
        b.signer("f-certify", "county-140421");
        b.ok("f-certify");
        b.wait(
            "document.getElementById('certified')?.textContent.includes('2026-0001') && !document.getElementById('f-certify')",
            "the certificate's number on the page",
        );
        b.screenshots("right");

        // A member settles in a town; the county attests the rights kept.
        b.goto(&format!("/desk/county?household={SELLER}"));
        // 9: the member chosen by name, after the county's signed read; the
        // town from GB/T 2260's table, province, city and county.
        b.signer("f-names", "county-140421");
        b.click("#f-names button[type=submit]");
        b.wait("document.getElementById('f-names').dataset.done", "names");
        assert!(
            b.text("#hukou-person").contains("户主 韩一"),
            "{}",
            b.text("#hukou-person")
        );
        b.wait(
            "document.querySelector('.town-picker').dataset.ready",
            "the town table",
        );
        for (i, code) in ["14", "1404", "140403"].iter().enumerate() {
            b.js(&format!(
                "const s = document.querySelectorAll('.town-picker select')[{i}]; s.value = {code:?}; s.dispatchEvent(new Event('change'));"
            ));
        }
        assert_eq!(
            b.js("return document.querySelector('#f-hukou [name=town]').value"),
            json!("140403")
        );
        let proof = file_with("落户证明");
        choose_file(&b, "#f-hukou [name=document_sha256]", &proof);
        b.signer("f-hukou", "county-140421");
        b.ok("f-hukou");
        b.goto(&format!("/desk/county?household={SELLER}"));
        // 9: the officer sees the attestation as it will print, not JSON.
        let preview = b.text("#attest-preview");
        assert!(
            preview.contains("一、土地承包经营权")
                && preview.contains(&contract)
                && !preview.contains('{'),
            "{preview}"
        );
        b.signer("f-attest", "county-140421");
        let attestation = b.ok("f-attest");
        b.goto(&format!("/attestation/{attestation}"));
        let contract_line = preview.lines().nth(1).unwrap_or_default();
        assert!(
            b.text("#statement").contains(contract_line),
            "the attestation prints as previewed: {contract_line}"
        );
        b.goto(&format!("/household/{SELLER}"));
        let rights = b.text("#rights");
        assert!(rights.contains(&contract), "{rights}");
        assert!(b.text("#income").contains("10,100.00 元"));
        b.screenshots("household-after");
        b.goto(&format!("/attestation/{attestation}"));
        assert!(b.text("#attestation").contains(&contract));
        assert!(b.text("#attestation").contains("山西省长治市潞州区"));
        verify_here(&b, "button[data-verify]");
        b.screenshots("attestation");

        // The log explorer verifies the checkpoint, and the next time shows
        // by a consistency proof that the log only grew.
        b.goto("/log");
        let report = verify_here(&b, "#verify-log");
        assert!(report.contains("只增未改"), "{report}");
        b.screenshots("log");

        // Charts drawn on the server.
        b.goto("/charts");
        assert!(
            b.js("return document.querySelectorAll('svg.chart').length")
                .as_u64()
                .unwrap()
                >= 4
        );
        assert!(b.text("main").contains("已完成"));
        b.screenshots("charts");

        // English on request.
        b.click("[data-lang=en]");
        b.wait("document.documentElement.lang === 'en'", "English");
        assert!(
            b.text("h1").contains("Transfers in charts"),
            "{}",
            b.text("h1")
        );

        // What the server was sent: no private key, in any spelling.
        for key in [&c.collective, &c.exchange, &c.county] {
            let s = seed(key);
            let b64 = base64::engine::general_purpose::STANDARD.encode(&s);
            let hex: String = s.iter().map(|x| format!("{x:02x}")).collect();
            for needle in [b64.as_bytes(), hex.as_bytes(), &s] {
                assert!(!proxy.saw(needle), "the server was sent a private key");
            }
        }
        assert!(!proxy.saw(b"PRIVATE+KEY"));
        if fallback {
            let seeds = b.js_async(
                "import('/static/app.js').then(m => m.keys.all()).then(ks => done(ks.map(k => m_b64(k.seed))));\
                 function m_b64(u8) { let s = ''; for (const x of u8) s += String.fromCharCode(x); return btoa(s); }",
            );
            for s in seeds.as_array().unwrap() {
                assert!(!proxy.saw(s.as_str().unwrap().as_bytes()));
            }
        } else {
            assert_eq!(
                b.js_async("import('/static/app.js').then(m => m.keys.all()).then(ks => done(ks.every(k => k.priv && k.priv.extractable === false && !k.seed)));"),
                json!(true),
                "WebCrypto keys are kept non-extractable"
            );
        }
        assert!(proxy.saw(b"POST /api/v1/entries"));
        // Nothing wider than the phone: no page scrolls sideways.
        for page in [
            "/",
            "/map",
            "/exchange",
            "/log",
            "/desk/county",
            "/keys",
            "/charts",
        ] {
            b.goto(page);
            assert_eq!(
                b.js("return document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
                json!(true),
                "{page} is wider than the phone"
            );
        }
        assert_eq!(
            b.js("return document.documentElement.clientWidth"),
            json!(390)
        );
        b.assert_no_console_errors();
        b.desktop_screenshots();
        drop(b);
    }
}

/// The browser's canonical JSON, signatures and leaf hashes agree with the
/// vectors made by independent implementations.
#[test]
fn the_browser_signs_the_envelope_vectors_byte_for_byte() {
    let log = TestLog::new(Backend::Sqlite);
    let (registry, _db, _, _) = log.into_registry();
    let app = spawn_app(registry.clone());
    let Some(mut b) = Browser::start(&app, "vectors") else {
        return;
    };
    let vectors: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/envelope.json"
        ))
        .unwrap(),
    )
    .unwrap();
    for fallback in [false, true] {
        b.goto("/keys");
        b.js(&format!(
            "localStorage.setItem('sanquanFallback', '{}');",
            u8::from(fallback)
        ));
        b.goto("/keys");
        let script = format!(
            "const v = {vectors}; const m = await import('/static/app.js');
             const out = [];
             const keys = [];
             for (const k of Object.values(v.keys)) keys.push(await m.importKeyFile(k.skey));
             for (const c of v.cases) {{
               const key = keys.find(k => m.b64(k.pub) === c.entry.signer);
               const canonical = m.jcs(c.entry);
               const sig = m.b64(await m.signBytes(key, m.unb64(c.signing_input_base64)));
               const leaf = new TextEncoder().encode(c.record_leaf_utf8);
               const leafHash = m.b64(await m.sha256(new Uint8Array([0, ...leaf])));
               out.push([canonical === c.canonical_entry_utf8, sig === c.sig, leafHash === c.leaf_hash_base64,
                         m.jcs(JSON.parse(c.record_leaf_utf8)) === c.record_leaf_utf8,
                         await m.verifyBytes(key.pub, m.unb64(c.sig), m.unb64(c.signing_input_base64))]);
             }}
             for (const k of keys) await m.keys.remove(k.name);
             return out;"
        );
        let results = b.js_async(&format!(
            "(async () => {{ {script} }})().then(done, e => done(String(e)));"
        ));
        let cases = results.as_array().unwrap_or_else(|| panic!("{results}"));
        assert_eq!(cases.len(), vectors["cases"].as_array().unwrap().len());
        for case in cases {
            assert_eq!(
                case,
                &json!([true, true, true, true, true]),
                "fallback {fallback}"
            );
        }
    }
    b.assert_no_console_errors();
    drop(b);
    drop(registry);
}

/// `serve --tls-cert --tls-key`: the pages over HTTPS, where a browser
/// reached by a LAN address is a secure context and signs with WebCrypto.
#[test]
fn serve_over_tls_makes_the_pages_a_secure_context() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    crate::cli::init(&dir);
    let made =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let (cert, key) = (tmp.path().join("cert.pem"), tmp.path().join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.key_pair.serialize_pem()).unwrap();
    let _server = crate::cli::serve_with(
        &dir,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    let url = crate::cli::server_url(&dir);
    assert!(url.starts_with("https://"), "{url}");

    // A TLS client that trusts only this certificate reads the home page.
    let mut roots = rustls::RootCertStore::empty();
    roots.add(made.cert.der().clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let addr = url.trim_start_matches("https://").to_owned();
    let session =
        rustls::ClientConnection::new(std::sync::Arc::new(config), "localhost".try_into().unwrap())
            .unwrap();
    let mut tls = rustls::StreamOwned::new(session, std::net::TcpStream::connect(&addr).unwrap());
    std::io::Write::write_all(
        &mut tls,
        b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = Vec::new();
    let _ = std::io::Read::read_to_end(&mut tls, &mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("农村三权登记与交易"));

    // Over HTTPS the browser signs with WebCrypto, as it would on a phone
    // that reaches the county's server by its LAN address.
    let Some(mut b) = Browser::start_with(&url, "tls", &["--ignore-certificate-errors"]) else {
        return;
    };
    b.goto("/keys");
    assert_eq!(b.js("return window.isSecureContext"), json!(true));
    assert_eq!(
        b.js_async("import('/static/app.js').then(m => m.nativeEd25519()).then(done);"),
        json!(true)
    );
    b.assert_no_console_errors();
}

/// A page that cannot be made is a page: the status of the API's error
/// class, its code and both messages; under `/api/` the answer stays JSON.
/// The security headers every page carries (11.3): scripts and styles of
/// this origin only — no inline style a parcel name could smuggle in — and
/// no framing.
fn assert_secure(r: &ureq::Response, path: &str) {
    let policy = r.header("Content-Security-Policy").unwrap_or_default();
    assert!(
        policy.contains("style-src 'self';") && !policy.contains("unsafe-inline"),
        "{path}: {policy}"
    );
    assert_eq!(r.header("X-Frame-Options"), Some("DENY"), "{path}");
    assert_eq!(
        r.header("X-Content-Type-Options"),
        Some("nosniff"),
        "{path}"
    );
}

#[test]
fn pages_answer_errors_as_pages_in_chinese_first() {
    let log = TestLog::new(Backend::Sqlite);
    let (registry, _db, _, _) = log.into_registry();
    let app = spawn_app(registry.clone());
    for (path, status, code) in [
        ("/parcel/1404210010010199999", 404, "not_found"),
        ("/household/140421001001019999", 404, "not_found"),
        ("/listing/abc", 400, "bad_query"),
        ("/attestation/999", 404, "not_found"),
        ("/nothing/here", 404, "not_found"),
        ("/static/nothing.js", 404, "not_found"),
    ] {
        let answer = ureq::get(&format!("{app}{path}")).call();
        let Err(ureq::Error::Status(s, r)) = answer else {
            panic!("{path}: {answer:?}")
        };
        assert_eq!(s, status, "{path}");
        assert!(r.content_type().starts_with("text/html"), "{path}");
        assert_secure(&r, path);
        let body = r.into_string().unwrap();
        assert!(
            body.contains(code) && body.contains("回首页"),
            "{path}: {body}"
        );
        let h1 = body
            .split("<h1>")
            .nth(1)
            .unwrap()
            .split("</h1>")
            .next()
            .unwrap();
        assert!(latin_words(h1, &[path]).is_empty(), "{path}: {h1}");
        // The next step in plain words, and a way on: a search by code.
        if status == 404 {
            assert!(body.contains("没有找到这一页"), "{path}: {body}");
            assert!(body.contains(r#"action="/household""#), "{path}");
        }
    }
    let Err(ureq::Error::Status(404, r)) = ureq::get(&format!("{app}/api/v1/nothing")).call()
    else {
        panic!("an unknown API route")
    };
    assert_eq!(
        r.into_json::<Value>().unwrap()["error"]["code"],
        "not_found"
    );
    // The pages that answer 200 carry the same headers: no inline style
    // (11.3), no framing — the home page and a listing's printable contract
    // page among them.
    for path in ["/", "/map", "/log"] {
        let r = ureq::get(&format!("{app}{path}")).call().unwrap();
        assert_secure(&r, path);
    }
    let Err(ureq::Error::Status(404, r)) =
        ureq::get(&format!("{app}/api/v1/listings/999/contract/print")).call()
    else {
        panic!("a contract page for no listing")
    };
    assert_secure(&r, "/api/v1/listings/999/contract/print");
    // Every page, asset and licence the pages use is served, compressed
    // when asked.
    for (path, _) in sanquan::web::ASSETS {
        let r = ureq::get(&format!("{app}/static/{path}"))
            .set("Accept-Encoding", "gzip")
            .call()
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    drop(registry);
}

/// 11: with the page's script off (turned off, or an old phone's browser
/// that does not run it), no form sends what a person typed anywhere, least
/// of all into a URL: the forms that sign are POST, their buttons stay
/// disabled, Enter in a field sends nothing, and the page says why.
#[test]
fn without_script_no_form_sends_what_a_person_typed() {
    let c = county(Backend::Sqlite);
    let app = spawn_app(c.registry.clone());
    let Some(mut b) =
        Browser::start_with(&app, "noscript", &["--blink-settings=scriptEnabled=false"])
    else {
        return;
    };
    let clerk = format!("/clerk/{VILLAGE}/household");
    b.goto_unscripted(&clerk);
    assert!(b.shown_text(".noscript").contains("JavaScript"));
    assert!(!b.enabled("#f-household button[type=submit]"));
    b.type_into("#f-household [name=_name]", "王大爷");
    b.type_into("#f-household [name=_id_number]", "14042119800101123X");
    b.press_enter("#f-household [name=_id_number]");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let url = b.url();
    assert!(url.ends_with(&clerk), "{url}");
    // And every form of every page template: one that is not a plain GET
    // search (which holds no personal field) is POST.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for form in text.split("<form").skip(1) {
            let tag = form.split('>').next().unwrap_or_default();
            let body = form.split("</form>").next().unwrap_or_default();
            let get = tag.contains(r#"method="get""#) || !tag.contains("method=");
            let personal = ["_name", "_id_number", "_phone"]
                .iter()
                .any(|f| body.contains(&format!(r#"name="{f}""#)));
            assert!(
                !(get && (personal || tag.contains("data-kind"))),
                "{}: <form{tag}>",
                entry.path().display()
            );
        }
    }
}

/// Issue 18 (8): the clerk's work as tasks, one page each — the index says
/// what waits for each task; a household registered, its people admitted
/// under the members' assembly's decision (their names by the collective's
/// signed read), its contract granted, posted and, once the notice closed,
/// certified — each task ending on a card linking to what was made.
#[test]
fn the_clerk_finishes_a_household_task_by_task() {
    let c = county(Backend::Sqlite);
    let app = spawn_app(c.registry.clone());
    let Some(mut b) = Browser::start(&app, "clerk-tasks") else {
        return;
    };
    import_key(&mut b, &c.collective);
    let clerk = format!("/clerk/{VILLAGE}");
    let task = |t: &str| format!("{clerk}/{t}");
    b.goto(&task("household"));
    b.fill(
        "f-household",
        &[("_name", "韩一"), ("_id_number", "14042119800101123X")],
    );
    b.signer("f-household", "collective-1");
    b.ok("f-household");
    // The index: each task a link, with what waits for it.
    b.goto(&clerk);
    let tasks = b.text("#tasks");
    assert!(
        tasks.contains("成员认定\n") && tasks.contains("1 人待认定"),
        "{tasks}"
    );
    assert!(tasks.contains("3 块地可发包"), "{tasks}");
    assert!(!tasks.contains("份合同待公示"), "{tasks}");
    b.screenshots("clerk-tasks");
    // 成员认定 with no decision to rest on says where to record one.
    b.goto(&task("admit"));
    b.signer("f-admit", "collective-1");
    assert!(b.text("#no-decision").contains("去记录表决"));
    b.goto(&task("decision"));
    let minutes = file_with("成员大会会议记录");
    b.fill(
        "f-decision",
        &[
            ("subject", "membership"),
            ("question", "确认韩一为本集体成员"),
            ("eligible", "40"),
            ("present", "36"),
            ("for", "30"),
            ("against", "2"),
        ],
    );
    // 7: a field left empty is named by its label, not its code name.
    b.signer("f-decision", "collective-1");
    let refused = b.submit("f-decision").unwrap_err();
    assert!(refused.starts_with("会议记录：还没有填"), "{refused}");
    choose_file(&b, "#f-decision [name=minutes_sha256]", &minutes);
    let decision = b.ok("f-decision");
    b.goto(&task("admit"));
    assert_eq!(
        b.js("return document.querySelector('#f-admit [name=decision]').value"),
        json!(decision.to_string())
    );
    // The names only on the collective's signed read.
    assert_eq!(b.text("#f-admit .pii"), "");
    b.signer("f-names", "collective-1");
    b.click("#f-names button[type=submit]");
    b.wait("document.getElementById('f-names').dataset.done", "names");
    assert!(
        b.text("#f-admit").contains("第1户 · 户主 韩一"),
        "{}",
        b.text("#f-admit")
    );
    b.ok("f-admit");
    b.goto(&task("admit"));
    assert!(b.text("#nothing").contains("都已认定"));
    // 发包: only contractable land offered, a whole 30-year term filled in.
    b.goto(&task("grant"));
    let contract = format!("{SELLER}J");
    b.fill(
        "f-grant",
        &[
            ("CBHTBM", &contract),
            ("CBFBM", SELLER),
            ("DKBM", &format!("{} {}", parcel(1), parcel(2))),
        ],
    );
    b.signer("f-grant", "collective-1");
    b.ok("f-grant");
    // 公示: the new contract is waiting, ticked; the shortest notice filled.
    b.goto(&task("notice"));
    assert_eq!(
        b.js("return [...document.querySelectorAll('#f-notice [name=\"CBHTBM[]\"]')].map(i => [i.value, i.checked])"),
        json!([[contract, true]])
    );
    let posting = file_with("公示栏照片");
    choose_file(&b, "#f-notice [name=posting_sha256]", &posting);
    b.signer("f-notice", "collective-1");
    b.ok("f-notice");
    // 颁证 waits for the notice to close, and says until when.
    b.goto(&task("certify"));
    let until = c.clock.now().date_naive() + chrono::Days::new(6);
    let nothing = b.text("#nothing");
    assert!(
        nothing.contains("还在公示") && nothing.contains(&format!("{}年", until.format("%Y"))),
        "{nothing}"
    );
    c.clock.advance(chrono::Duration::days(7));
    b.goto(&clerk);
    assert!(
        b.text("#tasks").contains("1 份可颁证"),
        "{}",
        b.text("#tasks")
    );
    b.goto(&task("certify"));
    let form = format!("f-certify-{contract}");
    b.signer(&form, "collective-1");
    b.ok(&form);
    assert_eq!(
        b.js(&format!(
            "return document.querySelector('#{form} .success-card a').getAttribute('href')"
        )),
        json!(format!("/certificate/{contract}"))
    );
    b.goto(&format!("/certificate/{contract}"));
    assert!(b.text("main").contains("承包经营权证"));
    b.goto(&task("certify"));
    assert!(b.text("#nothing").contains("没有公示期满"));
    b.assert_no_console_errors();
}

/// Issue 18 (9): the county's settings as a form — each setting its field in
/// words; only what changed is signed (a nested setting whole), and a form
/// with nothing changed is refused before anything is signed.
#[test]
fn the_county_changes_only_the_settings_it_changed() {
    let c = county(Backend::Sqlite);
    let app = spawn_app(c.registry.clone());
    let Some(mut b) = Browser::start(&app, "settings") else {
        return;
    };
    import_key(&mut b, &c.county);
    b.goto("/desk/county");
    b.signer("f-settings", "county-140421");
    assert!(b.text("#f-settings").contains("挂牌公示期（工作日）"));
    b.fill("f-settings", &[("reason", "县政府通知")]);
    let refused = b.submit("f-settings").unwrap_err();
    assert!(refused.contains("没有改动任何一项"), "{refused}");
    b.goto("/desk/county");
    b.fill(
        "f-settings",
        &[
            ("settings.notice_working_days", "12"),
            ("settings.homestead_limit_m2.hill", "135"),
            (
                "settings.zone_prices",
                "140421001 45,000元\n14042100100101 52000",
            ),
            ("reason", "县政府通知"),
        ],
    );
    b.signer("f-settings", "county-140421");
    let index = b.ok("f-settings");
    let entry: Value = ureq::get(&format!("{app}/api/v1/entries/{index}"))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(
        entry["envelope"]["entry"]["body"]["settings"],
        json!({
            "notice_working_days": 12,
            "homestead_limit_m2": {"plain": "125", "hill": "135", "mountain": "160"},
            "zone_prices": {"140421001": "45000", "14042100100101": "52000"},
        }),
        "{entry}"
    );
    b.goto("/desk/county");
    assert_eq!(
        b.js("return document.querySelector('#f-settings [name=\"settings.notice_working_days\"]').value"),
        json!("12")
    );
    // 9: compensation typed as lines, not JSON; 7: a line refused says
    // which, 1-based, under its field's label.
    b.js("document.getElementById('expropriation').open = true;");
    b.fill(
        "f-plan",
        &[("expropriation", "1"), ("notice_to", "2027-12-31")],
    );
    b.js("const r = document.querySelector('#f-plan .row'); r.querySelector('[name=party]').value = '14042100100101'; r.querySelector('[name=amount]').value = '45,000元';");
    b.click("#f-plan [data-add-row]");
    b.js("const r = document.querySelectorAll('#f-plan .row')[1]; r.querySelector('[name=party]').value = '140421001001010001'; r.querySelector('[name=amount]').value = '一万';");
    b.signer("f-plan", "county-140421");
    let refused = b.submit("f-plan").unwrap_err();
    assert!(refused.starts_with("第 2 行的金额（元）："), "{refused}");
    assert_eq!(
        b.js("return document.querySelectorAll('#f-plan .row')[0].querySelector('[name=amount]').value"),
        json!("45000"),
        "the first line's amount signed as plain yuan"
    );
    b.assert_no_console_errors();
}

/// 6: each person sees only what they may do — a browser with no key of the
/// collective is not shown the clerk's forms (and is told how to get a key);
/// with the collective's key, it is.
#[test]
fn a_browser_is_shown_only_the_forms_its_keys_may_sign() {
    let c = county(Backend::Sqlite);
    let app = spawn_app(c.registry.clone());
    // 8: the clerk's forms come filled: the next free household code, the
    // parcels that may be contracted, a whole 30-year term.
    let page = |task: &str| {
        ureq::get(&format!("{app}/clerk/{VILLAGE}/{task}"))
            .call()
            .unwrap()
            .into_string()
            .unwrap()
    };
    assert!(page("household").contains(&format!(
        r#"name="CBFBM" inputmode="numeric" value="{VILLAGE}0001""#
    )));
    let page = page("grant");
    assert_eq!(
        page.matches(r#"<option value="140421001001010000"#).count(),
        3
    );
    let today = c.clock.now().date_naive();
    let end = today + chrono::Months::new(360) - chrono::Days::new(1);
    assert!(
        page.contains(&format!(r#"name="end" value="{end}""#)),
        "{end}"
    );
    let Some(mut b) = Browser::start(&app, "own-forms") else {
        return;
    };
    let clerk = format!("/clerk/{VILLAGE}/household");
    b.goto(&clerk);
    b.wait("document.getElementById('no-key-here')", "the notice");
    assert_eq!(
        b.js("return document.getElementById('f-household').hidden"),
        json!(true)
    );
    assert_eq!(
        b.js("return !!document.getElementById('next-steps')"),
        json!(false)
    );
    import_key(&mut b, &c.collective);
    b.goto(&clerk);
    b.signer("f-household", "collective-1");
    assert_eq!(
        b.js("return document.getElementById('f-household').hidden"),
        json!(false)
    );
    // 6: 您的下一步 leads the page with the steps this browser's keys may
    // take here, each a link to its form — the clerk's, not the county's.
    let steps = b.text("#next-steps");
    assert!(
        steps.starts_with("您的下一步") && steps.contains("登记承包户"),
        "{steps}"
    );
    assert_eq!(
        b.js("return [...document.querySelectorAll('#next-steps a')].every(a => !document.querySelector(a.getAttribute('href')).hidden)"),
        json!(true)
    );
}

/// Issue 18 (5): a phone offers its new key under its short code; the code,
/// typed any way, names that key — or, once bound, whom it acts for; a code
/// no one offered is not found, and what is not a key is refused by field.
#[test]
fn a_short_code_names_the_key_a_phone_offered() {
    let c = county(Backend::Sqlite);
    let app = spawn_app(c.registry.clone());
    let fresh = new_key("王大爷的手机");
    let vkey = fresh.verifier().to_string();
    let offer = |body: Value| match ureq::post(&format!("{app}/api/v1/key-offers")).send_json(body)
    {
        Ok(r) => (r.status(), r.into_json::<Value>().unwrap()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_json::<Value>().unwrap()),
        Err(e) => panic!("{e}"),
    };
    let get = |code: &str| match ureq::get(&format!("{app}/api/v1/key-offers/{code}")).call() {
        Ok(r) => (r.status(), r.into_json::<Value>().unwrap()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_json::<Value>().unwrap()),
        Err(e) => panic!("{e}"),
    };
    let (status, offered) = offer(json!({"vkey": vkey}));
    assert_eq!(status, 200, "{offered}");
    let code = offered["code"].as_str().unwrap().to_owned();
    assert_eq!(
        code,
        sanquan::model::keys::short_code(&fresh.public_bytes())
    );
    let (status, found) = get(&code.to_lowercase().replace('-', ""));
    assert_eq!((status, found["vkey"].as_str()), (200, Some(vkey.as_str())));
    assert!(found["bound"].is_null());
    // Offered again, the same: kept, not doubled.
    assert_eq!(offer(json!({"vkey": vkey})).0, 200);
    // A key offered and bound since: its code names whom it acts for.
    assert_eq!(
        offer(json!({"vkey": c.collective.verifier().to_string()})).0,
        200
    );
    let bound = sanquan::model::keys::short_code(&c.collective.public_bytes());
    let (status, found) = get(&bound);
    assert_eq!(
        (status, found["bound"]["party"].as_str()),
        (200, Some(VILLAGE))
    );
    // Nothing offered under this code; a code that cannot be one; not a key.
    let unknown = if code == "2222-2222" {
        "3333-3333"
    } else {
        "2222-2222"
    };
    assert_eq!(get(unknown).0, 404);
    assert_eq!(get("ABCD-EF01").0, 404);
    let (status, refused) = offer(json!({"vkey": "王大爷+00000000+AAAA"}));
    assert_eq!(
        (status, refused["error"]["field"].as_str()),
        (400, Some("vkey")),
        "{refused}"
    );
    assert!(refused["error"]["message_zh"]
        .as_str()
        .unwrap()
        .starts_with("验证公钥无效"));
    let (status, _) = offer(json!({"vkey": vkey, "name": "x"}));
    assert_eq!(status, 400);
}

/// Issue 19 (6): the clerk uploads the village's 确权 package, zipped; the
/// page registers what passes — a parcel, a household with its members, its
/// contract, the notice for its certificate — step by step with a progress
/// bar, and shows a table with the refused rows first, each by its file
/// and row: a parcel overlapping a registered one, a member whose ID
/// number's check character is wrong.
#[test]
fn the_clerk_uploads_a_village_package_and_sees_the_refused_rows_first() {
    use sanquan::registry::package::{fields, write_layers, write_tables, LayerOut, TableOut};
    use sanquan::spatial::shapefile::Attribute;
    let c = county(Backend::Sqlite);
    let app = spawn_app(c.registry.clone());
    let Some(mut b) = Browser::start(&app, "clerk-package") else {
        return;
    };
    import_key(&mut b, &c.collective);
    let t = |s: &str| Attribute::Text(s.to_owned());
    let square = |lon: f64| {
        vec![vec![vec![
            [lon, 36.001],
            [lon + 0.0005, 36.001],
            [lon + 0.0005, 36.0015],
            [lon, 36.0015],
            [lon, 36.001],
        ]]]
    };
    let dk = |code: &str, name: &str| {
        let mut row = vec![t(code), t(name), t("10"), t("1"), t("05"), t("2")];
        row.extend(std::iter::repeat_n(Attribute::Null, 6));
        row
    };
    let dir = tempfile::tempdir().unwrap();
    let crs = sanquan::spatial::crs::Crs::of_epsg(4526).unwrap();
    write_layers(
        &dir.path().join("矢量数据"),
        "140421",
        2019,
        crs,
        vec![LayerOut {
            code: "DK",
            fields: fields::DK.to_vec(),
            records: vec![
                (square(113.006), dk(&parcel(6), "新开地")),
                (square(113.0021), dk(&parcel(7), "重叠地")),
            ],
        }],
    )
    .unwrap();
    let (good, bad) = ("140421001001010007", "140421001001010008");
    let table = |name, fields: &[sanquan::spatial::shapefile::Field], rows| TableOut {
        name,
        fields: fields.to_vec(),
        rows,
    };
    write_tables(
        &dir.path().join("权属数据"),
        vec![
            table(
                "CBF",
                &fields::CBF,
                vec![
                    vec![
                        t(good),
                        t("1"),
                        t("郭三"),
                        t("1"),
                        t("140421196505050014"),
                        Attribute::Number("1".into()),
                    ],
                    vec![
                        t(bad),
                        t("1"),
                        t("林四"),
                        t("1"),
                        t("140421197001010010"),
                        Attribute::Number("1".into()),
                    ],
                ],
            ),
            table(
                "CBF_JTCY",
                &fields::CBF_JTCY,
                vec![
                    vec![
                        t(good),
                        t("郭三"),
                        t("1"),
                        t("140421196505050014"),
                        t("02"),
                        t("1"),
                    ],
                    vec![
                        t(bad),
                        t("林四"),
                        t("1"),
                        t("140421197001010010"),
                        t("02"),
                        t("1"),
                    ],
                ],
            ),
            table(
                "CBHT",
                &fields::CBHT,
                vec![vec![
                    t(&format!("{good}J")),
                    t(VILLAGE),
                    t(good),
                    t("110"),
                    Attribute::Date("20180101".into()),
                    Attribute::Date("20471231".into()),
                    Attribute::Number("1".into()),
                ]],
            ),
            table(
                "CBDKXX",
                &fields::CBDKXX,
                vec![vec![
                    t(&parcel(6)),
                    t(VILLAGE),
                    t(good),
                    t(&format!("{good}J")),
                    t(&format!("{good}J")),
                ]],
            ),
            table(
                "CBJYQZ",
                &fields::CBJYQZ,
                vec![vec![
                    t(&format!("{good}J")),
                    Attribute::Null,
                    Attribute::Null,
                ]],
            ),
        ],
    )
    .unwrap();
    let zipped = tempfile::Builder::new().suffix(".zip").tempfile().unwrap();
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(zipped.path()).unwrap());
        for sub in ["矢量数据", "权属数据"] {
            for e in std::fs::read_dir(dir.path().join(sub)).unwrap() {
                let p = e.unwrap().path();
                let name = format!("{sub}/{}", p.file_name().unwrap().to_string_lossy());
                z.start_file(name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                std::io::Write::write_all(&mut z, &std::fs::read(&p).unwrap()).unwrap();
            }
        }
        z.finish().unwrap();
    }
    b.goto(&format!("/clerk/{VILLAGE}/survey"));
    choose_file(&b, "#survey [name=file]", &zipped);
    b.signer("survey", "collective-1");
    b.click("#survey button[type=submit]");
    b.wait(
        "document.getElementById('survey').dataset.done",
        "package imported",
    );
    // A parcel, a household, its contract, the notice: four entries.
    assert_eq!(
        b.js("return document.getElementById('survey').dataset.done"),
        json!("4")
    );
    let rows: Value = b.js(
        "return [...document.querySelectorAll('#survey table.report tbody tr')].map(r => [r.className, r.innerText])",
    );
    let rows = rows.as_array().unwrap();
    let first_two: Vec<&str> = rows[..2].iter().map(|r| r[0].as_str().unwrap()).collect();
    assert_eq!(first_two, ["refused", "refused"], "{rows:?}");
    let text = |r: &Value| r[1].as_str().unwrap().to_owned();
    assert!(
        rows.iter().any(|r| text(r).contains("DK1404212019.shp")
            && text(r).contains(&parcel(7))
            && text(r).contains("parcel_overlap")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| text(r).contains("CBF_JTCY.dbf") && text(r).contains("身份证")),
        "{rows:?}"
    );
    b.screenshots("clerk-package");
    let household: Value = ureq::get(&format!("{app}/api/v1/households/{good}"))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(
        household["members"].as_array().unwrap().len(),
        1,
        "{household}"
    );
    assert!(ureq::get(&format!("{app}/api/v1/households/{bad}"))
        .call()
        .is_err());
}
