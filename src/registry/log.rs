//! The log as readers check it: entries, checkpoints, proofs, the newest entries and each kind's example.

use super::*;

impl Registry {
    /// A proof of a title's record — or of its absence — as of the newest
    /// state-log leaf (issue 20), made by the writer.
    pub async fn title_proof(
        &self,
        key: &str,
    ) -> Result<crate::ledger::titleproof::TitleProof, ServiceError> {
        let title = crate::model::titles::Title::parse(key).ok_or(ServiceError::BadQuery {
            field: "title",
            reason:
                "a title is a parcel's 19-digit code, or ZJD or FE and a household's 18-digit code",
            reason_zh: "权属编码应为19位地块代码，或“ZJD”“FE”加18位承包方代码",
        })?;
        if let (None, Some(replica)) = (&self.writer, &self.replica) {
            let (replica, db) = (replica.clone(), self.db.clone());
            return tokio::task::spawn_blocking(move || {
                let mut follower = replica.follower.lock().unwrap_or_else(|e| e.into_inner());
                follower
                    .prove(&mut *db.conn()?, &title, None)
                    .map_err(|e| match e {
                        crate::store::follow::FollowError::NoStateLog => ServiceError::NotFound {
                            what: "checkpoint",
                            id: "state".into(),
                            field: "checkpoint",
                        },
                        crate::store::follow::FollowError::Store(e) => e.into(),
                        other => ServiceError::Unavailable(other.to_string()),
                    })
            })
            .await
            .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
        }
        let writer = self.writer()?;
        let mut proof = writer
            .prove_title(title)
            .await
            .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
        // A leaf made for this proof is being cosigned: wait a little for
        // the witnesses' quorum, then give what there is.
        if let Some(policy) = writer.policy() {
            for _ in 0..50 {
                if proof.verify(policy).is_ok() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                let (db, idx) = (self.db.clone(), proof.index);
                let note = tokio::task::spawn_blocking(move || {
                    crate::store::statelog::note(&mut *db.conn()?, &db.county, idx)
                })
                .await
                .map_err(|e| ServiceError::Unavailable(e.to_string()))??;
                if let Some(note) = note {
                    proof.with_note(&note);
                }
            }
        }
        Ok(proof)
    }

    /// A C2SP tlog-tiles resource of the event log: a tile of hashes, or an
    /// entry bundle (each entry as a big-endian uint16 length and the
    /// record's bytes) — within the newest checkpoint's tree only.
    pub fn tile_resource(
        &self,
        path: crate::ledger::tiles::TilePath,
    ) -> Result<Vec<u8>, ServiceError> {
        let (size, _) = self.checkpoint()?;
        let width = path.width.unwrap_or(256) as u64;
        let level = path.level.unwrap_or(0);
        let not_found = || ServiceError::NotFound {
            what: "tile",
            id: String::new(),
            field: "tile",
        };
        // The tile's first hash spans 256^level entries from its start.
        let span = 256u64.checked_pow(level).ok_or_else(not_found)?;
        let end = path
            .index
            .checked_mul(256)
            .and_then(|i| i.checked_add(width))
            .and_then(|i| i.checked_mul(span))
            .ok_or_else(not_found)?;
        if end > size {
            return Err(not_found());
        }
        let mut conn = self.db.conn()?;
        if path.level.is_some() {
            let id = crate::ledger::TileId {
                level,
                index: path.index,
            };
            let bytes =
                queries::tile_bytes(&mut conn, &self.db.county, id)?.ok_or_else(not_found)?;
            return bytes
                .get(..32 * width as usize)
                .map(<[u8]>::to_vec)
                .ok_or_else(not_found);
        }
        let rows = queries::log_rows(&mut conn, &self.db.county, path.index * 256, width as i64)?;
        let mut out = Vec::new();
        for (idx, _, _, _, leaf) in rows {
            let len = u16::try_from(leaf.len()).map_err(|_| ServiceError::OutOfRange {
                field: "tile",
                reason: format!("entry {idx} is over 65,535 bytes, more than a bundle holds: read it at /api/v1/entries/{idx}"),
                reason_zh: format!("第 {idx} 条超过 65,535 字节，条目包装不下：请在 /api/v1/entries/{idx} 读取"),
            })?;
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(&leaf);
        }
        Ok(out)
    }

    /// The county's trust policy (C2SP tlog-policy) for its title proofs —
    /// the state-log key, the witnesses, the quorum — when the state log is
    /// kept: what a page pins for the browser to verify with.
    pub fn trust_policy(&self) -> Option<String> {
        match (&self.writer, &self.replica) {
            (Some(w), _) => w.policy().map(|p| p.text()),
            (None, Some(r)) => r.policy.as_ref().map(|p| p.text()),
            (None, None) => None,
        }
    }

    /// Up to 1,000 state-log leaves from `from`, each the base64 of its 72
    /// bytes (event size, event root, map root), for a monitor.
    pub fn state_leaves(&self, from: u64) -> Result<Vec<String>, ServiceError> {
        let mut conn = self.db.conn()?;
        Ok(
            crate::store::statelog::leaves(&mut conn, &self.db.county, from, 1000)?
                .iter()
                .map(|l| B64.encode(l.bytes()))
                .collect(),
        )
    }

    /// The newest state checkpoint (issue 20), with the cosignatures it has.
    pub fn state_checkpoint(&self) -> Result<String, ServiceError> {
        let mut conn = self.db.conn()?;
        crate::store::statelog::newest(&mut conn, &self.db.county)?
            .map(|(_, note)| note)
            .ok_or_else(|| ServiceError::NotFound {
                what: "checkpoint",
                id: "state".into(),
                field: "checkpoint",
            })
    }

    /// An example body of each kind this log holds: its newest entry's.
    pub fn kind_examples(&self) -> Result<Vec<(String, serde_json::Value)>, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let mut out = Vec::new();
        for (kind, index) in queries::newest_of_each_kind(&mut conn, county)? {
            if let Some(leaf) = queries::entry_leaf(&mut conn, county, index)? {
                let record: serde_json::Value = serde_json::from_slice(&leaf).unwrap_or_default();
                out.push((kind, record["envelope"]["entry"]["body"].clone()));
            }
        }
        Ok(out)
    }

    /// The newest `n` entries of the log, newest first.
    pub fn recent_entries(&self, n: u64) -> Result<Vec<views::LogLine>, ServiceError> {
        let mut conn = self.db.conn()?;
        let size = queries::log_size(&mut conn, &self.db.county)?;
        let rows = queries::log_rows(&mut conn, &self.db.county, size.saturating_sub(n), n as i64)?;
        let mut lines: Vec<views::LogLine> = rows
            .into_iter()
            .map(|(index, kind, signer, _, leaf)| views::LogLine {
                index: index as u64,
                kind,
                signer: B64.encode(signer),
                integrated: serde_json::from_slice::<serde_json::Value>(&leaf)
                    .ok()
                    .and_then(|v| v.get("integrated")?.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            })
            .collect();
        lines.reverse();
        Ok(lines)
    }

    /// The leaf bytes of one entry, exactly as hashed into the tree.
    pub fn entry(&self, index: u64) -> Result<Vec<u8>, ServiceError> {
        let mut conn = self.db.conn()?;
        queries::entry_leaf(&mut conn, &self.db.county, index)?.ok_or_else(|| {
            ServiceError::NotFound {
                what: "entry",
                id: index.to_string(),
                field: "index",
            }
        })
    }

    /// What an official document prints of the entry that made it (issue
    /// 18): its 核验码 and the day (北京时间) it was written.
    pub fn stamp(&self, index: u64) -> Result<Stamp, ServiceError> {
        let leaf = self.entry(index)?;
        let record: serde_json::Value = serde_json::from_slice(&leaf).unwrap_or_default();
        let day = record["integrated"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| {
                t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
                    .date_naive()
            })
            .unwrap_or_else(|| self.today());
        Ok(Stamp {
            code: document_code(index, &leaf),
            kind: record["envelope"]["entry"]["kind"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            body: record["envelope"]["entry"]["body"].clone(),
            index,
            day,
        })
    }

    /// The entry a 核验码 names, if the code is one of this log's: `1502-K7M2`
    /// read as typed (any case, with or without its hyphen).
    pub fn stamped(&self, code: &str) -> Result<Stamp, ServiceError> {
        let not_found = || ServiceError::NotFound {
            what: "document",
            id: code.to_owned(),
            field: "code",
        };
        let typed: String = code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let digits = typed.len().saturating_sub(4);
        let index: u64 = typed
            .get(..digits)
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|d| d.parse().ok())
            .ok_or_else(not_found)?;
        let stamp = self.stamp(index).map_err(|_| not_found())?;
        if stamp.code.replace('-', "") == typed {
            Ok(stamp)
        } else {
            Err(not_found())
        }
    }

    /// The newest signed checkpoint note.
    pub fn checkpoint(&self) -> Result<(u64, String), ServiceError> {
        let mut conn = self.db.conn()?;
        queries::latest_checkpoint(&mut conn, &self.db.county)?.ok_or_else(|| {
            ServiceError::NotFound {
                what: "checkpoint",
                id: String::new(),
                field: "checkpoint",
            }
        })
    }

    /// The county's figures today: entries, collectives, parcels,
    /// households, contracts, and listings by the stage their pages show.
    pub fn figures(&self) -> Result<queries::CountyCounts, ServiceError> {
        let mut conn = self.db.conn()?;
        Ok(queries::county_counts(
            &mut conn,
            &self.db.county,
            self.today(),
        )?)
    }

    /// P5: entry `index` as evidence for another county — its record, its
    /// inclusion proof and the newest checkpoint it is under, in the shape
    /// `member.end`'s `elsewhere` takes.
    pub fn entry_evidence(
        &self,
        index: u64,
    ) -> Result<crate::model::entry::AdmissionElsewhere, ServiceError> {
        let (size, checkpoint) = self.checkpoint()?;
        if index >= size {
            return Err(ServiceError::NotFound {
                what: "entry",
                id: index.to_string(),
                field: "index",
            });
        }
        let corrupt = |what: &str| ServiceError::Store(StoreError::Corrupt(what.to_owned()));
        let record = String::from_utf8(self.entry(index)?)
            .map_err(|_| corrupt("a stored record is not UTF-8"))?;
        let proof = self.inclusion_proof(index, size)?;
        Ok(crate::model::entry::AdmissionElsewhere {
            county: crate::model::codes::CountyCode::parse(&self.db.county)
                .map_err(|_| corrupt("the county's code does not read"))?,
            checkpoint,
            record,
            proof: proof.iter().map(|h| B64.encode(h)).collect(),
        })
    }

    /// Inclusion proof of `index` in the tree of `size` (≤ the newest checkpoint).
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ServiceError> {
        let (current, _) = self.checkpoint()?;
        if size == 0 || size > current {
            return Err(ServiceError::OutOfRange {
                field: "size",
                reason: format!("size must be between 1 and the checkpoint's {current}"),
                reason_zh: format!("`size` 须在 1 与检查点的 {current} 之间"),
            });
        }
        if index >= size {
            return Err(ServiceError::OutOfRange {
                field: "index",
                reason: format!("index must be less than size {size}"),
                reason_zh: format!("`index` 须小于 `size` {size}"),
            });
        }
        let mut conn = self.db.conn()?;
        Ok(queries::inclusion_proof(
            &mut conn,
            &self.db.county,
            &self.db.tiles,
            index,
            size,
        )?)
    }

    /// Consistency proof between two tree sizes, 1 ≤ old ≤ new ≤ the checkpoint's.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, ServiceError> {
        let (current, _) = self.checkpoint()?;
        if new == 0 || new > current {
            return Err(ServiceError::OutOfRange {
                field: "new",
                reason: format!("new must be between 1 and the checkpoint's {current}"),
                reason_zh: format!("`new` 须在 1 与检查点的 {current} 之间"),
            });
        }
        if old == 0 || old > new {
            return Err(ServiceError::OutOfRange {
                field: "old",
                reason: format!("old must be between 1 and new ({new})"),
                reason_zh: format!("`old` 须在 1 与 `new`（{new}）之间"),
            });
        }
        let mut conn = self.db.conn()?;
        Ok(queries::consistency_proof(
            &mut conn,
            &self.db.county,
            &self.db.tiles,
            old,
            new,
        )?)
    }
}

/// An entry as an official document prints it (issue 18).
#[derive(Debug, Clone)]
pub struct Stamp {
    pub index: u64,
    /// The 核验码: the index and four characters of the entry's leaf hash.
    pub code: String,
    pub kind: String,
    pub body: serde_json::Value,
    /// The day it was written, 北京时间.
    pub day: chrono::NaiveDate,
}

/// A document's 核验码: the log index of its entry, a hyphen, and the first
/// 20 bits of the entry's leaf hash in 32 characters that cannot be misread
/// (no 0/O, 1/I) — short enough to type from paper, and wrong if a digit of
/// the index is.
pub fn document_code(index: u64, leaf: &[u8]) -> String {
    let h = crate::ledger::merkle::leaf_hash(leaf);
    let bits = (u64::from(h[0]) << 12) | (u64::from(h[1]) << 4) | (u64::from(h[2]) >> 4);
    format!("{index}-{}", crate::model::keys::code_chars(bits, 4))
}
