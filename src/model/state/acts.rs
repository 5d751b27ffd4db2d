//! Acts over a party (A1–A3) and expropriations (E1).

/// An act over a party (DOMAIN.md A1): an entry that would end, move or
/// reduce a household's base rights, a membership, a place on a certificate
/// or the keys acting for a party, without that party's own signature. It
/// is accepted as *pending*, named by its log index: on the log at once,
/// shown on the party's page and on each title it touches, and carried out
/// only when its protective notice (A3) has run with no objection — by an
/// `act.effect` the writer appends, under the rules of that day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Act {
    pub index: u64,
    pub kind: String,
    /// The entry's body, carried out when the notice ends.
    pub body: serde_json::Value,
    /// The signer's public key and the cosigners' (hex): the two hands (A2).
    pub signer: String,
    pub cosigners: Vec<String>,
    /// The parties it acts over (households, or a transferee's key).
    pub parties: Vec<String>,
    /// The titles it would change: nothing on them is granted meanwhile.
    pub titles: Vec<String>,
    /// The first day it may take effect: the day it was logged and the
    /// county's `act_notice_days`.
    pub from: chrono::NaiveDate,
    /// An objection by a party it acts over: log index and party. It holds
    /// the act until an award decides (R1).
    pub objection: Option<(u64, String)>,
    /// How it ended: log index and what.
    pub closed: Option<(u64, ActEnd)>,
    /// A5: the log index of the award that undid it, once carried out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored: Option<u64>,
}

/// How an act over a party ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActEnd {
    /// Carried out after its notice (or upheld by an award).
    Done,
    /// When its notice ended, its rule no longer allowed it (the state had
    /// changed): nothing was done. The refusal's code.
    Lapsed(String),
    /// An award quashed it after an objection.
    Quashed,
    /// The party's own current key cancelled a key recovery (A6).
    Cancelled,
}

impl Act {
    /// Still to be carried out or decided.
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    /// Due to be carried out on `day`: open, unobjected, notice over.
    pub fn is_due(&self, day: chrono::NaiveDate) -> bool {
        self.is_open() && self.objection.is_none() && day >= self.from
    }
}

/// An expropriation (征收) of a collective's parcels (E1), named by the log
/// index of its pre-announcement, with its plan, hearing and payments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Expropriation {
    pub index: u64,
    pub collective: String,
    pub parcels: Vec<String>,
    pub purpose: String,
    pub announced: chrono::NaiveDate,
    pub plan: Option<CompensationPlan>,
    /// The log index of the hearing, if held.
    pub hearing: Option<u64>,
    /// (log index, party, fen) of each payment.
    pub payments: Vec<(u64, String, crate::model::shares::Fen)>,
    /// The log index at which the rights on the land ended.
    pub completed: Option<u64>,
    /// The log index at which the county withdrew it (the land stays as it
    /// is; what was paid stays paid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<u64>,
    /// E3 (rules 2): the least the plan pays for the land — the zone price
    /// (区片综合地价) in force at the announcement times each parcel's area —
    /// in fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<crate::model::shares::Fen>,
    /// E3: the households that asked for a hearing with their own entry
    /// (`expropriation.ask_hearing`); once asked, it stays asked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hearing_asked: Vec<String>,
    /// E3: the parties whose compensation is known to have reached them —
    /// a household's own acknowledgement, or the exchange holding it in
    /// escrow for the party — with the log index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub received: Vec<(u64, String)>,
}

/// The compensation and resettlement plan of an expropriation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CompensationPlan {
    pub index: u64,
    pub notice_from: chrono::NaiveDate,
    pub notice_to: chrono::NaiveDate,
    pub hearing_requested: bool,
    /// (party, head, fen).
    pub lines: Vec<(
        String,
        crate::model::entry::CompensationHead,
        crate::model::shares::Fen,
    )>,
}

impl Expropriation {
    /// Whether a hearing must be held before completion (E1, E3): the plan
    /// asked for one, or a household did.
    pub fn hearing_due(&self) -> bool {
        self.plan.as_ref().is_some_and(|p| p.hearing_requested) || !self.hearing_asked.is_empty()
    }

    /// What the plan allots `party`, in fen.
    pub fn allotted(&self, party: &str) -> crate::model::shares::Fen {
        self.plan
            .as_ref()
            .map_or(crate::model::shares::Fen::ZERO, |p| {
                p.lines
                    .iter()
                    .filter(|(to, _, _)| to == party)
                    .map(|(_, _, fen)| fen)
                    .sum()
            })
    }

    /// What has been paid to `party`, in fen.
    pub fn paid(&self, party: &str) -> crate::model::shares::Fen {
        self.payments
            .iter()
            .filter(|(_, to, _)| to == party)
            .map(|(_, _, fen)| fen)
            .sum()
    }

    /// The parties of the plan not yet paid in full, in the plan's order.
    pub fn unpaid(&self) -> Vec<&str> {
        let mut parties: Vec<&str> = Vec::new();
        for (party, _, _) in self.plan.iter().flat_map(|p| &p.lines) {
            if !parties.contains(&party.as_str()) && self.paid(party) < self.allotted(party) {
                parties.push(party);
            }
        }
        parties
    }
}
