//! AWS JSON 1.1 on `POST /`: the [`AwsJsonRequest`] extractor (target,
//! content type, size, signing, region, and the typed input whose reading
//! is the model's validation), errors as responses in the AWS shape, and the
//! hand-off to each service's dispatch.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::engine::Shared;
use crate::error::ApiError;
use crate::shapes::ServiceOperation;
use crate::shapes::cognito_identity::{IdentityPoolOperation, IdentityPoolRequest};
use crate::shapes::cognito_idp::{UserPoolOperation, UserPoolRequest};

/// Largest request body accepted, as the issue of record sets it: 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
const JSON_11: &str = "application/x-amz-json-1.1";
const USER_POOLS_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const IDENTITY_POOLS_PREFIX: &str = "AWSCognitoIdentityService.";
/// AWS KMS, of which the mock serves `Decrypt` only (see [`crate::kms`]).
const KMS_PREFIX: &str = "TrentService.";

/// A request of either Cognito service, read and validated.
#[derive(Debug)]
pub(crate) enum ServiceRequest {
    /// `AWSCognitoIdentityProviderService.*`.
    UserPool(Box<UserPoolRequest>),
    /// `AWSCognitoIdentityService.*`.
    IdentityPool(Box<IdentityPoolRequest>),
    /// `TrentService.Decrypt`: what custom sender handlers call.
    KmsDecrypt,
}

/// One AWS JSON 1.1 call, read as the service reads it.
#[derive(Debug)]
pub(crate) struct AwsJsonRequest {
    /// The operation's name, e.g. `InitiateAuth`.
    pub(crate) operation: &'static str,
    /// The typed input.
    pub(crate) request: ServiceRequest,
    /// The region of a signed operation's credential scope.
    pub(crate) region: Option<String>,
    /// The body as JSON: for what the edge reads of any request (the ids
    /// that say which region and pool it is about).
    pub(crate) body: Value,
}

impl FromRequest<Shared> for AwsJsonRequest {
    type Rejection = ApiError;

    async fn from_request(req: Request, shared: &Shared) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let body = Bytes::from_request(Request::from_parts(parts.clone(), body), shared)
            .await
            .map_err(|_| {
                ApiError::serialization(format!("Request body exceeds {MAX_BODY_BYTES} bytes"))
            })?;
        read(&parts.headers, &body)
    }
}

/// Reads a request: target, content type, size, JSON, signing and region,
/// then the typed input.
fn read(headers: &HeaderMap, body: &[u8]) -> Result<AwsJsonRequest, ApiError> {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::new("UnknownOperationException", "Missing X-Amz-Target header"))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !matches!(essence, JSON_11 | "application/json") {
        return Err(ApiError::serialization(format!(
            "Content type must be {JSON_11}, got {content_type:?}"
        )));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::serialization(format!(
            "Request body exceeds {MAX_BODY_BYTES} bytes"
        )));
    }
    let input: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::serialization(format!("Request body is not valid JSON: {e}")))?
    };
    // A `null` body reads as `{}` (and is validated as such).
    let body = if input.is_null() { json!({}) } else { input };
    if let Some(op) = target.strip_prefix(USER_POOLS_PREFIX) {
        let (operation, region, request) = typed::<UserPoolOperation>(op, target, headers, &body)?;
        return Ok(AwsJsonRequest {
            operation,
            request: ServiceRequest::UserPool(Box::new(request)),
            region,
            body,
        });
    }
    if let Some(op) = target.strip_prefix(IDENTITY_POOLS_PREFIX) {
        let (operation, region, request) =
            typed::<IdentityPoolOperation>(op, target, headers, &body)?;
        return Ok(AwsJsonRequest {
            operation,
            request: ServiceRequest::IdentityPool(Box::new(request)),
            region,
            body,
        });
    }
    if target == format!("{KMS_PREFIX}Decrypt") {
        require_signature("Decrypt", headers)?;
        return Ok(AwsJsonRequest {
            operation: "Decrypt",
            request: ServiceRequest::KmsDecrypt,
            region: region_of_request(headers)?,
            body,
        });
    }
    Err(unknown(target))
}

/// What every operation of either service goes through: it must exist in
/// the model and be signed when the model says so; a signed one is in the
/// region of its credential scope (an unsigned one takes its region from
/// the ids it names); and its body must read as its typed input.
fn typed<O: ServiceOperation>(
    op: &str,
    target: &str,
    headers: &HeaderMap,
    body: &Value,
) -> Result<(&'static str, Option<String>, O::Request), ApiError> {
    let operation = O::from_name(op).ok_or_else(|| unknown(target))?;
    if !operation.is_unsigned() {
        require_signature(operation.name(), headers)?;
    }
    let request = operation.parse(body)?;
    let region = if operation.is_unsigned() {
        None
    } else {
        region_of_request(headers)?
    };
    Ok((operation.name(), region, request))
}

/// The region of a signed request's credential scope; `None` for an
/// unsigned one. A scope that names no valid region is refused.
fn region_of_request(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let Some(auth) = crate::sts::sigv4::parse_authorization(value) else {
        return Ok(None);
    };
    let parts: Vec<&str> = auth.scope.split('/').collect();
    let [_date, region, _service, _terminator] = parts[..] else {
        return Err(ApiError::new(
            "IncompleteSignatureException",
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term",
        ));
    };
    if crate::region::is_valid(region) {
        Ok(Some(region.to_owned()))
    } else {
        Err(ApiError::new(
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to a valid region: {region:?} is not an AWS region name (like us-east-1)"
            ),
        ))
    }
}

/// Operations the model marks as signed need a SigV4 `Authorization` header,
/// as on AWS. The signature itself is not checked (any credentials work).
fn require_signature(op: &str, headers: &HeaderMap) -> Result<(), ApiError> {
    let signed = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256 "));
    if signed {
        Ok(())
    } else {
        Err(ApiError::new(
            "MissingAuthenticationTokenException",
            format!("{op} must be signed with AWS Signature Version 4"),
        ))
    }
}

fn unknown(target: &str) -> ApiError {
    ApiError::new(
        "UnknownOperationException",
        format!("Unknown operation {target}"),
    )
}

/// Handles one `POST /`: STS's form-encoded query protocol, or AWS JSON 1.1.
pub async fn handle(State(shared): State<Shared>, req: Request) -> Response {
    // STS speaks the query protocol on the same URL: a form body, no target.
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form && !req.headers().contains_key("x-amz-target") {
        return super::sts::handle(State(shared), req).await;
    }
    match AwsJsonRequest::from_request(req, &shared).await {
        // Lambda triggers block on a process or an HTTP call (which may be
        // served by this very runtime): off the async workers.
        Ok(request) if !shared.settings.triggers.is_empty() => {
            let on_thread = shared.clone();
            match tokio::task::spawn_blocking(move || dispatch(&on_thread, request)).await {
                Ok(result) => answer(result),
                Err(_) => ApiError::new("InternalErrorException", "the operation panicked")
                    .into_response(),
            }
        }
        Ok(request) => answer(dispatch(&shared, request)),
        Err(e) => e.into_response(),
    }
}

/// Runs a request with the service it names.
fn dispatch(shared: &Shared, request: AwsJsonRequest) -> Result<Value, ApiError> {
    let span = tracing::Span::current();
    span.record("operation", request.operation);
    if let Some(pool) = ["UserPoolId", "IdentityPoolId"]
        .iter()
        .find_map(|m| request.body[*m].as_str())
    {
        span.record("pool", pool);
    }
    if let Some(client) = request.body["ClientId"].as_str() {
        span.record("client", client);
    }
    let ctx = shared.context_in(request.region.as_deref());
    check_region_scope(shared, request.operation, &request.body, ctx.request_region)?;
    match request.request {
        ServiceRequest::UserPool(typed) => crate::ops::user_pool::run(shared, *typed, &ctx),
        ServiceRequest::IdentityPool(typed) => crate::ops::identity_pool::run(shared, *typed, &ctx),
        ServiceRequest::KmsDecrypt => shared.kms.decrypt(&request.body),
    }
}

/// A successful answer: 200 and the output as AWS JSON 1.1.
fn answer(result: Result<Value, ApiError>) -> Response {
    match result {
        Ok(output) => {
            let mut response = (StatusCode::OK, output.to_string()).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_11));
            response
        }
        Err(e) => e.into_response(),
    }
}

/// AWS JSON 1.1's error shape: HTTP 400, `x-amzn-ErrorType: <Code>:` and
/// `{"__type": "<Code>", "message": "…"}`.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        tracing::Span::current().record("error", self.code);
        let body = json!({"__type": self.code, "message": self.message});
        // The service's fault, not the caller's: 500, as the models say.
        let status = if self.code == "InternalErrorException" {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        };
        let mut response = (status, body.to_string()).into_response();
        let h = response.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_11));
        if let Ok(v) = HeaderValue::from_str(&format!("{}:", self.code)) {
            h.insert("x-amzn-ErrorType", v);
        }
        response
    }
}

/// A signed call reaches only its own region's resources, as each AWS
/// region is a separate service: an id (or app client) of another region
/// is answered as not found, in the words of the operation's service.
fn check_region_scope(
    shared: &Shared,
    operation: &str,
    input: &Value,
    region: Option<&str>,
) -> Result<(), ApiError> {
    let Some(region) = region else {
        return Ok(());
    };
    let elsewhere = |member: &str| {
        input[member]
            .as_str()
            .filter(|id| crate::region::of_id(id).is_some_and(|r| r != region))
    };
    // A pool of another region is reachable through its replica here.
    if let Some(id) = elsewhere("UserPoolId") {
        return shared.user_pools().served_by_replica(id, region, operation);
    }
    if let Some(id) = elsewhere("IdentityPoolId") {
        return Err(ApiError::resource_not_found(format!(
            "IdentityPool '{id}' not found."
        )));
    }
    if let Some(id) = elsewhere("IdentityId") {
        return Err(ApiError::resource_not_found(format!(
            "Identity '{id}' not found."
        )));
    }
    if input.get("UserPoolId").is_none()
        && let Some(client_id) = input["ClientId"].as_str()
        && let Some((pool_id, pool_region)) = shared.user_pools().pool_of_client(client_id)
        && pool_region != region
    {
        return shared
            .user_pools()
            .served_by_replica(&pool_id, region, operation)
            .map_err(|e| match e.code {
                "ResourceNotFoundException" => ApiError::resource_not_found(format!(
                    "User pool client {client_id} does not exist."
                )),
                _ => e,
            });
    }
    Ok(())
}

/// The layer every response passes: a request id (unless the handler set
/// one, as STS does to match its XML), and, on what scripts read (anything
/// but an HTML page, whose CSRF token must stay same-origin), the CORS
/// headers AWS sends, so browser clients work.
pub async fn common_headers(State(shared): State<Shared>, mut response: Response) -> Response {
    let h = response.headers_mut();
    if !h.contains_key("x-amzn-RequestId")
        && let Ok(v) = HeaderValue::from_str(&shared.rng.uuid())
    {
        h.insert("x-amzn-RequestId", v);
    }
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        h.insert(
            "access-control-expose-headers",
            HeaderValue::from_static("x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"),
        );
    }
    response
}

/// `OPTIONS /`: the CORS preflight.
pub async fn preflight() -> Response {
    let mut response = StatusCode::OK.into_response();
    let h = response.headers_mut();
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("POST, GET, OPTIONS"),
    );
    h.insert(
        "access-control-allow-headers",
        HeaderValue::from_static(
            "content-type,x-amz-target,x-amz-user-agent,x-amz-date,authorization,x-amz-security-token,amz-sdk-invocation-id,amz-sdk-request,cache-control",
        ),
    );
    h.insert("access-control-max-age", HeaderValue::from_static("86400"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_gives_a_signed_call_its_region() {
        let mut h = HeaderMap::new();
        assert_eq!(region_of_request(&h).unwrap(), None);
        h.insert(
            header::AUTHORIZATION,
            "AWS4-HMAC-SHA256 Credential=AKID/20260101/ap-northeast-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            region_of_request(&h).unwrap().as_deref(),
            Some("ap-northeast-1")
        );
        h.insert(
            header::AUTHORIZATION,
            "AWS4-HMAC-SHA256 Credential=AKID/20260101/mars-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00"
                .parse()
                .unwrap(),
        );
        let e = region_of_request(&h).unwrap_err();
        assert!(e.message.contains("mars-1"), "{e}");
        h.insert(
            header::AUTHORIZATION,
            "AWS4-HMAC-SHA256 Credential=AKID/20260101, SignedHeaders=host, Signature=00"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            region_of_request(&h).unwrap_err().code,
            "IncompleteSignatureException"
        );
    }
}
