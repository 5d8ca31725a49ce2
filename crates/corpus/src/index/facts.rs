//! The facts index: a second Tantivy index beside the passages, holding what ingestion looks
//! up by a random key: timeline events by time and entity, and entity mentions by entity and by
//! document. Tantivy writes sorted segments and merges them (a log-structured merge), so adding
//! a batch costs about what the batch holds however large the corpus grows; as B-tree indexes
//! of the registry the same keys rewrote pages all over the tree at every commit.
//!
//! One Tantivy document per event, and one per document for all its mentions (each entity id
//! repeated as often as the document mentions it). The registry keeps the rows (events,
//! entity_documents, entities); this index only orders and finds them. It is committed together with the passage index and rebuilt from the
//! registry like it.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, Mutex};

use docket_billing::TenantId;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery};
use tantivy::schema::{FAST, Field, IndexRecordOption, STRING, Schema};
use tantivy::{DocId, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader, TantivyDocument, Term};
use uuid::Uuid;

use crate::error::CorpusError;
use crate::query::deadline::{Deadline, WithDeadline};

const KIND_EVENT: &str = "event";
const KIND_MENTIONS: &str = "mentions";
/// Most repetitions of one entity id in a document's mentions (its count beyond is not kept).
const MAX_MENTIONS_KEPT: u64 = 1_000;

/// One timeline event, as the facts index knows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EventFact {
    pub id: Uuid,
    /// Seconds since the Unix epoch (the event's sort key).
    pub ts: i64,
    /// Ids of the entities its summary mentions.
    pub entity_ids: Vec<String>,
}

/// An entity mentioned by a document, and how often.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MentionFact {
    pub entity_id: String,
    pub mentions: u64,
}

/// Where a page of the timeline starts and what it may hold.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TimelineScope<'a> {
    /// Only events after this (ts, id): the cursor.
    pub after: Option<(i64, Uuid)>,
    /// Earliest ts, inclusive.
    pub from: Option<i64>,
    /// Latest ts, inclusive.
    pub to: Option<i64>,
    /// Only events mentioning one of these entity ids.
    pub entity_ids: Option<&'a [String]>,
}

impl TimelineScope<'_> {
    /// The earliest ts an event of the scope can have: the later of `from` and the cursor's.
    pub(crate) fn lower(&self) -> Option<i64> {
        match (self.from, self.after) {
            (Some(from), Some((ts, _))) => Some(from.max(ts)),
            (from, after) => from.or(after.map(|a| a.0)),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    tenant: Field,
    document_id: Field,
    kind: Field,
    event_entity: Field,
    entity: Field,
    ts: Field,
    uuid_hi: Field,
    uuid_lo: Field,
}

/// The fast columns of the halves of a fact's UUID.
const UUID_HI: &str = "uuid_hi";
const UUID_LO: &str = "uuid_lo";

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        tenant: b.add_text_field("tenant_id", STRING),
        document_id: b.add_text_field("document_id", STRING),
        kind: b.add_text_field("kind", STRING),
        // An event: the entities of its summary.
        event_entity: b.add_text_field("event_entity", STRING),
        // A document's mentions: each entity id, as many times as it is mentioned.
        entity: b.add_text_field("entity", STRING | FAST),
        ts: b.add_i64_field("ts", FAST),
        // The halves of a UUID, in the order of its bytes: the event's id for an event, the
        // document's id for its mentions.
        uuid_hi: b.add_u64_field(UUID_HI, FAST),
        uuid_lo: b.add_u64_field(UUID_LO, FAST),
    };
    (b.build(), fields)
}

/// The facts index with its single writer and a reader reloaded after each commit.
pub(crate) struct FactsIndex {
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    fields: Fields,
}

impl FactsIndex {
    /// Open the index in `dir`, creating it when absent or of another layout. Returns whether
    /// it was (re)created empty, in which case every registered document must be indexed again.
    pub(crate) fn open(dir: &Path) -> Result<(FactsIndex, bool), CorpusError> {
        let (schema, fields) = schema();
        let (index, created) = super::open_or_create(dir, schema, None)?;
        // One indexing thread: facts are small documents, a few dozen per ingested document.
        let writer = index.writer_with_num_threads(1, 64 * 1024 * 1024)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok((FactsIndex { writer: Mutex::new(writer), reader, fields }, created))
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>, CorpusError> {
        self.writer.lock().map_err(|_| CorpusError::Index("facts index writer lock poisoned".into()))
    }

    /// Add a document's events and mentions (uncommitted). With `replace`, earlier facts of the
    /// same document are removed first.
    pub(crate) fn add(
        &self,
        tenant: &TenantId,
        document_id: Uuid,
        events: &[EventFact],
        mentions: &[MentionFact],
        replace: bool,
    ) -> Result<(), CorpusError> {
        let f = self.fields;
        let id = document_id.to_string();
        let base = |kind: &str| {
            let mut d = TantivyDocument::default();
            d.add_text(f.tenant, tenant);
            d.add_text(f.document_id, &id);
            d.add_text(f.kind, kind);
            d
        };
        let mut docs = Vec::with_capacity(events.len() + 1);
        for e in events {
            let mut d = base(KIND_EVENT);
            d.add_i64(f.ts, e.ts);
            let (hi, lo) = e.id.as_u64_pair();
            d.add_u64(f.uuid_hi, hi);
            d.add_u64(f.uuid_lo, lo);
            for entity in &e.entity_ids {
                d.add_text(f.event_entity, entity);
            }
            docs.push(d);
        }
        if !mentions.is_empty() {
            let mut d = base(KIND_MENTIONS);
            let (hi, lo) = document_id.as_u64_pair();
            d.add_u64(f.uuid_hi, hi);
            d.add_u64(f.uuid_lo, lo);
            for m in mentions {
                for _ in 0..m.mentions.clamp(1, MAX_MENTIONS_KEPT) {
                    d.add_text(f.entity, &m.entity_id);
                }
            }
            docs.push(d);
        }
        let writer = self.lock()?;
        if replace {
            writer.delete_term(Term::from_field_text(f.document_id, &id));
        }
        for d in docs {
            writer.add_document(d)?;
        }
        Ok(())
    }

    /// Commit everything added so far and make it visible.
    pub(crate) fn commit(&self) -> Result<(), CorpusError> {
        self.lock()?.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Run `search` on the blocking pool: a search of the facts index reads and counts postings
    /// for up to a few hundred milliseconds, which must not hold an async thread.
    pub(crate) async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        search: impl FnOnce(&FactsIndex) -> Result<T, CorpusError> + Send + 'static,
    ) -> Result<T, CorpusError> {
        let facts = self.clone();
        tokio::task::spawn_blocking(move || search(&facts)).await?
    }

    /// The facts of `kind` of one tenant, with more conditions.
    fn scoped(&self, tenant: &TenantId, kind: &str, mut more: Vec<Box<dyn Query>>) -> BooleanQuery {
        let f = self.fields;
        let term = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
        };
        more.push(term(f.tenant, tenant.as_str()));
        more.push(term(f.kind, kind));
        BooleanQuery::new(more.into_iter().map(|q| (Occur::Must, q)).collect())
    }

    fn any_of(field: Field, entity_ids: &[String]) -> Box<dyn Query> {
        Box::new(TermSetQuery::new(entity_ids.iter().map(|e| Term::from_field_text(field, e))))
    }

    /// The ids of the first `limit` events of the tenant in `scope`, in (ts, id) order, each
    /// with its ts.
    pub(crate) fn timeline(
        &self,
        tenant: &TenantId,
        scope: &TimelineScope<'_>,
        limit: usize,
        deadline: &Deadline,
    ) -> Result<Vec<(i64, Uuid)>, CorpusError> {
        let f = self.fields;
        let mut more: Vec<Box<dyn Query>> = Vec::new();
        let lower = scope.lower();
        if lower.is_some() || scope.to.is_some() {
            let bound = |v: Option<i64>| v.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_i64(f.ts, v)));
            more.push(Box::new(RangeQuery::new(bound(lower), bound(scope.to))));
        }
        if let Some(ids) = scope.entity_ids {
            more.push(Self::any_of(f.event_entity, ids));
        }
        let query = self.scoped(tenant, KIND_EVENT, more);
        let after = scope.after.map(|(ts, id)| (ts, id.as_u128()));
        let collector = WithDeadline::new(FirstEvents { after, limit }, deadline);
        let first = self.reader.searcher().search(&query, &collector).map_err(|e| deadline.explain(e))?;
        Ok(first.into_iter().map(|(ts, id)| (ts, Uuid::from_u128(id))).collect())
    }

    /// Every document of the tenant that mentions one of `entity_ids`, with its mentions of
    /// them (summed over the ids), in document order.
    pub(crate) fn entity_documents(
        &self,
        tenant: &TenantId,
        entity_ids: &[String],
        deadline: &Deadline,
    ) -> Result<Vec<(Uuid, u64)>, CorpusError> {
        if entity_ids.is_empty() {
            return Ok(Vec::new());
        }
        let query = self.scoped(tenant, KIND_MENTIONS, vec![Self::any_of(self.fields.entity, entity_ids)]);
        let collector = WithDeadline::new(MentionsByDocument { entity_ids }, deadline);
        let found = self.reader.searcher().search(&query, &collector).map_err(|e| deadline.explain(e))?;
        let mut documents: Vec<(Uuid, u64)> = found.into_iter().map(|(id, n)| (Uuid::from_u128(id), n)).collect();
        documents.sort_unstable();
        Ok(documents)
    }

    /// For each entity mentioned by any of `documents` (of the tenant): in how many of them,
    /// by entity id.
    pub(crate) fn shared_documents(
        &self,
        tenant: &TenantId,
        documents: &[Uuid],
        deadline: &Deadline,
    ) -> Result<Vec<(String, u64)>, CorpusError> {
        if documents.is_empty() {
            return Ok(Vec::new());
        }
        // The tenant's mentions are read and those of other documents skipped by their id:
        // a term set of thousands of ids would cost an FST and a walk of each segment's term
        // dictionary, more than reading one id per document of the tenant.
        let query = self.scoped(tenant, KIND_MENTIONS, Vec::new());
        let documents = Arc::new(documents.iter().map(|d| d.as_u128()).collect());
        let collector = WithDeadline::new(EntityCounts { documents }, deadline);
        self.reader.searcher().search(&query, &collector).map_err(|e| deadline.explain(e))
    }
}

/// The (ts, id) keys of the first `limit` matching events after `after`.
struct FirstEvents {
    after: Option<(i64, u128)>,
    limit: usize,
}

/// Keys of one segment, as a bounded max-heap of the smallest seen.
struct FirstEventsInSegment {
    ts: Column<i64>,
    hi: Column<u64>,
    lo: Column<u64>,
    after: Option<(i64, u128)>,
    limit: usize,
    heap: BinaryHeap<(i64, u128)>,
}

impl Collector for FirstEvents {
    type Fruit = Vec<(i64, u128)>;
    type Child = FirstEventsInSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let fast = segment.fast_fields();
        Ok(FirstEventsInSegment {
            ts: fast.i64("ts")?,
            hi: fast.u64(UUID_HI)?,
            lo: fast.u64(UUID_LO)?,
            after: self.after,
            limit: self.limit,
            heap: BinaryHeap::with_capacity(self.limit + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<(i64, u128)> = fruits.into_iter().flatten().collect();
        all.sort_unstable();
        all.truncate(self.limit);
        Ok(all)
    }
}

impl SegmentCollector for FirstEventsInSegment {
    type Fruit = Vec<(i64, u128)>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let (Some(ts), Some(hi), Some(lo)) = (self.ts.first(doc), self.hi.first(doc), self.lo.first(doc)) else {
            return;
        };
        let key = (ts, (u128::from(hi) << 64) | u128::from(lo));
        if self.after.is_some_and(|after| key <= after) || self.limit == 0 {
            return;
        }
        if self.heap.len() < self.limit {
            self.heap.push(key);
        } else if self.heap.peek().is_some_and(|&largest| key < largest) {
            self.heap.pop();
            self.heap.push(key);
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut keys = self.heap.into_vec();
        keys.sort_unstable();
        keys
    }
}

/// Per document (its id as u128): how many of its mentions are of `entity_ids`.
struct MentionsByDocument<'a> {
    entity_ids: &'a [String],
}

struct MentionsByDocumentInSegment {
    hi: Column<u64>,
    lo: Column<u64>,
    entity: Option<StrColumn>,
    /// The ordinals of the wanted entity ids in this segment's dictionary.
    wanted: Vec<u64>,
    found: HashMap<u128, u64>,
}

impl Collector for MentionsByDocument<'_> {
    type Fruit = HashMap<u128, u64>;
    type Child = MentionsByDocumentInSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let fast = segment.fast_fields();
        let entity = fast.str("entity")?;
        let mut wanted = Vec::with_capacity(self.entity_ids.len());
        if let Some(column) = &entity {
            for id in self.entity_ids {
                wanted.extend(column.dictionary().term_ord(id)?);
            }
        }
        Ok(MentionsByDocumentInSegment {
            hi: fast.u64(UUID_HI)?,
            lo: fast.u64(UUID_LO)?,
            entity,
            wanted,
            found: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        Ok(merge_counts(fruits))
    }
}

impl SegmentCollector for MentionsByDocumentInSegment {
    type Fruit = HashMap<u128, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let (Some(hi), Some(lo), Some(column)) = (self.hi.first(doc), self.lo.first(doc), &self.entity) else {
            return;
        };
        let mentions = column.term_ords(doc).filter(|ord| self.wanted.contains(ord)).count() as u64;
        *self.found.entry((u128::from(hi) << 64) | u128::from(lo)).or_default() += mentions;
    }

    fn harvest(self) -> Self::Fruit {
        self.found
    }
}

/// For each entity id: how many of the matching mentions of `documents` mention it, by id.
/// Each segment names its counted ordinals in their order, which is the ids' order, and the
/// segments' lists are merged in that order (a party's neighbourhood counts hundreds of
/// thousands of entities: hashing each id, once per segment and again to add the segments up,
/// cost most of it).
struct EntityCounts {
    documents: Arc<HashSet<u128>>,
}

struct EntityCountsInSegment {
    documents: Arc<HashSet<u128>>,
    hi: Column<u64>,
    lo: Column<u64>,
    entity: Option<StrColumn>,
    /// Count per term ordinal of the segment's entity dictionary.
    by_ordinal: Vec<u64>,
    /// One document's ordinals, each counted once.
    ordinals: Vec<u64>,
}

impl Collector for EntityCounts {
    type Fruit = Vec<(String, u64)>;
    type Child = EntityCountsInSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let fast = segment.fast_fields();
        let entity = fast.str("entity")?;
        let terms = entity.as_ref().map_or(0, |column| column.dictionary().num_terms());
        Ok(EntityCountsInSegment {
            documents: self.documents.clone(),
            hi: fast.u64(UUID_HI)?,
            lo: fast.u64(UUID_LO)?,
            entity,
            by_ordinal: vec![0; terms],
            ordinals: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<std::io::Result<Vec<(String, u64)>>>) -> tantivy::Result<Self::Fruit> {
        let mut all = Vec::new();
        for fruit in fruits {
            all = merge_sorted(all, fruit?);
        }
        Ok(all)
    }
}

impl SegmentCollector for EntityCountsInSegment {
    type Fruit = std::io::Result<Vec<(String, u64)>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let (Some(column), Some(hi), Some(lo)) = (&self.entity, self.hi.first(doc), self.lo.first(doc)) else {
            return;
        };
        if !self.documents.contains(&((u128::from(hi) << 64) | u128::from(lo))) {
            return;
        }
        self.ordinals.clear();
        self.ordinals.extend(column.term_ords(doc));
        self.ordinals.sort_unstable();
        self.ordinals.dedup();
        for &ordinal in &self.ordinals {
            if let Some(n) = self.by_ordinal.get_mut(ordinal as usize) {
                *n += 1;
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let Some(column) = &self.entity else { return Ok(Vec::new()) };
        let counted: Vec<(u64, u64)> =
            self.by_ordinal.iter().enumerate().filter(|(_, n)| **n > 0).map(|(ord, n)| (ord as u64, *n)).collect();
        // Sorted ordinals are read from the dictionary in one pass, block by block, and give
        // their terms in order.
        let mut counts = Vec::with_capacity(counted.len());
        let mut next = counted.iter();
        column.dictionary().sorted_ords_to_term_cb(counted.iter().map(|(ord, _)| *ord), |term| {
            if let Some((_, n)) = next.next() {
                counts.push((String::from_utf8_lossy(term).into_owned(), *n));
            }
            Ok(())
        })?;
        Ok(counts)
    }
}

fn merge_counts<K: std::hash::Hash + Eq>(fruits: Vec<HashMap<K, u64>>) -> HashMap<K, u64> {
    let mut all: HashMap<K, u64> = HashMap::new();
    for fruit in fruits {
        for (k, n) in fruit {
            *all.entry(k).or_default() += n;
        }
    }
    all
}

/// Two lists of counts sorted by key, as one sorted list, the counts of a key in both added up.
fn merge_sorted<K: Ord>(a: Vec<(K, u64)>, b: Vec<(K, u64)>) -> Vec<(K, u64)> {
    if a.is_empty() {
        return b;
    }
    let mut merged = Vec::with_capacity(a.len().max(b.len()));
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => match x.0.cmp(&y.0) {
                Ordering::Less => a.next(),
                Ordering::Greater => b.next(),
                Ordering::Equal => a.next().zip(b.next()).map(|((key, m), (_, n))| (key, m + n)),
            },
            (Some(_), None) => a.next(),
            (None, Some(_)) => b.next(),
            (None, None) => break,
        };
        merged.extend(next);
    }
    merged
}

/// Keep the `n` largest of `counts` (by count, then smallest key first), largest first.
pub(crate) fn top_counts<K: Ord + Clone>(counts: impl IntoIterator<Item = (K, u64)>, n: usize) -> Vec<(K, u64)> {
    let mut all: Vec<(K, u64)> = counts.into_iter().collect();
    all.sort_unstable_by(|a, b| (Reverse(a.1), &a.0).cmp(&(Reverse(b.1), &b.0)));
    all.truncate(n);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(id: &str) -> TenantId {
        TenantId::parse(id).expect("a valid tenant id")
    }

    fn event(ts: i64, entities: &[&str]) -> EventFact {
        EventFact { id: Uuid::now_v7(), ts, entity_ids: entities.iter().map(|e| (*e).to_owned()).collect() }
    }

    #[test]
    fn timeline_pages_in_ts_then_id_order_per_tenant() {
        let (d, _searching) = Deadline::start(std::time::Duration::from_secs(60));
        let dir = tempfile::tempdir().unwrap();
        let (facts, created) = FactsIndex::open(dir.path()).unwrap();
        assert!(created);
        let doc = Uuid::now_v7();
        let events: Vec<EventFact> =
            vec![event(30, &["person:a"]), event(10, &[]), event(20, &["person:a"]), event(20, &[]), event(-5, &[])];
        facts.add(&tenant("t1"), doc, &events, &[], false).unwrap();
        facts.add(&tenant("t2"), Uuid::now_v7(), &[event(15, &[])], &[], false).unwrap();
        facts.commit().unwrap();

        let mut expected: Vec<(i64, Uuid)> = events.iter().map(|e| (e.ts, e.id)).collect();
        expected.sort();
        // Pages of two, each starting after the last key of the previous one.
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = facts.timeline(&tenant("t1"), &TimelineScope { after, ..Default::default() }, 2, &d).unwrap();
            if page.is_empty() {
                break;
            }
            after = page.last().copied();
            seen.extend(page);
        }
        assert_eq!(seen, expected);

        let ids = vec!["person:a".to_owned()];
        let scope = TimelineScope { from: Some(15), to: Some(30), entity_ids: Some(&ids), ..Default::default() };
        let page = facts.timeline(&tenant("t1"), &scope, 10, &d).unwrap();
        assert_eq!(page.iter().map(|k| k.0).collect::<Vec<_>>(), vec![20, 30]);
        assert_eq!(facts.timeline(&tenant("t3"), &TimelineScope::default(), 10, &d).unwrap(), vec![]);

        // Replacing a document's facts leaves no duplicates.
        facts.add(&tenant("t1"), doc, &events[..1], &[], true).unwrap();
        facts.commit().unwrap();
        assert_eq!(facts.timeline(&tenant("t1"), &TimelineScope::default(), 10, &d).unwrap().len(), 1);
    }

    #[test]
    fn mentions_are_found_by_entity_and_by_document() {
        let (d, _searching) = Deadline::start(std::time::Duration::from_secs(60));
        let dir = tempfile::tempdir().unwrap();
        let (facts, _) = FactsIndex::open(dir.path()).unwrap();
        let m = |e: &str, n: u64| MentionFact { entity_id: e.to_owned(), mentions: n };
        let (d1, d2, d3) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        facts.add(&tenant("t1"), d1, &[], &[m("org:acme", 3), m("person:b", 1)], false).unwrap();
        facts.add(&tenant("t1"), d2, &[], &[m("org:acme", 1), m("person:b", 2), m("person:c", 1)], false).unwrap();
        facts.add(&tenant("t2"), d3, &[], &[m("org:acme", 9)], false).unwrap();
        facts.commit().unwrap();

        assert_eq!(facts.entity_documents(&tenant("t1"), &["org:acme".into()], &d).unwrap(), vec![(d1, 3), (d2, 1)]);
        assert_eq!(
            facts.entity_documents(&tenant("t1"), &["org:acme".into(), "person:c".into()], &d).unwrap(),
            vec![(d1, 3), (d2, 2)]
        );
        assert_eq!(facts.entity_documents(&tenant("t1"), &["person:zz".into()], &d).unwrap(), vec![]);
        let shared = facts.shared_documents(&tenant("t1"), &[d1, d2], &d).unwrap();
        let top = top_counts(shared, 2);
        assert_eq!(top, vec![("org:acme".to_owned(), 2), ("person:b".to_owned(), 2)]);
        assert_eq!(facts.shared_documents(&tenant("t2"), &[d1], &d).unwrap(), vec![]);
        // Only the documents asked for count.
        let only = |pairs: &[(&str, u64)]| pairs.iter().map(|(e, n)| ((*e).to_owned(), *n)).collect::<Vec<_>>();
        assert_eq!(
            facts.shared_documents(&tenant("t1"), &[d1], &d).unwrap(),
            only(&[("org:acme", 1), ("person:b", 1)])
        );
        assert_eq!(
            facts.shared_documents(&tenant("t1"), &[d2, d3], &d).unwrap(),
            only(&[("org:acme", 1), ("person:b", 1), ("person:c", 1)])
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 32, ..Default::default() })]

        /// Over random mentions in several segments, beside another tenant's, the entities
        /// shared by random documents are counted as a plain count of their mentions gives.
        #[test]
        fn shared_documents_are_a_plain_count(
            documents in proptest::collection::vec(
                (proptest::collection::vec(0..40usize, 0..12), proptest::bool::weighted(0.15)),
                1..60,
            ),
            asked in proptest::prelude::any::<u64>(),
        ) {
            let (d, _searching) = Deadline::start(std::time::Duration::from_secs(60));
            let dir = tempfile::tempdir().unwrap();
            let (facts, _) = FactsIndex::open(dir.path()).unwrap();
            // Entities drawn with a skew (entity n about as often as n is small), mentioned
            // once or several times by a document.
            let name = |n: usize| format!("org:e{:02}", n * n / 40);
            let mut ids = Vec::new();
            for (entities, commit) in &documents {
                let id = Uuid::now_v7();
                let mentions: Vec<MentionFact> =
                    entities.iter().map(|&n| MentionFact { entity_id: name(n), mentions: 1 }).collect();
                facts.add(&tenant("t1"), id, &[], &mentions, false).unwrap();
                // Another tenant's document with the same entities.
                facts.add(&tenant("t2"), Uuid::now_v7(), &[], &mentions, false).unwrap();
                if *commit {
                    facts.commit().unwrap();
                }
                ids.push((id, entities));
            }
            facts.commit().unwrap();
            let chosen: Vec<usize> = (0..ids.len()).filter(|i| asked & (1 << (i % 64)) != 0).collect();
            let mut plain: HashMap<String, u64> = HashMap::new();
            for &i in &chosen {
                let distinct: HashSet<String> = ids[i].1.iter().map(|&n| name(n)).collect();
                for entity in distinct {
                    *plain.entry(entity).or_default() += 1;
                }
            }
            let documents: Vec<Uuid> = chosen.iter().map(|&i| ids[i].0).collect();
            let shared = facts.shared_documents(&tenant("t1"), &documents, &d).unwrap();
            proptest::prop_assert!(shared.windows(2).all(|w| w[0].0 < w[1].0), "sorted by id, each once");
            proptest::prop_assert_eq!(shared.into_iter().collect::<HashMap<_, _>>(), plain);
        }
    }
}
