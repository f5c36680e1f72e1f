"""PostConfirmation: the app's own user row, made once the user is
confirmed (sign-up, password reset, a federated first sign-in). Here the
"database" is a JSON-lines file named by APP_USERS_FILE (skipped when it is
not set). The same file runs on AWS Lambda."""

import json
import os


def handler(event, context):
    attributes = event["request"]["userAttributes"]
    row = {
        "sub": attributes["sub"],
        "email": attributes.get("email"),
        "source": event["triggerSource"],
    }
    print(f"PostConfirmation: row for {event['userName']}")
    if os.environ.get("APP_USERS_FILE"):
        with open(os.environ["APP_USERS_FILE"], "a") as f:
            f.write(json.dumps(row) + "\n")
    return event
