//! The web UI at `/`: pages rendered on the server (askama) from the same
//! typed views the API answers, Chinese first with an English switch, phone
//! width first, printable on A4; a small script signs entries in the
//! browser and checks the log's proofs there. Every page has a URL a clerk
//! can bookmark.

mod assets;
pub use assets::ASSETS;
mod charts;
mod pages;
mod qr;
pub mod report;
mod sketch;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;

use crate::http::{ApiError, HttpRefusal};
use crate::model::words::{self, grouped};
use crate::registry::{Registry, ServiceError};

/// The switches a headless Chromium runs with here (as root, on a closed
/// network: no sandbox, no background connections), for the browser tests
/// and `bench web`.
pub const HEADLESS_CHROMIUM: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
];

/// The page's language: Chinese unless the reader chose English.
#[derive(Debug, Clone, Copy)]
pub struct Lang {
    pub en: bool,
}

impl Lang {
    /// Chinese first: `?lang=en`, or a cookie `lang=en` (the switch in the
    /// header sets it) without `?lang=zh`, chooses English.
    fn of(req: &HttpRequest) -> Lang {
        let cookie = req
            .headers()
            .get(actix_web::http::header::COOKIE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let asked = |lang: &str| req.query_string().split('&').any(|q| q == lang);
        let en = asked("lang=en")
            || (cookie.split(';').any(|c| c.trim() == "lang=en") && !asked("lang=zh"));
        Lang { en }
    }

    /// A listing's stage in plain words.
    pub fn stage(&self, s: &crate::model::exchange::Status) -> &'static str {
        pages::stage(*self, *s)
    }

    /// A transfer's mode in plain words.
    pub fn mode(&self, m: &crate::model::exchange::Mode) -> &'static str {
        pages::mode(*self, *m)
    }

    /// An act over a party (A1), or a key on notice (A2), in plain words.
    pub fn act(&self, kind: &str, parties: &[String]) -> &'static str {
        match kind {
            "member.end" => self.t(
                "登记成员死亡或迁出等，终止其集体成员身份",
                "Ending a membership",
            ),
            "estate.settle" => self.t("按继承处理承包地", "Settling an estate"),
            "household.split" => self.t("分户", "Dividing a household"),
            "household.join" => self.t("加入家庭成员", "Adding members to a household"),
            "dispute.award" => self.t("依裁决变更承包合同", "An award moving a contract"),
            "expropriation.complete" => self.t(
                "征收土地，终止土地上的承包经营权",
                "Taking land by expropriation",
            ),
            "key.register" if parties.is_empty() => self.t(
                "启用县里部门或村集体的新密钥",
                "A new county department's or collective's key",
            ),
            "key.register" => self.t(
                "更换农户的签名密钥（密钥恢复）",
                "Replacing a household's key (recovery)",
            ),
            _ => self.t("其他处分行为", "Another act"),
        }
    }

    /// A county department (A2), as its staff and farmers name it.
    pub fn department(&self, d: &crate::model::Department) -> &'static str {
        use crate::model::Department::*;
        match d {
            Registry => self.t("县农业农村局（登记机构）", "the registry"),
            CivilRegistration => self.t("县公安局（户籍）", "civil registration"),
            Justice => self.t("法院、仲裁联络", "justice"),
            NaturalResources => self.t("县自然资源局", "natural resources"),
        }
    }

    /// What a compensation is for (E1), in plain words.
    pub fn head(&self, h: &crate::model::entry::CompensationHead) -> &'static str {
        use crate::model::entry::CompensationHead::*;
        match h {
            Land => self.t("土地补偿费", "land compensation"),
            Resettlement => self.t("安置补助费", "resettlement subsidy"),
            Attachments => self.t("地上附着物和青苗补偿费", "crops and attachments"),
            SocialSecurity => self.t("社会保障费用", "social security"),
        }
    }

    /// A member's relation to the head (GB/T 4761 code) in plain words.
    pub fn relation(&self, code: &str) -> &'static str {
        if !self.en {
            return words::relation(code);
        }
        match (code, code.as_bytes().first()) {
            ("02", _) => "head",
            (_, Some(b'1')) => "spouse",
            (_, Some(b'2')) => "son",
            (_, Some(b'3')) => "daughter",
            (_, Some(b'4')) => "grandchild",
            (_, Some(b'5')) => "parent",
            (_, Some(b'6')) => "grandparent",
            (_, Some(b'7')) => "sibling",
            _ => "other",
        }
    }

    /// A town (GB/T 2260 code) by its name, the code beside it; the code
    /// alone where the table does not hold it.
    pub fn town(&self, code: &str) -> String {
        match crate::model::divisions::town(code) {
            Some(name) if code.len() == 6 => format!("{name}（{code}）"),
            Some(name) => name,
            None => code.to_owned(),
        }
    }

    /// A day as the page's readers write it: 2027年1月1日, or 2027-01-01.
    pub fn day(&self, day: &chrono::NaiveDate) -> String {
        if self.en {
            day.to_string()
        } else {
            words::day(day)
        }
    }

    /// 土地用途 (NY/T 2539, C7) in words.
    pub fn land_use(&self, code: &str) -> &'static str {
        match code {
            _ if !self.en => words::land_use(code),
            "1" => "crops",
            "2" => "forestry",
            "3" => "livestock",
            "4" => "fishery",
            "5" => "non-agricultural",
            _ => "other",
        }
    }

    /// 地块类别 (NY/T 2539, C7) in words.
    pub fn land_class(&self, code: &str) -> &'static str {
        match code {
            _ if !self.en => words::land_class(code),
            "10" => "contracted",
            "21" => "private plot",
            "22" => "reserve land",
            "23" => "reclaimed land",
            _ => "other",
        }
    }

    /// 地力等级 01–10 (C7) in words: 五等地.
    pub fn grade(&self, code: &str) -> String {
        match code.parse::<u8>() {
            Ok(n @ 1..=10) if self.en => format!("grade {n}"),
            _ => words::grade(code),
        }
    }

    /// An amount of yuan as the market writes it: 22,500.00 元.
    pub fn yuan(&self, amount: &str) -> String {
        format!("{} {}", grouped(amount), self.t("元", "yuan"))
    }

    /// An area stated in m² as the market reads it: 亩 to two places, with
    /// the m² beside — 2.40 亩（1,600.00 m²）.
    pub fn area(&self, m2: &str) -> String {
        match crate::model::Area::parse_m2(m2) {
            Ok(a) => format!(
                "{} {}{}{} m²{}",
                a.mu().round_dp(2),
                self.t("亩", "mu"),
                self.t("（", " ("),
                grouped(&a.m2().to_string()),
                self.t("）", ")")
            ),
            Err(_) => format!("{m2} m²"),
        }
    }

    /// An area in 亩 (given to four places) to two: 2.40 亩.
    pub fn mu(&self, mu: &str) -> String {
        let shown = mu
            .parse::<rust_decimal::Decimal>()
            .map(|d| {
                let mut d = d.round_dp(2);
                d.rescale(2);
                d.to_string()
            })
            .unwrap_or_else(|_| mu.to_owned());
        format!("{shown} {}", self.t("亩", "mu"))
    }

    /// The words for the page's language.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.en {
            en
        } else {
            zh
        }
    }
}

/// What every page shows around its content: the county, the log's origin
/// and verifier key (for the checks in the browser), and the writer's time
/// (entries signed here carry it, whatever the phone's clock says).
pub struct Chrome {
    pub l: Lang,
    pub county: String,
    pub county_name: String,
    pub origin: String,
    pub log_vkey: String,
    pub now: String,
    /// The server's wall clock, which signed reads are checked against.
    pub wall: String,
    /// Which part of the menu the page belongs to.
    pub here: &'static str,
    /// Each county key's remit (A2), as JSON, for the forms' signer choice;
    /// `{}` for a county still under the first rules.
    pub remits: &'static str,
}

/// The county keys' remits as JSON, made once.
fn remits() -> &'static str {
    static REMITS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    REMITS.get_or_init(crate::model::authority::remits_json)
}

impl Chrome {
    fn load(reg: &Registry, l: Lang, here: &'static str) -> Result<Chrome, ServiceError> {
        let county = reg.county()?;
        Ok(Chrome {
            l,
            county: county.code,
            county_name: county.name,
            origin: reg.origin(),
            log_vkey: county.log_vkey,
            now: reg.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            wall: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            here,
            remits: if reg.settings()?.authority() {
                remits()
            } else {
                "{}"
            },
        })
    }

    /// A moment as people here read it: Beijing time.
    pub fn beijing(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        let local = (*t + chrono::Duration::hours(8)).naive_utc();
        format!(
            "{} {}{}",
            self.l.day(&local.date()),
            local.format("%H:%M"),
            self.l.t("（北京时间）", " Beijing time")
        )
    }

    /// A moment written in RFC 3339 (as the log stores it) in Beijing time.
    pub fn beijing_text(&self, t: &str) -> String {
        chrono::DateTime::parse_from_rfc3339(t)
            .map(|t| self.beijing(&t.to_utc()))
            .unwrap_or_else(|_| t.to_owned())
    }

    /// `aria-current` for the menu item of this page.
    pub fn current(&self, item: &str) -> &'static str {
        if self.here == item {
            "aria-current=\"page\""
        } else {
            ""
        }
    }
}

/// A page that could not be made: an HTML page with the API's status,
/// code and both messages.
#[derive(Debug)]
pub struct PageError(ApiError);

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e)
    }
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        PageError(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    code: &'a str,
    message: &'a str,
    message_zh: &'a str,
    /// What a reader may do next, in plain words.
    hint: &'static str,
}

/// The next step an error page offers, by its status.
fn hint_of(status: u16) -> &'static str {
    match status {
        404 => "没有找到这一页。地址可能输错了，或者这一项还没有登记。可以在下面用编码查找，或者从首页、地图进入。",
        400 => "地址里的编号或参数写得不对。请从页面上的链接进入，或者在下面用编码查找。",
        401 | 403 => "这一项只有有关的人才能查看或办理，请用本人的密钥。",
        413 | 415 => "提交的内容不对，请回到原来的页面重新办理。",
        503 => "系统正忙，请过一会儿再试。",
        _ => "系统出了问题，您的请求没有改动任何登记。请稍后再试。",
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        crate::http::error::status_of(self.0.class)
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let page = ErrorPage {
            status: status.as_u16(),
            code: &self.0.body.code,
            message: &self.0.body.message,
            message_zh: &self.0.body.message_zh,
            hint: hint_of(status.as_u16()),
        };
        HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(page.render().unwrap_or_default())
    }
}

/// How a deployment's pages look beyond the registry: an optional base-map
/// tile layer under the parcels (a county configures one it has, e.g. its
/// 天地图 key), from the data directory's `config.json` (`map_tiles`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Site {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_tiles: Option<MapTiles>,
}

/// A base-map tile layer: its URL template (`https://…/{z}/{x}/{y}…`, a
/// key in it if the provider asks one) and the attribution it requires.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MapTiles {
    pub url: String,
    pub attribution: String,
}

impl MapTiles {
    /// The origin the tiles come from (`https://t0.tianditu.gov.cn`), which
    /// the pages' policy lets images load from; `None` unless the template
    /// is an http(s) URL naming {z}, {x} and {y} with nothing the policy
    /// could not hold.
    pub fn origin(&self) -> Option<String> {
        let (scheme, rest) = self.url.split_once("://")?;
        let host = rest.split('/').next()?;
        let plain = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '{' | '}'))
        };
        let templated = ["{z}", "{x}", "{y}"].iter().all(|t| self.url.contains(t));
        (matches!(scheme, "http" | "https")
            && plain(host)
            && templated
            && !self.url.contains(['\'', '"', ';', ' ']))
        .then(|| format!("{scheme}://{}", host.replace("{s}", "*")))
    }
}

/// What a page may load and run: its own scripts only (keys live in this
/// origin's IndexedDB, so no script from elsewhere and no inline script may
/// run), no framing. Connections go to this origin, and to loopback for the
/// figures `bench web` collects; images to this origin and, where the site
/// has a base map, its tile server.
fn policy(site: &Site) -> String {
    let tiles = site
        .map_tiles
        .as_ref()
        .and_then(MapTiles::origin)
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; \
         img-src 'self' data:{tiles}; connect-src 'self' http://127.0.0.1:*; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The security headers of every response — pages, the 404 page, the
/// printable contract, JSON — set in this one place (a handler's own value
/// wins).
pub fn security_headers(site: &Site) -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add(("Content-Security-Policy", policy(site)))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("X-Content-Type-Options", "nosniff"))
}

/// Renders a page.
fn html(page: &impl Template) -> Result<HttpResponse, PageError> {
    let body = page
        .render()
        .map_err(|e| PageError(ApiError::from(HttpRefusal::internal(e.to_string()))))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(body))
}

/// Reads for a page, off the async workers and bounded with the API's reads.
async fn read<T: Send + 'static>(
    reg: &web::Data<Registry>,
    req: &HttpRequest,
    here: &'static str,
    f: impl FnOnce(&Registry, Chrome) -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, PageError> {
    read_costed(crate::http::Cost::Ordinary, reg, req, here, f).await
}

/// The same, within the budget of its cost (the map's parcels are bulk).
async fn read_costed<T: Send + 'static>(
    cost: crate::http::Cost,
    reg: &web::Data<Registry>,
    req: &HttpRequest,
    here: &'static str,
    f: impl FnOnce(&Registry, Chrome) -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, PageError> {
    let reg = reg.clone().into_inner();
    let l = Lang::of(req);
    Ok(crate::http::blocking_costed(cost, move || f(&reg, Chrome::load(&reg, l, here)?)).await?)
}

/// Mounts the pages and the static assets; anything else is a 404 page
/// (JSON under `/api/`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    pages::routes(cfg);
    cfg.route("/static/{path:.*}", web::get().to(assets::serve))
        .route(
            "/favicon.ico",
            web::get().to(|req| assets::serve(req, web::Path::from("favicon.svg".to_owned()))),
        )
        .default_service(web::to(not_found));
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
    let e = ApiError::from(HttpRefusal::NotFound {
        what: format!("{} {}", req.method(), req.path()),
    });
    if req.path().starts_with("/api/") {
        Err(e.into())
    } else {
        Err(PageError(e).into())
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    /// The market's units: money grouped in thousands with 元, areas in 亩
    /// to two places with m² beside, days as 年月日.
    #[test]
    fn amounts_areas_and_days_read_as_the_market_writes_them() {
        let zh = Lang { en: false };
        assert_eq!(zh.yuan("22500.00"), "22,500.00 元");
        assert_eq!(zh.yuan("1234567"), "1,234,567 元");
        assert_eq!(zh.yuan("500.00"), "500.00 元");
        assert_eq!(zh.area("1600.00"), "2.40 亩（1,600.00 m²）");
        assert_eq!(zh.mu("12.8571"), "12.86 亩");
        let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(zh.day(&day), "2027年1月1日");
        assert_eq!(Lang { en: true }.yuan("22500.00"), "22,500.00 yuan");
        // C7's codes in words.
        assert_eq!(
            (zh.land_use("1"), zh.land_class("22"), zh.grade("05")),
            ("种植业", "机动地", "五等地".to_owned())
        );
    }
}
