//! Passkey registration: StartWebAuthnRegistration,
//! CompleteWebAuthnRegistration, ListWebAuthnCredentials and
//! DeleteWebAuthnCredential, with the registration verified as a WebAuthn
//! relying party verifies it (W3C WebAuthn Level 2, §7.1).
//!
//! Passkeys are enabled when the pool's sign-in policy allows WEB_AUTHN as
//! a first factor, or its WebAuthn configuration makes passkeys an MFA
//! factor. The relying party is the configured `RelyingPartyId`, else the
//! pool's domain (`<prefix>.auth.<region>.amazoncognito.com`, or the custom
//! domain). Start hands out creation options with a fresh challenge, bound
//! to the user and the app client of the access token; Complete checks
//! `clientDataJSON` (type, challenge, origin on the relying party's host)
//! and the attestation object: the RP id hash, user presence (and user
//! verification when required), the attested credential and its COSE key
//! (ES256, RS256 or EdDSA), and the attestation statement (`none`, or
//! `packed` self-attestation, whose signature is checked with the new key).
//! Attestation certificates are not checked: the options ask for `none`.
//!
//! Sign-in with a passkey (choice-based sign-in's WEB_AUTHN challenge) is
//! verified as WebAuthn §7.2 says: the credential is one of the user's,
//! `clientDataJSON` is a `webauthn.get` over the challenge from an origin
//! on the relying party, the authenticator data's RP id hash, user
//! presence (and verification when required) and signature counter hold,
//! and the signature over the authenticator data and the client data's
//! hash verifies with the stored public key.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ciborium::Value as Cbor;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{Context, Pool, UserPools, user_not_found};
use crate::error::{ApiError, ApiResult};
use crate::paging::paginate;
use crate::shapes::cognito_idp::{
    AuthFactorType, CompleteWebAuthnRegistrationRequest, DeleteWebAuthnCredentialRequest,
    ListWebAuthnCredentialsRequest, ListWebAuthnCredentialsResponse,
    StartWebAuthnRegistrationRequest, StartWebAuthnRegistrationResponse, UserVerificationType,
    WebAuthnCredentialDescription, WebAuthnFactorConfigurationType,
};
use crate::shapes::{Empty, Timestamp};

/// How long a registration's challenge stays answerable.
const CHALLENGE_SECS: i64 = 300;
/// Passkeys a user may register, as on AWS.
const MAX_CREDENTIALS: usize = 20;
/// COSE algorithm ids (RFC 9053, RFC 8812).
const ES256: i64 = -7;
const EDDSA: i64 = -8;
const RS256: i64 = -257;

/// A registered passkey (stored with the user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Passkey {
    /// The credential id, base64url.
    id: String,
    /// Its COSE public key, base64.
    public_key: String,
    algorithm: i64,
    sign_count: u32,
    relying_party: String,
    name: String,
    attachment: Option<String>,
    transports: Vec<String>,
    created: i64,
}

impl Passkey {
    /// Records a verified sign-in's signature counter.
    pub(super) fn counted(&mut self, count: u32) {
        self.sign_count = count;
    }
}

/// A registration waiting for its completion.
#[derive(Debug, Clone)]
pub(super) struct PendingRegistration {
    pool_id: String,
    username: String,
    client_id: String,
    challenge: String,
    relying_party: String,
    user_verification: bool,
}

/// A WEB_AUTHN sign-in challenge waiting for its assertion.
#[derive(Debug, Clone)]
pub(super) struct PendingAssertion {
    challenge: String,
    relying_party: String,
    user_verification: bool,
    /// The user handle the passkeys were registered with.
    user_handle: String,
}

fn refused(code: &'static str, why: impl Into<String>) -> ApiError {
    ApiError::new(code, why.into())
}

fn credential_error(why: impl Into<String>) -> ApiError {
    refused("WebAuthnCredentialNotSupportedException", why)
}

impl Pool {
    fn passkeys_enabled(&self) -> bool {
        let first = self
            .allowed_first_factors()
            .contains(&AuthFactorType::WebAuthn);
        let mfa = self.mfa.web_authn().is_some_and(|w| {
            w.factor_configuration
                == Some(WebAuthnFactorConfigurationType::MultiFactorWithUserVerification)
        });
        first || mfa
    }

    /// The relying party id: configured, else the pool's domain.
    fn relying_party(&self) -> ApiResult<String> {
        if let Some(id) = self
            .mfa
            .web_authn()
            .and_then(|w| w.relying_party_id.clone())
        {
            return Ok(id);
        }
        match &self.domain {
            Some(custom) if custom.contains('.') => Ok(custom.clone()),
            Some(prefix) => Ok(format!("{prefix}.auth.{}.amazoncognito.com", self.region)),
            None => Err(refused(
                "WebAuthnConfigurationMissingException",
                "The user pool has neither a WebAuthn relying party id nor a domain",
            )),
        }
    }

    fn requires_user_verification(&self) -> bool {
        self.mfa
            .web_authn()
            .and_then(|w| w.user_verification)
            .is_some_and(|v| v == UserVerificationType::Required)
    }

    /// WEB_AUTHN's CREDENTIAL_REQUEST_OPTIONS for `user` (None: a decoy
    /// for an unknown user, which no passkey answers), and what the
    /// answer is checked against.
    pub(super) fn assertion_request(
        &self,
        user: Option<&super::User>,
        rng: &crate::ids::Randomness,
    ) -> ApiResult<(PendingAssertion, String)> {
        let relying_party = self.relying_party()?;
        let user_verification = self.requires_user_verification();
        let challenge = URL_SAFE_NO_PAD.encode(rng.bytes(32));
        let allow: Vec<Value> = user
            .map(|u| u.passkeys.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|p| json!({ "type": "public-key", "id": p.id, "transports": p.transports }))
            .collect();
        let options = json!({
            "challenge": challenge,
            "rpId": relying_party,
            "timeout": super::auth::CHALLENGE_LIFETIME_SECS * 1000,
            "allowCredentials": allow,
            "userVerification": if user_verification { "required" } else { "preferred" },
        });
        let pending = PendingAssertion {
            challenge,
            relying_party,
            user_verification,
            user_handle: user
                .map(|u| URL_SAFE_NO_PAD.encode(u.sub.as_bytes()))
                .unwrap_or_default(),
        };
        Ok((pending, options.to_string()))
    }
}

/// Whether `origin` may register for `rp_id`: https on the relying party's
/// host or a subdomain of it (http only for localhost, as browsers allow).
fn origin_allowed(origin: &str, rp_id: &str) -> bool {
    let (secure, rest) = match origin.split_once("://") {
        Some(("https", rest)) => (true, rest),
        Some(("http", rest)) => (false, rest),
        _ => return false,
    };
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    let on_rp = host == rp_id || host.ends_with(&format!(".{rp_id}"));
    on_rp && (secure || host == "localhost")
}

fn b64url(what: &str, value: &Value) -> ApiResult<Vec<u8>> {
    let text = value
        .as_str()
        .ok_or_else(|| ApiError::invalid_parameter(format!("Credential: {what} is missing")))?;
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| ApiError::invalid_parameter(format!("Credential: {what} is not base64url")))
}

/// The parts of authenticator data a registration needs (WebAuthn §6.1).
#[derive(Debug)]
struct AuthenticatorData<'a> {
    rp_id_hash: &'a [u8],
    flags: u8,
    sign_count: u32,
    credential_id: &'a [u8],
    public_key: Cbor,
    public_key_bytes: &'a [u8],
}

fn parse_authenticator_data(data: &[u8]) -> Result<AuthenticatorData<'_>, String> {
    if data.len() < 37 + 18 {
        return Err("the authenticator data is too short to hold a credential".to_owned());
    }
    let flags = data[32];
    if flags & 0x40 == 0 {
        return Err("the authenticator data holds no attested credential".to_owned());
    }
    let sign_count = u32::from_be_bytes([data[33], data[34], data[35], data[36]]);
    let id_len = usize::from(u16::from_be_bytes([data[53], data[54]]));
    let key_start = 55 + id_len;
    if data.len() <= key_start {
        return Err("the credential id runs past the authenticator data".to_owned());
    }
    let mut reader = &data[key_start..];
    let before = reader.len();
    let public_key: Cbor = ciborium::from_reader(&mut reader)
        .map_err(|e| format!("the credential public key is not CBOR: {e}"))?;
    let key_len = before - reader.len();
    Ok(AuthenticatorData {
        rp_id_hash: &data[..32],
        flags,
        sign_count,
        credential_id: &data[55..key_start],
        public_key,
        public_key_bytes: &data[key_start..key_start + key_len],
    })
}

fn map_get(map: &[(Cbor, Cbor)], key: i64) -> Option<&Cbor> {
    map.iter()
        .find(|(k, _)| k.as_integer().and_then(|i| i64::try_from(i).ok()) == Some(key))
        .map(|(_, v)| v)
}

fn text_get<'a>(map: &'a [(Cbor, Cbor)], key: &str) -> Option<&'a Cbor> {
    map.iter()
        .find(|(k, _)| k.as_text() == Some(key))
        .map(|(_, v)| v)
}

/// A credential's public key, from its COSE form.
enum PublicKey {
    /// ES256: the uncompressed P-256 point.
    P256(Vec<u8>),
    /// EdDSA over Ed25519.
    Ed25519(Vec<u8>),
    /// RS256: modulus and exponent.
    Rsa { n: Vec<u8>, e: Vec<u8> },
}

impl PublicKey {
    /// The COSE algorithm id.
    fn algorithm(&self) -> i64 {
        match self {
            PublicKey::P256(_) => ES256,
            PublicKey::Ed25519(_) => EDDSA,
            PublicKey::Rsa { .. } => RS256,
        }
    }

    fn verifies(&self, message: &[u8], sig: &[u8]) -> bool {
        use aws_lc_rs::signature;
        match self {
            PublicKey::P256(point) => {
                signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, point)
                    .verify(message, sig)
                    .is_ok()
            }
            PublicKey::Ed25519(x) => signature::UnparsedPublicKey::new(&signature::ED25519, x)
                .verify(message, sig)
                .is_ok(),
            PublicKey::Rsa { n, e } => signature::RsaPublicKeyComponents { n, e }
                .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
                .is_ok(),
        }
    }
}

fn cose_key(key: &Cbor) -> Result<PublicKey, String> {
    let map = key.as_map().ok_or("the COSE key is not a map")?;
    let int = |k: i64| {
        map_get(map, k)
            .and_then(|v| v.as_integer())
            .and_then(|i| i64::try_from(i).ok())
    };
    let bytes = |k: i64| map_get(map, k).and_then(|v| v.as_bytes()).cloned();
    let algorithm = int(3).ok_or("the COSE key names no algorithm")?;
    match (int(1), algorithm) {
        // EC2, P-256.
        (Some(2), ES256) if int(-1) == Some(1) => {
            let (x, y) = (bytes(-2).ok_or("no x")?, bytes(-3).ok_or("no y")?);
            if x.len() != 32 || y.len() != 32 {
                return Err("a P-256 key's coordinates are 32 bytes".to_owned());
            }
            Ok(PublicKey::P256([&[4u8][..], &x, &y].concat()))
        }
        // OKP, Ed25519.
        (Some(1), EDDSA) if int(-1) == Some(6) => Ok(PublicKey::Ed25519(bytes(-2).ok_or("no x")?)),
        // RSA.
        (Some(3), RS256) => Ok(PublicKey::Rsa {
            n: bytes(-1).ok_or("no n")?,
            e: bytes(-2).ok_or("no e")?,
        }),
        (kty, alg) => Err(format!(
            "key type {kty:?} with algorithm {alg} is not one the user pool accepts (ES256, EdDSA, RS256)"
        )),
    }
}

/// The client data every WebAuthn response carries (§5.8.1): parsed, and
/// checked for its type, the challenge and an origin on `rp_id`.
fn check_client_data(
    response: &Map<String, Value>,
    kind: &str,
    challenge: &str,
    rp_id: &str,
) -> ApiResult<Vec<u8>> {
    let json = b64url(
        "clientDataJSON",
        response.get("clientDataJSON").unwrap_or(&Value::Null),
    )?;
    let client_data: Value = serde_json::from_slice(&json)
        .map_err(|_| ApiError::invalid_parameter("Credential: clientDataJSON is not JSON"))?;
    if client_data["type"] != kind {
        return Err(credential_error(format!(
            "clientDataJSON.type is not {kind}"
        )));
    }
    if client_data["challenge"].as_str() != Some(challenge) {
        return Err(refused(
            "WebAuthnChallengeNotFoundException",
            "The credential answers no open challenge",
        ));
    }
    let origin = client_data["origin"].as_str().unwrap_or_default();
    if !origin_allowed(origin, rp_id) {
        return Err(refused(
            "WebAuthnOriginNotAllowedException",
            format!("Origin {origin} is not on the relying party {rp_id}"),
        ));
    }
    Ok(json)
}

/// The credential's `response` object, after checking its type.
fn credential_response(credential: &Map<String, Value>) -> ApiResult<&Map<String, Value>> {
    if credential.get("type").and_then(Value::as_str) != Some("public-key") {
        return Err(ApiError::invalid_parameter(
            "Credential: type must be public-key",
        ));
    }
    credential
        .get("response")
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::invalid_parameter("Credential: response is missing"))
}

/// An assertion's authenticator data (§6.1): RP id hash, flags and
/// signature counter, the 37 bytes every assertion starts with.
fn assertion_data(data: &[u8]) -> ApiResult<(&[u8], u8, u32)> {
    if data.len() < 37 {
        return Err(credential_error("the authenticator data is too short"));
    }
    let count = u32::from_be_bytes([data[33], data[34], data[35], data[36]]);
    Ok((&data[..32], data[32], count))
}

impl PendingAssertion {
    /// Verifies an authentication response (`CREDENTIAL`, §7.2) against
    /// this challenge and the user's passkeys: the passkey used and its
    /// new signature counter. Any failure to prove the user is
    /// NotAuthorizedException, as a wrong password is.
    pub(super) fn verify(
        &self,
        passkeys: &[Passkey],
        credential: &Map<String, Value>,
    ) -> ApiResult<(usize, u32)> {
        let response = credential_response(credential)?;
        let raw_id = b64url("rawId", credential.get("rawId").unwrap_or(&Value::Null))?;
        let id = URL_SAFE_NO_PAD.encode(&raw_id);
        let index = passkeys.iter().position(|p| p.id == id).ok_or_else(|| {
            ApiError::not_authorized("The passkey is not registered for the user.")
        })?;
        let passkey = &passkeys[index];
        let client_data_json = check_client_data(
            response,
            "webauthn.get",
            &self.challenge,
            &self.relying_party,
        )?;
        if passkey.relying_party != self.relying_party {
            return Err(refused(
                "WebAuthnRelyingPartyMismatchException",
                format!(
                    "The passkey was registered for {}, not {}",
                    passkey.relying_party, self.relying_party
                ),
            ));
        }
        let auth_data = b64url(
            "authenticatorData",
            response.get("authenticatorData").unwrap_or(&Value::Null),
        )?;
        let (rp_id_hash, flags, count) = assertion_data(&auth_data)?;
        if rp_id_hash != sha256(self.relying_party.as_bytes()).as_slice() {
            return Err(refused(
                "WebAuthnRelyingPartyMismatchException",
                format!(
                    "The assertion is not for the relying party {}",
                    self.relying_party
                ),
            ));
        }
        if flags & 0x01 == 0 {
            return Err(ApiError::not_authorized(
                "The authenticator did not test user presence.",
            ));
        }
        if self.user_verification && flags & 0x04 == 0 {
            return Err(ApiError::not_authorized(
                "The user pool requires user verification and the authenticator did not verify the user.",
            ));
        }
        if let Some(handle) = response.get("userHandle").filter(|h| !h.is_null()) {
            let handle = b64url("userHandle", handle)?;
            if URL_SAFE_NO_PAD.encode(handle) != self.user_handle {
                return Err(ApiError::not_authorized(
                    "The passkey belongs to another user.",
                ));
            }
        }
        let signature = b64url(
            "signature",
            response.get("signature").unwrap_or(&Value::Null),
        )?;
        let key_bytes = STANDARD
            .decode(&passkey.public_key)
            .map_err(|_| credential_error("the stored public key is unreadable"))?;
        let key: Cbor = ciborium::from_reader(key_bytes.as_slice())
            .map_err(|_| credential_error("the stored public key is unreadable"))?;
        let key = cose_key(&key).map_err(credential_error)?;
        let signed = [auth_data.as_slice(), &sha256(&client_data_json)].concat();
        if !key.verifies(&signed, &signature) {
            return Err(ApiError::not_authorized(
                "The passkey's signature does not verify.",
            ));
        }
        // A counter that does not grow means a cloned authenticator
        // (§7.2 step 21); authenticators without one always send 0.
        if (count != 0 || passkey.sign_count != 0) && count <= passkey.sign_count {
            return Err(ApiError::not_authorized(
                "The passkey's signature counter went backwards: the authenticator may be cloned.",
            ));
        }
        Ok((index, count))
    }
}

fn sha256(data: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

impl PendingRegistration {
    /// Verifies a registration response (`Credential`) against this
    /// registration: the new passkey.
    fn verify(&self, credential: &Map<String, Value>, now: i64) -> ApiResult<Passkey> {
        let response = credential_response(credential)?;
        let raw_id = b64url("rawId", credential.get("rawId").unwrap_or(&Value::Null))?;
        let client_data_json = check_client_data(
            response,
            "webauthn.create",
            &self.challenge,
            &self.relying_party,
        )?;
        let attestation = b64url(
            "attestationObject",
            response.get("attestationObject").unwrap_or(&Value::Null),
        )?;
        let attestation: Cbor = ciborium::from_reader(attestation.as_slice())
            .map_err(|_| credential_error("the attestation object is not CBOR"))?;
        let attestation = attestation
            .as_map()
            .ok_or_else(|| credential_error("the attestation object is not a map"))?;
        let auth_data = text_get(attestation, "authData")
            .and_then(Cbor::as_bytes)
            .ok_or_else(|| credential_error("the attestation object has no authData"))?;
        let data = parse_authenticator_data(auth_data).map_err(credential_error)?;
        if data.rp_id_hash != sha256(self.relying_party.as_bytes()).as_slice() {
            return Err(refused(
                "WebAuthnRelyingPartyMismatchException",
                format!(
                    "The credential is not for the relying party {}",
                    self.relying_party
                ),
            ));
        }
        if data.flags & 0x01 == 0 {
            return Err(credential_error(
                "the authenticator did not test user presence",
            ));
        }
        if self.user_verification && data.flags & 0x04 == 0 {
            return Err(credential_error(
                "the user pool requires user verification and the authenticator did not verify the user",
            ));
        }
        if data.credential_id != raw_id.as_slice() {
            return Err(credential_error("rawId is not the attested credential id"));
        }
        let key = cose_key(&data.public_key).map_err(credential_error)?;
        let statement = text_get(attestation, "attStmt").and_then(Cbor::as_map);
        match text_get(attestation, "fmt").and_then(Cbor::as_text) {
            Some("none") if statement.is_some_and(|s| s.is_empty()) => {}
            Some("packed") => {
                let statement = statement.ok_or_else(|| credential_error("packed: no attStmt"))?;
                if text_get(statement, "x5c").is_some() {
                    return Err(credential_error(
                        "attestation certificates are not checked here: register with attestation none",
                    ));
                }
                let alg = text_get(statement, "alg")
                    .and_then(Cbor::as_integer)
                    .and_then(|i| i64::try_from(i).ok());
                let sig = text_get(statement, "sig").and_then(Cbor::as_bytes);
                let signed = [auth_data.as_slice(), &sha256(&client_data_json)].concat();
                if alg != Some(key.algorithm()) || !sig.is_some_and(|s| key.verifies(&signed, s)) {
                    return Err(credential_error(
                        "the packed self-attestation signature does not verify",
                    ));
                }
            }
            other => {
                return Err(credential_error(format!(
                    "attestation format {} is not accepted",
                    other.unwrap_or("(none given)")
                )));
            }
        }
        let attachment = credential
            .get("authenticatorAttachment")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let transports = response
            .get("transports")
            .and_then(Value::as_array)
            .map(|t| {
                t.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Passkey {
            id: URL_SAFE_NO_PAD.encode(data.credential_id),
            public_key: STANDARD.encode(data.public_key_bytes),
            algorithm: key.algorithm(),
            sign_count: data.sign_count,
            relying_party: self.relying_party.clone(),
            name: match attachment.as_deref() {
                Some("platform") => "Platform passkey".to_owned(),
                Some("cross-platform") => "Security key".to_owned(),
                _ => "Passkey".to_owned(),
            },
            attachment,
            transports,
            created: now,
        })
    }
}

impl UserPools {
    pub(super) fn start_web_authn_registration(
        &mut self,
        input: StartWebAuthnRegistrationRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<StartWebAuthnRegistrationResponse> {
        let super::tokens::AccessCaller {
            pool_id,
            username,
            client_id,
            ..
        } = self.access_caller(&input.access_token, ctx)?;
        let pool = self.pool(&pool_id)?;
        if !pool.passkeys_enabled() {
            return Err(refused(
                "WebAuthnNotEnabledException",
                "Passkeys are not enabled for this user pool: allow WEB_AUTHN in its sign-in policy",
            ));
        }
        let relying_party = pool.relying_party()?;
        let user_verification = pool.requires_user_verification();
        let user = pool.users.get(&username).ok_or_else(user_not_found)?;
        if user.passkeys.len() >= MAX_CREDENTIALS {
            return Err(ApiError::new(
                "LimitExceededException",
                format!("A user can register at most {MAX_CREDENTIALS} passkeys"),
            ));
        }
        let challenge = URL_SAFE_NO_PAD.encode(ctx.rng.bytes(32));
        let display = user
            .attributes
            .get("name")
            .or_else(|| user.attributes.get("email"))
            .unwrap_or(&user.username)
            .clone();
        let options = json!({
            "challenge": challenge,
            "rp": { "id": relying_party, "name": relying_party },
            "user": {
                "id": URL_SAFE_NO_PAD.encode(user.sub.as_bytes()),
                "name": user.username,
                "displayName": display,
            },
            "pubKeyCredParams": [
                { "type": "public-key", "alg": ES256 },
                { "type": "public-key", "alg": RS256 },
                { "type": "public-key", "alg": EDDSA },
            ],
            "timeout": CHALLENGE_SECS * 1000,
            "excludeCredentials": user.passkeys.iter().map(|p| json!({
                "type": "public-key", "id": p.id, "transports": p.transports,
            })).collect::<Vec<_>>(),
            "authenticatorSelection": {
                "residentKey": "required",
                "requireResidentKey": true,
                "userVerification": if user_verification { "required" } else { "preferred" },
            },
            "attestation": "none",
        });
        let now = ctx.clock.unix();
        self.pending_passkeys.insert(
            (pool_id.clone(), username.clone()),
            PendingRegistration {
                pool_id,
                username,
                client_id,
                challenge,
                relying_party,
                user_verification,
            },
            now + CHALLENGE_SECS,
            now,
        );
        let Value::Object(options) = options else {
            unreachable!("a JSON object literal")
        };
        Ok(StartWebAuthnRegistrationResponse {
            credential_creation_options: options,
        })
    }

    pub(super) fn complete_web_authn_registration(
        &mut self,
        input: CompleteWebAuthnRegistrationRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let caller = self.access_caller(&input.access_token, ctx)?;
        let now = ctx.clock.unix();
        let key = (caller.pool_id, caller.username);
        let pending = self.pending_passkeys.get(&key, now).cloned().ok_or_else(|| {
            refused(
                "WebAuthnChallengeNotFoundException",
                "No passkey registration is open for this user (or it expired): call StartWebAuthnRegistration",
            )
        })?;
        if caller.client_id != pending.client_id {
            return Err(refused(
                "WebAuthnClientMismatchException",
                "The access token is for another app client than the one that started the registration",
            ));
        }
        let passkey = pending.verify(&input.credential, now)?;
        // The challenge is spent once a credential answers it.
        self.pending_passkeys.remove(&key, now);
        let pool = self.pool_mut(&pending.pool_id)?;
        let user = pool
            .users
            .get_mut(&pending.username)
            .ok_or_else(user_not_found)?;
        if user.passkeys.iter().any(|p| p.id == passkey.id) {
            return Err(ApiError::invalid_parameter(
                "This passkey is already registered for the user",
            ));
        }
        user.passkeys.push(passkey);
        user.modified = now;
        Ok(Empty {})
    }

    pub(super) fn list_web_authn_credentials(
        &self,
        input: ListWebAuthnCredentialsRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<ListWebAuthnCredentialsResponse> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        let user = self
            .pool(&pool_id)?
            .users
            .get(&username)
            .ok_or_else(user_not_found)?;
        let all: Vec<WebAuthnCredentialDescription> = user
            .passkeys
            .iter()
            .map(|p| WebAuthnCredentialDescription {
                authenticator_attachment: p.attachment.clone(),
                authenticator_transports: p.transports.clone(),
                created_at: Timestamp::from_secs(p.created),
                credential_id: p.id.clone(),
                friendly_credential_name: p.name.clone(),
                relying_party_id: p.relying_party.clone(),
            })
            .collect();
        let limit = input
            .max_results
            .filter(|n| *n > 0)
            .map_or(MAX_CREDENTIALS, |n| n as usize);
        let (credentials, next_token) = paginate(all, limit, input.next_token.as_deref())?;
        Ok(ListWebAuthnCredentialsResponse {
            credentials,
            next_token,
        })
    }

    pub(super) fn delete_web_authn_credential(
        &mut self,
        input: DeleteWebAuthnCredentialRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        let now = ctx.clock.unix();
        let user = self
            .pool_mut(&pool_id)?
            .users
            .get_mut(&username)
            .ok_or_else(user_not_found)?;
        let before = user.passkeys.len();
        user.passkeys.retain(|p| p.id != input.credential_id);
        if user.passkeys.len() == before {
            return Err(ApiError::resource_not_found(
                "Passkey credential not found.",
            ));
        }
        user.modified = now;
        Ok(Empty {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_be_on_the_relying_party() {
        let rp = "demo.auth.us-east-1.amazoncognito.com";
        assert!(origin_allowed(&format!("https://{rp}"), rp));
        assert!(origin_allowed("https://app.example.com", "example.com"));
        assert!(origin_allowed("http://localhost:5173", "localhost"));
        assert!(!origin_allowed(&format!("http://{rp}"), rp));
        assert!(!origin_allowed("https://evil.com", rp));
        assert!(!origin_allowed("https://notexample.com", "example.com"));
        assert!(!origin_allowed("nonsense", rp));
    }

    #[test]
    fn short_or_credentialless_authenticator_data_is_refused() {
        assert!(parse_authenticator_data(&[0u8; 40]).is_err());
        let mut no_credential = vec![0u8; 60];
        no_credential[32] = 0x01;
        assert!(parse_authenticator_data(&no_credential).is_err());
    }

    proptest::proptest! {
        /// Whatever bytes an authenticator (or an attacker) sends, the
        /// checks answer an error, never a panic, and never a passkey.
        #[test]
        fn arbitrary_registrations_are_refused_without_panicking(
            auth_data in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
            attestation in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
            client_data in ".{0,80}",
        ) {
            let _ = parse_authenticator_data(&auth_data);
            if let Ok(value) = ciborium::from_reader::<Cbor, _>(attestation.as_slice()) {
                let _ = cose_key(&value);
            }
            let pending = PendingRegistration {
                pool_id: "p".into(),
                username: "u".into(),
                client_id: "c".into(),
                challenge: "x".into(),
                relying_party: "example.com".into(),
                user_verification: false,
            };
            let credential = json!({
                "type": "public-key",
                "rawId": URL_SAFE_NO_PAD.encode(&auth_data),
                "response": {
                    "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data.as_bytes()),
                    "attestationObject": URL_SAFE_NO_PAD.encode(&attestation),
                },
            });
            let Value::Object(credential) = credential else { unreachable!() };
            proptest::prop_assert!(pending.verify(&credential, 0).is_err());
        }
    }

    #[test]
    fn unknown_key_types_are_refused() {
        let key = Cbor::Map(vec![
            (Cbor::Integer(1.into()), Cbor::Integer(2.into())),
            (Cbor::Integer(3.into()), Cbor::Integer((-35).into())),
        ]);
        assert!(cose_key(&key).is_err());
    }
}
