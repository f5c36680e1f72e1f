//! The names a user pool goes by: its tokens' issuer, its key in an
//! identity pool's `Logins`, where its keys and hosted UI live; and the
//! login keys of the public providers.

/// Login key for Facebook access tokens.
pub const FACEBOOK: &str = "graph.facebook.com";
/// Login key for Login with Amazon access tokens.
pub const AMAZON: &str = "www.amazon.com";
/// Login key for Google ID tokens.
pub const GOOGLE: &str = "accounts.google.com";
/// Login key for Sign in with Apple ID tokens.
pub const APPLE: &str = "appleid.apple.com";
/// Login key for an identity pool's own OpenID token (developer flow).
pub const COGNITO_IDENTITY: &str = "cognito-identity.amazonaws.com";

/// The region of a user pool id (`<region>_<name>`), if it has the shape.
pub fn pool_region(user_pool_id: &str) -> Option<&str> {
    let (region, name) = user_pool_id.split_once('_')?;
    (!region.is_empty() && !name.is_empty()).then_some(region)
}

/// `https://cognito-idp.<region>.amazonaws.com/<poolId>`: the `iss` of the
/// pool's tokens at AWS.
pub fn issuer_in(region: &str, user_pool_id: &str) -> String {
    format!("https://{}", login_key_in(region, user_pool_id))
}

/// [`issuer_in`] the pool's own region.
pub fn issuer(user_pool_id: &str) -> Option<String> {
    Some(issuer_in(pool_region(user_pool_id)?, user_pool_id))
}

/// `cognito-idp.<region>.amazonaws.com/<poolId>`: the pool's key in an
/// identity pool's `Logins` (and its ProviderName there).
pub fn login_key_in(region: &str, user_pool_id: &str) -> String {
    format!("cognito-idp.{region}.amazonaws.com/{user_pool_id}")
}

/// [`login_key_in`] the pool's own region.
pub fn login_key(user_pool_id: &str) -> Option<String> {
    Some(login_key_in(pool_region(user_pool_id)?, user_pool_id))
}

/// The (region, pool id) a user-pool login key names.
pub fn parse_login_key(key: &str) -> Option<(&str, &str)> {
    let (region, pool) = key
        .strip_prefix("cognito-idp.")?
        .split_once(".amazonaws.com/")?;
    (!region.is_empty() && pool_region(pool).is_some()).then_some((region, pool))
}

/// `<issuer>/.well-known/jwks.json`.
pub fn jwks_url(issuer: &str) -> String {
    format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/'))
}

/// `<issuer>/.well-known/openid-configuration`.
pub fn openid_configuration_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

/// `https://<prefix>.auth.<region>.amazoncognito.com`: a Cognito-hosted
/// domain's hosted UI.
pub fn hosted_ui_url(domain_prefix: &str, region: &str) -> String {
    format!("https://{domain_prefix}.auth.{region}.amazoncognito.com")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_a_pool() {
        let pool = "ap-northeast-1_AbC123";
        assert_eq!(pool_region(pool), Some("ap-northeast-1"));
        assert_eq!(
            issuer(pool).unwrap(),
            "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_AbC123"
        );
        let key = login_key(pool).unwrap();
        assert_eq!(
            key,
            "cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_AbC123"
        );
        assert_eq!(parse_login_key(&key), Some(("ap-northeast-1", pool)));
        assert_eq!(parse_login_key("graph.facebook.com"), None);
        assert_eq!(parse_login_key("cognito-idp..amazonaws.com/x_y"), None);
        assert_eq!(
            jwks_url("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x/"),
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x/.well-known/jwks.json"
        );
        assert_eq!(
            hosted_ui_url("example", "eu-west-1"),
            "https://example.auth.eu-west-1.amazoncognito.com"
        );
        assert_eq!(pool_region("nounderscore"), None);
        assert_eq!(pool_region("_x"), None);
    }
}
