//! Errors in the AWS JSON 1.1 shape: HTTP 400, `x-amzn-ErrorType: <Code>:`,
//! body `{"__type": "<Code>", "message": "…"}`.

use std::fmt;

/// A service error as Cognito reports it. Every client mistake is one of these
/// (status 400); nothing a client sends may cause a 5xx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The `__type`, e.g. `NotAuthorizedException`.
    pub code: &'static str,
    /// The human-readable message.
    pub message: String,
}

impl ApiError {
    /// An error with the given code and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// `InvalidParameterException`.
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterException", message)
    }

    /// `NotAuthorizedException`.
    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new("NotAuthorizedException", message)
    }

    /// `ResourceNotFoundException`.
    pub fn resource_not_found(message: impl Into<String>) -> Self {
        Self::new("ResourceNotFoundException", message)
    }

    /// `SerializationException`: the body is not the JSON the operation takes.
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new("SerializationException", message)
    }

    /// The message Cognito gives for any failed password proof.
    pub fn incorrect_credentials() -> Self {
        Self::not_authorized("Incorrect username or password.")
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

/// Result of an operation handler.
pub type ApiResult<T> = Result<T, ApiError>;
