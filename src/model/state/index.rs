//! The indexes kept beside the collections (not stored): what rests on each title, and each party's keys; kept by `apply`, rebuilt by `reindex`.

use super::*;
use crate::model::titles::Title;

/// What rests on one title (parcel or homestead).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnTitle {
    pub listings: Vec<u64>,
    pub rights: Vec<u64>,
}

impl State {
    /// The titles (parcels, homesteads, shares) `change` alters.
    pub fn titles_of(&self, change: &Change) -> Vec<Title> {
        let parcels =
            |codes: &[String]| codes.iter().cloned().map(Title::Parcel).collect::<Vec<_>>();
        let of_contract = |code: &str| {
            self.contracts
                .get(code)
                .map(|k| parcels(&k.parcels))
                .unwrap_or_default()
        };
        match change {
            Change::ParcelRetired { code, .. } => vec![Title::Parcel(code.clone())],
            // R3 (rules 2): an objection holds a deal past its title
            // verification only once the county records the objector's
            // suit (`ObjectionSued` touches the title); filed, it does not.
            Change::EncumbranceRegistered(e)
                if self.settings.authority() && e.kind == EncumbranceKind::Objection =>
            {
                Vec::new()
            }
            Change::EncumbranceRegistered(e) => vec![Title::Parcel(e.parcel.to_string())],
            Change::EncumbranceReleased { index, .. } => self
                .encumbrances
                .get(index)
                .map(|e| vec![Title::Parcel(e.parcel.to_string())])
                .unwrap_or_default(),
            Change::ContractGranted(k) => parcels(&k.parcels),
            Change::ContractParcels {
                code,
                parcels: added,
            } => {
                let mut all = of_contract(code);
                all.extend(parcels(added));
                all
            }
            Change::ContractHolder { code, .. }
            | Change::ContractReturned { code, .. }
            | Change::ContractRenewed { code, .. } => of_contract(code),
            Change::RightSaved(r) => parcels(&r.parcels),
            Change::ActSaved(a) => a.titles.iter().map(|k| Title::of_key(k)).collect(),
            Change::HomesteadExited { household, .. }
            | Change::HomesteadRestored { household, .. } => {
                vec![Title::Homestead(household.clone())]
            }
            Change::ContractReturnWithdrawn { code } => of_contract(code),
            Change::HomesteadMoved { from, to } => {
                vec![Title::Homestead(from.clone()), Title::Homestead(to.clone())]
            }
            Change::HomesteadGranted { homestead, .. } => {
                vec![Title::Homestead(homestead.household.clone())]
            }
            Change::ObjectionSued { index, .. } => self
                .encumbrances
                .get(index)
                .map(|e| vec![Title::Parcel(e.parcel.to_string())])
                .unwrap_or_default(),
            // A household's shares are the title a shares listing rests on.
            Change::SharesMoved { from, to, .. } => {
                vec![Title::Shares(from.clone()), Title::Shares(to.clone())]
            }
            Change::SharesQuantified { allocations, .. } => allocations
                .iter()
                .map(|(holder, _)| Title::Shares(holder.clone()))
                .collect(),
            Change::HouseholdMerged {
                household, into, ..
            } => {
                let mut all: Vec<Title> = self
                    .contracts
                    .values()
                    .filter(|k| &k.household == household)
                    .flat_map(|k| parcels(&k.parcels))
                    .collect();
                all.push(Title::Homestead(household.clone()));
                all.push(Title::Homestead(into.clone()));
                all.push(Title::Shares(household.clone()));
                all.push(Title::Shares(into.clone()));
                all
            }
            // Every change is named here, so that a new one must say which
            // titles it touches (a settlement verified before is refused).
            Change::LogFounded { .. }
            | Change::KeyBound(_)
            | Change::KeyRevoked { .. }
            | Change::KeyRestored { .. }
            | Change::CollectiveRegistered { .. }
            | Change::ParcelRegistered { .. }
            | Change::DecisionRecorded(_)
            | Change::HouseholdRegistered(_)
            | Change::DividendDistributed(_)
            | Change::MemberAdmitted(_)
            | Change::MembershipEnded { .. }
            | Change::MembershipRestored { .. }
            | Change::NoticePosted { .. }
            | Change::SettingsChanged { .. }
            | Change::HouseholdMembers { .. }
            | Change::ListingSaved(_)
            | Change::TransfereeReviewed(_)
            | Change::SurrenderSaved(_)
            | Change::HukouSettled(_)
            | Change::Attested(_)
            | Change::TitleTouched { .. }
            | Change::CertificateIssued { .. }
            | Change::CertificateMembers { .. }
            | Change::ExpropriationSaved(_)
            | Change::EstateSettled(_) => Vec::new(),
        }
    }

    pub(super) fn unindex(&mut self, title: &str, remove: impl FnOnce(&mut OnTitle)) {
        if let Some(o) = self.on_title.get_mut(title) {
            remove(o);
            if o.listings.is_empty() && o.rights.is_empty() {
                self.on_title.remove(title);
            }
        }
    }

    /// Rebuilds `keys_of` from the keys, `contracts_numbered` from the
    /// listings and `on_title` from the listings and rights.
    pub fn reindex(&mut self) {
        self.keys_of.clear();
        let mut keys: Vec<_> = self.keys.values().collect();
        keys.sort_by_key(|k| k.registered_at);
        for k in keys {
            self.keys_of
                .entry(k.party.clone())
                .or_default()
                .push(k.public);
        }
        self.contracts_numbered.clear();
        for l in self.listings.values().filter(|l| l.contract_no.is_some()) {
            *self
                .contracts_numbered
                .entry(l.collective.clone())
                .or_default() += 1;
        }
        self.on_title.clear();
        let mut listings: Vec<_> = self
            .listings
            .values()
            .filter(|l| l.status.is_open())
            .collect();
        listings.sort_by_key(|l| l.id);
        for l in listings {
            for t in l.titles() {
                self.on_title
                    .entry(t.key())
                    .or_default()
                    .listings
                    .push(l.id);
            }
        }
        let mut rights: Vec<_> = self.rights.values().filter(|r| r.ended.is_none()).collect();
        rights.sort_by_key(|r| r.index);
        for r in rights {
            for t in r.titles() {
                self.on_title
                    .entry(t.key())
                    .or_default()
                    .rights
                    .push(r.index);
            }
        }
    }
}
