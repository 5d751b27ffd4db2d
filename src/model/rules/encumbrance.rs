//! Rules of encumbrances on parcels: seizure (查封), objection (异议) and
//! pledge of the management right (融资担保, M2), and their release.

use crate::model::entry::{EncumbranceKind, EncumbranceRegister, EncumbranceRelease};
use crate::model::state::Encumbrance;
use crate::model::{Change, Context, KeyBinding, Role, RuleError, State};

fn not_entitled(signer: &KeyBinding, what: &'static str, target: &str) -> RuleError {
    RuleError::PartyNotAllowed {
        signer_role: signer.role.as_str(),
        signer_party: signer.party.clone(),
        role: what,
        party: target.to_owned(),
    }
}

/// `encumbrance.register`: a seizure only by the county; an objection by the
/// county, the parcel's collective, or a household of that collective; a
/// pledge only by the household whose contract in force covers the parcel (M2: the
/// entry is the notice to the 发包方), once at a time, and never over seized
/// land. The parcel must be active. A homestead is not a parcel and is never
/// pledged (H4).
pub fn encumbrance_register(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &EncumbranceRegister,
) -> Result<Vec<Change>, RuleError> {
    let parcel =
        state
            .parcels
            .get(body.parcel.as_str())
            .ok_or_else(|| RuleError::UnknownParcel {
                code: body.parcel.clone(),
            })?;
    if let Some(at) = parcel.retired_at {
        return Err(RuleError::ParcelRetired {
            code: body.parcel.clone(),
            at,
        });
    }
    let entitled = match (body.kind, signer.role) {
        // M2: a pledge is the household's own act; the county records
        // seizures and objections, never a pledge of someone's land.
        (EncumbranceKind::Pledge, Role::County) => false,
        (_, Role::County) => true,
        (EncumbranceKind::Objection, Role::Collective) => signer.party == parcel.collective,
        (EncumbranceKind::Objection, Role::Household) => {
            signer.party.starts_with(parcel.collective.as_str())
        }
        (EncumbranceKind::Pledge, Role::Household) => state
            .contract_over(&body.parcel, ctx.today)
            .is_some_and(|k| k.household == signer.party),
        _ => false,
    };
    if !entitled {
        return Err(not_entitled(signer, "parcel", &body.parcel));
    }
    if body.kind == EncumbranceKind::Pledge {
        super::unencumbered(state, &body.parcel, super::Holds::SeizureOrPledge)?;
    }
    super::text("reason", &body.reason)?;
    super::sha256_hex("document_sha256", &body.document_sha256)?;
    Ok(vec![Change::EncumbranceRegistered(Encumbrance {
        index: ctx.index,
        parcel: parcel.code.clone(),
        kind: body.kind,
        by: signer.party.clone(),
        reason: body.reason.trim().to_owned(),
        document_sha256: body.document_sha256.clone(),
        released_at: None,
    })])
}

/// `encumbrance.release`: by the county (for a pledge, on the lender's
/// written release); an objection also by whoever filed it.
pub fn encumbrance_release(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &EncumbranceRelease,
) -> Result<Vec<Change>, RuleError> {
    let e = state
        .encumbrances
        .get(&body.encumbrance)
        .ok_or(RuleError::UnknownEncumbrance {
            index: body.encumbrance,
        })?;
    if let Some(at) = e.released_at {
        return Err(RuleError::EncumbranceReleased { index: e.index, at });
    }
    let entitled = signer.role == Role::County
        || (e.kind == EncumbranceKind::Objection && signer.party == e.by);
    if !entitled {
        return Err(not_entitled(signer, "encumbrance on parcel", &e.parcel));
    }
    super::text("reason", &body.reason)?;
    Ok(vec![Change::EncumbranceReleased {
        index: e.index,
        at: ctx.index,
    }])
}
