//! Printing responses the way the original study did, with every secret
//! shortened so the output can be shared.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// `eyJraWQiOi…(1034 chars)`: enough to recognise, never enough to use.
pub fn shorten(secret: &str) -> String {
    let head: String = secret.chars().take(10).collect();
    format!("{head}…({} chars)", secret.chars().count())
}

/// ISO 8601 UTC, as credential_process wants it.
pub fn iso8601(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
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
            iso8601(UNIX_EPOCH + std::time::Duration::from_secs(1_709_629_623)),
            "2024-03-05T09:07:03Z"
        );
    }
}
