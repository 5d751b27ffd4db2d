//! The registry as a county's GIS tools read it (`sanquan export`): the
//! collectives, the parcels in force, and — for the NY/T 2539 package — the
//! households with their members, the contracts in force with their parcels,
//! and the certificates, gathered as [`Contents`] for the writers in
//! `registry::package` (shapefiles, tables) and `store::geopackage`. The
//! names and ID numbers of members go out only to a key that may read them:
//! the county's, or the household's own collective's.

use std::collections::HashMap;

use super::package::Contents;
use super::{Registry, ServiceError};
use crate::model::Role;
use crate::spatial::shapefile::Attribute;
use crate::store::queries;

/// A parcel's row in `package::fields::DK`'s order.
pub fn dk_row(
    code: &str,
    name: &str,
    class: &str,
    land_use: &str,
    grade: &str,
    basic_farmland: bool,
    declared: Option<crate::model::Area>,
) -> Vec<Attribute> {
    let t = |s: &str| Attribute::Text(s.to_owned());
    let (scmj, scmjm) = match declared {
        Some(a) => (
            Attribute::Number(a.m2().to_string()),
            Attribute::Number(a.mu().round_dp(2).to_string()),
        ),
        None => (Attribute::Null, Attribute::Null),
    };
    vec![
        t(code),
        t(name),
        t(class),
        t(land_use),
        t(grade),
        t(if basic_farmland { "1" } else { "2" }),
        scmj,
        scmjm,
        Attribute::Null,
        Attribute::Null,
        Attribute::Null,
        Attribute::Null,
    ]
}

impl Registry {
    /// What the registry holds of the county, or of one collective, for an
    /// export; the members' names and ID numbers where `reader` (a key on
    /// the log) may read them.
    pub fn package_contents(
        &self,
        collective: Option<&str>,
        reader: Option<&[u8; 32]>,
    ) -> Result<Contents, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let reader = match reader {
            Some(public) => Some(
                queries::load_keys(&mut conn, county, Some(public))?
                    .remove(public)
                    .filter(|k| k.is_active())
                    .ok_or_else(|| {
                        ServiceError::from(crate::ledger::LedgerError::from(
                            crate::model::RuleError::UnknownSigner,
                        ))
                    })?,
            ),
            None => None,
        };
        let may_read = |k: &str| match &reader {
            Some(key) => {
                key.role == Role::County || (key.role == Role::Collective && key.party == k)
            }
            None => false,
        };
        let t = |s: &str| Attribute::Text(s.to_owned());
        let mut contents = Contents::default();
        let mut collectives: Vec<_> = queries::load_collectives(&mut conn, county)?
            .into_values()
            .filter(|k| collective.is_none_or(|c| c == k.code))
            .collect();
        collectives.sort_by(|a, b| a.code.cmp(&b.code));
        for k in &collectives {
            let boundary = serde_json::from_str(&k.geojson).map_err(|e| {
                crate::store::StoreError::Corrupt(format!("collective {}: {e}", k.code))
            })?;
            contents
                .collectives
                .push((k.code.clone(), k.name.clone(), boundary));
            for p in queries::parcels_of_collective(&mut conn, county, &k.code, i64::MAX)? {
                if p.retired_at.is_some() {
                    continue;
                }
                let geometry = serde_json::from_str(&p.geometry).map_err(|e| {
                    crate::store::StoreError::Corrupt(format!("parcel {}: {e}", p.code))
                })?;
                let row = dk_row(
                    &p.code,
                    &p.name,
                    &p.class,
                    &p.land_use,
                    &p.grade,
                    p.basic_farmland,
                    p.declared,
                );
                contents.parcels.push((row, geometry));
            }
        }
        let which =
            |code: &str| collective.is_none_or(|c| crate::model::codes::collective_of(code) == c);
        let persons: HashMap<String, crate::model::person::PersonRecord> =
            queries::load_persons(&mut conn, county, None)?
                .into_iter()
                .map(|(commitment, _, record)| (commitment, record))
                .collect();
        let mut households: Vec<_> =
            queries::load_households(&mut conn, county, queries::HouseholdsOf::All)?
                .into_values()
                .filter(|h| h.merged.is_none() && which(&h.code))
                .collect();
        households.sort_by(|a, b| a.code.cmp(&b.code));
        for h in &households {
            let shown = may_read(&h.collective);
            let record = |person: &str| persons.get(person).filter(|_| shown);
            let head = h
                .members
                .iter()
                .find(|m| m.relation == "02")
                .and_then(|m| record(&m.person));
            contents.households.push(vec![
                t(&h.code),
                t("1"),
                head.map_or(Attribute::Null, |r| t(&r.name)),
                t("1"),
                head.map_or(Attribute::Null, |r| t(&r.id_number)),
                Attribute::Number(h.members.len().to_string()),
            ]);
            for m in &h.members {
                let r = record(&m.person);
                contents.members.push(vec![
                    t(&h.code),
                    r.map_or(Attribute::Null, |r| t(&r.name)),
                    t("1"),
                    r.map_or(Attribute::Null, |r| t(&r.id_number)),
                    t(&m.relation),
                    t("1"),
                ]);
            }
        }
        let mut contracts: Vec<_> =
            queries::load_contracts(&mut conn, county, queries::ContractsOf::All)?
                .into_values()
                .filter(|k| k.returned.is_none() && which(&k.household))
                .collect();
        contracts.sort_by(|a, b| a.code.cmp(&b.code));
        let codes: Vec<&str> = contracts.iter().map(|k| k.code.as_str()).collect();
        let certificates = queries::certificates_of(&mut conn, county, &codes)?;
        let day = |d: chrono::NaiveDate| Attribute::Date(d.format("%Y%m%d").to_string());
        for k in &contracts {
            let collective = crate::model::codes::collective_of(&k.household);
            let certified = certificates.contains_key(&k.code);
            contents.contracts.push(vec![
                t(&k.code),
                t(collective),
                t(&k.household),
                t("110"),
                day(k.start),
                day(k.end),
                Attribute::Number(k.parcels.len().to_string()),
            ]);
            for p in &k.parcels {
                contents.contract_parcels.push(vec![
                    t(p),
                    t(collective),
                    t(&k.household),
                    t(&k.code),
                    if certified {
                        t(&k.code)
                    } else {
                        Attribute::Null
                    },
                ]);
            }
            if certified {
                contents
                    .certificates
                    .push(vec![t(&k.code), Attribute::Null, Attribute::Null]);
            }
        }
        Ok(contents)
    }
}
