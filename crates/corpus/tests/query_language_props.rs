//! Any string is either a query or a client error naming the problem: never a panic, never an
//! internal fault, and a syntax error's position is inside the query.

use docket_corpus::query::check_and_parse;
use docket_corpus::{CorpusError, SearchMode};
use proptest::prelude::*;

fn check(q: &str) -> Result<(), TestCaseError> {
    for mode in [SearchMode::Precision, SearchMode::Recall] {
        match check_and_parse(q, mode) {
            Ok(_) => {}
            Err(e) => {
                prop_assert!(e.is_client_error(), "{q:?}: {e:?}");
                prop_assert_eq!(e.field(), Some("q"));
                if let CorpusError::InvalidQuery { position: Some(at), .. } = &e {
                    prop_assert!(*at < q.chars().count(), "{q:?}: {e}");
                }
            }
        }
    }
    Ok(())
}

/// Pieces of the query syntax and of what people type, glued in any order.
fn syntax() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just(" ".to_owned()),
        Just("AND".to_owned()),
        Just("OR".to_owned()),
        Just("NOT".to_owned()),
        Just("+".to_owned()),
        Just("-".to_owned()),
        Just("*".to_owned()),
        Just("~2".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("from:".to_owned()),
        Just("title:".to_owned()),
        Just("x:".to_owned()),
        "[a-zA-Zé東京ﬁ0-9]{1,6}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn any_string_parses_or_is_a_client_error(q in any::<String>()) {
        check(&q)?;
    }

    #[test]
    fn any_mix_of_syntax_parses_or_is_a_client_error(q in syntax()) {
        check(&q)?;
    }
}

#[test]
fn what_people_type_parses() {
    for q in ["O'Brien", "don't", "Smith's", "[PB61]", "\"open", "a AND", "OR", "Re: offer", "10:30", "e-mail"] {
        assert!(check_and_parse(q, SearchMode::Precision).is_ok(), "{q}");
    }
}
