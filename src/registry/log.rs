//! The log as readers check it: entries, checkpoints, proofs, the newest entries and each kind's example.

use super::*;

impl Registry {
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
