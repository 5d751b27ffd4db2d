//! The rules: pure functions of (entry, signer, current state) that either
//! refuse an entry or say what it changes. One function per entry kind.

pub mod acts;
mod contract;
mod decision;
mod encumbrance;
pub mod exchange;
pub mod expropriation;
mod guarantee;
mod homestead;
mod household;
mod keys;
mod land;
mod member;
mod notice;
mod settings;
mod shares;
pub mod surrender;
pub(crate) mod world;

pub use contract::{
    contract_extend, contract_grant, contract_renew, contract_renew_all, contract_return,
};
pub use decision::decision_record;
pub use encumbrance::{dispute_award, encumbrance_register, encumbrance_release, objection_suit};
pub use homestead::{homestead_exit, homestead_grant};
pub use household::{household_join, household_merge, household_register, household_split};
pub use keys::{genesis, key_register, key_revoke};
pub use land::{collective_register, parcel_merge, parcel_register, parcel_retire, parcel_split};
pub use member::{all_died, estate_settle, member_admit, member_end};
pub use notice::{certificate_issue, notice_post, MIN_NOTICE_DAYS};
pub use settings::county_settings;
pub use shares::{dividend_distribute, shares_buyback, shares_quantify, shares_transfer};

use super::{authority, Command, Footprint, KeyBinding, Land, RuleError, State};
use crate::model::Change;

impl<'a> Context<'a> {
    /// The entry's one geometry.
    fn footprint(&self) -> Result<&'a Footprint, RuleError> {
        self.footprints
            .first()
            .ok_or(RuleError::GeometryNotPrepared)
    }
}

/// What the rules know about an entry besides its body.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The log index the entry will have if accepted.
    pub index: u64,
    /// The signer's Ed25519 public key.
    pub signer: &'a [u8; 32],
    /// The county of the log the entry was signed for.
    pub county: &'a str,
    /// The entry's geometries, validated and measured by `spatial`, in the
    /// order of the body.
    pub footprints: &'a [Footprint],
    /// The day (UTC) the server integrates the entry: in the record, so a
    /// replay sees the same day. Rules that count time count from it.
    pub today: chrono::NaiveDate,
    /// The server's integration time itself (auction deadlines).
    pub now: chrono::DateTime<chrono::Utc>,
    /// The keys that cosigned the entry (their signatures verified): the
    /// other parties whose rights it moves, consenting on the log (G1).
    pub cosigners: &'a [[u8; 32]],
    /// Other counties' logs, for the evidence an entry carries of what
    /// they hold (P5).
    pub other_logs: &'a dyn super::elsewhere::OtherLogs,
}

/// A kind's rule, as the kinds table dispatches it.
pub type RuleFn =
    fn(&State, &dyn Land, &Context, &KeyBinding, &Command) -> Result<Vec<Change>, RuleError>;

/// The parties a command acts over, as the kinds table declares it (A1).
pub type OverFn = fn(&State, &KeyBinding, &Command) -> Vec<String>;

/// The kinds table's dispatch, handed down by `model::kinds` (above the
/// rules): to decide an entry, and to carry out an act later by its kind's
/// rule again.
pub struct Dispatch {
    pub rule: RuleFn,
    pub over: OverFn,
}

/// Decides an entry: checks the signer's authority for the kind, then the
/// kind's rule (through `dispatch`). Returns the changes to apply, or the
/// first refusal.
pub fn decide(
    state: &State,
    land: &dyn Land,
    ctx: &Context,
    cmd: &Command,
    dispatch: &Dispatch,
) -> Result<Vec<Change>, RuleError> {
    if let Command::Genesis(body) = cmd {
        return genesis(state, ctx, body);
    }
    let Some(county) = &*state.county else {
        return Err(RuleError::GenesisMisplaced);
    };
    if let Command::ActEffect(body) = cmd {
        // A3: the writer carries out a due act, under the log's own key.
        let log_key = super::VerifierKey::parse(&county.log_vkey).map(|k| k.public_bytes());
        if log_key.ok() != Some(*ctx.signer) {
            return Err(RuleError::KindNotAllowed {
                role: "signer",
                kind: "act.effect",
            });
        }
        return with_titles(
            state,
            acts::act_effect(state, land, ctx, body, dispatch)?,
            ctx,
        );
    }
    let signer = active_signer(state, ctx.signer)?;
    if !authority::may_sign(signer.role, cmd.kind()) {
        return Err(RuleError::KindNotAllowed {
            role: signer.role.as_str(),
            kind: cmd.kind(),
        });
    }
    // A parcel's or homestead's geometry has at most the county's
    // `max_vertices` positions; a collective's boundary only the hard cap.
    if !matches!(cmd, Command::CollectiveRegister(_)) {
        let max = state.settings.max_vertices as usize;
        if let Some(fp) = ctx.footprints.iter().find(|f| f.vertices > max) {
            return Err(RuleError::TooManyVertices {
                vertices: fp.vertices,
                max,
            });
        }
    }
    if state.settings.authority() {
        super::authority::within_remit(state, signer, cmd)?;
    }
    let mut changes = (dispatch.rule)(state, land, ctx, signer, cmd)?;
    if state.settings.authority() {
        let parties = (dispatch.over)(state, signer, cmd);
        if !parties.is_empty() || acts::on_notice(state, signer, cmd) {
            changes = acts::pending(state, ctx, signer, cmd, parties, &changes)?;
        }
    }
    with_titles(state, changes, ctx)
}

/// The changes, and the titles they touch (a settlement verified before is
/// refused).
fn with_titles(
    state: &State,
    mut changes: Vec<Change>,
    ctx: &Context,
) -> Result<Vec<Change>, RuleError> {
    let mut titles: Vec<String> = changes
        .iter()
        .flat_map(|c| state.titles_of(c))
        .map(|t| t.key())
        .collect();
    if !titles.is_empty() {
        titles.sort_unstable();
        titles.dedup();
        changes.push(Change::TitleTouched {
            parcels: titles,
            at: ctx.index,
        });
    }
    Ok(changes)
}

/// An amount of money in a body — a price, a deposit, a compensation, a
/// distribution (read exactly by `fields::Yuan`) — is at most the county's
/// `max_amount_yuan`.
fn money(
    state: &State,
    field: &'static str,
    amount: &super::fields::Yuan,
) -> Result<crate::model::shares::Fen, RuleError> {
    let fen = amount.fen();
    if fen > state.settings.max_amount_yuan {
        return Err(RuleError::attribute(
            field,
            format!(
                "is above the county's limit of {} yuan",
                state.settings.max_amount_yuan
            ),
            format!("超过县里规定的上限 {} 元", state.settings.max_amount_yuan),
        ));
    }
    Ok(fen)
}

/// The largest area a body may state: 100 km², more than any parcel.
const MAX_STATED_AREA: super::Area = super::Area(10_000_000_000);

/// An area stated in a body (`SCMJ`): plain decimal m², at most 100 km².
fn stated_area(field: &'static str, text: &str) -> Result<super::Area, RuleError> {
    let area = super::Area::parse_m2(text).map_err(|r| RuleError::because(field, r))?;
    if area > MAX_STATED_AREA {
        return Err(RuleError::attribute(
            field,
            "is above 100 km²",
            "超过 100 平方公里",
        ));
    }
    Ok(area)
}

/// G1: an act that moves or binds the right of `party` (a household) as
/// well as the signer's carries that household's own signature: an active
/// household key of `party` cosigned the entry.
fn cosigned_by(
    state: &State,
    ctx: &Context,
    party: &str,
    act: &'static str,
) -> Result<(), RuleError> {
    signed_as(state, ctx.cosigners, super::Role::Household, party, act)
}

/// A7 (rules 2): what concerns a member alone carries her own signature
/// when she holds a personal key — as the entry's signer or a cosigner.
fn cosigned_by_member(
    state: &State,
    ctx: &Context,
    person: &str,
    act: &'static str,
) -> Result<(), RuleError> {
    let role = super::Role::Member;
    if !state.settings.authority() || state.active_keys(role, person).next().is_none() {
        return Ok(());
    }
    let keys: Vec<[u8; 32]> = ctx.cosigners.iter().chain([ctx.signer]).copied().collect();
    signed_as(state, &keys, role, person, act)
}

/// One of `keys` is an active key of `party` in `role`, or the consent
/// `act` needs is missing.
fn signed_as(
    state: &State,
    keys: &[[u8; 32]],
    role: super::Role,
    party: &str,
    act: &'static str,
) -> Result<(), RuleError> {
    let signed = keys.iter().any(|c| {
        state
            .key(c)
            .is_some_and(|k| k.is_active() && k.role == role && k.party == party)
    });
    if signed {
        Ok(())
    } else {
        Err(RuleError::ConsentMissing {
            party: party.to_owned(),
            act,
        })
    }
}

/// R2: a party has at most the county's `max_open_objections` objections
/// open at once, to parcels and to listings together.
fn objections_within_cap(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
) -> Result<(), RuleError> {
    let on_parcels = state
        .encumbrances
        .values()
        .filter(|e| {
            e.kind == super::entry::EncumbranceKind::Objection
                && e.by == signer.party
                && e.in_force(ctx.today)
        })
        .count();
    let on_listings: usize = state
        .listings
        .values()
        .filter(|l| l.status.is_open())
        .map(|l| {
            l.objections
                .iter()
                .filter(|o| o.party == signer.party && o.resolved.is_none())
                .count()
        })
        .sum();
    let cap = state.settings.max_open_objections;
    if on_parcels + on_listings >= cap as usize {
        return Err(RuleError::TooManyObjections { cap });
    }
    Ok(())
}

/// A day written as text where a body allows another value too (a listing's
/// `end`, empty for an assignment or swap that runs to its contract's end).
fn day(field: &'static str, text: &str) -> Result<chrono::NaiveDate, RuleError> {
    super::fields::Day::parse(text)
        .map(super::fields::Day::date)
        .map_err(|why| RuleError::because(field, why))
}

/// A day that has already come (a vote, a statement), no further back than
/// `years`.
fn past_day(
    ctx: &Context,
    field: &'static str,
    day: super::fields::Day,
    years: u32,
) -> Result<chrono::NaiveDate, RuleError> {
    let d = day.date();
    let earliest = ctx
        .today
        .checked_sub_months(chrono::Months::new(12 * years))
        .unwrap_or(ctx.today);
    if d > ctx.today || d < earliest {
        return Err(RuleError::attribute(
            field,
            format!("must be a day of the last {years} years, not after today"),
            format!("须为最近 {years} 年内、不晚于今天的日期"),
        ));
    }
    Ok(d)
}

/// Which encumbrances stop an act on a parcel: every one (the parcel changes
/// shape or hands), or only seizures and pledges (an objection is about the
/// registry's record and does not bind the right itself).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Holds {
    All,
    SeizureOrPledge,
    Pledge,
}

/// Refuses an act on a parcel under an encumbrance in force, naming its kinds.
fn unencumbered(
    state: &State,
    day: chrono::NaiveDate,
    parcel: &str,
    holds: Holds,
) -> Result<(), RuleError> {
    let held: Vec<&str> = state
        .encumbrances_on(parcel, day)
        .filter(|e| match holds {
            Holds::All => true,
            Holds::SeizureOrPledge => e.kind != super::entry::EncumbranceKind::Objection,
            Holds::Pledge => e.kind == super::entry::EncumbranceKind::Pledge,
        })
        .map(|e| e.kind.as_str())
        .collect();
    if held.is_empty() {
        return Ok(());
    }
    Err(RuleError::ParcelEncumbered {
        code: parcel.to_owned(),
        kinds: held.join(", "),
    })
}

/// The one contract of `household` in force on `day` that covers every parcel
/// named (a household acts on its own land only, M9), or `None` for no parcels.
fn household_contract<'s>(
    state: &'s State,
    day: chrono::NaiveDate,
    household: &str,
    parcels: &[String],
) -> Result<Option<&'s super::state::Contract>, RuleError> {
    let mut contract: Option<&super::state::Contract> = None;
    for p in parcels {
        let k = state
            .contract_over(p, day)
            .filter(|k| k.household == household)
            .ok_or_else(|| RuleError::NotOfHousehold {
                what: "parcels",
                item: p.clone(),
                household: household.to_owned(),
            })?;
        if contract.is_some_and(|c| c.code != k.code) {
            return Err(RuleError::attribute(
                "DKBM",
                "the parcels of one contract",
                "须为同一承包合同的地块",
            ));
        }
        contract = Some(k);
    }
    Ok(contract)
}

/// A registered parcel not retired, or `UnknownParcel` / `ParcelRetired`.
fn active_parcel<'s>(state: &'s State, code: &str) -> Result<&'s super::Parcel, RuleError> {
    let parcel = state
        .parcels
        .get(code)
        .ok_or_else(|| RuleError::UnknownParcel {
            code: code.to_owned(),
        })?;
    match parcel.retired_at {
        Some(at) => Err(RuleError::ParcelRetired {
            code: code.to_owned(),
            at,
        }),
        None => Ok(parcel),
    }
}

/// A parcel of the signer's own collective, not retired: `UnknownParcel`,
/// `ParcelOutsideCollective` or `ParcelRetired`, in that order.
fn own_active_parcel<'s>(
    state: &'s State,
    signer: &KeyBinding,
    code: &str,
) -> Result<&'s super::Parcel, RuleError> {
    let parcel = state
        .parcels
        .get(code)
        .ok_or_else(|| RuleError::UnknownParcel {
            code: code.to_owned(),
        })?;
    if parcel.collective != signer.party {
        return Err(RuleError::ParcelOutsideCollective {
            code: code.to_owned(),
            collective: signer.party.clone(),
        });
    }
    active_parcel(state, code)
}

/// A registered household that has not merged away, or `UnknownHousehold`.
fn household_of<'s>(
    state: &'s State,
    code: &str,
) -> Result<&'s super::state::Household, RuleError> {
    state
        .household(code)
        .ok_or_else(|| RuleError::UnknownHousehold {
            code: code.to_owned(),
        })
}

/// The homestead `household` holds now (not given up), or `NoHomestead`.
fn homestead_held<'s>(
    state: &'s State,
    household: &str,
) -> Result<&'s super::state::Homestead, RuleError> {
    state
        .homesteads
        .get(household)
        .filter(|h| h.exited.is_none())
        .ok_or_else(|| RuleError::NoHomestead {
            household: household.to_owned(),
        })
}

pub(super) fn active_signer<'s>(
    state: &'s State,
    public: &[u8; 32],
) -> Result<&'s KeyBinding, RuleError> {
    let key = state.key(public).ok_or(RuleError::UnknownSigner)?;
    if let Some(at) = key.revoked_at {
        return Err(RuleError::RevokedSigner { at });
    }
    if key.role == super::Role::Household {
        if let Some((at, into)) = state
            .households
            .get(&key.party)
            .and_then(|h| h.merged.as_ref())
        {
            // P3: a household that merged acts no more; the one it joined does.
            return Err(RuleError::HouseholdMerged {
                code: key.party.clone(),
                into: into.clone(),
                at: *at,
            });
        }
    }
    Ok(key)
}
