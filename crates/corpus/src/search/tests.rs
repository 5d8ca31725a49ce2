//! The disjunction matcher against the whole query's own scoring, on an index whose segments
//! hold one tenant or several.

use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::index::IndexDoc;
use tantivy::query::BooleanQuery;

/// Words of the test documents: each document holds a few, so queries of several words
/// match documents holding one, some or all of them.
const WORDS: [&str; 6] = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"];

fn doc(tenant: &str, n: usize) -> (IndexDoc, Vec<String>) {
    let mut passages_text = Vec::new();
    // Passage p of document n holds the words whose bit is set in (n * 7 + p * 3) % 64.
    for p in 0..4 {
        let bits = (n * 7 + p * 3) % 64;
        let mut words: Vec<&str> = vec!["filler", "text"];
        for (i, w) in WORDS.iter().enumerate() {
            if bits & (1 << i) != 0 {
                words.extend(std::iter::repeat_n(*w, 1 + (n + i) % 3));
            }
        }
        passages_text.push(format!("{}.", words.join(" ")));
    }
    (document(tenant, Some(format!("doc {n}")), &passages_text), passages_text)
}

/// A document of `tenant` whose text is `passages`, one passage each.
fn document(tenant: &str, title: Option<String>, passages: &[String]) -> IndexDoc {
    let mut text = String::new();
    let mut ranges = Vec::new();
    for p in passages {
        let start = text.len();
        text.push_str(p);
        ranges.push((start, text.len()));
        text.push('\n');
    }
    IndexDoc {
        tenant: tenant.parse().unwrap(),
        document_id: Uuid::now_v7(),
        title,
        subject: None,
        author: None,
        recipients: Vec::new(),
        source: String::from("source.txt"),
        source_type: SourceType::Inline,
        text,
        passages: ranges,
        entities: Vec::new(),
        dates: Vec::new(),
        events: Vec::new(),
        mentions: Vec::new(),
    }
}

/// A document's ranking under both matchers: its id, clauses held, best score, passages.
fn ranked(index: &PassageIndex, searcher: &Searcher, matcher: &Matcher) -> Vec<(Uuid, u64, Score, u64)> {
    let (deadline, _searching) = Deadline::start(Duration::from_secs(60));
    let Collected::Documents { best: docs, .. } =
        collect(index, searcher, matcher, SearchGroup::Document, usize::MAX, &deadline).unwrap()
    else {
        panic!("documents expected")
    };
    docs.iter().map(|d| (d.id, d.mask, d.best, d.count)).collect()
}

#[test]
fn a_disjunction_matches_ranks_and_scores_as_the_whole_query_and_keeps_to_its_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let (index, created) = PassageIndex::open(dir.path()).unwrap();
    assert!(created);
    // First commit: two tenants mixed in the same segments; second: one tenant alone.
    let mut texts: BTreeMap<Uuid, (String, Vec<String>)> = BTreeMap::new();
    for n in 0..40 {
        let tenant = if n % 3 == 0 { "other" } else { "firm" };
        let (d, t) = doc(tenant, n);
        texts.insert(d.document_id, (tenant.into(), t));
        index.add(&d, false).unwrap();
    }
    index.commit().unwrap();
    for n in 40..60 {
        let (d, t) = doc("firm", n);
        texts.insert(d.document_id, (String::from("firm"), t));
        index.add(&d, false).unwrap();
    }
    index.commit().unwrap();
    let searcher = index.searcher();
    assert!(searcher.segment_readers().len() >= 2, "the test needs several segments");

    for q in [
        "alpha",
        "alpha beta",
        "beta gamma delta",
        "alpha beta gamma delta epsilon zeta",
        "alpha -beta",
        "gamma NOT zeta",
    ] {
        let built = prepare(index.fields, &[], q, SearchMode::Precision).unwrap();
        assert!(built.disjunction, "{q}");
        let firm: crate::TenantId = "firm".parse().unwrap();
        let filters = || index.filters(&firm, None, None);
        let fast = Matcher::new(&searcher, &built, filters(), None, SearchGroup::Passage).unwrap();
        assert!(matches!(fast, Matcher::Disjunction { .. }));
        let scoring = EnableScoring::enabled_from_searcher(&searcher);
        let general = Matcher::General {
            main: passages::scoped(built.query.box_clone(), &filters()).weight(scoring).unwrap(),
            clauses: built
                .clauses
                .iter()
                .map(|(_, c)| c.weight(EnableScoring::disabled_from_searcher(&searcher)).unwrap())
                .collect(),
            documents: None,
        };
        let (a, b) = (ranked(&index, &searcher, &fast), ranked(&index, &searcher, &general));
        // The same documents with the same clauses, passages and scores (up to the order in
        // which floating-point scores are summed, which may swap near ties).
        let by_id: BTreeMap<Uuid, (u64, Score, u64)> = b.iter().map(|&(id, m, s, c)| (id, (m, s, c))).collect();
        assert_eq!(a.len(), by_id.len(), "{q}");
        for (id, mask, score, count) in &a {
            let (m, s, c) = by_id[id];
            assert_eq!((*mask, *count), (m, c), "{q}");
            assert!((score - s).abs() <= 1e-4 * s.abs().max(1.0), "{q}: {score} vs {s}");
        }
        for pair in a.windows(2) {
            assert!(pair[0].1.count_ones() >= pair[1].1.count_ones(), "{q}: more clauses first");
        }
        // What the words say: the firm's documents with a passage holding a positive word and
        // no excluded one.
        let words: Vec<&str> = q.split_whitespace().collect();
        let excluded: Vec<&str> = words
            .windows(2)
            .filter(|w| w[0] == "NOT")
            .map(|w| w[1])
            .chain(words.iter().filter_map(|w| w.strip_prefix('-')))
            .collect();
        let positive: Vec<&str> =
            words.iter().copied().filter(|w| *w != "NOT" && !w.starts_with('-') && !excluded.contains(w)).collect();
        let holds = |p: &str, w: &str| p.trim_end_matches('.').split(' ').any(|x| x == w);
        let expected = texts
            .iter()
            .filter(|(_, (tenant, passages))| {
                tenant == "firm"
                    && passages
                        .iter()
                        .any(|p| positive.iter().any(|w| holds(p, w)) && !excluded.iter().any(|w| holds(p, w)))
            })
            .count();
        assert_eq!(a.len(), expected, "{q}");
        assert!(a.iter().all(|(id, ..)| texts[id].0 == "firm"), "{q}: another tenant's document");
    }
}

#[test]
fn an_index_of_the_previous_layout_is_rebuilt_and_the_current_one_kept() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (index, created) = PassageIndex::open(dir.path()).unwrap();
        assert!(created);
        index.add(&doc("firm", 1).0, false).unwrap();
        index.commit().unwrap();
    }
    let (index, created) = PassageIndex::open(dir.path()).unwrap();
    assert!(!created, "an index of the current layout is kept");
    assert_eq!(index.num_passages(), 4);
    drop(index);

    // Committed without the layout, as the previous release did.
    let index = tantivy::Index::open_in_dir(dir.path()).unwrap();
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 16 * 1024 * 1024).unwrap();
    writer.commit().unwrap();
    drop(writer);
    let (index, created) = PassageIndex::open(dir.path()).unwrap();
    assert!(created, "an index of the previous layout is rebuilt");
    assert_eq!(index.num_passages(), 0);
}

#[test]
fn a_document_keeps_its_three_best_passages_best_first_and_counts_them_all() {
    let c = |doc: u32, mask: u64, score: Score| Candidate { score, mask, addr: DocAddress::new(0, doc) };
    let mut d = DocumentMatch::new(Uuid::nil(), c(0, 1, 1.0));
    for (doc, mask, score) in [(1, 1, 3.0), (2, 3, 0.5), (3, 1, 3.0), (4, 1, 0.1), (5, 1, 2.0)] {
        d.add(c(doc, mask, score));
    }
    let kept: Vec<u32> = d.passages().iter().map(|p| p.addr.doc_id).collect();
    // More clauses first (passage 2), then the higher score, the earlier passage on a tie.
    assert_eq!(kept, [2, 1, 3]);
    assert_eq!((d.count, d.mask, d.best), (6, 3, 3.0));
}

/// A document of a page: its id, clauses held, best score, matching passages, passages shown.
type Entry = (Uuid, u64, Score, u64, Vec<DocAddress>);

/// What a search's best documents come to, entry by entry.
fn page(collected: Collected) -> (usize, Vec<Entry>) {
    let Collected::Documents { total, best } = collected else { panic!("documents expected") };
    (
        total,
        best.iter().map(|d| (d.id, d.mask, d.best, d.count, d.passages().iter().map(|p| p.addr).collect())).collect(),
    )
}

#[test]
fn the_pruned_search_finds_the_documents_scoring_every_match_finds() {
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = PassageIndex::open(dir.path()).unwrap();
    // Two tenants in the same segments, then one tenant alone; documents of the same text
    // (tied scores); documents replaced after their commit (deleted passages).
    let mut replaced = Vec::new();
    for n in 0..240 {
        let (d, _) = doc(if n % 4 == 0 { "other" } else { "firm" }, n % 200);
        if n % 17 == 0 {
            replaced.push(d.clone());
        }
        index.add(&d, false).unwrap();
        if n % 80 == 79 {
            index.commit().unwrap();
        }
    }
    for d in &replaced {
        index.add(d, true).unwrap();
    }
    index.commit().unwrap();
    let searcher = index.searcher();
    assert!(searcher.segment_readers().len() >= 3, "the test needs several segments");
    assert!(searcher.segment_readers().iter().all(|r| index.segment_documents(r).unwrap().contiguous));
    let firm: crate::TenantId = "firm".parse().unwrap();
    let (deadline, _searching) = Deadline::start(Duration::from_secs(60));
    let mut pruned_searches = 0;
    for q in [
        "alpha",
        "zeta",
        // In titles only (boosted), then with a word of the text.
        "doc",
        "doc zeta",
        "alpha beta",
        "beta gamma delta",
        "alpha beta gamma delta epsilon zeta",
        "alpha -beta",
        "gamma NOT zeta delta",
    ] {
        let built = prepare(index.fields, &[], q, SearchMode::Precision).unwrap();
        assert!(built.words.is_some(), "{q}: every clause is a word");
        let pruned =
            Matcher::new(&searcher, &built, index.filters(&firm, None, None), None, SearchGroup::Document).unwrap();
        let every =
            Matcher::new(&searcher, &built, index.filters(&firm, None, None), None, SearchGroup::Passage).unwrap();
        assert!(matches!(pruned, Matcher::Disjunction { pruning: Some(_), .. }), "{q}");
        assert!(matches!(every, Matcher::Disjunction { pruning: None, .. }), "{q}");
        for wanted in [1, 2, 3, 10, 25, 100, 1_000] {
            let a = page(collect(&index, &searcher, &pruned, SearchGroup::Document, wanted, &deadline).unwrap());
            let b = page(collect(&index, &searcher, &every, SearchGroup::Document, wanted, &deadline).unwrap());
            assert_eq!(a, b, "{q}, best {wanted}");
            assert!(!a.1.is_empty(), "{q}");
            pruned_searches += 1;
        }
    }
    assert_eq!(pruned_searches, 63);
}

#[test]
fn a_document_replaced_before_its_segment_is_written_is_still_found_once() {
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = PassageIndex::open(dir.path()).unwrap();
    let docs: Vec<IndexDoc> = (0..30).map(|n| doc("firm", n).0).collect();
    for d in &docs {
        index.add(d, false).unwrap();
    }
    // Replaced before a commit, several times: a segment holds two copies of it, the first one
    // deleted, so that its passages no longer follow one another there.
    for _ in 0..8 {
        index.add(&docs[3], true).unwrap();
        index.add(&docs[4], true).unwrap();
    }
    index.commit().unwrap();
    let searcher = index.searcher();
    let contiguous: Vec<bool> =
        searcher.segment_readers().iter().map(|r| index.segment_documents(r).unwrap().contiguous).collect();
    assert!(contiguous.contains(&false), "{contiguous:?}");
    let firm: crate::TenantId = "firm".parse().unwrap();
    let (deadline, _searching) = Deadline::start(Duration::from_secs(60));
    for q in ["alpha", "alpha beta gamma"] {
        let built = prepare(index.fields, &[], q, SearchMode::Precision).unwrap();
        let pruned =
            Matcher::new(&searcher, &built, index.filters(&firm, None, None), None, SearchGroup::Document).unwrap();
        let every =
            Matcher::new(&searcher, &built, index.filters(&firm, None, None), None, SearchGroup::Passage).unwrap();
        for wanted in [1, 5, 100] {
            let a = page(collect(&index, &searcher, &pruned, SearchGroup::Document, wanted, &deadline).unwrap());
            let b = page(collect(&index, &searcher, &every, SearchGroup::Document, wanted, &deadline).unwrap());
            assert_eq!(a, b, "{q}, best {wanted}");
            let ids: HashSet<Uuid> = a.1.iter().map(|e| e.0).collect();
            assert_eq!(ids.len(), a.1.len(), "{q}: a document twice");
        }
    }
}

/// Every passage of `reader`'s segment matching one of `built`'s clauses, with the score the
/// disjunction of the clauses gives it.
fn disjunction_scores(searcher: &Searcher, built: &Built, reader: &SegmentReader) -> Vec<(DocId, Score)> {
    let clauses = built.clauses.iter().map(|(_, c)| (tantivy::query::Occur::Should, c.box_clone())).collect();
    let weight = BooleanQuery::new(clauses).weight(EnableScoring::enabled_from_searcher(searcher)).unwrap();
    let mut scorer = weight.scorer(reader, 1.0).unwrap();
    let mut scores = Vec::new();
    while scorer.doc() != TERMINATED {
        scores.push((scorer.doc(), scorer.score()));
        scorer.advance();
    }
    scores
}

#[test]
fn the_pruned_walk_scores_each_passage_as_the_disjunction_of_the_words_does() {
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = PassageIndex::open(dir.path()).unwrap();
    for n in 0..40 {
        let (mut d, _) = doc("firm", n);
        // Titles of one to three words "doc": a boosted title term with scores that differ.
        d.title = Some(format!("{} {n}", vec!["doc"; 1 + n % 3].join(" ")));
        index.add(&d, false).unwrap();
    }
    index.commit().unwrap();
    let searcher = index.searcher();
    for q in ["doc", "alpha", "doc alpha", "alpha beta"] {
        let built = prepare(index.fields, &[], q, SearchMode::Precision).unwrap();
        let pruning = top::Pruning::new(&searcher, &built.clauses, built.words.as_deref().unwrap()).unwrap();
        for reader in searcher.segment_readers() {
            let mut walked = Vec::new();
            pruning
                .walk(reader, Score::MIN, &mut |doc, score| {
                    walked.push((doc, score));
                    Score::MIN
                })
                .unwrap();
            let expected = disjunction_scores(&searcher, &built, reader);
            assert!(!expected.is_empty(), "{q}");
            assert_eq!(walked.len(), expected.len(), "{q}");
            for ((d, s), (e, t)) in walked.iter().zip(&expected) {
                assert_eq!(d, e, "{q}");
                assert!((s - t).abs() <= 1e-5 * t.abs(), "{q}: passage {d} scored {s}, the disjunction {t}");
            }
        }
    }
}

#[test]
fn the_pruned_walk_misses_no_passage_when_segments_differ_in_field_lengths() {
    // Tantivy stores each block's best (field length, term frequency) pair as scored under its
    // segment's average length, and searches score with the average over all segments. Here
    // the first segments' titles average about 10 words and the last ones' 250, so that a
    // one-word title ("zulu") scores best in its segment and a 30-word title holding the word
    // three times scores best in the index.
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = PassageIndex::open(dir.path()).unwrap();
    let words = |n: usize, tag: &str| (0..n).map(|i| format!("{tag}{i}")).collect::<Vec<_>>().join(" ");
    let add = |n: usize, title: String| {
        let (mut d, _) = doc("firm", n);
        d.title = Some(title);
        index.add(&d, false).unwrap();
    };
    for n in 0..630 {
        match n % 21 {
            0..=4 => add(n, "zulu".into()),
            5..=9 => add(n, format!("zulu zulu zulu {}", words(27, "w"))),
            _ => add(n, words(5, "f")),
        }
    }
    index.commit().unwrap();
    for n in 630..1010 {
        add(n, words(250, "l"));
    }
    index.commit().unwrap();
    let searcher = index.searcher();
    for q in ["zulu", "zulu filler"] {
        let built = prepare(index.fields, &[], q, SearchMode::Precision).unwrap();
        let pruning = top::Pruning::new(&searcher, &built.clauses, built.words.as_deref().unwrap()).unwrap();
        let mut checked = 0;
        for reader in searcher.segment_readers() {
            let scores = disjunction_scores(&searcher, &built, reader);
            let Some(best) = scores.iter().map(|s| s.1).reduce(Score::max) else { continue };
            // Above every one-word title's score, below the 30-word titles'.
            let threshold = best * 0.95;
            let mut walked = HashSet::new();
            pruning
                .walk(reader, threshold, &mut |doc, _| {
                    walked.insert(doc);
                    threshold
                })
                .unwrap();
            for (doc, score) in scores.iter().filter(|s| s.1 > threshold) {
                assert!(walked.contains(doc), "{q}: passage {doc} scoring {score} > {threshold} was skipped");
                checked += 1;
            }
        }
        assert!(checked >= 100, "{q}: {checked} passages checked");
    }
}

/// A random document of the property below: whose it is, its title and passages (indexes into
/// [`VOCABULARY`]), and whether it is added again (replacing itself) and a commit follows it.
#[derive(Debug, Clone)]
struct RandomDocument {
    firm: bool,
    title: Vec<usize>,
    passages: Vec<Vec<usize>>,
    replaced: bool,
    commit: bool,
}

/// Words of the random documents, the first ones more frequent (common words, where the pruned
/// walk skips most, and rare ones).
const VOCABULARY: [&str; 8] = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];

fn random_word() -> impl proptest::strategy::Strategy<Value = usize> {
    use proptest::prelude::*;
    prop_oneof![6 => 0..2usize, 3 => 2..5usize, 1 => 5..8usize]
}

fn random_document() -> impl proptest::strategy::Strategy<Value = RandomDocument> {
    use proptest::prelude::*;
    let passage = proptest::collection::vec(random_word(), 1..30);
    (
        any::<bool>(),
        proptest::collection::vec(random_word(), 0..4),
        proptest::collection::vec(passage, 1..7),
        proptest::bool::weighted(0.1),
        proptest::bool::weighted(0.05),
    )
        .prop_map(|(firm, title, passages, replaced, commit)| RandomDocument {
            firm,
            title,
            passages,
            replaced,
            commit,
        })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 32, ..Default::default() })]

    /// On random documents (two tenants, random segments, replaced documents, common and rare
    /// words in titles and text) and random plain queries (with an excluded word, a filter on a
    /// set of documents), the pruned search gives the page the one-pass search gives, at every
    /// depth, and counts the documents the words say.
    #[test]
    fn the_pruned_search_gives_the_one_pass_page_on_random_documents(
        documents in proptest::collection::vec(random_document(), 1..90),
        queries in proptest::collection::vec(
            (proptest::collection::vec(random_word(), 1..5), proptest::option::of(random_word()), proptest::option::of(proptest::prelude::any::<u64>())),
            1..6,
        ),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (index, _) = PassageIndex::open(dir.path()).unwrap();
        let words = |w: &[usize]| w.iter().map(|&i| VOCABULARY[i]).collect::<Vec<_>>().join(" ");
        let mut added: Vec<(Uuid, &RandomDocument)> = Vec::new();
        for d in &documents {
            let title = (!d.title.is_empty()).then(|| words(&d.title));
            let passages: Vec<String> = d.passages.iter().map(|p| format!("{}.", words(p))).collect();
            let indexed = document(if d.firm { "firm" } else { "other" }, title, &passages);
            index.add(&indexed, false).unwrap();
            if d.replaced {
                index.add(&indexed, true).unwrap();
            }
            if d.commit {
                index.commit().unwrap();
            }
            added.push((indexed.document_id, d));
        }
        index.commit().unwrap();
        let searcher = index.searcher();
        let firm: crate::TenantId = "firm".parse().unwrap();
        let (deadline, _searching) = Deadline::start(Duration::from_secs(60));
        for (positive, excluded, subset) in &queries {
            let excluded = excluded.filter(|e| !positive.contains(e));
            let q = match excluded {
                Some(e) => format!("{} -{}", words(positive), VOCABULARY[e]),
                None => words(positive),
            };
            // A filter on a set of documents (as an entity filter is): those whose bit is set.
            let kept: Option<Vec<Uuid>> = subset.map(|bits| {
                added.iter().enumerate().filter(|(i, _)| bits & (1 << (i % 64)) != 0).map(|(_, d)| d.0).collect()
            });
            let built = prepare(index.fields, &[], &q, SearchMode::Precision).unwrap();
            let matcher = |group| {
                let (document, set) = DocumentSet::restriction(kept.as_deref());
                Matcher::new(&searcher, &built, index.filters(&firm, None, document), set, group).unwrap()
            };
            let (pruned, every) = (matcher(SearchGroup::Document), matcher(SearchGroup::Passage));
            proptest::prop_assert!(matches!(pruned, Matcher::Disjunction { pruning: Some(_), .. }), "{}", q);
            for wanted in [1, 2, 5, 10, 1_000] {
                let a = page(collect(&index, &searcher, &pruned, SearchGroup::Document, wanted, &deadline).unwrap());
                let b = page(collect(&index, &searcher, &every, SearchGroup::Document, wanted, &deadline).unwrap());
                proptest::prop_assert_eq!(&a, &b, "{}, best {}", q, wanted);
            }
            // What the words say: the firm's kept documents with a passage that holds (in its
            // text or its document's title) a positive word and not the excluded one.
            let expected = added
                .iter()
                .filter(|(id, d)| {
                    d.firm
                        && kept.as_ref().is_none_or(|k| k.contains(id))
                        && d.passages.iter().any(|p| {
                            let holds = |w: usize| p.contains(&w) || d.title.contains(&w);
                            positive.iter().any(|&w| holds(w)) && excluded.is_none_or(|e| !holds(e))
                        })
                })
                .count();
            let total = page(collect(&index, &searcher, &pruned, SearchGroup::Document, 10, &deadline).unwrap()).0;
            proptest::prop_assert_eq!(total, expected, "{}", q);
        }
    }
}
