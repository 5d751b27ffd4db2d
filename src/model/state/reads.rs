//! What the rules look up in the state: encumbrances, contracts, households, shares, keys, and what rests on a title.

use super::*;

impl State {
    /// The encumbrances in force on a parcel on `day`.
    pub fn encumbrances_on<'a>(
        &'a self,
        parcel: &'a str,
        day: chrono::NaiveDate,
    ) -> impl Iterator<Item = &'a Encumbrance> + 'a {
        self.encumbrances
            .values()
            .filter(move |e| e.parcel == parcel && e.in_force(day))
    }

    /// The contract in force over `parcel` on `day`, if one is.
    pub fn contract_over(&self, parcel: &str, day: chrono::NaiveDate) -> Option<&Contract> {
        self.contract_of
            .get(parcel)
            .and_then(|c| self.contracts.get(c))
            .filter(|k| k.holds(day))
    }

    /// Open listings resting on `title`.
    pub fn listings_on<'a>(
        &'a self,
        title: &str,
    ) -> impl Iterator<Item = &'a crate::model::exchange::Listing> + 'a {
        self.on_title
            .get(title)
            .into_iter()
            .flat_map(|o| o.listings.iter())
            .filter_map(|i| self.listings.get(i))
    }

    /// Derived rights not ended early resting on `title`.
    pub fn rights_on<'a>(
        &'a self,
        title: &str,
    ) -> impl Iterator<Item = &'a crate::model::exchange::DerivedRight> + 'a {
        self.on_title
            .get(title)
            .into_iter()
            .flat_map(|o| o.rights.iter())
            .filter_map(|i| self.rights.get(i))
    }

    /// A household that has not merged into another.
    pub fn household(&self, code: &str) -> Option<&Household> {
        self.households.get(code).filter(|h| h.merged.is_none())
    }

    /// The shares of all holders of a collective (households and the
    /// collective itself, for shares it bought back).
    pub fn shares_of_collective(&self, collective: &str) -> u64 {
        self.holdings
            .iter()
            .filter(|(holder, _)| holder.starts_with(collective))
            .map(|(_, n)| n)
            .sum()
    }

    pub fn key(&self, public: &[u8; 32]) -> Option<&KeyBinding> {
        self.keys.get(public)
    }

    /// Every key ever bound to act as `role` for `party`, revoked or not.
    pub fn keys_for<'a>(
        &'a self,
        role: Role,
        party: &'a str,
    ) -> impl Iterator<Item = &'a KeyBinding> + 'a {
        self.keys_of
            .get(party)
            .into_iter()
            .flatten()
            .filter_map(|k| self.keys.get(k))
            .filter(move |k| k.role == role)
    }

    pub fn active_keys<'a>(
        &'a self,
        role: Role,
        party: &'a str,
    ) -> impl Iterator<Item = &'a KeyBinding> + 'a {
        self.keys_for(role, party).filter(|k| k.is_active())
    }
}
