//! Households and what they hold: members, certificates, shares and dividends, income, the county's attestations and decisions.

use super::*;

impl Registry {
    /// A household: members, contracts, shares, homestead. Its members'
    /// personal data only for a `reader` key (of a signed read) that may see
    /// it: the county agency's, the household's collective's, its own. Read
    /// without one, it is kept until the next commit (`kept`).
    pub fn household(
        &self,
        code: &str,
        reader: Option<Reader>,
    ) -> Result<views::HouseholdView, ServiceError> {
        match (reader, self.moment()) {
            (None, Some(at)) => self
                .kept
                .households
                .get_or(at, code, || self.read_household(code, None)),
            (reader, _) => self.read_household(code, reader),
        }
    }

    fn read_household(
        &self,
        code: &str,
        reader: Option<Reader>,
    ) -> Result<views::HouseholdView, ServiceError> {
        let mut conn = self.db.conn()?;
        let h = queries::load_households(
            &mut conn,
            &self.db.county,
            queries::HouseholdsOf::Code(code),
        )?
        .remove(code)
        .ok_or_else(|| ServiceError::NotFound {
            what: "household",
            id: code.to_string(),
            field: "code",
        })?;
        let county = &self.db.county;
        let shares = queries::shares_of(&mut conn, county, code)?;
        let persons: Vec<&str> = h.members.iter().map(|m| m.person.as_str()).collect();
        let members = queries::members_among(&mut conn, county, &persons)?;
        let homestead = queries::homestead_summary(&mut conn, county, code)?;
        let mut contracts: Vec<_> =
            queries::load_contracts(&mut conn, county, queries::ContractsOf::Household(code))?
                .into_values()
                .collect();
        contracts.sort_by(|a, b| a.code.cmp(&b.code));
        let mut certificates = Vec::new();
        for k in &contracts {
            certificates.push(queries::certificate_of(&mut conn, county, &k.code)?);
        }
        let personal = match reader {
            Some(reader) => {
                // The county, the household's collective, the household.
                self.may_read(&mut conn, reader, code, |k| match k.role {
                    crate::model::Role::County => true,
                    crate::model::Role::Collective => code.starts_with(&k.party),
                    crate::model::Role::Household => code == k.party,
                    _ => false,
                })?;
                Some(
                    queries::load_persons(&mut conn, county, Some(code))?
                        .into_iter()
                        .map(|(commitment, _, record)| (commitment, record))
                        .collect(),
                )
            }
            None => None,
        };
        let surrenders = queries::surrenders_of(&mut conn, county, code)?;
        let estate = queries::estate(&mut conn, county, code)?;
        let acts = queries::acts_over(&mut conn, county, code)?;
        Ok(views::household(
            &h,
            views::HouseholdRights {
                shares,
                members_of_collective: &members,
                homestead: homestead.as_ref(),
                contracts: &contracts,
                certificates: &certificates,
                estate: estate.as_ref(),
            },
            personal.as_ref(),
            &surrenders,
            &acts,
            self.today(),
        ))
    }

    /// The land contract certificate (承包经营权证) of a contract, as data,
    /// once issued: the parties, the parcels with their areas, the term and
    /// the members who share the right (C3).
    pub fn certificate(&self, code: &str) -> Result<views::CertificateView, ServiceError> {
        let mut conn = self.db.conn()?;
        let not_issued = || ServiceError::NotFound {
            what: "certificate of contract",
            id: code.to_string(),
            field: "code",
        };
        let issued = queries::certificate_of(&mut conn, &self.db.county, code)?;
        let (index, notice) = issued.ok_or_else(not_issued)?;
        let k =
            queries::load_contracts(&mut conn, &self.db.county, queries::ContractsOf::Code(code))?
                .remove(code)
                .ok_or_else(not_issued)?;
        let mut parcels = Vec::new();
        for p in &k.parcels {
            if let Some(p) = queries::parcel(&mut conn, &self.db.county, p)? {
                parcels.push(p);
            }
        }
        Ok(views::certificate(&k, &parcels, index, notice))
    }

    pub fn distribution(&self, index: u64) -> Result<views::DistributionView, ServiceError> {
        let mut conn = self.db.conn()?;
        let d = queries::load_distributions(
            &mut conn,
            &self.db.county,
            queries::DistributionsOf::Index(index),
        )?
        .remove(&index)
        .ok_or_else(|| ServiceError::NotFound {
            what: "distribution at log index",
            id: index.to_string(),
            field: "index",
        })?;
        Ok(views::distribution(&d))
    }

    /// What a household earned: the prices of its settled transfers and its
    /// dividends, in yuan.
    pub fn income(&self, household: &str) -> Result<views::IncomeView, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        known_household(&mut conn, county, household)?;
        let rights = queries::rights_of_household(&mut conn, county, household)?;
        let collective = crate::model::codes::collective_of(household);
        let mut dividends: Vec<(u64, Fen)> = queries::load_distributions(
            &mut conn,
            county,
            queries::DistributionsOf::Collective(collective),
        )?
        .into_values()
        .filter_map(|d| {
            d.parts
                .iter()
                .find(|(h, _)| h == household)
                .map(|(_, fen)| (d.index, *fen))
        })
        .collect();
        dividends.sort_unstable();
        // Assignments, swaps and shares end in no derived right: their price
        // is the transferor's too (M4).
        let settled: Vec<_> = queries::listings(
            &mut conn,
            county,
            Some("settled"),
            Some(collective),
            None,
            i64::MAX,
        )?
        .into_iter()
        .filter(|l| l.transferor == household)
        .collect();
        // M4: a price the exchange still holds in escrow.
        let held = |listing: u64| {
            settled
                .iter()
                .any(|l| l.id == listing && l.paid_out_at.is_none())
        };
        let sales: Vec<_> = settled
            .iter()
            .filter(|l| l.mode.moves_base_right())
            .collect();
        let transfers: Fen = rights.iter().map(|r| r.price).sum::<Fen>()
            + sales
                .iter()
                .filter_map(|l| l.award.as_ref())
                .map(|a| a.price)
                .sum::<Fen>();
        let paid: Fen = dividends.iter().map(|(_, f)| f).sum();
        let leases = rights.iter().map(|r| views::IncomeTransfer {
            right: Some(r.index),
            listing: r.listing,
            mode: r.mode,
            holder: r.holder.clone(),
            start: r.start,
            end: Some(r.end),
            price: r.price.to_string(),
            held: held(r.listing),
        });
        let sold = sales.iter().filter_map(|l| {
            l.award.as_ref().map(|a| views::IncomeTransfer {
                right: None,
                listing: l.id,
                mode: l.mode,
                holder: a.party.clone(),
                start: l.start,
                end: None,
                price: a.price.to_string(),
                held: held(l.id),
            })
        });
        Ok(views::IncomeView {
            household: household.to_owned(),
            transfers: leases.chain(sold).collect(),
            dividends: dividends
                .iter()
                .map(|(i, f)| views::IncomeDividend {
                    distribution: *i,
                    amount: f.to_string(),
                })
                .collect(),
            total: (transfers + paid).to_string(),
        })
    }

    /// The county's attestation of the rights a household retains (G3), as
    /// a document an auditor checks without trusting this server: the
    /// signed entry's exact bytes, its inclusion proof and the signed
    /// checkpoint it is proved against.
    pub fn attestation(&self, index: u64) -> Result<views::AttestationView, ServiceError> {
        use base64::Engine;
        let b64 = |h: &Hash| base64::engine::general_purpose::STANDARD.encode(h);
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let a = queries::attestation(&mut conn, county, index)?.ok_or_else(|| {
            ServiceError::NotFound {
                what: "attestation",
                id: index.to_string(),
                field: "index",
            }
        })?;
        let leaf = queries::entry_leaf(&mut conn, county, index)?.ok_or_else(|| {
            ServiceError::NotFound {
                what: "entry",
                id: index.to_string(),
                field: "index",
            }
        })?;
        let settlements = self
            .settlements_of(&a.household)?
            .into_iter()
            .filter(|s| s.index < index)
            .collect();
        drop(conn);
        let (size, note) = self.checkpoint()?;
        let proof = self.inclusion_proof(index, size)?;
        Ok(views::AttestationView {
            index: a.index,
            household: a.household.clone(),
            day: a.day,
            settlements,
            statement: views::retention_statement(&a, false),
            statement_zh: views::retention_statement(&a, true),
            rights: a.rights,
            proof: views::AttestationProof {
                entry: String::from_utf8_lossy(&leaf).into_owned(),
                leaf_hash: b64(&crate::ledger::merkle::leaf_hash(&leaf)),
                tree_size: size,
                inclusion: proof.iter().map(b64).collect(),
                checkpoint: note,
            },
        })
    }

    /// The household's members who settled in a town (进城落户), in log
    /// order: whom its page and its attestations name.
    pub fn settlements_of(
        &self,
        household: &str,
    ) -> Result<Vec<views::SettlementView>, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let members =
            queries::load_households(&mut conn, county, queries::HouseholdsOf::Code(household))?
                .remove(household)
                .map(|h| h.members)
                .unwrap_or_default();
        let persons: Vec<&str> = members.iter().map(|m| m.person.as_str()).collect();
        Ok(queries::settlements_of(&mut conn, county, &persons)?
            .into_iter()
            .map(|s| views::SettlementView {
                index: s.index,
                relation: members
                    .iter()
                    .find(|m| m.person == s.person)
                    .map(|m| m.relation.clone())
                    .unwrap_or_default(),
                person: s.person,
                town: s.town,
                date: s.date,
            })
            .collect())
    }

    /// The log indexes of a household's attestations.
    pub fn attestations_of(&self, household: &str) -> Result<views::AttestationsOf, ServiceError> {
        let mut conn = self.db.conn()?;
        known_household(&mut conn, &self.db.county, household)?;
        let found = queries::attestations_of(&mut conn, &self.db.county, household)?;
        Ok(views::AttestationsOf {
            household: household.to_owned(),
            attestations: found,
        })
    }

    /// A household's base rights today (G1), as `attest.retention` states
    /// them: contracts in force with their parcels' areas, the homestead in
    /// force, the shares.
    pub fn base_rights(
        &self,
        household: &str,
    ) -> Result<crate::model::exchange::BaseRights, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let contracts = queries::load_contracts(
            &mut conn,
            county,
            queries::ContractsOf::Household(household),
        )?;
        let mut areas = std::collections::HashMap::new();
        for p in contracts.values().flat_map(|k| &k.parcels) {
            if let Some(parcel) = queries::parcel(&mut conn, county, p)? {
                areas.insert(p.clone(), parcel.area.0);
            }
        }
        Ok(crate::model::rights::base_rights_of(
            household,
            self.today(),
            contracts.values(),
            |p| areas.get(p).copied().unwrap_or(0),
            queries::homestead_summary(&mut conn, county, household)?
                .filter(|h| h.exited_at.is_none())
                .map(|h| h.area.0),
            queries::shares_of(&mut conn, county, household)?,
        ))
    }

    /// What waits for a collective's clerk, task by task: the persons of
    /// its households not yet admitted (P4) and the decisions that may admit
    /// them (D1), the contracts to post (C3), on notice, and to certify.
    pub fn clerk_work(&self, collective: &str) -> Result<ClerkWork, ServiceError> {
        use queries::{ContractsOf, HouseholdsOf};
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let today = self.today();
        let mut households: Vec<_> =
            queries::load_households(&mut conn, county, HouseholdsOf::Collective(collective))?
                .into_values()
                .filter(|h| h.merged.is_none())
                .collect();
        households.sort_by(|a, b| a.code.cmp(&b.code));
        let memberships: HashMap<String, crate::model::state::Membership> =
            queries::memberships_of(&mut conn, county, Some(collective))?
                .into_iter()
                .collect();
        let mut to_admit = Vec::new();
        for h in &households {
            for m in &h.members {
                if memberships.get(&m.person).is_none_or(|x| x.ended.is_some()) {
                    to_admit.push((h.code.clone(), m.clone()));
                }
            }
        }
        let used: std::collections::HashSet<u64> =
            memberships.values().map(|m| m.decision).collect();
        let mut decisions: Vec<views::DecisionView> =
            queries::decisions_where(&mut conn, county, None, Some(collective))?
                .into_values()
                .filter(|d| {
                    d.subject == crate::model::decision::Subject::Membership
                        && d.assembly == crate::model::decision::Assembly::MembersAssembly
                        && d.passed()
                        && !used.contains(&d.index)
                })
                .map(|d| views::decision(&d))
                .collect();
        decisions.sort_by_key(|d| std::cmp::Reverse(d.index));
        let mut contracts: Vec<_> =
            queries::load_contracts(&mut conn, county, ContractsOf::Collective(collective))?
                .into_values()
                .filter(|k| k.holds(today))
                .collect();
        contracts.sort_by(|a, b| a.code.cmp(&b.code));
        let codes: Vec<&str> = contracts.iter().map(|k| k.code.as_str()).collect();
        let certificates = queries::certificates_of(&mut conn, county, &codes)?;
        let notices = queries::load_notices(&mut conn, county, Some(collective))?;
        let members: HashMap<&str, &Vec<crate::model::entry::Member>> = households
            .iter()
            .map(|h| (h.code.as_str(), &h.members))
            .collect();
        let mut work = ClerkWork {
            to_admit,
            decisions,
            ..ClerkWork::default()
        };
        for k in &contracts {
            let certified = certificates.get(&k.code).copied();
            let since = certified.map_or(k.registered_at, |(at, _)| at);
            let notice = notices
                .values()
                .filter(|n| n.index > since && n.contracts.contains(&k.code))
                .max_by_key(|n| n.index);
            let newcomers = members.get(k.household.as_str()).is_some_and(|ms| {
                ms.iter()
                    .any(|m| !k.certificate_members.contains(&m.person))
            });
            let row = ClerkContract {
                code: k.code.clone(),
                household: k.household.clone(),
                notice: notice.map(|n| (n.index, n.to)),
            };
            match notice {
                Some(n) if today <= n.to => work.on_notice.push(row),
                Some(_) => work.to_certify.push(row),
                None if certified.is_none() || newcomers => work.to_notice.push(row),
                None => {}
            }
        }
        work.households = households
            .into_iter()
            .map(|h| (h.code, h.members))
            .collect();
        Ok(work)
    }

    /// The households of a collective, by code.
    pub fn households_of(&self, collective: &str) -> Result<Vec<String>, ServiceError> {
        let mut conn = self.db.conn()?;
        Ok(queries::household_codes(
            &mut conn,
            &self.db.county,
            collective,
        )?)
    }

    pub fn decision(&self, index: u64) -> Result<views::DecisionView, ServiceError> {
        let mut conn = self.db.conn()?;
        let d = queries::decision(&mut conn, &self.db.county, index)?.ok_or_else(|| {
            ServiceError::NotFound {
                what: "decision at log index",
                id: index.to_string(),
                field: "index",
            }
        })?;
        Ok(views::decision(&d))
    }
}

/// What waits for a collective's clerk (村里办事), task by task.
#[derive(Debug, Default)]
pub struct ClerkWork {
    /// The collective's households in force, by code, with their members.
    pub households: Vec<(String, Vec<crate::model::entry::Member>)>,
    /// Persons of its households who are not (or no longer) members (P4).
    pub to_admit: Vec<(String, crate::model::entry::Member)>,
    /// Passed members' assembly decisions on membership not yet acted on (D1).
    pub decisions: Vec<views::DecisionView>,
    /// Contracts in force never posted, or with members joined since the
    /// last certificate (C3).
    pub to_notice: Vec<ClerkContract>,
    /// Contracts whose notice is still up.
    pub on_notice: Vec<ClerkContract>,
    /// Contracts whose notice has closed, to certify.
    pub to_certify: Vec<ClerkContract>,
}

/// A contract on the clerk's list, with its latest notice since the last
/// certificate (log index, last day).
#[derive(Debug, Clone)]
pub struct ClerkContract {
    pub code: String,
    pub household: String,
    pub notice: Option<(u64, chrono::NaiveDate)>,
}
