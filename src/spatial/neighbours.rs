//! 四至: the neighbour of a parcel to the east, south, west and north,
//! computed when asked from the parcels around it.

use serde::Serialize;

/// The nearest parcel in each direction, by code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Neighbours {
    pub east: Option<String>,
    pub south: Option<String>,
    pub west: Option<String>,
    pub north: Option<String>,
}

/// Metres per degree of latitude, near enough to rank neighbours.
const M_PER_DEG: f64 = 111_320.0;

/// Ranks `around` (code, bbox) by direction and distance from `target`'s
/// centre, in metres on the local tangent plane.
pub fn neighbours(target: [f64; 4], around: &[(String, [f64; 4])]) -> Neighbours {
    let best = nearest(target, around.iter().map(|(_, b)| *b));
    let name = |i: usize| best[i].map(|j| around[j].0.clone());
    Neighbours {
        east: name(0),
        south: name(1),
        west: name(2),
        north: name(3),
    }
}

/// The place in `around` of the nearest box east, south, west and north of
/// `target`.
fn nearest(target: [f64; 4], around: impl Iterator<Item = [f64; 4]>) -> [Option<usize>; 4] {
    let centre = |b: [f64; 4]| ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    let (cx, cy) = centre(target);
    let k = cy.to_radians().cos();
    let mut best: [Option<(f64, usize)>; 4] = [None; 4];
    for (i, b) in around.enumerate() {
        let (x, y) = centre(b);
        let (dx, dy) = ((x - cx) * k * M_PER_DEG, (y - cy) * M_PER_DEG);
        let dist = dx.hypot(dy);
        if dist == 0.0 {
            continue;
        }
        let dir = if dx.abs() >= dy.abs() {
            if dx > 0.0 {
                0
            } else {
                2
            }
        } else if dy < 0.0 {
            1
        } else {
            3
        };
        if best[dir].is_none_or(|(d, _)| dist < d) {
            best[dir] = Some((dist, i));
        }
    }
    best.map(|b| b.map(|(_, i)| i))
}

/// The 四至 of every parcel of `parcels` (code, bbox) among the others, in
/// the same order: each parcel's candidates are those whose box lies within
/// three of its own widths, found by an R-tree, so a county of 300,000
/// parcels takes a second.
pub fn all_neighbours(parcels: &[(String, [f64; 4])]) -> Vec<Neighbours> {
    use rayon::prelude::*;
    use rstar::{RTree, RTreeObject, AABB};
    struct Boxed(usize, [f64; 4]);
    impl RTreeObject for Boxed {
        type Envelope = AABB<[f64; 2]>;
        fn envelope(&self) -> Self::Envelope {
            AABB::from_corners([self.1[0], self.1[1]], [self.1[2], self.1[3]])
        }
    }
    let tree = RTree::bulk_load(
        parcels
            .iter()
            .enumerate()
            .map(|(i, (_, b))| Boxed(i, *b))
            .collect(),
    );
    parcels
        .par_iter()
        .map(|(_, b)| {
            let reach = 3.0 * (b[2] - b[0]).max(b[3] - b[1]);
            let area =
                AABB::from_corners([b[0] - reach, b[1] - reach], [b[2] + reach, b[3] + reach]);
            let around: Vec<&Boxed> = tree.locate_in_envelope_intersecting(&area).collect();
            let best = nearest(*b, around.iter().map(|o| o.1));
            let name = |i: usize| best[i].map(|j| parcels[around[j].0].0.clone());
            Neighbours {
                east: name(0),
                south: name(1),
                west: name(2),
                north: name(3),
            }
        })
        .collect()
}

impl Neighbours {
    /// East, south, west, north: NY/T 2539's DKDZ, DKNZ, DKXZ, DKBZ.
    pub fn sides(&self) -> [Option<&str>; 4] {
        [
            self.east.as_deref(),
            self.south.as_deref(),
            self.west.as_deref(),
            self.north.as_deref(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_in_each_direction() {
        let b = |x: f64, y: f64| [x, y, x + 0.001, y + 0.001];
        let around = vec![
            ("E".to_string(), b(113.001, 36.0)),
            ("E2".to_string(), b(113.002, 36.0)),
            ("N".to_string(), b(113.0, 36.001)),
            ("S".to_string(), b(113.0, 35.999)),
        ];
        let n = neighbours(b(113.0, 36.0), &around);
        assert_eq!(n.east.as_deref(), Some("E"));
        assert_eq!(n.north.as_deref(), Some("N"));
        assert_eq!(n.south.as_deref(), Some("S"));
        assert_eq!(n.west, None);
    }
}
