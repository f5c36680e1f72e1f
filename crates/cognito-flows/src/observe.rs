//! Watching the calls a flow makes: [`Observed`] wraps any transport and
//! hands each call, with its answer or error, to a [`CallObserver`], every
//! secret shortened (`eyJraWQiOi…(1034 chars)`) so the record can be
//! logged or shown. A CLI's `--verbose`, a trace, a test's transcript.
//!
//! ```
//! use std::sync::Mutex;
//! use cognito_flows::observe::{CallObserver, CallRecord, Observed};
//!
//! #[derive(Default)]
//! struct Transcript(Mutex<Vec<String>>);
//! impl CallObserver for Transcript {
//!     fn observe(&self, call: &CallRecord) {
//!         self.0.lock().unwrap().push(call.operation.clone());
//!     }
//! }
//! # fn wrap<T>(transport: T) -> Observed<T, Transcript> {
//! Observed::new(transport, Transcript::default())
//! # }
//! ```

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::error::FlowError;
use crate::ids::{IdentityId, IdentityPoolId};
use crate::logins::Logins;
use crate::secret::{AccessToken, ProviderToken};
use crate::transport::*;

/// `eyJraWQiOi…(1034 chars)`: enough to recognise, never enough to use.
pub fn shorten(secret: &str) -> String {
    let head: String = secret.chars().take(10).collect();
    format!("{head}…({} chars)", secret.chars().count())
}

/// One call: the operation as AWS names it (with its flow or grant), and
/// the answer or the error, as JSON in the service's member names.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    /// `InitiateAuth (USER_SRP_AUTH)`, `GetId`, `POST /oauth2/token (grant_type=…)`, …
    pub operation: String,
    /// The answer, or `{"Error": {"Code", "Message"}}`.
    pub outcome: Result<Value, Value>,
}

/// Receives each call.
pub trait CallObserver: Send + Sync {
    /// Called once per call, after it ends.
    fn observe(&self, call: &CallRecord);
}

/// A transport whose calls an observer sees.
#[derive(Debug, Clone)]
pub struct Observed<T, O> {
    inner: T,
    observer: O,
}

impl<T, O: CallObserver> Observed<T, O> {
    /// Wraps `inner`.
    pub fn new(inner: T, observer: O) -> Self {
        Observed { inner, observer }
    }

    fn report<R>(
        &self,
        operation: String,
        result: &Result<R, FlowError>,
        answer: impl FnOnce(&R) -> Value,
    ) {
        let outcome = match result {
            Ok(r) => Ok(answer(r)),
            Err(e) => Err(json!({"Error": {
                "Code": e.code(),
                "Message": e.message().map(str::to_owned).unwrap_or_else(|| e.to_string()),
            }})),
        };
        self.observer.observe(&CallRecord { operation, outcome });
    }
}

/// Challenge parameters, with SRP's long values shortened.
fn challenge_parameters(params: &HashMap<String, String>) -> Value {
    let mut keys: Vec<&String> = params.keys().collect();
    keys.sort();
    let mut out = Map::new();
    for k in keys {
        let v = &params[k];
        let long = matches!(k.as_str(), "SRP_B" | "SECRET_BLOCK" | "SALT");
        out.insert(k.clone(), json!(if long { shorten(v) } else { v.clone() }));
    }
    Value::Object(out)
}

fn auth_response(r: &AuthResponse) -> Value {
    let mut v = json!({});
    if let Some(name) = &r.challenge_name {
        v["ChallengeName"] = json!(name);
    }
    if r.session.is_some() {
        v["Session"] = json!("(present)");
    }
    v["ChallengeParameters"] = challenge_parameters(&r.challenge_parameters);
    if let Some(t) = &r.authentication_result {
        v["AuthenticationResult"] = json!({
            "IdToken": shorten(t.id_token.expose_secret()),
            "AccessToken": shorten(t.access_token.expose_secret()),
            "RefreshToken": t.refresh_token.as_ref().map(|r| shorten(r.expose_secret())),
            "ExpiresIn": t.expires_in,
            "TokenType": "Bearer",
        });
        if let Some(d) = &t.new_device {
            v["AuthenticationResult"]["NewDeviceMetadata"] =
                json!({"DeviceKey": d.device_key, "DeviceGroupKey": d.device_group_key});
        }
    }
    if !r.available_challenges.is_empty() {
        v["AvailableChallenges"] = json!(r.available_challenges);
    }
    v
}

fn credentials(c: &AwsCredentials) -> Value {
    json!({
        "AccessKeyId": c.access_key_id,
        "SecretKey": shorten(c.secret_access_key.expose_secret()),
        "SessionToken": shorten(c.session_token.expose_secret()),
        "Expiration": cognito_wire::time::iso8601(c.expiration),
    })
}

impl<T: UserPoolApi, O: CallObserver> UserPoolApi for Observed<T, O> {
    async fn initiate_auth(&self, request: InitiateAuthRequest) -> Result<AuthResponse, FlowError> {
        let name = format!("InitiateAuth ({})", request.auth_flow);
        let result = self.inner.initiate_auth(request).await;
        self.report(name, &result, auth_response);
        result
    }

    async fn respond_to_auth_challenge(
        &self,
        request: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, FlowError> {
        let name = format!("RespondToAuthChallenge ({})", request.challenge_name);
        let result = self.inner.respond_to_auth_challenge(request).await;
        self.report(name, &result, auth_response);
        result
    }

    async fn confirm_device(&self, request: ConfirmDeviceRequest) -> Result<bool, FlowError> {
        let result = self.inner.confirm_device(request).await;
        self.report(
            "ConfirmDevice".into(),
            &result,
            |necessary| json!({"UserConfirmationNecessary": necessary}),
        );
        result
    }

    async fn update_device_status(
        &self,
        access_token: &AccessToken,
        device_key: &str,
        remembered: bool,
    ) -> Result<(), FlowError> {
        let result = self
            .inner
            .update_device_status(access_token, device_key, remembered)
            .await;
        self.report("UpdateDeviceStatus".into(), &result, |_| json!({}));
        result
    }
}

impl<T: IdentityPoolApi, O: CallObserver> IdentityPoolApi for Observed<T, O> {
    async fn get_id(
        &self,
        pool: &IdentityPoolId,
        logins: &Logins,
    ) -> Result<IdentityId, FlowError> {
        let result = self.inner.get_id(pool, logins).await;
        self.report(
            "GetId".into(),
            &result,
            |id| json!({"IdentityId": id.as_str()}),
        );
        result
    }

    async fn get_credentials_for_identity(
        &self,
        identity: &IdentityId,
        logins: &Logins,
        custom_role_arn: Option<&str>,
    ) -> Result<(IdentityId, AwsCredentials), FlowError> {
        let result = self
            .inner
            .get_credentials_for_identity(identity, logins, custom_role_arn)
            .await;
        self.report(
            "GetCredentialsForIdentity".into(),
            &result,
            |(id, c)| json!({"IdentityId": id.as_str(), "Credentials": credentials(c)}),
        );
        result
    }

    async fn get_open_id_token(
        &self,
        identity: &IdentityId,
        logins: &Logins,
    ) -> Result<(IdentityId, ProviderToken), FlowError> {
        let result = self.inner.get_open_id_token(identity, logins).await;
        self.report(
            "GetOpenIdToken".into(),
            &result,
            |(id, t)| json!({"IdentityId": id.as_str(), "Token": shorten(t.expose_secret())}),
        );
        result
    }
}

impl<T: StsApi, O: CallObserver> StsApi for Observed<T, O> {
    async fn assume_role_with_web_identity(
        &self,
        role_arn: &str,
        session_name: &str,
        token: &ProviderToken,
    ) -> Result<AwsCredentials, FlowError> {
        let result = self
            .inner
            .assume_role_with_web_identity(role_arn, session_name, token)
            .await;
        self.report(
            "AssumeRoleWithWebIdentity".into(),
            &result,
            |c| json!({"Credentials": credentials(c)}),
        );
        result
    }
}

impl<T: OAuth2Api, O: CallObserver> OAuth2Api for Observed<T, O> {
    async fn token(&self, request: TokenRequest) -> Result<OAuthTokens, FlowError> {
        let grant = request
            .form
            .iter()
            .find(|(k, _)| k == "grant_type")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let name = format!("POST {} (grant_type={grant})", request.endpoint.path());
        let result = self.inner.token(request).await;
        self.report(name, &result, |t| {
            json!({
                "id_token": t.id_token.as_ref().map(|x| shorten(x.expose_secret())),
                "access_token": shorten(t.access_token.expose_secret()),
                "refresh_token": t.refresh_token.as_ref().map(|x| shorten(x.expose_secret())),
                "expires_in": t.expires_in,
                "token_type": "Bearer",
            })
        });
        result
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::secret::{SecretAccessKey, SessionToken};

    #[derive(Default)]
    struct Transcript(Mutex<Vec<CallRecord>>);

    impl CallObserver for &Transcript {
        fn observe(&self, call: &CallRecord) {
            self.0.lock().unwrap().push(call.clone());
        }
    }

    struct Pool;

    impl IdentityPoolApi for Pool {
        async fn get_id(
            &self,
            _: &IdentityPoolId,
            logins: &Logins,
        ) -> Result<IdentityId, FlowError> {
            if logins.is_empty() {
                IdentityId::parse("us-east-1:00000000-0000-4000-8000-000000000001")
            } else {
                Err(FlowError::service(
                    "NotAuthorizedException",
                    "Invalid login token.",
                ))
            }
        }
        async fn get_credentials_for_identity(
            &self,
            id: &IdentityId,
            _: &Logins,
            _: Option<&str>,
        ) -> Result<(IdentityId, AwsCredentials), FlowError> {
            Ok((
                id.clone(),
                AwsCredentials {
                    access_key_id: "ASIAEXAMPLE".into(),
                    secret_access_key: SecretAccessKey::new(
                        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                    ),
                    session_token: SessionToken::new("IQoJb3JpZ2luX2VjEXAMPLE"),
                    expiration: std::time::UNIX_EPOCH
                        + std::time::Duration::from_secs(1_709_629_623),
                },
            ))
        }
        async fn get_open_id_token(
            &self,
            _: &IdentityId,
            _: &Logins,
        ) -> Result<(IdentityId, ProviderToken), FlowError> {
            Err(FlowError::Transport("connection refused".into()))
        }
    }

    #[tokio::test]
    async fn records_each_call_with_secrets_shortened() {
        let transcript = Transcript::default();
        let pool = Observed::new(Pool, &transcript);
        let id = pool
            .get_id(
                &IdentityPoolId::parse("us-east-1:00000000-0000-4000-8000-000000000009").unwrap(),
                &Logins::new(),
            )
            .await
            .unwrap();
        let _ = pool
            .get_credentials_for_identity(&id, &Logins::new(), None)
            .await;
        let _ = pool
            .get_id(
                &IdentityPoolId::parse("us-east-1:00000000-0000-4000-8000-000000000009").unwrap(),
                &Logins::new().facebook("EAAG"),
            )
            .await;
        let _ = pool.get_open_id_token(&id, &Logins::new()).await;
        let calls = transcript.0.lock().unwrap();
        let names: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
        assert_eq!(
            names,
            [
                "GetId",
                "GetCredentialsForIdentity",
                "GetId",
                "GetOpenIdToken"
            ]
        );
        let creds = calls[1].outcome.as_ref().unwrap();
        assert_eq!(creds["Credentials"]["SecretKey"], "wJalrXUtnF…(40 chars)");
        assert_eq!(creds["Credentials"]["Expiration"], "2024-03-05T09:07:03Z");
        assert!(!format!("{calls:?}").contains("wJalrXUtnFEMI/K7MDENG"));
        assert_eq!(
            calls[2].outcome.as_ref().unwrap_err()["Error"]["Code"],
            "NotAuthorizedException"
        );
        assert_eq!(
            calls[3].outcome.as_ref().unwrap_err()["Error"]["Message"],
            "could not reach the service: connection refused"
        );
    }
}
