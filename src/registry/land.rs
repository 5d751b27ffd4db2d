//! The land: collectives, parcels, titles, and the figures of the county's charts.

use super::*;

impl Registry {
    /// The expropriations under way (announced, or with a plan posted; not
    /// done or withdrawn) that name any parcel `household` holds (E1): what
    /// its own page must lead with.
    pub fn expropriations_over(
        &self,
        household: &str,
    ) -> Result<Vec<views::ExpropriationView>, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let today = self.today();
        // Only the land it holds today: a contract it returned (C6) is no
        // longer its land to be taken.
        let held: Vec<String> = queries::load_contracts(
            &mut conn,
            county,
            queries::ContractsOf::Household(household),
        )?
        .into_values()
        .filter(|k| k.holds(today))
        .flat_map(|k| k.parcels)
        .collect();
        let collective = crate::model::codes::collective_of(household);
        Ok(queries::expropriations_of(&mut conn, county, collective)?
            .into_values()
            .filter(|x| x.completed.is_none() && x.withdrawn.is_none())
            .filter(|x| x.parcels.iter().any(|p| held.contains(p)))
            .map(|x| views::ExpropriationView::of(&x))
            .collect())
    }

    /// The parcels of a collective under an encumbrance in force.
    pub fn encumbered_parcels(&self, collective: &str) -> Result<Vec<String>, ServiceError> {
        let mut conn = self.db.conn()?;
        let today = self.today();
        // A parcel's code begins with its collective's (NY/T 2539).
        Ok(
            queries::encumbrances_where(&mut conn, &self.db.county, None)?
                .into_iter()
                .filter(|e| e.in_force(today) && e.parcel.starts_with(collective))
                .map(|e| e.parcel.to_string())
                .collect(),
        )
    }

    /// The collectives of the county, by code, with their names.
    pub fn collectives(&self) -> Result<Vec<(String, String)>, ServiceError> {
        let mut conn = self.db.conn()?;
        let mut all: Vec<(String, String)> = queries::load_collectives(&mut conn, &self.db.county)?
            .into_values()
            .map(|k| (k.code, k.name))
            .collect();
        all.sort();
        Ok(all)
    }

    /// For the charts, from areas and contracts, without reading a geometry.
    pub fn chart_figures(
        &self,
        listings: &[views::ListingView],
    ) -> Result<ChartFigures, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let codes: Vec<&str> = listings
            .iter()
            .flat_map(|l| l.parcels.iter().map(String::as_str))
            .collect();
        let areas = queries::parcel_areas(&mut conn, county, &codes)?;
        let listing_mu = listings
            .iter()
            .map(|l| {
                let total: i64 = l
                    .parcels
                    .iter()
                    .filter_map(|p| areas.get(p))
                    .map(|a| a.0)
                    .sum();
                (l.id, crate::model::units::Area(total).mu())
            })
            .collect();
        let today = self.today();
        let mut contracted: HashMap<String, usize> = HashMap::new();
        for k in queries::load_contracts(&mut conn, county, queries::ContractsOf::All)?
            .into_values()
            .filter(|k| k.holds(today))
        {
            *contracted
                .entry(crate::model::codes::collective_of(&k.household).to_owned())
                .or_default() += k.parcels.len();
        }
        Ok(ChartFigures {
            listing_mu,
            contracted,
        })
    }

    pub fn collective(
        &self,
        code: &str,
    ) -> Result<views::Feature<views::CollectiveProperties>, ServiceError> {
        let mut conn = self.db.conn()?;
        let (k, active) =
            queries::collective(&mut conn, &self.db.county, code)?.ok_or_else(|| {
                ServiceError::NotFound {
                    what: "collective",
                    id: code.to_string(),
                    field: "code",
                }
            })?;
        Ok(views::collective_feature(&k, active))
    }

    /// The homesteads (宅基地) in force of a collective, for its map: the
    /// household, 亩 and the geometry.
    pub fn homestead_map(
        &self,
        collective: &str,
    ) -> Result<Vec<(String, String, serde_json::Value)>, ServiceError> {
        let mut conn = self.db.conn()?;
        Ok(
            queries::homestead_shapes(&mut conn, &self.db.county, collective)?
                .into_iter()
                .map(|(h, area, geojson)| {
                    let geometry = serde_json::from_str(&geojson).unwrap_or_default();
                    (h, area.mu().round_dp(2).to_string(), geometry)
                })
                .collect(),
        )
    }

    /// A parcel with its 四至, computed now from the active parcels around it.
    pub fn parcel(
        &self,
        code: &str,
    ) -> Result<views::Feature<views::ParcelProperties>, ServiceError> {
        let mut conn = self.db.conn()?;
        let p = self.stored_parcel(&mut conn, code)?;
        let (sizhi, _) = self.around(&mut conn, &p)?;
        let contract = queries::load_contracts(
            &mut conn,
            &self.db.county,
            queries::ContractsOf::Parcel(code),
        )?
        .into_values()
        .next();
        Ok(views::parcel_feature(
            &p,
            contract.as_ref(),
            Some(&sizhi),
            self.today(),
        ))
    }

    /// Parcel `code` as stored, or `not_found`.
    fn stored_parcel(
        &self,
        conn: &mut crate::store::DbConnection,
        code: &str,
    ) -> Result<crate::model::state::Parcel<String>, ServiceError> {
        queries::parcel(conn, &self.db.county, code)?.ok_or_else(|| ServiceError::NotFound {
            what: "parcel",
            id: code.to_string(),
            field: "code",
        })
    }

    /// The 四至 of parcel `p`, computed now from the active parcels about
    /// 100 m around it, with the names of those parcels by code.
    fn around(
        &self,
        conn: &mut crate::store::DbConnection,
        p: &crate::model::state::Parcel<String>,
    ) -> Result<(crate::spatial::Neighbours, HashMap<String, String>), ServiceError> {
        let (dlon, dlat) = (0.0012, 0.0009);
        let b = p.bbox;
        let around = queries::parcels_in_bbox(
            conn,
            &self.db.county,
            [b[0] - dlon, b[1] - dlat, b[2] + dlon, b[3] + dlat],
            true,
            500,
        )?;
        let names = around
            .iter()
            .map(|n| (n.code.to_string(), n.name.to_string()))
            .collect();
        let around: Vec<(String, [f64; 4])> = around
            .into_iter()
            .filter(|n| n.code != p.code)
            .map(|n| (n.code.to_string(), n.bbox))
            .collect();
        Ok((crate::spatial::neighbours(p.bbox, &around), names))
    }

    /// What a certificate prints of a parcel beside its attributes (issue
    /// 18): its 四至 in the neighbours' names, whether it is basic farmland,
    /// and its geometry for the sketch.
    pub fn parcel_sheet(&self, code: &str) -> Result<ParcelSheet, ServiceError> {
        let mut conn = self.db.conn()?;
        let p = self.stored_parcel(&mut conn, code)?;
        let (n, names) = self.around(&mut conn, &p)?;
        let name = |c: Option<String>| c.map(|c| names.get(&c).cloned().unwrap_or(c));
        Ok(ParcelSheet {
            sizhi: [name(n.east), name(n.south), name(n.west), name(n.north)],
            basic_farmland: p.basic_farmland,
            collective: queries::collective(&mut conn, &self.db.county, &p.collective)?
                .map_or_else(|| p.collective.to_string(), |(c, _)| c.name),
            geometry: p.geometry,
        })
    }

    /// The title report of a parcel, as of the newest checkpoint (kept
    /// until the next commit: `kept`).
    pub fn title(&self, code: &str) -> Result<views::TitleView, ServiceError> {
        match self.moment() {
            Some(at) => self.kept.titles.get_or(at, code, || self.read_title(code)),
            None => self.read_title(code),
        }
    }

    fn read_title(&self, code: &str) -> Result<views::TitleView, ServiceError> {
        let mut conn = self.db.conn()?;
        // One snapshot: the parcel, its encumbrances and the tree size agree.
        let (size, p, encumbrances, contract) = conn.transaction(|c| {
            let size = queries::latest_checkpoint(c, &self.db.county)?.map_or(0, |(s, _)| s);
            let p = queries::parcel(c, &self.db.county, code)?;
            let e = queries::encumbrances_where(c, &self.db.county, Some(code))?;
            let k =
                queries::load_contracts(c, &self.db.county, queries::ContractsOf::Parcel(code))?
                    .into_values()
                    .next();
            Ok::<_, crate::store::StoreError>((size, p, e, k))
        })?;
        let p = p.ok_or_else(|| ServiceError::NotFound {
            what: "parcel",
            id: code.to_string(),
            field: "code",
        })?;
        // The newest expropriation that names the parcel (E1).
        let expropriation = queries::expropriations_of(&mut conn, &self.db.county, &p.collective)?
            .into_values()
            .rev()
            .find(|x| x.parcels.iter().any(|q| q == code));
        // The rights derived from this parcel's contract (G2, M6) — or, on
        // land the state took, from the households its plan compensated.
        let households: Vec<String> = match (&contract, &expropriation) {
            (Some(k), _) => vec![k.household.clone()],
            (None, Some(x)) => x
                .plan
                .iter()
                .flat_map(|p| &p.lines)
                .map(|(party, _, _)| party.clone())
                .filter(|party| {
                    crate::model::authority::PartyType::of(&self.db.county, party)
                        == Ok(crate::model::authority::PartyType::Household)
                })
                .collect(),
            (None, None) => Vec::new(),
        };
        let mut rights = Vec::new();
        for h in households {
            for r in queries::rights_of_household(&mut conn, &self.db.county, &h)? {
                if r.parcels.iter().any(|p| p == code) && !rights.contains(&r) {
                    rights.push(r);
                }
            }
        }
        let acts: Vec<_> = queries::all_acts(&mut conn, &self.db.county)?
            .into_values()
            .filter(|a| a.titles.iter().any(|t| t == code))
            .collect();
        Ok(views::title(
            &p,
            views::TitleFacts {
                contract: contract.as_ref(),
                encumbrances: &encumbrances,
                rights: &rights,
                expropriation: expropriation.as_ref(),
                acts: &acts,
            },
            size,
            self.today(),
        ))
    }

    /// The county's notice board (公示栏, A3): every act over a household
    /// still open — pending its notice or held by an objection — and every
    /// key on notice (A2), newest first.
    pub fn notice_board(&self) -> Result<Vec<views::ActView>, ServiceError> {
        let mut conn = self.db.conn()?;
        let today = self.today();
        Ok(queries::all_acts(&mut conn, &self.db.county)?
            .into_values()
            .rev()
            .filter(|a| a.is_open())
            .map(|a| views::ActView::of(&a, today))
            .collect())
    }

    /// Parcels of a collective, or within a bounding box, as a FeatureCollection.
    pub fn parcels(
        &self,
        collective: Option<&str>,
        bbox: Option<[f64; 4]>,
    ) -> Result<views::FeatureCollection<views::ParcelProperties>, ServiceError> {
        let mut conn = self.db.conn()?;
        let found = match (collective, bbox) {
            (Some(code), _) => {
                queries::parcels_of_collective(&mut conn, &self.db.county, code, MAX_FEATURES + 1)?
            }
            (None, Some(b)) => {
                queries::parcels_in_bbox(&mut conn, &self.db.county, b, false, MAX_FEATURES + 1)?
            }
            (None, None) => {
                return Err(ServiceError::OutOfRange {
                    field: "collective",
                    reason: "give collective=CODE or bbox=minlon,minlat,maxlon,maxlat".into(),
                    reason_zh: "须给出 collective=集体经济组织编码，或 bbox=最小经度,最小纬度,最大经度,最大纬度".into(),
                })
            }
        };
        if found.len() as i64 > MAX_FEATURES {
            return Err(ServiceError::OutOfRange {
                field: "bbox",
                reason: format!("more than {MAX_FEATURES} parcels: ask for a smaller area"),
                reason_zh: format!("地块超过 {MAX_FEATURES} 个，请缩小范围"),
            });
        }
        let mut contracts = std::collections::HashMap::new();
        let collectives: std::collections::BTreeSet<&str> =
            found.iter().map(|p| p.collective.as_str()).collect();
        for k in collectives {
            contracts.extend(queries::load_contracts(
                &mut conn,
                &self.db.county,
                queries::ContractsOf::Collective(k),
            )?);
        }
        Ok(views::parcel_collection(&found, &contracts, self.today()))
    }
}

/// A parcel as a certificate prints it beside its attributes.
#[derive(Debug, Clone)]
pub struct ParcelSheet {
    /// 四至 east, south, west, north: the neighbouring parcels' names.
    pub sizhi: crate::model::land::Sizhi,
    pub basic_farmland: bool,
    /// 坐落: its collective's name.
    pub collective: String,
    /// GeoJSON geometry, for the sketch.
    pub geometry: String,
}
