//! Date extraction on any text (and an e-mail's parse of it, for header dates).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let doc = docket_corpus::ParsedDocument { text: String::from_utf8_lossy(data).into_owned(), ..Default::default() };
    for date in docket_corpus::extract::dates(&doc) {
        if let Some((start, end)) = date.span {
            assert!(start <= end && end <= doc.text.len() && doc.text.is_char_boundary(start));
        }
    }
});
