//! Rules of the homestead use right (宅基地使用权): H1–H3, H5.

use crate::model::entry::{HomesteadExit, HomesteadGrant, Terrain};
use crate::model::settings::HomesteadLimits;
use crate::model::shares::Fen;
use crate::model::state::Homestead;
use crate::model::{Area, Change, Context, KeyBinding, Land, RuleError, State};

/// H1: the provincial area limit by terrain (a setting; default 浙江's
/// 125 / 140 / 160 m²).
pub fn area_limit(limits: &HomesteadLimits, terrain: Terrain) -> (Area, &'static str) {
    match terrain {
        Terrain::Plain => (limits.plain, "plain"),
        Terrain::Hill => (limits.hill, "hill"),
        Terrain::Mountain => (limits.mountain, "mountain"),
    }
}

/// `homestead.grant`: approved by the county (for the township, H2), for a
/// household of a registered collective (H3) that holds no homestead (H1),
/// within the area limit, inside the collective's boundary and over no
/// parcel or other homestead.
pub fn homestead_grant(
    state: &State,
    land: &dyn Land,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &HomesteadGrant,
) -> Result<Vec<Change>, RuleError> {
    let household = super::household_of(state, &body.household)?;
    if let Some(h) = state.homesteads.get(body.household.as_str()) {
        match h.exited {
            None => {
                return Err(RuleError::SecondHomestead {
                    household: body.household.to_string(),
                    at: h.granted_at,
                })
            }
            // H2: a household that gave its homestead up gets no new one.
            Some((at, _)) => {
                return Err(RuleError::HouseGivenUp {
                    household: body.household.to_string(),
                    at,
                })
            }
        }
    }
    // H2: nor one that sold its homestead and house.
    if let Some(l) = state.listings.values().find(|l| {
        l.mode == crate::model::exchange::Mode::Homestead
            && l.transferor == body.household.as_str()
            && !l.registered.is_empty()
    }) {
        return Err(RuleError::HouseGivenUp {
            household: body.household.to_string(),
            at: l.registered[0].0,
        });
    }
    // H2: nor one that leased its house out.
    if let Some(r) = state.rights.values().find(|r| {
        r.mode == crate::model::exchange::Mode::HouseLease && r.household == body.household.as_str()
    }) {
        return Err(RuleError::HouseGivenUp {
            household: body.household.to_string(),
            at: r.index,
        });
    }
    let fp = ctx.footprint()?;
    let (limit, terrain) = area_limit(&state.settings.homestead_limit_m2, body.terrain);
    if fp.area > limit {
        return Err(RuleError::HomesteadOverLimit {
            area: fp.area,
            limit,
            terrain,
        });
    }
    super::land::check_place(
        land,
        fp,
        &household.collective,
        state.settings.overlap_tolerance_m2,
    )?;
    for (s, h) in super::surrender::exits_in_window(state, ctx.today) {
        let exited = crate::model::Footprint {
            area: h.area,
            bbox: h.bbox,
            vertices: 0,
            shape: h.geometry.clone(),
        };
        if land.overlap(fp, &exited) > state.settings.overlap_tolerance_m2 {
            return Err(RuleError::HomesteadInCoolingOff {
                household: s.household.clone(),
                until: s.until.to_string(),
            });
        }
    }
    Ok(vec![Change::HomesteadGranted {
        homestead: Homestead {
            household: body.household.to_string(),
            collective: household.collective.clone(),
            area: fp.area,
            bbox: fp.bbox,
            geometry: fp.shape.clone(),
            granted_at: ctx.index,
            exited: None,
        },
    }])
}

/// `homestead.exit`: only by the household itself, for compensation above
/// zero (H5, G1). Nothing else ends a homestead.
pub fn homestead_exit(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &HomesteadExit,
) -> Result<Vec<Change>, RuleError> {
    let household = &signer.party;
    super::homestead_held(state, household)?;
    let compensation = super::money(state, "compensation", &body.compensation)?;
    if compensation == Fen::ZERO {
        return Err(RuleError::attribute(
            "compensation",
            "a voluntary exit is compensated (H5, G4)",
            "自愿退出须有补偿（H5、G4）",
        ));
    }
    Ok(vec![
        Change::HomesteadExited {
            household: household.clone(),
            at: ctx.index,
            compensation,
        },
        super::surrender::surrendered(
            state,
            ctx,
            household,
            super::surrender::Surrendered::Homestead,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use crate::model::rules::world::*;
    use serde_json::json;

    /// H1: one household, one homestead — a second grant is refused.
    #[test]
    fn h1_one_household_one_homestead() {
        let (mut w, a) = (World::new(), actors());
        let grant = json!({"CBFBM": HOUSEHOLDS[0], "terrain": "plain",
                           "posting_sha256": "ab".repeat(32), "geometry": null});
        let mut plot = square(30);
        plot.area = crate::model::Area(10_000);
        let county = a[0].0.public_bytes();
        let again = w.decide(&county, &[], "homestead.grant", &grant, &[plot]);
        assert_eq!(
            again.map_err(|e| crate::model::Refusal::code(&e)),
            Err("second_homestead")
        );
    }
}
