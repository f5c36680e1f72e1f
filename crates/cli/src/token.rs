//! `cogkit token decode` and `cogkit token verify`: a JWT's claims, and a
//! plain explanation of why verification fails.

use cognito_flows::UserPoolId;
use cognito_flows::verifier::{CognitoJwtVerifier, HttpJwks, VerifyError};
use cognito_flows::wire::{json::json, jwt, time::unix_secs};

use crate::auth::Endpoint;
use crate::error::CliError;

/// Prints header and claims (no verification).
pub fn decode(token: &str, output: crate::show::Output) -> Result<(), CliError> {
    let decoded = jwt::decode(token).map_err(VerifyError::Malformed)?;
    let out = json!({"header": decoded.raw_header, "claims": decoded.claims});
    crate::show::print(&out, output);
    Ok(())
}

/// Verifies a user-pool token against the pool's JWKS and explains failures.
pub async fn verify(
    token: &str,
    user_pool_id: &str,
    client_id: Option<&str>,
    jwks_url: Option<&str>,
    endpoint: &Endpoint,
) -> Result<(), CliError> {
    let pool = UserPoolId::parse(user_pool_id)?;
    let mut builder = CognitoJwtVerifier::builder(pool.clone())
        .any_token_use()
        .jwks_source(HttpJwks::default());
    builder = match client_id {
        Some(c) => builder.client_id(c),
        None => builder.any_client(),
    };
    if let Some(base) = &endpoint.endpoint_url {
        // An emulator serves the JWKS under its own URL, and may name
        // itself as the issuer (`<endpoint>/<poolId>`).
        let local = format!("{}/{pool}", base.trim_end_matches('/'));
        builder = builder.jwks_url(cognito_flows::wire::issuer::jwks_url(&local));
        let claims = jwt::claims_unverified(token).unwrap_or_default();
        if claims.get("iss").and_then(|i| i.as_str()) == Some(local.as_str()) {
            builder = builder.issuer(local);
        }
    }
    if let Some(url) = jwks_url {
        builder = builder.jwks_url(url);
    }
    let verified = builder.build()?.verify(token).await?;
    let left = verified.expires_at() - unix_secs(std::time::SystemTime::now());
    outln!(
        "valid {} token for {} (expires in {left} s)",
        verified.token_use(),
        verified.username().unwrap_or("?"),
    );
    Ok(())
}
