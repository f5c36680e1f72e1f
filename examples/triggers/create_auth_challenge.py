"""CreateAuthChallenge: a captcha. The client is shown the question
(publicChallengeParameters); the answer stays with Cognito
(privateChallengeParameters) for VerifyAuthChallengeResponse.
The same file runs on AWS Lambda."""

import secrets


def handler(event, context):
    a = 2 + secrets.randbelow(8)
    b = 2 + secrets.randbelow(8)
    event["response"]["publicChallengeParameters"] = {"captcha": f"{a} + {b}"}
    event["response"]["privateChallengeParameters"] = {"answer": str(a + b)}
    event["response"]["challengeMetadata"] = f"CAPTCHA-{len(event['request']['session'])}"
    return event
