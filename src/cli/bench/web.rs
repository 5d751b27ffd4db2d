//! `sanquan bench web`: the pages as a browser meets them — headless
//! Chromium (Debian's) opens each page of a served county with `#bench=PORT`,
//! and the page's script posts its own figures (navigation timing, bytes
//! transferred, the map's first draw and the frames a second while it is
//! dragged) to a listener of this benchmark.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::hostile::Server;
use super::{GeneratedCounty, Plan};
use crate::cli::CliError;

const PHONE: (u32, u32) = (390, 844);
const DESKTOP: (u32, u32) = (1280, 900);

/// Opens `url` in a fresh headless Chromium at `size` and waits for the
/// figures its page posts back.
fn open(chromium: &Path, url: &str, size: (u32, u32)) -> Result<Value, CliError> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let profile = std::env::temp_dir().join(format!("sanquan-bench-chromium-{port}"));
    let mut child = Command::new(chromium)
        .args(crate::web::HEADLESS_CHROMIUM)
        .arg("--hide-scrollbars")
        .arg(format!("--window-size={},{}", size.0, size.1))
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("{url}#bench={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| CliError::Usage(format!("{}: {e}", chromium.display())))?;
    let started = Instant::now();
    let figures = loop {
        match listener.accept() {
            Ok((mut stream, _)) => {
                stream.set_nonblocking(false)?;
                stream.set_read_timeout(Some(Duration::from_secs(10)))?;
                if let Some(body) = read_post(&mut stream)? {
                    let _ = stream.write_all(
                        b"HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n",
                    );
                    break serde_json::from_slice::<Value>(&body)
                        .map_err(|e| CliError::Usage(format!("the page's figures: {e}")))?;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if started.elapsed() > Duration::from_secs(120) {
                    let _ = child.kill();
                    return Err(CliError::Usage(format!("{url}: no figures in 120 s")));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e.into()),
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&profile);
    Ok(figures)
}

/// The body of an HTTP POST, or `None` for any other request.
fn read_post(stream: &mut impl Read) -> Result<Option<Vec<u8>>, CliError> {
    let mut data = Vec::new();
    let mut buf = [0u8; 65536];
    let head_end = loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
    if !head.starts_with("post ") {
        return Ok(None);
    }
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    Ok(Some(data[head_end..].to_vec()))
}

fn kib(v: &Value) -> f64 {
    v.as_f64().unwrap_or_default() / 1024.0
}

fn ms(v: &Value) -> f64 {
    v.as_f64().unwrap_or_default()
}

pub fn web(parcels: u64, chromium: &Path) -> Result<(), CliError> {
    if !chromium.exists() {
        return Err(CliError::Usage(format!(
            "{} is missing (apt install chromium)",
            chromium.display()
        )));
    }
    let tmp = std::env::temp_dir().join(format!("sanquan-bench-web-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    println!(
        "bench web: headless Chromium on the pages of `sanquan serve` (child processes), 2 cores"
    );

    // The demo county: the first pages, at phone width.
    let demo = Server::demo(&tmp.join("demo"))?;
    let mut answers = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        ureq::get(&format!("{}/", demo.base))
            .call()
            .map_err(|e| CliError::Usage(e.to_string()))?
            .into_string()?;
        answers.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    answers.sort_by(f64::total_cmp);
    println!(
        "  GET / on the demo (server render, loopback): median {:.1} ms, max {:.1} ms (30 requests)",
        answers[answers.len() / 2],
        answers[answers.len() - 1]
    );
    let trading: Value = ureq::get(&format!("{}/listings?status=trading", demo.url))
        .call()
        .map_err(|e| CliError::Usage(e.to_string()))?
        .into_json()?;
    let listing = trading["listings"][0]["id"].as_u64().unwrap_or(1);
    for page in [
        "/".to_owned(),
        "/household/140421001001010001".to_owned(),
        "/exchange".to_owned(),
        format!("/listing/{listing}"),
        "/log".to_owned(),
        "/keys".to_owned(),
    ] {
        let f = open(chromium, &format!("{}{page}", demo.base), PHONE)?;
        println!(
            "  {page:<32} phone width: loaded in {:.0} ms (DOM ready {:.0} ms), {:.1} KiB transferred",
            ms(&f["load_ms"]),
            ms(&f["dom_ms"]),
            kib(&f["bytes"])
        );
    }

    // What a browser downloads of scripts and styles, gzipped as served.
    let mut total = 0usize;
    let mut parts = Vec::new();
    for (path, bytes) in crate::web::ASSETS {
        if !(path.ends_with(".js") || path.ends_with(".css")) {
            continue;
        }
        let r = ureq::get(&format!("{}/static/{path}", demo.base))
            .set("Accept-Encoding", "gzip")
            .call()
            .map_err(|e| CliError::Usage(e.to_string()))?;
        let mut sent = Vec::new();
        r.into_reader().read_to_end(&mut sent)?;
        total += sent.len();
        parts.push(format!(
            "{path} {:.1}→{:.1}",
            bytes.len() as f64 / 1024.0,
            sent.len() as f64 / 1024.0
        ));
    }
    println!(
        "  JavaScript + CSS, gzipped as served: {:.1} KiB in all (KiB raw→gzip: {})",
        total as f64 / 1024.0,
        parts.join(", ")
    );
    drop(demo);

    // The map of a generated county of `parcels` parcels, at desktop width.
    let plan = Plan::synthetic(parcels);
    std::fs::create_dir_all(tmp.join("map"))?;
    let county = GeneratedCounty::create(&tmp.join("map"), &plan, None)?;
    let report = super::super::import::run(&county.dir, None, &county.keys, None, &county.file)?;
    if !report.rejected.is_empty() {
        return Err(CliError::Usage("the generated county did not load".into()));
    }
    let bbox = bounds(&county.file)?;
    let server = Server::serve(&county.dir.path)?;
    let url = format!(
        "{}/map?bbox={},{},{},{}",
        server.base, bbox[0], bbox[1], bbox[2], bbox[3]
    );
    for _ in 0..2 {
        let f = open(chromium, &url, DESKTOP)?;
        let json = f["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r[0].as_str().is_some_and(|p| p.starts_with("/map/parcels")))
            .map(|r| kib(&r[1]))
            .unwrap_or_default();
        println!(
            "  map of {} parcels (desktop): first draw {:.0} ms after navigation (parcels fetched in {:.0} ms, {json:.0} KiB gzipped; drawn in {:.0} ms); dragged {} px: {:.1} frames/s (p95 frame {:.1} ms, worst {:.1} ms), redraw on release {:.0} ms",
            f["features"],
            ms(&f["first_draw_ms"]),
            ms(&f["fetch_ms"]),
            ms(&f["draw_ms"]),
            f["panned_px"],
            ms(&f["pan_fps"]),
            ms(&f["pan_p95_frame_ms"]),
            ms(&f["pan_worst_frame_ms"]),
            ms(&f["redraw_after_pan_ms"]),
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

/// The bounding box of a generated county's collectives.
fn bounds(file: &Path) -> Result<[f64; 4], CliError> {
    let county: Value =
        serde_json::from_reader(std::io::BufReader::new(std::fs::File::open(file)?))
            .map_err(|e| CliError::Usage(e.to_string()))?;
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for f in county["features"].as_array().into_iter().flatten() {
        for ring in f["geometry"]["coordinates"]
            .as_array()
            .into_iter()
            .flatten()
        {
            for p in ring.as_array().into_iter().flatten() {
                let (x, y) = (
                    p[0].as_f64().unwrap_or_default(),
                    p[1].as_f64().unwrap_or_default(),
                );
                b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
            }
        }
    }
    Ok(b)
}

/// 11.10: the home page's latency while `clients` clients read a whole
/// generated county of `parcels` parcels by its bounding box, against the
/// same page quiet — bulk reads have their own budget, so they wait for
/// each other, not the page.
pub fn bulk(parcels: u64, clients: usize, seconds: u64) -> Result<(), CliError> {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::time::{Duration, Instant};
    let tmp = std::env::temp_dir().join(format!("sanquan-bench-bulk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    let plan = Plan::synthetic(parcels);
    let county = GeneratedCounty::create(&tmp, &plan, None)?;
    let report = super::super::import::run(&county.dir, None, &county.keys, None, &county.file)?;
    if !report.rejected.is_empty() {
        return Err(CliError::Usage("the generated county did not load".into()));
    }
    let bbox = bounds(&county.file)?;
    let server = super::hostile::Server::serve(&county.dir.path)?;
    let whole = format!(
        "{}/parcels?bbox={},{},{},{}",
        server.url, bbox[0], bbox[1], bbox[2], bbox[3]
    );
    println!("bench bulk: `sanquan serve` (SQLite) on a generated county of {parcels} parcels, {clients} clients reading its whole bounding box, 2 cores");
    let page = |path: &str| -> Vec<Duration> {
        let until = Instant::now() + Duration::from_secs(seconds);
        let mut took = Vec::new();
        while Instant::now() < until {
            let started = Instant::now();
            if ureq::get(&format!("{}{path}", server.base)).call().is_ok() {
                took.push(started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        took.sort_unstable();
        took
    };
    let quiet = page("/");
    let stop = AtomicBool::new(false);
    let (bulk_reads, bulk_bytes) = (AtomicU64::new(0), AtomicU64::new(0));
    let loaded = std::thread::scope(|s| {
        for _ in 0..clients {
            s.spawn(|| {
                while !stop.load(Ordering::Acquire) {
                    if let Ok(r) = ureq::get(&whole).call() {
                        let mut body = Vec::new();
                        let _ = std::io::Read::read_to_end(&mut r.into_reader(), &mut body);
                        bulk_reads.fetch_add(1, Ordering::Relaxed);
                        bulk_bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                    }
                }
            });
        }
        std::thread::sleep(Duration::from_secs(1));
        let took = page("/");
        stop.store(true, Ordering::Release);
        took
    });
    let ms = |sorted: &[Duration], q: f64| {
        sorted
            .get(((sorted.len().max(1) - 1) as f64 * q).round() as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    for (label, took) in [("quiet", &quiet), ("under the bulk reads", &loaded)] {
        println!(
            "  `/` {label}: {} loads, p50 {:.0} ms, p95 {:.0} ms, worst {:.0} ms",
            took.len(),
            ms(took, 0.5),
            ms(took, 0.95),
            ms(took, 1.0)
        );
    }
    let reads = bulk_reads.load(Ordering::Relaxed);
    println!(
        "  whole-county reads: {reads} in {seconds} s ({:.1}/s, {:.1} MiB each)",
        reads as f64 / seconds as f64,
        bulk_bytes.load(Ordering::Relaxed) as f64 / reads.max(1) as f64 / 1048576.0
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}
