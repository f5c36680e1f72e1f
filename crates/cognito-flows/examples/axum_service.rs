//! A service behind a Cognito user pool: its handlers receive verified
//! claims, and requests without a valid token never reach them.
//!
//! - `GET /me`: any signed-in user of the app client (an ID token);
//! - `GET /admin`: members of the `admins` group only.
//!
//! ```sh
//! cogkit mock serve --config examples/mock-config.toml &   # or a real pool
//! COGNITO_USER_POOL_ID=ap-northeast-1_Example01 \
//! COGNITO_CLIENT_ID=1example23456789abcdefghij \
//! COGNITO_JWKS_URL=http://127.0.0.1:9229/ap-northeast-1_Example01/.well-known/jwks.json \
//!   cargo run -p cognito-flows --example axum_service --features axum,jwks-http
//! curl -H "Authorization: Bearer $ID_TOKEN" http://127.0.0.1:3000/me
//! ```
//!
//! Without `COGNITO_JWKS_URL` the keys come from the pool's issuer at AWS.

use axum::Router;
use axum::routing::get;
use cognito_flows::UserPoolId;
use cognito_flows::verifier::axum::Verified;
use cognito_flows::verifier::{CognitoJwtVerifier, HttpJwks};
use cognito_flows::wire::{IdTokenClaims, TokenUse};

/// The routes, each with the verifier its policy needs.
pub fn app(users: CognitoJwtVerifier, admins: CognitoJwtVerifier) -> Router {
    Router::new()
        .route("/me", get(me))
        .with_state(users)
        .merge(Router::new().route("/admin", get(admin)).with_state(admins))
}

/// The verifiers for a pool and app client: any user, and admins.
pub fn verifiers(
    pool: &str,
    client: &str,
    jwks_url: Option<String>,
) -> Result<(CognitoJwtVerifier, CognitoJwtVerifier), Box<dyn std::error::Error>> {
    let base = || -> Result<_, Box<dyn std::error::Error>> {
        let mut b = CognitoJwtVerifier::builder(UserPoolId::parse(pool)?)
            .token_use(TokenUse::Id)
            .client_id(client)
            .jwks_source(HttpJwks::default());
        if let Some(url) = &jwks_url {
            b = b.jwks_url(url.clone());
        }
        Ok(b)
    };
    Ok((base()?.build()?, base()?.groups(["admins"]).build()?))
}

async fn me(Verified(claims): Verified<IdTokenClaims>) -> String {
    serde_json::json!({
        "username": claims.username,
        "sub": claims.sub,
        "email": claims.email,
        "groups": claims.groups,
    })
    .to_string()
}

async fn admin(Verified(claims): Verified<IdTokenClaims>) -> String {
    format!("welcome, administrator {}", claims.username)
}

#[tokio::main]
#[allow(dead_code)] // a test includes this file for `app` and `verifiers`
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let (users, admins) = verifiers(
        &var("COGNITO_USER_POOL_ID")?,
        &var("COGNITO_CLIENT_ID")?,
        std::env::var("COGNITO_JWKS_URL").ok(),
    )?;
    // Fetch the keys up front: a wrong pool or URL shows at start-up.
    users.jwks().prefetch().await?;
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{addr}");
    axum::serve(listener, app(users, admins)).await?;
    Ok(())
}
