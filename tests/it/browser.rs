//! A real Chromium driven over WebDriver (Debian's `chromium` and
//! `chromium-driver`), for the web UI's tests: a page's console errors are
//! collected, screenshots are saved as artifacts, and every byte the browser
//! sends to the server passes a recording proxy, so a test can show what the
//! server was never sent.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// Where Debian puts them; `SANQUAN_CHROMIUM` and `SANQUAN_CHROMEDRIVER`
/// may say otherwise.
fn binaries() -> Option<(String, String)> {
    let chromium = std::env::var("SANQUAN_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let driver =
        std::env::var("SANQUAN_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let found = std::path::Path::new(&chromium).exists() && std::path::Path::new(&driver).exists();
    if found {
        return Some((chromium, driver));
    }
    if std::env::var_os("SANQUAN_REQUIRE_BROWSER").is_some() {
        panic!("Chromium and ChromeDriver are required (SANQUAN_REQUIRE_BROWSER) but {chromium} or {driver} is missing");
    }
    eprintln!("skipping the browser tests: {chromium} or {driver} is missing (apt install chromium chromium-driver)");
    None
}

/// A page printed as a person prints it from Chromium's own print dialog,
/// with its default header and footer (the date, the title, the address)
/// on: `chromium --headless --print-to-pdf`, read by `pdftotext -layout`.
pub fn printed_with_browser_margins(url: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let pdf = printed_pdf(url, dir.path())?;
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The same page printed to a PDF file in `dir`.
pub fn printed_pdf(url: &str, dir: &std::path::Path) -> Option<PathBuf> {
    let (chromium, _) = binaries()?;
    let pdf = dir.join("page.pdf");
    let status = std::process::Command::new(chromium)
        .args(["--headless=new", "--no-sandbox", "--disable-gpu"])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "chromium --print-to-pdf {url}");
    Some(pdf)
}

/// Copies bytes both ways between the browser and the app, keeping what the
/// browser sent.
pub struct Proxy {
    pub url: String,
    pub sent: Arc<Mutex<Vec<u8>>>,
}

impl Proxy {
    pub fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let log = sent.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let (mut c_read, mut s_write) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (mut s_read, mut c_write) = (server, client);
                let log = log.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16384];
                    while let Ok(n) = c_read.read(&mut buf) {
                        if n == 0 || s_write.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        log.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                    let _ = s_write.shutdown(std::net::Shutdown::Write);
                });
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut s_read, &mut c_write);
                    let _ = c_write.shutdown(std::net::Shutdown::Write);
                });
            }
        });
        Proxy { url, sent }
    }

    pub fn saw(&self, needle: &[u8]) -> bool {
        let sent = self.sent.lock().unwrap();
        !needle.is_empty() && sent.windows(needle.len()).any(|w| w == needle)
    }
}

/// The legacy log endpoint chromedriver still serves: the browser console.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

pub struct Browser {
    pub client: Client,
    pub base: String,
    driver: Child,
    _profile: tempfile::TempDir,
    pub rt: tokio::runtime::Runtime,
    pub errors: Vec<String>,
    shots: PathBuf,
    label: String,
    /// The pages saved as screenshots: (name, path).
    shot_pages: Vec<(String, String)>,
}

pub const PHONE: (u32, u32) = (390, 844);
pub const DESKTOP: (u32, u32) = (1280, 900);

impl Browser {
    /// A headless Chromium as a phone 390 px wide (Chrome's windows are
    /// never that narrow, so the phone is emulated); `None` where Chromium is
    /// not installed (and not required).
    pub fn start(base: &str, label: &str) -> Option<Browser> {
        Self::start_with(base, label, &[])
    }

    /// [`Browser::start`] with more Chromium switches.
    pub fn start_with(base: &str, label: &str, switches: &[&str]) -> Option<Browser> {
        Self::launch(base, label, switches, Some(PHONE))
    }

    /// A desktop browser window of `DESKTOP` size.
    pub fn desktop(base: &str, label: &str) -> Option<Browser> {
        Self::launch(base, label, &[], None)
    }

    fn launch(
        base: &str,
        label: &str,
        switches: &[&str],
        phone: Option<(u32, u32)>,
    ) -> Option<Browser> {
        let (chromium, driver_bin) = binaries()?;
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        let mut args: Vec<String> = sanquan::web::HEADLESS_CHROMIUM
            .iter()
            .chain(&["--lang=zh-CN"])
            .chain(switches)
            .copied()
            .map(str::to_owned)
            .collect();
        args.push(format!("--window-size={},{}", DESKTOP.0, DESKTOP.1));
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut options = json!({"binary": chromium, "args": args});
        if let Some((width, height)) = phone {
            options["mobileEmulation"] = json!({
                "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "touch": true, "mobile": true},
            });
        }
        caps.insert("goog:chromeOptions".into(), options);
        caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        let webdriver = format!("http://127.0.0.1:{port}");
        let client = rt.block_on(async {
            let started = Instant::now();
            loop {
                let connector = hyper_util::client::legacy::connect::HttpConnector::new();
                match ClientBuilder::new(connector)
                    .capabilities(caps.clone())
                    .connect(&webdriver)
                    .await
                {
                    Ok(c) => break c,
                    Err(e) if started.elapsed() > Duration::from_secs(20) => {
                        panic!("chromedriver did not start: {e}")
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            }
        });
        let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        Some(Browser {
            client,
            base: base.to_owned(),
            driver,
            _profile: profile,
            rt,
            errors: Vec::new(),
            shots,
            label: label.to_owned(),
            shot_pages: Vec::new(),
        })
    }

    /// Opens a page and waits for its script.
    pub fn goto(&mut self, path: &str) {
        self.collect_console();
        let url = format!("{}{path}", self.base);
        self.rt.block_on(self.client.goto(&url)).unwrap();
        self.wait("document.documentElement.dataset.ready === '1'", path);
    }

    pub fn js(&self, script: &str) -> Value {
        self.rt
            .block_on(self.client.execute(script, vec![]))
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// Runs an async script: it ends by calling `done(value)`.
    pub fn js_async(&self, script: &str) -> Value {
        let wrapped = format!("const done = arguments[arguments.length - 1]; {script}");
        self.rt
            .block_on(self.client.execute_async(&wrapped, vec![]))
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// Waits until a JavaScript expression holds (at most 30 s).
    pub fn wait(&self, condition: &str, what: &str) {
        let started = Instant::now();
        loop {
            if self.js(&format!("return !!({condition});")) == json!(true) {
                return;
            }
            if started.elapsed() > Duration::from_secs(30) {
                let text =
                    self.js("return document.body ? document.body.innerText.slice(0, 3000) : ''");
                panic!("timed out waiting for {what}: {condition}\n{text}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sets form fields as a user's typing would leave them.
    pub fn fill(&self, form: &str, fields: &[(&str, &str)]) {
        for (name, value) in fields {
            let script = format!(
                "const f = document.getElementById({form:?}); const el = f.elements.namedItem({name:?}); \
                 if (!el) return false; el.value = {value:?}; el.dispatchEvent(new Event('input', {{bubbles: true}})); return true;"
            );
            assert_eq!(self.js(&script), json!(true), "{form} has no field {name}");
        }
    }

    /// Types into a field with the keyboard.
    pub fn type_into(&self, css: &str, text: &str) {
        self.rt.block_on(async {
            let el = self.client.find(Locator::Css(css)).await.unwrap();
            el.clear().await.unwrap();
            el.send_keys(text).await.unwrap();
        });
    }

    /// Presses Enter in a field (a form's implicit submission), with the
    /// keyboard only: it works with the page's script turned off.
    pub fn press_enter(&self, css: &str) {
        self.rt.block_on(async {
            let el = self.client.find(Locator::Css(css)).await.unwrap();
            el.send_keys("\u{E007}").await.unwrap();
        });
    }

    /// Opens a page without waiting for its script (for a browser whose
    /// script is off).
    pub fn goto_unscripted(&mut self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.rt.block_on(self.client.goto(&url)).unwrap();
    }

    /// An element's visible text, asked of the browser (no script).
    pub fn shown_text(&self, css: &str) -> String {
        self.rt.block_on(async {
            let el = self.client.find(Locator::Css(css)).await.unwrap();
            el.text().await.unwrap()
        })
    }

    /// The address the browser shows now.
    pub fn url(&self) -> String {
        self.rt
            .block_on(async { self.client.current_url().await.unwrap() })
            .to_string()
    }

    /// Whether the element is enabled, asked of the browser (no script).
    pub fn enabled(&self, css: &str) -> bool {
        self.rt.block_on(async {
            let el = self.client.find(Locator::Css(css)).await.unwrap();
            el.is_enabled().await.unwrap()
        })
    }

    /// Clicks the middle of an element, scrolled to the middle of the screen
    /// first (as a user would bring it into view).
    pub fn click(&self, css: &str) {
        self.js(&format!(
            "document.querySelector({css:?})?.scrollIntoView({{block: 'center', inline: 'center'}});"
        ));
        self.rt.block_on(async {
            self.client
                .find(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("{css}: {e}"))
                .click()
                .await
                .unwrap_or_else(|e| panic!("{css}: {e}"));
        });
    }

    /// Chooses the key a form signs with (waits for the list of keys).
    pub fn signer(&self, form: &str, key: &str) {
        self.wait(
            &format!("[...document.querySelectorAll('#{form} select[name=_signer] option')].some(o => o.value === {key:?})"),
            &format!("key {key} in {form}"),
        );
        self.js(&format!(
            "document.querySelector('#{form} select[name=_signer]').value = {key:?};"
        ));
    }

    /// Submits a signing form and waits for the log's answer: the index of
    /// the entry, or the refusal shown on the page.
    pub fn submit(&self, form: &str) -> Result<u64, String> {
        self.click(&format!("#{form} button[type=submit]"));
        let started = Instant::now();
        loop {
            let state = self.js(&format!(
                "const f = document.getElementById({form:?}); if (!f) return {{done: -1}}; \
                 const e = f.querySelector('.err'); \
                 return {{done: f.dataset.done ? Number(f.dataset.done) : null, err: e ? e.textContent : null}};"
            ));
            if let Some(i) = state["done"].as_u64() {
                return Ok(i);
            }
            if let Some(e) = state["err"].as_str() {
                return Err(e.to_owned());
            }
            if started.elapsed() > Duration::from_secs(30) {
                panic!("{form}: no answer");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Submits and insists on acceptance.
    pub fn ok(&self, form: &str) -> u64 {
        self.submit(form)
            .unwrap_or_else(|e| panic!("{form} was refused: {e}"))
    }

    pub fn text(&self, css: &str) -> String {
        self.js(&format!(
            "const el = document.querySelector({css:?}); return el ? el.innerText : null;"
        ))
        .as_str()
        .unwrap_or_else(|| panic!("no {css} on the page"))
        .to_owned()
    }

    /// The page printed as Chromium prints it (A4, WebDriver's Print Page),
    /// saved beside the screenshots, and its text as `pdftotext -layout`
    /// reads it: (text, pages).
    pub fn printed(&self, name: &str) -> (String, usize) {
        let pdf = self
            .rt
            .block_on(
                self.client
                    .print(fantoccini::wd::PrintConfiguration::default()),
            )
            .unwrap();
        let path = self.shots.join(format!("{}-{name}.pdf", self.label));
        std::fs::write(&path, &pdf).unwrap();
        let out = Command::new("pdftotext")
            .arg("-layout")
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (Debian's poppler-utils) reads the printed page");
        assert!(out.status.success(), "pdftotext {}", path.display());
        let text = String::from_utf8(out.stdout).unwrap();
        let pages = text.matches('\u{c}').count().max(1);
        (text, pages)
    }

    /// Whether the page fits the window's width: nothing to scroll sideways.
    pub fn fits_width(&self) -> bool {
        self.js("return document.documentElement.scrollWidth <= window.innerWidth;") == json!(true)
    }

    /// Saves the page as this browser shows it, and notes it for
    /// [`Browser::desktop_screenshots`].
    pub fn screenshots(&mut self, name: &str) {
        let png = self.rt.block_on(self.client.screenshot()).unwrap();
        std::fs::write(
            self.shots.join(format!("{}-{name}-phone.png", self.label)),
            png,
        )
        .unwrap();
        let path = self.js("return location.pathname + location.search");
        self.shot_pages
            .push((name.to_owned(), path.as_str().unwrap_or("/").to_owned()));
    }

    /// The pages saved so far, again at desktop width, in a desktop window
    /// (the pages as they stand now).
    pub fn desktop_screenshots(&self) {
        let Some(desk) = Browser::desktop(&self.base, &self.label) else {
            return;
        };
        for (name, path) in &self.shot_pages {
            let url = format!("{}{path}", self.base);
            desk.rt.block_on(desk.client.goto(&url)).unwrap();
            desk.wait("document.documentElement.dataset.ready === '1'", path);
            std::thread::sleep(Duration::from_millis(300));
            let png = desk.rt.block_on(desk.client.screenshot()).unwrap();
            std::fs::write(
                self.shots
                    .join(format!("{}-{name}-desktop.png", self.label)),
                png,
            )
            .unwrap();
        }
    }

    /// Keeps the console's errors. The server's refusals of entries and of
    /// signed reads (4xx on `/api/v1/entries` and `/api/v1/households/…`)
    /// are answers the page shows, not errors of the page.
    pub fn collect_console(&mut self) {
        let Ok(log) = self.rt.block_on(self.client.issue_cmd(BrowserLog)) else {
            return;
        };
        for entry in log.as_array().into_iter().flatten() {
            let level = entry["level"].as_str().unwrap_or_default();
            let message = entry["message"].as_str().unwrap_or_default().to_owned();
            let refusal = (message.contains("/api/v1/entries")
                || message.contains("/api/v1/households/"))
                && message.contains("Failed to load resource")
                && message.contains("status of 4");
            if level == "SEVERE" && !refusal {
                self.errors.push(message);
            }
        }
    }

    pub fn assert_no_console_errors(&mut self) {
        self.collect_console();
        assert!(self.errors.is_empty(), "console errors: {:#?}", self.errors);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let client = self.client.clone();
        let _ = self.rt.block_on(client.close());
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
