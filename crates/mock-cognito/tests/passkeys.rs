//! Passkey registration and sign-in (USER_AUTH's WEB_AUTHN) on the wire
//! (the Rust SDK's document type is awkward here, so JSON), with this test
//! as the authenticator: real P-256 and Ed25519 keys, authenticator data,
//! CBOR attestation objects and assertions built as WebAuthn specifies,
//! and each check of the relying party exercised with a credential that
//! fails it.

mod common;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::Value as Cbor;
use common::Reply;
use mock_cognito::MockCognito;
use serde_json::{Value, json};

const DOMAIN: &str = "passkey-demo";
const RP: &str = "passkey-demo.auth.us-east-1.amazoncognito.com";
const PASSWORD: &str = "Pass-Key-Passw0rd!";

struct World {
    mock: MockCognito,
    pool_id: String,
    client_id: String,
}

async fn call(w: &World, target: &str, body: Value) -> Reply {
    common::call(w.mock.addr(), target, &body, false).await
}

fn sha256(data: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

/// A pool; `first_factors` its sign-in policy, `domain` whether it has one.
async fn world(first_factors: &[&str], domain: bool) -> World {
    let mock = MockCognito::start().await.unwrap();
    let addr = mock.addr();
    let pool = common::ok(
        addr,
        "CreateUserPool",
        json!({
            "PoolName": "passkeys",
            "Policies": { "SignInPolicy": { "AllowedFirstAuthFactors": first_factors } },
        }),
    )
    .await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    if domain {
        common::ok(
            addr,
            "CreateUserPoolDomain",
            json!({ "UserPoolId": pool_id, "Domain": DOMAIN }),
        )
        .await;
    }
    let client = common::ok(
        addr,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool_id, "ClientName": "app",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        }),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    common::ok(
        addr,
        "AdminCreateUser",
        json!({ "UserPoolId": pool_id, "Username": "kim", "MessageAction": "SUPPRESS" }),
    )
    .await;
    common::ok(
        addr,
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool_id, "Username": "kim", "Password": PASSWORD, "Permanent": true }),
    )
    .await;
    World {
        mock,
        pool_id,
        client_id,
    }
}

impl World {
    async fn access_token(&self, client_id: &str) -> String {
        let out = call(
            self,
            "InitiateAuth",
            json!({
                "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": "kim", "PASSWORD": PASSWORD },
            }),
        )
        .await
        .json();
        out["AuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn start(&self, token: &str) -> Reply {
        call(
            self,
            "StartWebAuthnRegistration",
            json!({ "AccessToken": token }),
        )
        .await
    }

    async fn complete(&self, token: &str, credential: &Value) -> Reply {
        call(
            self,
            "CompleteWebAuthnRegistration",
            json!({ "AccessToken": token, "Credential": credential }),
        )
        .await
    }

    async fn listed(&self, token: &str) -> Vec<Value> {
        let r = call(
            self,
            "ListWebAuthnCredentials",
            json!({ "AccessToken": token }),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.json());
        r.json()["Credentials"].as_array().unwrap().clone()
    }
}

/// An authenticator's key: its COSE form and how it signs.
enum Key {
    P256(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

impl Key {
    fn p256() -> Key {
        Key::P256(EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap())
    }

    fn ed25519() -> Key {
        Key::Ed25519(Ed25519KeyPair::generate().unwrap())
    }

    fn cose(&self) -> Vec<u8> {
        let int = |i: i64| Cbor::Integer(i.into());
        let map = match self {
            Key::P256(k) => {
                let point = k.public_key().as_ref();
                vec![
                    (int(1), int(2)),
                    (int(3), int(-7)),
                    (int(-1), int(1)),
                    (int(-2), Cbor::Bytes(point[1..33].to_vec())),
                    (int(-3), Cbor::Bytes(point[33..65].to_vec())),
                ]
            }
            Key::Ed25519(k) => vec![
                (int(1), int(1)),
                (int(3), int(-8)),
                (int(-1), int(6)),
                (int(-2), Cbor::Bytes(k.public_key().as_ref().to_vec())),
            ],
        };
        let mut out = Vec::new();
        ciborium::into_writer(&Cbor::Map(map), &mut out).unwrap();
        out
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Key::P256(k) => k
                .sign(&SystemRandom::new(), message)
                .unwrap()
                .as_ref()
                .to_vec(),
            Key::Ed25519(k) => k.sign(message).as_ref().to_vec(),
        }
    }

    fn alg(&self) -> i64 {
        match self {
            Key::P256(_) => -7,
            Key::Ed25519(_) => -8,
        }
    }
}

/// A change that makes a registration fail one check.
type Spoil = Box<dyn Fn(&mut Registration)>;

/// What an authenticator answers `navigator.credentials.create` with, and
/// the knobs to make it fail one check each.
struct Registration<'a> {
    key: &'a Key,
    challenge: String,
    origin: String,
    rp: String,
    flags: u8,
    packed: Option<bool>,
}

impl<'a> Registration<'a> {
    fn new(key: &'a Key, options: &Value) -> Self {
        Registration {
            key,
            challenge: options["challenge"].as_str().unwrap().to_owned(),
            origin: format!("https://{RP}"),
            rp: RP.to_owned(),
            // UP | UV | AT
            flags: 0x45,
            packed: None,
        }
    }

    fn credential(&self, id: &[u8]) -> Value {
        let client_data = json!({
            "type": "webauthn.create",
            "challenge": self.challenge,
            "origin": self.origin,
            "crossOrigin": false,
        })
        .to_string();
        let mut auth_data = sha256(self.rp.as_bytes());
        auth_data.push(self.flags);
        auth_data.extend_from_slice(&0u32.to_be_bytes());
        auth_data.extend_from_slice(&[0u8; 16]);
        auth_data.extend_from_slice(&u16::try_from(id.len()).unwrap().to_be_bytes());
        auth_data.extend_from_slice(id);
        auth_data.extend_from_slice(&self.key.cose());
        let text = |s: &str| Cbor::Text(s.to_owned());
        let (fmt, statement) = match self.packed {
            None => ("none", Cbor::Map(vec![])),
            Some(good) => {
                let mut signed = auth_data.clone();
                signed.extend_from_slice(&sha256(client_data.as_bytes()));
                let mut sig = self.key.sign(&signed);
                if !good {
                    let last = sig.len() - 1;
                    sig[last] ^= 1;
                }
                (
                    "packed",
                    Cbor::Map(vec![
                        (text("alg"), Cbor::Integer(self.key.alg().into())),
                        (text("sig"), Cbor::Bytes(sig)),
                    ]),
                )
            }
        };
        let attestation = Cbor::Map(vec![
            (text("fmt"), text(fmt)),
            (text("attStmt"), statement),
            (text("authData"), Cbor::Bytes(auth_data)),
        ]);
        let mut attestation_bytes = Vec::new();
        ciborium::into_writer(&attestation, &mut attestation_bytes).unwrap();
        json!({
            "id": URL_SAFE_NO_PAD.encode(id),
            "rawId": URL_SAFE_NO_PAD.encode(id),
            "type": "public-key",
            "response": {
                "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data),
                "attestationObject": URL_SAFE_NO_PAD.encode(attestation_bytes),
                "transports": ["internal", "hybrid"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        })
    }
}

#[tokio::test]
async fn a_passkey_is_registered_listed_and_deleted_after_every_check() {
    let w = world(&["PASSWORD", "WEB_AUTHN"], true).await;
    let token = w.access_token(&w.client_id).await;
    let started = w.start(&token).await;
    assert_eq!(started.status, 200, "{}", started.json());
    let options = started.json()["CredentialCreationOptions"].clone();
    assert_eq!(options["rp"]["id"], RP);
    assert_eq!(options["user"]["name"], "kim");
    assert_eq!(options["attestation"], "none");
    assert_eq!(options["excludeCredentials"], json!([]));

    let key = Key::p256();
    let id = [7u8; 16];
    // Each check, failed once; none spends the challenge.
    let cases: [(&str, Spoil); 4] = [
        (
            "WebAuthnOriginNotAllowedException",
            Box::new(|r| r.origin = "https://evil.example.com".to_owned()),
        ),
        (
            "WebAuthnChallengeNotFoundException",
            Box::new(|r| r.challenge = URL_SAFE_NO_PAD.encode([1u8; 32])),
        ),
        (
            "WebAuthnRelyingPartyMismatchException",
            Box::new(|r| r.rp = "example.com".to_owned()),
        ),
        (
            "WebAuthnCredentialNotSupportedException",
            Box::new(|r| r.flags = 0x44), // no user presence
        ),
    ];
    for (expected, spoil) in cases {
        let mut registration = Registration::new(&key, &options);
        spoil(&mut registration);
        let refused = w.complete(&token, &registration.credential(&id)).await;
        assert_eq!(refused.status, 400, "{expected}");
        assert_eq!(refused.error_type(), expected);
    }
    let mut wrong_id = Registration::new(&key, &options).credential(&id);
    wrong_id["rawId"] = json!(URL_SAFE_NO_PAD.encode([8u8; 16]));
    assert_eq!(
        w.complete(&token, &wrong_id).await.error_type(),
        "WebAuthnCredentialNotSupportedException"
    );

    let good = Registration::new(&key, &options).credential(&id);
    let done = w.complete(&token, &good).await;
    assert_eq!(done.status, 200, "{}", done.json());
    // The challenge is spent.
    assert_eq!(
        w.complete(&token, &good).await.error_type(),
        "WebAuthnChallengeNotFoundException"
    );
    let listed = w.listed(&token).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["CredentialId"], URL_SAFE_NO_PAD.encode(id));
    assert_eq!(listed[0]["RelyingPartyId"], RP);
    assert_eq!(listed[0]["AuthenticatorAttachment"], "platform");
    assert_eq!(
        listed[0]["AuthenticatorTransports"],
        json!(["internal", "hybrid"])
    );

    // A second registration excludes the first passkey; an Ed25519 key
    // with packed self-attestation is checked by its signature.
    let options = w.start(&token).await.json()["CredentialCreationOptions"].clone();
    assert_eq!(
        options["excludeCredentials"][0]["id"],
        URL_SAFE_NO_PAD.encode(id)
    );
    let ed = Key::ed25519();
    let mut forged = Registration::new(&ed, &options);
    forged.packed = Some(false);
    assert_eq!(
        w.complete(&token, &forged.credential(&[9u8; 16]))
            .await
            .error_type(),
        "WebAuthnCredentialNotSupportedException"
    );
    let mut signed = Registration::new(&ed, &options);
    signed.packed = Some(true);
    let done = w.complete(&token, &signed.credential(&[9u8; 16])).await;
    assert_eq!(done.status, 200, "{}", done.json());
    assert_eq!(w.listed(&token).await.len(), 2);

    let delete = |credential: String| {
        let token = token.clone();
        let w = &w;
        async move {
            call(
                w,
                "DeleteWebAuthnCredential",
                json!({ "AccessToken": token, "CredentialId": credential }),
            )
            .await
        }
    };
    assert_eq!(delete(URL_SAFE_NO_PAD.encode(id)).await.status, 200);
    assert_eq!(
        delete(URL_SAFE_NO_PAD.encode(id)).await.error_type(),
        "ResourceNotFoundException"
    );
    assert_eq!(w.listed(&token).await.len(), 1);
}

#[tokio::test]
async fn registration_needs_passkeys_enabled_a_relying_party_and_the_same_client() {
    let off = world(&["PASSWORD"], true).await;
    let token = off.access_token(&off.client_id).await;
    assert_eq!(
        off.start(&token).await.error_type(),
        "WebAuthnNotEnabledException"
    );
    let no_domain = world(&["PASSWORD", "WEB_AUTHN"], false).await;
    let token = no_domain.access_token(&no_domain.client_id).await;
    assert_eq!(
        no_domain.start(&token).await.error_type(),
        "WebAuthnConfigurationMissingException"
    );

    let w = world(&["PASSWORD", "WEB_AUTHN"], true).await;
    let other = common::ok(
        w.mock.addr(),
        "CreateUserPoolClient",
        json!({
            "UserPoolId": w.pool_id, "ClientName": "other",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        }),
    )
    .await;
    let other = other["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = w.access_token(&w.client_id).await;
    let second = w.access_token(&other).await;
    let options = w.start(&first).await.json()["CredentialCreationOptions"].clone();
    let key = Key::p256();
    let credential = Registration::new(&key, &options).credential(&[3u8; 16]);
    assert_eq!(
        w.complete(&second, &credential).await.error_type(),
        "WebAuthnClientMismatchException"
    );
    assert_eq!(w.complete(&first, &credential).await.status, 200);
}

/// A change that makes an assertion fail one check.
type SpoilAssertion = Box<dyn Fn(&mut Assertion)>;

/// What an authenticator answers `navigator.credentials.get` with, and
/// the knobs to make it fail one check each.
struct Assertion<'a> {
    key: &'a Key,
    id: Vec<u8>,
    challenge: String,
    origin: String,
    rp: String,
    flags: u8,
    count: u32,
    tamper: bool,
}

impl<'a> Assertion<'a> {
    fn new(key: &'a Key, id: &[u8], options: &Value, count: u32) -> Self {
        Assertion {
            key,
            id: id.to_vec(),
            challenge: options["challenge"].as_str().unwrap().to_owned(),
            origin: format!("https://{RP}"),
            rp: options["rpId"].as_str().unwrap().to_owned(),
            // UP | UV
            flags: 0x05,
            count,
            tamper: false,
        }
    }

    fn credential(&self, user_handle: &str) -> String {
        let client_data = json!({
            "type": "webauthn.get",
            "challenge": self.challenge,
            "origin": self.origin,
            "crossOrigin": false,
        })
        .to_string();
        let mut auth_data = sha256(self.rp.as_bytes());
        auth_data.push(self.flags);
        auth_data.extend_from_slice(&self.count.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&sha256(client_data.as_bytes()));
        let signature = self.key.sign(&signed);
        if self.tamper {
            // Signed, then changed: the counter the server reads differs.
            let last = auth_data.len() - 1;
            auth_data[last] ^= 0x10;
        }
        json!({
            "id": URL_SAFE_NO_PAD.encode(&self.id),
            "rawId": URL_SAFE_NO_PAD.encode(&self.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data),
                "authenticatorData": URL_SAFE_NO_PAD.encode(auth_data),
                "signature": URL_SAFE_NO_PAD.encode(signature),
                "userHandle": user_handle,
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        })
        .to_string()
    }
}

impl World {
    /// InitiateAuth USER_AUTH preferring WEB_AUTHN: (options, session).
    async fn passkey_challenge(&self) -> (Value, String) {
        let out = common::answer(
            call(
                self,
                "InitiateAuth",
                json!({
                    "ClientId": self.client_id, "AuthFlow": "USER_AUTH",
                    "AuthParameters": { "USERNAME": "kim", "PREFERRED_CHALLENGE": "WEB_AUTHN" },
                }),
            )
            .await,
        );
        assert_eq!(out["ChallengeName"], "WEB_AUTHN");
        let options = out["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
            .as_str()
            .unwrap();
        (
            serde_json::from_str(options).unwrap(),
            out["Session"].as_str().unwrap().to_owned(),
        )
    }

    async fn answer_passkey(&self, session: &str, credential: String) -> Reply {
        call(
            self,
            "RespondToAuthChallenge",
            json!({
                "ClientId": self.client_id, "ChallengeName": "WEB_AUTHN", "Session": session,
                "ChallengeResponses": { "USERNAME": "kim", "CREDENTIAL": credential },
            }),
        )
        .await
    }
}

#[tokio::test]
async fn a_registered_passkey_signs_in_and_every_assertion_check_holds() {
    let w = world(&["PASSWORD", "WEB_AUTHN"], true).await;
    // Before a passkey, WEB_AUTHN is not among kim's choices.
    let out = common::answer(
        call(
            &w,
            "InitiateAuth",
            json!({
                "ClientId": w.client_id, "AuthFlow": "USER_AUTH",
                "AuthParameters": { "USERNAME": "kim", "PREFERRED_CHALLENGE": "WEB_AUTHN" },
            }),
        )
        .await,
    );
    assert_eq!(out["ChallengeName"], "SELECT_CHALLENGE");
    assert_eq!(
        out["AvailableChallenges"],
        json!(["PASSWORD", "PASSWORD_SRP"])
    );

    let token = w.access_token(&w.client_id).await;
    let options = w.start(&token).await.json()["CredentialCreationOptions"].clone();
    let user_handle = options["user"]["id"].as_str().unwrap().to_owned();
    let key = Key::p256();
    let id = [5u8; 16];
    let registered = w
        .complete(&token, &Registration::new(&key, &options).credential(&id))
        .await;
    assert_eq!(registered.status, 200, "{}", registered.json());

    let (options, session) = w.passkey_challenge().await;
    assert_eq!(options["rpId"], RP);
    assert_eq!(
        options["allowCredentials"][0]["id"],
        URL_SAFE_NO_PAD.encode(id)
    );
    let done = common::answer(
        w.answer_passkey(
            &session,
            Assertion::new(&key, &id, &options, 1).credential(&user_handle),
        )
        .await,
    );
    let id_token = done["AuthenticationResult"]["IdToken"].as_str().unwrap();
    let claims = common::verify_jwt(w.mock.addr(), &w.pool_id, id_token, Some(&w.client_id))
        .await
        .unwrap();
    assert_eq!(claims["cognito:username"], "kim");
    // The session is spent.
    let again = Assertion::new(&key, &id, &options, 2).credential(&user_handle);
    assert_eq!(
        w.answer_passkey(&session, again).await.error_type(),
        "NotAuthorizedException"
    );

    // Each check, failed once, on a fresh challenge.
    let other_key = Key::p256();
    let cases: [(&str, SpoilAssertion); 7] = [
        ("NotAuthorizedException", Box::new(|a| a.tamper = true)),
        // Signed by a key that is not the passkey's (leaked: the cases
        // outlive any borrow).
        (
            "NotAuthorizedException",
            Box::new(|a| a.key = Box::leak(Box::new(Key::p256()))),
        ),
        (
            "WebAuthnOriginNotAllowedException",
            Box::new(|a| a.origin = "https://evil.example.com".to_owned()),
        ),
        (
            "WebAuthnRelyingPartyMismatchException",
            Box::new(|a| a.rp = "example.com".to_owned()),
        ),
        (
            "WebAuthnChallengeNotFoundException",
            Box::new(|a| a.challenge = URL_SAFE_NO_PAD.encode([1u8; 32])),
        ),
        // A counter that does not grow: a cloned authenticator.
        ("NotAuthorizedException", Box::new(|a| a.count = 1)),
        // User verification without user presence.
        ("NotAuthorizedException", Box::new(|a| a.flags = 0x04)),
    ];
    for (expected, spoil) in cases {
        let (options, session) = w.passkey_challenge().await;
        let mut assertion = Assertion::new(&key, &id, &options, 5);
        spoil(&mut assertion);
        let refused = w
            .answer_passkey(&session, assertion.credential(&user_handle))
            .await;
        assert_eq!(refused.error_type(), expected, "{}", refused.json());
    }
    // An unregistered credential, and another user's handle.
    let (options, session) = w.passkey_challenge().await;
    let stranger = Assertion::new(&other_key, &[6u8; 16], &options, 5);
    assert_eq!(
        w.answer_passkey(&session, stranger.credential(&user_handle))
            .await
            .error_type(),
        "NotAuthorizedException"
    );
    let (options, session) = w.passkey_challenge().await;
    let handle = URL_SAFE_NO_PAD.encode(b"someone-else");
    assert_eq!(
        w.answer_passkey(
            &session,
            Assertion::new(&key, &id, &options, 5).credential(&handle)
        )
        .await
        .error_type(),
        "NotAuthorizedException"
    );
    // The counter moved on with the good sign-in only: 2 still signs in.
    let (options, session) = w.passkey_challenge().await;
    common::answer(
        w.answer_passkey(
            &session,
            Assertion::new(&key, &id, &options, 2).credential(&user_handle),
        )
        .await,
    );
}
