"""PreSignUp for the Terraform-declared pool: lets every user through and
records each event (one JSON line in pre_sign_up.py.events.jsonl), so that
`cargo xtask terraform` can check the ARN in lambda_config ran here."""

import json


def handler(event, context):
    with open(__file__ + ".events.jsonl", "a") as f:
        f.write(json.dumps(event) + "\n")
    return event
