//! `cogkit token decode` and `cogkit token verify`: a JWT's claims, and a
//! plain explanation of why verification fails.

use cognito_flows::UserPoolId;
use cognito_flows::verifier::{CognitoJwtVerifier, HttpJwks, VerifyError};
use cognito_flows::wire::{json::json, jwt, time::unix_secs};

use crate::auth::Endpoint;
use crate::error::CliError;
use crate::show::Output;

/// `cogkit token …`.
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Print a JWT's header and claims (no verification).
    Decode {
        /// The token.
        token: String,
    },
    /// Verify a user-pool token against the pool's JWKS, and say why it fails.
    Verify {
        /// The token.
        token: String,
        /// The user pool that should have issued it.
        #[arg(long)]
        user_pool_id: String,
        /// The app client it should be for (checks aud / client_id).
        #[arg(long)]
        client_id: Option<String>,
        /// Where to fetch the JWKS (default: the pool's, at AWS or --endpoint-url).
        #[arg(long)]
        jwks_url: Option<String>,
    },
}

pub async fn run(
    command: TokenCommand,
    endpoint: &Endpoint,
    output: Output,
) -> Result<(), CliError> {
    let (token, pool, client_id, jwks_url) = match command {
        TokenCommand::Decode { token } => {
            // Header and claims, unverified.
            let decoded = jwt::decode(&token).map_err(VerifyError::Malformed)?;
            let out = json!({"header": decoded.raw_header, "claims": decoded.claims});
            crate::show::print(&out, output);
            return Ok(());
        }
        TokenCommand::Verify {
            token,
            user_pool_id,
            client_id,
            jwks_url,
        } => (
            token,
            UserPoolId::parse(&user_pool_id)?,
            client_id,
            jwks_url,
        ),
    };
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
        let claims = jwt::claims_unverified(&token).unwrap_or_default();
        if claims.get("iss").and_then(|i| i.as_str()) == Some(local.as_str()) {
            builder = builder.issuer(local);
        }
    }
    if let Some(url) = jwks_url {
        builder = builder.jwks_url(url);
    }
    let verified = builder.build()?.verify(&token).await?;
    let left = verified.expires_at() - unix_secs(std::time::SystemTime::now());
    outln!(
        "valid {} token for {} (expires in {left} s)",
        verified.token_use(),
        verified.username().unwrap_or("?"),
    );
    Ok(())
}
