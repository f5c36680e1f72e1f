//! The verifier against every rejection aws-jwt-verify documents, and the
//! JWKS cache's refetch, rate limit and concurrency.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_wire::{Jwk, Jwks, TokenUse, jwt};
use serde_json::{Value, json};

use super::*;

const POOL: &str = "eu-west-1_AbC123";
const ISS: &str = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123";
const CLIENT: &str = "client1";
const NOW: i64 = 1_800_000_000;

/// Two RSA keys, made once for every test (generation takes a moment).
fn keys() -> &'static [(String, RsaKeyPair); 2] {
    static KEYS: OnceLock<[(String, RsaKeyPair); 2]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let make = |kid: &str| {
            (
                kid.to_owned(),
                RsaKeyPair::generate(KeySize::Rsa2048).unwrap(),
            )
        };
        [make("kid-1"), make("kid-2")]
    })
}

fn jwk(i: usize) -> Jwk {
    let (kid, key) = &keys()[i];
    let public = key.public_key();
    Jwk {
        kty: "RSA".into(),
        kid: kid.clone(),
        alg: Some("RS256".into()),
        key_use: Some("sig".into()),
        n: URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
        e: URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
    }
}

fn jwks(which: &[usize]) -> Jwks {
    Jwks {
        keys: which.iter().map(|&i| jwk(i)).collect(),
    }
}

/// An RS256 token signed by key `i`, with `header` members merged in.
fn sign_with(i: usize, header: Value, claims: &Value) -> String {
    let (kid, key) = &keys()[i];
    let mut h = json!({"kid": kid, "alg": "RS256"});
    for (k, v) in header.as_object().unwrap() {
        h[k] = v.clone();
    }
    let input = jwt::signing_input(&h, claims);
    let mut sig = vec![0u8; key.public_modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn id_claims() -> Value {
    json!({
        "sub": "11111111-2222-3333-4444-555555555555", "iss": ISS, "aud": CLIENT,
        "token_use": "id", "exp": NOW + 3600, "iat": NOW - 10, "auth_time": NOW - 10,
        "cognito:username": "alice", "cognito:groups": ["admins"], "email": "alice@example.com"
    })
}

fn access_claims() -> Value {
    json!({
        "sub": "11111111-2222-3333-4444-555555555555", "iss": ISS, "client_id": CLIENT,
        "token_use": "access", "exp": NOW + 3600, "iat": NOW - 10,
        "scope": "openid https://api.example.com/read", "username": "alice"
    })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    if value.is_null() {
        claims.as_object_mut().unwrap().remove(key);
    } else {
        claims[key] = value;
    }
    claims
}

fn clock_at(at: Arc<AtomicI64>) -> Clock {
    Clock(Arc::new(move || {
        UNIX_EPOCH + Duration::from_secs(at.load(Ordering::SeqCst) as u64)
    }))
}

fn offline(token_use: TokenUse) -> CognitoJwtVerifierBuilder {
    CognitoJwtVerifier::builder(UserPoolId::parse(POOL).unwrap())
        .token_use(token_use)
        .client_id(CLIENT)
        .jwks(jwks(&[0]))
        .clock(clock_at(Arc::new(AtomicI64::new(NOW))))
}

async fn refused(verifier: &CognitoJwtVerifier, token: &str) -> VerifyError {
    verifier.verify(token).await.unwrap_err()
}

#[tokio::test]
async fn a_good_id_token_and_a_good_access_token_pass_with_typed_claims() {
    let ids = offline(TokenUse::Id).build().unwrap();
    let claims = ids
        .verify_id(&sign_with(0, json!({}), &id_claims()))
        .await
        .unwrap();
    assert_eq!(claims.username, "alice");
    assert_eq!(claims.groups, ["admins"]);
    assert_eq!(claims.email.as_deref(), Some("alice@example.com"));
    let access = offline(TokenUse::Access).build().unwrap();
    let claims = access
        .verify_access(&sign_with(0, json!({}), &access_claims()))
        .await
        .unwrap();
    assert!(claims.scopes().any(|s| s == "https://api.example.com/read"));
}

#[tokio::test]
async fn each_documented_rejection_is_its_own_error() {
    let v = offline(TokenUse::Id).build().unwrap();
    let good = id_claims();

    let other_pool = with(
        good.clone(),
        "iss",
        json!("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"),
    );
    assert!(matches!(
        refused(&v, &sign_with(0, json!({}), &other_pool)).await,
        VerifyError::WrongIssuer { .. }
    ));

    assert_eq!(
        refused(&v, &sign_with(0, json!({}), &access_claims())).await,
        VerifyError::WrongTokenUse {
            expected: TokenUse::Id,
            found: "access".into()
        }
    );

    let other_client = with(good.clone(), "aud", json!("client2"));
    assert_eq!(
        refused(&v, &sign_with(0, json!({}), &other_client)).await,
        VerifyError::WrongClient {
            found: "client2".into()
        }
    );

    let expired = with(good.clone(), "exp", json!(NOW - 1));
    assert_eq!(
        refused(&v, &sign_with(0, json!({}), &expired)).await,
        VerifyError::Expired {
            exp: NOW - 1,
            now: NOW
        }
    );
    let at_exp = with(good.clone(), "exp", json!(NOW));
    assert!(matches!(
        refused(&v, &sign_with(0, json!({}), &at_exp)).await,
        VerifyError::Expired { .. }
    ));

    let not_before = with(good.clone(), "nbf", json!(NOW + 60));
    assert!(matches!(
        refused(&v, &sign_with(0, json!({}), &not_before)).await,
        VerifyError::NotYetValid { claim: "nbf", .. }
    ));
    let issued_later = with(good.clone(), "iat", json!(NOW + 60));
    assert!(matches!(
        refused(&v, &sign_with(0, json!({}), &issued_later)).await,
        VerifyError::NotYetValid { claim: "iat", .. }
    ));

    assert_eq!(
        refused(&v, &sign_with(1, json!({}), &good)).await,
        VerifyError::UnknownKid {
            kid: "kid-2".into()
        }
    );
    assert_eq!(
        refused(&v, &sign_with(0, json!({"kid": null}), &good)).await,
        VerifyError::MissingKid
    );

    // alg none: no signature at all.
    let none = format!(
        "{}.",
        jwt::signing_input(&json!({"kid": "kid-1", "alg": "none"}), &good)
    );
    assert_eq!(
        refused(&v, &none).await,
        VerifyError::Algorithm {
            found: "none".into()
        }
    );
    // HS256 with the public key as the HMAC secret: the classic confusion.
    let input = jwt::signing_input(&json!({"kid": "kid-1", "alg": "HS256"}), &good);
    let secret = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, jwk(0).n.as_bytes());
    let mac = aws_lc_rs::hmac::sign(&secret, input.as_bytes());
    let hs256 = format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.as_ref()));
    assert_eq!(
        refused(&v, &hs256).await,
        VerifyError::Algorithm {
            found: "HS256".into()
        }
    );
    // The same token claiming RS256: its signature is not an RSA one.
    let forged = format!(
        "{}.{}",
        jwt::signing_input(&json!({"kid": "kid-1", "alg": "RS256"}), &good),
        URL_SAFE_NO_PAD.encode(mac.as_ref())
    );
    assert_eq!(refused(&v, &forged).await, VerifyError::InvalidSignature);

    // Tampered claims under the original signature.
    let token = sign_with(0, json!({}), &good);
    let (_, sig) = token.rsplit_once('.').unwrap();
    let promoted = with(good.clone(), "cognito:username", json!("mallory"));
    let tampered = format!(
        "{}.{sig}",
        jwt::signing_input(&json!({"kid": "kid-1", "alg": "RS256"}), &promoted)
    );
    assert_eq!(refused(&v, &tampered).await, VerifyError::InvalidSignature);

    assert!(matches!(
        refused(&v, "not.a-jwt").await,
        VerifyError::Malformed(_)
    ));
    let no_exp = with(good.clone(), "exp", Value::Null);
    assert_eq!(
        refused(&v, &sign_with(0, json!({}), &no_exp)).await,
        VerifyError::MissingClaim("exp")
    );
}

#[tokio::test]
async fn groups_scopes_and_leeway() {
    let admins = offline(TokenUse::Id)
        .groups(["admins", "ops"])
        .build()
        .unwrap();
    assert!(
        admins
            .verify(&sign_with(0, json!({}), &id_claims()))
            .await
            .is_ok()
    );
    let no_group = with(id_claims(), "cognito:groups", Value::Null);
    let e = refused(&admins, &sign_with(0, json!({}), &no_group)).await;
    assert!(matches!(e, VerifyError::MissingGroup { .. }) && e.is_forbidden());

    let writers = offline(TokenUse::Access)
        .scopes(["https://api.example.com/write"])
        .build()
        .unwrap();
    let e = refused(&writers, &sign_with(0, json!({}), &access_claims())).await;
    assert!(matches!(e, VerifyError::MissingScope { .. }) && e.is_forbidden());

    let expired = with(id_claims(), "exp", json!(NOW - 30));
    let lenient = offline(TokenUse::Id)
        .leeway(Duration::from_secs(60))
        .build()
        .unwrap();
    assert!(
        lenient
            .verify(&sign_with(0, json!({}), &expired))
            .await
            .is_ok()
    );

    let either = CognitoJwtVerifier::builder(UserPoolId::parse(POOL).unwrap())
        .any_token_use()
        .any_client()
        .jwks(jwks(&[0]))
        .clock(clock_at(Arc::new(AtomicI64::new(NOW))))
        .build()
        .unwrap();
    let other_client = with(access_claims(), "client_id", json!("client9"));
    let token = either
        .verify(&sign_with(0, json!({}), &other_client))
        .await
        .unwrap();
    assert_eq!(token.token_use(), TokenUse::Access);
}

#[test]
fn the_builder_asks_what_the_verifier_takes() {
    let base = || CognitoJwtVerifier::builder(UserPoolId::parse(POOL).unwrap());
    assert!(base().client_id(CLIENT).jwks(jwks(&[0])).build().is_err());
    assert!(
        base()
            .token_use(TokenUse::Id)
            .jwks(jwks(&[0]))
            .build()
            .is_err()
    );
    assert!(
        base()
            .token_use(TokenUse::Id)
            .client_id(CLIENT)
            .build()
            .is_err()
    );
    let v = base()
        .token_use(TokenUse::Id)
        .client_id(CLIENT)
        .jwks(jwks(&[0]))
        .build()
        .unwrap();
    assert_eq!(v.issuer(), ISS);
    assert_eq!(
        v.jwks().url(),
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json"
    );
}

#[tokio::test]
async fn a_key_that_is_not_for_rs256_signing_is_refused() {
    let mut key = jwk(0);
    key.alg = Some("RS512".into());
    let v = offline(TokenUse::Id)
        .jwks(Jwks { keys: vec![key] })
        .build()
        .unwrap();
    assert_eq!(
        refused(&v, &sign_with(0, json!({}), &id_claims())).await,
        VerifyError::KeyUnusable {
            kid: "kid-1".into()
        }
    );
}

/// A JWKS endpoint whose keys the test changes, counting fetches; a fetch
/// can be held until the test lets it go.
struct Rotating {
    keys: Mutex<Jwks>,
    fetches: AtomicUsize,
    hold: Mutex<Option<Arc<tokio::sync::Notify>>>,
}

impl Rotating {
    fn new(keys: Jwks) -> Arc<Rotating> {
        Arc::new(Rotating {
            keys: Mutex::new(keys),
            fetches: AtomicUsize::new(0),
            hold: Mutex::new(None),
        })
    }
}

impl JwksSource for Arc<Rotating> {
    fn fetch<'a>(
        &'a self,
        url: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<Jwks, String>> + Send + 'a>> {
        Box::pin(async move {
            assert_eq!(url, "https://jwks.test/keys");
            self.fetches.fetch_add(1, Ordering::SeqCst);
            let hold = self.hold.lock().unwrap().clone();
            if let Some(gate) = hold {
                gate.notified().await;
            }
            Ok(self.keys.lock().unwrap().clone())
        })
    }
}

fn fetching(source: &Arc<Rotating>, now: &Arc<AtomicI64>) -> CognitoJwtVerifier {
    CognitoJwtVerifier::builder(UserPoolId::parse(POOL).unwrap())
        .token_use(TokenUse::Id)
        .client_id(CLIENT)
        .jwks_url("https://jwks.test/keys")
        .jwks_source(source.clone())
        .clock(clock_at(now.clone()))
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_unknown_kid_refetches_once_per_interval() {
    let now = Arc::new(AtomicI64::new(NOW));
    let source = Rotating::new(jwks(&[0]));
    let v = fetching(&source, &now);
    // The first verification fetches; the next ones use the cache.
    for _ in 0..3 {
        v.verify(&sign_with(0, json!({}), &id_claims()))
            .await
            .unwrap();
    }
    assert_eq!(source.fetches.load(Ordering::SeqCst), 1);

    // A rotated key within the interval: refused at once, no fetch.
    *source.keys.lock().unwrap() = jwks(&[0, 1]);
    let rotated = sign_with(1, json!({}), &id_claims());
    assert!(matches!(
        refused(&v, &rotated).await,
        VerifyError::UnknownKid { .. }
    ));
    assert_eq!(source.fetches.load(Ordering::SeqCst), 1);

    // Once the interval has passed, the unknown kid triggers a refetch.
    now.fetch_add(11, Ordering::SeqCst);
    v.verify(&rotated).await.unwrap();
    assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
    assert_eq!(v.jwks().kids(), ["kid-1", "kid-2"]);

    // A kid no one has, again after the interval: one fetch, then refused.
    now.fetch_add(11, Ordering::SeqCst);
    let stranger = sign_with(0, json!({"kid": "kid-9"}), &id_claims());
    assert!(matches!(
        refused(&v, &stranger).await,
        VerifyError::UnknownKid { .. }
    ));
    assert!(matches!(
        refused(&v, &stranger).await,
        VerifyError::UnknownKid { .. }
    ));
    assert_eq!(source.fetches.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refetch_never_blocks_verifications_of_known_keys() {
    let now = Arc::new(AtomicI64::new(NOW));
    let source = Rotating::new(jwks(&[0]));
    let v = fetching(&source, &now);
    v.jwks().prefetch().await.unwrap();
    now.fetch_add(11, Ordering::SeqCst);

    // Hold the next fetch: verifications of the unknown kid wait on it.
    let gate = Arc::new(tokio::sync::Notify::new());
    *source.hold.lock().unwrap() = Some(gate.clone());
    *source.keys.lock().unwrap() = jwks(&[0, 1]);
    let waiting: Vec<_> = (0..4)
        .map(|_| {
            let v = v.clone();
            tokio::spawn(async move { v.verify(&sign_with(1, json!({}), &id_claims())).await })
        })
        .collect();
    while source.fetches.load(Ordering::SeqCst) < 2 {
        tokio::task::yield_now().await;
    }

    // Meanwhile a known kid verifies at once.
    let known = tokio::time::timeout(
        Duration::from_secs(5),
        v.verify(&sign_with(0, json!({}), &id_claims())),
    )
    .await
    .expect("a known kid waited for the fetch");
    assert!(known.is_ok());

    gate.notify_one();
    for w in waiting {
        assert!(w.await.unwrap().is_ok());
    }
    // Four verifications of the new kid shared one fetch.
    assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn offline_never_fetches() {
    let v = offline(TokenUse::Id).build().unwrap();
    assert_eq!(v.jwks().kids(), ["kid-1"]);
    assert!(v.jwks().prefetch().await.is_ok());
    assert!(matches!(
        refused(&v, &sign_with(1, json!({}), &id_claims())).await,
        VerifyError::UnknownKid { .. }
    ));
}
