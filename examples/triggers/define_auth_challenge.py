"""DefineAuthChallenge for a CUSTOM_AUTH sign-in: the password first when the
client sent SRP_A (SRP_A, then PASSWORD_VERIFIER), then a captcha
(CUSTOM_CHALLENGE) with three tries; tokens once it is answered right.
The same file runs on AWS Lambda."""


def handler(event, context):
    session = event["request"]["session"]
    last = session[-1] if session else {}
    captchas = [s for s in session if s["challengeName"] == "CUSTOM_CHALLENGE"]
    response = event["response"]
    if event["request"].get("userNotFound"):
        response["failAuthentication"] = True
    elif last.get("challengeName") == "SRP_A":
        response["challengeName"] = "PASSWORD_VERIFIER"
    elif last.get("challengeName") == "PASSWORD_VERIFIER" and not last["challengeResult"]:
        response["failAuthentication"] = True
    elif last.get("challengeName") == "CUSTOM_CHALLENGE" and last["challengeResult"]:
        response["issueTokens"] = True
    elif len(captchas) >= 3:
        response["failAuthentication"] = True
    else:
        response["challengeName"] = "CUSTOM_CHALLENGE"
    return event
