# PreSignUp: only example.com addresses may sign up; they are confirmed and
# their email verified at once (no confirmation code). The same file runs on
# AWS Lambda (Python runtime) unchanged.
def handler(event, context):
    email = event["request"]["userAttributes"].get("email", "")
    if not email.endswith("@example.com"):
        raise Exception("Only example.com addresses may sign up")
    event["response"]["autoConfirmUser"] = True
    event["response"]["autoVerifyEmail"] = True
    return event
