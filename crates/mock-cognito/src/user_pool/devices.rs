//! Remembered devices: ConfirmDevice, Get/List/UpdateDeviceStatus/
//! ForgetDevice and their Admin variants, and what sign-in does with them.
//!
//! With the pool's `DeviceConfiguration` set, an API sign-in that names no
//! device answers `NewDeviceMetadata` (a device key and the user's device
//! group key) and its tokens carry `device_key`. The client makes a device
//! secret and hands its SRP verifier to ConfirmDevice; the device is then
//! tracked, remembered unless `DeviceOnlyRememberedOnUserPrompt` asks the
//! user first. A later sign-in naming the device (`DEVICE_KEY`) proves it
//! after the password with `DEVICE_SRP_AUTH` / `DEVICE_PASSWORD_VERIFIER`
//! (SRP with the group key as pool name, the device key as user id); a
//! remembered device then skips the second factor. Forgetting a device
//! ends the sessions signed in on it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Context, Pool, User, UserPools, user_not_found};
use crate::error::{ApiError, ApiResult};
use crate::paging::paginate;
use crate::shapes::cognito_idp::{
    AdminForgetDeviceRequest, AdminGetDeviceRequest, AdminGetDeviceResponse,
    AdminListDevicesRequest, AdminListDevicesResponse, AdminUpdateDeviceStatusRequest,
    AttributeType, ConfirmDeviceRequest, ConfirmDeviceResponse, DeviceRememberedStatusType,
    DeviceType, ForgetDeviceRequest, GetDeviceRequest, GetDeviceResponse, ListDevicesRequest,
    ListDevicesResponse, NewDeviceMetadataType, UpdateDeviceStatusRequest,
};
use crate::shapes::{Empty, Timestamp};
use cognito_srp::{PoolName, Verifier};

/// Issued devices not yet confirmed that a user keeps (the oldest go).
const MAX_UNCONFIRMED: usize = 10;
/// Devices a listing page holds at most (the model's Limit is 0–60).
const MAX_PAGE: usize = 60;

/// One device of a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Device {
    name: Option<String>,
    /// ConfirmDevice's SRP verifier, (salt, v) as hex; None until then.
    verifier: Option<(String, String)>,
    remembered: bool,
    created: i64,
    modified: i64,
    last_authenticated: Option<i64>,
}

/// A user's devices and device group key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct UserDevices {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    group_key: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    devices: BTreeMap<String, Device>,
}

/// What a sign-in proves with a device: its key, the group key (the SRP
/// pool name) and its verifier.
#[derive(Debug, Clone)]
pub(super) struct DeviceProof {
    pub(super) device_key: String,
    pub(super) pool_name: PoolName,
    pub(super) verifier: Verifier,
}

fn device_not_found() -> ApiError {
    ApiError::resource_not_found("Device does not exist.")
}

impl UserDevices {
    pub(super) fn is_default(&self) -> bool {
        self.group_key.is_none() && self.devices.is_empty()
    }

    /// A confirmed device of the user.
    fn confirmed(&self, key: &str) -> Option<&Device> {
        self.devices.get(key).filter(|d| d.verifier.is_some())
    }

    /// What proving `key` in a sign-in needs; ResourceNotFoundException
    /// ("Device does not exist.", which clients look for) if it is not a
    /// confirmed device of this user.
    pub(super) fn proof(&self, key: &str) -> ApiResult<DeviceProof> {
        let device = self.confirmed(key).ok_or_else(device_not_found)?;
        let group = self.group_key.as_deref().ok_or_else(device_not_found)?;
        let (salt, v) = device.verifier.as_ref().ok_or_else(device_not_found)?;
        Ok(DeviceProof {
            device_key: key.to_owned(),
            pool_name: PoolName::from_device_group_key(group).map_err(|_| device_not_found())?,
            verifier: Verifier::from_hex(salt, v).map_err(|_| device_not_found())?,
        })
    }

    /// Whether a proven device skips the second factor.
    pub(super) fn is_remembered(&self, key: &str) -> bool {
        self.confirmed(key).is_some_and(|d| d.remembered)
    }

    pub(super) fn authenticated(&mut self, key: &str, now: i64) {
        if let Some(d) = self.devices.get_mut(key) {
            d.last_authenticated = Some(now);
        }
    }

    /// Issues a new device for a sign-in: its NewDeviceMetadata.
    pub(super) fn issue(&mut self, region: &str, ctx: &Context<'_>) -> NewDeviceMetadataType {
        let group = self
            .group_key
            .get_or_insert_with(|| format!("-{}", ctx.rng.hex(8)))
            .clone();
        let key = format!("{region}_{}", ctx.rng.uuid());
        let now = ctx.clock.unix();
        let unconfirmed: Vec<(i64, String)> = self
            .devices
            .iter()
            .filter(|(_, d)| d.verifier.is_none())
            .map(|(k, d)| (d.created, k.clone()))
            .collect();
        if unconfirmed.len() >= MAX_UNCONFIRMED
            && let Some((_, oldest)) = unconfirmed.iter().min()
        {
            self.devices.remove(oldest);
        }
        self.devices.insert(
            key.clone(),
            Device {
                name: None,
                verifier: None,
                remembered: false,
                created: now,
                modified: now,
                last_authenticated: Some(now),
            },
        );
        NewDeviceMetadataType {
            device_group_key: Some(group),
            device_key: Some(key),
        }
    }

    fn describe(key: &str, d: &Device) -> DeviceType {
        let attribute = |name: &str, value: &str| AttributeType {
            name: name.to_owned(),
            value: Some(value.to_owned()),
        };
        let mut attributes = vec![attribute("device_status", "valid")];
        if let Some(name) = &d.name {
            attributes.push(attribute("device_name", name));
        }
        attributes.push(attribute(
            "dev:device_remembered_status",
            if d.remembered {
                "remembered"
            } else {
                "not_remembered"
            },
        ));
        DeviceType {
            device_attributes: Some(attributes),
            device_create_date: Some(Timestamp::from_secs(d.created)),
            device_key: Some(key.to_owned()),
            device_last_authenticated_date: d.last_authenticated.map(Timestamp::from_secs),
            device_last_modified_date: Some(Timestamp::from_secs(d.modified)),
        }
    }

    fn get(&self, key: &str) -> ApiResult<DeviceType> {
        let device = self.confirmed(key).ok_or_else(device_not_found)?;
        Ok(Self::describe(key, device))
    }

    fn list(
        &self,
        limit: Option<i32>,
        token: Option<&str>,
    ) -> ApiResult<(Vec<DeviceType>, Option<String>)> {
        let mut all: Vec<(&String, &Device)> = self
            .devices
            .iter()
            .filter(|(_, d)| d.verifier.is_some())
            .collect();
        all.sort_by_key(|(k, d)| (d.created, (*k).clone()));
        let all: Vec<DeviceType> = all.into_iter().map(|(k, d)| Self::describe(k, d)).collect();
        let limit = limit
            .filter(|n| *n > 0)
            .map_or(MAX_PAGE, |n| (n as usize).min(MAX_PAGE));
        paginate(all, limit, token)
    }

    fn set_status(
        &mut self,
        key: &str,
        status: Option<DeviceRememberedStatusType>,
        now: i64,
    ) -> ApiResult<()> {
        let device = self
            .devices
            .get_mut(key)
            .filter(|d| d.verifier.is_some())
            .ok_or_else(device_not_found)?;
        device.remembered = status == Some(DeviceRememberedStatusType::Remembered);
        device.modified = now;
        Ok(())
    }

    fn forget(&mut self, key: &str) -> ApiResult<()> {
        self.devices
            .remove(key)
            .filter(|d| d.verifier.is_some())
            .map(|_| ())
            .ok_or_else(device_not_found)
    }
}

impl Pool {
    /// Whether sign-ins issue devices (the pool's DeviceConfiguration).
    pub(super) fn tracks_devices(&self) -> bool {
        self.settings.device_configuration.is_some()
    }

    fn devices_remembered_on_prompt(&self) -> bool {
        self.settings
            .device_configuration
            .as_ref()
            .and_then(|c| c.device_only_remembered_on_user_prompt)
            .unwrap_or(false)
    }

    /// Forgets a device and ends the sessions signed in on it.
    fn forget_device(&mut self, username: &str, key: &str) -> ApiResult<()> {
        let user = self.users.get_mut(username).ok_or_else(user_not_found)?;
        user.devices.forget(key)?;
        self.end_device_sessions(username, key);
        Ok(())
    }
}

impl UserPools {
    fn device_owner(
        &self,
        access_token: Option<&str>,
        ctx: &Context<'_>,
    ) -> ApiResult<(String, String)> {
        let token = access_token.ok_or_else(|| {
            ApiError::invalid_parameter("AccessToken is required to name the device's user")
        })?;
        self.check_access_token(token, ctx)
    }

    fn devices_of(&self, pool_id: &str, username: &str) -> ApiResult<&UserDevices> {
        let pool = self.pool(pool_id)?;
        Ok(&pool.user(username)?.devices)
    }

    fn admin_user_mut(&mut self, pool_id: &str, name: &str) -> ApiResult<&mut User> {
        self.pool_mut(pool_id)?.user_mut(name)
    }

    pub(super) fn confirm_device(
        &mut self,
        input: ConfirmDeviceRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<ConfirmDeviceResponse> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        let config = input
            .device_secret_verifier_config
            .ok_or_else(|| ApiError::invalid_parameter("DeviceSecretVerifierConfig is required"))?;
        let (Some(salt), Some(v)) = (config.salt, config.password_verifier) else {
            return Err(ApiError::invalid_parameter(
                "DeviceSecretVerifierConfig needs Salt and PasswordVerifier",
            ));
        };
        let verifier = Verifier::from_device_config(&salt, &v).map_err(|e| {
            ApiError::invalid_parameter(format!("DeviceSecretVerifierConfig is not valid: {e}"))
        })?;
        let now = ctx.clock.unix();
        let pool = self.pool_mut(&pool_id)?;
        let on_prompt = pool.devices_remembered_on_prompt();
        let user = pool.users.get_mut(&username).ok_or_else(user_not_found)?;
        let device = user
            .devices
            .devices
            .get_mut(&input.device_key)
            .ok_or_else(device_not_found)?;
        device.verifier = Some((verifier.salt_hex(), verifier.verifier_hex()));
        device.name = input.device_name;
        device.remembered = !on_prompt;
        device.modified = now;
        Ok(ConfirmDeviceResponse {
            user_confirmation_necessary: Some(on_prompt),
        })
    }

    pub(super) fn get_device(
        &self,
        input: GetDeviceRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<GetDeviceResponse> {
        let (pool_id, username) = self.device_owner(input.access_token.as_deref(), ctx)?;
        let device = self
            .devices_of(&pool_id, &username)?
            .get(&input.device_key)?;
        Ok(GetDeviceResponse { device })
    }

    pub(super) fn admin_get_device(
        &self,
        input: AdminGetDeviceRequest,
    ) -> ApiResult<AdminGetDeviceResponse> {
        let device = self
            .devices_of(&input.user_pool_id, &input.username)?
            .get(&input.device_key)?;
        Ok(AdminGetDeviceResponse { device })
    }

    pub(super) fn list_devices(
        &self,
        input: ListDevicesRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<ListDevicesResponse> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        let (devices, pagination_token) = self
            .devices_of(&pool_id, &username)?
            .list(input.limit, input.pagination_token.as_deref())?;
        Ok(ListDevicesResponse {
            devices: Some(devices),
            pagination_token,
        })
    }

    pub(super) fn admin_list_devices(
        &self,
        input: AdminListDevicesRequest,
    ) -> ApiResult<AdminListDevicesResponse> {
        let (devices, pagination_token) = self
            .devices_of(&input.user_pool_id, &input.username)?
            .list(input.limit, input.pagination_token.as_deref())?;
        Ok(AdminListDevicesResponse {
            devices: Some(devices),
            pagination_token,
        })
    }

    pub(super) fn update_device_status(
        &mut self,
        input: UpdateDeviceStatusRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        let now = ctx.clock.unix();
        self.admin_user_mut(&pool_id, &username)?
            .devices
            .set_status(&input.device_key, input.device_remembered_status, now)?;
        Ok(Empty {})
    }

    pub(super) fn admin_update_device_status(
        &mut self,
        input: AdminUpdateDeviceStatusRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let now = ctx.clock.unix();
        self.admin_user_mut(&input.user_pool_id, &input.username)?
            .devices
            .set_status(&input.device_key, input.device_remembered_status, now)?;
        Ok(Empty {})
    }

    pub(super) fn forget_device(
        &mut self,
        input: ForgetDeviceRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let (pool_id, username) = self.device_owner(input.access_token.as_deref(), ctx)?;
        self.pool_mut(&pool_id)?
            .forget_device(&username, &input.device_key)?;
        Ok(Empty {})
    }

    pub(super) fn admin_forget_device(
        &mut self,
        input: AdminForgetDeviceRequest,
    ) -> ApiResult<Empty> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        let username = pool.user(&input.username)?.username.clone();
        pool.forget_device(&username, &input.device_key)?;
        Ok(Empty {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unconfirmed_devices_are_neither_listed_nor_provable() {
        let mut devices = UserDevices {
            group_key: Some("-group".to_owned()),
            ..Default::default()
        };
        devices.devices.insert(
            "us-east-1_a".to_owned(),
            Device {
                name: None,
                verifier: None,
                remembered: false,
                created: 1,
                modified: 1,
                last_authenticated: None,
            },
        );
        assert!(devices.list(None, None).unwrap().0.is_empty());
        assert_eq!(
            devices.proof("us-east-1_a").unwrap_err().code,
            "ResourceNotFoundException"
        );
        assert!(devices.forget("us-east-1_a").is_err());
    }
}
