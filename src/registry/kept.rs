//! Public views kept between two commits (issue 21, part 6): a title report
//! or a household read without a signature is the same for every reader
//! until the writer commits again or the day changes, so it is read from the
//! database once and then answered from memory.
//!
//! A view is kept under the writer's commit count as it was *before* the
//! view was read ([`crate::store::Writer::commits`], which changes before
//! any batch is answered) and the day on the writer's clock; it is answered
//! only while both are unchanged. A reader therefore never gets a view older
//! than what the database held when its request arrived, and a client that
//! reads after its entry was acknowledged sees its entry. Nothing with
//! personal data is kept (a signed household read is read each time), and a
//! server without a writer (a replica) keeps nothing. A view read again
//! after a commit must change (`tests/it/households.rs`: a membership ended
//! shows at once; it fails if the writer does not count its commits).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

/// The most views of one family kept at once; past it, each new view
/// takes one other's place (the working set of a busy hour is far smaller
/// than a county).
const MOST: usize = 4096;

/// When a view was read: the writer's commit count and the day.
pub(super) type Moment = (u64, NaiveDate);

/// The families of views a registry keeps.
#[derive(Default)]
pub(super) struct KeptViews {
    pub titles: Kept<super::views::TitleView>,
    /// Only those read without a signature (no personal data).
    pub households: Kept<super::views::HouseholdView>,
}

/// The views of one family kept at one moment, by code; shared, so that a
/// view is copied for its reader after the lock is let go.
type Views<V> = (Option<Moment>, HashMap<String, Arc<V>>);

/// One family of views (titles, households).
pub(super) struct Kept<V> {
    views: Mutex<Views<V>>,
}

impl<V> Default for Kept<V> {
    fn default() -> Self {
        Kept {
            views: Mutex::new((None, HashMap::new())),
        }
    }
}

impl<V: Clone> Kept<V> {
    /// The view of `code` kept at `at`, else `read()`'s, kept at `at`.
    pub(super) fn get_or<E>(
        &self,
        at: Moment,
        code: &str,
        read: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        let found = {
            let kept = self.lock();
            kept.1.get(code).filter(|_| kept.0 == Some(at)).cloned()
        };
        if let Some(v) = found {
            return Ok(V::clone(&v));
        }
        let view = read()?;
        let mut kept = self.lock();
        // A read that started before a newer one was kept keeps nothing:
        // the family belongs to the newest moment.
        if kept
            .0
            .is_none_or(|k| k.0 < at.0 || (k.0 == at.0 && k.1 != at.1))
        {
            *kept = (Some(at), HashMap::new());
        }
        if kept.0 == Some(at) {
            // Full: one view makes room (whichever the map gives first,
            // as good as any), so that a reader walking through more
            // codes than fit does not empty what everyone else reads.
            if kept.1.len() >= MOST && !kept.1.contains_key(code) {
                if let Some(some) = kept.1.keys().next().cloned() {
                    kept.1.remove(&some);
                }
            }
            kept.1.insert(code.to_string(), Arc::new(view.clone()));
        }
        Ok(view)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Views<V>> {
        // A panic elsewhere while the lock was held leaves a usable map.
        self.views.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    #[test]
    fn a_view_is_answered_only_at_the_moment_it_was_read() {
        let kept: Kept<u32> = Kept::default();
        let read = |n: u32| move || Ok::<_, ()>(n);
        assert_eq!(kept.get_or((1, day(5)), "a", read(10)), Ok(10));
        // The same moment: kept, not read again.
        assert_eq!(kept.get_or((1, day(5)), "a", read(11)), Ok(10));
        // After a commit, or on another day, it is read again.
        assert_eq!(kept.get_or((2, day(5)), "a", read(12)), Ok(12));
        assert_eq!(kept.get_or((2, day(6)), "a", read(13)), Ok(13));
        assert_eq!(kept.get_or((2, day(6)), "a", read(14)), Ok(13));
        // A slow read from before the newest commit keeps nothing and
        // leaves the newest views alone.
        assert_eq!(kept.get_or((1, day(6)), "a", read(15)), Ok(15));
        assert_eq!(kept.get_or((2, day(6)), "a", read(16)), Ok(13));
        // A refused read keeps nothing.
        assert_eq!(kept.get_or((3, day(6)), "b", || Err::<u32, _>(())), Err(()));
        assert_eq!(kept.get_or((3, day(6)), "b", read(17)), Ok(17));
    }

    #[test]
    fn a_family_is_bounded() {
        let kept: Kept<usize> = Kept::default();
        for i in 0..MOST + 10 {
            kept.get_or((1, day(5)), &i.to_string(), || Ok::<_, ()>(i))
                .unwrap();
        }
        assert_eq!(kept.lock().1.len(), MOST);
        // The newest is kept, and so are nearly all before it: a full
        // family makes room one view at a time.
        let last = (MOST + 9).to_string();
        assert_eq!(
            kept.get_or((1, day(5)), &last, || Ok::<_, ()>(0)),
            Ok(MOST + 9)
        );
        let still = (0..MOST + 10)
            .filter(|i| kept.lock().1.contains_key(&i.to_string()))
            .count();
        assert_eq!(still, MOST);
    }
}
