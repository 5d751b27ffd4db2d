//! The typed views the API answers with and the pages render, by area:
//! `land`, `title`, `households`, `parties`, `exchange`, `log`, `province`. Each has a
//! JSON Schema (the OpenAPI document's `x-views`).

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use std::collections::HashMap;

use crate::model::person::PersonRecord;
use crate::model::state::{Contract, Encumbrance};
use crate::model::{Collective, Parcel};
use crate::spatial::Neighbours;

mod exchange;
mod households;
mod land;
mod log;
mod parties;
mod province;
mod title;

pub use exchange::*;
pub use households::*;
pub use land::*;
pub use log::*;
pub use parties::*;
pub use province::*;
pub use title::*;

fn geometry(geojson: &str) -> Value {
    serde_json::from_str(geojson).unwrap_or(Value::Null)
}

fn status(p: &Parcel<String>) -> &'static str {
    if p.retired_at.is_some() {
        "retired"
    } else {
        "active"
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
