//! AWS JSON 1.1 on `POST /`: target routing, body checks, validation, and the
//! AWS error shape. Every response carries `x-amzn-RequestId` and CORS headers.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::server::Shared;
use crate::shapes::ServiceOperation;
use crate::shapes::cognito_identity::IdentityPoolOperation;
use crate::shapes::cognito_idp::UserPoolOperation;

/// Largest request body accepted, as the issue of record sets it: 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
const JSON_11: &str = "application/x-amz-json-1.1";
const USER_POOLS_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const IDENTITY_POOLS_PREFIX: &str = "AWSCognitoIdentityService.";

/// Handles one `POST /`.
pub async fn handle(
    State(shared): State<Shared>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // STS speaks the query protocol on the same URL: a form body, no target.
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form && !headers.contains_key("x-amz-target") {
        return crate::sts::handle(
            &shared,
            "POST",
            uri.path(),
            uri.query().unwrap_or(""),
            &headers,
            &body,
        );
    }
    let result = dispatch(&shared, &headers, &body);
    let (status, payload) = match result {
        Ok(v) => (StatusCode::OK, v),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            json!({"__type": e.code, "message": e.message}),
        ),
    };
    let mut response = (status, payload.to_string()).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_11));
    if let Some(code) = payload.get("__type").and_then(Value::as_str)
        && let Ok(v) = HeaderValue::from_str(&format!("{code}:"))
    {
        h.insert("x-amzn-ErrorType", v);
    }
    response
}

fn dispatch(shared: &Shared, headers: &HeaderMap, body: &Bytes) -> Result<Value, ApiError> {
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
            "Content type must be {JSON_11}, got {:?}",
            content_type
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
    let input = if input.is_null() { json!({}) } else { input };

    if let Some(op) = target.strip_prefix(USER_POOLS_PREFIX) {
        check_request::<UserPoolOperation>(op, target, headers, &input)?;
        let region = signed_region::<UserPoolOperation>(op, headers)?;
        let ctx = shared.context_in(region.as_deref());
        check_region_scope(shared, &input, ctx.request_region)?;
        if let Some(out) = sign_in_outside_the_lock(shared, op, &input, &ctx) {
            return out;
        }
        let out = shared.user_pools_mut().handle(op, &input, &ctx)?;
        if matches!(op, "CreateIdentityProvider" | "UpdateIdentityProvider") {
            // Configuring Cognito with an app id and secret stands for
            // registering that app with the (fake) provider.
            shared
                .providers_mut()
                .register_from_identity_provider(&out["IdentityProvider"]);
        }
        return Ok(out);
    }
    if let Some(op) = target.strip_prefix(IDENTITY_POOLS_PREFIX) {
        check_request::<IdentityPoolOperation>(op, target, headers, &input)?;
        let region = signed_region::<IdentityPoolOperation>(op, headers)?;
        let ctx = shared.context_in(region.as_deref());
        check_region_scope(shared, &input, ctx.request_region)?;
        // The engine's lock order: user pools, providers, identity pools,
        // credentials.
        let out = {
            let user_pools = shared.user_pools();
            let providers = shared.providers();
            let mut identity_pools = shared.identity_pools();
            let mut credentials = shared.credentials();
            let deps = crate::identity_pool::Deps {
                ctx: &ctx,
                user_pools: &user_pools,
                providers: &providers,
                credentials: &mut credentials,
            };
            identity_pools.handle(op, &input, deps)?
        };
        if matches!(op, "CreateIdentityPool" | "UpdateIdentityPool") {
            shared.providers_mut().register_login_providers(&out);
        }
        return Ok(out);
    }
    Err(unknown(target))
}

/// The region of a signed operation's credential scope. An operation the
/// model marks unsigned (InitiateAuth, GetId, …) takes its region from the
/// ids it names, whatever a client that signs everything puts in a scope.
fn signed_region<O: ServiceOperation>(
    op: &str,
    headers: &HeaderMap,
) -> Result<Option<String>, ApiError> {
    if O::from_name(op).is_none_or(|o| o.is_unsigned()) {
        return Ok(None);
    }
    crate::region::of_request(headers)
}

/// A signed call reaches only its own region's resources, as each AWS
/// region is a separate service: an id (or app client) of another region
/// is answered as not found, in the words of the operation's service.
fn check_region_scope(
    shared: &Shared,
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
    if let Some(id) = elsewhere("UserPoolId") {
        return Err(ApiError::resource_not_found(format!(
            "User pool {id} does not exist."
        )));
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
        && let Some(pool_region) = shared.user_pools().region_of_client(client_id)
        && pool_region != region
    {
        return Err(ApiError::resource_not_found(format!(
            "User pool client {client_id} does not exist."
        )));
    }
    Ok(())
}

/// The sign-in operations, with their expensive parts (SRP's modular
/// exponentiations, the RSA signatures) run after the state lock is
/// released, so concurrent sign-ins overlap on every core. Each step
/// re-takes the lock only to read or record state. None for other operations.
fn sign_in_outside_the_lock(
    shared: &Shared,
    op: &str,
    input: &Value,
    ctx: &crate::user_pool::Context<'_>,
) -> Option<Result<Value, ApiError>> {
    use crate::user_pool::{AuthReply, AuthStep};
    let step = match op {
        "InitiateAuth" | "AdminInitiateAuth" => {
            let admin = op == "AdminInitiateAuth";
            shared.user_pools_mut().initiate_auth(input, admin, ctx)
        }
        "RespondToAuthChallenge" | "AdminRespondToAuthChallenge" => {
            let admin = op == "AdminRespondToAuthChallenge";
            shared
                .user_pools_mut()
                .respond_to_auth_challenge(input, admin, ctx)
        }
        _ => return None,
    };
    let reply: Result<AuthReply, ApiError> = step.and_then(|step| match step {
        AuthStep::Reply(reply) => Ok(reply),
        AuthStep::StartSrp(start) => {
            let started = start.run(ctx.rng)?;
            shared
                .user_pools_mut()
                .srp_started(*start, started, ctx)
                .map(AuthReply::Challenge)
        }
        AuthStep::CheckClaim(check) => {
            let good = check.run(ctx.clock.now());
            shared.user_pools_mut().claim_checked(*check, good, ctx)
        }
    });
    Some(reply.map(AuthReply::finish))
}

/// What every operation of either service goes through before its handler:
/// it must exist in the model, be signed when the model says so, and read as
/// its typed input (which validates it against the model).
fn check_request<O: ServiceOperation>(
    op: &str,
    target: &str,
    headers: &HeaderMap,
    input: &Value,
) -> Result<O::Request, ApiError> {
    let operation = O::from_name(op).ok_or_else(|| unknown(target))?;
    require_signature(operation, headers)?;
    operation.parse(input)
}

/// Operations the model marks as signed need a SigV4 `Authorization` header,
/// as on AWS. The signature itself is not checked (any credentials work).
fn require_signature(
    operation: impl ServiceOperation,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    if operation.is_unsigned() {
        return Ok(());
    }
    let signed = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256 "));
    if signed {
        Ok(())
    } else {
        Err(ApiError::new(
            "MissingAuthenticationTokenException",
            format!(
                "{} must be signed with AWS Signature Version 4",
                operation.name()
            ),
        ))
    }
}

fn unknown(target: &str) -> ApiError {
    ApiError::new(
        "UnknownOperationException",
        format!("Unknown operation {target}"),
    )
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
