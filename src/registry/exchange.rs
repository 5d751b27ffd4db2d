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
        self.newest_listings(status, collective, mode, MAX_FEATURES)
    }

    /// The newest `most` listings (a province's page reads only what it
    /// shows of each county).
    pub fn newest_listings(
        &self,
        status: Option<&str>,
        collective: Option<&str>,
        mode: Option<&str>,
        most: i64,
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
                most,
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
            .take(most as usize)
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

    /// The contract of listing `id` as `reader` may see it (M5): its 正文,
    /// and on the Chinese contracts (template 2) its 当事人信息及签署页 —
    /// whole, with names and the 核验码, to a party of the deal, the
    /// collective and the county on a signed read; with them withheld to
    /// anyone else. The first read keeps the page (a random 核验码) off the
    /// log; every later read answers the same one.
    pub fn contract(&self, id: u64, reader: Option<Reader>) -> Result<ContractCopy, ServiceError> {
        use crate::model::exchange::{render_schedule, sha256_hex, Signatory, SCHEDULE_HEADING};
        let l = self.stored_listing(id)?;
        let not_found = || ServiceError::NotFound {
            what: "contract of listing",
            id: id.to_string(),
            field: "id",
        };
        let (Some(body), Some(award)) = (l.contract_text(), l.award.as_ref()) else {
            return Err(not_found());
        };
        let mut copy = ContractCopy {
            sha256: award.contract_sha256.clone(),
            body_sha256: award.contract_sha256.clone(),
            schedule_sha256: None,
            contract_no: l.contract_no.clone(),
            whole: true,
            text: body.clone(),
        };
        if award.template == 1 {
            return Ok(copy);
        }
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let kept = match queries::schedule_of(&mut conn, county, id, award.index)? {
            Some(kept) => kept,
            None => {
                self.writable()?;
                let page = render_schedule(
                    award,
                    &self.signatory(&mut conn, &l.transferor)?,
                    &self.signatory(&mut conn, &award.party)?,
                    &verification_code(),
                );
                queries::keep_schedule(&mut conn, county, id, award.index, &page)?
            }
        };
        let schedule_sha256 = sha256_hex(&kept);
        copy.sha256 = award.sha256_with(&schedule_sha256);
        copy.schedule_sha256 = Some(schedule_sha256);
        copy.whole = match reader {
            Some(reader) => {
                self.may_read_contract(&mut conn, reader, &l)?;
                true
            }
            None => false,
        };
        let page = if copy.whole {
            kept
        } else {
            render_schedule(
                award,
                &Signatory::withheld(),
                &Signatory::withheld(),
                "（仅向合同双方、发包方和县级部门提供）",
            )
        };
        debug_assert!(page.starts_with(SCHEDULE_HEADING));
        copy.text = format!("{body}\n\n{page}");
        Ok(copy)
    }

    /// A party of a contract as its 当事人信息及签署页 names it: a
    /// household by its head (户主), a person by her record, a collective
    /// and an organisation by what the registry knows of them.
    fn signatory(
        &self,
        conn: &mut crate::store::DbConnection,
        party: &str,
    ) -> Result<crate::model::exchange::Signatory, ServiceError> {
        use crate::model::exchange::Signatory;
        use crate::model::words::masked;
        let county = &self.db.county;
        let person = |r: &PersonRecord| Signatory {
            name: r.name.clone(),
            papers: format!("居民身份证 {}", masked(&r.id_number)),
        };
        if let Some(h) = queries::load_households(conn, county, queries::HouseholdsOf::Code(party))?
            .remove(party)
        {
            let head = h
                .members
                .iter()
                .find(|m| m.relation == "02")
                .or(h.members.first());
            let records = queries::load_persons(conn, county, Some(party))?;
            if let Some((_, _, r)) =
                head.and_then(|m| records.iter().find(|(c, _, _)| *c == m.person))
            {
                return Ok(person(r));
            }
        }
        if let Some((c, _)) = queries::collective(conn, county, party)? {
            return Ok(Signatory {
                name: c.name,
                papers: format!("发包方编码 {party}"),
            });
        }
        if let Some(r) = queries::person(conn, county, party)? {
            return Ok(person(&r));
        }
        Ok(Signatory {
            name: format!("统一社会信用代码为 {party} 的单位"),
            papers: format!("统一社会信用代码 {party}"),
        })
    }

    /// Whether `reader` may see the names in the contract of `l`: the
    /// county, the collective of its land, and the parties themselves.
    fn may_read_contract(
        &self,
        conn: &mut crate::store::DbConnection,
        reader: Reader,
        l: &Listing,
    ) -> Result<(), ServiceError> {
        use crate::model::Role;
        let winner = l.award.as_ref().map(|a| a.party.as_str());
        self.may_read(conn, reader, &l.household, |k| match k.role {
            Role::County => true,
            Role::Collective => k.party == l.collective,
            _ => k.party == l.transferor || Some(k.party.as_str()) == winner,
        })
    }
}

/// A contract as one reader may see it (M5).
#[derive(Debug, Clone)]
pub struct ContractCopy {
    /// The 正文, and on template 2 the 当事人信息及签署页 after a blank
    /// line — whole, or with the names and the 核验码 withheld.
    pub text: String,
    /// What the parties sign (template 2: over both parts).
    pub sha256: String,
    /// SHA-256 of the 正文 (template 1: of the whole text).
    pub body_sha256: String,
    /// Template 2: SHA-256 of the 当事人信息及签署页 kept.
    pub schedule_sha256: Option<String>,
    pub contract_no: Option<String>,
    /// Whether the names are shown.
    pub whole: bool,
}

/// A fresh 核验码: eight characters from 32 that cannot be misread
/// (no 0/O, 1/I), 40 random bits, as ABCD-EFGH.
fn verification_code() -> String {
    use rand::Rng;
    crate::model::keys::eight(rand::thread_rng().gen())
}
