//! The pages: one handler and one template each, fed by the registry's
//! typed views; one file per family of pages, mounted here.

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{charts, html, read, Chrome, PageError};
use crate::model::exchange::{Mode, Status};
use crate::registry::views::*;
use crate::registry::{Registry, ServiceError};

mod clerk;
mod desks;
mod documents;
mod exchange;
mod home;
mod household;
mod log;
mod map;
mod parcel;
mod parties;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::home))
        .route("/map", web::get().to(map::map))
        .route("/map/states", web::get().to(map::map_states))
        .route("/map/parcels", web::get().to(map::map_parcels))
        .route("/map/homesteads", web::get().to(map::map_homesteads))
        .route("/parcel/{code}", web::get().to(parcel::parcel))
        .route("/household", web::get().to(household::household_find))
        .route("/household/{code}", web::get().to(household::household))
        .route("/certificate/{code}", web::get().to(documents::certificate))
        .route("/exchange", web::get().to(exchange::exchange))
        .route("/listing/{id}", web::get().to(exchange::listing))
        .route("/clerk", web::get().to(clerk::clerk_choose))
        .route("/clerk/{collective}", web::get().to(clerk::clerk))
        .route(
            "/clerk/{collective}/{task}",
            web::get().to(clerk::clerk_task),
        )
        .route("/desk/exchange", web::get().to(desks::exchange_desk))
        .route("/desk/county", web::get().to(desks::county_desk))
        .route("/notices", web::get().to(parcel::notices))
        .route("/log", web::get().to(log::log))
        .route("/log/{index}", web::get().to(log::log_entry))
        .route(
            "/attestation/{index}",
            web::get().to(documents::attestation),
        )
        .route("/keys", web::get().to(parties::keys))
        .route("/cosign", web::get().to(parties::cosign))
        .route("/party/{code}", web::get().to(parties::party))
        .route("/right/{index}", web::get().to(documents::right))
        .route("/contract/{id}", web::get().to(documents::contract))
        .route("/deal/{id}", web::get().to(documents::deal))
        .route("/v", web::get().to(documents::verify_typed))
        .route("/verify", web::get().to(documents::verify_title))
        .route("/v/{code}", web::get().to(documents::verify))
        .route("/charts", web::get().to(parties::charts_page));
}

/// A listing's stage in plain words.
pub fn stage(l: super::Lang, s: Status) -> &'static str {
    match s {
        Status::Review => l.t("待审核", "under review"),
        Status::Rejected => l.t("未通过", "rejected"),
        Status::Notice => l.t("公示中", "under notice"),
        Status::Trading => l.t("竞价中", "trading"),
        Status::Awarded => l.t("已成交待签约结算", "awarded"),
        Status::Settled => l.t("已完成", "settled"),
        Status::Withdrawn => l.t("已撤回", "withdrawn"),
    }
}

/// A transfer's mode in plain words (GLOSSARY.md).
pub fn mode(l: super::Lang, m: Mode) -> &'static str {
    match m {
        Mode::Lease => l.t("出租", "lease"),
        Mode::Subcontract => l.t("转包", "sub-contract"),
        Mode::Equity => l.t("入股", "equity"),
        Mode::Onward => l.t("再流转", "onward transfer"),
        Mode::HouseLease => l.t("出租农房", "house lease"),
        _ => l.t("转让或互换", "assignment or swap"),
    }
}

/// Log indices as the pages pass them to the proof code: comma-separated.
fn indices(all: impl Iterator<Item = u64>) -> String {
    all.map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}
