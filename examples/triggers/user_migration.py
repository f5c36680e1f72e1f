"""UserMigration: moves users from a legacy store on their first sign-in
(with their password) or password reset. The legacy store here is a dict;
in production it is your old database or identity provider. The same file
runs on AWS Lambda."""

import hashlib

# username -> (sha256 of the password, email)
LEGACY = {
    "legacy-lee": (hashlib.sha256(b"Legacy-Passw0rd!").hexdigest(), "lee@example.com"),
}


def handler(event, context):
    known = LEGACY.get(event["userName"])
    if known is None:
        raise Exception("User does not exist")
    digest, email = known
    if event["triggerSource"] == "UserMigration_Authentication":
        if hashlib.sha256(event["request"]["password"].encode()).hexdigest() != digest:
            raise Exception("Bad password")
        event["response"]["finalUserStatus"] = "CONFIRMED"
    event["response"]["userAttributes"] = {"email": email, "email_verified": "true"}
    event["response"]["messageAction"] = "SUPPRESS"
    return event
