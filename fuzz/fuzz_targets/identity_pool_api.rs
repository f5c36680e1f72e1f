//! AWS JSON 1.1 on `POST /` for `AWSCognitoIdentityService.*`: routing,
//! validation against the identity-pool service model, and the handlers
//! (GetId, GetCredentialsForIdentity, GetOpenIdToken, developer identities,
//! the control plane) on a seeded mock whose logins are live tokens.
//!
//! Input: `<Operation>\n<JSON body>`, placeholders as in `fixture`.
//!
//! Invariants: the AWS error shape and never a 5xx.

#![no_main]

use cognito_kit_fuzz::fixture::{self, Aftermath, with_fixture};
use cognito_kit_fuzz::shape;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let Ok(op) = std::str::from_utf8(&data[..end]) else {
        return;
    };
    let body = data.get(end + 1..).unwrap_or_default();
    with_fixture(|fx| {
        let body = fx.expand(body);
        let target = fixture::identity_pool_target(op);
        let Ok(reply) = fx.mock().call(
            "POST",
            "/",
            &[
                ("content-type", b"application/x-amz-json-1.1"),
                ("x-amz-target", target.as_bytes()),
                ("authorization", fixture::DUMMY_SIGV4.as_bytes()),
            ],
            &body,
        ) else {
            return; // an operation name no HTTP header can carry
        };
        shape::aws_json(&(&target, String::from_utf8_lossy(&body)), &reply);
        fx.settle(aftermath(op, reply.status));
    });
});

/// What a request may have changed in the fixture: deleting or updating
/// the identity pool needs a rebuild; unlinking, merging or new roles only
/// fresh logins and a fresh identity for alice.
fn aftermath(op: &str, status: u16) -> Aftermath {
    const KEEPS_THE_FIXTURE: [&str; 6] = ["Get", "List", "Describe", "Lookup", "Create", "Tag"];
    if status != 200 || KEEPS_THE_FIXTURE.iter().any(|p| op.starts_with(p)) {
        Aftermath::Clean
    } else if op.starts_with("Delete") || op == "UpdateIdentityPool" {
        Aftermath::Everything
    } else {
        Aftermath::Users
    }
}
