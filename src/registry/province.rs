//! A province's counties in one server (issue 21, part 2): each county its
//! own log, keys, writer and lock — a [`Registry`] each, in one database or
//! several — and the reads across them: the counties served, their listings
//! side by side, their figures.

use std::sync::Arc;

use super::{queries, views, Registry, ServiceError};

/// One county served.
#[derive(Clone)]
pub struct County {
    /// 县级行政区划代码.
    pub code: String,
    pub name: String,
    pub registry: Registry,
}

/// The counties one server holds; the first is the home county, which also
/// answers today's single-county routes and the pages.
#[derive(Clone)]
pub struct Counties(Arc<Vec<County>>);

/// How many listings of each county a province's list shows by default,
/// and at most.
pub const LISTINGS_PER_COUNTY: (u32, u32) = (50, 500);

impl Counties {
    /// The counties of these registries, the home county first, each
    /// named as its log's genesis names it; no county twice.
    pub fn new(registries: Vec<Registry>) -> Result<Counties, String> {
        if registries.is_empty() {
            return Err("a server holds at least one county".into());
        }
        let mut all: Vec<County> = Vec::with_capacity(registries.len());
        for registry in registries {
            let code = registry.db.county.clone();
            if all.iter().any(|c| c.code == code) {
                return Err(format!("county {code} is given twice"));
            }
            let mut conn = registry.db.conn().map_err(|e| e.to_string())?;
            let name = queries::county_of(&mut conn, &code)
                .map_err(|e| e.to_string())?
                .map_or_else(|| code.clone(), |c| c.name);
            drop(conn);
            all.push(County {
                code,
                name,
                registry,
            });
        }
        Ok(Counties(Arc::new(all)))
    }

    /// A server of one county.
    pub fn one(registry: Registry) -> Result<Counties, String> {
        Self::new(vec![registry])
    }

    /// The home county's registry.
    pub fn home(&self) -> &Registry {
        &self.0[0].registry
    }

    pub fn iter(&self) -> impl Iterator<Item = &County> {
        self.0.iter()
    }

    /// The counties served, with where their routes are.
    pub fn view(&self) -> Result<views::CountiesView, ServiceError> {
        let counties = self
            .iter()
            .map(|c| {
                let mut conn = c.registry.db.conn()?;
                Ok(views::CountyView {
                    api: format!("/api/v1/counties/{}", c.code),
                    entries: queries::log_size(&mut conn, &c.code)?,
                    county: c.code.clone(),
                    name: c.name.clone(),
                })
            })
            .collect::<Result<_, ServiceError>>()?;
        Ok(views::CountiesView { counties })
    }

    /// Each county's listings (of `status` and `mode`, where given), newest
    /// first, at most `per_county` of each.
    pub fn listings(
        &self,
        status: Option<&str>,
        mode: Option<&str>,
        per_county: Option<u32>,
    ) -> Result<views::ProvinceListingsView, ServiceError> {
        let (default, most) = LISTINGS_PER_COUNTY;
        let per_county = per_county.unwrap_or(default);
        if !(1..=most).contains(&per_county) {
            return Err(ServiceError::OutOfRange {
                field: "per_county",
                reason: format!("from 1 to {most}"),
                reason_zh: format!("须在 1 至 {most} 之间"),
            });
        }
        let counties = self
            .iter()
            .map(|c| {
                let listings = c
                    .registry
                    .newest_listings(status, None, mode, i64::from(per_county))?
                    .listings;
                Ok(views::CountyListings {
                    county: c.code.clone(),
                    name: c.name.clone(),
                    listings,
                })
            })
            .collect::<Result<_, ServiceError>>()?;
        Ok(views::ProvinceListingsView { counties })
    }

    /// Each county's figures, and their sums.
    pub fn figures(&self) -> Result<views::ProvinceFiguresView, ServiceError> {
        let mut total = views::CountyFigures {
            county: String::new(),
            name: "合计".into(),
            entries: 0,
            collectives: 0,
            parcels: 0,
            households: 0,
            contracts: 0,
            listings: Vec::new(),
        };
        let mut by_status = std::collections::BTreeMap::<String, u64>::new();
        let mut counties = Vec::new();
        for c in self.iter() {
            let n = c.registry.figures()?;
            total.entries += n.entries;
            total.collectives += n.collectives;
            total.parcels += n.parcels;
            total.households += n.households;
            total.contracts += n.contracts;
            for (status, count) in &n.listings {
                *by_status.entry(status.clone()).or_default() += count;
            }
            counties.push(views::CountyFigures {
                county: c.code.clone(),
                name: c.name.clone(),
                entries: n.entries,
                collectives: n.collectives,
                parcels: n.parcels,
                households: n.households,
                contracts: n.contracts,
                listings: n
                    .listings
                    .into_iter()
                    .map(|(status, count)| views::StatusCount { status, count })
                    .collect(),
            });
        }
        total.listings = by_status
            .into_iter()
            .map(|(status, count)| views::StatusCount { status, count })
            .collect();
        Ok(views::ProvinceFiguresView { counties, total })
    }

    /// Stops every county's writer after what it holds, once the server's
    /// workers have let go of their handles.
    pub fn shutdown(self) {
        let mut all = self.0;
        for _ in 0..300 {
            match Arc::try_unwrap(all) {
                Ok(counties) => {
                    counties.into_iter().for_each(|c| c.registry.shutdown());
                    return;
                }
                Err(still_shared) => all = still_shared,
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        tracing::warn!("the counties were still shared at shutdown");
    }
}
