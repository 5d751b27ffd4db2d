//! Rules of the key registry: genesis, `key.register`, `key.revoke`.

use crate::model::entry::{Genesis, KeyRegister, KeyRevoke};
use crate::model::{
    authority, codes, log_origin, Change, Context, County, KeyBinding, Role, RuleError, State,
};

/// `genesis`: only as the first entry; the county root key signs it for itself.
pub fn genesis(state: &State, ctx: &Context, body: &Genesis) -> Result<Vec<Change>, RuleError> {
    if ctx.index != 0 || state.county.is_some() {
        return Err(RuleError::GenesisMisplaced);
    }
    codes::check_county(&body.county).map_err(RuleError::BadGenesis)?;
    if body.county != ctx.county {
        return Err(RuleError::BadGenesis((
            "county differs from the log origin",
            "县代码与日志来源不符",
        )));
    }
    if body.name.trim().is_empty() {
        return Err(RuleError::BadGenesis((
            "county name is empty",
            "县名称为空",
        )));
    }
    let (root, log) = (&body.root_vkey, &body.log_vkey);
    if log.name != log_origin(&body.county) {
        return Err(RuleError::BadGenesis((
            "the log key must be named after the log origin",
            "日志密钥须以日志来源命名",
        )));
    }
    if &root.public_bytes() != ctx.signer {
        return Err(RuleError::BadGenesis((
            "must be signed by the root key it names",
            "须由其所列的根密钥签署",
        )));
    }
    if root.public_bytes() == log.public_bytes() {
        return Err(RuleError::BadGenesis((
            "the root key and the log key must differ",
            "根密钥与日志密钥须不同",
        )));
    }
    let rules = body.rules.unwrap_or(1);
    if !(1..=crate::model::settings::RULES).contains(&rules) {
        return Err(RuleError::BadGenesis((
            "rules must be 1 or 2",
            "规则版本须为 1 或 2",
        )));
    }
    let contracts = body.contracts.unwrap_or(1);
    if !(1..=crate::model::settings::CONTRACTS).contains(&contracts) {
        return Err(RuleError::BadGenesis((
            "contracts must be 1 or 2",
            "合同文本版本须为 1 或 2",
        )));
    }
    // A log begun under the first rules and texts has no settings entry at
    // genesis.
    let settings = (rules > 1 || contracts > 1).then(|| Change::SettingsChanged {
        settings: crate::model::settings::Settings {
            rules,
            contracts,
            ..(*state.settings).clone()
        },
        at: ctx.index,
    });
    Ok(settings
        .into_iter()
        .chain([
            Change::LogFounded(County {
                code: body.county.clone(),
                name: body.name.clone(),
                log_vkey: log.to_string(),
                root_vkey: root.to_string(),
            }),
            Change::KeyBound(KeyBinding {
                public: root.public_bytes(),
                vkey: root.to_string(),
                role: Role::County,
                party: body.county.clone(),
                registered_at: ctx.index,
                revoked_at: None,
                department: None,
            }),
        ])
        .collect())
}

/// `key.register`: the authority above binds a new key (see
/// [`authority::may_bind`]). A key is bound once; a revoked key stays revoked.
pub fn key_register(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &KeyRegister,
) -> Result<Vec<Change>, RuleError> {
    let vkey = &body.vkey;
    authority::check_party(ctx.county, body.role, &body.party)?;
    authority::may_bind(signer, body.role, &body.party)?;
    // A7: a personal key is for a member of a household, bound by that
    // household with its collective's cosignature (or by the registry).
    if body.role == Role::Member {
        let household = state.member_of.get(&body.party).ok_or_else(|| {
            RuleError::attribute(
                "party",
                "is no member of a household of this county (A7)",
                "不是本县任何承包方的成员（A7）",
            )
        })?;
        if signer.role == Role::Household {
            if signer.party != *household {
                return Err(RuleError::PartyNotAllowed {
                    signer_role: signer.role.as_str(),
                    signer_party: signer.party.clone(),
                    role: body.role.as_str(),
                    party: body.party.clone(),
                });
            }
            let collective = crate::model::codes::collective_of(household);
            super::signed_as(
                state,
                ctx.cosigners,
                Role::Collective,
                collective,
                "key.register",
            )?;
        }
    }
    // A2: a county key is one department's (the root key is genesis's);
    // no other key has a department.
    let needs_department = body.role == Role::County && state.settings.authority();
    if needs_department != body.department.is_some() {
        return Err(RuleError::attribute(
            "department",
            if needs_department {
                "a county key is bound to one department: registry, civil_registration, justice or natural_resources (A2)"
            } else {
                "only a county key has a department"
            },
            if needs_department {
                "县里的密钥须属于一个部门：登记、户籍、司法或自然资源部门（A2）"
            } else {
                "只有县里的密钥才属于部门"
            },
        ));
    }
    // A household that has a key gets another only by recovery (a lost key,
    // DESIGN.md): the collective binds it and the county cosigns, so no
    // collective alone can come to act as one of its households.
    let recovery = signer.role == Role::Collective
        && body.role == Role::Household
        && state
            .active_keys(Role::Household, &body.party)
            .next()
            .is_some();
    let county_cosigned = ctx.cosigners.iter().any(|c| {
        state
            .key(c)
            .is_some_and(|k| k.is_active() && k.role == Role::County)
    });
    // (Under the authority rules a recovery is an act over the household,
    // with its own two hands and notice: A2, A6.)
    if recovery && !county_cosigned && !state.settings.authority() {
        return Err(RuleError::RecoveryNeedsCounty {
            household: body.party.clone(),
        });
    }
    if let Some(existing) = state.key(&vkey.public_bytes()) {
        return Err(match existing.revoked_at {
            Some(at) => RuleError::KeyAlreadyRevoked { at },
            None => RuleError::KeyAlreadyRegistered {
                at: existing.registered_at,
            },
        });
    }
    let bound = Change::KeyBound(KeyBinding {
        public: vkey.public_bytes(),
        vkey: vkey.to_string(),
        role: body.role,
        party: body.party.clone(),
        registered_at: ctx.index,
        revoked_at: None,
        department: body.department,
    });
    // A6: a recovery (by another than the party, an act over it carried out
    // after its notice) replaces the keys the party had: the lost key acts
    // no more. A party's own new key (rotation) leaves its others as they
    // are, for the party to revoke.
    let recovered: Vec<Change> = if state.settings.authority()
        && signer.party != body.party
        && matches!(body.role, Role::Household | Role::Transferee | Role::Member)
    {
        state
            .active_keys(body.role, &body.party)
            .map(|k| Change::KeyRevoked {
                public: k.public,
                at: ctx.index,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(std::iter::once(bound).chain(recovered).collect())
}

/// `key.revoke`: by the authority that may bind such a key, or by the key
/// itself. The county keeps at least one active key, so it can never lock
/// itself out of its own log.
pub fn key_revoke(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &KeyRevoke,
) -> Result<Vec<Change>, RuleError> {
    let vkey = &body.vkey;
    let target = state
        .key(&vkey.public_bytes())
        .ok_or(RuleError::KeyNotRegistered)?;
    if let Some(at) = target.revoked_at {
        return Err(RuleError::KeyAlreadyRevoked { at });
    }
    if target.public != signer.public {
        // A6: no one revokes the key of a household or a transferee but the
        // party itself (a rotation); a lost key is replaced by a recovery.
        if state.settings.authority()
            && matches!(
                target.role,
                Role::Household | Role::Transferee | Role::Member
            )
            && signer.party != target.party
        {
            return Err(RuleError::NotOwnKey {
                party: target.party.clone(),
            });
        }
        authority::may_bind(signer, target.role, &target.party)?;
    }
    if target.role == Role::County && state.active_keys(Role::County, &target.party).count() == 1 {
        return Err(RuleError::LastCountyKey);
    }
    Ok(vec![Change::KeyRevoked {
        public: target.public,
        at: ctx.index,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rules::world::World;
    use crate::model::{Command, Refusal, VerifierKey};
    use ed25519_dalek::SigningKey;

    const COUNTY: &str = "140421";

    fn vkey(name: &str, seed: u8) -> VerifierKey {
        VerifierKey::new(name, SigningKey::from_bytes(&[seed; 32]).verifying_key()).unwrap()
    }

    /// The rules' test world ([`World`]) after genesis alone, with the
    /// root key of seed 1, and the key entries' bodies built as types.
    struct Log(World);

    impl std::ops::Deref for Log {
        type Target = World;
        fn deref(&self) -> &World {
            &self.0
        }
    }

    impl Log {
        fn new() -> Log {
            let mut log = Log(World::empty());
            let root = vkey("county-140421", 1);
            let body = Genesis {
                county: COUNTY.into(),
                name: "平顺县".into(),
                log_vkey: vkey("sanquan/140421", 99),
                root_vkey: root.clone(),
                rules: None,
                contracts: None,
            };
            log.submit(&root, Command::Genesis(Box::new(body))).unwrap();
            log
        }

        fn submit(&mut self, signer: &VerifierKey, cmd: Command) -> Result<(), RuleError> {
            self.0
                .decide(&signer.public_bytes(), &[], cmd.kind(), &cmd.body(), &[])
        }

        fn register(
            &mut self,
            by: &VerifierKey,
            k: &VerifierKey,
            role: Role,
            party: &str,
        ) -> Result<(), RuleError> {
            let body = KeyRegister {
                vkey: k.clone(),
                role,
                party: party.into(),
                department: None,
            };
            self.submit(by, Command::KeyRegister(body))
        }

        fn revoke(&mut self, by: &VerifierKey, k: &VerifierKey) -> Result<(), RuleError> {
            self.submit(by, Command::KeyRevoke(KeyRevoke { vkey: k.clone() }))
        }
    }

    #[test]
    fn the_county_binds_collectives_and_collectives_bind_their_households() {
        let mut log = Log::new();
        let root = vkey("county-140421", 1);
        let coll = vkey("c1", 2);
        let hh = vkey("h1", 3);
        log.register(&root, &coll, Role::Collective, "14042100100101")
            .unwrap();
        log.register(&coll, &hh, Role::Household, "140421001001010007")
            .unwrap();
        assert_eq!(log.state.key(&hh.public_bytes()).unwrap().registered_at, 2);
    }

    #[test]
    fn a_key_may_not_act_outside_its_role_or_party() {
        let mut log = Log::new();
        let root = vkey("county-140421", 1);
        let coll = vkey("c1", 2);
        let hh = vkey("h1", 3);
        let other = vkey("h2", 4);
        log.register(&root, &coll, Role::Collective, "14042100100101")
            .unwrap();
        // A collective binds only its own households.
        let err = log
            .register(&coll, &hh, Role::Household, "140421001001020007")
            .unwrap_err();
        assert_eq!(err.code(), "party_not_allowed");
        // A collective does not bind collectives.
        let err = log
            .register(&coll, &hh, Role::Collective, "14042100100102")
            .unwrap_err();
        assert_eq!(err.code(), "party_not_allowed");
        log.register(&coll, &hh, Role::Household, "140421001001010007")
            .unwrap();
        // A household key registers keys for itself only (a rotation, A6).
        let err = log
            .register(&hh, &other, Role::Household, "140421001001010008")
            .unwrap_err();
        assert_eq!(err.code(), "party_not_allowed");
        // A party outside the county is refused.
        let err = log
            .register(&root, &other, Role::Collective, "14042200100101")
            .unwrap_err();
        assert_eq!(err.code(), "bad_party_code");
    }

    /// A new county's log begins under the rules its genesis names (the
    /// authority rules, 2); left out, the first; no other version.
    #[test]
    fn genesis_names_the_rules_it_begins_under() {
        let root = vkey("county-140421", 1);
        let begin = |rules| {
            let mut log = Log(World::empty());
            let body = Genesis {
                county: COUNTY.into(),
                name: "平顺县".into(),
                log_vkey: vkey("sanquan/140421", 99),
                root_vkey: root.clone(),
                rules,
                contracts: None,
            };
            log.submit(&root, Command::Genesis(Box::new(body)))
                .map(|()| log.state.settings.rules)
        };
        assert_eq!(begin(None), Ok(1));
        assert_eq!(begin(Some(2)), Ok(2));
        assert_eq!(begin(Some(3)).unwrap_err().code(), "bad_genesis");
    }

    #[test]
    fn revoked_and_unknown_signers_are_refused() {
        let mut log = Log::new();
        let root = vkey("county-140421", 1);
        let coll = vkey("c1", 2);
        let hh = vkey("h1", 3);
        let stranger = vkey("x", 9);
        let err = log
            .register(&stranger, &hh, Role::Household, "140421001001010007")
            .unwrap_err();
        assert_eq!(err, RuleError::UnknownSigner);
        log.register(&root, &coll, Role::Collective, "14042100100101")
            .unwrap();
        log.revoke(&root, &coll).unwrap();
        let err = log
            .register(&coll, &hh, Role::Household, "140421001001010007")
            .unwrap_err();
        assert_eq!(err, RuleError::RevokedSigner { at: 2 });
        // A revoked key cannot come back.
        let err = log
            .register(&root, &coll, Role::Collective, "14042100100101")
            .unwrap_err();
        assert_eq!(err, RuleError::KeyAlreadyRevoked { at: 2 });
    }

    #[test]
    fn keys_revoke_themselves_but_the_county_keeps_one() {
        let mut log = Log::new();
        let root = vkey("county-140421", 1);
        let second = vkey("county-140421-b", 5);
        assert_eq!(log.revoke(&root, &root), Err(RuleError::LastCountyKey));
        log.register(&root, &second, Role::County, COUNTY).unwrap();
        log.revoke(&root, &root).unwrap();
        assert_eq!(log.revoke(&second, &second), Err(RuleError::LastCountyKey));
        let coll = vkey("c1", 2);
        log.register(&second, &coll, Role::Collective, "14042100100101")
            .unwrap();
        log.revoke(&coll, &coll).unwrap();
    }

    #[test]
    fn genesis_only_first_and_self_signed() {
        let mut log = Log::new();
        let root = vkey("county-140421", 1);
        let body = Genesis {
            county: COUNTY.into(),
            name: "平顺县".into(),
            log_vkey: vkey("sanquan/140421", 99),
            root_vkey: root.clone(),
            rules: None,
            contracts: None,
        };
        assert_eq!(
            log.submit(&root, Command::Genesis(Box::new(body.clone()))),
            Err(RuleError::GenesisMisplaced)
        );
        let mut fresh = Log(World::empty());
        let err = fresh
            .submit(&vkey("other", 7), Command::Genesis(Box::new(body)))
            .unwrap_err();
        assert_eq!(err.code(), "bad_genesis");
        let err = fresh
            .register(&root, &vkey("c", 2), Role::Collective, "14042100100101")
            .unwrap_err();
        assert_eq!(err, RuleError::GenesisMisplaced);
    }
}
