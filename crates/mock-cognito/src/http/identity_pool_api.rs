//! The identity-pool operations (`AWSCognitoIdentityService.*`): each typed
//! request to the engine, each answer to JSON.

use serde_json::Value;

use crate::engine::Shared;
use crate::error::ApiResult;
use crate::shapes::cognito_identity::IdentityPoolRequest;
use crate::user_pool::Context;

/// Runs one identity-pool operation.
pub(crate) fn dispatch(
    shared: &Shared,
    request: IdentityPoolRequest,
    body: &Value,
    ctx: &Context<'_>,
) -> ApiResult<Value> {
    let op = request.operation().name();
    // The engine's lock order: user pools, providers, identity pools,
    // credentials.
    let out = {
        let user_pools = shared.user_pools();
        let providers = shared.providers();
        let mut identity_pools = shared.identity_pools();
        let mut credentials = shared.credentials();
        let deps = crate::identity_pool::Deps {
            ctx,
            user_pools: &user_pools,
            providers: &providers,
            credentials: &mut credentials,
        };
        identity_pools.handle(op, body, deps)?
    };
    if matches!(op, "CreateIdentityPool" | "UpdateIdentityPool") {
        shared.providers_mut().register_login_providers(&out);
    }
    Ok(out)
}
