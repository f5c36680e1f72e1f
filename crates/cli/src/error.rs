//! What can go wrong in cogkit, and the exit status each gives. As the AWS
//! CLI: 1 when a call or a value failed, 2 when the command line itself is
//! wrong (clap's own usage errors are 2 as well).

use std::fmt;

use cognito_flows::verifier::VerifyError;
use cognito_flows::{FlowError, TokenStoreError};

/// A command's failure.
#[derive(Debug)]
pub enum CliError {
    /// Options that do not go together, or one a command needs.
    Usage(String),
    /// A value given was refused before anything was sent.
    Input(String),
    /// A Cognito flow failed: AWS's code and message, or why it never got
    /// an answer.
    Flow(FlowError),
    /// A token did not verify.
    Token(VerifyError),
    /// The token cache could not be read or written.
    Store(TokenStoreError),
    /// Something needed asking and there is no terminal, or it failed.
    Terminal(String),
}

impl CliError {
    /// The process's exit status.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Input(m) | CliError::Terminal(m) => f.write_str(m),
            CliError::Flow(e) => write!(f, "{e}"),
            CliError::Token(e) => write!(f, "{e}"),
            CliError::Store(e) => write!(f, "{e}"),
        }
    }
}

impl From<FlowError> for CliError {
    fn from(e: FlowError) -> Self {
        CliError::Flow(e)
    }
}

impl From<VerifyError> for CliError {
    fn from(e: VerifyError) -> Self {
        CliError::Token(e)
    }
}

impl From<TokenStoreError> for CliError {
    fn from(e: TokenStoreError) -> Self {
        CliError::Store(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_is_2_and_everything_else_1() {
        assert_eq!(CliError::Usage("x".into()).exit_code(), 2);
        for e in [
            CliError::Input("x".into()),
            CliError::Flow(FlowError::service("NotAuthorizedException", "no")),
            CliError::Token(VerifyError::InvalidSignature),
            CliError::Store(TokenStoreError::NoLocation),
            CliError::Terminal("x".into()),
        ] {
            assert_eq!(e.exit_code(), 1, "{e}");
        }
        assert_eq!(
            CliError::from(FlowError::service("NotAuthorizedException", "no")).to_string(),
            "NotAuthorizedException: no"
        );
    }
}
