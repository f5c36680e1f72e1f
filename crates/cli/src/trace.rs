//! Transports that print each Cognito call and its answer (secrets
//! shortened), wrapped around the real ones: the demo and `--verbose` use
//! the ordinary flows and still show every call, like the original study.

use cognito_flows::secret::ProviderToken;
use cognito_flows::transport::*;
use cognito_flows::{FlowError, IdentityId, IdentityPoolId, Logins};
use serde_json::{Value, json};

use crate::show::{call, challenge_parameters, iso8601, shorten};

/// Wraps a transport and, when `verbose`, prints every call through it.
#[derive(Debug, Clone)]
pub struct Traced<T>(pub T, pub bool);

impl<T> Traced<T> {
    /// Wraps `inner`; prints only when `verbose`.
    pub fn new(inner: T, verbose: bool) -> Self {
        Traced(inner, verbose)
    }
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
    }
    v
}

fn credentials(c: &AwsCredentials) -> Value {
    json!({
        "AccessKeyId": c.access_key_id,
        "SecretKey": shorten(c.secret_access_key.expose_secret()),
        "SessionToken": shorten(c.session_token.expose_secret()),
        "Expiration": iso8601(c.expiration),
    })
}

fn failed(verbose: bool, name: &str, e: &FlowError) {
    if !verbose {
        return;
    }
    call(
        name,
        &json!({"Error": {"Code": e.code(), "Message": e.message().map(str::to_owned).unwrap_or_else(|| e.to_string())}}),
    );
}

impl<T: UserPoolApi> UserPoolApi for Traced<T> {
    async fn initiate_auth(&self, request: InitiateAuthRequest) -> Result<AuthResponse, FlowError> {
        let name = format!("InitiateAuth ({})", request.auth_flow.as_str());
        let result = self.0.initiate_auth(request).await;
        match &result {
            Ok(r) if self.1 => call(&name, &auth_response(r)),
            Ok(_) => {}
            Err(e) => failed(self.1, &name, e),
        }
        result
    }

    async fn respond_to_auth_challenge(
        &self,
        request: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, FlowError> {
        let name = format!("RespondToAuthChallenge ({})", request.challenge_name);
        let result = self.0.respond_to_auth_challenge(request).await;
        match &result {
            Ok(r) if self.1 => call(&name, &auth_response(r)),
            Ok(_) => {}
            Err(e) => failed(self.1, &name, e),
        }
        result
    }
}

impl<T: IdentityPoolApi> IdentityPoolApi for Traced<T> {
    async fn get_id(
        &self,
        pool: &IdentityPoolId,
        logins: &Logins,
    ) -> Result<IdentityId, FlowError> {
        let result = self.0.get_id(pool, logins).await;
        match &result {
            Ok(id) if self.1 => call("GetId", &json!({"IdentityId": id.as_str()})),
            Ok(_) => {}
            Err(e) => failed(self.1, "GetId", e),
        }
        result
    }

    async fn get_credentials_for_identity(
        &self,
        identity: &IdentityId,
        logins: &Logins,
        custom_role_arn: Option<&str>,
    ) -> Result<(IdentityId, AwsCredentials), FlowError> {
        let result = self
            .0
            .get_credentials_for_identity(identity, logins, custom_role_arn)
            .await;
        match &result {
            Ok((id, c)) if self.1 => call(
                "GetCredentialsForIdentity",
                &json!({"IdentityId": id.as_str(), "Credentials": credentials(c)}),
            ),
            Ok(_) => {}
            Err(e) => failed(self.1, "GetCredentialsForIdentity", e),
        }
        result
    }

    async fn get_open_id_token(
        &self,
        identity: &IdentityId,
        logins: &Logins,
    ) -> Result<(IdentityId, ProviderToken), FlowError> {
        let result = self.0.get_open_id_token(identity, logins).await;
        match &result {
            Ok((id, t)) if self.1 => call(
                "GetOpenIdToken",
                &json!({"IdentityId": id.as_str(), "Token": shorten(t.expose_secret())}),
            ),
            Ok(_) => {}
            Err(e) => failed(self.1, "GetOpenIdToken", e),
        }
        result
    }
}

impl<T: StsApi> StsApi for Traced<T> {
    async fn assume_role_with_web_identity(
        &self,
        role_arn: &str,
        session_name: &str,
        token: &ProviderToken,
    ) -> Result<AwsCredentials, FlowError> {
        let result = self
            .0
            .assume_role_with_web_identity(role_arn, session_name, token)
            .await;
        match &result {
            Ok(c) if self.1 => call(
                "AssumeRoleWithWebIdentity",
                &json!({"Credentials": credentials(c)}),
            ),
            Ok(_) => {}
            Err(e) => failed(self.1, "AssumeRoleWithWebIdentity", e),
        }
        result
    }
}

impl<T: OAuth2Api> OAuth2Api for Traced<T> {
    async fn token(&self, request: TokenRequest) -> Result<OAuthTokens, FlowError> {
        let grant = request
            .form
            .iter()
            .find(|(k, _)| k == "grant_type")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let name = format!("POST {} (grant_type={grant})", request.endpoint.path());
        let r = self.0.token(request).await;
        match &r {
            Ok(t) if self.1 => call(
                &name,
                &json!({
                    "id_token": t.id_token.as_ref().map(|x| shorten(x.expose_secret())),
                    "access_token": shorten(t.access_token.expose_secret()),
                    "refresh_token": t.refresh_token.as_ref().map(|x| shorten(x.expose_secret())),
                    "expires_in": t.expires_in,
                    "token_type": "Bearer",
                }),
            ),
            Err(e) => failed(self.1, &name, e),
            _ => {}
        }
        r
    }
}
