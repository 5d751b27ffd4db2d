//! Integration tests: the ledger on a real SQLite file and a real PostgreSQL
//! server, the HTTP API on a random port, and the `sanquan` binary itself.

mod api;
mod authority;
mod backup;
mod browser;
mod common;
mod exchange;
mod expropriation;
mod faults;
mod gis;

mod catalogue;
mod citus;
mod cli;
mod hostile;
mod households;
mod http;
mod import;
mod kinds_doc;
mod land;
mod layers;
mod ledger;
mod lifecycle;
mod package;
mod pages;
mod proofs;
mod province;
mod races;
mod replica;
mod rules_doc;
mod schema;
mod tamper;
mod transfers;
mod web;
