//! Printing responses the way the original study did (secrets shortened
//! by the transports' observer), or as the AWS CLI's `--output`.

use cognito_flows::wire::json::{self, Value};

/// Prints a call's heading and its (already shortened) response.
pub fn call(name: &str, response: &Value) {
    outln!("=== {name} ===");
    outln!("{}", json::to_string_pretty(response).unwrap_or_default());
}

/// STS GetCallerIdentity signed with `credentials`, printed: the proof they
/// work, and which role they are for.
pub async fn caller(
    sts: &sdk_transport::SdkSts,
    credentials: &cognito_flows::transport::AwsCredentials,
) -> Result<sdk_transport::CallerIdentity, cognito_flows::FlowError> {
    let who = sts.caller_identity(credentials).await?;
    call(
        "GetCallerIdentity (STS, signed with those credentials)",
        &cognito_flows::wire::json::json!({"Arn": who.arn, "Account": who.account}),
    );
    Ok(who)
}

/// `--output`, as the AWS CLI spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Output {
    /// Pretty-printed JSON.
    #[default]
    Json,
    /// Tab-separated values, one object per line, as `aws --output text`.
    Text,
}

/// Prints a command's result in the chosen output format.
pub fn print(value: &Value, output: Output) {
    match output {
        Output::Json => outln!("{}", json::to_string_pretty(value).unwrap_or_default()),
        Output::Text => {
            let mut lines = Vec::new();
            text_lines(None, value, &mut lines);
            for line in lines {
                outln!("{line}");
            }
        }
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => Some("None".to_owned()),
        Value::Bool(_) | Value::Number(_) => Some(v.to_string()),
        _ => None,
    }
}

/// The AWS CLI's text layout: an object's scalar members on one line
/// (sorted by key, after the upper-cased name of the member holding it);
/// nested objects and list items on lines of their own.
fn text_lines(name: Option<&str>, v: &Value, out: &mut Vec<String>) {
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
                    text_lines(Some(k), child, out);
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
                    None => text_lines(name, item, out),
                }
            }
        }
        other => out.push(scalar(other).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognito_flows::wire::json::json;

    #[test]
    fn text_output_is_laid_out_like_the_aws_cli() {
        let v = json!({"IdentityId": "id-1", "Credentials": {"AccessKeyId": "AK", "Expiration": "E"},
                       "groups": ["a", "b"]});
        let mut lines = Vec::new();
        text_lines(None, &v, &mut lines);
        assert_eq!(
            lines,
            ["id-1", "CREDENTIALS\tAK\tE", "GROUPS\ta", "GROUPS\tb"]
        );
    }
}
