//! The query front: limits, then Tantivy's grammar and query parser, on any input. Every input
//! must be answered (parsed, or refused as malformed or past a limit), never panic or hang.

#![no_main]

use docket_corpus::SearchMode;
use docket_corpus::query::check_and_parse;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    // Tantivy's grammar panics on some inputs; the query front catches that and answers a
    // client error (checked below), as `parse()` does for the parsers.
    common::tolerate_caught_library_panics();
    let Ok(q) = std::str::from_utf8(data) else { return };
    for mode in [SearchMode::Precision, SearchMode::Recall] {
        if let Err(e) = check_and_parse(q, mode) {
            assert!(e.is_client_error(), "{q:?}: {e}");
        }
    }
});
