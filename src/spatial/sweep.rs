//! Whether any two edges of a geometry share a point they should not, in
//! O(n log n): the Shamos–Hoey sweep. A vertical line sweeps left to right;
//! the edges it crosses are kept ordered bottom to top, and only edges that
//! become neighbours in that order are tested, since the leftmost meeting
//! point of two edges is always reached by two neighbours first. This is what
//! bounds the work an envelope can cost before the writer sees it (a
//! comb-shaped ring of n positions costs n log n, not n²).

use std::cmp::Ordering;
use std::collections::BTreeSet;

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::Coord;

/// An edge of ring `ring`, from its position `at` to the next; `of` is the
/// number of edges in that ring.
#[derive(Debug, Clone, Copy)]
pub(super) struct Edge {
    pub from: Coord,
    pub to: Coord,
    pub ring: u32,
    pub at: u32,
    pub of: u32,
}

impl Edge {
    /// Edges of one ring that follow each other share a position by design.
    fn adjacent(&self, other: &Edge) -> bool {
        self.ring == other.ring
            && ((self.at + 1) % self.of == other.at || (other.at + 1) % other.of == self.at)
    }
}

fn lex(a: Coord, b: Coord) -> Ordering {
    a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y))
}

/// An edge in the sweep's order: left end `p`, right end `q`.
#[derive(Debug, Clone, Copy)]
struct Key {
    p: Coord,
    q: Coord,
    id: u32,
}

impl Key {
    /// Where `other` lies against this edge, for an `other` that starts at
    /// or after this one's start: above is Less (this edge is below it).
    fn against(&self, other: &Key) -> Ordering {
        let mut o = RobustKernel::orient2d(self.p, self.q, other.p);
        if o == Orientation::Collinear {
            o = RobustKernel::orient2d(self.p, self.q, other.q);
        }
        match o {
            Orientation::CounterClockwise => Ordering::Less,
            Orientation::Clockwise => Ordering::Greater,
            Orientation::Collinear => self.id.cmp(&other.id),
        }
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.id == other.id {
            Ordering::Equal
        } else if lex(self.p, other.p) != Ordering::Greater {
            self.against(other)
        } else {
            other.against(self).reverse()
        }
    }
}

fn on_segment(a: Coord, b: Coord, p: Coord) -> bool {
    p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
}

/// Whether segments ab and cd share any point.
pub(super) fn segments_touch(a: Coord, b: Coord, c: Coord, d: Coord) -> bool {
    let orient = RobustKernel::orient2d;
    let (o1, o2, o3, o4) = (
        orient(a, b, c),
        orient(a, b, d),
        orient(c, d, a),
        orient(c, d, b),
    );
    use Orientation::Collinear as C;
    (o1 != o2 && o3 != o4)
        || (o1 == C && on_segment(a, b, c))
        || (o2 == C && on_segment(a, b, d))
        || (o3 == C && on_segment(c, d, a))
        || (o4 == C && on_segment(c, d, b))
}

/// The first pair of edges (by index into `edges`) that share a point
/// without following each other in one ring, or `None`.
pub(super) fn first_meeting(edges: &[Edge]) -> Option<(usize, usize)> {
    let keys: Vec<Key> = edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let (p, q) = if lex(e.from, e.to) == Ordering::Greater {
                (e.to, e.from)
            } else {
                (e.from, e.to)
            };
            Key { p, q, id: i as u32 }
        })
        .collect();
    // Events: each edge enters at its left end and leaves at its right end;
    // at one point, entries come first, so edges that only touch there meet.
    let mut events: Vec<(Coord, bool, u32)> = Vec::with_capacity(2 * keys.len());
    for k in &keys {
        events.push((k.p, false, k.id));
        events.push((k.q, true, k.id));
    }
    events.sort_unstable_by(|a, b| lex(a.0, b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let meets = |a: &Key, b: &Key| {
        let (ea, eb) = (&edges[a.id as usize], &edges[b.id as usize]);
        (!ea.adjacent(eb) && segments_touch(ea.from, ea.to, eb.from, eb.to))
            .then_some((a.id.min(b.id) as usize, a.id.max(b.id) as usize))
    };
    let mut active: BTreeSet<Key> = BTreeSet::new();
    for (_, leaves, id) in events {
        let key = keys[id as usize];
        if !leaves {
            let below = active.range(..key).next_back().copied();
            let above = active.range(key..).next().copied();
            for other in below.iter().chain(above.iter()) {
                if let Some(pair) = meets(&key, other) {
                    return Some(pair);
                }
            }
            active.insert(key);
        } else {
            if !active.remove(&key) {
                // The order broke, which only edges that meet can do: find
                // the meeting the slow way, for this edge only.
                return keys
                    .iter()
                    .filter(|k| k.id != id)
                    .find_map(|k| meets(&key, k));
            }
            let below = active.range(..key).next_back().copied();
            let above = active.range(key..).next().copied();
            if let (Some(b), Some(a)) = (below, above) {
                if let Some(pair) = meets(&b, &a) {
                    return Some(pair);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn ring_edges(rings: &[Vec<Coord>]) -> Vec<Edge> {
        let mut edges = Vec::new();
        for (r, ring) in rings.iter().enumerate() {
            let of = ring.len() as u32 - 1;
            for i in 0..ring.len() - 1 {
                edges.push(Edge {
                    from: ring[i],
                    to: ring[i + 1],
                    ring: r as u32,
                    at: i as u32,
                    of,
                });
            }
        }
        edges
    }

    fn brute(edges: &[Edge]) -> bool {
        (0..edges.len()).any(|i| {
            (i + 1..edges.len()).any(|j| {
                let (a, b) = (&edges[i], &edges[j]);
                !a.adjacent(b) && segments_touch(a.from, a.to, b.from, b.to)
            })
        })
    }

    /// Whether a ring folds back on itself at a position (a spike), which
    /// `validate` refuses before the sweep runs.
    fn spiky(ring: &[Coord]) -> bool {
        let n = ring.len() - 1;
        (0..n).any(|i| {
            let (a, b, c) = (ring[i], ring[i + 1], ring[(i + 2) % n]);
            RobustKernel::orient2d(a, b, c) == Orientation::Collinear
                && (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y) < 0.0
        })
    }

    /// The sweep agrees with the all-pairs test on random rings drawn on a
    /// small grid, where shared positions, collinear and vertical edges and
    /// touching rings are common (rings with spikes are `validate`'s).
    #[test]
    fn sweep_agrees_with_all_pairs() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let (mut meeting, mut clear) = (0, 0);
        for _ in 0..20_000 {
            let rings: Vec<Vec<Coord>> = (0..rng.gen_range(1..=3))
                .map(|_| {
                    let n = rng.gen_range(3..=7);
                    let mut ring: Vec<Coord> = (0..n)
                        .map(|_| Coord {
                            x: rng.gen_range(0..6) as f64,
                            y: rng.gen_range(0..6) as f64,
                        })
                        .collect();
                    ring.dedup();
                    ring.push(ring[0]);
                    ring
                })
                .filter(|r| r.len() >= 4 && !spiky(r))
                .collect();
            if rings.is_empty() {
                continue;
            }
            let edges = ring_edges(&rings);
            let expected = brute(&edges);
            let found = first_meeting(&edges);
            assert_eq!(found.is_some(), expected, "{rings:?}");
            if let Some((i, j)) = found {
                let (a, b) = (&edges[i], &edges[j]);
                assert!(!a.adjacent(b) && segments_touch(a.from, a.to, b.from, b.to));
                meeting += 1;
            } else {
                clear += 1;
            }
        }
        // Both answers were exercised, many times.
        assert!(meeting > 1000 && clear > 1000, "{meeting} {clear}");
    }

    /// A comb of 5,000 teeth and a star of 5,000 spikes whose edges' boxes
    /// all overlap are answered right (how fast: `sanquan bench hostile`).
    #[test]
    fn combs_and_fans_are_answered() {
        let mut comb = vec![Coord { x: 0.0, y: 0.0 }];
        for i in 0..5_000 {
            let x = i as f64 * 2.0;
            comb.push(Coord { x: x + 1.0, y: 0.0 });
            comb.push(Coord {
                x: x + 1.0,
                y: 100.0,
            });
            comb.push(Coord {
                x: x + 2.0,
                y: 100.0,
            });
            comb.push(Coord { x: x + 2.0, y: 0.0 });
        }
        comb.push(Coord {
            x: 10_001.0,
            y: -1.0,
        });
        comb.push(Coord { x: 0.0, y: -1.0 });
        comb.push(comb[0]);
        assert_eq!(first_meeting(&ring_edges(&[comb.clone()])), None);
        // Close the comb through its teeth: it meets itself.
        let n = comb.len();
        comb[n - 2] = Coord { x: 0.0, y: 50.0 };
        assert!(first_meeting(&ring_edges(&[comb])).is_some());

        // A star of 5,000 long spikes about one centre: every edge's box
        // overlaps nearly every other's, and none meet.
        let spikes = 5_000;
        let mut star: Vec<Coord> = (0..2 * spikes)
            .map(|k| {
                let angle = std::f64::consts::PI * k as f64 / spikes as f64;
                let r = if k % 2 == 0 { 1000.0 } else { 1.0 };
                Coord {
                    x: r * angle.cos(),
                    y: r * angle.sin(),
                }
            })
            .collect();
        star.push(star[0]);
        assert_eq!(first_meeting(&ring_edges(&[star.clone()])), None);
        // Two spike tips swapped: their spikes cross.
        star.swap(2, 6);
        assert!(first_meeting(&ring_edges(&[star])).is_some());
    }
}
