//! Reads of the log, the tree tiles, the checkpoints and the key registry.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use diesel::prelude::*;

use super::schema::{
    actor_keys, acts, attestations, certificates, checkpoints, collectives, contract_parcels,
    contracts, counties, county_settings, decisions, derived_rights, distributions, encumbrances,
    estates, expropriations, homesteads, households, hukou_settlements, listings, log_entries,
    memberships, notices, parcels, persons, share_holdings, share_quantifications, surrenders,
    titles_touched, transferee_reviews, tree_tiles,
};
use super::{DbConnection, StoreError};
use crate::ledger::merkle::{self, Hash};
use crate::ledger::sequencer::Nonces;
use crate::ledger::tiles::{TileHashes, TILE_HEIGHT, TILE_WIDTH};
use crate::ledger::{Sequencer, TileId, TileSource, TreeBuilder};
use crate::model::decision::{Assembly, Counts, Decision, Subject};
use crate::model::entry::EncumbranceKind;
use crate::model::person::PersonRecord;
use crate::model::state::Encumbrance;
use crate::model::state::{CompactString, Single};
use crate::model::state::{Contract, Distribution, Homestead, Household, Membership, Notice};
use crate::model::{Area, Collective, County, KeyBinding, Parcel, Role, State};
use crate::spatial::{self, ParcelIndex};

/// Full tiles never change, so they are cached; partial ones are always read.
#[derive(Clone, Default)]
pub struct TileCache(Arc<Mutex<HashMap<TileId, Arc<Vec<Hash>>>>>);

const TILE_CACHE_MAX: usize = 16_384;

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

/// public_key, vkey, role, party, registered_at, revoked_at, department
type KeyRow = (
    Vec<u8>,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
);

/// The keys bound to `party`, in the order they were bound.
pub fn keys_of_party(
    conn: &mut DbConnection,
    county: &str,
    party: &str,
) -> Result<Vec<KeyBinding>, StoreError> {
    let mut keys: Vec<KeyBinding> = load_keys_where(conn, county, None, Some(party))?
        .into_values()
        .collect();
    keys.sort_by_key(|k| k.registered_at);
    Ok(keys)
}

/// The key registry, by public key.
pub fn load_keys(
    conn: &mut DbConnection,
    county: &str,
    only: Option<&[u8; 32]>,
) -> Result<HashMap<[u8; 32], KeyBinding>, StoreError> {
    load_keys_where(conn, county, only, None)
}

fn load_keys_where(
    conn: &mut DbConnection,
    county: &str,
    only: Option<&[u8; 32]>,
    party: Option<&str>,
) -> Result<HashMap<[u8; 32], KeyBinding>, StoreError> {
    let mut query = actor_keys::table
        .filter(actor_keys::county.eq(county))
        .into_boxed();
    if let Some(public) = only {
        query = query.filter(actor_keys::public_key.eq(public.to_vec()));
    }
    if let Some(party) = party {
        query = query.filter(actor_keys::party.eq(party.to_owned()));
    }
    let rows: Vec<KeyRow> = query
        .select((
            actor_keys::public_key,
            actor_keys::vkey,
            actor_keys::role,
            actor_keys::party,
            actor_keys::registered_at,
            actor_keys::revoked_at,
            actor_keys::department,
        ))
        .load(conn)?;
    let mut keys = HashMap::with_capacity(rows.len());
    for (public, vkey, role, party, registered_at, revoked_at, department) in rows {
        let public: [u8; 32] = public
            .try_into()
            .map_err(|_| StoreError::Corrupt("actor_keys.public_key is not 32 bytes".into()))?;
        let role = Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("actor_keys.role `{role}`")))?;
        let department = department
            .map(|d| {
                crate::model::Department::parse(&d)
                    .ok_or_else(|| StoreError::Corrupt(format!("actor_keys.department `{d}`")))
            })
            .transpose()?;
        keys.insert(
            public,
            KeyBinding {
                public,
                vkey,
                role,
                party,
                registered_at: registered_at as u64,
                revoked_at: revoked_at.map(|r| r as u64),
                department,
            },
        );
    }
    Ok(keys)
}

/// Every document of a county in a table kept as JSON, by its index column.
/// The documents of `table` whose `column` equals `value`, by `key`, in
/// key order.
macro_rules! docs_where {
    ($conn:ident, $county:ident, $table:ident, $key:ident, $column:ident == $value:expr) => {
        docs::<_, std::collections::BTreeMap<u64, _>>(
            $table::table
                .filter($table::county.eq($county))
                .filter($table::$column.eq($value))
                .select(($table::$key, $table::doc))
                .load($conn)?,
            stringify!($table),
        )?
    };
}

/// The county's reviews of transferee `party` (M8, X6), by log index.
pub fn reviews_of(
    conn: &mut DbConnection,
    county: &str,
    party: &str,
) -> Result<std::collections::BTreeMap<u64, crate::model::exchange::Review>, StoreError> {
    Ok(docs_where!(
        conn,
        county,
        transferee_reviews,
        idx,
        party == party
    ))
}

macro_rules! all_docs {
    ($conn:ident, $county:ident, $table:ident, $key:ident) => {
        docs(
            $table::table
                .filter($table::county.eq($county))
                .select(($table::$key, $table::doc))
                .load($conn)?,
            stringify!($table),
        )?
    };
}

/// The county as its genesis made it: name, log and root verifier keys.
pub fn county_of(conn: &mut DbConnection, county: &str) -> Result<Option<County>, StoreError> {
    Ok(counties::table
        .filter(counties::county.eq(county))
        .select((
            counties::county,
            counties::name,
            counties::log_vkey,
            counties::root_vkey,
        ))
        .first::<(String, String, String, String)>(conn)
        .optional()?
        .map(|(code, name, log_vkey, root_vkey)| County {
            code,
            name,
            log_vkey,
            root_vkey,
        }))
}

/// The county's settings in force (the defaults before any `county.settings`).
pub fn settings_of(
    conn: &mut DbConnection,
    county: &str,
) -> Result<crate::model::settings::Settings, StoreError> {
    match county_settings::table
        .filter(county_settings::county.eq(county))
        .select(county_settings::settings)
        .first::<String>(conn)
        .optional()?
    {
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("county_settings: {e}"))),
        None => Ok(Default::default()),
    }
}

/// The rules' state, as the projection tables hold it.
pub fn load_state(conn: &mut DbConnection, county: &str) -> Result<State, StoreError> {
    let pairs = |rows: Vec<(String, String)>| rows.into_iter().collect();
    let mut state = State {
        county: Single::new(county_of(conn, county)?),
        settings: Single::new(settings_of(conn, county)?),
        keys: load_keys(conn, county, None)?.into(),
        collectives: load_collectives(conn, county)?.into(),
        parcels: load_parcels(conn, county)?.into(),
        encumbrances: encumbrances_where(conn, county, None)?
            .into_iter()
            .map(|e| (e.index, e))
            .collect(),
        decisions: load_decisions(conn, county)?.into(),
        households: load_households(conn, county, None)?.into(),
        member_of: pairs(
            persons::table
                .filter(persons::county.eq(county))
                .select((persons::commitment, persons::household))
                .load(conn)?,
        ),
        contracts: load_contracts(conn, county, ContractsOf::All)?.into(),
        contract_of: contract_parcels(conn, county)?.into(),
        holdings: share_holdings::table
            .filter(share_holdings::county.eq(county))
            .select((share_holdings::holder, share_holdings::shares))
            .load::<(String, i64)>(conn)?
            .into_iter()
            .map(|(h, n)| (h, n as u64))
            .collect(),
        quantified: share_quantifications::table
            .filter(share_quantifications::county.eq(county))
            .select((
                share_quantifications::collective,
                share_quantifications::idx,
            ))
            .load::<(String, i64)>(conn)?
            .into_iter()
            .map(|(c, i)| (c, i as u64))
            .collect(),
        distributions: load_distributions(conn, county, DistributionsOf::All)?.into(),
        memberships: memberships::table
            .filter(memberships::county.eq(county))
            .select((
                memberships::person,
                memberships::collective,
                memberships::admitted_at,
                memberships::decision,
                memberships::ended_at,
                memberships::end_reason,
            ))
            .load::<(String, String, i64, i64, Option<i64>, Option<String>)>(conn)?
            .into_iter()
            .map(
                |(person, collective, admitted_at, decision, ended_at, reason)| {
                    let m = Membership {
                        person: person.clone(),
                        collective,
                        admitted_at: admitted_at as u64,
                        decision: decision as u64,
                        ended: ended_at.map(|at| (at as u64, reason.unwrap_or_default())),
                    };
                    (person, m)
                },
            )
            .collect(),
        homesteads: load_homesteads(conn, county)?.into(),
        notices: load_notices(conn, county)?.into(),
        certificates: certificates::table
            .filter(certificates::county.eq(county))
            .select((
                certificates::contract,
                certificates::idx,
                certificates::notice,
            ))
            .load::<(String, i64, i64)>(conn)?
            .into_iter()
            .map(|(c, i, n)| (c, (i as u64, n as u64)))
            .collect(),
        listings: all_docs!(conn, county, listings, id),
        rights: all_docs!(conn, county, derived_rights, idx),
        hukou: all_docs!(conn, county, hukou_settlements, idx),
        reviews: all_docs!(conn, county, transferee_reviews, idx),
        surrenders: all_docs!(conn, county, surrenders, idx),
        attestations: all_docs!(conn, county, attestations, idx),
        touched: titles_touched::table
            .filter(titles_touched::county.eq(county))
            .select((titles_touched::title, titles_touched::touched_at))
            .load::<(String, i64)>(conn)?
            .into_iter()
            .map(|(t, at)| (t, at as u64))
            .collect(),
        expropriations: all_docs!(conn, county, expropriations, idx),
        estates: estates::table
            .filter(estates::county.eq(county))
            .select((estates::household, estates::doc))
            .load::<(String, String)>(conn)?
            .into_iter()
            .map(|(h, doc)| {
                serde_json::from_str(&doc)
                    .map(|e| (h.clone(), e))
                    .map_err(|e| StoreError::Corrupt(format!("estates {h}: {e}")))
            })
            .collect::<Result<_, _>>()?,
        acts: all_docs!(conn, county, acts, idx),
        on_title: Default::default(),
        keys_of: Default::default(),
    };
    state.reindex();
    Ok(state)
}

type ContractRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

/// Which distributions to load.
#[derive(Debug, Clone, Copy)]
pub enum DistributionsOf<'a> {
    All,
    Index(u64),
    Collective(&'a str),
}

/// Which contracts to load.
#[derive(Debug, Clone, Copy)]
pub enum ContractsOf<'a> {
    All,
    Code(&'a str),
    /// The contracts of a collective's households.
    Collective(&'a str),
    /// The contract covering a parcel.
    Parcel(&'a str),
    /// The contracts a household holds.
    Household(&'a str),
}

/// Contracts, by code.
pub fn load_contracts(
    conn: &mut DbConnection,
    county: &str,
    which: ContractsOf,
) -> Result<HashMap<String, Contract>, StoreError> {
    let mut query = contracts::table
        .filter(contracts::county.eq(county))
        .into_boxed();
    match which {
        ContractsOf::All => {}
        ContractsOf::Code(code) => {
            query = query.filter(contracts::code.eq(code.to_owned()));
        }
        ContractsOf::Household(code) => {
            query = query.filter(contracts::household.eq(code.to_owned()));
        }
        ContractsOf::Collective(code) => {
            query = query.filter(contracts::household.like(format!("{code}%")));
        }
        ContractsOf::Parcel(code) => {
            let covering: Option<String> = contract_parcels::table
                .filter(contract_parcels::county.eq(county))
                .filter(contract_parcels::parcel.eq(code))
                .select(contract_parcels::contract)
                .first(conn)
                .optional()?;
            let Some(contract) = covering else {
                return Ok(HashMap::new());
            };
            query = query.filter(contracts::code.eq(contract));
        }
    }
    let rows: Vec<ContractRow> = query
        .select((
            contracts::code,
            contracts::household,
            contracts::parcels,
            contracts::start_date,
            contracts::end_date,
            contracts::certificate_members,
            contracts::registered_at,
            contracts::returned_at,
            contracts::return_effective,
            contracts::return_compensation_fen,
        ))
        .load(conn)?;
    let corrupt = |code: &str, what: &str| StoreError::Corrupt(format!("contracts {code}: {what}"));
    let mut all = HashMap::new();
    for (code, household, parcels, start, end, members, at, returned_at, effective, compensation) in
        rows
    {
        let parcels: Vec<String> =
            serde_json::from_str(&parcels).map_err(|_| corrupt(&code, "parcels"))?;
        let k = Contract {
            household,
            parcels,
            start: start.parse().map_err(|_| corrupt(&code, "start"))?,
            end: end.parse().map_err(|_| corrupt(&code, "end"))?,
            certificate_members: serde_json::from_str(&members)
                .map_err(|_| corrupt(&code, "members"))?,
            registered_at: at as u64,
            returned: match (returned_at, effective) {
                (Some(r), Some(e)) => Some((
                    r as u64,
                    e.parse().map_err(|_| corrupt(&code, "return_effective"))?,
                    compensation.unwrap_or(0),
                )),
                _ => None,
            },
            code: code.clone(),
        };
        all.insert(code, k);
    }
    Ok(all)
}

/// Distributions, by log index: all of a county's, or one.
pub fn load_distributions(
    conn: &mut DbConnection,
    county: &str,
    which: DistributionsOf,
) -> Result<HashMap<u64, Distribution>, StoreError> {
    let mut query = distributions::table
        .filter(distributions::county.eq(county))
        .into_boxed();
    match which {
        DistributionsOf::All => {}
        DistributionsOf::Index(i) => query = query.filter(distributions::idx.eq(i as i64)),
        DistributionsOf::Collective(c) => {
            query = query.filter(distributions::collective.eq(c.to_owned()))
        }
    }
    let rows: Vec<DistributionRow> = query
        .select((
            distributions::idx,
            distributions::collective,
            distributions::total_fen,
            distributions::reserve_fen,
            distributions::welfare_fen,
            distributions::parts,
            distributions::decisions,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(idx, collective, total, reserve, welfare, parts, decisions)| {
                let corrupt =
                    |e: serde_json::Error| StoreError::Corrupt(format!("distributions {idx}: {e}"));
                let parts = serde_json::from_str(&parts).map_err(corrupt)?;
                let decisions = decisions
                    .map(|d| serde_json::from_str(&d).map_err(corrupt))
                    .transpose()?
                    .unwrap_or_default();
                Ok((
                    idx as u64,
                    Distribution {
                        index: idx as u64,
                        collective,
                        total,
                        reserve,
                        welfare,
                        parts,
                        decisions,
                    },
                ))
            },
        )
        .collect()
}

type HomesteadRow = (
    String,
    String,
    i64,
    f64,
    f64,
    f64,
    f64,
    String,
    i64,
    Option<i64>,
    Option<i64>,
);

fn load_homesteads(
    conn: &mut DbConnection,
    county: &str,
) -> Result<HashMap<String, Homestead>, StoreError> {
    let rows: Vec<HomesteadRow> = homesteads::table
        .filter(homesteads::county.eq(county))
        .select((
            homesteads::household,
            homesteads::collective,
            homesteads::area_centi_m2,
            homesteads::min_lon,
            homesteads::min_lat,
            homesteads::max_lon,
            homesteads::max_lat,
            homesteads::geometry,
            homesteads::granted_at,
            homesteads::exited_at,
            homesteads::compensation_fen,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(household, collective, area, a, b, c, d, geojson, at, exited, compensation)| {
                let geometry = shape_of(&geojson, &format!("homestead of {household}"))?;
                Ok((
                    household.clone(),
                    Homestead {
                        household,
                        collective,
                        area: Area(area),
                        bbox: [a, b, c, d],
                        geometry,
                        granted_at: at as u64,
                        exited: exited.map(|e| (e as u64, compensation.unwrap_or(0))),
                    },
                ))
            },
        )
        .collect()
}

fn load_notices(conn: &mut DbConnection, county: &str) -> Result<HashMap<u64, Notice>, StoreError> {
    let rows: Vec<(i64, String, String, String, String)> = notices::table
        .filter(notices::county.eq(county))
        .select((
            notices::idx,
            notices::collective,
            notices::contracts,
            notices::from_date,
            notices::to_date,
        ))
        .load(conn)?;
    let corrupt = |i: i64| StoreError::Corrupt(format!("notices {i}"));
    rows.into_iter()
        .map(|(idx, collective, contracts, from, to)| {
            Ok((
                idx as u64,
                Notice {
                    index: idx as u64,
                    collective,
                    contracts: serde_json::from_str(&contracts).map_err(|_| corrupt(idx))?,
                    from: from.parse().map_err(|_| corrupt(idx))?,
                    to: to.parse().map_err(|_| corrupt(idx))?,
                },
            ))
        })
        .collect()
}

/// Documents kept as JSON (listings, derived rights, …), by log index.
pub fn docs<T: serde::de::DeserializeOwned, C: FromIterator<(u64, T)>>(
    rows: Vec<(i64, String)>,
    table: &str,
) -> Result<C, StoreError> {
    rows.into_iter()
        .map(|(i, doc)| {
            serde_json::from_str(&doc)
                .map(|d| (i as u64, d))
                .map_err(|e| StoreError::Corrupt(format!("{table} {i}: {e}")))
        })
        .collect()
}

/// Households, by code.
pub fn load_households(
    conn: &mut DbConnection,
    county: &str,
    code: Option<&str>,
) -> Result<HashMap<String, Household>, StoreError> {
    let mut query = households::table
        .filter(households::county.eq(county))
        .select((
            households::code,
            households::collective,
            households::members,
            households::registered_at,
            households::ended_at,
            households::merged_into,
        ))
        .into_boxed();
    if let Some(code) = code {
        query = query.filter(households::code.eq(code.to_owned()));
    }
    type Row = (String, String, String, i64, Option<i64>, Option<String>);
    let rows: Vec<Row> = query.load(conn)?;
    rows.into_iter()
        .map(|(code, collective, members, at, ended, into)| {
            let members = serde_json::from_str(&members)
                .map_err(|e| StoreError::Corrupt(format!("households {code}: members: {e}")))?;
            Ok((
                code.clone(),
                Household {
                    code,
                    collective,
                    members,
                    registered_at: at as u64,
                    merged: ended.zip(into).map(|(at, into)| (at as u64, into)),
                },
            ))
        })
        .collect()
}

/// The private personal records: (commitment, household, record).
pub fn load_persons(
    conn: &mut DbConnection,
    county: &str,
    household: Option<&str>,
) -> Result<Vec<(String, String, PersonRecord)>, StoreError> {
    let mut query = persons::table
        .filter(persons::county.eq(county))
        .into_boxed();
    if let Some(h) = household {
        query = query.filter(persons::household.eq(h.to_owned()));
    }
    let rows: Vec<(String, String, String, String, String, Option<String>)> = query
        .select((
            persons::commitment,
            persons::household,
            persons::salt,
            persons::name,
            persons::id_number,
            persons::phone,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(commitment, household, salt, name, id_number, phone)| {
            (
                commitment,
                household,
                PersonRecord {
                    salt,
                    name,
                    id_number,
                    phone,
                },
            )
        })
        .collect())
}

type DecisionRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    i32,
    i32,
    i32,
    i32,
    String,
);

/// One decision, by the log index that recorded it.
pub fn decision(
    conn: &mut DbConnection,
    county: &str,
    index: u64,
) -> Result<Option<Decision>, StoreError> {
    Ok(decisions_where(conn, county, Some(index))?.remove(&index))
}

fn load_decisions(
    conn: &mut DbConnection,
    county: &str,
) -> Result<HashMap<u64, Decision>, StoreError> {
    decisions_where(conn, county, None)
}

fn decisions_where(
    conn: &mut DbConnection,
    county: &str,
    index: Option<u64>,
) -> Result<HashMap<u64, Decision>, StoreError> {
    let mut query = decisions::table
        .filter(decisions::county.eq(county))
        .into_boxed();
    if let Some(i) = index {
        query = query.filter(decisions::idx.eq(i as i64));
    }
    let rows: Vec<DecisionRow> = query
        .select((
            decisions::idx,
            decisions::collective,
            decisions::assembly,
            decisions::subject,
            decisions::question,
            decisions::decided_on,
            decisions::eligible,
            decisions::present,
            decisions::in_favour,
            decisions::against,
            decisions::minutes_sha256,
        ))
        .load(conn)?;
    let corrupt = |what: String| StoreError::Corrupt(format!("decisions: {what}"));
    rows.into_iter()
        .map(
            |(
                idx,
                collective,
                assembly,
                subject,
                question,
                date,
                eligible,
                present,
                in_favour,
                against,
                minutes,
            )| {
                let d = Decision {
                    index: idx as u64,
                    collective,
                    assembly: Assembly::parse(&assembly)
                        .ok_or_else(|| corrupt(format!("assembly `{assembly}`")))?,
                    subject: Subject::parse(&subject)
                        .ok_or_else(|| corrupt(format!("subject `{subject}`")))?,
                    question,
                    date: date
                        .parse()
                        .map_err(|_| corrupt(format!("date `{date}`")))?,
                    counts: Counts {
                        eligible: eligible as u32,
                        present: present as u32,
                        in_favour: in_favour as u32,
                        against: against as u32,
                    },
                    minutes_sha256: minutes,
                };
                Ok((d.index, d))
            },
        )
        .collect()
}

/// A distribution as its columns hold it: index, collective, total,
/// reserve, welfare, parts (JSON) and the decisions it rests on (JSON).
type DistributionRow = (i64, String, i64, i64, i64, String, Option<String>);

type EncumbranceRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

/// The encumbrances of a county, or of one parcel, by log index.
pub fn encumbrances_where(
    conn: &mut DbConnection,
    county: &str,
    parcel: Option<&str>,
) -> Result<Vec<Encumbrance>, StoreError> {
    let mut query = encumbrances::table
        .filter(encumbrances::county.eq(county))
        .select((
            encumbrances::idx,
            encumbrances::parcel,
            encumbrances::kind,
            encumbrances::party,
            encumbrances::reason,
            encumbrances::document_sha256,
            encumbrances::released_at,
            encumbrances::lapses_on,
            encumbrances::sued_at,
            encumbrances::pledgee,
        ))
        .order(encumbrances::idx.asc())
        .into_boxed();
    if let Some(p) = parcel {
        query = query.filter(encumbrances::parcel.eq(p.to_owned()));
    }
    let rows: Vec<EncumbranceRow> = query.load(conn)?;
    rows.into_iter()
        .map(
            |(
                idx,
                parcel,
                kind,
                by,
                reason,
                document_sha256,
                released,
                lapses_on,
                sued_at,
                pledgee,
            )| {
                let kind = match kind.as_str() {
                    "seizure" => EncumbranceKind::Seizure,
                    "objection" => EncumbranceKind::Objection,
                    "pledge" => EncumbranceKind::Pledge,
                    other => {
                        return Err(StoreError::Corrupt(format!("encumbrances.kind `{other}`")))
                    }
                };
                Ok(Encumbrance {
                    index: idx as u64,
                    parcel: parcel.into(),
                    kind,
                    by,
                    reason,
                    document_sha256,
                    released_at: released.map(|r| r as u64),
                    lapses_on: lapses_on
                        .map(|d| {
                            d.parse().map_err(|_| {
                                StoreError::Corrupt(format!("encumbrances.lapses_on `{d}`"))
                            })
                        })
                        .transpose()?,
                    sued_at: sued_at.map(|r| r as u64),
                    pledgee,
                })
            },
        )
        .collect()
}

type CollectiveRow = (String, String, i64, f64, f64, f64, f64, String, i64);

macro_rules! collective_columns {
    () => {
        (
            collectives::code,
            collectives::name,
            collectives::area_centi_m2,
            collectives::min_lon,
            collectives::min_lat,
            collectives::max_lon,
            collectives::max_lat,
            collectives::geometry,
            collectives::registered_at,
        )
    };
}

fn collective_of((code, name, area, a, b, c, d, geojson, at): CollectiveRow) -> Collective {
    Collective {
        code,
        name,
        area: Area(area),
        bbox: [a, b, c, d],
        geojson,
        registered_at: at as u64,
    }
}

/// The codes of a collective's households, in order (no members parsed).
pub fn household_codes(
    conn: &mut DbConnection,
    county: &str,
    collective: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(households::table
        .filter(households::county.eq(county))
        .filter(households::collective.eq(collective))
        .order(households::code.asc())
        .select(households::code)
        .load(conn)?)
}

/// The collectives of the county, by code.
pub fn load_collectives(
    conn: &mut DbConnection,
    county: &str,
) -> Result<HashMap<String, Collective>, StoreError> {
    let rows: Vec<CollectiveRow> = collectives::table
        .filter(collectives::county.eq(county))
        .select(collective_columns!())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let k = collective_of(row);
            (k.code.clone(), k)
        })
        .collect())
}

type ParcelAttrs = (
    String,
    String,
    String,
    String,
    String,
    String,
    bool,
    Option<i64>,
);
type ParcelPlace = (i64, f64, f64, f64, f64, String, i64, Option<i64>);
type ParcelRow = (ParcelAttrs, ParcelPlace);

macro_rules! parcel_columns {
    () => {
        (
            (
                parcels::code,
                parcels::collective,
                parcels::name,
                parcels::class,
                parcels::land_use,
                parcels::grade,
                parcels::basic_farmland,
                parcels::declared_centi_m2,
            ),
            (
                parcels::area_centi_m2,
                parcels::min_lon,
                parcels::min_lat,
                parcels::max_lon,
                parcels::max_lat,
                parcels::geometry,
                parcels::registered_at,
                parcels::retired_at,
            ),
        )
    };
}

fn parcel_of(row: ParcelRow) -> Parcel<String> {
    let (
        (code, collective, name, class, land_use, grade, basic_farmland, declared),
        (area, a, b, c, d, geojson, at, retired),
    ) = row;
    Parcel {
        code: code.into(),
        collective: collective.into(),
        name: name.into(),
        class: class.into(),
        land_use: land_use.into(),
        grade: grade.into(),
        basic_farmland,
        declared: declared.map(Area),
        area: Area(area),
        bbox: [a, b, c, d],
        geometry: geojson,
        registered_at: at as u64,
        retired_at: retired.map(|r| r as u64),
    }
}

/// A stored geometry, parsed again (it was validated when registered).
fn shape_of(geojson: &str, what: &str) -> Result<crate::model::state::Shape, StoreError> {
    let value: serde_json::Value =
        serde_json::from_str(geojson).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))?;
    Ok(spatial::footprint(&value, "geometry")
        .map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))?
        .shape)
}

/// Parcels of a county, in pages (a county may hold millions).
fn load_parcels(
    conn: &mut DbConnection,
    county: &str,
) -> Result<HashMap<CompactString, Parcel>, StoreError> {
    let mut all = HashMap::new();
    let mut after = String::new();
    loop {
        let rows: Vec<ParcelRow> = parcels::table
            .filter(parcels::county.eq(county))
            .filter(parcels::code.gt(&after))
            .order(parcels::code.asc())
            .limit(50_000)
            .select(parcel_columns!())
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        after = last.0 .0.clone();
        use rayon::prelude::*;
        let page: Vec<Parcel> = rows
            .into_par_iter()
            .map(|row| {
                let p = parcel_of(row);
                let shape = shape_of(&p.geometry, &format!("parcel {}", p.code))?;
                Ok(p.with_geometry(shape))
            })
            .collect::<Result<_, StoreError>>()?;
        for p in page {
            all.insert(p.code.clone(), p);
        }
    }
    Ok(all)
}

/// One parcel by its code.
pub fn parcel(
    conn: &mut DbConnection,
    county: &str,
    code: &str,
) -> Result<Option<Parcel<String>>, StoreError> {
    let row: Option<ParcelRow> = parcels::table
        .filter(parcels::county.eq(county))
        .filter(parcels::code.eq(code))
        .select(parcel_columns!())
        .first(conn)
        .optional()?;
    Ok(row.map(parcel_of))
}

/// The areas of these parcels, by code (a thousand codes a query; no
/// geometry read).
pub fn parcel_areas(
    conn: &mut DbConnection,
    county: &str,
    codes: &[&str],
) -> Result<HashMap<String, Area>, StoreError> {
    let mut all = HashMap::new();
    for chunk in codes.chunks(1000) {
        let rows: Vec<(String, i64)> = parcels::table
            .filter(parcels::county.eq(county))
            .filter(parcels::code.eq_any(chunk))
            .select((parcels::code, parcels::area_centi_m2))
            .load(conn)?;
        all.extend(rows.into_iter().map(|(code, a)| (code, Area(a))));
    }
    Ok(all)
}

/// The parcels of a collective, in code order.
pub fn parcels_of_collective(
    conn: &mut DbConnection,
    county: &str,
    collective: &str,
    limit: i64,
) -> Result<Vec<Parcel<String>>, StoreError> {
    let rows: Vec<ParcelRow> = parcels::table
        .filter(parcels::county.eq(county))
        .filter(parcels::collective.eq(collective))
        .order(parcels::code.asc())
        .limit(limit)
        .select(parcel_columns!())
        .load(conn)?;
    Ok(rows.into_iter().map(parcel_of).collect())
}

/// Parcels whose bounding box meets `bbox` (min lon, min lat, max lon, max lat).
pub fn parcels_in_bbox(
    conn: &mut DbConnection,
    county: &str,
    bbox: [f64; 4],
    active_only: bool,
    limit: i64,
) -> Result<Vec<Parcel<String>>, StoreError> {
    let rows: Vec<ParcelRow> = parcels::table
        .filter(parcels::county.eq(county))
        .filter(parcels::min_lon.le(bbox[2]))
        .filter(parcels::max_lon.ge(bbox[0]))
        .filter(parcels::min_lat.le(bbox[3]))
        .filter(parcels::max_lat.ge(bbox[1]))
        .order(parcels::code.asc())
        .limit(limit)
        .select(parcel_columns!())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(parcel_of)
        .filter(|p| !active_only || p.retired_at.is_none())
        .collect())
}

/// One collective by its code, with the number of its active parcels.
pub fn collective(
    conn: &mut DbConnection,
    county: &str,
    code: &str,
) -> Result<Option<(Collective, i64)>, StoreError> {
    let row: Option<CollectiveRow> = collectives::table
        .filter(collectives::county.eq(county))
        .filter(collectives::code.eq(code))
        .select(collective_columns!())
        .first(conn)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let active: i64 = parcels::table
        .filter(parcels::county.eq(county))
        .filter(parcels::collective.eq(code))
        .filter(parcels::retired_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(Some((collective_of(row), active)))
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
        poisoned: false,
    })
}

/// The shares a household (or collective) holds.
pub fn shares_of(conn: &mut DbConnection, county: &str, holder: &str) -> Result<u64, StoreError> {
    let n: Option<i64> = share_holdings::table
        .filter(share_holdings::county.eq(county))
        .filter(share_holdings::holder.eq(holder))
        .select(share_holdings::shares)
        .first(conn)
        .optional()?;
    Ok(n.unwrap_or(0) as u64)
}

/// Which of these persons are members of their collective now.
pub fn members_among(
    conn: &mut DbConnection,
    county: &str,
    persons: &[&str],
) -> Result<Vec<String>, StoreError> {
    Ok(memberships::table
        .filter(memberships::county.eq(county))
        .filter(memberships::person.eq_any(persons))
        .filter(memberships::ended_at.is_null())
        .select(memberships::person)
        .load(conn)?)
}

/// A household's homestead as its view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomesteadSummary {
    pub area: Area,
    pub granted_at: u64,
    pub exited_at: Option<u64>,
}

pub fn homestead_summary(
    conn: &mut DbConnection,
    county: &str,
    household: &str,
) -> Result<Option<HomesteadSummary>, StoreError> {
    let row: Option<(i64, i64, Option<i64>)> = homesteads::table
        .filter(homesteads::county.eq(county))
        .filter(homesteads::household.eq(household))
        .select((
            homesteads::area_centi_m2,
            homesteads::granted_at,
            homesteads::exited_at,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(area, granted_at, exited_at)| HomesteadSummary {
        area: Area(area),
        granted_at: granted_at as u64,
        exited_at: exited_at.map(|e| e as u64),
    }))
}

/// The certificate of a contract, if issued: (log index, notice index).
pub fn certificate_of(
    conn: &mut DbConnection,
    county: &str,
    contract: &str,
) -> Result<Option<(u64, u64)>, StoreError> {
    let row: Option<(i64, i64)> = certificates::table
        .filter(certificates::county.eq(county))
        .filter(certificates::contract.eq(contract))
        .select((certificates::idx, certificates::notice))
        .first(conn)
        .optional()?;
    Ok(row.map(|(i, n)| (i as u64, n as u64)))
}

/// The projection of which contract covers each parcel.
pub fn contract_parcels(
    conn: &mut DbConnection,
    county: &str,
) -> Result<HashMap<String, String>, StoreError> {
    Ok(contract_parcels::table
        .filter(contract_parcels::county.eq(county))
        .select((contract_parcels::parcel, contract_parcels::contract))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// Listings, newest first, filtered by status, collective and mode.
pub fn listings(
    conn: &mut DbConnection,
    county: &str,
    status: Option<&str>,
    collective: Option<&str>,
    mode: Option<&str>,
    limit: i64,
) -> Result<Vec<crate::model::exchange::Listing>, StoreError> {
    let mut query = listings::table
        .filter(listings::county.eq(county))
        .into_boxed();
    if let Some(s) = status {
        query = query.filter(listings::status.eq(s.to_owned()));
    }
    if let Some(c) = collective {
        query = query.filter(listings::collective.eq(c.to_owned()));
    }
    if let Some(m) = mode {
        query = query.filter(listings::mode.eq(m.to_owned()));
    }
    let rows: Vec<(i64, String)> = query
        .order(listings::id.desc())
        .limit(limit)
        .select((listings::id, listings::doc))
        .load(conn)?;
    let found: std::collections::BTreeMap<u64, _> = docs(rows, "listings")?;
    Ok(found.into_values().rev().collect())
}

/// The derived rights on a household's land and house.
pub fn rights_of_household(
    conn: &mut DbConnection,
    county: &str,
    household: &str,
) -> Result<Vec<crate::model::exchange::DerivedRight>, StoreError> {
    Ok(
        docs_where!(conn, county, derived_rights, idx, household == household)
            .into_values()
            .collect(),
    )
}

/// One derived right, by the log index of the settlement that made it.
pub fn derived_right(
    conn: &mut DbConnection,
    county: &str,
    index: u64,
) -> Result<Option<crate::model::exchange::DerivedRight>, StoreError> {
    Ok(
        docs_where!(conn, county, derived_rights, idx, idx == index as i64)
            .into_values()
            .next(),
    )
}

/// Expropriations (E1) of a collective's land, by log index.
pub fn expropriations_of(
    conn: &mut DbConnection,
    county: &str,
    collective: &str,
) -> Result<std::collections::BTreeMap<u64, crate::model::state::Expropriation>, StoreError> {
    Ok(docs_where!(
        conn,
        county,
        expropriations,
        idx,
        collective == collective
    ))
}

/// The estate of a household whose last member died (I2–I4).
pub fn estate(
    conn: &mut DbConnection,
    county: &str,
    household: &str,
) -> Result<Option<crate::model::state::Estate>, StoreError> {
    let doc: Option<String> = estates::table
        .filter(estates::county.eq(county))
        .filter(estates::household.eq(household))
        .select(estates::doc)
        .first(conn)
        .optional()?;
    doc.map(|d| {
        serde_json::from_str(&d)
            .map_err(|e| StoreError::Corrupt(format!("estates {household}: {e}")))
    })
    .transpose()
}

/// One expropriation (E1), by the log index of its pre-announcement.
pub fn expropriation(
    conn: &mut DbConnection,
    county: &str,
    index: u64,
) -> Result<Option<crate::model::state::Expropriation>, StoreError> {
    Ok(
        docs_where!(conn, county, expropriations, idx, idx == index as i64)
            .into_values()
            .next(),
    )
}

/// One attestation of retained rights (G3), by its log index.
pub fn attestation(
    conn: &mut DbConnection,
    county: &str,
    index: u64,
) -> Result<Option<crate::model::state::Attestation>, StoreError> {
    Ok(
        docs_where!(conn, county, attestations, idx, idx == index as i64)
            .into_values()
            .next(),
    )
}

/// A household's surrenders (returns and exits) with their cooling-off
/// windows, oldest first (G4).
pub fn surrenders_of(
    conn: &mut DbConnection,
    county: &str,
    household: &str,
) -> Result<Vec<crate::model::state::Surrender>, StoreError> {
    Ok(
        docs_where!(conn, county, surrenders, idx, household == household)
            .into_values()
            .collect(),
    )
}

/// The acts over `party` (A1), open or closed, oldest first. (Acts are few:
/// every one of the county is read.)
pub fn acts_over(
    conn: &mut DbConnection,
    county: &str,
    party: &str,
) -> Result<Vec<crate::model::state::Act>, StoreError> {
    Ok(all_acts(conn, county)?
        .into_values()
        .filter(|a| a.parties.iter().any(|p| p == party))
        .collect())
}

/// Every act over a party, and every key on notice (A1–A3), by index.
pub fn all_acts(
    conn: &mut DbConnection,
    county: &str,
) -> Result<std::collections::BTreeMap<u64, crate::model::state::Act>, StoreError> {
    Ok(all_docs!(conn, county, acts, idx))
}

/// The log indexes of a household's attestations, oldest first.
pub fn attestations_of(
    conn: &mut DbConnection,
    county: &str,
    household: &str,
) -> Result<Vec<u64>, StoreError> {
    Ok(attestations::table
        .filter(attestations::county.eq(county))
        .filter(attestations::household.eq(household))
        .order(attestations::idx.asc())
        .select(attestations::idx)
        .load::<i64>(conn)?
        .into_iter()
        .map(|i| i as u64)
        .collect())
}

/// One listing with its history.
pub fn listing(
    conn: &mut DbConnection,
    county: &str,
    id: u64,
) -> Result<Option<crate::model::exchange::Listing>, StoreError> {
    Ok(docs_where!(conn, county, listings, id, id == id as i64)
        .into_values()
        .next())
}
