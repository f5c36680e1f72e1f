//! Multi-Region replication: Create/Update/Delete/ListUserPoolReplicas,
//! and what a replica changes about the calls that reach it.
//!
//! On AWS a replica is a user pool in another region sharing the primary's
//! id and user directory. The mock serves every region from one process,
//! so a replica is the same pool made reachable from a second region: a
//! call signed for that region, which would otherwise find no such pool,
//! reaches it, with a secondary's limits. A secondary reads everything,
//! takes its own replica-specific settings (its status, tags, log
//! delivery) and, once ACTIVE (a failover), signs users in and issues and
//! revokes tokens; it creates no user and changes none
//! (`OperationNotEnabledException`, as AWS answers). A new replica starts
//! INACTIVE; only an INACTIVE one can be deleted, from the primary region.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Context, Pool, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::paging::paginate;
use crate::shapes::cognito_idp::{
    CreateUserPoolReplicaRequest, CreateUserPoolReplicaResponse, DeleteUserPoolReplicaRequest,
    DeleteUserPoolReplicaResponse, ListUserPoolReplicasRequest, ListUserPoolReplicasResponse,
    ReplicaRoleType, ReplicaStatusType, UpdateReplicaStatusType, UpdateUserPoolReplicaRequest,
    UpdateUserPoolReplicaResponse, UserPoolReplicaType, UserPoolTierType,
};

/// A secondary replica, as kept (and stored with the pool).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Replica {
    active: bool,
    created: i64,
    /// The replica's own tags (AWS keeps them per replica).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tags: Option<BTreeMap<String, String>>,
}

impl Replica {
    pub(super) fn tags_mut(&mut self) -> &mut Option<BTreeMap<String, String>> {
        &mut self.tags
    }
}

/// Secondary replicas a user pool may have, as on AWS.
const MAX_REPLICAS: usize = 1;

fn replica_type(pool: &Pool, region: &str, status: ReplicaStatusType) -> UserPoolReplicaType {
    let role = if region == pool.region {
        ReplicaRoleType::Primary
    } else {
        ReplicaRoleType::Secondary
    };
    UserPoolReplicaType {
        region_name: Some(region.to_owned()),
        role: Some(role),
        status: Some(status),
        user_pool_arn: Some(format!(
            "arn:aws:cognito-idp:{region}:000000000000:userpool/{}",
            pool.id
        )),
    }
}

fn status_of(replica: &Replica) -> ReplicaStatusType {
    if replica.active {
        ReplicaStatusType::Active
    } else {
        ReplicaStatusType::Inactive
    }
}

fn not_found(pool: &Pool, region: &str) -> ApiError {
    ApiError::resource_not_found(format!("User pool {} has no replica in {region}.", pool.id))
}

/// Replicas are managed from the primary region: a call signed for a
/// secondary region is refused.
fn from_primary(pool: &Pool, ctx: &Context<'_>, what: &str) -> ApiResult<()> {
    match ctx.request_region {
        Some(region) if region != pool.region => Err(ApiError::new(
            "OperationNotEnabledException",
            format!(
                "{what} must be called in the user pool's primary region, {}",
                pool.region
            ),
        )),
        _ => Ok(()),
    }
}

impl UserPools {
    pub(super) fn create_user_pool_replica(
        &mut self,
        input: CreateUserPoolReplicaRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<CreateUserPoolReplicaResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        from_primary(pool, ctx, "CreateUserPoolReplica")?;
        let region = input.region_name;
        if !crate::region::is_valid(&region) {
            return Err(ApiError::invalid_parameter(format!(
                "{region} is not an AWS Region"
            )));
        }
        if region == pool.region {
            return Err(ApiError::invalid_parameter(format!(
                "{region} is the user pool's primary region"
            )));
        }
        if pool.settings.user_pool_tier == Some(UserPoolTierType::Lite) {
            return Err(ApiError::new(
                "FeatureUnavailableInTierException",
                "Multi-Region replication requires the ESSENTIALS or PLUS feature plan",
            ));
        }
        if pool.replicas.contains_key(&region) {
            return Err(ApiError::invalid_parameter(format!(
                "User pool {} already has a replica in {region}",
                pool.id
            )));
        }
        if pool.replicas.len() >= MAX_REPLICAS {
            return Err(ApiError::new(
                "LimitExceededException",
                format!("A user pool can have {MAX_REPLICAS} secondary replica"),
            ));
        }
        let replica = Replica {
            active: false,
            created: ctx.clock.unix(),
            tags: input.user_pool_tags,
        };
        let out = replica_type(pool, &region, status_of(&replica));
        pool.replicas.insert(region, replica);
        pool.modified = ctx.clock.unix();
        Ok(CreateUserPoolReplicaResponse {
            user_pool_replica: Some(out),
        })
    }

    pub(super) fn update_user_pool_replica(
        &mut self,
        input: UpdateUserPoolReplicaRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<UpdateUserPoolReplicaResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        if input.region_name == pool.region {
            return Err(ApiError::invalid_parameter(
                "The primary replica is always ACTIVE; only a secondary's status can be set",
            ));
        }
        let not_found = not_found(pool, &input.region_name);
        let replica = pool.replicas.get_mut(&input.region_name).ok_or(not_found)?;
        replica.active = input.status == UpdateReplicaStatusType::Active;
        let status = status_of(replica);
        pool.modified = ctx.clock.unix();
        Ok(UpdateUserPoolReplicaResponse {
            user_pool_replica: Some(replica_type(pool, &input.region_name, status)),
        })
    }

    pub(super) fn delete_user_pool_replica(
        &mut self,
        input: DeleteUserPoolReplicaRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<DeleteUserPoolReplicaResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        from_primary(pool, ctx, "DeleteUserPoolReplica")?;
        let replica = pool
            .replicas
            .get(&input.region_name)
            .ok_or_else(|| not_found(pool, &input.region_name))?;
        if replica.active {
            return Err(ApiError::invalid_parameter(format!(
                "The replica in {} is ACTIVE: only an INACTIVE replica can be deleted",
                input.region_name
            )));
        }
        pool.replicas.remove(&input.region_name);
        pool.modified = ctx.clock.unix();
        Ok(DeleteUserPoolReplicaResponse {
            user_pool_replica: Some(replica_type(
                pool,
                &input.region_name,
                ReplicaStatusType::Deleting,
            )),
        })
    }

    pub(super) fn list_user_pool_replicas(
        &self,
        input: ListUserPoolReplicasRequest,
    ) -> ApiResult<ListUserPoolReplicasResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let mut all = vec![replica_type(pool, &pool.region, ReplicaStatusType::Active)];
        all.extend(
            pool.replicas
                .iter()
                .map(|(region, r)| replica_type(pool, region, status_of(r))),
        );
        let (replicas, next_token) = paginate(
            all,
            super::pools::page_size(None),
            input.next_token.as_deref(),
        )?;
        Ok(ListUserPoolReplicasResponse {
            next_token,
            user_pool_replicas: Some(replicas),
        })
    }

    /// Whether a call of `operation` signed for `region` may reach the pool
    /// `pool_id` of another region: through a secondary replica there, and
    /// only for what a secondary serves. `Err` says why not, as AWS would.
    pub fn served_by_replica(&self, pool_id: &str, region: &str, operation: &str) -> ApiResult<()> {
        let missing =
            || ApiError::resource_not_found(format!("User pool {pool_id} does not exist."));
        let pool = self.pools.get(pool_id).ok_or_else(missing)?;
        let replica = pool.replicas.get(region).ok_or_else(missing)?;
        if secondary_serves(operation, replica.active) {
            return Ok(());
        }
        let why = if replica.active || !signs_in(operation) {
            "is not supported in a secondary replica region: call the primary region"
        } else {
            "needs an ACTIVE replica: this one is INACTIVE"
        };
        Err(ApiError::new(
            "OperationNotEnabledException",
            format!(
                "{operation} {why} ({region}; the primary is {})",
                pool.region
            ),
        ))
    }
}

/// Sign-in and token operations, which a secondary serves once ACTIVE.
fn signs_in(operation: &str) -> bool {
    matches!(
        operation,
        "InitiateAuth"
            | "AdminInitiateAuth"
            | "RespondToAuthChallenge"
            | "AdminRespondToAuthChallenge"
            | "GetTokensFromRefreshToken"
            | "RevokeToken"
            | "GlobalSignOut"
            | "AdminUserGlobalSignOut"
            | "GetUser"
            | "GetClientToken"
            | "GetDerivedToken"
    )
}

/// What a secondary replica serves: reads and its own settings always,
/// sign-in once ACTIVE; no operation that creates or changes a user or
/// the pool's shared configuration.
fn secondary_serves(operation: &str, active: bool) -> bool {
    let reads = (operation.starts_with("Describe")
        || operation.starts_with("List")
        || operation.starts_with("AdminList")
        || operation.starts_with("AdminGet")
        || operation.starts_with("Get"))
        && !signs_in(operation)
        // Sends a code despite its name.
        && operation != "GetUserAttributeVerificationCode";
    let own_settings = matches!(
        operation,
        "UpdateUserPoolReplica" | "SetLogDeliveryConfiguration"
    );
    reads || own_settings || (active && signs_in(operation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secondary_reads_and_signs_in_once_active_but_never_writes() {
        for op in [
            "DescribeUserPool",
            "ListUsers",
            "AdminGetUser",
            "GetUserPoolMfaConfig",
        ] {
            assert!(secondary_serves(op, false), "{op}");
        }
        assert!(!secondary_serves("AdminInitiateAuth", false));
        assert!(secondary_serves("AdminInitiateAuth", true));
        assert!(secondary_serves("UpdateUserPoolReplica", false));
        for op in [
            "SignUp",
            "AdminCreateUser",
            "AdminUpdateUserAttributes",
            "ForgotPassword",
            "UpdateUserPool",
            "GetUserAttributeVerificationCode",
            "CreateUserPoolReplica",
        ] {
            assert!(!secondary_serves(op, true), "{op}");
        }
    }
}
