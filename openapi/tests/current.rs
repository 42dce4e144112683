//! The committed `docs/openapi.json` is exactly what the code generates, so the published
//! contract cannot drift from the code behind it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test: a failed step is a failed test"
)]

use std::path::Path;

const REGENERATE: &str = "run `cargo run -q -p openapi > docs/openapi.json` and commit the result";

#[test]
fn the_committed_document_is_what_the_code_generates() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}; {REGENERATE}", path.display()));
    let generated = openapi::json();
    if committed == generated {
        return;
    }
    let first_difference = committed
        .lines()
        .zip(generated.lines())
        .position(|(old, new)| old != new)
        .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
    let line = |text: &str| {
        text.lines()
            .nth(first_difference)
            .unwrap_or("<end of file>")
            .to_owned()
    };
    panic!(
        "docs/openapi.json differs from what the code generates (first at line {}):\n  \
         committed: {}\n  generated: {}\n{REGENERATE}",
        first_difference + 1,
        line(&committed),
        line(&generated),
    );
}

#[test]
fn the_document_is_the_same_on_every_run() {
    let first = openapi::json();
    for _ in 0..5 {
        assert_eq!(openapi::json(), first, "the output must be deterministic");
    }
    assert!(
        first.ends_with("}\n"),
        "pretty JSON with one trailing newline"
    );
}

#[test]
fn the_document_is_openapi_3_1() {
    let document: serde_json::Value = serde_json::from_str(&openapi::json()).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn no_mark_for_the_completion_is_left_in_the_document() {
    let text = openapi::json();
    for mark in ["x-customer", "x-stateless", shared::openapi::COMPONENT] {
        assert!(!text.contains(mark), "{mark} must not reach the document");
    }
}
