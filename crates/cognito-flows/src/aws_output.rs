//! Credentials and results in the shapes AWS tools read: the
//! `credential_process` JSON of `~/.aws/config`, `export AWS_…=…` lines for
//! a shell, and the AWS CLI's `--output text` layout.
//!
//! These print secrets whole, on purpose: they hand credentials to the
//! program that asked for them. For logs and traces use [`crate::observe`],
//! which shortens them.
//!
//! ```
//! use cognito_flows::aws_output::text_lines;
//! use cognito_flows::wire::json::json;
//!
//! let v = json!({"IdentityId": "id-1", "Credentials": {"AccessKeyId": "AK"}});
//! assert_eq!(text_lines(&v), ["id-1", "CREDENTIALS\tAK"]);
//! ```

use serde_json::{Value, json};

use crate::transport::AwsCredentials;

/// The credentials whole, in the AWS CLI's member names (`AccessKeyId`,
/// `SecretAccessKey`, `SessionToken`, `Expiration` in ISO 8601).
pub fn credentials_json(c: &AwsCredentials) -> Value {
    json!({
        "AccessKeyId": c.access_key_id,
        "SecretAccessKey": c.secret_access_key.expose_secret(),
        "SessionToken": c.session_token.expose_secret(),
        "Expiration": cognito_wire::time::iso8601(c.expiration).unwrap_or_default(),
    })
}

/// What a `credential_process` prints: [`credentials_json`] with
/// `"Version": 1`.
pub fn credential_process_json(c: &AwsCredentials) -> Value {
    let mut out = credentials_json(c);
    out["Version"] = json!(1);
    out
}

/// `export AWS_ACCESS_KEY_ID=…` and the other three variables the AWS SDKs
/// and CLI read, one line each, for a shell to `eval`.
pub fn export_lines(c: &AwsCredentials) -> Vec<String> {
    let json = credentials_json(c);
    [
        ("AWS_ACCESS_KEY_ID", "AccessKeyId"),
        ("AWS_SECRET_ACCESS_KEY", "SecretAccessKey"),
        ("AWS_SESSION_TOKEN", "SessionToken"),
        ("AWS_CREDENTIAL_EXPIRATION", "Expiration"),
    ]
    .into_iter()
    .map(|(name, key)| format!("export {name}={}", json[key].as_str().unwrap_or_default()))
    .collect()
}

/// The AWS CLI's `--output text` layout of a result: an object's scalar
/// members on one line, tab-separated and sorted by key, after the
/// upper-cased name of the member holding it; nested objects and list
/// items on lines of their own.
pub fn text_lines(value: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    text_lines_of(None, value, &mut lines);
    lines
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => Some("None".to_owned()),
        Value::Bool(_) | Value::Number(_) => Some(v.to_string()),
        _ => None,
    }
}

fn text_lines_of(name: Option<&str>, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut fields: Vec<String> = name.map(str::to_uppercase).into_iter().collect();
            fields.extend(keys.iter().filter_map(|k| scalar(&map[k.as_str()])));
            if fields.len() > usize::from(name.is_some()) || name.is_some() {
                out.push(fields.join("\t"));
            }
            for k in keys {
                let child = &map[k.as_str()];
                if scalar(child).is_none() {
                    text_lines_of(Some(k), child, out);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                match scalar(item) {
                    Some(s) => out.push(match name {
                        Some(n) => format!("{}\t{s}", n.to_uppercase()),
                        None => s,
                    }),
                    None => text_lines_of(name, item, out),
                }
            }
        }
        other => out.push(scalar(other).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::{SecretAccessKey, SessionToken};
    use std::time::{Duration, UNIX_EPOCH};

    fn credentials() -> AwsCredentials {
        AwsCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: SecretAccessKey::new("secret/key+1"),
            session_token: SessionToken::new("token=="),
            expiration: UNIX_EPOCH + Duration::from_secs(1_709_629_623),
        }
    }

    #[test]
    fn credential_process_is_the_aws_shape_with_version_1() {
        assert_eq!(
            credential_process_json(&credentials()),
            json!({"Version": 1, "AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "secret/key+1",
                   "SessionToken": "token==", "Expiration": "2024-03-05T09:07:03Z"})
        );
    }

    #[test]
    fn export_lines_name_the_sdk_variables() {
        assert_eq!(
            export_lines(&credentials()),
            [
                "export AWS_ACCESS_KEY_ID=ASIAEXAMPLE",
                "export AWS_SECRET_ACCESS_KEY=secret/key+1",
                "export AWS_SESSION_TOKEN=token==",
                "export AWS_CREDENTIAL_EXPIRATION=2024-03-05T09:07:03Z",
            ]
        );
    }

    #[test]
    fn text_output_is_laid_out_like_the_aws_cli() {
        let v = json!({"IdentityId": "id-1", "Credentials": {"AccessKeyId": "AK", "Expiration": "E"},
                       "groups": ["a", "b"], "n": null, "ok": true});
        assert_eq!(
            text_lines(&v),
            [
                "id-1\tNone\ttrue",
                "CREDENTIALS\tAK\tE",
                "GROUPS\ta",
                "GROUPS\tb"
            ]
        );
        assert_eq!(text_lines(&json!("plain")), ["plain"]);
        assert_eq!(
            text_lines(&json!([{"a": 1}, {"a": 2}])),
            ["1", "2"],
            "a list of objects, one line each"
        );
    }
}
