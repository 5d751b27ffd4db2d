//! The top of `model`: each kind dispatched to its rule and to whom it acts
//! over, from the one table in `model::table`, and `decide`, which the store
//! calls for every entry. The rules below get the dispatch handed down
//! (`rules::Dispatch`), so they never reach up here.

use super::command::Command;
use super::{rules, Change, Context, KeyBinding, Land, RuleError, State};

pub use super::command::{
    body_schema, can_act_over, county_offices, rule_ids, second_hands, signers, KINDS,
};

/// The parties an act names, where its kind declares `over`.
macro_rules! over_of {
    ($state:expr, $signer:expr, $body:expr) => {
        Vec::new()
    };
    ($state:expr, $signer:expr, $body:expr, $over:expr) => {
        ($over)($state, $signer, $body)
    };
}

macro_rules! dispatch_items {
    ($( $name:literal => $variant:ident($body:ty) by [$($role:ident $(($($office:ident),*))?),*] under [$($id:literal),*] rule $rule:expr $(, over $over:expr, hands [$($hand:ident),*])?; )*) => {
        /// The parties `cmd`, signed by `signer`, acts over without their
        /// own signature (A1); empty when it is no such act.
        pub(crate) fn over(state: &State, signer: &KeyBinding, cmd: &Command) -> Vec<String> {
            match cmd {
                $( Command::$variant(_body) => over_of!(state, signer, _body $(, $over)?), )*
            }
        }

        /// The rule of the command's kind.
        pub(crate) fn rule(
            state: &State,
            land: &dyn Land,
            ctx: &Context,
            signer: &KeyBinding,
            cmd: &Command,
        ) -> Result<Vec<Change>, RuleError> {
            match cmd {
                $( Command::$variant(body) => ($rule)(state, land, ctx, signer, body), )*
            }
        }
    };
}

super::table::kinds_table!(dispatch_items);

/// The dispatch the rules get handed down.
const DISPATCH: rules::Dispatch = rules::Dispatch { rule, over };

/// Decides an entry: the signer's authority for the kind, then the kind's
/// rule. Returns the changes to apply, or the first refusal.
pub fn decide(
    state: &State,
    land: &dyn Land,
    ctx: &Context,
    cmd: &Command,
) -> Result<Vec<Change>, RuleError> {
    rules::decide(state, land, ctx, cmd, &DISPATCH)
}
