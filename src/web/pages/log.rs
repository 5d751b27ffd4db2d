//! The log explorer: the newest entries, and one entry with its proof.

use super::*;

// ---- the log explorer ----

#[derive(Deserialize)]
pub(super) struct LogQuery {
    last: Option<u64>,
}

#[derive(Template)]
#[template(path = "log.html")]
pub(super) struct LogPage {
    c: Chrome,
    checkpoint: String,
    size: u64,
    recent: Vec<LogLine>,
    indices: String,
}

pub(super) async fn log(
    req: HttpRequest,
    reg: web::Data<Registry>,
    q: web::Query<LogQuery>,
) -> Result<HttpResponse, PageError> {
    let n = q.last.unwrap_or(50).clamp(1, 500);
    let page = read(&reg, &req, "log", move |reg, c| {
        let (size, checkpoint) = reg.checkpoint()?;
        let recent = reg.recent_entries(n)?;
        Ok(LogPage {
            indices: indices(recent.iter().map(|l| l.index)),
            recent,
            size,
            checkpoint,
            c,
        })
    })
    .await?;
    html(&page)
}

#[derive(Template)]
#[template(path = "entry.html")]
pub(super) struct EntryPage {
    c: Chrome,
    index: u64,
    pretty: String,
    kind: String,
}

pub(super) async fn log_entry(
    req: HttpRequest,
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let index = crate::http::log_index(&index, "index")?;
    let page = read(&reg, &req, "log", move |reg, c| {
        let leaf = reg.entry(index)?;
        let value: serde_json::Value = serde_json::from_slice(&leaf).unwrap_or_default();
        Ok(EntryPage {
            kind: value["envelope"]["entry"]["kind"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            pretty: serde_json::to_string_pretty(&value).unwrap_or_default(),
            index,
            c,
        })
    })
    .await?;
    html(&page)
}
