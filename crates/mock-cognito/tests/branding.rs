//! Managed-login branding through the official SDK: one style per app
//! client, kept and echoed as given (settings document and image assets),
//! with AWS's refusals.

mod common;

use aws_sdk_cognitoidentityprovider::primitives::Blob;
use aws_sdk_cognitoidentityprovider::types::{
    AssetCategoryType, AssetExtensionType, AssetType, ColorSchemeModeType,
};
use aws_smithy_types::Document;
use mock_cognito::MockCognito;

fn logo(bytes: &[u8]) -> AssetType {
    AssetType::builder()
        .category(AssetCategoryType::PageHeaderLogo)
        .color_mode(ColorSchemeModeType::Light)
        .extension(AssetExtensionType::Png)
        .bytes(Blob::new(bytes))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_branding_style_is_kept_per_client_and_echoed() {
    let mock = MockCognito::start().await.unwrap();
    let cip = common::user_pool_client(&mock.endpoint());
    let pool_id = cip
        .create_user_pool()
        .pool_name("branded")
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let client_id = cip
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    let settings = Document::Object(
        [(
            "components".to_owned(),
            Document::Object(
                [(
                    "pageBackground".to_owned(),
                    Document::String("#102030".to_owned()),
                )]
                .into(),
            ),
        )]
        .into(),
    );
    let png = b"\x89PNG\r\n\x1a\nnot-really-an-image";
    let created = cip
        .create_managed_login_branding()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .settings(settings.clone())
        .assets(logo(png))
        .send()
        .await
        .unwrap();
    let branding = created.managed_login_branding().unwrap();
    let id = branding.managed_login_branding_id().unwrap().to_owned();
    assert_eq!(branding.settings(), Some(&settings));
    assert_eq!(branding.assets()[0].bytes().unwrap().as_ref(), png);

    let again = cip
        .create_managed_login_branding()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .use_cognito_provided_values(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        common::sdk_error(again).0,
        "ManagedLoginBrandingExistsException"
    );

    let both = cip
        .update_managed_login_branding()
        .user_pool_id(&pool_id)
        .managed_login_branding_id(&id)
        .use_cognito_provided_values(true)
        .settings(settings.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(common::sdk_error(both).0, "InvalidParameterException");

    let by_client = cip
        .describe_managed_login_branding_by_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_client
            .managed_login_branding()
            .unwrap()
            .managed_login_branding_id(),
        Some(id.as_str())
    );
    let reset = cip
        .update_managed_login_branding()
        .user_pool_id(&pool_id)
        .managed_login_branding_id(&id)
        .use_cognito_provided_values(true)
        .send()
        .await
        .unwrap();
    let reset = reset.managed_login_branding().unwrap();
    assert!(reset.use_cognito_provided_values());
    assert!(reset.assets().is_empty() && reset.settings().is_none());

    cip.delete_managed_login_branding()
        .user_pool_id(&pool_id)
        .managed_login_branding_id(&id)
        .send()
        .await
        .unwrap();
    let gone = cip
        .describe_managed_login_branding()
        .user_pool_id(&pool_id)
        .managed_login_branding_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(common::sdk_error(gone).0, "ResourceNotFoundException");
}
