//! STS in the query protocol on `POST /` (a form body, no target): the
//! form parser, the SigV4 `Authorization` header parser and the canonical
//! request the signature is checked against (GetCallerIdentity with the
//! fixture's real access key id), and AssumeRoleWithWebIdentity.
//!
//! Input: one HTTP request as text (see `request::HttpText`), placeholders
//! as in `fixture` (`{{ACCESS_KEY_ID}}`, `{{SESSION_TOKEN}}`,
//! `{{AMZ_DATE}}`, `{{DATE}}`, `{{OPENID_TOKEN}}`).
//!
//! Invariants: STS's `<ErrorResponse>` XML (or the AWS JSON shape when the
//! mutated request is no longer a form), never a 5xx, and GetCallerIdentity
//! never answered: the fuzzer holds no secret key to sign with.

#![no_main]

use cognito_kit_fuzz::fixture::{Aftermath, with_fixture};
use cognito_kit_fuzz::request::HttpText;
use cognito_kit_fuzz::shape;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    with_fixture(|fx| {
        let Some(request) = HttpText::parse(&fx.expand(data)) else {
            return;
        };
        let headers: Vec<(&str, &[u8])> = request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .collect();
        let Ok(reply) = fx
            .mock()
            .call(&request.method, &request.target, &headers, &request.body)
        else {
            return; // not a request HTTP can carry
        };
        let xml = reply.header("content-type") == Some("text/xml");
        let path = request.target.split('?').next().unwrap_or_default();
        if xml {
            shape::sts_xml(&request, &reply);
            let body = String::from_utf8_lossy(&reply.body);
            shape::require(
                !body.contains("<GetCallerIdentityResponse"),
                "GetCallerIdentity accepted a signature made without the secret key",
                &request,
                &reply,
            );
        } else if path == "/" && request.method == "POST" {
            shape::aws_json(&request, &reply);
        } else {
            shape::no_server_error(&request, &reply);
        }
        fx.settle(Aftermath::Clean);
    });
});
