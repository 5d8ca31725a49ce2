//! Entity extraction and sentence splitting on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let doc = docket_corpus::ParsedDocument { text: String::from_utf8_lossy(data).into_owned(), ..Default::default() };
    for (start, end) in docket_corpus::extract::sentences(&doc.text) {
        assert!(start <= end && end <= doc.text.len());
    }
    for mention in docket_corpus::extract::entities(&doc) {
        if let Some((start, end)) = mention.span {
            assert!(start <= end && end <= doc.text.len() && doc.text.is_char_boundary(start));
        }
    }
});
