//! Charts drawn on the server as SVG: no script, readable on a phone, and
//! printed as they are seen.

use std::collections::BTreeMap;
use std::fmt::Write;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::Lang;
use crate::model::exchange::Status;
use crate::registry::views::ListingView;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A horizontal bar chart: one labelled bar per row, its value written at
/// its end.
pub fn bars(title: &str, rows: &[(String, f64)], unit: &str) -> String {
    let max = rows.iter().map(|r| r.1).fold(0.0, f64::max).max(1e-9);
    // Drawn 480 units wide and shown at a phone's width or more: 16-unit
    // text stays readable there.
    let (label_w, bar_w, row_h) = (170.0, 230.0, 30.0);
    let height = 34.0 + row_h * rows.len() as f64;
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 480 {height}" font-size="16" role="img" aria-label="{t}"><text x="0" y="18" font-weight="700">{t}</text>"#,
        t = escape(title)
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = 30.0 + row_h * i as f64;
        let w = bar_w * value / max;
        let shown = if value.fract() == 0.0 {
            format!("{value:.0}")
        } else {
            format!("{value:.2}")
        };
        let _ = write!(
            svg,
            r##"<text x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect x="{label_w}" y="{y}" width="{w:.1}" height="22" fill="#a4161a"><title>{label}: {shown}{unit}</title></rect><text x="{vx:.1}" y="{ty}">{shown}{unit}</text>"##,
            lx = label_w - 6.0,
            ty = y + 17.0,
            vx = label_w + w + 4.0,
            label = escape(label),
            unit = escape(unit),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The charts page: deals by stage, transfers and average price per 亩 by
/// month, average price per 亩 by village, share of contracted land leased
/// out by village. `areas` are the listings' areas in 亩; `villages` the
/// collectives' names by code; `shares` are (village, parcels leased out,
/// parcels contracted).
pub fn all(
    l: Lang,
    listings: &[ListingView],
    areas: &BTreeMap<u64, Decimal>,
    villages: &BTreeMap<String, String>,
    shares: &[(String, usize, usize)],
) -> Vec<String> {
    let mut by_stage: BTreeMap<&str, f64> = BTreeMap::new();
    let mut by_month: BTreeMap<String, (f64, Decimal, Decimal)> = BTreeMap::new();
    let mut by_village: BTreeMap<&str, (Decimal, Decimal)> = BTreeMap::new();
    for x in listings {
        *by_stage
            .entry(super::pages::stage(l, x.status))
            .or_default() += 1.0;
        let (Status::Settled, Some(award)) = (x.status, &x.award) else {
            continue;
        };
        let price: Decimal = award.price.parse().unwrap_or_default();
        let area = areas.get(&x.id).copied().unwrap_or_default();
        let month = award
            .day
            .map(|d| d.format("%Y-%m").to_string())
            .unwrap_or_else(|| x.start.format("%Y-%m").to_string());
        let m = by_month.entry(month).or_default();
        m.0 += 1.0;
        m.1 += price;
        m.2 += area;
        let v = by_village.entry(x.collective.as_str()).or_default();
        v.0 += price;
        v.1 += area;
    }
    let per_mu = |price: Decimal, area: Decimal| {
        if area.is_zero() {
            0.0
        } else {
            (price / area).round_dp(2).to_f64().unwrap_or_default()
        }
    };
    vec![
        bars(
            l.t("各阶段的交易", "Deals by stage"),
            &by_stage
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect::<Vec<_>>(),
            "",
        ),
        bars(
            l.t("每月成交笔数", "Transfers settled by month"),
            &by_month
                .iter()
                .map(|(k, v)| (k.clone(), v.0))
                .collect::<Vec<_>>(),
            "",
        ),
        bars(
            l.t(
                "每月平均成交价（元/亩）",
                "Average price by month (yuan per mu)",
            ),
            &by_month
                .iter()
                .map(|(k, v)| (k.clone(), per_mu(v.1, v.2)))
                .collect::<Vec<_>>(),
            "",
        ),
        bars(
            l.t(
                "各村平均成交价（元/亩）",
                "Average price by village (yuan per mu)",
            ),
            &by_village
                .iter()
                .map(|(k, v)| {
                    let name = villages.get(*k).cloned().unwrap_or_else(|| (*k).to_owned());
                    (name, per_mu(v.0, v.1))
                })
                .collect::<Vec<_>>(),
            "",
        ),
        bars(
            l.t(
                "各村已流转出去的承包地块占比（含尚未起租的）",
                "Share of contracted parcels transferred, by village (terms not yet begun included)",
            ),
            &shares
                .iter()
                .map(|(name, leased, contracted)| {
                    let pct = if *contracted == 0 {
                        0.0
                    } else {
                        (*leased as f64 * 1000.0 / *contracted as f64).round() / 10.0
                    };
                    (name.clone(), pct)
                })
                .collect::<Vec<_>>(),
            "%",
        ),
    ]
}
