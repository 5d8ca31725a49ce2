//! The html parser on any bytes: it must answer a document or an error, never panic, hang or
//! overflow its stack.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = docket_corpus::ParseLimits { max_expanded_bytes: 16 << 20, ..Default::default() };
    let _ = docket_corpus::parse::parse("fuzz.html", None, data, &limits);
});
