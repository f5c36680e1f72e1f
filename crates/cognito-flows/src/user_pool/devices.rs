//! Remembered devices: a sign-in on a pool that tracks devices gets a new
//! device (`NewDeviceMetadata`); the client confirms it with a verifier of
//! a random device password ([`UserPoolClient::remember_device`]) and
//! keeps the secret. Later sign-ins name the device, and the pool has it
//! proven with device SRP (DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER:
//! [`UserPoolClient::respond_device_srp`]); a remembered device may then
//! skip the second factor.

use std::collections::HashMap;

use cognito_srp::{CognitoTimestamp, DeviceSecret, SrpClient};

use super::{Challenge, SignInResult, UserPoolClient, UserPoolTokens};
use crate::error::FlowError;
use crate::transport::{
    ChallengeName, ConfirmDeviceRequest, RespondToAuthChallengeRequest, UserPoolApi,
};

impl<T: UserPoolApi> UserPoolClient<T> {
    /// Signs in on this remembered device: its key goes with the password
    /// and DEVICE_SRP_AUTH is answered with its secret.
    pub fn with_device(mut self, device: DeviceSecret) -> Self {
        self.device = Some(device);
        self
    }

    /// The device this client signs in on, if any.
    pub fn device(&self) -> Option<&DeviceSecret> {
        self.device.as_ref()
    }

    /// Confirms the device a sign-in was given (ConfirmDevice, with a
    /// verifier of a new random device password) and, when the pool leaves
    /// remembering to the user, remembers it (UpdateDeviceStatus). The
    /// secret to keep, or None when the sign-in got no new device.
    pub async fn remember_device(
        &self,
        tokens: &UserPoolTokens,
        device_name: Option<&str>,
    ) -> Result<Option<DeviceSecret>, FlowError> {
        let Some(new) = &tokens.new_device else {
            return Ok(None);
        };
        let secret = DeviceSecret::generate(
            &mut rand_core::UnwrapErr(getrandom::SysRng),
            &new.device_group_key,
            &new.device_key,
        )?;
        let config = secret.verifier_config();
        let necessary = self
            .transport
            .confirm_device(ConfirmDeviceRequest {
                access_token: tokens.access_token.clone(),
                device_key: new.device_key.clone(),
                device_name: device_name.map(str::to_owned),
                salt: config.salt,
                password_verifier: config.password_verifier,
            })
            .await?;
        if necessary {
            self.transport
                .update_device_status(&tokens.access_token, &new.device_key, true)
                .await?;
        }
        Ok(Some(secret))
    }

    /// Answers DEVICE_SRP_AUTH with this client's device: SRP_A, then the
    /// DEVICE_PASSWORD_VERIFIER proof made with the device password.
    pub async fn respond_device_srp(
        &self,
        challenge: &Challenge,
    ) -> Result<SignInResult, FlowError> {
        let device = self.device.as_ref().ok_or_else(|| {
            FlowError::invalid_input("DEVICE_SRP_AUTH needs the client's remembered device")
        })?;
        if challenge.name != ChallengeName::DeviceSrpAuth {
            return Err(FlowError::invalid_input(format!(
                "{} is not a DEVICE_SRP_AUTH challenge",
                challenge.name
            )));
        }
        let srp = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
        let responses = HashMap::from([
            ("USERNAME".to_owned(), challenge.username.clone()),
            ("DEVICE_KEY".to_owned(), device.device_key().to_owned()),
            ("SRP_A".to_owned(), srp.srp_a()),
        ]);
        let response = self.answer(challenge, responses).await?;
        if response.challenge_name != Some(ChallengeName::DevicePasswordVerifier) {
            return self.interpret(response, &challenge.username);
        }
        let username = response
            .challenge_parameters
            .get("USERNAME")
            .cloned()
            .unwrap_or_else(|| challenge.username.clone());
        let timestamp = CognitoTimestamp::from_system_time(self.clock.now())
            .ok_or_else(|| FlowError::invalid_input("the clock is before 1970"))?;
        let answer = device.answer_device_password_verifier(
            &srp,
            &response.challenge_parameters,
            &username,
            timestamp,
        )?;
        let response = self
            .transport
            .respond_to_auth_challenge(RespondToAuthChallengeRequest {
                client_id: self.client_id.clone(),
                challenge_name: ChallengeName::DevicePasswordVerifier,
                session: response.session,
                challenge_responses: self.with_secret_hash(answer, &username),
            })
            .await?;
        self.interpret(response, &username)
    }
}
