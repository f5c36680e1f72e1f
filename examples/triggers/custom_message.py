"""CustomMessage: the app's own wording for the codes Cognito sends. The
message must carry the code placeholder (codeParameter, "{####}"); an
invitation also gets the username's (usernameParameter). The same file runs
on AWS Lambda."""


def handler(event, context):
    request, response = event["request"], event["response"]
    code = request["codeParameter"]
    source = event["triggerSource"]
    if source in ("CustomMessage_SignUp", "CustomMessage_ResendCode"):
        response["emailSubject"] = "Welcome to Example"
        response["emailMessage"] = f"Your Example sign-up code is {code}."
        response["smsMessage"] = f"Example code: {code}"
    elif source == "CustomMessage_ForgotPassword":
        response["emailSubject"] = "Reset your Example password"
        response["emailMessage"] = f"Use {code} to choose a new password."
    elif source == "CustomMessage_AdminCreateUser":
        response["emailSubject"] = "Your Example account"
        response["emailMessage"] = (
            f"Sign in as {request['usernameParameter']} with the temporary password {code}."
        )
    return event
