//! Shared by the parser targets.

use std::sync::Once;

/// A panic inside a third-party parser is caught by `docket_corpus::parse::parse` and answered
/// as "crashed the parser" (the contract these targets check); a panic in this project's code
/// is a bug, and aborts as libFuzzer expects.
pub fn tolerate_caught_library_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            if info.location().is_some_and(|at| at.file().contains("/registry/src/")) {
                return;
            }
            eprintln!("{info}");
            std::process::abort();
        }));
    });
}
