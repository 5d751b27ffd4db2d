//! Rules of land registration: collectives (发包方) and parcels (地块), C7 and P1.

use crate::model::entry::{CollectiveRegister, ParcelRegister, ParcelRetire};
use crate::model::land::{DEFAULT_TOLERANCE, LAND_USES, PARCEL_CLASSES};
use crate::model::{
    codes, Area, Change, Collective, Context, Footprint, KeyBinding, Land, Parcel, RuleError, State,
};

fn footprint<'a>(ctx: &Context<'a>) -> Result<&'a Footprint, RuleError> {
    ctx.footprint.ok_or(RuleError::GeometryNotPrepared)
}

/// `collective.register`: by the county, for a 14-digit code in its county (P1).
pub fn collective_register(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &CollectiveRegister,
) -> Result<Vec<Change>, RuleError> {
    codes::check_collective(&body.code).map_err(|r| RuleError::attribute("FBFBM", r))?;
    if !body.code.starts_with(ctx.county) {
        return Err(RuleError::attribute(
            "FBFBM",
            "not a collective of this county",
        ));
    }
    if let Some(c) = state.collectives.get(&body.code) {
        return Err(RuleError::CollectiveExists {
            code: body.code.clone(),
            at: c.registered_at,
        });
    }
    check_name("FBFMC", &body.name)?;
    let fp = footprint(ctx)?;
    Ok(vec![Change::CollectiveRegistered {
        collective: Collective {
            code: body.code.clone(),
            name: body.name.trim().to_owned(),
            area: fp.area,
            bbox: fp.bbox,
            geojson: fp.geojson.clone(),
            registered_at: ctx.index,
        },
        shape: fp.shape.clone(),
    }])
}

fn check_name(field: &'static str, name: &str) -> Result<(), RuleError> {
    let n = name.trim().chars().count();
    if n == 0 || n > 50 {
        return Err(RuleError::attribute(field, "must be 1 to 50 characters"));
    }
    Ok(())
}

/// `parcel.register`: by the collective whose code starts the parcel code
/// (P1), with the attributes of C7, and a geometry that overlaps no active
/// parcel and stays within the collective's boundary, both within the
/// tolerance.
pub fn parcel_register(
    state: &State,
    land: &dyn Land,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ParcelRegister,
) -> Result<Vec<Change>, RuleError> {
    let code = &body.code;
    if code.len() != 19 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RuleError::attribute(
            "DKBM",
            "a parcel code is 19 digits: 发包方编码 + 5",
        ));
    }
    let collective = &code[..14];
    if collective != signer.party {
        return Err(RuleError::ParcelOutsideCollective {
            code: code.clone(),
            collective: signer.party.clone(),
        });
    }
    if !state.collectives.contains_key(collective) {
        return Err(RuleError::UnknownCollective {
            code: collective.to_owned(),
        });
    }
    if let Some(p) = state.parcels.get(code.as_str()) {
        return Err(RuleError::ParcelExists {
            code: code.clone(),
            at: p.registered_at,
        });
    }
    check_name("DKMC", &body.name)?;
    if !PARCEL_CLASSES.contains(&body.class.as_str()) {
        return Err(RuleError::attribute(
            "DKLB",
            format!("must be one of {}", PARCEL_CLASSES.join(", ")),
        ));
    }
    if !LAND_USES.contains(&body.land_use.as_str()) {
        return Err(RuleError::attribute(
            "TDYT",
            format!("must be one of {}", LAND_USES.join(", ")),
        ));
    }
    let grade_ok = body.grade.len() == 2 && matches!(body.grade.parse::<u8>(), Ok(1..=10));
    if !grade_ok {
        return Err(RuleError::attribute("DLDJ", "must be 01 to 10"));
    }
    let basic_farmland = match body.basic_farmland.as_str() {
        "1" => true,
        "2" => false,
        _ => return Err(RuleError::attribute("SFJBNT", "must be 1 (yes) or 2 (no)")),
    };
    let declared = body
        .declared_m2
        .as_deref()
        .map(Area::parse_m2)
        .transpose()
        .map_err(|r| RuleError::attribute("SCMJ", r))?;
    let fp = footprint(ctx)?;
    check_place(land, fp, collective)?;
    Ok(vec![Change::ParcelRegistered {
        parcel: Parcel {
            code: code.as_str().into(),
            collective: collective.into(),
            name: body.name.trim().into(),
            class: body.class.as_str().into(),
            land_use: body.land_use.as_str().into(),
            grade: body.grade.as_str().into(),
            basic_farmland,
            declared,
            area: fp.area,
            bbox: fp.bbox,
            geometry: fp.shape.clone(),
            registered_at: ctx.index,
            retired_at: None,
        },
        geojson: fp.geojson.clone(),
    }])
}

/// A place on the land (a parcel, a homestead) overlaps no active parcel or
/// homestead and lies within its collective's boundary, both within the
/// tolerance; a collision names what it collides with.
pub(super) fn check_place(
    land: &dyn Land,
    fp: &Footprint,
    collective: &str,
) -> Result<(), RuleError> {
    let tolerance = DEFAULT_TOLERANCE;
    let collisions = land.collisions(fp, tolerance);
    if !collisions.is_empty() {
        return Err(RuleError::ParcelOverlap {
            overlap: collisions
                .iter()
                .map(|c| c.overlap)
                .max()
                .unwrap_or_default(),
            parcels: collisions.into_iter().map(|c| c.parcel).collect(),
            tolerance,
        });
    }
    let outside = land.outside(collective, fp);
    if outside > tolerance {
        return Err(RuleError::OutsideBoundary {
            collective: collective.to_owned(),
            outside,
            tolerance,
        });
    }
    Ok(())
}

/// `parcel.retire`: by the parcel's collective, once.
pub fn parcel_retire(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ParcelRetire,
) -> Result<Vec<Change>, RuleError> {
    let parcel = state
        .parcels
        .get(body.code.as_str())
        .ok_or_else(|| RuleError::UnknownParcel {
            code: body.code.clone(),
        })?;
    if parcel.collective != signer.party {
        return Err(RuleError::ParcelOutsideCollective {
            code: body.code.clone(),
            collective: signer.party.clone(),
        });
    }
    if let Some(at) = parcel.retired_at {
        return Err(RuleError::ParcelRetired {
            code: body.code.clone(),
            at,
        });
    }
    if let Some(contract) = state
        .contract_of
        .get(&body.code)
        .filter(|c| state.contracts[*c].in_force(ctx.today))
    {
        // C4: the collective may not take contracted land back.
        return Err(RuleError::ParcelContracted {
            parcel: body.code.clone(),
            contract: contract.clone(),
        });
    }
    let held: Vec<&str> = state
        .encumbrances_on(&body.code)
        .map(|e| e.kind.as_str())
        .collect();
    if !held.is_empty() {
        return Err(RuleError::ParcelEncumbered {
            code: body.code.clone(),
            kinds: held.join(", "),
        });
    }
    if body.reason.trim().is_empty() {
        return Err(RuleError::attribute(
            "reason",
            "a retirement states its reason",
        ));
    }
    Ok(vec![Change::ParcelRetired {
        code: body.code.clone(),
        at: ctx.index,
    }])
}
