//! Reads of the log, the tree tiles and the checkpoints, and what is read
//! across tables (the land index, the sequencer); each table's own reads
//! are in its file of `tables`, re-exported here for the callers.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use diesel::prelude::*;

use super::schema::{checkpoints, log_entries, tree_tiles};
pub use super::tables::reads::*;
use super::{DbConnection, StoreError};
use crate::ledger::merkle::{self, Hash};
use crate::ledger::sequencer::Nonces;
use crate::ledger::tiles::{TileHashes, TILE_HEIGHT, TILE_WIDTH};
use crate::ledger::{Sequencer, TileId, TileSource, TreeBuilder};
use crate::model::state::Homestead;
use crate::model::State;
use crate::spatial::ParcelIndex;

/// The most full tiles the cache keeps.
const TILE_CACHE_MAX: usize = 16_384;

/// Full tiles never change, so they are cached; partial ones are always read.
#[derive(Clone, Default)]
pub struct TileCache(Arc<Mutex<HashMap<TileId, Arc<Vec<Hash>>>>>);

/// The stored tiles of one county, read through one connection.
pub struct DbTiles<'a> {
    conn: RefCell<&'a mut DbConnection>,
    county: &'a str,
    cache: &'a TileCache,
    /// Tiles loaded by [`DbTiles::prefetch`] for this one proof.
    fetched: RefCell<HashMap<TileId, Arc<Vec<Hash>>>>,
}

impl<'a> DbTiles<'a> {
    pub fn new(conn: &'a mut DbConnection, county: &'a str, cache: &'a TileCache) -> Self {
        DbTiles {
            conn: RefCell::new(conn),
            county,
            cache,
            fetched: Default::default(),
        }
    }
}

impl DbTiles<'_> {
    /// Loads these tiles in one query; later reads of them hit memory.
    fn prefetch(&self, ids: BTreeSet<TileId>) -> Result<(), StoreError> {
        let cache = self.cache.0.lock().expect("tile cache");
        let missing: Vec<TileId> = ids
            .into_iter()
            .filter(|id| !cache.contains_key(id))
            .collect();
        drop(cache);
        if missing.is_empty() {
            return Ok(());
        }
        // One query for the cross product of levels and indices; the few
        // extra tiles it may bring cost less than more round trips.
        let levels: BTreeSet<i32> = missing.iter().map(|id| id.level as i32).collect();
        let indices: BTreeSet<i64> = missing.iter().map(|id| id.index as i64).collect();
        let rows: Vec<(i32, i64, Vec<u8>)> = tree_tiles::table
            .filter(tree_tiles::county.eq(self.county))
            .filter(tree_tiles::level.eq_any(levels))
            .filter(tree_tiles::idx.eq_any(indices))
            .select((tree_tiles::level, tree_tiles::idx, tree_tiles::hashes))
            .load(&mut **self.conn.borrow_mut())?;
        let mut fetched = self.fetched.borrow_mut();
        for (level, index, bytes) in rows {
            let id = TileId {
                level: level as u32,
                index: index as u64,
            };
            let tile = decode_tile(&bytes).ok_or_else(|| {
                StoreError::Corrupt(format!("tile {level}/{index} is not a list of hashes"))
            })?;
            fetched.insert(id, Arc::new(tile));
        }
        Ok(())
    }
}

impl TileSource for DbTiles<'_> {
    type Error = StoreError;

    fn tile(&self, id: TileId) -> Result<Option<Arc<Vec<Hash>>>, StoreError> {
        if let Some(t) = self.cache.0.lock().expect("tile cache").get(&id) {
            return Ok(Some(t.clone()));
        }
        let tile = match self.fetched.borrow().get(&id) {
            Some(t) => t.clone(),
            None => {
                let mut conn = self.conn.borrow_mut();
                let Some(bytes) = tile_bytes(&mut conn, self.county, id)? else {
                    return Ok(None);
                };
                Arc::new(decode_tile(&bytes).ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "tile {}/{} is not a list of hashes",
                        id.level, id.index
                    ))
                })?)
            }
        };
        if tile.len() == TILE_WIDTH {
            let mut cache = self.cache.0.lock().expect("tile cache");
            if cache.len() >= TILE_CACHE_MAX {
                cache.clear();
            }
            cache.insert(id, tile.clone());
        }
        Ok(Some(tile))
    }
}

pub fn tile_bytes(
    conn: &mut DbConnection,
    county: &str,
    id: TileId,
) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(tree_tiles::table
        .filter(tree_tiles::county.eq(county))
        .filter(tree_tiles::level.eq(id.level as i32))
        .filter(tree_tiles::idx.eq(id.index as i64))
        .select(tree_tiles::hashes)
        .first::<Vec<u8>>(conn)
        .optional()?)
}

pub fn decode_tile(bytes: &[u8]) -> Option<Vec<Hash>> {
    if bytes.is_empty() || !bytes.len().is_multiple_of(32) || bytes.len() > 32 * TILE_WIDTH {
        return None;
    }
    Some(
        bytes
            .chunks_exact(32)
            .map(|c| c.try_into().expect("32 bytes"))
            .collect(),
    )
}

pub fn encode_tile(hashes: &[Hash]) -> Vec<u8> {
    hashes.concat()
}

/// The number of entries in the log.
pub fn log_size(conn: &mut DbConnection, county: &str) -> Result<u64, StoreError> {
    let max: Option<i64> = log_entries::table
        .filter(log_entries::county.eq(county))
        .select(diesel::dsl::max(log_entries::idx))
        .first(conn)?;
    Ok(max.map_or(0, |m| m as u64 + 1))
}

/// The leaf bytes of entry `index`, exactly as hashed.
pub fn entry_leaf(
    conn: &mut DbConnection,
    county: &str,
    index: u64,
) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(log_entries::table
        .filter(log_entries::county.eq(county))
        .filter(log_entries::idx.eq(index as i64))
        .select(log_entries::leaf)
        .first(conn)
        .optional()?)
}

/// Rows of the log from `from` on, at most `limit`: (index, kind, signer, nonce, leaf).
pub type LogRow = (i64, String, Vec<u8>, String, Vec<u8>);

pub fn log_rows(
    conn: &mut DbConnection,
    county: &str,
    from: u64,
    limit: i64,
) -> Result<Vec<LogRow>, StoreError> {
    Ok(log_entries::table
        .filter(log_entries::county.eq(county))
        .filter(log_entries::idx.ge(from as i64))
        .order(log_entries::idx.asc())
        .limit(limit)
        .select((
            log_entries::idx,
            log_entries::kind,
            log_entries::signer,
            log_entries::nonce,
            log_entries::leaf,
        ))
        .load(conn)?)
}

/// The newest entry of each kind: (kind, log index).
pub fn newest_of_each_kind(
    conn: &mut DbConnection,
    county: &str,
) -> Result<Vec<(String, u64)>, StoreError> {
    let rows: Vec<(String, Option<i64>)> = log_entries::table
        .filter(log_entries::county.eq(county))
        .group_by(log_entries::kind)
        .select((log_entries::kind, diesel::dsl::max(log_entries::idx)))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(k, i)| Some((k, i? as u64)))
        .collect())
}

/// The newest signed checkpoint note and its size.
pub fn latest_checkpoint(
    conn: &mut DbConnection,
    county: &str,
) -> Result<Option<(u64, String)>, StoreError> {
    let row: Option<(i64, String)> = checkpoints::table
        .filter(checkpoints::county.eq(county))
        .order(checkpoints::size.desc())
        .select((checkpoints::size, checkpoints::note))
        .first(conn)
        .optional()?;
    Ok(row.map(|(s, n)| (s as u64, n)))
}

/// Inclusion proof of `index` in the tree of `size`, from the stored tiles.
pub fn inclusion_proof(
    conn: &mut DbConnection,
    county: &str,
    cache: &TileCache,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, StoreError> {
    let needed = Needed::default();
    let _ = merkle::inclusion_proof(&needed, index, size);
    let tiles = DbTiles::new(conn, county, cache);
    tiles.prefetch(needed.0.into_inner())?;
    merkle::inclusion_proof(&TileHashes(&tiles), index, size).map_err(tile_error)
}

/// Consistency proof between tree sizes, from the stored tiles.
pub fn consistency_proof(
    conn: &mut DbConnection,
    county: &str,
    cache: &TileCache,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, StoreError> {
    let needed = Needed::default();
    let _ = merkle::consistency_proof(&needed, old, new);
    let tiles = DbTiles::new(conn, county, cache);
    tiles.prefetch(needed.0.into_inner())?;
    merkle::consistency_proof(&TileHashes(&tiles), old, new).map_err(tile_error)
}

/// A dry run of a proof: records which tiles it reads, so that they are
/// fetched in one query (one round trip to PostgreSQL) instead of one each.
#[derive(Default)]
struct Needed(RefCell<BTreeSet<TileId>>);

impl merkle::HashSource for Needed {
    type Error = std::convert::Infallible;
    fn subtree(&self, level: u32, index: u64) -> Result<Hash, Self::Error> {
        let first = index << (level % TILE_HEIGHT);
        self.0.borrow_mut().insert(TileId {
            level: level / TILE_HEIGHT,
            index: first / TILE_WIDTH as u64,
        });
        Ok([0; 32])
    }
}

fn tile_error(e: crate::ledger::tiles::TileError<StoreError>) -> StoreError {
    match e {
        crate::ledger::tiles::TileError::Source(s) => s,
        other => StoreError::Corrupt(other.to_string()),
    }
}

/// The spatial index of a state: boundaries and active parcels, their
/// stored geometry parsed again (in parallel).
pub fn land_of(state: &State) -> Result<ParcelIndex, StoreError> {
    let parcels = state
        .parcels
        .iter()
        .filter(|(_, p)| p.retired_at.is_none())
        .map(|(code, p)| (code.to_string(), p.geometry.clone()))
        .chain(
            state
                .homesteads
                .values()
                .filter(|h| h.exited.is_none())
                .map(|h| (Homestead::land_key(&h.household), h.geometry.clone())),
        )
        .collect();
    let boundaries = state
        .collectives
        .iter()
        .map(|(code, k)| {
            Ok((
                code.clone(),
                shape_of(&k.geojson, &format!("collective {code}"))?,
            ))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(ParcelIndex::bulk(parcels, boundaries))
}

/// The sequencer as the database holds it: state from the projections, the
/// used nonces from the log, the tree's right edge from the tiles.
pub fn load_sequencer(
    conn: &mut DbConnection,
    county: &str,
    cache: &TileCache,
) -> Result<Sequencer, StoreError> {
    let size = log_size(conn, county)?;
    let state = load_state(conn, county)?;
    let mut nonces = Nonces::default();
    let mut from = 0i64;
    loop {
        let rows: Vec<(i64, Vec<u8>, String)> = log_entries::table
            .filter(log_entries::county.eq(county))
            .filter(log_entries::idx.ge(from))
            .order(log_entries::idx.asc())
            .limit(100_000)
            .select((log_entries::idx, log_entries::signer, log_entries::nonce))
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        from = last.0 + 1;
        for (idx, signer, nonce) in rows {
            let signer: [u8; 32] = signer.try_into().map_err(|_| {
                StoreError::Corrupt(format!("log entry {idx}: signer is not 32 bytes"))
            })?;
            nonces.insert(&signer, &nonce, idx as u64);
        }
    }
    let tiles = DbTiles::new(conn, county, cache);
    let tree = TreeBuilder::resume(&tiles, size).map_err(tile_error)?;
    let land = Box::new(land_of(&state)?);
    Ok(Sequencer {
        county: county.to_owned(),
        state,
        land,
        nonces,
        tree,
        map: None,
        poisoned: false,
    })
}

/// The codes of the county's collectives and parcels (registered, retired
/// too): what an import skips.
pub fn registered_codes(
    conn: &mut DbConnection,
    county: &str,
) -> Result<std::collections::HashSet<String>, StoreError> {
    use super::schema::{collectives, parcels};
    let mut known: std::collections::HashSet<String> = collectives::table
        .filter(collectives::county.eq(county))
        .select(collectives::code)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    known.extend(
        parcels::table
            .filter(parcels::county.eq(county))
            .select(parcels::code)
            .load::<String>(conn)?,
    );
    Ok(known)
}

/// A county's figures for a province's statistics (issue 21): each a count
/// over a projection's primary key, no document read.
#[derive(Debug, Clone, Default)]
pub struct CountyCounts {
    pub entries: u64,
    pub collectives: u64,
    /// Parcels not retired.
    pub parcels: u64,
    pub households: u64,
    /// Contracts not returned.
    pub contracts: u64,
    /// Listings by their stored status.
    pub listings: Vec<(String, u64)>,
}

/// The county's figures on `today`: a listing whose notice has run out
/// counts as trading, as its page shows it (`Listing::status_on`), though
/// no step has stored that yet — found by reading only the listings still
/// stored as on notice.
pub fn county_counts(
    conn: &mut DbConnection,
    county: &str,
    today: chrono::NaiveDate,
) -> Result<CountyCounts, StoreError> {
    use super::schema::{collectives, contracts, households, listings, parcels};
    let n = |c: i64| c.max(0) as u64;
    let collectives: i64 = collectives::table
        .filter(collectives::county.eq(county))
        .count()
        .get_result(conn)?;
    let parcels: i64 = parcels::table
        .filter(parcels::county.eq(county))
        .filter(parcels::retired_at.is_null())
        .count()
        .get_result(conn)?;
    let households: i64 = households::table
        .filter(households::county.eq(county))
        .count()
        .get_result(conn)?;
    let contracts: i64 = contracts::table
        .filter(contracts::county.eq(county))
        .filter(contracts::returned_at.is_null())
        .count()
        .get_result(conn)?;
    let listings: Vec<(String, i64)> = listings::table
        .filter(listings::county.eq(county))
        .group_by(listings::status)
        .select((listings::status, diesel::dsl::count_star()))
        .order(listings::status.asc())
        .load(conn)?;
    let mut listings: std::collections::BTreeMap<String, u64> =
        listings.into_iter().map(|(s, c)| (s, n(c))).collect();
    use crate::model::exchange::Status;
    let notice = Status::Notice.as_str();
    if listings.contains_key(notice) {
        let run_out =
            super::tables::listings::listings(conn, county, Some(notice), None, None, i64::MAX)?
                .iter()
                .filter(|l| l.status_on(today) == Status::Trading)
                .count() as u64;
        if run_out > 0 {
            *listings
                .entry(Status::Trading.as_str().to_owned())
                .or_default() += run_out;
            if let Some(left) = listings.get_mut(notice) {
                *left -= run_out;
            }
        }
    }
    listings.retain(|_, c| *c > 0);
    Ok(CountyCounts {
        entries: log_size(conn, county)?,
        collectives: n(collectives),
        parcels: n(parcels),
        households: n(households),
        contracts: n(contracts),
        listings: listings.into_iter().collect(),
    })
}
