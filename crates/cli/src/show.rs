//! Printing responses the way the original study did, with every secret
//! shortened so the output can be shared.

use std::time::SystemTime;

use serde_json::{Value, json};

/// `eyJraWQiOi…(1034 chars)`: enough to recognise, never enough to use.
pub fn shorten(secret: &str) -> String {
    let head: String = secret.chars().take(10).collect();
    format!("{head}…({} chars)", secret.chars().count())
}

/// ISO 8601 UTC, as credential_process wants it.
pub fn iso8601(t: SystemTime) -> String {
    cognito_srp::CognitoTimestamp::from_system_time(t)
        .map(|t| t.iso8601())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// Challenge parameters with the long SRP values shortened.
pub fn challenge_parameters(params: &std::collections::HashMap<String, String>) -> Value {
    let mut keys: Vec<&String> = params.keys().collect();
    keys.sort();
    let mut out = serde_json::Map::new();
    for k in keys {
        let v = &params[k];
        let shown = if matches!(k.as_str(), "SRP_B" | "SECRET_BLOCK" | "SALT") {
            shorten(v)
        } else {
            v.clone()
        };
        out.insert(k.clone(), json!(shown));
    }
    Value::Object(out)
}

/// Prints a call's heading and its (already shortened) response.
pub fn call(name: &str, response: &Value) {
    println!("=== {name} ===");
    println!(
        "{}",
        serde_json::to_string_pretty(response).unwrap_or_default()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortening_and_dates() {
        assert_eq!(shorten("abcdefghijklmnop"), "abcdefghij…(16 chars)");
        assert_eq!(
            iso8601(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_709_629_623)),
            "2024-03-05T09:07:03Z"
        );
    }
}
