//! Who may sign what, and for whom. A key may sign only the kinds its role may
//! sign, and only for its own party; keys are bound by the authority above.

use super::roles::Office;
use super::{codes, Department, KeyBinding, Role, RuleError};

/// Whether `role` may sign `kind` (the roles each kind lists in
/// `model::table`).
pub fn may_sign(role: Role, kind: &str) -> bool {
    super::command::signers(kind).contains(&role)
}

/// The kinds `office` signs under the authority rules.
fn signed_by(office: Office) -> impl Iterator<Item = &'static str> {
    super::command::KINDS
        .iter()
        .copied()
        .filter(move |k| super::command::county_offices(k).contains(&office))
}

/// A2: whether department `d` may be the county's hand in an act of `kind`.
fn cosigns(d: Department, kind: &str) -> bool {
    match kind {
        MEMBER_APPLICATION => d == Department::Registry,
        MEMBER_ELSEWHERE => matches!(d, Department::Registry | Department::CivilRegistration),
        _ => super::command::second_hands(kind).contains(&d),
    }
}

/// A7: what the registry cosigns when it records a member's signed paper
/// application (she holds no personal key) — her voluntary exit — rather
/// than the fact of a death or a membership elsewhere, which is the civil
/// registration's.
pub const MEMBER_APPLICATION: &str = "member.application";

/// P5: the end of a membership shown by another county's admission, which
/// that collective's records are — the registry's remit as much as the
/// civil registration's (which records it where no such evidence is).
pub const MEMBER_ELSEWHERE: &str = "member.elsewhere";

/// The act whose second hand an entry needs (A2): its kind, except where the
/// fact it rests on is another department's — a member's own application.
pub fn hand_kind(cmd: &super::Command) -> &'static str {
    match cmd {
        super::Command::MemberEnd(b) if b.reason == "voluntary_exit" => MEMBER_APPLICATION,
        super::Command::MemberEnd(b) if b.elsewhere.is_some() => MEMBER_ELSEWHERE,
        super::Command::CertificateIssue(_) => MEMBER_APPLICATION,
        _ => cmd.kind(),
    }
}

/// Each county key's remit as JSON — `{"root": [kinds…], "registry": […],
/// …}` — for the pages, which offer a county form to the key whose remit
/// covers it (the rules decide; this only preselects).
pub fn remits_json() -> String {
    let mut all = serde_json::Map::new();
    all.insert(
        "root".into(),
        serde_json::json!(signed_by(Office::Root).collect::<Vec<_>>()),
    );
    for d in Department::ALL {
        let kinds: Vec<&str> = signed_by(Office::Department(d)).collect();
        all.insert(d.as_str().into(), serde_json::json!(kinds));
    }
    serde_json::Value::Object(all).to_string()
}

/// Whether `key` is a county department's, and the second hand its remit
/// lets it be for an act of `kind` (A2).
pub fn second_hand_for(key: &KeyBinding, kind: &str) -> bool {
    key.role == Role::County && key.department.is_some_and(|d| cosigns(d, kind))
}

/// The departments that may be the county's hand for an act of `kind`, in
/// both languages (for the refusal that asks for one).
pub fn hands_for(kind: &str) -> (String, String) {
    let ds: Vec<Department> = Department::ALL
        .into_iter()
        .filter(|d| cosigns(*d, kind))
        .collect();
    (
        ds.iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>()
            .join(" or "),
        ds.iter()
            .map(|d| d.name_zh())
            .collect::<Vec<_>>()
            .join("或"),
    )
}

/// A2 (rules 2): a county key signs within its remit — the root key only
/// the county's settings and the county's department keys (binding and
/// revoking them), a department only its own kinds, and the department
/// keys bind no county key. A county key bound with no department before
/// the authority rules is a root key.
pub fn within_remit(
    state: &super::State,
    signer: &KeyBinding,
    cmd: &super::Command,
) -> Result<(), RuleError> {
    use super::Command;
    if signer.role != Role::County {
        return Ok(());
    }
    // The role of the key a key entry binds or revokes.
    let target = match cmd {
        Command::KeyRegister(b) => Some(b.role),
        Command::KeyRevoke(b) => state.key(&b.vkey.public_bytes()).map(|k| k.role),
        _ => None,
    };
    let kind = cmd.kind();
    let refuse = |who, why| Err(RuleError::OutsideRemit { who, kind, why });
    match signer.department {
        None => {
            // The root binds and revokes the county's own keys only.
            let allowed = super::command::county_offices(kind).contains(&Office::Root)
                && match cmd {
                    Command::KeyRegister(_) | Command::KeyRevoke(_) => target == Some(Role::County),
                    _ => true,
                };
            if allowed {
                Ok(())
            } else {
                refuse(
                    ("root", "本县根密钥"),
                    (
                        "after genesis the root key signs only the county's settings and its department keys",
                        "设立之后，根密钥只签署本县设置和各部门的密钥",
                    ),
                )
            }
        }
        Some(d) => {
            let allowed = super::command::county_offices(kind).contains(&Office::Department(d))
                && target != Some(Role::County);
            if allowed {
                Ok(())
            } else {
                refuse(
                    (d.as_str(), d.name_zh()),
                    (
                        "it is outside that department's remit",
                        "不在该部门的职权范围内",
                    ),
                )
            }
        }
    }
}

/// What kind of party a code names; the formats do not overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartyType {
    /// A county (6 digits): the county agency and its exchange act for it.
    County,
    /// A collective economic organisation, the 发包方 (14 digits, P1).
    Collective,
    /// A contracting household, the 承包方 (18 digits, P1).
    Household,
    /// An organisation by its unified social credit code (统一社会信用代码).
    Organisation,
    /// A natural person by the commitment to their personal record (64 hex
    /// digits): their name and ID number stay off the log.
    Person,
}

impl PartyType {
    pub const ALL: [PartyType; 5] = [
        PartyType::County,
        PartyType::Collective,
        PartyType::Household,
        PartyType::Organisation,
        PartyType::Person,
    ];

    /// The type's name, as reads show it.
    pub fn as_str(self) -> &'static str {
        match self {
            PartyType::County => "county",
            PartyType::Collective => "collective",
            PartyType::Household => "household",
            PartyType::Organisation => "organisation",
            PartyType::Person => "person",
        }
    }

    /// The type of `code` within county `county`, or why it is none.
    pub fn of(county: &str, code: &str) -> Result<PartyType, super::error::Why> {
        if codes::check_county(code).is_ok() {
            return Ok(PartyType::County);
        }
        if codes::check_collective(code).is_ok() {
            return Ok(PartyType::Collective);
        }
        // A household code of this county is a household, whatever else it
        // might also spell.
        if codes::check_household(code).is_ok() && code.starts_with(county) {
            return Ok(PartyType::Household);
        }
        if codes::check_social_credit(code).is_ok() {
            return Ok(PartyType::Organisation);
        }
        if code.len() == 64
            && code
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Ok(PartyType::Person);
        }
        Err((
            "not a county, collective, household, social credit code or person commitment",
            "不是县、集体经济组织、承包方的编码，也不是统一社会信用代码或个人承诺值",
        ))
    }
}

/// Checks that the code of a party fits its role, within county `county`:
/// the county and the exchange act for the county; a collective for a
/// collective, a household for a household of this county; a transferee for
/// an organisation (social credit code) or a natural person (commitment) —
/// never for a collective or a household, which act through keys of their own.
pub fn check_party(county: &str, role: Role, party: &str) -> Result<(), RuleError> {
    let bad = |reason| RuleError::BadPartyCode {
        role: role.as_str(),
        code: party.chars().take(40).collect(),
        reason,
    };
    let kind = PartyType::of(county, party).map_err(bad)?;
    let fits = match role {
        Role::County | Role::Exchange => kind == PartyType::County,
        Role::Collective => kind == PartyType::Collective,
        Role::Household => kind == PartyType::Household,
        Role::Transferee => matches!(kind, PartyType::Organisation | PartyType::Person),
        Role::Member => kind == PartyType::Person,
    };
    if !fits {
        return Err(bad(match role {
            Role::County | Role::Exchange => ("must be the county's code", "须为本县代码"),
            Role::Collective => ("must be a collective's code", "须为集体经济组织编码"),
            Role::Household => (
                "must be a household code of this county",
                "须为本县的承包方编码",
            ),
            Role::Transferee => (
                "must be a social credit code or a person commitment",
                "须为统一社会信用代码或个人承诺值",
            ),
            Role::Member => (
                "must be a member's person commitment",
                "须为成员的个人承诺值",
            ),
        }));
    }
    if kind == PartyType::County && party != county {
        return Err(bad(("not this log's county", "不是本日志所属的县")));
    }
    if kind == PartyType::Collective && !party.starts_with(county) {
        return Err(bad(("not in this log's county", "不在本日志所属的县")));
    }
    Ok(())
}

/// Whether `signer` may bind (or unbind) a key acting as `role` for `party`:
/// the county binds any key; a collective binds keys for itself and for its
/// own households; the exchange binds transferees' keys. No one else binds.
pub fn may_bind(signer: &KeyBinding, role: Role, party: &str) -> Result<(), RuleError> {
    let allowed = match (signer.role, role) {
        (Role::County, _) => true,
        (Role::Collective, Role::Collective) => party == signer.party,
        (Role::Collective, Role::Household) => codes::household_of_collective(party, &signer.party),
        (Role::Exchange, Role::Transferee) => true,
        // A6: a household or a transferee binds a new key of its own (a
        // rotation), for itself only.
        (Role::Household, Role::Household)
        | (Role::Transferee, Role::Transferee)
        | (Role::Member, Role::Member) => party == signer.party,
        // A7: a household binds a personal key for one of its members (the
        // rule checks she is one, and the collective's cosignature).
        (Role::Household, Role::Member) => true,
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(RuleError::PartyNotAllowed {
            signer_role: signer.role.as_str(),
            signer_party: signer.party.clone(),
            role: role.as_str(),
            party: party.chars().take(40).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::KINDS;

    const COUNTY: &str = "140421";
    const VILLAGE: &str = "14042100100101";

    /// A code of each party type, of this county.
    fn code_of(t: PartyType) -> String {
        match t {
            PartyType::County => COUNTY.into(),
            PartyType::Collective => VILLAGE.into(),
            PartyType::Household => format!("{VILLAGE}0001"),
            PartyType::Organisation => "91350100M000100Y43".into(),
            PartyType::Person => "7".repeat(64),
        }
    }

    const ROLES: [Role; 6] = [
        Role::County,
        Role::Exchange,
        Role::Collective,
        Role::Household,
        Role::Transferee,
        Role::Member,
    ];

    fn binding(role: Role, party: &str) -> KeyBinding {
        KeyBinding {
            public: [1; 32],
            vkey: String::new(),
            role,
            party: party.into(),
            registered_at: 1,
            revoked_at: None,
            department: None,
        }
    }

    /// A2: every kind a county key may sign names the offices that sign it
    /// (`County(…)` in the kinds table), and only those do; every kind that
    /// can act over a party names its second hands, and only those.
    #[test]
    fn every_county_kind_names_its_offices_and_every_act_its_hands() {
        for kind in KINDS {
            let county = may_sign(Role::County, kind);
            assert_eq!(
                county,
                !crate::model::command::county_offices(kind).is_empty(),
                "{kind}: a county kind names its offices, no other kind any"
            );
            assert_eq!(
                crate::model::command::can_act_over(kind),
                !crate::model::command::second_hands(kind).is_empty(),
                "{kind}: an act over a party names its second hands"
            );
        }
    }

    /// Every (signer role × role bound × party type) cell of key binding:
    /// a key acts only for a party of the type its role names, and only
    /// the county, a collective (itself, its households) and the exchange
    /// (transferees) bind keys.
    #[test]
    fn who_may_bind_which_party_to_which_role() {
        let mut allowed = 0;
        for signer_role in ROLES {
            let signer_party = match signer_role {
                Role::County | Role::Exchange => COUNTY.to_owned(),
                Role::Collective => VILLAGE.to_owned(),
                Role::Household => format!("{VILLAGE}0001"),
                Role::Transferee => "91350100M000100Y43".to_owned(),
                Role::Member => code_of(PartyType::Person),
            };
            let signer = binding(signer_role, &signer_party);
            for role in ROLES {
                for t in PartyType::ALL {
                    let party = code_of(t);
                    let fits = matches!(
                        (role, t),
                        (Role::County | Role::Exchange, PartyType::County)
                            | (Role::Collective, PartyType::Collective)
                            | (Role::Household, PartyType::Household)
                            | (
                                Role::Transferee,
                                PartyType::Organisation | PartyType::Person
                            )
                            | (Role::Member, PartyType::Person)
                    );
                    let expected = fits
                        && match signer_role {
                            Role::County => true,
                            Role::Collective => matches!(role, Role::Collective | Role::Household),
                            Role::Exchange => role == Role::Transferee,
                            // A6: a rotation, for itself only — and (A7) a
                            // household binds its members' personal keys.
                            Role::Household => {
                                (role == signer_role && party == signer_party)
                                    || role == Role::Member
                            }
                            Role::Transferee | Role::Member => {
                                role == signer_role && party == signer_party
                            }
                        };
                    let got = check_party(COUNTY, role, &party).is_ok()
                        && may_bind(&signer, role, &party).is_ok();
                    assert_eq!(got, expected, "{signer_role:?} binds {role:?} for {t:?}");
                    allowed += usize::from(got);
                }
            }
        }
        // County 7 cells, collective 2, exchange 2, a household its own and
        // a member's (A7), a transferee and a member their own (A6).
        assert_eq!(allowed, 15);
        // A collective binds its own households only, and only itself.
        let other_village = binding(Role::Collective, "14042100100102");
        assert!(may_bind(
            &other_village,
            Role::Household,
            &code_of(PartyType::Household)
        )
        .is_err());
        assert!(may_bind(&other_village, Role::Collective, VILLAGE).is_err());
        // Codes of another county are no party here.
        assert!(check_party(COUNTY, Role::Household, "140422001001010001").is_err());
        assert!(check_party(COUNTY, Role::Collective, "14042200100101").is_err());
    }

    /// Every (role × kind) cell: who may sign each kind (besides genesis),
    /// as the rules of DOMAIN.md give them.
    #[test]
    fn who_may_sign_each_kind() {
        // C county, X exchange, V village collective, H household, T transferee.
        let table: &[(&str, &str)] = &[
            ("genesis", ""),
            ("key.register", "CXVHTM"),
            ("key.revoke", "CXVHTM"),
            ("collective.register", "C"),
            ("parcel.register", "V"),
            ("parcel.retire", "V"),
            ("encumbrance.register", "CVHT"),
            ("encumbrance.release", "CVH"),
            ("decision.record", "V"),
            ("household.register", "V"),
            ("household.join", "VH"),
            ("contract.grant", "V"),
            ("shares.quantify", "V"),
            ("shares.transfer", "H"),
            ("shares.buyback", "H"),
            ("dividend.distribute", "V"),
            ("member.admit", "V"),
            ("member.end", "V"),
            ("estate.settle", "V"),
            ("homestead.grant", "C"),
            ("homestead.exit", "H"),
            ("contract.return", "H"),
            ("notice.post", "V"),
            ("certificate.issue", "CV"),
            ("county.settings", "C"),
            ("parcel.split", "V"),
            ("parcel.merge", "V"),
            ("household.split", "CVH"),
            ("household.merge", "H"),
            ("contract.extend", "V"),
            ("contract.renew", "V"),
            ("contract.renew_all", "V"),
            ("listing.submit", "VHT"),
            ("listing.review", "X"),
            ("intent.register", "HT"),
            ("deposit.confirm", "X"),
            ("bid.place", "HT"),
            ("bid.match", "HT"),
            ("listing.award", "X"),
            ("contract.sign", "VHT"),
            ("title.verify", "C"),
            ("payment.confirm", "X"),
            ("deal.settle", "X"),
            ("right.certify", "C"),
            ("right.end", "H"),
            ("hukou.settle", "CV"),
            ("attest.retention", "C"),
            ("assignment.consent", "V"),
            ("listing.object", "VH"),
            ("objection.resolve", "X"),
            ("transfer.register", "H"),
            ("transferee.qualify", "C"),
            ("surrender.withdraw", "H"),
            ("listing.withdraw", "VHT"),
            ("award.cancel", "X"),
            ("payment.release", "X"),
            ("objection.suit", "C"),
            ("dispute.award", "C"),
            ("expropriation.announce", "C"),
            ("expropriation.plan", "C"),
            ("expropriation.hearing", "C"),
            ("expropriation.pay", "C"),
            ("expropriation.withdraw", "C"),
            ("expropriation.receipt", "XH"),
            ("expropriation.ask_hearing", "H"),
            ("expropriation.complete", "C"),
            ("act.object", "HTM"),
            ("act.effect", ""),
        ];
        let listed: Vec<&str> = table.iter().map(|(k, _)| *k).collect();
        assert_eq!(listed, KINDS, "every kind, in the order declared");
        for (kind, who) in table {
            for (role, letter) in ROLES.iter().zip(['C', 'X', 'V', 'H', 'T', 'M']) {
                assert_eq!(
                    may_sign(*role, kind),
                    who.contains(letter),
                    "{role:?} signs {kind}"
                );
            }
        }
    }
}
