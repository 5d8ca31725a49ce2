//! The docx parser on any bytes: it must answer a document or an error, never panic, hang or
//! overflow its stack.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    common::tolerate_caught_library_panics();
    let limits = docket_corpus::ParseLimits { max_expanded_bytes: 16 << 20, ..Default::default() };
    let _ = docket_corpus::parse::parse("fuzz.docx", None, data, &limits);
});
