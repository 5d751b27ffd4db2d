//! Rules of land registration: collectives (发包方) and parcels (地块), C7 and P1.

use crate::model::entry::{
    CollectiveRegister, ParcelMerge, ParcelPart, ParcelRegister, ParcelRetire, ParcelSplit,
};
use crate::model::land::Collision;
use crate::model::land::{LAND_USES, PARCEL_CLASSES};
use crate::model::{
    codes, Area, Change, Collective, Context, Footprint, KeyBinding, Land, Parcel, RuleError, State,
};

/// `collective.register`: by the county, for a 14-digit code in its county (P1).
pub fn collective_register(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &CollectiveRegister,
) -> Result<Vec<Change>, RuleError> {
    if !body.code.starts_with(ctx.county) {
        return Err(RuleError::attribute(
            "FBFBM",
            "not a collective of this county",
            "不是本县的集体经济组织",
        ));
    }
    if let Some(c) = state.collectives.get(body.code.as_str()) {
        return Err(RuleError::CollectiveExists {
            code: body.code.to_string(),
            at: c.registered_at,
        });
    }
    check_name("FBFMC", &body.name)?;
    let fp = ctx.footprint()?;
    Ok(vec![Change::CollectiveRegistered {
        collective: Collective {
            code: body.code.to_string(),
            name: body.name.trim().to_owned(),
            area: fp.area,
            bbox: fp.bbox,
            geojson: crate::model::land::to_geojson(&fp.shape, true),
            registered_at: ctx.index,
        },
        shape: fp.shape.clone(),
    }])
}

fn check_name(field: &'static str, name: &str) -> Result<(), RuleError> {
    let n = name.trim().chars().count();
    if n == 0 || n > 50 {
        return Err(RuleError::attribute(
            field,
            "must be 1 to 50 characters",
            "须为 1 至 50 个字符",
        ));
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
    check_new_parcel(state, code, &signer.party)?;
    let collective = crate::model::codes::collective_of(code);
    if !state.collectives.contains_key(collective) {
        return Err(RuleError::UnknownCollective {
            code: collective.to_owned(),
        });
    }
    check_name("DKMC", &body.name)?;
    if !PARCEL_CLASSES.contains(&body.class.as_str()) {
        return Err(RuleError::attribute(
            "DKLB",
            format!("must be one of {}", PARCEL_CLASSES.join(", ")),
            format!("须为以下之一：{}", PARCEL_CLASSES.join("、")),
        ));
    }
    if !LAND_USES.contains(&body.land_use.as_str()) {
        return Err(RuleError::attribute(
            "TDYT",
            format!("must be one of {}", LAND_USES.join(", ")),
            format!("须为以下之一：{}", LAND_USES.join("、")),
        ));
    }
    let grade_ok = body.grade.len() == 2 && matches!(body.grade.parse::<u8>(), Ok(1..=10));
    if !grade_ok {
        return Err(RuleError::attribute(
            "DLDJ",
            "must be 01 to 10",
            "须为 01 至 10",
        ));
    }
    let basic_farmland = match body.basic_farmland.as_str() {
        "1" => true,
        "2" => false,
        _ => {
            return Err(RuleError::attribute(
                "SFJBNT",
                "must be 1 (yes) or 2 (no)",
                "须为 1（是）或 2（否）",
            ))
        }
    };
    let declared = body
        .declared_m2
        .as_deref()
        .map(|a| super::stated_area("SCMJ", a))
        .transpose()?;
    let fp = ctx.footprint()?;
    check_place(land, fp, collective, state.settings.overlap_tolerance_m2)?;
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
    }])
}

/// A new parcel code (read as 19 digits by `ParcelCode`): of `collective`
/// (P1), never used before.
fn check_new_parcel(
    state: &State,
    code: &codes::ParcelCode,
    collective: &str,
) -> Result<(), RuleError> {
    if code.collective() != collective {
        return Err(RuleError::ParcelOutsideCollective {
            code: code.to_string(),
            collective: collective.to_owned(),
        });
    }
    if let Some(p) = state.parcels.get(code.as_str()) {
        return Err(RuleError::ParcelExists {
            code: code.to_string(),
            at: p.registered_at,
        });
    }
    Ok(())
}

/// A place on the land (a parcel, a homestead) overlaps no active parcel or
/// homestead and lies within its collective's boundary, both within the
/// tolerance; a collision names what it collides with.
pub(super) fn check_place(
    land: &dyn Land,
    fp: &Footprint,
    collective: &str,
    tolerance: Area,
) -> Result<(), RuleError> {
    refuse_collisions(land.collisions(fp, tolerance), tolerance)?;
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

fn refuse_collisions(collisions: Vec<Collision>, tolerance: Area) -> Result<(), RuleError> {
    if collisions.is_empty() {
        return Ok(());
    }
    Err(RuleError::ParcelOverlap {
        overlap: collisions
            .iter()
            .map(|c| c.overlap)
            .max()
            .unwrap_or_default(),
        parcels: collisions.into_iter().map(|c| c.parcel).collect(),
        tolerance,
    })
}

/// An active parcel of the signer's collective that may change shape: no
/// encumbrance holds it (a seizure freezes it; an objection or pledge is
/// about it as it is).
fn changeable_parcel<'s>(
    state: &'s State,
    ctx: &Context,
    signer: &KeyBinding,
    code: &str,
    act: &'static str,
) -> Result<&'s Parcel, RuleError> {
    let parcel = super::own_active_parcel(state, signer, code)?;
    super::unencumbered(state, ctx.today, code, super::Holds::All)?;
    if state.settings.authority() {
        not_held(state, ctx, code, act)?;
    }
    Ok(parcel)
}

/// C9 (rules 2): land is reshaped only when nothing rests on its outline —
/// no derived right in force or yet to begin (its lease would stay on the
/// retired code, and the parts could be leased again), no open listing (its
/// award could no longer be checked), no expropriation under way (completion
/// would take nothing) — and land under a contract only with the holding
/// household's cosignature: the collective alone does not reshape a
/// household's land (A1).
fn not_held(state: &State, ctx: &Context, code: &str, act: &'static str) -> Result<(), RuleError> {
    let held = |held, at| RuleError::ParcelHeld {
        code: code.to_owned(),
        held,
        at,
    };
    if let Some(r) = state
        .rights_on(code)
        .find(|r| r.ended.is_none() && ctx.today <= r.end)
    {
        return Err(held(
            ("a derived right on it", "有土地经营权等派生权利"),
            r.index,
        ));
    }
    if let Some(l) = state.listings_on(code).find(|l| l.status.is_open()) {
        return Err(held(
            ("its listing on the exchange", "有正在交易所挂牌的项目"),
            l.id,
        ));
    }
    if let Some(x) = state.expropriations.values().find(|x| {
        x.completed.is_none() && x.withdrawn.is_none() && x.parcels.iter().any(|p| p == code)
    }) {
        return Err(held(
            ("an expropriation under way", "有正在进行的征收"),
            x.index,
        ));
    }
    if let Some(k) = state.contract_over(code, ctx.today) {
        super::cosigned_by(state, ctx, &k.household, act)?;
    }
    Ok(())
}

/// A new parcel made from `like`'s land: its own code, name and geometry,
/// the rest of the attributes as they were.
fn part_of(like: &Parcel, part: &ParcelPart, fp: &Footprint, index: u64) -> Change {
    Change::ParcelRegistered {
        parcel: Parcel {
            code: part.code.as_str().into(),
            name: part.name.trim().into(),
            declared: None,
            area: fp.area,
            bbox: fp.bbox,
            geometry: fp.shape.clone(),
            registered_at: index,
            retired_at: None,
            ..like.clone()
        },
    }
}

/// The parts of a split or merge must measure what the whole does, within
/// the tolerance for each piece — under rules 2 (C9) within the tolerance
/// once, as for one shared edge, so that no strip of the whole is left to
/// no part (and to no contract).
fn same_area(
    state: &State,
    parts: Area,
    whole: Area,
    pieces: usize,
    tolerance: Area,
) -> Result<(), RuleError> {
    let allowed = if state.settings.authority() {
        tolerance.0
    } else {
        tolerance.0 * pieces as i64
    };
    if (parts.0 - whole.0).abs() > allowed {
        return Err(RuleError::PartsAreaMismatch { parts, whole });
    }
    Ok(())
}

/// `parcel.split`: by the parcel's collective. The parts (2 to 50) lie within
/// the parcel, overlap neither each other nor any other parcel, and together
/// measure what it does; they keep its attributes, and the contract in force
/// over it covers them instead (the rights follow the land).
pub fn parcel_split(
    state: &State,
    land: &dyn Land,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ParcelSplit,
) -> Result<Vec<Change>, RuleError> {
    let whole = changeable_parcel(state, ctx, signer, &body.code, "parcel.split")?;
    if !(2..=50).contains(&body.parts.len()) {
        return Err(RuleError::attribute(
            "parts",
            "a split makes 2 to 50 parts",
            "分割须产生 2 至 50 个地块",
        ));
    }
    if ctx.footprints.len() != body.parts.len() {
        return Err(RuleError::GeometryNotPrepared);
    }
    let tolerance = state.settings.overlap_tolerance_m2;
    let mut codes = std::collections::HashSet::new();
    for (part, fp) in body.parts.iter().zip(ctx.footprints) {
        check_new_parcel(state, &part.code, &signer.party)?;
        if !codes.insert(part.code.as_str()) {
            return Err(RuleError::attribute(
                "parts",
                "a part code is listed twice",
                "同一分割地块编码列了两次",
            ));
        }
        check_name("DKMC", &part.name)?;
        let (inside, others): (Vec<Collision>, Vec<Collision>) = land
            .collisions(fp, tolerance)
            .into_iter()
            .partition(|c| c.parcel == body.code.as_str());
        refuse_collisions(others, tolerance)?;
        let inside = inside.first().map_or(Area::ZERO, |c| c.overlap);
        if fp.area.0 - inside.0 > tolerance.0 {
            return Err(RuleError::PartOutside {
                part: part.code.to_string(),
                whole: body.code.to_string(),
                outside: Area(fp.area.0 - inside.0),
            });
        }
    }
    for (i, a) in ctx.footprints.iter().enumerate() {
        for (j, b) in ctx.footprints.iter().enumerate().skip(i + 1) {
            let overlap = land.overlap(a, b);
            if overlap > tolerance {
                return Err(RuleError::PartsOverlap {
                    a: body.parts[i].code.to_string(),
                    b: body.parts[j].code.to_string(),
                    overlap,
                });
            }
        }
    }
    let total = Area(ctx.footprints.iter().map(|f| f.area.0).sum());
    same_area(state, total, whole.area, body.parts.len(), tolerance)?;
    let mut changes = vec![Change::ParcelRetired {
        code: body.code.to_string(),
        at: ctx.index,
    }];
    for (part, fp) in body.parts.iter().zip(ctx.footprints) {
        changes.push(part_of(whole, part, fp, ctx.index));
    }
    if let Some(k) = state.contract_over(&body.code, ctx.today) {
        let mut parcels = Vec::with_capacity(k.parcels.len() + body.parts.len());
        for p in &k.parcels {
            if *p == body.code.as_str() {
                parcels.extend(body.parts.iter().map(|part| part.code.to_string()));
            } else {
                parcels.push(p.clone());
            }
        }
        changes.push(Change::ContractParcels {
            code: k.code.clone(),
            parcels,
        });
    }
    Ok(changes)
}

/// `parcel.merge`: by the collective, of 2 to 50 of its parcels with the same
/// class, use, grade and basic-farmland status, under the same contract in
/// force or none. The new parcel covers exactly them and nothing else; the
/// contract covers it instead.
pub fn parcel_merge(
    state: &State,
    land: &dyn Land,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ParcelMerge,
) -> Result<Vec<Change>, RuleError> {
    if !(2..=50).contains(&body.parts.len()) {
        return Err(RuleError::attribute(
            "parts",
            "a merge joins 2 to 50 parcels",
            "合并须包含 2 至 50 个地块",
        ));
    }
    let mut parts: Vec<&Parcel> = Vec::with_capacity(body.parts.len());
    for code in &body.parts {
        if parts.iter().any(|p| p.code == code.as_str()) {
            return Err(RuleError::attribute(
                "parts",
                "a parcel is listed twice",
                "同一地块列了两次",
            ));
        }
        parts.push(changeable_parcel(state, ctx, signer, code, "parcel.merge")?);
    }
    let first = parts[0];
    let contract = state.contract_over(&first.code, ctx.today);
    for p in &parts[1..] {
        let differs = |what| RuleError::ParcelsDiffer {
            a: first.code.to_string(),
            b: p.code.to_string(),
            what,
        };
        if p.class != first.class {
            return Err(differs("class"));
        }
        if p.land_use != first.land_use {
            return Err(differs("land_use"));
        }
        if p.grade != first.grade || p.basic_farmland != first.basic_farmland {
            return Err(differs("grade"));
        }
        if state.contract_over(&p.code, ctx.today).map(|k| &k.code) != contract.map(|k| &k.code) {
            return Err(differs("contract"));
        }
    }
    check_new_parcel(state, &body.into.code, &signer.party)?;
    check_name("DKMC", &body.into.name)?;
    let fp = ctx.footprint()?;
    let tolerance = state.settings.overlap_tolerance_m2;
    let (covered, others): (Vec<Collision>, Vec<Collision>) = land
        .collisions(fp, tolerance)
        .into_iter()
        .partition(|c| body.parts.contains(&c.parcel));
    refuse_collisions(others, tolerance)?;
    for p in &parts {
        let inside = covered
            .iter()
            .find(|c| c.parcel == p.code.as_str())
            .map_or(Area::ZERO, |c| c.overlap);
        if p.area.0 - inside.0 > tolerance.0 {
            return Err(RuleError::PartOutside {
                part: p.code.to_string(),
                whole: body.into.code.to_string(),
                outside: Area(p.area.0 - inside.0),
            });
        }
    }
    let total = Area(parts.iter().map(|p| p.area.0).sum());
    same_area(state, total, fp.area, parts.len(), tolerance)?;
    let mut changes: Vec<Change> = body
        .parts
        .iter()
        .map(|code| Change::ParcelRetired {
            code: code.clone(),
            at: ctx.index,
        })
        .collect();
    changes.push(part_of(first, &body.into, fp, ctx.index));
    if let Some(k) = contract {
        let mut parcels: Vec<String> = Vec::with_capacity(k.parcels.len());
        for p in &k.parcels {
            if !body.parts.iter().any(|part| part == p) {
                parcels.push(p.clone());
            } else if !parcels.iter().any(|q| body.into.code == *q) {
                parcels.push(body.into.code.to_string());
            }
        }
        changes.push(Change::ContractParcels {
            code: k.code.clone(),
            parcels,
        });
    }
    Ok(changes)
}

/// `parcel.retire`: by the parcel's collective, once.
pub fn parcel_retire(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ParcelRetire,
) -> Result<Vec<Change>, RuleError> {
    super::own_active_parcel(state, signer, &body.code)?;
    if let Some(contract) = state.contract_over(&body.code, ctx.today) {
        // C4: the collective may not take contracted land back.
        return Err(RuleError::ParcelContracted {
            parcel: body.code.to_string(),
            contract: contract.code.clone(),
        });
    }
    super::unencumbered(state, ctx.today, &body.code, super::Holds::All)?;
    if body.reason.trim().is_empty() {
        return Err(RuleError::attribute(
            "reason",
            "a retirement states its reason",
            "注销须说明理由",
        ));
    }
    Ok(vec![Change::ParcelRetired {
        code: body.code.to_string(),
        at: ctx.index,
    }])
}

#[cfg(test)]
mod tests {
    use crate::model::rules::world::*;
    use serde_json::json;

    fn parcel(code: &str) -> serde_json::Value {
        json!({"DKBM": code, "DKMC": "坡地", "DKLB": "10", "TDYT": "1", "DLDJ": "05",
               "SFJBNT": "1", "geometry": null})
    }

    /// P1: a parcel's code is its collective's 发包方编码 and five digits; a
    /// code of another collective, of another length, or one used before is
    /// refused.
    #[test]
    fn p1_a_parcel_is_coded_under_its_own_collective_once() {
        let (mut w, a) = (World::new(), actors());
        let collective = a[2].0.public_bytes();
        let mut register = |code: &str| {
            w.decide(
                &collective,
                &[],
                "parcel.register",
                &parcel(code),
                &[square(40)],
            )
            .map_err(|e| crate::model::Refusal::code(&e))
        };
        assert_eq!(
            register("1404210010010200040"),
            Err("parcel_code_outside_collective")
        );
        assert_eq!(register("140421001001010040"), Err("bad_attribute"));
        assert_eq!(register(&format!("{VILLAGE}00040")), Ok(()));
        assert_eq!(register(&format!("{VILLAGE}00040")), Err("parcel_exists"));
    }

    /// C4: the collective does not take back contracted land during the
    /// term — it cannot retire a parcel under a contract in force.
    #[test]
    fn c4_contracted_land_is_not_retired_during_its_term() {
        let (mut w, a) = (World::new(), actors());
        let retire = |code: String| json!({"DKBM": code, "reason": "修路"});
        let contracted = w.sign(&a[2].0, "parcel.retire", retire(format!("{VILLAGE}00001")));
        assert_eq!(contracted, Err("parcel_contracted"));
        let parcel_of = |w: &World| {
            w.state
                .parcels
                .get(&format!("{VILLAGE}00001")[..])
                .map(|p| p.retired_at)
        };
        assert_eq!(parcel_of(&w), Some(None));
    }
}
