//! The query front: limits, then the forgiving parser and the query built over the passage
//! fields, on any input. Every input must be answered (parsed, or refused as malformed or past a
//! limit), never panic or hang.

#![no_main]

use docket_corpus::SearchMode;
use docket_corpus::query::check_and_parse;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    // Panics caught inside third-party code are tolerated as for the parser targets; any
    // other panic is a crash.
    common::tolerate_caught_library_panics();
    let Ok(q) = std::str::from_utf8(data) else { return };
    for mode in [SearchMode::Precision, SearchMode::Recall] {
        if let Err(e) = check_and_parse(q, mode) {
            assert!(e.is_client_error(), "{q:?}: {e}");
        }
    }
});
