//! `cogkit token decode` and `cogkit token verify`: a JWT's claims, and a
//! plain explanation of why verification fails.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

use crate::auth::Endpoint;

fn part(token: &str, index: usize) -> Result<Value, String> {
    let segment = token
        .split('.')
        .nth(index)
        .ok_or("not a JWT: expected three dot-separated parts")?;
    let bytes = URL_SAFE_NO_PAD
        .decode(segment.trim_end_matches('='))
        .map_err(|_| "not a JWT: a part is not base64url")?;
    serde_json::from_slice(&bytes).map_err(|_| "not a JWT: a part is not JSON".to_owned())
}

/// Prints header and claims (no verification).
pub fn decode(token: &str, output: crate::show::Output) -> Result<(), String> {
    if token.split('.').count() != 3 {
        return Err("not a JWT: expected three dot-separated parts".into());
    }
    let out = json!({"header": part(token, 0)?, "claims": part(token, 1)?});
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
) -> Result<(), String> {
    let header = part(token, 0)?;
    let claims = part(token, 1)?;
    let region = user_pool_id.split('_').next().unwrap_or_default();
    let aws_issuer = format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}");
    let url = match (jwks_url, &endpoint.endpoint_url) {
        (Some(u), _) => u.to_owned(),
        (None, Some(base)) => format!(
            "{}/{user_pool_id}/.well-known/jwks.json",
            base.trim_end_matches('/')
        ),
        (None, None) => format!("{aws_issuer}/.well-known/jwks.json"),
    };
    let jwks: Value = reqwest::get(&url)
        .await
        .map_err(|e| format!("cannot fetch the JWKS from {url}: {e}"))?
        .json()
        .await
        .map_err(|e| format!("{url} did not answer a JWKS: {e}"))?;
    let kid = header["kid"]
        .as_str()
        .ok_or("the token's header has no kid")?;
    let alg = header["alg"].as_str().unwrap_or_default();
    if alg != "RS256" {
        return Err(format!(
            "algorithm: the token says {alg:?}; user-pool tokens are RS256"
        ));
    }
    let key = jwks["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["kid"] == kid))
        .ok_or_else(|| format!("kid: {kid} is not in the pool's JWKS ({url}); the token is from another pool, or forged"))?;
    let decoding = DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap_or_default(),
        key["e"].as_str().unwrap_or_default(),
    )
    .map_err(|e| format!("the JWKS key is unusable: {e}"))?;
    // Signature first, with every claim check off, so each reason below is reported on its own.
    let mut signature_only = Validation::new(Algorithm::RS256);
    signature_only.validate_exp = false;
    signature_only.validate_aud = false;
    signature_only.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(token, &decoding, &signature_only).map_err(|_| {
        "signature: it does not verify with the pool's key; the token was altered".to_owned()
    })?;
    let iss = claims["iss"].as_str().unwrap_or_default();
    let local_issuer = endpoint
        .endpoint_url
        .as_deref()
        .map(|b| format!("{}/{user_pool_id}", b.trim_end_matches('/')));
    if iss != aws_issuer && Some(iss) != local_issuer.as_deref() {
        return Err(format!(
            "issuer: the token is from {iss:?}, not {aws_issuer:?}"
        ));
    }
    if let Some(client) = client_id {
        let aud = claims["aud"]
            .as_str()
            .or(claims["client_id"].as_str())
            .unwrap_or_default();
        if aud != client {
            return Err(format!(
                "audience: the token was issued to app client {aud:?}, not {client:?}"
            ));
        }
    }
    let exp = claims["exp"].as_i64().ok_or("the token has no exp")?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    if exp <= now {
        return Err(format!(
            "expiry: the token expired {} seconds ago (exp {exp})",
            now - exp
        ));
    }
    outln!(
        "valid {} token for {} (expires in {} s)",
        claims["token_use"].as_str().unwrap_or("?"),
        claims["cognito:username"]
            .as_str()
            .or(claims["username"].as_str())
            .unwrap_or("?"),
        exp - now
    );
    Ok(())
}
