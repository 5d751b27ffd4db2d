//! Who is who: parties, their keys, the county and its settings.

use super::*;

impl Registry {
    /// Who `code` is on this log: the kind of party, the keys bound to act
    /// for it (verifier key, role, the log indices that bound and revoked
    /// each), and, for a transferee, the county's reviews (M8, X6) and
    /// whether the latest approved it.
    pub fn party(&self, code: &str) -> Result<views::PartyView, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let keys = queries::keys_of_party(&mut conn, county, code)?;
        let reviews = queries::reviews_of(&mut conn, county, code)?;
        if keys.is_empty() && reviews.is_empty() {
            return Err(ServiceError::NotFound {
                what: "party",
                id: code.to_owned(),
                field: "code",
            });
        }
        let kind = crate::model::authority::PartyType::of(county, code)
            .map_or("unknown", crate::model::authority::PartyType::as_str);
        let latest = reviews.values().next_back();
        let settings = queries::settings_of(&mut conn, county)?;
        let (min, max) = (settings.transferee_min_age, settings.transferee_max_age);
        let today = self.today();
        Ok(views::PartyView {
            party: code.to_owned(),
            kind,
            keys: keys.iter().map(views::PartyKey::of).collect(),
            reviews: reviews
                .values()
                .map(|r| {
                    let (from, until) = r.qualifies(min, max).unwrap_or_default();
                    views::PartyReview {
                        index: r.index,
                        kind: r.kind.clone(),
                        approved: r.approved,
                        born: r.born,
                        qualified_from: from,
                        qualified_until: until,
                    }
                })
                .collect(),
            qualified: latest.is_some_and(|r| r.qualifies_on(today, min, max)),
        })
    }

    /// Who holds the public key `signer`: its party, role and the indices
    /// that bound and revoked it.
    pub fn key(&self, signer: &[u8; 32]) -> Result<views::KeyView, ServiceError> {
        self.keys(&[*signer])?
            .keys
            .into_values()
            .next()
            .ok_or_else(|| ServiceError::NotFound {
                what: "key",
                id: hex(signer),
                field: "signer",
            })
    }

    /// Offers `vkey` for registration under its short code (issue 18), so
    /// that a clerk may type the code in place of the key; a key nobody has
    /// bound yet binds nothing by being offered.
    pub fn offer_key(&self, vkey: &str) -> Result<views::KeyOffer, ServiceError> {
        let key = crate::model::VerifierKey::parse(vkey.trim())
            .map_err(|reason| ServiceError::BadKey { reason })?;
        let code = key.short_code();
        self.writable()?;
        let mut conn = self.db.conn()?;
        let now = chrono::Utc::now().timestamp();
        match queries::offer_key(&mut conn, &self.db.county, &code, &key.to_string(), now)? {
            queries::Offered::Kept => self.key_offer(&code),
            queries::Offered::Taken => Err(ServiceError::OfferTaken { code }),
        }
    }

    /// The key a short code names: one offered for registration this week,
    /// and whom it acts for if it is bound since. Two indexed reads, never a
    /// scan: anyone may ask, with any code.
    pub fn key_offer(&self, typed: &str) -> Result<views::KeyOffer, ServiceError> {
        let not_found = || not_under(typed, "key offer");
        let code = crate::model::keys::typed_code(typed).ok_or_else(not_found)?;
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let now = chrono::Utc::now().timestamp();
        let vkey = queries::offered_key(&mut conn, county, &code, now)?.ok_or_else(not_found)?;
        let public = crate::model::VerifierKey::parse(&vkey)
            .map_err(|e| StoreError::Corrupt(format!("key_offers {code}: {e}")))?
            .public_bytes();
        let bound = queries::load_keys(&mut conn, county, Some(&public))?
            .remove(&public)
            .map(|k| views::KeyView {
                party: k.party.clone(),
                key: views::PartyKey::of(&k),
            });
        Ok(views::KeyOffer { code, vkey, bound })
    }

    /// A2 (issue 18): an act over a household signed by its first hand,
    /// kept under a short code for the second hand to read and cosign
    /// within the signature's time window. Bounded before anything is kept:
    /// the envelope parses, its signatures verify, its signer is bound.
    /// Nothing is decided: the rules judge the envelope once it is cosigned
    /// and submitted.
    pub fn keep_draft(&self, bytes: &[u8]) -> Result<views::Draft, ServiceError> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| LedgerError::MalformedJson(e.to_string()))?;
        let envelope = Envelope::from_value(value.clone(), &self.origin())?;
        if !envelope.verify_signature() {
            return Err(LedgerError::SignatureInvalid.into());
        }
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        queries::load_keys(&mut conn, county, Some(&envelope.signer))?
            .remove(&envelope.signer)
            .filter(|k| k.revoked_at.is_none())
            .ok_or(LedgerError::Rule(crate::model::RuleError::UnknownSigner))?;
        let window = i64::from(self.settings()?.entry_time_window_minutes) * 60;
        let signed = chrono::DateTime::parse_from_rfc3339(&envelope.time)
            .map(|t| t.timestamp())
            .unwrap_or_default();
        let now = chrono::Utc::now().timestamp();
        let code = draft_code(&envelope);
        let signer: String = envelope.signer.iter().map(|b| format!("{b:02x}")).collect();
        queries::keep_draft(
            &mut conn,
            county,
            &code,
            &signer,
            &value.to_string(),
            signed + window,
            now,
        )?;
        drop(conn);
        self.draft(&code)
    }

    /// The act waiting under a short code for its second hand, if its time
    /// has not run out: what it is, who signed it, until when.
    pub fn draft(&self, typed: &str) -> Result<views::Draft, ServiceError> {
        let not_found = || not_under(typed, "act waiting for its cosignature");
        let code = crate::model::keys::typed_code(typed).ok_or_else(not_found)?;
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let now = chrono::Utc::now().timestamp();
        let (text, expires) =
            queries::draft(&mut conn, county, &code, now)?.ok_or_else(not_found)?;
        let corrupt = |e: String| StoreError::Corrupt(format!("drafts {code}: {e}"));
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
        let envelope = Envelope::from_value(value.clone(), &self.origin())
            .map_err(|e| corrupt(e.to_string()))?;
        let signer = queries::load_keys(&mut conn, county, Some(&envelope.signer))?
            .remove(&envelope.signer)
            .map(|k| views::KeyView {
                key: views::PartyKey::of(&k),
                party: k.party,
            });
        Ok(views::Draft {
            code,
            kind: envelope.kind.clone(),
            signer,
            expires: chrono::DateTime::from_timestamp(expires, 0)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            envelope: value,
        })
    }

    /// The code of the draft kept longest, if any: the API's example.
    pub fn newest_draft(&self) -> Result<Option<String>, ServiceError> {
        let mut conn = self.db.conn()?;
        Ok(queries::newest_draft(&mut conn, &self.db.county)?)
    }

    /// The short code of the newest key offered, if any: the API's example.
    pub fn newest_key_offer(&self) -> Result<Option<String>, ServiceError> {
        let mut conn = self.db.conn()?;
        Ok(queries::newest_offer(&mut conn, &self.db.county)?)
    }

    /// Who each of `signers` is; keys nobody registered are left out.
    pub fn keys(&self, signers: &[[u8; 32]]) -> Result<views::KeysView, ServiceError> {
        let mut conn = self.db.conn()?;
        let mut keys = std::collections::BTreeMap::new();
        for signer in signers {
            if let Some(k) =
                queries::load_keys(&mut conn, &self.db.county, Some(signer))?.remove(signer)
            {
                keys.insert(
                    hex(signer),
                    views::KeyView {
                        key: views::PartyKey::of(&k),
                        party: k.party,
                    },
                );
            }
        }
        Ok(views::KeysView { keys })
    }

    /// The county's name and its log's verifier key (from genesis).
    pub fn county(&self) -> Result<crate::model::state::County, ServiceError> {
        let mut conn = self.db.conn()?;
        queries::county_of(&mut conn, &self.db.county)?.ok_or_else(|| ServiceError::NotFound {
            what: "county",
            id: self.db.county.clone(),
            field: "county",
        })
    }

    /// The county's settings in force (its calendar among them).
    pub fn settings(&self) -> Result<crate::model::settings::Settings, ServiceError> {
        let mut conn = self.db.conn()?;
        Ok(queries::settings_of(&mut conn, &self.db.county)?)
    }
}

/// A draft's short code: the first 40 bits of SHA-256 of what its signers
/// sign, in the registry's alphabet — the same for the envelope however
/// often it is kept, and for no other entry but by chance.
fn draft_code(envelope: &Envelope) -> String {
    use sha2::Digest;
    let h: [u8; 32] = sha2::Sha256::digest(envelope.signing_input()).into();
    crate::model::keys::short_code(&h)
}

/// What a short code found nothing under answers: `what` was not found.
fn not_under(typed: &str, what: &'static str) -> ServiceError {
    ServiceError::NotFound {
        what,
        id: typed.to_owned(),
        field: "code",
    }
}
