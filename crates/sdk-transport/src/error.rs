//! SDK errors → `FlowError`, keeping AWS's code and message.

use aws_sdk_cognitoidentity::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use cognito_flows::FlowError;

/// Maps any of the three SDKs' errors (they share these types).
pub fn from_sdk<E, R>(e: SdkError<E, R>) -> FlowError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match &e {
        SdkError::ServiceError(service) => {
            let err = service.err();
            match err.code() {
                Some(code) => FlowError::service(code, err.message().unwrap_or_default()),
                None => FlowError::protocol(format!(
                    "service error without a code: {}",
                    DisplayErrorContext(&e)
                )),
            }
        }
        _ => FlowError::Transport(DisplayErrorContext(&e).to_string()),
    }
}
