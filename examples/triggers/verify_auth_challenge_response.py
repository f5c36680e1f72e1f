"""VerifyAuthChallengeResponse: the client's answer against the one
CreateAuthChallenge kept. The same file runs on AWS Lambda."""


def handler(event, context):
    expected = event["request"]["privateChallengeParameters"]["answer"]
    event["response"]["answerCorrect"] = event["request"]["challengeAnswer"].strip() == expected
    return event
