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

use serde_json::Value;

use crate::ahead::WorkAhead;
use crate::engine::Shared;
use crate::error::ApiResult;
use crate::shapes::cognito_idp::{
    ClientAuthenticationResultType, GetClientTokenResponse, GetTokensFromRefreshTokenResponse,
    UserPoolRequest,
};
use crate::shapes::output_json as to_json;
use crate::user_pool::{AuthReply, AuthStep, Confirmation, Context, UserPools};

/// Runs one user-pool operation.
pub(crate) fn run(
    shared: &Shared,
    request: UserPoolRequest,
    ctx: &Context<'_>,
) -> ApiResult<Value> {
    let ahead = work_ahead(shared, &request, ctx);
    let ctx = &Context {
        ahead: Some(&ahead),
        ..*ctx
    };
    // CustomMessage runs on the codes the operation sent, once it is done.
    let messages = (!ctx.triggers.is_empty()).then(|| {
        let metadata = request.client_metadata().map(|m| serde_json::json!(m));
        (request.operation().name(), metadata)
    });
    let out = run_operation(shared, request, ctx);
    if let Some((operation, metadata)) = messages {
        for id in ahead.take_delivered() {
            let invocation =
                shared
                    .user_pools()
                    .custom_message(id, operation, metadata.as_ref(), ctx);
            if let Some(invocation) = invocation {
                let answer = invocation.run()?;
                shared
                    .user_pools_mut()
                    .apply_custom_message(id, &answer, ctx.clock.unix())?;
            }
            let sender = shared
                .user_pools()
                .custom_sender(id, operation, metadata.as_ref(), ctx);
            if let Some(invocation) = sender {
                invocation?.run()?;
            }
        }
    }
    out
}

/// The operation itself, its triggers before and after it included.
fn run_operation(shared: &Shared, request: UserPoolRequest, ctx: &Context<'_>) -> ApiResult<Value> {
    if let Some(answer) = sign_in(shared, &request, ctx) {
        return answer;
    }
    // Configuring Cognito with an app id and secret stands for registering
    // that app with the (fake) provider.
    let provider = match &request {
        UserPoolRequest::CreateIdentityProvider(i) => {
            Some((i.user_pool_id.clone(), i.provider_name.clone()))
        }
        UserPoolRequest::UpdateIdentityProvider(i) => {
            Some((i.user_pool_id.clone(), i.provider_name.clone()))
        }
        _ => None,
    };
    let confirmation = (!ctx.triggers.is_empty())
        .then(|| Confirmation::of(&request))
        .flatten();
    let out = shared.user_pools_mut().handle(request, ctx)?;
    // PostConfirmation runs once the confirmation is stored, with no lock
    // held; its failure is the answer, but (as on AWS) the user stays
    // confirmed.
    if let Some(confirmation) = confirmation {
        let after = shared.user_pools().post_confirmation(&confirmation, ctx);
        if let Some(invocation) = after {
            invocation.run()?;
        }
    }
    if let Some((pool_id, name)) = provider {
        let app = shared.user_pools().provider_app(&pool_id, &name);
        if let Some(app) = app {
            shared.providers_mut().register_provider_app(&app);
        }
    }
    Ok(out)
}

/// Plans the operation's expensive work under a read lock, then does it
/// with none held.
fn work_ahead(shared: &Shared, request: &UserPoolRequest, ctx: &Context<'_>) -> WorkAhead {
    let mut ahead = UserPools::draw_ahead(request, ctx);
    // A trigger that runs before the operation changes anything: read
    // under the read lock, run with none held.
    if !ctx.triggers.is_empty() {
        let before = shared.user_pools().trigger_before(request, ctx);
        match before {
            Some(i) if i.trigger == crate::triggers::Trigger::UserMigration => {
                ahead.migration = Some(i.run());
            }
            before => ahead.trigger = before.map(|invocation| invocation.run()),
        }
    }
    if !UserPools::may_plan_ahead(request) {
        // Most calls (InitiateAuth, the control plane, …): no extra read lock.
        return ahead;
    }
    let plan = shared.user_pools().plan_ahead(request, &ahead, ctx);
    ahead.run(plan, ctx.rng);
    ahead
}

/// The sign-in operations, phase by phase. None for other operations.
fn sign_in(
    shared: &Shared,
    request: &UserPoolRequest,
    ctx: &Context<'_>,
) -> Option<ApiResult<Value>> {
    use UserPoolRequest as R;
    let no_parameters = Default::default();
    // PreAuthentication ran ahead: its refusal ends the sign-in.
    if matches!(request, R::InitiateAuth(_) | R::AdminInitiateAuth(_))
        && let Some(refused) = crate::user_pool::refusal_ahead(ctx)
    {
        return Some(Err(refused));
    }
    let step = match request {
        R::InitiateAuth(i) => shared.user_pools_mut().initiate_auth(
            &i.client_id,
            None,
            (i.auth_flow, i.session.as_deref()),
            i.auth_parameters.as_ref().unwrap_or(&no_parameters),
            ctx,
        ),
        R::AdminInitiateAuth(i) => shared.user_pools_mut().initiate_auth(
            &i.client_id,
            Some(&i.user_pool_id),
            (i.auth_flow, i.session.as_deref()),
            i.auth_parameters.as_ref().unwrap_or(&no_parameters),
            ctx,
        ),
        R::RespondToAuthChallenge(i) => shared.user_pools_mut().respond_to_auth_challenge(
            &i.client_id,
            None,
            i.challenge_name,
            i.session.as_deref(),
            i.challenge_responses.as_ref().unwrap_or(&no_parameters),
            ctx,
        ),
        R::AdminRespondToAuthChallenge(i) => shared.user_pools_mut().respond_to_auth_challenge(
            &i.client_id,
            Some(&i.user_pool_id),
            i.challenge_name,
            i.session.as_deref(),
            i.challenge_responses.as_ref().unwrap_or(&no_parameters),
            ctx,
        ),
        R::GetTokensFromRefreshToken(i) => {
            let tokens = shared
                .user_pools_mut()
                .get_tokens_from_refresh_token(i, ctx);
            return Some(tokens.and_then(|t| {
                to_json(GetTokensFromRefreshTokenResponse {
                    authentication_result: Some(t.sign()?),
                })
            }));
        }
        R::GetClientToken(i) => {
            // Decided under a read lock; the token is signed with none held.
            let grant = shared.user_pools().client_token(i, ctx);
            return Some(grant.and_then(|grant| {
                let (access_token, expires_in) = grant.sign_client()?;
                to_json(GetClientTokenResponse {
                    client_authentication_result: Some(ClientAuthenticationResultType {
                        access_token: Some(access_token),
                        expires_in: i32::try_from(expires_in).ok(),
                        token_type: Some("Bearer".to_owned()),
                    }),
                })
            }));
        }
        R::GetDerivedToken(i) => {
            // Decided under a read lock; the token is signed with none held.
            let token = shared.user_pools().derived_token(i, ctx);
            return Some(token.and_then(|t| to_json(t.sign())));
        }
        _ => return None,
    };
    let metadata = match request {
        R::InitiateAuth(i) => i.client_metadata.as_ref(),
        R::AdminInitiateAuth(i) => i.client_metadata.as_ref(),
        R::RespondToAuthChallenge(i) => i.client_metadata.as_ref(),
        R::AdminRespondToAuthChallenge(i) => i.client_metadata.as_ref(),
        _ => None,
    };
    Some(finish_steps(shared, step, metadata, ctx).and_then(|r| to_json(r.finish()?)))
}

/// Takes a sign-in from step to step until it has its reply: each
/// expensive step (or CUSTOM_AUTH's triggers) runs with no lock held, and
/// its outcome is recorded under the write lock.
fn finish_steps(
    shared: &Shared,
    mut step: ApiResult<AuthStep>,
    metadata: Option<&std::collections::BTreeMap<String, String>>,
    ctx: &Context<'_>,
) -> ApiResult<AuthReply> {
    loop {
        step = match step? {
            AuthStep::Reply(reply) => return Ok(reply),
            AuthStep::StartSrp(start) => {
                let started = start.run(ctx.rng)?;
                return shared
                    .user_pools_mut()
                    .srp_started(*start, started, ctx)
                    .map(AuthReply::Challenge);
            }
            AuthStep::CheckClaim(check) => {
                let good = check.run(ctx.clock.now());
                shared.user_pools_mut().claim_checked(*check, good, ctx)
            }
            AuthStep::CheckPassword(check) => {
                let good = check.run();
                return shared.user_pools_mut().password_checked(*check, good, ctx);
            }
            AuthStep::Custom(mut round) => {
                round.with_client_metadata(metadata);
                let outcome = round.run()?;
                shared
                    .user_pools_mut()
                    .custom_round_done(*round, outcome, ctx)
            }
        };
    }
}
