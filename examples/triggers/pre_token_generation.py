# PreTokenGeneration (event version 2, LambdaVersion V2_0): a tenant claim in
# both tokens, the email left out of the ID token, and the access token's
# scopes narrowed to an API scope. The same file runs on AWS Lambda.
def handler(event, context):
    tenant = event["request"]["userAttributes"].get("custom:tenant", "default")
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "idTokenGeneration": {
            "claimsToAddOrOverride": {"tenant": tenant},
            "claimsToSuppress": ["email"],
        },
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {"tenant": tenant},
            "scopesToAdd": ["https://api.example.com/read"],
            "scopesToSuppress": ["aws.cognito.signin.user.admin"],
        },
    }
    return event
