//! The user-pool operations (`AWSCognitoIdentityProviderService.*`).
//!
//! Sign-in runs in three phases: `UserPools::initiate_auth` /
//! `respond_to_auth_challenge` decide under a read-write lock and hand back
//! an [`AuthStep`]; its expensive part (the server's SRP `B`, the proof
//! check, the password check) runs here with no lock held; the matching
//! commit step (`srp_started`, `claim_checked`, `password_checked`)
//! re-checks the user under the lock and records the outcome. Tokens are
//! signed after the last lock is released.
//!
//! Every other operation first does its predictable expensive work (see
//! `UserPools::plan_ahead`) with no lock held, then runs under the write
//! lock, where that work is a look-up.

use serde_json::{Value, json};

use crate::ahead::WorkAhead;
use crate::engine::Shared;
use crate::error::{ApiError, ApiResult};
use crate::shapes::cognito_idp::UserPoolRequest;
use crate::user_pool::{AuthReply, AuthStep, Context, UserPools};

/// Runs one user-pool operation.
pub(crate) fn run(
    shared: &Shared,
    request: UserPoolRequest,
    body: &Value,
    ctx: &Context<'_>,
) -> ApiResult<Value> {
    let op = request.operation().name();
    let ahead = work_ahead(shared, op, body, ctx);
    let ctx = &Context {
        ahead: Some(&ahead),
        ..*ctx
    };
    if let Some(out) = sign_in(shared, op, body, ctx) {
        return out;
    }
    let out = shared.user_pools_mut().handle(request, ctx)?;
    if matches!(op, "CreateIdentityProvider" | "UpdateIdentityProvider") {
        // Configuring Cognito with an app id and secret stands for
        // registering that app with the (fake) provider.
        shared
            .providers_mut()
            .register_from_identity_provider(&out["IdentityProvider"]);
    }
    Ok(out)
}

/// Plans the operation's expensive work under a read lock, then does it
/// with none held.
fn work_ahead(shared: &Shared, op: &str, body: &Value, ctx: &Context<'_>) -> WorkAhead {
    let mut ahead = UserPools::draw_ahead(op, body, ctx);
    if !UserPools::may_plan_ahead(op, body) {
        // Most calls (InitiateAuth, the control plane, …): no extra read lock.
        return ahead;
    }
    let plan = shared.user_pools().plan_ahead(op, body, &ahead, ctx);
    ahead.run(plan, ctx.rng);
    ahead
}

/// The sign-in operations, phase by phase. None for other operations.
fn sign_in(
    shared: &Shared,
    op: &str,
    input: &Value,
    ctx: &Context<'_>,
) -> Option<Result<Value, ApiError>> {
    let step = match op {
        "InitiateAuth" | "AdminInitiateAuth" => {
            let admin = op == "AdminInitiateAuth";
            shared.user_pools_mut().initiate_auth(input, admin, ctx)
        }
        "RespondToAuthChallenge" | "AdminRespondToAuthChallenge" => {
            let admin = op == "AdminRespondToAuthChallenge";
            shared
                .user_pools_mut()
                .respond_to_auth_challenge(input, admin, ctx)
        }
        "GetTokensFromRefreshToken" => {
            let tokens = shared
                .user_pools_mut()
                .get_tokens_from_refresh_token(input, ctx);
            return Some(tokens.map(|t| json!({"AuthenticationResult": t.sign()})));
        }
        _ => return None,
    };
    let reply: Result<AuthReply, ApiError> = step.and_then(|step| match step {
        AuthStep::Reply(reply) => Ok(reply),
        AuthStep::StartSrp(start) => {
            let started = start.run(ctx.rng)?;
            shared
                .user_pools_mut()
                .srp_started(*start, started, ctx)
                .map(AuthReply::Challenge)
        }
        AuthStep::CheckClaim(check) => {
            let good = check.run(ctx.clock.now());
            shared.user_pools_mut().claim_checked(*check, good, ctx)
        }
        AuthStep::CheckPassword(check) => {
            let good = check.run();
            shared.user_pools_mut().password_checked(*check, good, ctx)
        }
    });
    Some(reply.map(AuthReply::finish))
}
