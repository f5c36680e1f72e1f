//! The invariants every response keeps, whatever the request: never a 5xx,
//! and errors in the shape their protocol's clients parse. A violation
//! panics with the request and the reply, which libFuzzer records as a
//! crash (with the input saved under `fuzz/artifacts/<target>/`).

use mock_cognito::fuzzing::InProcessReply;
use serde_json::Value;

/// Panics with the exchange when `ok` is false.
#[track_caller]
pub fn require(ok: bool, what: &str, request: &dyn std::fmt::Debug, reply: &InProcessReply) {
    if !ok {
        panic!(
            "{what}\nrequest: {request:?}\nreply: {} {:?}\n{}",
            reply.status,
            reply.headers,
            String::from_utf8_lossy(&reply.body)
        );
    }
}

/// With `COGKIT_FUZZ_TRACE` set, every exchange is printed to stderr: run a
/// target binary on corpus files to see what each one reaches.
fn trace(request: &dyn std::fmt::Debug, reply: &InProcessReply) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("COGKIT_FUZZ_TRACE").is_some()) {
        let body = String::from_utf8_lossy(&reply.body);
        let shown: String = body.chars().take(300).collect();
        eprintln!("{request:?}\n  -> {} {shown}", reply.status);
    }
}

/// No request is the server's fault.
#[track_caller]
pub fn no_server_error(request: &dyn std::fmt::Debug, reply: &InProcessReply) {
    trace(request, reply);
    require(reply.status < 500, "a 5xx status", request, reply);
}

/// `POST /` in AWS JSON 1.1: 200 with a JSON object, or 400 with
/// `{"__type", "message"}` and a matching `x-amzn-ErrorType` header.
#[track_caller]
pub fn aws_json(request: &dyn std::fmt::Debug, reply: &InProcessReply) {
    no_server_error(request, reply);
    require(
        reply.header("x-amzn-requestid").is_some(),
        "no x-amzn-RequestId",
        request,
        reply,
    );
    let body: Option<Value> = serde_json::from_slice(&reply.body).ok();
    let Some(body) = body.filter(Value::is_object) else {
        require(false, "the body is not a JSON object", request, reply);
        return;
    };
    if reply.status == 200 {
        require(
            body.get("__type").is_none(),
            "an error type on a 200",
            request,
            reply,
        );
        return;
    }
    require(
        reply.status == 400,
        "an error status other than 400",
        request,
        reply,
    );
    let code = body["__type"].as_str().unwrap_or_default();
    require(
        !code.is_empty() && code.bytes().all(|b| b.is_ascii_alphanumeric()),
        "no __type error code",
        request,
        reply,
    );
    require(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "no error message",
        request,
        reply,
    );
    require(
        reply.header("x-amzn-errortype") == Some(&format!("{code}:")),
        "x-amzn-ErrorType does not match __type",
        request,
        reply,
    );
}

/// The `__type` of an AWS JSON error reply ("" for a success).
pub fn error_type(reply: &InProcessReply) -> String {
    serde_json::from_slice::<Value>(&reply.body)
        .ok()
        .and_then(|v| v["__type"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke` of a pool's
/// domain: errors are `{"error": …}` JSON (RFC 6749 §5.2, RFC 6750 §3).
/// Other statuses a router gives any route (404 for a path no pool owns,
/// 405 for a method the route lacks) are not OAuth answers.
#[track_caller]
pub fn oauth_json(request: &dyn std::fmt::Debug, reply: &InProcessReply) {
    no_server_error(request, reply);
    if reply.status < 400 || matches!(reply.status, 404 | 405) {
        return;
    }
    let body: Option<Value> = serde_json::from_slice(&reply.body).ok();
    require(
        body.as_ref()
            .and_then(|b| b["error"].as_str())
            .is_some_and(|e| {
                !e.is_empty() && e.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            }),
        "an OAuth error without an {\"error\": code} JSON body",
        request,
        reply,
    );
}

/// STS in the query protocol: errors are `<ErrorResponse>` XML with a code.
#[track_caller]
pub fn sts_xml(request: &dyn std::fmt::Debug, reply: &InProcessReply) {
    no_server_error(request, reply);
    if reply.status == 200 {
        return;
    }
    let body = String::from_utf8_lossy(&reply.body);
    require(
        body.starts_with("<ErrorResponse") && body.contains("<Code>") && body.contains("<Message>"),
        "an STS error that is not <ErrorResponse> XML with a code and a message",
        request,
        reply,
    );
}
