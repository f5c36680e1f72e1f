//! The one error type of the flows: it keeps AWS's error code and message.

use std::fmt;

/// Why a flow failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FlowError {
    /// The service answered with an error: AWS's code (e.g.
    /// `NotAuthorizedException`) and message, unchanged.
    Service {
        /// The error code.
        code: String,
        /// The message.
        message: String,
    },
    /// An OAuth2 endpoint answered `{"error", "error_description"}`.
    OAuth {
        /// `invalid_grant`, `invalid_client`, …
        error: String,
        /// `error_description`, if any.
        description: Option<String>,
    },
    /// The request never got an answer (connection refused, timeout, TLS…).
    Transport(String),
    /// The answer was not what the protocol allows.
    Protocol(String),
    /// The caller passed something malformed (a bad id, a bad callback URL).
    InvalidInput(String),
    /// The SRP maths refused a value.
    Srp(cognito_srp::SrpError),
    /// No login is available (nothing cached, nothing configured): a
    /// credentials chain should try its next provider.
    NoLogin(String),
    /// The service asked for something this client cannot do.
    Unsupported(String),
}

impl FlowError {
    /// A service error.
    pub fn service(code: impl Into<String>, message: impl Into<String>) -> Self {
        FlowError::Service {
            code: code.into(),
            message: message.into(),
        }
    }

    /// A protocol error.
    pub fn protocol(message: impl Into<String>) -> Self {
        FlowError::Protocol(message.into())
    }

    /// An input error.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        FlowError::InvalidInput(message.into())
    }

    /// AWS's error code, for service errors.
    pub fn code(&self) -> Option<&str> {
        match self {
            FlowError::Service { code, .. } => Some(code),
            FlowError::OAuth { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The service's message, for service errors.
    pub fn message(&self) -> Option<&str> {
        match self {
            FlowError::Service { message, .. } => Some(message),
            FlowError::OAuth { description, .. } => description.as_deref(),
            _ => None,
        }
    }

    /// `NotAuthorizedException`: wrong password, expired or revoked token,
    /// unauthenticated access disabled, …
    pub fn is_not_authorized(&self) -> bool {
        self.code() == Some("NotAuthorizedException")
    }
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlowError::Service { code, message } => write!(f, "{code}: {message}"),
            FlowError::OAuth {
                error,
                description: Some(d),
            } => write!(f, "{error}: {d}"),
            FlowError::OAuth {
                error,
                description: None,
            } => write!(f, "{error}"),
            FlowError::Transport(m) => write!(f, "could not reach the service: {m}"),
            FlowError::Protocol(m) => write!(f, "unexpected answer from the service: {m}"),
            FlowError::InvalidInput(m) => write!(f, "{m}"),
            FlowError::Srp(e) => write!(f, "SRP: {e}"),
            FlowError::NoLogin(m) | FlowError::Unsupported(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for FlowError {}

impl From<cognito_srp::SrpError> for FlowError {
    fn from(e: cognito_srp::SrpError) -> Self {
        FlowError::Srp(e)
    }
}
