//! Identity pools and STS, driven by the official `aws-sdk-cognitoidentity`,
//! `aws-sdk-cognitoidentityprovider` and `aws-sdk-sts` clients.

mod common;

use std::time::Duration;

use aws_sdk_cognitoidentity::Client as Identity;
use aws_sdk_cognitoidentity::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentity::types::{
    AmbiguousRoleResolutionType, CognitoIdentityProvider, MappingRule, MappingRuleMatchType,
    RoleMapping, RoleMappingType, RulesConfigurationType,
};
use aws_sdk_cognitoidentityprovider::Client as UserPools;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, AuthFlowType, ExplicitAuthFlowsType};
use mock_cognito::MockCognito;
use serde_json::json;

const AUTH_ROLE: &str = "arn:aws:iam::123456789012:role/CognitoAuth";
const UNAUTH_ROLE: &str = "arn:aws:iam::123456789012:role/CognitoUnauth";
const ADMIN_ROLE: &str = "arn:aws:iam::123456789012:role/Admins";
const GOLD_ROLE: &str = "arn:aws:iam::123456789012:role/Gold";
const FB_APP: &str = "1234567890";
const PASSWORD: &str = "Corr3ct-Horse!";

fn err<E: ProvideErrorMetadata, R>(e: SdkError<E, R>) -> (String, String) {
    common::sdk_error(e)
}

struct World {
    mock: MockCognito,
    idp: UserPools,
    ci: Identity,
    user_pool_id: String,
    client_id: String,
    provider_name: String,
    identity_pool_id: String,
}

async fn world(allow_unauth: bool, server_side_check: bool) -> World {
    let mock = MockCognito::start().await.unwrap();
    let idp = common::user_pool_client(&mock.endpoint());
    let ci = common::identity_pool_client(&mock.endpoint());
    let pool = idp
        .create_user_pool()
        .pool_name("users")
        .schema(
            aws_sdk_cognitoidentityprovider::types::SchemaAttributeType::builder()
                .name("tier")
                .attribute_data_type(
                    aws_sdk_cognitoidentityprovider::types::AttributeDataType::String,
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let user_pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let client = idp
        .create_user_pool_client()
        .user_pool_id(&user_pool_id)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let client_id = client
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    for (name, tier) in [("alice", "gold"), ("bob", "silver")] {
        idp.admin_create_user()
            .user_pool_id(&user_pool_id)
            .username(name)
            .temporary_password("Temp0rary!pw")
            .user_attributes(
                AttributeType::builder()
                    .name("custom:tier")
                    .value(tier)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        idp.admin_set_user_password()
            .user_pool_id(&user_pool_id)
            .username(name)
            .password(PASSWORD)
            .permanent(true)
            .send()
            .await
            .unwrap();
    }
    let provider_name = format!("cognito-idp.us-east-1.amazonaws.com/{user_pool_id}");
    let created = ci
        .create_identity_pool()
        .identity_pool_name("ids")
        .allow_unauthenticated_identities(allow_unauth)
        .allow_classic_flow(true)
        .developer_provider_name("login.example.app")
        .supported_login_providers("graph.facebook.com", FB_APP)
        .cognito_identity_providers(
            CognitoIdentityProvider::builder()
                .provider_name(&provider_name)
                .client_id(&client_id)
                .server_side_token_check(server_side_check)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let identity_pool_id = created.identity_pool_id().to_owned();
    ci.set_identity_pool_roles()
        .identity_pool_id(&identity_pool_id)
        .roles("authenticated", AUTH_ROLE)
        .roles("unauthenticated", UNAUTH_ROLE)
        .send()
        .await
        .unwrap();
    World {
        mock,
        idp,
        ci,
        user_pool_id,
        client_id,
        provider_name,
        identity_pool_id,
    }
}

impl World {
    async fn sign_in(
        &self,
        user: &str,
    ) -> aws_sdk_cognitoidentityprovider::types::AuthenticationResultType {
        let out = self
            .idp
            .initiate_auth()
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .client_id(&self.client_id)
            .auth_parameters("USERNAME", user)
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap();
        out.authentication_result().unwrap().clone()
    }

    async fn get_id(&self, logins: &[(&str, &str)]) -> Result<String, (String, String)> {
        let mut req = self.ci.get_id().identity_pool_id(&self.identity_pool_id);
        for (k, v) in logins {
            req = req.logins(*k, *v);
        }
        req.send()
            .await
            .map(|o| o.identity_id().unwrap().to_owned())
            .map_err(err)
    }

    async fn credentials(
        &self,
        identity_id: &str,
        logins: &[(&str, &str)],
        custom_role: Option<&str>,
    ) -> Result<aws_sdk_cognitoidentity::operation::get_credentials_for_identity::GetCredentialsForIdentityOutput, (String, String)>{
        let mut req = self
            .ci
            .get_credentials_for_identity()
            .identity_id(identity_id)
            .set_custom_role_arn(custom_role.map(str::to_owned));
        for (k, v) in logins {
            req = req.logins(*k, *v);
        }
        req.send().await.map_err(err)
    }

    async fn caller_arn(
        &self,
        creds: &aws_sdk_cognitoidentity::types::Credentials,
        secret_override: Option<&str>,
    ) -> Result<String, (String, String)> {
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::Config::builder()
                .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
                .region(aws_sdk_sts::config::Region::new("us-east-1"))
                .endpoint_url(self.mock.endpoint())
                .credentials_provider(aws_credential_types::Credentials::new(
                    creds.access_key_id().unwrap(),
                    secret_override.unwrap_or(creds.secret_key().unwrap()),
                    creds.session_token().map(str::to_owned),
                    None,
                    "cognito",
                ))
                .build(),
        );
        let out = sts.get_caller_identity().send().await.map_err(|e| {
            (
                e.code().unwrap_or_default().to_owned(),
                e.message().unwrap_or_default().to_owned(),
            )
        })?;
        Ok(out.arn().unwrap().to_owned())
    }
}

#[tokio::test]
async fn unauthenticated_flow_and_sts_proof() {
    let w = world(true, false).await;
    let id = w.get_id(&[]).await.unwrap();
    assert!(id.starts_with("us-east-1:"));
    assert_ne!(
        w.get_id(&[]).await.unwrap(),
        id,
        "each unauthenticated GetId creates a new identity"
    );
    let out = w.credentials(&id, &[], None).await.unwrap();
    assert_eq!(out.identity_id(), Some(id.as_str()));
    let c = out.credentials().unwrap();
    assert!(c.access_key_id().unwrap().starts_with("ASIA"));
    assert_eq!(c.secret_key().unwrap().len(), 40);
    let expires = c.expiration().unwrap().secs();
    assert!(
        (3590..=3610).contains(&(expires - w.mock.clock().unix())),
        "about an hour"
    );

    // The credentials really sign: STS verifies SigV4 against them.
    let arn = w.caller_arn(c, None).await.unwrap();
    assert_eq!(
        arn,
        "arn:aws:sts::123456789012:assumed-role/CognitoUnauth/CognitoIdentityCredentials"
    );
    let (code, _) = w
        .caller_arn(c, Some("0000000000000000000000000000000000000000"))
        .await
        .unwrap_err();
    assert_eq!(code, "SignatureDoesNotMatch");
    w.mock.clock().advance(Duration::from_secs(3601));
    assert_eq!(w.caller_arn(c, None).await.unwrap_err().0, "ExpiredToken");
}

#[tokio::test]
async fn unauthenticated_access_can_be_disabled() {
    let w = world(false, false).await;
    let (code, message) = w.get_id(&[]).await.unwrap_err();
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(
        message,
        "Unauthenticated access is not supported for this identity pool."
    );
    let (code, _) = w
        .credentials("us-east-1:00000000-0000-4000-8000-000000000000", &[], None)
        .await
        .unwrap_err();
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn user_pool_federation_keeps_one_identity() {
    let w = world(true, false).await;
    let first = w.sign_in("alice").await;
    let id_token = first.id_token().unwrap();
    let id = w.get_id(&[(&w.provider_name, id_token)]).await.unwrap();
    // A second sign-in, and a refreshed ID token, map to the same identity.
    let second = w.sign_in("alice").await;
    assert_eq!(
        w.get_id(&[(&w.provider_name, second.id_token().unwrap())])
            .await
            .unwrap(),
        id
    );
    let refreshed = w
        .idp
        .initiate_auth()
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .client_id(&w.client_id)
        .auth_parameters("REFRESH_TOKEN", first.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    let refreshed_id_token = refreshed
        .authentication_result()
        .unwrap()
        .id_token()
        .unwrap()
        .to_owned();
    assert_ne!(refreshed_id_token, id_token);
    assert_eq!(
        w.get_id(&[(&w.provider_name, &refreshed_id_token)])
            .await
            .unwrap(),
        id
    );
    // Another user gets another identity.
    let bob = w.sign_in("bob").await;
    assert_ne!(
        w.get_id(&[(&w.provider_name, bob.id_token().unwrap())])
            .await
            .unwrap(),
        id
    );

    let out = w
        .credentials(&id, &[(&w.provider_name, &refreshed_id_token)], None)
        .await
        .unwrap();
    assert_eq!(
        w.caller_arn(out.credentials().unwrap(), None)
            .await
            .unwrap(),
        "arn:aws:sts::123456789012:assumed-role/CognitoAuth/CognitoIdentityCredentials"
    );
    // Authenticated identities refuse unauthenticated access.
    let (code, message) = w.credentials(&id, &[], None).await.unwrap_err();
    assert_eq!(code, "NotAuthorizedException");
    assert!(message.starts_with("Logins don't match"), "{message}");
    let described =
        w.ci.describe_identity()
            .identity_id(&id)
            .send()
            .await
            .unwrap();
    assert_eq!(described.logins(), std::slice::from_ref(&w.provider_name));
}

#[tokio::test]
async fn login_validation_errors() {
    let w = world(true, true).await;
    let tokens = w.sign_in("alice").await;
    let id_token = tokens.id_token().unwrap();
    let expect = |r: Result<String, (String, String)>, code: &str, fragment: &str| {
        let (c, m) = r.unwrap_err();
        assert_eq!(c, code, "{m}");
        assert!(m.contains(fragment), "{m:?} lacks {fragment:?}");
    };
    // An access token is not a login.
    expect(
        w.get_id(&[(&w.provider_name, tokens.access_token().unwrap())])
            .await,
        "NotAuthorizedException",
        "Missing a required claim: aud",
    );
    // A forged signature.
    let mut parts: Vec<&str> = id_token.split('.').collect();
    let forged_sig = "A".repeat(parts[2].len());
    parts[2] = &forged_sig;
    expect(
        w.get_id(&[(&w.provider_name, &parts.join("."))]).await,
        "NotAuthorizedException",
        "Couldn't verify signed token",
    );
    // A provider the pool does not trust.
    expect(
        w.get_id(&[(
            "cognito-idp.us-east-1.amazonaws.com/us-east-1_Other1234",
            id_token,
        )])
        .await,
        "NotAuthorizedException",
        "not from a supported provider",
    );
    expect(
        w.get_id(&[("accounts.google.com", id_token)]).await,
        "NotAuthorizedException",
        "not from a supported provider",
    );
    // A token from another app client of the same pool (wrong aud).
    let other = w
        .idp
        .create_user_pool_client()
        .user_pool_id(&w.user_pool_id)
        .client_name("other")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let other_id = other.user_pool_client().unwrap().client_id().unwrap();
    let out = w
        .idp
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(other_id)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    expect(
        w.get_id(&[(
            &w.provider_name,
            out.authentication_result().unwrap().id_token().unwrap(),
        )])
        .await,
        "NotAuthorizedException",
        "audience",
    );
    // A token from another pool presented under this pool's provider name.
    let foreign_pool = w
        .idp
        .create_user_pool()
        .pool_name("foreign")
        .send()
        .await
        .unwrap();
    let foreign_id = foreign_pool.user_pool().unwrap().id().unwrap().to_owned();
    let foreign_client = w
        .idp
        .create_user_pool_client()
        .user_pool_id(&foreign_id)
        .client_name("f")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let foreign_client_id = foreign_client
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    w.idp
        .admin_create_user()
        .user_pool_id(&foreign_id)
        .username("eve")
        .temporary_password("Temp0rary!pw")
        .send()
        .await
        .unwrap();
    w.idp
        .admin_set_user_password()
        .user_pool_id(&foreign_id)
        .username("eve")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let eve = w
        .idp
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(&foreign_client_id)
        .auth_parameters("USERNAME", "eve")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    let eve_token = eve
        .authentication_result()
        .unwrap()
        .id_token()
        .unwrap()
        .to_owned();
    expect(
        w.get_id(&[(&w.provider_name, &eve_token)]).await,
        "NotAuthorizedException",
        "Issuer doesn't match providerName",
    );
    // ServerSideTokenCheck: after a global sign-out the token is refused.
    let id = w.get_id(&[(&w.provider_name, id_token)]).await.unwrap();
    w.idp
        .global_sign_out()
        .access_token(tokens.access_token().unwrap())
        .send()
        .await
        .unwrap();
    expect(
        w.get_id(&[(&w.provider_name, id_token)]).await,
        "NotAuthorizedException",
        "signed out",
    );
    // Expired tokens are refused.
    let fresh = w.sign_in("alice").await;
    w.mock.clock().advance(Duration::from_secs(3601));
    let (code, message) = w
        .credentials(&id, &[(&w.provider_name, fresh.id_token().unwrap())], None)
        .await
        .unwrap_err();
    assert_eq!(code, "NotAuthorizedException");
    assert!(message.contains("Token expired"), "{message}");
    // Arbitrary strings never pass.
    expect(
        w.get_id(&[("graph.facebook.com", "EAAGnot-a-real-token")])
            .await,
        "NotAuthorizedException",
        "Facebook",
    );
}

#[tokio::test]
async fn direct_facebook_provider() {
    let w = world(false, false).await;
    let token = w
        .mock
        .mint_provider_token(
            "graph.facebook.com",
            FB_APP,
            "10150000000000001",
            json!({"name": "Ann"}),
        )
        .unwrap();
    let id = w.get_id(&[("graph.facebook.com", &token)]).await.unwrap();
    let out = w
        .credentials(&id, &[("graph.facebook.com", &token)], None)
        .await
        .unwrap();
    assert!(
        out.credentials()
            .unwrap()
            .access_key_id()
            .unwrap()
            .starts_with("ASIA")
    );
    // A new token for the same Facebook user is the same identity.
    let again = w
        .mock
        .mint_provider_token("graph.facebook.com", FB_APP, "10150000000000001", json!({}))
        .unwrap();
    assert_eq!(
        w.get_id(&[("graph.facebook.com", &again)]).await.unwrap(),
        id
    );
    // A token for another app id, or an expired one, is refused.
    let other_app = w
        .mock
        .mint_provider_token("graph.facebook.com", "999", "10150000000000001", json!({}))
        .unwrap();
    assert_eq!(
        w.get_id(&[("graph.facebook.com", &other_app)])
            .await
            .unwrap_err()
            .0,
        "NotAuthorizedException"
    );
    w.mock.clock().advance(Duration::from_secs(3601));
    let (code, message) = w
        .get_id(&[("graph.facebook.com", &token)])
        .await
        .unwrap_err();
    assert_eq!(code, "NotAuthorizedException");
    assert!(message.contains("expired"), "{message}");
}

#[tokio::test]
async fn linking_and_merging() {
    let w = world(true, false).await;
    // Unauthenticated → authenticated: Logins sent with the unauthenticated id link it.
    let guest = w.get_id(&[]).await.unwrap();
    let alice = w.sign_in("alice").await;
    let out = w
        .credentials(
            &guest,
            &[(&w.provider_name, alice.id_token().unwrap())],
            None,
        )
        .await
        .unwrap();
    assert_eq!(out.identity_id(), Some(guest.as_str()));
    assert_eq!(
        w.get_id(&[(&w.provider_name, alice.id_token().unwrap())])
            .await
            .unwrap(),
        guest
    );
    assert_eq!(
        w.credentials(&guest, &[], None).await.unwrap_err().0,
        "NotAuthorizedException"
    );

    // A Facebook identity, then the same person links Facebook to alice's
    // identity: the two merge and the answer names the survivor.
    let fb = w
        .mock
        .mint_provider_token("graph.facebook.com", FB_APP, "fb-alice", json!({}))
        .unwrap();
    let fb_identity = w.get_id(&[("graph.facebook.com", &fb)]).await.unwrap();
    assert_ne!(fb_identity, guest);
    let out = w
        .credentials(
            &guest,
            &[
                (&w.provider_name, alice.id_token().unwrap()),
                ("graph.facebook.com", &fb),
            ],
            None,
        )
        .await
        .unwrap();
    let survivor = out.identity_id().unwrap().to_owned();
    assert!(survivor == guest || survivor == fb_identity);
    let loser = if survivor == guest {
        &fb_identity
    } else {
        &guest
    };
    assert_eq!(
        w.credentials(loser, &[("graph.facebook.com", &fb)], None)
            .await
            .unwrap_err()
            .0,
        "NotAuthorizedException"
    );
    let listed =
        w.ci.list_identities()
            .identity_pool_id(&w.identity_pool_id)
            .max_results(60)
            .hide_disabled(true)
            .send()
            .await
            .unwrap();
    assert!(
        listed
            .identities()
            .iter()
            .all(|i| i.identity_id() != Some(loser.as_str()))
    );
    let d =
        w.ci.describe_identity()
            .identity_id(&survivor)
            .send()
            .await
            .unwrap();
    assert_eq!(d.logins().len(), 2);

    // A second login from the same public provider conflicts.
    let fb2 = w
        .mock
        .mint_provider_token("graph.facebook.com", FB_APP, "fb-someone-else", json!({}))
        .unwrap();
    let (code, _) = w
        .credentials(
            &survivor,
            &[
                (&w.provider_name, alice.id_token().unwrap()),
                ("graph.facebook.com", &fb2),
            ],
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(code, "ResourceConflictException");

    // UnlinkIdentity removes a login; that login then makes a new identity.
    w.ci.unlink_identity()
        .identity_id(&survivor)
        .logins(&w.provider_name, alice.id_token().unwrap())
        .logins_to_remove("graph.facebook.com")
        .send()
        .await
        .unwrap();
    assert_ne!(
        w.get_id(&[("graph.facebook.com", &fb)]).await.unwrap(),
        survivor
    );
}

/// A merge that meets a conflict halfway (the identity to merge has
/// another Facebook login than the survivor) is refused whole: both
/// identities keep their logins, and each login still finds its identity.
#[tokio::test]
async fn a_conflicting_merge_changes_nothing() {
    let w = world(true, false).await;
    let alice = w.sign_in("alice").await;
    let alice_token = alice.id_token().unwrap();
    let fb_one = w
        .mock
        .mint_provider_token("graph.facebook.com", FB_APP, "fb-one", json!({}))
        .unwrap();
    let fb_two = w
        .mock
        .mint_provider_token("graph.facebook.com", FB_APP, "fb-two", json!({}))
        .unwrap();
    let with_both = w
        .get_id(&[
            (&w.provider_name, alice_token),
            ("graph.facebook.com", &fb_one),
        ])
        .await
        .unwrap();
    let other = w.get_id(&[("graph.facebook.com", &fb_two)]).await.unwrap();
    assert_ne!(with_both, other);

    let (code, _) = w
        .get_id(&[
            (&w.provider_name, alice_token),
            ("graph.facebook.com", &fb_two),
        ])
        .await
        .unwrap_err();
    assert_eq!(code, "ResourceConflictException");

    assert_eq!(
        w.get_id(&[("graph.facebook.com", &fb_two)]).await.unwrap(),
        other,
        "the refused merge released the other identity's login"
    );
    assert_eq!(
        w.get_id(&[("graph.facebook.com", &fb_one)]).await.unwrap(),
        with_both
    );
    for (id, logins) in [(&with_both, 2), (&other, 1)] {
        let described =
            w.ci.describe_identity()
                .identity_id(id)
                .send()
                .await
                .unwrap();
        assert_eq!(described.logins().len(), logins, "{id}");
    }
}

#[tokio::test]
async fn role_mappings_and_custom_role() {
    let w = world(true, false).await;
    w.idp
        .create_group()
        .user_pool_id(&w.user_pool_id)
        .group_name("admins")
        .role_arn(ADMIN_ROLE)
        .precedence(1)
        .send()
        .await
        .unwrap();
    w.idp
        .admin_add_user_to_group()
        .user_pool_id(&w.user_pool_id)
        .username("alice")
        .group_name("admins")
        .send()
        .await
        .unwrap();
    let mapping_key = format!("{}:{}", w.provider_name, w.client_id);

    // Rules: custom:tier = gold → Gold; otherwise the authenticated role.
    let rules = RoleMapping::builder()
        .r#type(RoleMappingType::Rules)
        .ambiguous_role_resolution(AmbiguousRoleResolutionType::AuthenticatedRole)
        .rules_configuration(
            RulesConfigurationType::builder()
                .rules(
                    MappingRule::builder()
                        .claim("custom:tier")
                        .match_type(MappingRuleMatchType::Equals)
                        .value("gold")
                        .role_arn(GOLD_ROLE)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    w.ci.set_identity_pool_roles()
        .identity_pool_id(&w.identity_pool_id)
        .roles("authenticated", AUTH_ROLE)
        .roles("unauthenticated", UNAUTH_ROLE)
        .role_mappings(&mapping_key, rules)
        .send()
        .await
        .unwrap();
    let role_of = async |user: &str, custom: Option<&str>| {
        let t = w.sign_in(user).await;
        let token = t.id_token().unwrap().to_owned();
        let id = w.get_id(&[(&w.provider_name, &token)]).await.unwrap();
        let out = w
            .credentials(&id, &[(&w.provider_name, &token)], custom)
            .await?;
        Ok::<String, (String, String)>(
            w.caller_arn(out.credentials().unwrap(), None)
                .await
                .unwrap(),
        )
    };
    assert!(
        role_of("alice", None)
            .await
            .unwrap()
            .contains("assumed-role/Gold/")
    );
    assert!(
        role_of("bob", None)
            .await
            .unwrap()
            .contains("assumed-role/CognitoAuth/")
    );

    // CustomRoleArn must be one of the token's cognito:roles.
    assert!(
        role_of("alice", Some(ADMIN_ROLE))
            .await
            .unwrap()
            .contains("assumed-role/Admins/")
    );
    let (code, _) = role_of("bob", Some(ADMIN_ROLE)).await.unwrap_err();
    assert_eq!(code, "NotAuthorizedException");

    // Token mapping uses cognito:preferred_role; Deny refuses the rest.
    let token_mapping = RoleMapping::builder()
        .r#type(RoleMappingType::Token)
        .ambiguous_role_resolution(AmbiguousRoleResolutionType::Deny)
        .build()
        .unwrap();
    w.ci.set_identity_pool_roles()
        .identity_pool_id(&w.identity_pool_id)
        .roles("authenticated", AUTH_ROLE)
        .role_mappings(&mapping_key, token_mapping)
        .send()
        .await
        .unwrap();
    assert!(
        role_of("alice", None)
            .await
            .unwrap()
            .contains("assumed-role/Admins/")
    );
    assert_eq!(
        role_of("bob", None).await.unwrap_err().0,
        "NotAuthorizedException"
    );

    // Without roles the pool is misconfigured.
    w.ci.set_identity_pool_roles()
        .identity_pool_id(&w.identity_pool_id)
        .set_roles(Some(Default::default()))
        .send()
        .await
        .unwrap();
    let guest = w.get_id(&[]).await.unwrap();
    assert_eq!(
        w.credentials(&guest, &[], None).await.unwrap_err().0,
        "InvalidIdentityPoolConfigurationException"
    );
}

#[tokio::test]
async fn developer_authenticated_identities() {
    let w = world(false, false).await;
    let out =
        w.ci.get_open_id_token_for_developer_identity()
            .identity_pool_id(&w.identity_pool_id)
            .logins("login.example.app", "user-42")
            .token_duration(300)
            .send()
            .await
            .unwrap();
    let id = out.identity_id().unwrap().to_owned();
    let token = out.token().unwrap().to_owned();
    // The app presents the OpenID token under cognito-identity.amazonaws.com.
    let creds = w
        .credentials(&id, &[("cognito-identity.amazonaws.com", &token)], None)
        .await
        .unwrap();
    assert!(
        w.caller_arn(creds.credentials().unwrap(), None)
            .await
            .unwrap()
            .contains("CognitoAuth")
    );
    // The same developer user gets the same identity.
    let again =
        w.ci.get_open_id_token_for_developer_identity()
            .identity_pool_id(&w.identity_pool_id)
            .logins("login.example.app", "user-42")
            .send()
            .await
            .unwrap();
    assert_eq!(again.identity_id(), Some(id.as_str()));
    let looked =
        w.ci.lookup_developer_identity()
            .identity_pool_id(&w.identity_pool_id)
            .developer_user_identifier("user-42")
            .send()
            .await
            .unwrap();
    assert_eq!(looked.identity_id(), Some(id.as_str()));
    // Merge another developer user into it.
    let other =
        w.ci.get_open_id_token_for_developer_identity()
            .identity_pool_id(&w.identity_pool_id)
            .logins("login.example.app", "user-43")
            .send()
            .await
            .unwrap();
    assert_ne!(other.identity_id(), Some(id.as_str()));
    let merged =
        w.ci.merge_developer_identities()
            .identity_pool_id(&w.identity_pool_id)
            .developer_provider_name("login.example.app")
            .source_user_identifier("user-43")
            .destination_user_identifier("user-42")
            .send()
            .await
            .unwrap();
    assert_eq!(merged.identity_id(), Some(id.as_str()));
    let looked =
        w.ci.lookup_developer_identity()
            .identity_pool_id(&w.identity_pool_id)
            .identity_id(&id)
            .send()
            .await
            .unwrap();
    assert_eq!(looked.developer_user_identifier_list().len(), 2);
    // A token for another identity does not unlock this one; an expired one is refused.
    let (code, _) = w
        .credentials(
            other.identity_id().unwrap(),
            &[("cognito-identity.amazonaws.com", &token)],
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(code, "NotAuthorizedException");
    w.mock.clock().advance(Duration::from_secs(301));
    assert_eq!(
        w.credentials(&id, &[("cognito-identity.amazonaws.com", &token)], None)
            .await
            .unwrap_err()
            .0,
        "NotAuthorizedException"
    );
    w.ci.unlink_developer_identity()
        .identity_pool_id(&w.identity_pool_id)
        .identity_id(&id)
        .developer_provider_name("login.example.app")
        .developer_user_identifier("user-43")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn classic_flow_through_sts() {
    let w = world(true, false).await;
    let alice = w.sign_in("alice").await;
    let token = alice.id_token().unwrap();
    let id = w.get_id(&[(&w.provider_name, token)]).await.unwrap();
    let openid =
        w.ci.get_open_id_token()
            .identity_id(&id)
            .logins(&w.provider_name, token)
            .send()
            .await
            .unwrap();
    let web_token = openid.token().unwrap();
    // The OpenID token verifies against the mock's identity JWKS.
    let jwks = common::raw(w.mock.addr(), "GET", "/.well-known/jwks_uri", &[], b"")
        .await
        .json();
    let header = jsonwebtoken::decode_header(web_token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS512);
    let jwk = &jwks["keys"][0];
    let key = jsonwebtoken::DecodingKey::from_rsa_components(
        jwk["n"].as_str().unwrap(),
        jwk["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS512);
    validation.set_audience(&[&w.identity_pool_id]);
    validation.set_issuer(&["https://cognito-identity.amazonaws.com"]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(web_token, &key, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["sub"], id.as_str());
    assert_eq!(claims["amr"][0], "authenticated");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        600
    );

    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new("us-east-1"))
            .endpoint_url(w.mock.endpoint())
            .build(),
    );
    let assumed = sts
        .assume_role_with_web_identity()
        .role_arn(AUTH_ROLE)
        .role_session_name("classic")
        .web_identity_token(web_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        assumed.assumed_role_user().unwrap().arn(),
        "arn:aws:sts::123456789012:assumed-role/CognitoAuth/classic"
    );
    assert_eq!(assumed.subject_from_web_identity_token(), Some(id.as_str()));
    let c = assumed.credentials().unwrap();
    let as_identity_creds = aws_sdk_cognitoidentity::types::Credentials::builder()
        .access_key_id(c.access_key_id())
        .secret_key(c.secret_access_key())
        .session_token(c.session_token())
        .build();
    assert_eq!(
        w.caller_arn(&as_identity_creds, None).await.unwrap(),
        "arn:aws:sts::123456789012:assumed-role/CognitoAuth/classic"
    );
    // A role the pool does not have, or a forged token, is refused.
    let e = sts
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::123456789012:role/Other")
        .role_session_name("other")
        .web_identity_token(web_token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("AccessDenied"));
    let e = sts
        .assume_role_with_web_identity()
        .role_arn(AUTH_ROLE)
        .role_session_name("other")
        .web_identity_token(format!("{web_token}x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidIdentityToken"));
    // Requests are validated against the STS model, as STS does: a session
    // name must be 2 to 64 characters, a duration 900 to 43200 seconds.
    for (session_name, duration) in [("x", 3600), ("classic", 60)] {
        let e = sts
            .assume_role_with_web_identity()
            .role_arn(AUTH_ROLE)
            .role_session_name(session_name)
            .duration_seconds(duration)
            .web_identity_token(web_token)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            e.code(),
            Some("ValidationError"),
            "{session_name} {duration}"
        );
    }
    // With the classic flow off, the same token is refused.
    let d =
        w.ci.describe_identity_pool()
            .identity_pool_id(&w.identity_pool_id)
            .send()
            .await
            .unwrap();
    w.ci.update_identity_pool()
        .identity_pool_id(&w.identity_pool_id)
        .identity_pool_name(d.identity_pool_name())
        .allow_unauthenticated_identities(true)
        .allow_classic_flow(false)
        .developer_provider_name("login.example.app")
        .set_supported_login_providers(d.supported_login_providers().cloned())
        .set_cognito_identity_providers(d.cognito_identity_providers().to_vec().into())
        .send()
        .await
        .unwrap();
    let e = sts
        .assume_role_with_web_identity()
        .role_arn(AUTH_ROLE)
        .role_session_name("other")
        .web_identity_token(web_token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("AccessDenied"));
}

#[tokio::test]
async fn control_plane_round_trips_and_malformed_input() {
    let w = world(true, false).await;
    let d =
        w.ci.describe_identity_pool()
            .identity_pool_id(&w.identity_pool_id)
            .send()
            .await
            .unwrap();
    assert_eq!(d.identity_pool_name(), "ids");
    assert_eq!(d.developer_provider_name(), Some("login.example.app"));
    let listed =
        w.ci.list_identity_pools()
            .max_results(10)
            .send()
            .await
            .unwrap();
    assert_eq!(listed.identity_pools().len(), 1);
    let roles =
        w.ci.get_identity_pool_roles()
            .identity_pool_id(&w.identity_pool_id)
            .send()
            .await
            .unwrap();
    assert_eq!(roles.roles().unwrap()["authenticated"], AUTH_ROLE);
    let id = w.get_id(&[]).await.unwrap();
    w.ci.delete_identities()
        .identity_ids_to_delete(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        err(w
            .ci
            .describe_identity()
            .identity_id(&id)
            .send()
            .await
            .unwrap_err())
        .0,
        "ResourceNotFoundException"
    );
    w.ci.delete_identity_pool()
        .identity_pool_id(&w.identity_pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        w.get_id(&[]).await.unwrap_err().0,
        "ResourceNotFoundException"
    );

    // The same malformed-input rules as the user-pool API.
    for (op, body) in [
        ("GetId", "{"),
        ("GetId", r#"{"IdentityPoolId": 5}"#),
        ("GetId", r#"{"IdentityPoolId": "no-colon"}"#),
        ("GetCredentialsForIdentity", r#"{}"#),
        (
            "GetCredentialsForIdentity",
            r#"{"IdentityId": "us-east-1:x", "Logins": []}"#,
        ),
        ("Bogus", r#"{}"#),
    ] {
        let r = common::raw(
            w.mock.addr(),
            "POST",
            "/",
            &[
                ("content-type", "application/x-amz-json-1.1"),
                ("x-amz-target", &format!("AWSCognitoIdentityService.{op}")),
            ],
            body.as_bytes(),
        )
        .await;
        assert_eq!(r.status, 400, "{op} {body}");
        assert!(!r.error_type().is_empty());
    }
}
