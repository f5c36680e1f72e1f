//! The claims of Cognito user-pool tokens, typed. Unknown claims (custom
//! attributes, `identities`, pre-token-generation additions) are kept in
//! `other`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `token_use`: which of a user pool's tokens this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenUse {
    /// An ID token (for identity pools and the app).
    Id,
    /// An access token (for APIs and the user-pool API).
    Access,
}

impl TokenUse {
    /// The claim value.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenUse::Id => "id",
            TokenUse::Access => "access",
        }
    }
}

impl fmt::Display for TokenUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An ID token's claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    /// The user's unique, stable id.
    pub sub: String,
    /// `https://cognito-idp.<region>.amazonaws.com/<poolId>`.
    pub iss: String,
    /// The app client id.
    pub aud: String,
    /// `id`.
    pub token_use: TokenUse,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Not before, when present (Cognito does not set it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// When the user authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// The internal username.
    #[serde(rename = "cognito:username")]
    pub username: String,
    /// Group names, by precedence.
    #[serde(
        rename = "cognito:groups",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub groups: Vec<String>,
    /// The groups' IAM roles.
    #[serde(
        rename = "cognito:roles",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub roles: Vec<String>,
    /// The role of the group with the lowest precedence.
    #[serde(
        rename = "cognito:preferred_role",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub preferred_role: Option<String>,
    /// The e-mail attribute, when it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The OIDC nonce of the authorize request (hosted UI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// This token's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// The id of the sign-in these tokens descend from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_jti: Option<String>,
    /// Every other claim (attributes, `identities`, …).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// An access token's claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    /// The user's id (for client-credentials tokens, the client id).
    pub sub: String,
    /// `https://cognito-idp.<region>.amazonaws.com/<poolId>`.
    pub iss: String,
    /// The app client id.
    pub client_id: String,
    /// `access`.
    pub token_use: TokenUse,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Not before, when present (Cognito does not set it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// When the user authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// Space-separated scopes.
    #[serde(default)]
    pub scope: String,
    /// The internal username (absent for client credentials).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Group names, by precedence.
    #[serde(
        rename = "cognito:groups",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub groups: Vec<String>,
    /// This token's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// The id of the sign-in these tokens descend from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_jti: Option<String>,
    /// Every other claim.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl AccessTokenClaims {
    /// The scopes, one by one.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_whitespace()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_cognito_claims_and_keeps_the_rest() {
        let id: IdTokenClaims = serde_json::from_value(json!({
            "sub": "s", "iss": "i", "aud": "c", "token_use": "id", "exp": 2, "iat": 1,
            "cognito:username": "alice", "cognito:groups": ["admins"], "custom:tier": "gold"
        }))
        .unwrap();
        assert_eq!(id.username, "alice");
        assert_eq!(id.groups, ["admins"]);
        assert_eq!(id.other["custom:tier"], "gold");
        let access: AccessTokenClaims = serde_json::from_value(json!({
            "sub": "s", "iss": "i", "client_id": "c", "token_use": "access", "exp": 2, "iat": 1,
            "scope": "openid https://api.example.com/read"
        }))
        .unwrap();
        assert_eq!(
            access.scopes().collect::<Vec<_>>(),
            ["openid", "https://api.example.com/read"]
        );
        let wrong_use = serde_json::from_value::<IdTokenClaims>(json!({
            "sub": "s", "iss": "i", "aud": "c", "token_use": "refresh", "exp": 2, "iat": 1,
            "cognito:username": "alice"
        }));
        assert!(wrong_use.is_err());
    }
}
