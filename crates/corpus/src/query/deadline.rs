//! The deadline of a search, and its cancellation when the caller goes away.
//!
//! Searches run on the blocking pool, where dropping the caller's future does not stop them.
//! Each one carries a [`Deadline`]; collectors wrapped in [`WithDeadline`] stop collecting
//! (and fail the search) once it has passed or the caller has dropped its [`CancelOnDrop`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, TantivyError};

use crate::error::CorpusError;

/// Documents collected between two looks at the clock.
const CHECK_EVERY: u32 = 1_024;

/// When a search must be over by, and whether its caller still waits for it.
#[derive(Debug, Clone)]
pub(crate) struct Deadline {
    at: Instant,
    budget: Duration,
    cancelled: Arc<AtomicBool>,
}

/// Cancels its [`Deadline`] when dropped: held by the caller's future, so a caller that goes
/// away (a client hanging up drops the request's future) stops the search it started.
#[derive(Debug)]
pub(crate) struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl Deadline {
    /// A deadline `budget` from now, and the guard that cancels it.
    pub(crate) fn start(budget: Duration) -> (Deadline, CancelOnDrop) {
        let cancelled = Arc::new(AtomicBool::new(false));
        let deadline = Deadline { at: Instant::now() + budget, budget, cancelled: cancelled.clone() };
        (deadline, CancelOnDrop(cancelled))
    }

    /// True once the deadline has passed or the caller has gone.
    pub(crate) fn is_over(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed) || Instant::now() >= self.at
    }

    /// The error of a search stopped by this deadline.
    pub(crate) fn exceeded(&self) -> CorpusError {
        CorpusError::DeadlineExceeded { deadline_ms: u64::try_from(self.budget.as_millis()).unwrap_or(u64::MAX) }
    }

    /// Fail when the deadline is over.
    pub(crate) fn check(&self) -> Result<(), CorpusError> {
        if self.is_over() { Err(self.exceeded()) } else { Ok(()) }
    }

    /// Explain a failed search: stopped by the deadline, or an index fault.
    pub(crate) fn explain(&self, err: TantivyError) -> CorpusError {
        if self.is_over() { self.exceeded() } else { err.into() }
    }
}

/// A collector that stops collecting when its deadline is over, and then fails the search.
pub(crate) struct WithDeadline<'a, C> {
    inner: C,
    deadline: &'a Deadline,
}

impl<'a, C> WithDeadline<'a, C> {
    /// `inner`, bounded by `deadline`.
    pub(crate) fn new(inner: C, deadline: &'a Deadline) -> Self {
        WithDeadline { inner, deadline }
    }
}

/// The segment side of [`WithDeadline`].
pub(crate) struct DeadlineSegment<S> {
    inner: S,
    deadline: Deadline,
    seen: u32,
    stopped: bool,
}

impl<C: Collector> Collector for WithDeadline<'_, C> {
    type Fruit = C::Fruit;
    type Child = DeadlineSegment<C::Child>;

    fn for_segment(&self, ord: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        if self.deadline.is_over() {
            return Err(TantivyError::InternalError("search deadline passed".into()));
        }
        Ok(DeadlineSegment {
            inner: self.inner.for_segment(ord, segment)?,
            deadline: self.deadline.clone(),
            seen: 0,
            stopped: false,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(&self, fruits: Vec<<Self::Child as SegmentCollector>::Fruit>) -> tantivy::Result<Self::Fruit> {
        if fruits.iter().any(|(_, stopped)| *stopped) {
            return Err(TantivyError::InternalError("search deadline passed".into()));
        }
        self.inner.merge_fruits(fruits.into_iter().map(|(fruit, _)| fruit).collect())
    }
}

impl<S: SegmentCollector> SegmentCollector for DeadlineSegment<S> {
    type Fruit = (S::Fruit, bool);

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.stopped {
            return;
        }
        self.seen = self.seen.wrapping_add(1);
        if self.seen.is_multiple_of(CHECK_EVERY) && self.deadline.is_over() {
            self.stopped = true;
            return;
        }
        self.inner.collect(doc, score);
    }

    fn harvest(self) -> Self::Fruit {
        (self.inner.harvest(), self.stopped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_the_guard_cancels_and_time_ends_it() {
        let (deadline, guard) = Deadline::start(Duration::from_secs(60));
        assert!(deadline.check().is_ok());
        drop(guard);
        assert!(matches!(deadline.check(), Err(CorpusError::DeadlineExceeded { deadline_ms: 60_000 })));
        let (deadline, _guard) = Deadline::start(Duration::ZERO);
        assert!(deadline.is_over());
    }
}
