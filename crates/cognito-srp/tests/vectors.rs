//! The repository's copy of the shared SRP vectors must match the original
//! whenever `../shared` is present (CI has it; a user's clone does not). The
//! vectors themselves are checked value by value in `src/vector_tests.rs`.

use std::path::Path;

#[test]
fn vector_copy_matches_shared_original() {
    let copy = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/cognito-srp.json");
    let shared =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors/cognito-srp.json");
    let copy = std::fs::read(copy).expect("the repository ships its copy of the vectors");
    match std::fs::read(&shared) {
        Ok(original) => assert!(
            copy == original,
            "tests/vectors/cognito-srp.json differs from {}",
            shared.display()
        ),
        Err(_) => eprintln!(
            "note: {} not present; checked the repository copy only",
            shared.display()
        ),
    }
    let doc: serde_json::Value = serde_json::from_slice(&copy).unwrap();
    assert!(doc["cases"].as_array().is_some_and(|c| c.len() >= 11));
}
