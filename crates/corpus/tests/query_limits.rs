//! The query limits in front of Tantivy's grammar: every input within them is parsed promptly,
//! every input past them is refused before parsing, naming the limit.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use docket_corpus::query::{Limit, check_and_parse};
use docket_corpus::{CorpusError, SearchMode};
use proptest::prelude::*;

/// Generous: a parse that is not answered by then hangs (a correct one takes milliseconds).
const ANSWERED_WITHIN: Duration = Duration::from_secs(10);

/// Check and parse `q` on another thread; panics when no answer comes in time.
fn answered(q: &str, mode: SearchMode) -> (Result<(), CorpusError>, Duration) {
    let (tx, rx) = mpsc::channel();
    let owned = q.to_owned();
    std::thread::spawn(move || {
        let started = Instant::now();
        let result = check_and_parse(&owned, mode).map(|_| ());
        let _ = tx.send((result, started.elapsed()));
    });
    match rx.recv_timeout(ANSWERED_WITHIN) {
        Ok(answer) => answer,
        Err(_) => panic!("no answer within {ANSWERED_WITHIN:?} for a query of {} bytes", q.len()),
    }
}

fn limit_of(result: &Result<(), CorpusError>) -> Option<Limit> {
    match result {
        Err(CorpusError::QueryTooComplex(e)) => Some(e.limit),
        _ => None,
    }
}

fn nested(depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", "(".repeat(depth), ")".repeat(depth))
}

#[test]
fn thirty_levels_of_parentheses_are_refused_at_once_naming_the_depth() {
    let (result, _) = answered(&nested(30, "title:test"), SearchMode::Precision);
    let Err(CorpusError::QueryTooComplex(e)) = result else { panic!("{result:?}") };
    assert_eq!((e.limit, e.value, e.max), (Limit::Depth, 30, 6));
    // Unclosed groups cost the grammar as much as closed ones.
    let (result, _) = answered(&format!("{}a", "(".repeat(30)), SearchMode::Recall);
    assert_eq!(limit_of(&result), Some(Limit::Depth));
    // Hidden behind parentheses the grammar may read as text.
    let hidden = format!("{}x{}", "( \")\" ".repeat(20), ") \"(\" ".repeat(20));
    let (result, _) = answered(&hidden, SearchMode::Precision);
    assert_eq!(limit_of(&result), Some(Limit::Depth), "{hidden}");
}

#[test]
fn length_and_terms_are_named() {
    let (result, _) = answered(&"contract ".repeat(120), SearchMode::Precision);
    assert_eq!(limit_of(&result), Some(Limit::Length));
    let (result, _) = answered(&"w ".repeat(65), SearchMode::Precision);
    assert_eq!(limit_of(&result), Some(Limit::Terms));
    let (result, _) = answered(&"w ".repeat(64), SearchMode::Precision);
    assert!(result.is_ok(), "{result:?}");
}

/// The costliest shapes within the limits: six levels around as much text as allowed,
/// closed, unclosed, as field groups and in recall mode. Times are printed for the record,
/// not asserted.
#[test]
fn the_worst_shapes_within_the_limits_are_answered() {
    let words = |n: usize| vec!["indemnification"; n].join(" ");
    let filler = words(60);
    let cases = [
        ("six levels around one term", nested(6, "a")),
        ("six levels around 60 long terms", nested(6, &filler)),
        ("six unclosed levels before 60 long terms", format!("{}{filler}", "(".repeat(6))),
        ("six field groups", format!("{}a{}", "title:(".repeat(6), ")".repeat(6))),
        ("six levels of NOT groups", format!("{}a{}", "NOT (".repeat(6), ")".repeat(6))),
        ("sibling groups six deep", format!("{} {}", nested(6, "a"), nested(6, "b")).repeat(4)),
    ];
    for (name, q) in cases {
        assert!(q.len() <= 1_024, "{name}: {} bytes", q.len());
        for mode in [SearchMode::Precision, SearchMode::Recall] {
            let (result, took) = answered(&q, mode);
            assert_eq!(limit_of(&result), None, "{name}: {result:?}");
            eprintln!("{name} ({} bytes, {mode:?}): {took:?}", q.len());
        }
    }
}

fn query_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "(", ")", "(", ")", "\"", "'", "/", "\\", " ", " ", "a", "contract", "title:", "text:", "+", "-", "*", "~2",
        "^2", "AND ", "OR ", "NOT ", "[a TO b]", "IN [a b]", ">=3", "é", "\u{2019}",
    ]);
    prop::collection::vec(pieces, 0..300).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Any input is answered: parsed, or refused as malformed or past a limit, never hung.
    #[test]
    fn any_input_is_answered(q in query_text()) {
        let (result, _) = answered(&q, SearchMode::Recall);
        if let Err(e) = &result {
            prop_assert!(e.is_client_error(), "{q:?}: {e:?}");
        }
    }

    /// Deep nesting hidden among quotes, apostrophes, slashes and escapes is still bounded.
    #[test]
    fn nesting_among_text_delimiters_is_bounded(prefix in query_text(), depth in 7usize..40) {
        let q = format!("{prefix} {}", nested(depth, "x"));
        let (result, _) = answered(&q, SearchMode::Precision);
        prop_assert!(result.is_err(), "{q:?}");
    }
}

/// Found by the query fuzz target: Tantivy's grammar panicked ("Exist query without a field
/// isn't allowed") on a bare `*` inside nested groups. The forgiving parser reads it as words
/// in groups; a `*` alone is punctuation.
#[test]
fn a_query_the_grammar_panicked_on_is_answered() {
    for mode in [SearchMode::Precision, SearchMode::Recall] {
        let (result, _) = answered("(*(((nvi]c(io).))))", mode);
        assert!(result.is_ok(), "{result:?}");
        let (result, _) = answered("(*)", mode);
        let err = result.expect_err("nothing to search for");
        assert!(err.is_client_error(), "{err}");
    }
}
