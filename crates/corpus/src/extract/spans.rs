//! A set of byte ranges answering "does this range overlap one already taken?" in
//! logarithmic time, so extraction stays linear on documents with many mentions.

use std::collections::BTreeMap;

/// Byte ranges taken so far.
#[derive(Default)]
pub(crate) struct SpanSet {
    /// Start -> the largest end among ranges starting there.
    by_start: BTreeMap<usize, usize>,
    longest: usize,
}

impl SpanSet {
    /// Whether `start..end` overlaps a range in the set.
    pub(crate) fn overlaps(&self, start: usize, end: usize) -> bool {
        // Only a range starting at most `longest` bytes before `start` can reach into it.
        let from = start.saturating_sub(self.longest);
        self.by_start.range(from..end.max(from)).any(|(&s, &e)| s < end && start < e)
    }

    pub(crate) fn insert(&mut self, start: usize, end: usize) {
        let slot = self.by_start.entry(start).or_insert(end);
        *slot = (*slot).max(end);
        self.longest = self.longest.max(end.saturating_sub(start));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_queries() {
        let mut set = SpanSet::default();
        set.insert(10, 20);
        set.insert(30, 100);
        assert!(set.overlaps(15, 16));
        assert!(set.overlaps(5, 11));
        assert!(set.overlaps(99, 200));
        assert!(set.overlaps(40, 41));
        assert!(!set.overlaps(20, 30));
        assert!(!set.overlaps(0, 10));
        assert!(!set.overlaps(100, 101));
        assert!(!set.overlaps(25, 25));
    }
}
