//! Per-pool and per-client settings the hosted UI, threat protection and
//! logging read: SetUICustomization / GetUICustomization (the CSS and logo,
//! served back at the ImageUrl given out), SetRiskConfiguration /
//! DescribeRiskConfiguration and Set/GetLogDeliveryConfiguration, each
//! checked as Cognito checks it, stored as given and echoed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Context, Pool, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::shapes::cognito_idp::ops::{SetLogDeliveryConfiguration, SetRiskConfiguration};
use crate::shapes::cognito_idp::{
    DescribeRiskConfigurationRequest, DescribeRiskConfigurationResponse, EventSourceName,
    GetLogDeliveryConfigurationRequest, GetLogDeliveryConfigurationResponse,
    GetUICustomizationRequest, GetUICustomizationResponse, LogDeliveryConfigurationType, LogLevel,
    RiskConfigurationType, SetLogDeliveryConfigurationRequest, SetLogDeliveryConfigurationResponse,
    SetRiskConfigurationRequest, SetRiskConfigurationResponse, SetUICustomizationRequest,
    SetUICustomizationResponse, UICustomizationType,
};
use crate::shapes::{Operation, Timestamp};

/// The client id that stands for the whole pool in UI customizations.
const ALL_CLIENTS: &str = "ALL";
/// Cognito's limits: the CSS (characters) and the logo (bytes).
const MAX_CSS: usize = 131_072;
const MAX_IMAGE: usize = 100 * 1024;

/// One SetUICustomization's CSS and logo.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct UiCustomization {
    css: Option<String>,
    /// The logo's bytes, base64 in the data dir.
    #[serde(default, with = "base64_bytes")]
    image: Option<Vec<u8>>,
    created: i64,
    modified: i64,
}

mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(bytes) => s.serialize_some(&STANDARD.encode(bytes)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| STANDARD.decode(t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// What a pool keeps of both: UI customizations by client id (`ALL` for
/// the pool) and risk configurations by client id (`""` for the pool),
/// the latter as SetRiskConfiguration's request without the ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Customizations {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    ui: BTreeMap<String, UiCustomization>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    risk: BTreeMap<String, (Value, i64)>,
    /// SetLogDeliveryConfiguration's LogConfigurations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    log_delivery: Option<Value>,
}

impl Pool {
    /// The UI customization's client key: a client of this pool, or `ALL`.
    fn ui_key(&self, client_id: Option<&str>) -> ApiResult<String> {
        match client_id {
            None | Some(ALL_CLIENTS) => Ok(ALL_CLIENTS.to_owned()),
            Some(id) if self.clients.contains_key(id) => Ok(id.to_owned()),
            Some(id) => Err(super::client_not_found(id)),
        }
    }

    fn ui_view(&self, key: &str, asked: &str, ctx: &Context<'_>) -> UICustomizationType {
        let mut view = UICustomizationType {
            user_pool_id: Some(self.id.clone()),
            client_id: Some(asked.to_owned()),
            ..UICustomizationType::default()
        };
        if let Some(ui) = self.customizations.ui.get(key) {
            view.css = ui.css.clone();
            view.css_version = Some(ui.modified.to_string());
            view.image_url = ui
                .image
                .as_ref()
                .map(|_| format!("{}/{}/ui/{key}/logo", ctx.endpoint, self.id));
            view.creation_date = Some(Timestamp::from_secs(ui.created));
            view.last_modified_date = Some(Timestamp::from_secs(ui.modified));
        }
        view
    }

    /// The logo a UI customization set, for its ImageUrl.
    fn ui_logo(&self, key: &str) -> Option<&[u8]> {
        self.customizations.ui.get(key)?.image.as_deref()
    }
}

impl UserPools {
    pub(super) fn set_ui_customization(
        &mut self,
        input: SetUICustomizationRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<SetUICustomizationResponse> {
        let now = ctx.clock.unix();
        let pool = self.pool_mut(&input.user_pool_id)?;
        if pool.domain.is_none() {
            return Err(ApiError::invalid_parameter(
                "There has to be an existing domain associated with this user pool",
            ));
        }
        let key = pool.ui_key(input.client_id.as_deref())?;
        let image = input.image_file.map(|b| b.into_bytes());
        if input
            .css
            .as_ref()
            .is_some_and(|c| c.chars().count() > MAX_CSS)
        {
            return Err(ApiError::invalid_parameter(format!(
                "CSS is longer than {MAX_CSS} characters"
            )));
        }
        if image.as_ref().is_some_and(|i| i.len() > MAX_IMAGE) {
            return Err(ApiError::invalid_parameter(format!(
                "ImageFile is larger than {MAX_IMAGE} bytes"
            )));
        }
        if input.css.is_none() && image.is_none() {
            // Neither: the customization is removed.
            pool.customizations.ui.remove(&key);
        } else {
            let created = pool.customizations.ui.get(&key).map_or(now, |u| u.created);
            pool.customizations.ui.insert(
                key.clone(),
                UiCustomization {
                    css: input.css,
                    image,
                    created,
                    modified: now,
                },
            );
        }
        let asked = input.client_id.as_deref().unwrap_or(ALL_CLIENTS);
        Ok(SetUICustomizationResponse {
            ui_customization: pool.ui_view(&key, asked, ctx),
        })
    }

    /// The client's own customization, else the pool's, else an empty one.
    pub(super) fn get_ui_customization(
        &self,
        input: GetUICustomizationRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<GetUICustomizationResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let key = pool.ui_key(input.client_id.as_deref())?;
        let asked = input.client_id.as_deref().unwrap_or(ALL_CLIENTS);
        let view = if pool.customizations.ui.contains_key(&key) {
            pool.ui_view(&key, asked, ctx)
        } else if pool.customizations.ui.contains_key(ALL_CLIENTS) {
            // A client without its own shows the pool's.
            pool.ui_view(ALL_CLIENTS, ALL_CLIENTS, ctx)
        } else {
            pool.ui_view(&key, asked, ctx)
        };
        Ok(GetUICustomizationResponse {
            ui_customization: view,
        })
    }

    pub(super) fn set_risk_configuration(
        &mut self,
        input: SetRiskConfigurationRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<SetRiskConfigurationResponse> {
        let now = ctx.clock.unix();
        let pool = self.pool_mut(&input.user_pool_id)?;
        let key = match input.client_id.as_deref() {
            None => String::new(),
            Some(id) if pool.clients.contains_key(id) => id.to_owned(),
            Some(id) => return Err(super::client_not_found(id)),
        };
        let empty = input.account_takeover_risk_configuration.is_none()
            && input.compromised_credentials_risk_configuration.is_none()
            && input.risk_exception_configuration.is_none();
        if empty {
            pool.customizations.risk.remove(&key);
        } else {
            let mut stored = serde_json::to_value(&input)
                .map_err(|e| ApiError::new("InternalErrorException", e.to_string()))?;
            if let Some(object) = stored.as_object_mut() {
                object.remove("UserPoolId");
                object.remove("ClientId");
            }
            pool.customizations.risk.insert(key.clone(), (stored, now));
        }
        pool.modified = now;
        Ok(SetRiskConfigurationResponse {
            risk_configuration: risk_view(pool, &key)?,
        })
    }

    pub(super) fn describe_risk_configuration(
        &self,
        input: DescribeRiskConfigurationRequest,
    ) -> ApiResult<DescribeRiskConfigurationResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let key = match input.client_id.as_deref() {
            None => String::new(),
            Some(id) if pool.clients.contains_key(id) => id.to_owned(),
            Some(id) => return Err(super::client_not_found(id)),
        };
        Ok(DescribeRiskConfigurationResponse {
            risk_configuration: risk_view(pool, &key)?,
        })
    }

    pub(super) fn set_log_delivery_configuration(
        &mut self,
        input: SetLogDeliveryConfigurationRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<SetLogDeliveryConfigurationResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        let mut sources = Vec::new();
        for c in &input.log_configurations {
            // Each source logs at its one level, to one destination.
            let level = match c.event_source {
                EventSourceName::UserNotification => LogLevel::Error,
                EventSourceName::UserAuthEvents => LogLevel::Info,
            };
            if c.log_level != level {
                return Err(ApiError::invalid_parameter(format!(
                    "LogLevel {} is not supported for EventSource {}: use {}",
                    c.log_level.as_str(),
                    c.event_source.as_str(),
                    level.as_str()
                )));
            }
            let destinations = [
                c.cloud_watch_logs_configuration.is_some(),
                c.s3_configuration.is_some(),
                c.firehose_configuration.is_some(),
            ];
            if destinations.iter().filter(|d| **d).count() != 1 {
                return Err(ApiError::invalid_parameter(
                    "Each log configuration needs exactly one of CloudWatchLogsConfiguration, S3Configuration and FirehoseConfiguration",
                ));
            }
            if sources.contains(&c.event_source) {
                return Err(ApiError::invalid_parameter(format!(
                    "EventSource {} is configured more than once",
                    c.event_source.as_str()
                )));
            }
            sources.push(c.event_source);
        }
        pool.customizations.log_delivery = Some(
            serde_json::to_value(&input.log_configurations)
                .map_err(|e| ApiError::new("InternalErrorException", e.to_string()))?,
        );
        pool.modified = ctx.clock.unix();
        Ok(SetLogDeliveryConfigurationResponse {
            log_delivery_configuration: Some(log_delivery_view(pool)?),
        })
    }

    pub(super) fn get_log_delivery_configuration(
        &self,
        input: GetLogDeliveryConfigurationRequest,
    ) -> ApiResult<GetLogDeliveryConfigurationResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        Ok(GetLogDeliveryConfigurationResponse {
            log_delivery_configuration: Some(log_delivery_view(pool)?),
        })
    }

    /// The logo at a UI customization's ImageUrl.
    pub fn ui_logo(&self, pool_id: &str, key: &str) -> Option<Vec<u8>> {
        self.pools.get(pool_id)?.ui_logo(key).map(<[u8]>::to_vec)
    }
}

/// The pool's log delivery configuration, read back as it was set.
fn log_delivery_view(pool: &Pool) -> ApiResult<LogDeliveryConfigurationType> {
    let log_configurations = match &pool.customizations.log_delivery {
        Some(stored) => {
            let request = serde_json::json!({
                "UserPoolId": pool.id,
                "LogConfigurations": stored,
            });
            <SetLogDeliveryConfiguration as Operation>::parse_input(&request)?.log_configurations
        }
        None => Vec::new(),
    };
    Ok(LogDeliveryConfigurationType {
        user_pool_id: pool.id.clone(),
        log_configurations,
    })
}

/// A risk configuration as DescribeRiskConfiguration shows it: exactly
/// what was set for the pool or client (nothing merged in).
fn risk_view(pool: &Pool, key: &str) -> ApiResult<RiskConfigurationType> {
    let mut view = RiskConfigurationType {
        user_pool_id: Some(pool.id.clone()),
        client_id: (!key.is_empty()).then(|| key.to_owned()),
        ..RiskConfigurationType::default()
    };
    if let Some((stored, modified)) = pool.customizations.risk.get(key) {
        let mut request = stored.clone();
        if let Some(object) = request.as_object_mut() {
            object.insert("UserPoolId".to_owned(), Value::from(pool.id.clone()));
        }
        let set = <SetRiskConfiguration as Operation>::parse_input(&request)?;
        view.account_takeover_risk_configuration = set.account_takeover_risk_configuration;
        view.compromised_credentials_risk_configuration =
            set.compromised_credentials_risk_configuration;
        view.risk_exception_configuration = set.risk_exception_configuration;
        view.last_modified_date = Some(Timestamp::from_secs(*modified));
    }
    Ok(view)
}
