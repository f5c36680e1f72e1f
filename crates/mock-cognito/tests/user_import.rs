//! User import jobs driven by the official SDK: the CSV header, a job, the
//! upload to its pre-signed URL, the run, and imported users who must reset
//! their passwords before they can sign in.

mod common;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, SchemaAttributeType, UserImportJobStatusType,
    UserStatusType, VerifiedAttributeType,
};
use mock_cognito::MockCognito;

struct World {
    mock: MockCognito,
    cip: Client,
    pool_id: String,
    client_id: String,
}

async fn world() -> World {
    let mock = MockCognito::start().await.unwrap();
    let cip = common::user_pool_client(&mock.endpoint());
    let pool = cip
        .create_user_pool()
        .pool_name("import")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .schema(
            SchemaAttributeType::builder()
                .name("tenant")
                .attribute_data_type("String".into())
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let client = cip
        .create_user_pool_client()
        .user_pool_id(&pool_id)
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
    World {
        mock,
        cip,
        pool_id,
        client_id,
    }
}

impl World {
    async fn header(&self) -> Vec<String> {
        self.cip
            .get_csv_header()
            .user_pool_id(&self.pool_id)
            .send()
            .await
            .unwrap()
            .csv_header()
            .to_vec()
    }

    /// A created job: (JobId, PreSignedUrl).
    async fn job(&self, name: &str) -> (String, String) {
        let created = self
            .cip
            .create_user_import_job()
            .user_pool_id(&self.pool_id)
            .job_name(name)
            .cloud_watch_logs_role_arn("arn:aws:iam::123456789012:role/CognitoImport")
            .send()
            .await
            .unwrap();
        let job = created.user_import_job().unwrap();
        assert_eq!(job.status(), Some(&UserImportJobStatusType::Created));
        (
            job.job_id().unwrap().to_owned(),
            job.pre_signed_url().unwrap().to_owned(),
        )
    }

    async fn run(&self, job_id: &str) -> aws_sdk_cognitoidentityprovider::types::UserImportJobType {
        let started = self
            .cip
            .start_user_import_job()
            .user_pool_id(&self.pool_id)
            .job_id(job_id)
            .send()
            .await
            .unwrap();
        assert_eq!(
            started.user_import_job().unwrap().status(),
            Some(&UserImportJobStatusType::Pending)
        );
        self.cip
            .describe_user_import_job()
            .user_pool_id(&self.pool_id)
            .job_id(job_id)
            .send()
            .await
            .unwrap()
            .user_import_job()
            .unwrap()
            .clone()
    }
}

/// A CSV row in the header's order from (column, value) pairs.
fn row(header: &[String], values: &[(&str, &str)]) -> String {
    header
        .iter()
        .map(|c| {
            let v = values.iter().find(|(k, _)| k == c).map(|(_, v)| *v);
            match v {
                Some(v) if v.contains(',') => format!("\"{v}\""),
                Some(v) => v.to_owned(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

async fn put(url: &str, body: String) -> u16 {
    reqwest::Client::new()
        .put(url)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_header_lists_standard_then_cognito_then_custom_columns() {
    let w = world().await;
    let header = w.header().await;
    assert_eq!(header.first().map(String::as_str), Some("name"));
    assert!(!header.contains(&"sub".to_owned()));
    let at = |c: &str| header.iter().position(|h| h == c).unwrap();
    assert_eq!(at("cognito:username"), at("cognito:mfa_enabled") + 1);
    assert_eq!(header.last().map(String::as_str), Some("custom:tenant"));
}

#[tokio::test]
async fn imported_users_reset_their_passwords_then_sign_in() {
    let w = world().await;
    let header = w.header().await;
    let (job_id, url) = w.job("first").await;
    let mut csv = header.join(",");
    for line in [
        row(
            &header,
            &[
                ("cognito:username", "ann"),
                ("cognito:mfa_enabled", "false"),
                ("email", "ann@example.com"),
                ("email_verified", "true"),
                ("address", "1 Main St, Springfield"),
                ("custom:tenant", "acme"),
            ],
        ),
        // No verified auto-verified attribute: refused.
        row(
            &header,
            &[
                ("cognito:username", "ben"),
                ("cognito:mfa_enabled", "false"),
                ("email", "ben@example.com"),
                ("email_verified", "false"),
            ],
        ),
        // A column that is not in the schema's type: updated_at is a number.
        row(
            &header,
            &[
                ("cognito:username", "cat"),
                ("cognito:mfa_enabled", "false"),
                ("email", "cat@example.com"),
                ("email_verified", "true"),
                ("updated_at", "yesterday"),
            ],
        ),
    ] {
        csv.push('\n');
        csv.push_str(&line);
    }
    // A tampered signature is refused; the real one is taken.
    let tampered = format!("{}0", url);
    assert_eq!(put(&tampered, csv.clone()).await, 403);
    assert_eq!(put(&url, csv).await, 200);
    let job = w.run(&job_id).await;
    assert_eq!(
        job.status(),
        Some(&UserImportJobStatusType::Succeeded),
        "{job:?}"
    );
    assert_eq!(
        (job.imported_users(), job.failed_users()),
        (1, 2),
        "{job:?}"
    );
    assert!(job.pre_signed_url().is_none());
    // A started job takes no other file.
    assert_eq!(put(&url, header.join(",")).await, 409);

    let ann = w
        .cip
        .admin_get_user()
        .user_pool_id(&w.pool_id)
        .username("ann")
        .send()
        .await
        .unwrap();
    assert_eq!(ann.user_status(), Some(&UserStatusType::ResetRequired));
    let attr = |n: &str| {
        ann.user_attributes()
            .iter()
            .find(|a| a.name() == n)
            .and_then(|a| a.value())
            .map(str::to_owned)
    };
    assert_eq!(attr("custom:tenant").as_deref(), Some("acme"));
    assert_eq!(attr("address").as_deref(), Some("1 Main St, Springfield"));
    assert!(attr("sub").is_some());
    assert!(
        w.cip
            .admin_get_user()
            .user_pool_id(&w.pool_id)
            .username("ben")
            .send()
            .await
            .is_err()
    );

    // RESET_REQUIRED: sign-in says so; a reset through the emailed code works.
    let sign_in = |password: &'static str| {
        w.cip
            .initiate_auth()
            .client_id(&w.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "ann")
            .auth_parameters("PASSWORD", password)
            .send()
    };
    let refused = common::sdk_error(sign_in("Whatever1!").await.unwrap_err());
    assert_eq!(refused.0, "PasswordResetRequiredException", "{refused:?}");
    w.cip
        .forgot_password()
        .client_id(&w.client_id)
        .username("ann")
        .send()
        .await
        .unwrap();
    let code = w
        .mock
        .verification_codes(Some(&w.pool_id), Some("ann"))
        .last()
        .unwrap()
        .code
        .clone();
    w.cip
        .confirm_forgot_password()
        .client_id(&w.client_id)
        .username("ann")
        .confirmation_code(code)
        .password("N3w-Passw0rd!")
        .send()
        .await
        .unwrap();
    let tokens = sign_in("N3w-Passw0rd!").await.unwrap();
    assert!(tokens.authentication_result().unwrap().id_token().is_some());
}

#[tokio::test]
async fn a_job_without_a_file_or_with_a_wrong_header_fails_and_says_why() {
    let w = world().await;
    let (no_file, _) = w.job("empty").await;
    let job = w.run(&no_file).await;
    assert_eq!(job.status(), Some(&UserImportJobStatusType::Failed));
    assert!(
        job.completion_message().unwrap().contains("No CSV"),
        "{job:?}"
    );

    let (bad_header, url) = w.job("bad").await;
    assert_eq!(
        put(&url, "cognito:username,bogus\nann,x".to_owned()).await,
        200
    );
    let job = w.run(&bad_header).await;
    assert_eq!(job.status(), Some(&UserImportJobStatusType::Failed));
    let message = job.completion_message().unwrap();
    assert!(
        message.contains("bogus") && message.contains("cognito:mfa_enabled"),
        "{message}"
    );

    // Started twice, stopped when finished, unknown: errors in AWS's shape.
    let again = w
        .cip
        .start_user_import_job()
        .user_pool_id(&w.pool_id)
        .job_id(&bad_header)
        .send()
        .await
        .unwrap_err();
    assert_eq!(common::sdk_error(again).0, "InvalidParameterException");
    let stop = w
        .cip
        .stop_user_import_job()
        .user_pool_id(&w.pool_id)
        .job_id(&bad_header)
        .send()
        .await
        .unwrap_err();
    assert_eq!(common::sdk_error(stop).0, "InvalidParameterException");
    let unknown = w
        .cip
        .describe_user_import_job()
        .user_pool_id(&w.pool_id)
        .job_id("import-000000000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(common::sdk_error(unknown).0, "ResourceNotFoundException");

    let listed = w
        .cip
        .list_user_import_jobs()
        .user_pool_id(&w.pool_id)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.user_import_jobs().len(), 1);
    assert!(listed.pagination_token().is_some());
}
