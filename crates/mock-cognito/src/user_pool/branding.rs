//! Managed-login branding: Create/Update/Delete/Describe(ByClient)
//! ManagedLoginBranding. One style per app client, kept as given (the
//! settings document and the image assets) and echoed back. The mock's
//! pages do not render it (they are the classic hosted UI's); with
//! `ReturnMergedResources` the stored values come back as they are, since
//! Cognito's own default style document is not reproduced here.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{Context, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::shapes::cognito_idp::{
    AssetType, CreateManagedLoginBrandingRequest, DeleteManagedLoginBrandingRequest,
    DescribeManagedLoginBrandingByClientRequest, DescribeManagedLoginBrandingRequest,
    UpdateManagedLoginBrandingRequest,
};
use crate::shapes::{Empty, Timestamp};

/// A client's branding, as kept (and stored with the pool).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Branding {
    id: String,
    client_id: String,
    use_cognito_provided_values: bool,
    #[serde(default)]
    settings: Option<Map<String, Value>>,
    /// The assets as their JSON (bytes in base64).
    #[serde(default)]
    assets: Vec<Value>,
    created: i64,
    modified: i64,
}

fn not_found(what: &str) -> ApiError {
    ApiError::new(
        "ResourceNotFoundException",
        format!("Managed login branding {what} does not exist."),
    )
}

fn assets_json(assets: Option<Vec<AssetType>>) -> ApiResult<Vec<Value>> {
    let assets = assets.unwrap_or_default();
    let mut seen = Vec::new();
    for a in &assets {
        let key = (a.category, a.color_mode);
        if seen.contains(&key) {
            return Err(ApiError::invalid_parameter(format!(
                "Assets may hold one {} for color mode {}",
                a.category.as_str(),
                a.color_mode.as_str()
            )));
        }
        seen.push(key);
        if a.bytes.is_none() && a.resource_id.is_none() {
            return Err(ApiError::invalid_parameter(format!(
                "The {} asset needs Bytes or a ResourceId",
                a.category.as_str()
            )));
        }
    }
    assets
        .iter()
        .map(|a| {
            serde_json::to_value(a)
                .map_err(|e| ApiError::new("InternalErrorException", e.to_string()))
        })
        .collect()
}

/// Cognito's values, or the caller's settings and assets: never both.
fn check_choice(use_cognito: bool, settings: bool, assets: bool) -> ApiResult<()> {
    if use_cognito && (settings || assets) {
        return Err(ApiError::invalid_parameter(
            "When UseCognitoProvidedValues is true, Settings and Assets must be omitted",
        ));
    }
    Ok(())
}

impl Branding {
    pub(super) fn client_id(&self) -> &str {
        &self.client_id
    }

    fn describe(&self, pool_id: &str) -> Value {
        let mut out = json!({
            "ManagedLoginBrandingId": self.id,
            "UserPoolId": pool_id,
            "UseCognitoProvidedValues": self.use_cognito_provided_values,
            "Assets": self.assets,
            "CreationDate": Timestamp::from_secs(self.created),
            "LastModifiedDate": Timestamp::from_secs(self.modified),
        });
        if let Some(settings) = &self.settings {
            out["Settings"] = Value::Object(settings.clone());
        }
        json!({ "ManagedLoginBranding": out })
    }
}

impl UserPools {
    pub(super) fn create_managed_login_branding(
        &mut self,
        input: CreateManagedLoginBrandingRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let use_cognito = input.use_cognito_provided_values.unwrap_or(false);
        check_choice(
            use_cognito,
            input.settings.is_some(),
            input.assets.is_some(),
        )?;
        let assets = assets_json(input.assets)?;
        let pool = self.pool_mut(&input.user_pool_id)?;
        if !pool.clients.contains_key(&input.client_id) {
            return Err(ApiError::new(
                "ResourceNotFoundException",
                format!("User pool client {} does not exist.", input.client_id),
            ));
        }
        if pool
            .branding
            .values()
            .any(|b| b.client_id == input.client_id)
        {
            return Err(ApiError::new(
                "ManagedLoginBrandingExistsException",
                format!(
                    "App client {} already has a managed login branding style",
                    input.client_id
                ),
            ));
        }
        let now = ctx.clock.unix();
        let branding = Branding {
            id: ctx.rng.uuid(),
            client_id: input.client_id,
            use_cognito_provided_values: use_cognito,
            settings: input.settings,
            assets,
            created: now,
            modified: now,
        };
        let out = branding.describe(&pool.id);
        pool.branding.insert(branding.id.clone(), branding);
        pool.modified = now;
        Ok(out)
    }

    pub(super) fn update_managed_login_branding(
        &mut self,
        input: UpdateManagedLoginBrandingRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let (Some(pool_id), Some(id)) = (&input.user_pool_id, &input.managed_login_branding_id)
        else {
            return Err(ApiError::invalid_parameter(
                "UserPoolId and ManagedLoginBrandingId are required",
            ));
        };
        let use_cognito = input.use_cognito_provided_values.unwrap_or(false);
        check_choice(
            use_cognito,
            input.settings.is_some(),
            input.assets.is_some(),
        )?;
        let assets = input.assets.map(|a| assets_json(Some(a))).transpose()?;
        let pool = self.pool_mut(pool_id)?;
        let pool_id = pool.id.clone();
        let branding = pool.branding.get_mut(id).ok_or_else(|| not_found(id))?;
        branding.use_cognito_provided_values = use_cognito;
        if use_cognito {
            branding.settings = None;
            branding.assets.clear();
        }
        if let Some(settings) = input.settings {
            branding.settings = Some(settings);
        }
        if let Some(assets) = assets {
            branding.assets = assets;
        }
        branding.modified = ctx.clock.unix();
        Ok(branding.describe(&pool_id))
    }

    pub(super) fn describe_managed_login_branding(
        &self,
        input: DescribeManagedLoginBrandingRequest,
    ) -> ApiResult<Value> {
        let pool = self.pool(&input.user_pool_id)?;
        let id = &input.managed_login_branding_id;
        let branding = pool.branding.get(id).ok_or_else(|| not_found(id))?;
        Ok(branding.describe(&pool.id))
    }

    pub(super) fn describe_managed_login_branding_by_client(
        &self,
        input: DescribeManagedLoginBrandingByClientRequest,
    ) -> ApiResult<Value> {
        let pool = self.pool(&input.user_pool_id)?;
        let branding = pool
            .branding
            .values()
            .find(|b| b.client_id == input.client_id)
            .ok_or_else(|| not_found(&format!("for app client {}", input.client_id)))?;
        Ok(branding.describe(&pool.id))
    }

    pub(super) fn delete_managed_login_branding(
        &mut self,
        input: DeleteManagedLoginBrandingRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        let id = &input.managed_login_branding_id;
        pool.branding.remove(id).ok_or_else(|| not_found(id))?;
        pool.modified = ctx.clock.unix();
        Ok(Empty {})
    }
}
