//! ID and access tokens as Cognito issues them for API sign-ins.

use serde_json::{Value, json};

use super::{Pool, User};
use crate::ids;

/// Lifetime of ID and access tokens: Cognito's default of one hour.
const TOKEN_LIFETIME_SECS: i64 = 3600;

/// `https://cognito-idp.<region>.amazonaws.com/<poolId>`, so unmodified
/// verifiers accept the tokens once given the JWKS.
pub(super) fn issuer(pool: &Pool) -> String {
    format!(
        "https://cognito-idp.{}.amazonaws.com/{}",
        pool.region, pool.id
    )
}

/// The `AuthenticationResult` for a fresh sign-in.
pub(super) fn issue(pool: &Pool, client_id: &str, user: &User, now: i64) -> Value {
    let origin_jti = ids::uuid();
    let event_id = ids::uuid();
    let mut id_claims = json!({
        "sub": user.sub,
        "aud": client_id,
        "token_use": "id",
        "auth_time": now,
        "iss": issuer(pool),
        "cognito:username": user.username,
        "exp": now + TOKEN_LIFETIME_SECS,
        "iat": now,
        "jti": ids::uuid(),
        "origin_jti": origin_jti,
        "event_id": event_id,
    });
    for (name, value) in &user.attributes {
        // Verification flags are booleans in real tokens; everything else,
        // custom attributes included, is a string.
        id_claims[name] = match (name.as_str(), value.as_str()) {
            ("email_verified" | "phone_number_verified", "true") => json!(true),
            ("email_verified" | "phone_number_verified", "false") => json!(false),
            _ => json!(value),
        };
    }
    let access_claims = json!({
        "sub": user.sub,
        "iss": issuer(pool),
        "client_id": client_id,
        "origin_jti": origin_jti,
        "event_id": event_id,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now,
        "exp": now + TOKEN_LIFETIME_SECS,
        "iat": now,
        "jti": ids::uuid(),
        "username": user.username,
    });
    json!({
        "AccessToken": pool.access_key.sign(&access_claims),
        "ExpiresIn": TOKEN_LIFETIME_SECS,
        "TokenType": "Bearer",
        "IdToken": pool.id_key.sign(&id_claims),
    })
}
