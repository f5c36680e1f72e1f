//! The identity-pool operations (`AWSCognitoIdentityService.*`).
//!
//! Validating a `Logins` map is cheap apart from the tokens' RSA
//! signatures, so those are checked first, with no lock held
//! ([`VerifiedSignatures`]); the operation then decides and commits under
//! the locks, in the engine's order: user pools (read), providers (read),
//! identity pools, credentials. OpenID tokens are signed after the locks
//! are released.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::ahead::VerifiedSignatures;
use crate::engine::Shared;
use crate::error::ApiResult;
use crate::identity_pool::{OPENID_LOGIN_KEY, UnsignedOpenIdToken};
use crate::shapes::cognito_identity::IdentityPoolRequest;
use crate::user_pool::Context;

/// Runs one identity-pool operation.
pub(crate) fn run(
    shared: &Shared,
    request: IdentityPoolRequest,
    ctx: &Context<'_>,
) -> ApiResult<Value> {
    let signatures = check_login_signatures(shared, logins_of(&request), ctx);
    let answer = {
        let user_pools = shared.user_pools();
        let providers = shared.providers();
        let mut identity_pools = shared.identity_pools();
        let mut credentials = shared.credentials();
        let deps = crate::identity_pool::Deps {
            ctx,
            user_pools: &user_pools,
            providers: &providers,
            credentials: &mut credentials,
            signatures: &signatures,
        };
        match &request {
            IdentityPoolRequest::GetOpenIdToken(input) => {
                Answer::Unsigned(identity_pools.get_open_id_token(input, deps)?)
            }
            IdentityPoolRequest::GetOpenIdTokenForDeveloperIdentity(input) => Answer::Unsigned(
                identity_pools.get_open_id_token_for_developer_identity(input, deps)?,
            ),
            other => Answer::Ready(identity_pools.handle(other, deps)?),
        }
    };
    let out = match answer {
        Answer::Ready(out) => out,
        Answer::Unsigned(token) => token.sign(),
    };
    let trusted = match &request {
        IdentityPoolRequest::CreateIdentityPool(i) => i.supported_login_providers.as_ref(),
        IdentityPoolRequest::UpdateIdentityPool(i) => i.supported_login_providers.as_ref(),
        _ => None,
    };
    if let Some(trusted) = trusted {
        shared.providers_mut().register_login_providers(trusted);
    }
    Ok(out)
}

/// An answer decided under the locks: ready, or with an OpenID token to
/// sign once they are released.
enum Answer {
    Ready(Value),
    Unsigned(UnsignedOpenIdToken),
}

/// The `Logins` a request presents, if any.
fn logins_of(request: &IdentityPoolRequest) -> Option<&BTreeMap<String, String>> {
    match request {
        IdentityPoolRequest::GetId(i) => i.logins.as_ref(),
        IdentityPoolRequest::GetCredentialsForIdentity(i) => i.logins.as_ref(),
        IdentityPoolRequest::GetOpenIdToken(i) => i.logins.as_ref(),
        IdentityPoolRequest::GetOpenIdTokenForDeveloperIdentity(i) => Some(&i.logins),
        IdentityPoolRequest::UnlinkIdentity(i) => Some(&i.logins),
        _ => None,
    }
}

/// Checks the signature of every login token against the key that would
/// have signed it, taking each lock only to find the key. Whether a login
/// is acceptable is decided later, under the locks.
fn check_login_signatures(
    shared: &Shared,
    logins: Option<&BTreeMap<String, String>>,
    ctx: &Context<'_>,
) -> VerifiedSignatures {
    let mut signatures = VerifiedSignatures::default();
    for (provider, token) in logins.into_iter().flatten() {
        if provider == OPENID_LOGIN_KEY {
            let key = shared.identity_pools().signing_key();
            signatures.check_ahead(&key, token);
        } else if provider.starts_with("cognito-idp.") {
            let pool_id = provider.rsplit('/').next().unwrap_or_default();
            let check = shared.user_pools().id_token_check(pool_id, ctx);
            if let Some(check) = check {
                signatures.check_ahead(check.key(), token);
            }
        } else {
            let key = shared.providers().id_token_key(provider);
            if let Some(key) = key {
                signatures.check_ahead(&key, token);
            }
        }
    }
    signatures
}
