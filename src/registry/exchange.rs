//! The exchange: listings, the contracts their parties sign, the derived rights of settled deals, and expropriations.

use super::*;

impl Registry {
    /// Listings, newest first (at most [`MAX_FEATURES`]).
    pub fn listings(
        &self,
        status: Option<&str>,
        collective: Option<&str>,
        mode: Option<&str>,
    ) -> Result<views::ListingsView, ServiceError> {
        let parses = |field: &'static str, value: Option<&str>, ok: fn(&str) -> bool| match value {
            Some(v) if !ok(v) => Err(ServiceError::BadQuery {
                field,
                reason: "names no such value",
                reason_zh: "所给的值不存在",
            }),
            _ => Ok(()),
        };
        parses("status", status, |v| {
            serde_json::from_value::<crate::model::exchange::Status>(v.into()).is_ok()
        })?;
        parses("kind", mode, |v| {
            serde_json::from_value::<crate::model::exchange::Mode>(v.into()).is_ok()
        })?;
        parses("collective", collective, |v| {
            crate::model::codes::check_collective(v).is_ok()
        })?;
        let mut conn = self.db.conn()?;
        let today = self.today();
        // A listing whose notice ran out is stored as under notice until its
        // next step: read both, and show each at its stage today.
        let stored: &[Option<&str>] = match status {
            Some("notice") | Some("trading") => &[Some("notice"), Some("trading")],
            _ => &[status],
        };
        let mut found = Vec::new();
        for s in stored {
            found.extend(queries::listings(
                &mut conn,
                &self.db.county,
                *s,
                collective,
                mode,
                MAX_FEATURES,
            )?);
        }
        found.sort_by_key(|l| std::cmp::Reverse(l.id));
        let listings: Vec<_> = found
            .into_iter()
            .map(|mut l| {
                l.status = l.status_on(today);
                l
            })
            .filter(|l| status.is_none_or(|s| l.status.as_str() == s))
            .take(MAX_FEATURES as usize)
            .map(|l| views::listing(&l))
            .collect();
        Ok(views::ListingsView { listings })
    }

    /// A listing with its whole history and, once awarded, its contract text.
    pub fn listing(&self, id: u64) -> Result<views::ListingView, ServiceError> {
        let l = self.stored_listing(id)?;
        let l = Listing {
            status: l.status_on(self.today()),
            ..l
        };
        Ok(views::listing(&l))
    }

    /// An expropriation (E1), by the log index of its pre-announcement.
    pub fn expropriation(&self, index: u64) -> Result<views::ExpropriationView, ServiceError> {
        let mut conn = self.db.conn()?;
        queries::expropriation(&mut conn, &self.db.county, index)?
            .map(|x| views::ExpropriationView::of(&x))
            .ok_or_else(|| ServiceError::NotFound {
                what: "expropriation",
                id: index.to_string(),
                field: "index",
            })
    }

    /// The 土地经营权证 of a derived right registered at settlement (M6:
    /// terms of five years or more); `not_found` for one not registered.
    pub fn right_certificate(
        &self,
        index: u64,
    ) -> Result<views::RightCertificateView, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let r = queries::derived_right(&mut conn, county, index)?
            .filter(|r| r.registered)
            .ok_or_else(|| ServiceError::NotFound {
                what: "registered right",
                id: index.to_string(),
                field: "index",
            })?;
        let mut parcels = Vec::new();
        let mut total = crate::model::units::Area(0);
        for code in &r.parcels {
            if let Some(p) = queries::parcel(&mut conn, county, code)? {
                total.0 += p.area.0;
                parcels.push(views::CertificateParcel::of(&p));
            }
        }
        Ok(views::RightCertificateView {
            index: r.index,
            listing: r.listing,
            mode: r.mode,
            holder: r.holder.clone(),
            household: r.household.clone(),
            parcels,
            total_area_mu: total.mu().to_string(),
            start: r.start,
            end: r.end,
            in_force: r.in_force(self.today()),
            not_begun: self.today() < r.start,
            ended: r.ended.as_ref().map(|(index, ground)| views::RightEnded {
                index: *index,
                ground: ground.clone(),
            }),
            certified: r
                .certified
                .as_ref()
                .map(|(index, no)| views::RightCertified {
                    index: *index,
                    certificate_no: no.clone(),
                }),
        })
    }

    /// The contract text the parties of listing `id` sign (M5): exactly the
    /// bytes whose SHA-256 `contract.sign` carries.
    pub fn contract(&self, id: u64) -> Result<(String, String), ServiceError> {
        let l = self.stored_listing(id)?;
        let hash = l.award.as_ref().map(|a| a.contract_sha256.clone());
        match (l.contract_text(), hash) {
            (Some(text), Some(hash)) => Ok((text, hash)),
            _ => Err(ServiceError::NotFound {
                what: "contract of listing",
                id: id.to_string(),
                field: "id",
            }),
        }
    }
}
