//! The R-tree of active parcels and the collectives' boundaries: the
//! [`Land`] the parcel rules ask.

use std::collections::HashMap;
use std::sync::Arc;

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{BooleanOps, ConvexHull, Coord, GeodesicArea, MultiPolygon, Polygon};
use rstar::{Envelope, RTree, RTreeObject, AABB};

use super::sweep::segments_touch;
use super::validate::bbox_of;
use crate::model::land::Collision;
use crate::model::state::{Homestead, Shape};
use crate::model::titles::Title;
use crate::model::{Area, Change, Footprint, Land};

struct Entry {
    code: Box<str>,
    envelope: AABB<[f64; 2]>,
    shape: Shape,
    /// One convex ring without holes: clipped exactly and cheaply.
    convex: bool,
}

impl RTreeObject for Entry {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.envelope
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

struct Boundary {
    shape: Shape,
    envelope: AABB<[f64; 2]>,
    /// The boundary's edges, for the crossing test.
    edges: RTree<Edge>,
}

#[derive(Clone, Copy, PartialEq)]
struct Edge(Coord, Coord);

impl RTreeObject for Edge {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners([self.0.x, self.0.y], [self.1.x, self.1.y])
    }
}

/// Active parcels in an R-tree, and the boundaries of collectives.
#[derive(Default)]
pub struct ParcelIndex {
    parcels: RTree<Entry>,
    envelopes: HashMap<Box<str>, AABB<[f64; 2]>>,
    boundaries: HashMap<String, Boundary>,
}

fn envelope(b: [f64; 4]) -> AABB<[f64; 2]> {
    AABB::from_corners([b[0], b[1]], [b[2], b[3]])
}

fn is_convex(shape: &MultiPolygon) -> bool {
    match shape.0.as_slice() {
        [p] if p.interiors().is_empty() => {
            p.convex_hull().exterior().0.len() == p.exterior().0.len()
        }
        _ => false,
    }
}

impl ParcelIndex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.parcels.size()
    }

    pub fn is_empty(&self) -> bool {
        self.parcels.size() == 0
    }

    /// Builds the index at once from many parcels (at start-up).
    pub fn bulk(parcels: Vec<(String, Shape)>, boundaries: Vec<(String, Shape)>) -> Self {
        let entries: Vec<Entry> = parcels
            .into_iter()
            .map(|(code, shape)| entry(code, shape))
            .collect();
        let envelopes = entries
            .iter()
            .map(|e| (e.code.clone(), e.envelope))
            .collect();
        let mut index = ParcelIndex {
            parcels: RTree::bulk_load(entries),
            envelopes,
            boundaries: HashMap::new(),
        };
        for (code, shape) in boundaries {
            index.add_boundary(code, shape);
        }
        index
    }

    /// Adds a collective's boundary (as `collective.register` does).
    pub fn add_boundary(&mut self, code: String, shape: Shape) {
        let edges = shape
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|ring| ring.lines().map(|l| Edge(l.start, l.end)))
            .collect();
        let boundary = Boundary {
            envelope: envelope(bbox_of(&shape)),
            shape,
            edges: RTree::bulk_load(edges),
        };
        self.boundaries.insert(code, boundary);
    }

    /// Adds an active parcel (as `parcel.register` does).
    pub fn add_parcel(&mut self, code: &str, shape: Shape) {
        let e = entry(code.to_owned(), shape);
        self.envelopes.insert(e.code.clone(), e.envelope);
        self.parcels.insert(e);
    }

    fn remove(&mut self, code: &str) {
        if let Some(envelope) = self.envelopes.remove(code) {
            let probe = Entry {
                code: code.into(),
                envelope,
                shape: Arc::new(MultiPolygon(vec![])),
                convex: false,
            };
            self.parcels.remove(&probe);
        }
    }
}

fn entry(code: String, shape: Shape) -> Entry {
    Entry {
        envelope: envelope(bbox_of(&shape)),
        convex: is_convex(&shape),
        code: code.into_boxed_str(),
        shape,
    }
}

/// Sutherland–Hodgman: the part of `subject` inside the convex,
/// counter-clockwise ring `clip`.
fn clip_convex(subject: &[Coord], clip: &[Coord]) -> Vec<Coord> {
    let mut out: Vec<Coord> = subject[..subject.len() - 1].to_vec();
    let n = clip.len() - 1;
    for i in 0..n {
        if out.is_empty() {
            break;
        }
        let (a, b) = (clip[i], clip[i + 1]);
        let inside = |p: Coord| (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x) >= 0.0;
        let input = std::mem::take(&mut out);
        for j in 0..input.len() {
            let (p, q) = (input[j], input[(j + 1) % input.len()]);
            let (pin, qin) = (inside(p), inside(q));
            if pin {
                out.push(p);
            }
            if pin != qin {
                let (dx, dy) = (q.x - p.x, q.y - p.y);
                let (ex, ey) = (b.x - a.x, b.y - a.y);
                let t = (ex * (a.y - p.y) - ey * (a.x - p.x)) / (ex * dy - ey * dx);
                out.push(Coord {
                    x: p.x + t * dx,
                    y: p.y + t * dy,
                });
            }
        }
    }
    out
}

/// Metres per degree of latitude (and of longitude at the equator), for a
/// first estimate only.
const M_PER_DEG: f64 = 111_320.0;

/// The area of a ring on the local tangent plane, in m²: within a fraction
/// of a percent of the geodesic area at the size of parcels.
fn local_area_m2(ring: &[Coord]) -> f64 {
    let k = ring[0].y.to_radians().cos();
    let mut twice = 0.0;
    for w in ring.windows(2) {
        twice += w[0].x * w[1].y - w[1].x * w[0].y;
    }
    (twice / 2.0).abs() * k * M_PER_DEG * M_PER_DEG
}

/// The geodesic area both shapes cover, when it may exceed `tolerance`;
/// zero when it surely does not (neighbours that only touch clip to slivers,
/// and their geodesic area is not worth computing).
fn overlap(a: &MultiPolygon, b: &Entry, tolerance: Area) -> Area {
    if b.convex && a.0.len() == 1 && a.0[0].interiors().is_empty() {
        let mut ring = clip_convex(&a.0[0].exterior().0, &b.shape.0[0].exterior().0);
        if ring.len() < 3 {
            return Area::ZERO;
        }
        ring.push(ring[0]);
        if local_area_m2(&ring) < tolerance.as_m2_f64() / 2.0 {
            return Area::ZERO;
        }
        return Area::from_m2(Polygon::new(ring.into(), vec![]).geodesic_area_unsigned());
    }
    Area::from_m2(a.intersection(b.shape.as_ref()).geodesic_area_unsigned())
}

impl Land for ParcelIndex {
    fn sizhi(&self, parcel: &str) -> crate::model::land::Sizhi {
        let Some(env) = self.envelopes.get(parcel) else {
            return Default::default();
        };
        let (lo, hi) = (env.lower(), env.upper());
        // About 100 m around it, as the title page looks.
        let (dlon, dlat) = (0.0012, 0.0009);
        // In code order, so that a tie in distance goes the same way on
        // every replay, whatever the tree's shape.
        let mut around: Vec<(String, [f64; 4])> = self
            .parcels
            .locate_in_envelope_intersecting(&AABB::from_corners(
                [lo[0] - dlon, lo[1] - dlat],
                [hi[0] + dlon, hi[1] + dlat],
            ))
            // Parcels only: homesteads (ZJD…) are not named in a 四至 here.
            .filter(|e| &*e.code != parcel && Title::names_a_parcel(&e.code))
            .map(|e| {
                let (a, b) = (e.envelope.lower(), e.envelope.upper());
                (e.code.to_string(), [a[0], a[1], b[0], b[1]])
            })
            .collect();
        around.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let n = super::neighbours([lo[0], lo[1], hi[0], hi[1]], &around);
        [n.east, n.south, n.west, n.north]
    }

    fn collisions(&self, fp: &Footprint, tolerance: Area) -> Vec<Collision> {
        let mut found: Vec<Collision> = self
            .parcels
            .locate_in_envelope_intersecting(&envelope(fp.bbox))
            .filter_map(|e| {
                let area = overlap(&fp.shape, e, tolerance);
                (area > tolerance).then(|| Collision {
                    parcel: e.code.to_string(),
                    overlap: area,
                })
            })
            .collect();
        found.sort_by(|a, b| a.parcel.cmp(&b.parcel));
        found
    }

    fn outside(&self, collective: &str, fp: &Footprint) -> Area {
        let Some(boundary) = self.boundaries.get(collective) else {
            return fp.area;
        };
        let env = envelope(fp.bbox);
        // Fast path: no edge of the parcel meets an edge of the boundary, and
        // one of its positions is inside: the parcel is wholly inside.
        if boundary.envelope.contains_envelope(&env) {
            let crosses = fp
                .shape
                .0
                .iter()
                .flat_map(|p| p.exterior().lines())
                .any(|l| {
                    let probe = AABB::from_corners([l.start.x, l.start.y], [l.end.x, l.end.y]);
                    boundary
                        .edges
                        .locate_in_envelope_intersecting(&probe)
                        .any(|e| segments_touch(l.start, l.end, e.0, e.1))
                });
            let first = fp.shape.0[0].exterior().0[0];
            if !crosses && boundary.shape.coordinate_position(&first) == CoordPos::Inside {
                return Area::ZERO;
            }
        }
        let inside = fp.shape.intersection(boundary.shape.as_ref());
        Area(fp.area.0 - Area::from_m2(inside.geodesic_area_unsigned()).0).max(Area::ZERO)
    }

    fn overlap(&self, a: &Footprint, b: &Footprint) -> Area {
        let (x, y) = (a.bbox, b.bbox);
        if x[2] < y[0] || y[2] < x[0] || x[3] < y[1] || y[3] < x[1] {
            return Area::ZERO;
        }
        Area::from_m2(
            a.shape
                .intersection(b.shape.as_ref())
                .geodesic_area_unsigned(),
        )
    }

    fn apply(&mut self, change: &Change) {
        match change {
            Change::CollectiveRegistered { collective, shape } => {
                self.add_boundary(collective.code.clone(), shape.clone())
            }
            Change::ParcelRegistered { parcel, .. } => {
                self.add_parcel(&parcel.code, parcel.geometry.clone())
            }
            Change::ParcelRetired { code, .. } => self.remove(code),
            Change::HomesteadGranted { homestead, .. } => self.add_parcel(
                &Homestead::land_key(&homestead.household),
                homestead.geometry.clone(),
            ),
            Change::HomesteadExited { household, .. } => {
                self.remove(&Homestead::land_key(household))
            }
            Change::HomesteadRestored {
                household,
                geometry,
            } => self.add_parcel(&Homestead::land_key(household), geometry.clone()),
            Change::HomesteadMoved { from, to } => {
                if let Some(&envelope) = self.envelopes.get(Homestead::land_key(from).as_str()) {
                    let shape = self
                        .parcels
                        .locate_in_envelope(&envelope)
                        .find(|e| *e.code == Homestead::land_key(from))
                        .map(|e| e.shape.clone());
                    self.remove(&Homestead::land_key(from));
                    if let Some(shape) = shape {
                        self.add_parcel(&Homestead::land_key(to), shape);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::footprint;
    use serde_json::json;

    /// A square of `side` degrees at (lon, lat).
    fn square(lon: f64, lat: f64, side: f64) -> Footprint {
        let g = json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]]});
        footprint(&g, "g").unwrap()
    }

    fn register(index: &mut ParcelIndex, code: &str, fp: &Footprint) {
        index.add_parcel(code, fp.shape.clone());
    }

    #[test]
    fn neighbours_that_touch_do_not_collide_and_overlaps_are_named() {
        let mut index = ParcelIndex::new();
        register(&mut index, "A", &square(113.0, 36.0, 0.001));
        register(&mut index, "B", &square(113.001, 36.0, 0.001));
        let tol = Area(100);
        // Sharing an edge with both.
        assert!(index
            .collisions(&square(113.0, 36.001, 0.001), tol)
            .is_empty());
        // Half over A: ~4,500 m².
        let c = index.collisions(&square(113.0005, 36.0005, 0.001), tol);
        assert_eq!(
            c.iter().map(|c| c.parcel.as_str()).collect::<Vec<_>>(),
            ["A", "B"]
        );
        assert!(c[0].overlap.as_m2_f64() > 2000.0);
        // A sliver below the tolerance passes.
        // Its top edge 5e-8° (5 mm) above A's bottom edge: about 0.5 m².
        let sliver = square(113.0, 35.999_000_05, 0.001);
        assert!(index.collisions(&sliver, Area::ZERO).len() == 1);
        assert!(index.collisions(&sliver, tol).is_empty());
        // A concave subject goes through the general intersection.
        let l_shape = json!({"type": "Polygon", "coordinates": [[[113.0005, 36.0005], [113.0025, 36.0005], [113.0025, 36.0007], [113.0007, 36.0007], [113.0007, 36.0015], [113.0005, 36.0015], [113.0005, 36.0005]]]});
        let c = index.collisions(&footprint(&l_shape, "g").unwrap(), tol);
        assert_eq!(c.len(), 2);
        // Retired parcels no longer collide.
        index.apply(&Change::ParcelRetired {
            code: "A".into(),
            at: 9,
        });
        let c = index.collisions(&square(113.0005, 36.0005, 0.001), tol);
        assert_eq!(
            c.iter().map(|c| c.parcel.as_str()).collect::<Vec<_>>(),
            ["B"]
        );
    }

    #[test]
    fn containment_in_the_collective_boundary() {
        let mut index = ParcelIndex::new();
        let village = square(113.0, 36.0, 0.01);
        index.add_boundary("14042100100101".into(), village.shape.clone());
        assert_eq!(
            index.outside("14042100100101", &square(113.001, 36.001, 0.001)),
            Area::ZERO
        );
        // Touching the boundary from inside is inside.
        assert_eq!(
            index.outside("14042100100101", &square(113.0, 36.0, 0.001)),
            Area::ZERO
        );
        // Half outside.
        let half = square(113.0095, 36.001, 0.001);
        let out = index.outside("14042100100101", &half);
        assert!(
            (out.as_m2_f64() / half.area.as_m2_f64() - 0.5).abs() < 0.01,
            "{out}"
        );
        // Unknown collective: all of it is outside.
        assert_eq!(index.outside("14042100100199", &half), half.area);
    }
}
