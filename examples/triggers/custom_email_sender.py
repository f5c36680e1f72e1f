"""CustomEmailSender: Cognito hands the handler the code encrypted under the
pool's KMS key (LambdaConfig.KMSKeyID) as an AWS Encryption SDK message; the
handler decrypts it with the SDK's KMS key provider and sends it its own
way. The same file runs on AWS Lambda (with aws-encryption-sdk in its
package); against mock-cognito, the provider's KMS calls reach the mock (it
sets AWS_ENDPOINT_URL_KMS for the handlers it runs).

"Sending" here appends {userName, triggerSource, code} to the file named by
SENT_CODES_FILE, so a test can read what a user would have received."""

import base64
import json
import os

import aws_encryption_sdk
from aws_encryption_sdk import CommitmentPolicy

CLIENT = aws_encryption_sdk.EncryptionSDKClient(
    commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT
)
# Discovery: any KMS key this function may use. In production, pin the
# pool's key with StrictAwsKmsMasterKeyProvider(key_ids=[os.environ["KEY_ARN"]]).
KEYS = aws_encryption_sdk.DiscoveryAwsKmsMasterKeyProvider()


def handler(event, context):
    plaintext, _header = CLIENT.decrypt(
        source=base64.b64decode(event["request"]["code"]), key_provider=KEYS
    )
    sent = {
        "userName": event["userName"],
        "triggerSource": event["triggerSource"],
        "email": event["request"]["userAttributes"].get("email"),
        "code": plaintext.decode(),
    }
    if os.environ.get("SENT_CODES_FILE"):
        with open(os.environ["SENT_CODES_FILE"], "a") as f:
            f.write(json.dumps(sent) + "\n")
    return event
