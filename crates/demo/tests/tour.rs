//! The offline tour against its embedded mock: every flow proves its
//! credentials with STS, and no secret is shown whole.

#[tokio::test]
async fn the_demo_tour_proves_every_flow_and_shows_no_secret_whole() {
    use cognito_flows::observe::{CallObserver, CallRecord};
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Transcript(Arc<Mutex<Vec<CallRecord>>>);
    impl CallObserver for Transcript {
        fn observe(&self, call: &CallRecord) {
            self.0.lock().unwrap().push(call.clone());
        }
    }

    let calls = Transcript::default();
    let said = Mutex::new(Vec::new());
    let outcomes = cogkit_demo::tour(calls.clone(), |line| {
        said.lock().unwrap().push(line.to_owned())
    })
    .await
    .unwrap();
    let flows: Vec<_> = outcomes.iter().map(|o| o.flow).collect();
    assert_eq!(
        flows,
        [
            "1. unauthenticated",
            "2. user-pool federation (SRP)",
            "3. hosted UI: Facebook",
            "3. hosted UI: Login with Amazon",
            "4. direct IdP: Facebook",
            "4. direct IdP: Login with Amazon",
            "classic flow (STS)",
        ]
    );
    assert!(outcomes.iter().all(|o| o.ok), "{outcomes:?}");
    assert_eq!(outcomes[0].role, "ExampleGuest");
    assert_eq!(outcomes[1].role, "ExampleAdmins", "alice's group role");
    assert!(outcomes[2].identity_id.starts_with("ap-northeast-1:"));
    let said = said.into_inner().unwrap();
    assert!(said[0].starts_with("cogkit demo"), "{said:?}");
    assert!(!said.iter().any(|l| l.starts_with("failed")), "{said:?}");

    let calls = calls.0.lock().unwrap();
    let operations: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    for expected in [
        "GetId",
        "InitiateAuth (USER_SRP_AUTH)",
        "GET /example/oauth2/authorize (in the browser)",
        "POST /example/oauth2/token (grant_type=authorization_code)",
        "AssumeRoleWithWebIdentity",
        "GetCallerIdentity (STS, signed with those credentials)",
    ] {
        assert!(
            operations.contains(&expected),
            "{expected} in {operations:?}"
        );
    }
    for call in calls.iter() {
        let (Ok(answer) | Err(answer)) = &call.outcome;
        for line in serde_json::to_string_pretty(answer).unwrap().lines() {
            if line.contains("Token\":") || line.contains("_token\":") {
                assert!(line.contains("…(") || line.contains("null"), "{line}");
            }
        }
    }
}
