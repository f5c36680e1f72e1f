//! A small AWS JSON 1.1 client over hyper with keep-alive: the load
//! generator's only way to talk to a server (ours or moto), loopback only.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

/// Any SigV4-shaped header: both servers want one on admin calls, neither
/// needs real keys. The credential scope names the service, which moto
/// routes on, and the region of the resource the call names (as a client
/// configured for it would), else `us-east-1`.
fn authorization(service: &str, body: &Value) -> String {
    let region = ["UserPoolId", "IdentityPoolId", "IdentityId"]
        .iter()
        .find_map(|member| body[*member].as_str())
        .and_then(|id| id.split(['_', ':']).next())
        .unwrap_or("us-east-1");
    format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/{region}/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature={}",
        "0".repeat(64)
    )
}

/// A JSON 1.1 client for one endpoint.
#[derive(Clone)]
pub(crate) struct JsonClient {
    http: Client<HttpConnector, Full<Bytes>>,
    endpoint: String,
}

impl JsonClient {
    pub(crate) fn new(endpoint: &str) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let http = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(1024)
            .build(connector);
        JsonClient {
            http,
            endpoint: endpoint.to_owned(),
        }
    }

    /// One call; `target` is `AWSCognitoIdentityProviderService.X` or
    /// `AWSCognitoIdentityService.X`. Errors carry the AWS error type.
    pub(crate) async fn call(&self, target: &str, body: &Value) -> Result<Value, String> {
        let request = hyper::Request::post(&self.endpoint)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", target)
            .header(
                "authorization",
                authorization(
                    if target.starts_with("AWSCognitoIdentityService.") {
                        "cognito-identity"
                    } else {
                        "cognito-idp"
                    },
                    body,
                ),
            )
            .header("x-amz-date", "20260101T000000Z")
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| e.to_string())?;
        let response = self
            .http
            .request(request)
            .await
            .map_err(|e| format!("{target}: {e}"))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status.is_success() {
            Ok(value)
        } else {
            Err(format!(
                "{target}: HTTP {status} {}",
                value["__type"].as_str().unwrap_or_default()
            ))
        }
    }

    /// Any request to the endpoint's host: (status, headers, body).
    pub(crate) async fn request(
        &self,
        method: hyper::Method,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<(hyper::StatusCode, hyper::HeaderMap, Bytes), String> {
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path_and_query}", self.endpoint));
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let response = self
            .http
            .request(request)
            .await
            .map_err(|e| format!("{path_and_query}: {e}"))?;
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
        Ok((parts.status, parts.headers, bytes))
    }

    pub(crate) async fn idp(&self, op: &str, body: Value) -> Result<Value, String> {
        self.call(&format!("AWSCognitoIdentityProviderService.{op}"), &body)
            .await
    }

    pub(crate) async fn identity(&self, op: &str, body: Value) -> Result<Value, String> {
        self.call(&format!("AWSCognitoIdentityService.{op}"), &body)
            .await
    }
}
