"""PreAuthentication: refuses users an administrator suspended
(custom:suspended = "true") before any password is checked. The same file
runs on AWS Lambda."""


def handler(event, context):
    if event["request"]["userAttributes"].get("custom:suspended") == "true":
        raise Exception("This account is suspended")
    return event
