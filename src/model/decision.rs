//! Decisions of the collective (D1–D3): an entry records the question, the
//! date, the counts and the SHA-256 of the signed minutes; whether it passed is
//! computed from the counts by the rule that needs it, never taken as a flag.

use serde::{Deserialize, Serialize};

/// Who decided (集体经济组织法 Art. 27–28; 承包法 Art. 19, 28, 52).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Assembly {
    /// 成员大会.
    MembersAssembly,
    /// 成员代表大会.
    RepresentativesAssembly,
    /// 村民会议 (D2).
    VillagersAssembly,
}

/// What was decided; rules that need a decision ask for its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Membership,
    ContractingPlan,
    LandAdjustment,
    LettingToOutsiders,
    HomesteadPlan,
    ShareQuantification,
    OperatingAssets,
    Other,
}

impl Subject {
    /// D1: a representatives' assembly may not decide these.
    pub fn reserved_to_members(self) -> bool {
        matches!(
            self,
            Subject::Membership
                | Subject::ContractingPlan
                | Subject::HomesteadPlan
                | Subject::ShareQuantification
        )
    }
}

/// The counts of a vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Members (or representatives, or villagers) entitled to vote.
    pub eligible: u32,
    pub present: u32,
    pub in_favour: u32,
    pub against: u32,
}

/// A recorded decision of a collective, named by its log index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub index: u64,
    pub collective: String,
    pub assembly: Assembly,
    pub subject: Subject,
    pub question: String,
    pub date: chrono::NaiveDate,
    pub counts: Counts,
    pub minutes_sha256: String,
}

impl Decision {
    pub fn passed(&self) -> bool {
        passed(self.assembly, self.subject, &self.counts)
    }
}

impl Assembly {
    pub fn as_str(self) -> &'static str {
        match self {
            Assembly::MembersAssembly => "members_assembly",
            Assembly::RepresentativesAssembly => "representatives_assembly",
            Assembly::VillagersAssembly => "villagers_assembly",
        }
    }

    pub fn parse(s: &str) -> Option<Assembly> {
        [
            Assembly::MembersAssembly,
            Assembly::RepresentativesAssembly,
            Assembly::VillagersAssembly,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Membership => "membership",
            Subject::ContractingPlan => "contracting_plan",
            Subject::LandAdjustment => "land_adjustment",
            Subject::LettingToOutsiders => "letting_to_outsiders",
            Subject::HomesteadPlan => "homestead_plan",
            Subject::ShareQuantification => "share_quantification",
            Subject::OperatingAssets => "operating_assets",
            Subject::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Subject> {
        [
            Subject::Membership,
            Subject::ContractingPlan,
            Subject::LandAdjustment,
            Subject::LettingToOutsiders,
            Subject::HomesteadPlan,
            Subject::ShareQuantification,
            Subject::OperatingAssets,
            Subject::Other,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

impl Counts {
    /// The counts can be true at all.
    pub fn consistent(&self) -> Result<(), super::refusal::Why> {
        if self.eligible == 0 {
            return Err(("no one was eligible to vote", "没有有表决权的人"));
        }
        if self.present > self.eligible {
            return Err(("more present than eligible", "出席人数多于应到人数"));
        }
        if u64::from(self.in_favour) + u64::from(self.against) > u64::from(self.present) {
            return Err(("more votes than people present", "票数多于出席人数"));
        }
        Ok(())
    }
}

/// Whether a decision passed (D1, D2): at a members' assembly at least 2/3 of
/// all members attend and 2/3 of **all** members vote for; at a
/// representatives' or villagers' assembly 2/3 of all entitled vote for. A
/// representatives' assembly never passes what D1 reserves to the members.
pub fn passed(assembly: Assembly, subject: Subject, c: &Counts) -> bool {
    if c.consistent().is_err() {
        return false;
    }
    let two_thirds = |n: u32| u64::from(n) * 3 >= u64::from(c.eligible) * 2;
    match assembly {
        Assembly::MembersAssembly => two_thirds(c.present) && two_thirds(c.in_favour),
        Assembly::RepresentativesAssembly => {
            !subject.reserved_to_members() && two_thirds(c.in_favour)
        }
        Assembly::VillagersAssembly => two_thirds(c.in_favour),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(eligible: u32, present: u32, in_favour: u32, against: u32) -> Counts {
        Counts {
            eligible,
            present,
            in_favour,
            against,
        }
    }

    #[test]
    fn two_thirds_of_all_members_not_of_those_present() {
        let m = Assembly::MembersAssembly;
        // 90 of 120 attend, 80 vote for: 80/120 = 2/3 exactly: passes.
        assert!(passed(m, Subject::Membership, &counts(120, 90, 80, 10)));
        // 79 of 120 is less than 2/3 of all, though 79/90 of those present.
        assert!(!passed(m, Subject::Membership, &counts(120, 90, 79, 11)));
        // Quorum: 79 of 120 present is under 2/3.
        assert!(!passed(m, Subject::Other, &counts(120, 79, 79, 0)));
    }

    #[test]
    fn representatives_may_not_decide_what_is_reserved_to_members() {
        let r = Assembly::RepresentativesAssembly;
        assert!(passed(r, Subject::OperatingAssets, &counts(30, 30, 20, 10)));
        assert!(!passed(r, Subject::Membership, &counts(30, 30, 30, 0)));
        assert!(!passed(
            r,
            Subject::ShareQuantification,
            &counts(30, 30, 30, 0)
        ));
        assert!(passed(
            Assembly::VillagersAssembly,
            Subject::LettingToOutsiders,
            &counts(300, 250, 200, 50)
        ));
    }

    #[test]
    fn impossible_counts_never_pass() {
        assert!(counts(10, 11, 5, 0).consistent().is_err());
        assert!(counts(10, 8, 6, 3).consistent().is_err());
        assert!(counts(0, 0, 0, 0).consistent().is_err());
        assert!(!passed(
            Assembly::VillagersAssembly,
            Subject::Other,
            &counts(10, 8, 9, 0)
        ));
    }
}
