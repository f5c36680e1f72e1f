//! The seed file: `SeedConfig::from_toml` on any text, then, for what
//! parses, building a mock from it (every entry goes through the API's own
//! validation, so this reaches the same checks as the JSON targets).
//!
//! Input: the TOML text; the corpus is the repository's seed files and the
//! tests' seeds.
//!
//! Invariants: never a panic; every refusal is a non-empty message that
//! says it is about the seed file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mock_cognito::SeedConfig;
use mock_cognito::fuzzing::InProcessMock;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let seed = match SeedConfig::from_toml(text) {
        Ok(seed) => seed,
        Err(message) => {
            assert!(
                message.starts_with("seed file"),
                "an unlabelled error: {message}"
            );
            return;
        }
    };
    // Users cost a verifier each (a 3072-bit exponentiation): keep one
    // input from running for seconds.
    let users: usize = seed.user_pools.iter().map(|p| p.users.len()).sum();
    if users > 16 {
        return;
    }
    if let Err(message) = InProcessMock::new(&seed) {
        assert!(!message.is_empty(), "an empty refusal");
    }
});
