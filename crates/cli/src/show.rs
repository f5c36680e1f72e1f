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
            for line in cognito_flows::aws_output::text_lines(value) {
                outln!("{line}");
            }
        }
    }
}
