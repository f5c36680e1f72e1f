//! JWT decoding and verification, everywhere the mock takes a token from
//! outside: an identity-pool login (user-pool ID token; Google's RS256 ID
//! token; Facebook's opaque token), `GetUser`'s access token, the
//! `/oauth2/userInfo` Bearer token, and STS AssumeRoleWithWebIdentity's
//! OpenID token.
//!
//! Input: the token itself, or three lines spliced into one with `.`
//! (header, payload, signature), each taken as written or, after a `json:`
//! prefix, base64url-encoded; placeholders as in `fixture`, so
//! `{{ID_TOKEN.0}}` with a changed payload and `{{ID_TOKEN.2}}` is a
//! tampered real token.
//!
//! Invariants: each protocol's error shape, never a 5xx, and no token
//! accepted unless it is exactly one the fixture was issued.

#![no_main]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_kit_fuzz::fixture::{self, Aftermath, with_fixture};
use cognito_kit_fuzz::shape;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    with_fixture(|fx| {
        let expanded = fx.expand(data);
        let token = String::from_utf8_lossy(&splice(&expanded)).into_owned();
        // Each place accepts one kind of token: exactly the one issued.
        let accepted_only_if_issued = |ok: bool, reply: &_, what: &str, kind: &str| {
            shape::require(
                !ok || fx.token(kind) == Some(token.as_str()),
                &format!("{what} accepted a token other than the {kind} the mock issued"),
                &token,
                reply,
            );
        };

        for (login, kind) in [
            (fixture::USER_POOL_LOGIN, "ID_TOKEN"),
            ("accounts.google.com", "GOOGLE_TOKEN"),
            ("graph.facebook.com", "FACEBOOK_TOKEN"),
        ] {
            let body =
                json!({"IdentityPoolId": fixture::IDENTITY_POOL_ID, "Logins": {login: token}});
            let reply = fixture::send_json(
                fx.mock(),
                &fixture::identity_pool_target("GetId"),
                body.to_string().as_bytes(),
            );
            shape::aws_json(&(login, &token), &reply);
            accepted_only_if_issued(reply.status == 200, &reply, login, kind);
        }

        let body = json!({"AccessToken": token});
        let reply = fixture::send_json(
            fx.mock(),
            &fixture::user_pool_target("GetUser"),
            body.to_string().as_bytes(),
        );
        shape::aws_json(&("GetUser", &token), &reply);
        accepted_only_if_issued(reply.status == 200, &reply, "GetUser", "ACCESS_TOKEN");

        let bearer = format!("Bearer {token}");
        if let Ok(reply) = fx.mock().call(
            "GET",
            &format!("/{}/oauth2/userInfo", fixture::DOMAIN),
            &[("authorization", bearer.as_bytes())],
            b"",
        ) {
            shape::oauth_json(&("userInfo", &token), &reply);
            accepted_only_if_issued(
                reply.status == 200,
                &reply,
                "/oauth2/userInfo",
                "ACCESS_TOKEN",
            );
        }

        let form = format!(
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn={}&RoleSessionName=fuzz&WebIdentityToken={}",
            fixture::percent_encode("arn:aws:iam::000000000000:role/ExampleAuthenticated"),
            fixture::percent_encode(&token)
        );
        let reply = fx
            .mock()
            .call(
                "POST",
                "/",
                &[("content-type", b"application/x-www-form-urlencoded")],
                form.as_bytes(),
            )
            .expect("a well-formed request");
        shape::sts_xml(&("AssumeRoleWithWebIdentity", &token), &reply);
        accepted_only_if_issued(
            reply.status == 200,
            &reply,
            "AssumeRoleWithWebIdentity",
            "OPENID_TOKEN",
        );

        fx.settle(Aftermath::Clean);
    });
});

/// The token the input describes (see the module docs).
fn splice(input: &[u8]) -> Vec<u8> {
    if !input.contains(&b'\n') {
        return input.to_vec();
    }
    let parts: Vec<Vec<u8>> = input
        .split(|&b| b == b'\n')
        .map(|line| match line.strip_prefix(b"json:") {
            Some(json) => URL_SAFE_NO_PAD.encode(json).into_bytes(),
            None => line.to_vec(),
        })
        .collect();
    parts.join(&b'.')
}
