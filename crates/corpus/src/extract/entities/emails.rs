//! E-mail addresses in the text.

use std::sync::LazyLock;

use regex::Regex;

use super::Found;
use crate::model::EntityKind;
use crate::parse::clean::re;

pub(super) static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b",
    )
});

pub(super) fn emails(text: &str, found: &mut Found) {
    for m in EMAIL.find_iter(text) {
        found.push(EntityKind::Email, m.as_str().to_lowercase(), m.as_str(), Some((m.start(), m.end())));
    }
}
