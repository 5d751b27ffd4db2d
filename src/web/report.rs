//! The report of a survey import (确权成果导入报告) as a page the clerk can
//! print: the totals, the refused rows first — each by its file, row, code
//! and field, with both messages — then the warnings. `sanquan import
//! --report FILE.html` writes it; the clerk's upload shows the same body.

use askama::Template;

use crate::registry::import::Report;

#[derive(Template)]
#[template(path = "import_report.html")]
struct ReportPage<'a> {
    title: &'a str,
    source: &'a str,
    checked: bool,
    r: &'a Report,
}

/// The whole page, standing alone (its style inline: it is a file).
pub fn page(report: &Report, source: &str, checked: bool) -> String {
    let title = if checked {
        "确权成果检查报告"
    } else {
        "确权成果导入报告"
    };
    ReportPage {
        title,
        source,
        checked,
        r: report,
    }
    .render()
    .expect("the report renders")
}
