//! Merkle tree storage as C2SP tlog-tiles: tiles of height 8, each up to 256
//! hashes of one tree level (0, 8, 16, …). A tile is identified by (tile
//! level, tile index); a partial tile (width < 256) is rewritten as it grows,
//! and a full one never changes. Any complete subtree hash is computed from
//! one tile, so a proof reads O(log n) tiles and an append reads none.

use super::merkle::{node_hash, range_hash, Hash, HashSource};

pub const TILE_HEIGHT: u32 = 8;
pub const TILE_WIDTH: usize = 1 << TILE_HEIGHT;

/// A tile's place in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    pub level: u32,
    pub index: u64,
}

/// Reads stored tiles. A returned tile may be wider than asked for (it grew
/// since); its first hashes never change.
pub trait TileSource {
    type Error;
    fn tile(&self, id: TileId) -> Result<Option<std::sync::Arc<Vec<Hash>>>, Self::Error>;
}

/// Errors of a tile-backed hash source.
#[derive(Debug, thiserror::Error)]
pub enum TileError<E> {
    #[error("tile {0:?} is missing or too narrow")]
    Missing(TileId),
    #[error(transparent)]
    Source(E),
}

/// Complete subtree hashes computed from stored tiles.
pub struct TileHashes<'a, S>(pub &'a S);

impl<S: TileSource> HashSource for TileHashes<'_, S> {
    type Error = TileError<S::Error>;

    fn subtree(&self, level: u32, index: u64) -> Result<Hash, Self::Error> {
        let tile_level = level / TILE_HEIGHT;
        let rest = level % TILE_HEIGHT;
        let first = index << rest;
        let count = 1usize << rest;
        let id = TileId {
            level: tile_level,
            index: first / TILE_WIDTH as u64,
        };
        let offset = (first % TILE_WIDTH as u64) as usize;
        let tile = self
            .0
            .tile(id)
            .map_err(TileError::Source)?
            .ok_or(TileError::Missing(id))?;
        let hashes = tile
            .get(offset..offset + count)
            .ok_or(TileError::Missing(id))?;
        Ok(fold_complete(hashes))
    }
}

/// The root of a power-of-two run of hashes.
pub fn fold_complete(hashes: &[Hash]) -> Hash {
    debug_assert!(hashes.len().is_power_of_two());
    if hashes.len() == 1 {
        return hashes[0];
    }
    let mut layer: Vec<Hash> = hashes
        .chunks_exact(2)
        .map(|p| node_hash(&p[0], &p[1]))
        .collect();
    while layer.len() > 1 {
        layer = layer
            .chunks_exact(2)
            .map(|p| node_hash(&p[0], &p[1]))
            .collect();
    }
    layer[0]
}

/// The right edge of the tree, in memory: the partial tile of each tile level
/// and the tiles changed since the last [`TreeBuilder::take_dirty`]. Appending
/// reads nothing from storage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeBuilder {
    size: u64,
    /// `edge[l]`: hashes of the tile at level `l` that is not yet full.
    edge: Vec<Vec<Hash>>,
    dirty: std::collections::BTreeMap<TileId, Vec<Hash>>,
}

impl TreeBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Resumes from stored tiles at tree size `size`.
    pub fn resume<S: TileSource>(src: &S, size: u64) -> Result<Self, TileError<S::Error>> {
        let mut edge = Vec::new();
        let mut level = 0;
        loop {
            let count = size >> (TILE_HEIGHT * level);
            if count == 0 {
                break;
            }
            let width = (count % TILE_WIDTH as u64) as usize;
            let id = TileId {
                level,
                index: count / TILE_WIDTH as u64,
            };
            let partial = if width == 0 {
                Vec::new()
            } else {
                let tile = src
                    .tile(id)
                    .map_err(TileError::Source)?
                    .ok_or(TileError::Missing(id))?;
                tile.get(..width).ok_or(TileError::Missing(id))?.to_vec()
            };
            edge.push(partial);
            level += 1;
        }
        Ok(TreeBuilder {
            size,
            edge,
            dirty: Default::default(),
        })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn append(&mut self, leaf: Hash) {
        let mut hash = leaf;
        let mut level = 0usize;
        loop {
            if self.edge.len() == level {
                self.edge.push(Vec::with_capacity(TILE_WIDTH));
            }
            let index = (self.size >> (TILE_HEIGHT as usize * level)) / TILE_WIDTH as u64;
            let tile = &mut self.edge[level];
            tile.push(hash);
            let id = TileId {
                level: level as u32,
                index,
            };
            if tile.len() < TILE_WIDTH {
                self.dirty.insert(id, tile.clone());
                break;
            }
            hash = fold_complete(tile);
            self.dirty.insert(id, std::mem::take(tile));
            level += 1;
        }
        self.size += 1;
    }

    /// The tiles changed since the last call, in their final state.
    pub fn take_dirty(&mut self) -> Vec<(TileId, Vec<Hash>)> {
        std::mem::take(&mut self.dirty).into_iter().collect()
    }

    /// The root hash of the tree as it stands.
    pub fn root(&self) -> Hash {
        range_hash(&EdgeHashes(self), 0, self.size).expect("the edge holds the right edge")
    }
}

/// The complete subtrees along the right edge, from the builder's partial tiles.
struct EdgeHashes<'a>(&'a TreeBuilder);

impl HashSource for EdgeHashes<'_> {
    type Error = ();
    fn subtree(&self, level: u32, index: u64) -> Result<Hash, ()> {
        let tile_level = (level / TILE_HEIGHT) as usize;
        let rest = level % TILE_HEIGHT;
        let first = (index << rest) as usize % TILE_WIDTH;
        let tile = self.0.edge.get(tile_level).ok_or(())?;
        Ok(fold_complete(
            tile.get(first..first + (1 << rest)).ok_or(())?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::merkle::{inclusion_proof, leaf_hash, MemoryTree};
    use std::collections::HashMap;
    use std::sync::Arc;

    #[derive(Default)]
    struct Store(HashMap<TileId, Arc<Vec<Hash>>>);

    impl TileSource for Store {
        type Error = ();
        fn tile(&self, id: TileId) -> Result<Option<Arc<Vec<Hash>>>, ()> {
            Ok(self.0.get(&id).cloned())
        }
    }

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn builder_roots_and_tile_proofs_match_the_whole_tree() {
        let all = leaves(70_000);
        let mut b = TreeBuilder::new();
        let mut store = Store::default();
        for (i, leaf) in all.iter().enumerate() {
            b.append(*leaf);
            // Flush at irregular batch sizes, as the writer does.
            if i % 997 == 0 || i + 1 == all.len() {
                for (id, t) in b.take_dirty() {
                    store.0.insert(id, Arc::new(t));
                }
            }
            let n = i as u64 + 1;
            if [1, 2, 3, 255, 256, 257, 511, 65_535, 65_536, 65_537, 70_000].contains(&n) {
                assert_eq!(
                    b.root(),
                    MemoryTree::new(&all[..i + 1]).root(),
                    "root at {n}"
                );
            }
        }
        let whole = MemoryTree::new(&all);
        let tiles = TileHashes(&store);
        for (i, n) in [
            (0, 70_000),
            (69_999, 70_000),
            (65_535, 65_600),
            (300, 301),
            (12_345, 65_536),
        ] {
            assert_eq!(
                inclusion_proof(&tiles, i, n).unwrap(),
                inclusion_proof(&whole, i, n).unwrap(),
                "proof {i} in {n}"
            );
        }
        let resumed = TreeBuilder::resume(&store, 70_000).unwrap();
        assert_eq!(resumed.root(), whole.root());
        let mut partial = TreeBuilder::resume(&store, 65_537).unwrap();
        assert_eq!(partial.root(), MemoryTree::new(&all[..65_537]).root());
        partial.append(all[65_537]);
        assert_eq!(partial.root(), MemoryTree::new(&all[..65_538]).root());
    }
}

/// A C2SP tlog-tiles resource: `tile/<L>/<N>[.p/<W>]` or
/// `tile/entries/<N>[.p/<W>]`, `<N>` in zero-padded 3-digit elements, all
/// but the last with an `x` (1234067 is `x001/x234/067`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TilePath {
    /// `None` for an entry bundle.
    pub level: Option<u32>,
    pub index: u64,
    /// A partial tile's width (1 to 255).
    pub width: Option<usize>,
}

impl TilePath {
    /// Reads the path after `tile/`; `None` for anything else.
    pub fn parse(path: &str) -> Option<TilePath> {
        let (head, rest) = path.split_once('/')?;
        let level = match head {
            "entries" => None,
            l if l == "0" || (!l.starts_with('0') && l.len() <= 2) => {
                Some(l.parse::<u32>().ok().filter(|l| *l <= 63)?)
            }
            _ => return None,
        };
        let (n, width) = match rest.split_once(".p/") {
            Some((n, w)) => {
                let width: usize = w.parse().ok().filter(|w| (1..=255).contains(w))?;
                (n, (width.to_string() == w).then_some(width)?.into())
            }
            None => (rest, None),
        };
        let parts: Vec<&str> = n.split('/').collect();
        let mut index: u64 = 0;
        for (i, part) in parts.iter().enumerate() {
            let digits = if i + 1 < parts.len() {
                part.strip_prefix('x')?
            } else {
                part
            };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            index = index
                .checked_mul(1000)?
                .checked_add(digits.parse::<u64>().ok()?)?;
        }
        (parts.len() <= 7).then_some(TilePath {
            level,
            index,
            width,
        })
    }
}

#[cfg(test)]
mod path_tests {
    use super::TilePath;

    #[test]
    fn tile_paths_read_as_tlog_tiles_writes_them() {
        let p = |s| TilePath::parse(s);
        assert_eq!(
            p("0/x001/x234/067"),
            Some(TilePath {
                level: Some(0),
                index: 1_234_067,
                width: None
            })
        );
        assert_eq!(
            p("2/000.p/7"),
            Some(TilePath {
                level: Some(2),
                index: 0,
                width: Some(7)
            })
        );
        assert_eq!(
            p("entries/x001/000.p/255"),
            Some(TilePath {
                level: None,
                index: 1000,
                width: Some(255)
            })
        );
        for bad in [
            "0/1",
            "0/0001",
            "00/000",
            "64/000",
            "0/001/002",
            "0/x001",
            "0/000.p/0",
            "0/000.p/256",
            "0/000.p/07",
            "entries/",
            "x/000",
        ] {
            assert_eq!(p(bad), None, "{bad}");
        }
    }
}
