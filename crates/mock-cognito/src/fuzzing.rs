//! The mock without a socket, for the `cargo fuzz` targets in `fuzz/`.
//!
//! [`InProcessMock`] runs the same axum router the server serves, through
//! `tower`'s `oneshot` on a current-thread runtime, so a fuzzer can send
//! tens of thousands of requests a second into the real handlers without
//! TCP, ports or threads. Requests appear to come from a fixed loopback peer
//! ([`FUZZ_PEER`]), so the loopback-only `/_mock/*` routes answer too.
//!
//! Behind the `fuzzing` feature and hidden from the docs: it is test
//! machinery, not an API.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderName, HeaderValue, Method, Request};
use tower::ServiceExt;

use crate::clock::Clock;
use crate::config::SeedConfig;
use crate::engine::Shared;
use crate::http::router;

/// The peer address every in-process request comes from.
pub const FUZZ_PEER: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 40_000);

/// The endpoint the in-process mock pretends to serve (issuers in local
/// mode, hosted-UI links).
pub const FUZZ_ENDPOINT: &str = "http://127.0.0.1:9229";

/// Why a request could not be sent: it is not one HTTP could carry (a bad
/// method, header name or value, or request target), so a real server would
/// have refused it before any handler ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotHttp(pub String);

/// One response, read whole.
#[derive(Debug, Clone)]
pub struct InProcessReply {
    /// The HTTP status code.
    pub status: u16,
    /// The headers, names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl InProcessReply {
    /// The first value of a header (name case-insensitive), if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A seeded mock answering requests in-process.
#[derive(Debug)]
pub struct InProcessMock {
    router: Router,
    shared: Shared,
    runtime: tokio::runtime::Runtime,
}

impl InProcessMock {
    /// Builds a mock from a seed, as `MockCognito::builder().seed(seed)`
    /// would; a bad seed is the same error message the server gives. RSA
    /// keys are made on first use, so a seed that is only parsed and
    /// applied costs no key generation.
    pub fn new(seed: &SeedConfig) -> Result<InProcessMock, String> {
        let region = seed
            .region
            .clone()
            .unwrap_or_else(|| "us-east-1".to_owned());
        let addr = FUZZ_ENDPOINT
            .trim_start_matches("http://")
            .parse()
            .map_err(|e| format!("{FUZZ_ENDPOINT}: {e}"))?;
        let shared = std::sync::Arc::new(crate::server::engine_at(
            Clock::default(),
            crate::ids::Randomness::os(),
            crate::jwt::KeyFactory::default(),
            region,
            seed.issuer_mode()?.unwrap_or_default(),
            addr,
        ));
        seed.apply(&shared)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a tokio runtime: {e}"))?;
        Ok(InProcessMock {
            router: router(shared.clone()),
            shared,
            runtime,
        })
    }

    /// The mock's clock.
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// Sends one request through the router and reads the whole response.
    /// `path_and_query` is the request target (`/`, `/example/oauth2/token`,
    /// `/login?client_id=…`). No `Host` header is added: pass one to reach
    /// what depends on it.
    pub fn call(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &[u8])],
        body: &[u8],
    ) -> Result<InProcessReply, NotHttp> {
        let method =
            Method::from_bytes(method.as_bytes()).map_err(|e| NotHttp(format!("method: {e}")))?;
        let mut request = Request::builder()
            .method(method)
            .uri(path_and_query)
            .body(Body::from(body.to_vec()))
            .map_err(|e| NotHttp(format!("request target: {e}")))?;
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| NotHttp(format!("header name {name:?}: {e}")))?;
            let value = HeaderValue::from_bytes(value)
                .map_err(|e| NotHttp(format!("header {name} value: {e}")))?;
            request.headers_mut().append(name, value);
        }
        request.extensions_mut().insert(ConnectInfo(FUZZ_PEER));
        let router = self.router.clone();
        self.runtime.block_on(async move {
            let response = match router.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            // Every body the mock makes is in memory: one that cannot be
            // read is a fault of the mock, which the fuzzer must report.
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap_or_else(|e| panic!("the response body could not be read: {e}"))
                .to_vec();
            Ok(InProcessReply {
                status,
                headers,
                body,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> SeedConfig {
        SeedConfig::from_toml(
            r#"
            region = "eu-west-1"
            [[user_pools]]
            id = "eu-west-1_Fuzz01"
            name = "fuzz"
              [[user_pools.clients]]
              id = "fuzzclient0123456789abcdef"
              name = "c"
              explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
              [[user_pools.users]]
              username = "alice"
              password = "Passw0rd!"
            "#,
        )
        .unwrap()
    }

    #[test]
    fn answers_the_json_protocol_as_the_server_does() {
        let mock = InProcessMock::new(&seed()).unwrap();
        let body = br#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"fuzzclient0123456789abcdef","AuthParameters":{"USERNAME":"alice","PASSWORD":"Passw0rd!"}}"#;
        let reply = mock
            .call(
                "POST",
                "/",
                &[
                    ("content-type", b"application/x-amz-json-1.1"),
                    (
                        "x-amz-target",
                        b"AWSCognitoIdentityProviderService.InitiateAuth",
                    ),
                ],
                body,
            )
            .unwrap();
        assert_eq!(
            reply.status,
            200,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        let json: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert!(json["AuthenticationResult"]["IdToken"].is_string());
        assert!(reply.header("x-amzn-requestid").is_some());

        let reply = mock
            .call(
                "POST",
                "/",
                &[
                    ("content-type", b"application/x-amz-json-1.1"),
                    ("x-amz-target", b"AWSCognitoIdentityProviderService.Nope"),
                ],
                b"{}",
            )
            .unwrap();
        assert_eq!(reply.status, 400);
        assert_eq!(
            reply.header("x-amzn-errortype"),
            Some("UnknownOperationException:")
        );
    }

    #[test]
    fn requests_come_from_a_loopback_peer() {
        let mock = InProcessMock::new(&seed()).unwrap();
        let reply = mock.call("GET", "/_mock/clock", &[], b"").unwrap();
        assert_eq!(
            reply.status,
            200,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
    }

    #[test]
    fn what_http_cannot_carry_is_refused_before_the_router() {
        let mock = InProcessMock::new(&SeedConfig::default()).unwrap();
        assert!(mock.call("GE T", "/", &[], b"").is_err());
        assert!(mock.call("GET", "/a b", &[], b"").is_err());
        assert!(mock.call("GET", "/", &[("x\n", b"v")], b"").is_err());
        assert!(mock.call("GET", "/", &[("x", b"v\r\n")], b"").is_err());
    }

    #[test]
    fn a_bad_seed_is_an_error() {
        let seed = SeedConfig::from_toml("issuer_mode = \"nope\"").unwrap();
        assert!(
            InProcessMock::new(&seed)
                .unwrap_err()
                .contains("issuer_mode")
        );
    }
}
