// CustomEmailSender: Cognito hands the handler the code encrypted under the
// pool's KMS key (LambdaConfig.KMSKeyID) as an AWS Encryption SDK message;
// the handler decrypts it with the SDK's KMS keyring and sends it its own
// way. The same file runs on AWS Lambda (with @aws-crypto/client-node in
// its bundle); against mock-cognito the keyring's KMS calls reach the mock
// (it sets AWS_ENDPOINT_URL_KMS for the handlers it runs).
//
// "Sending" here appends {userName, triggerSource, code} to the file named
// by SENT_CODES_FILE, so a test can read what a user would have received.
const { appendFileSync } = require('node:fs');
const { buildClient, CommitmentPolicy, KmsKeyringNode } = require('@aws-crypto/client-node');

const { decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
// Discovery: any KMS key this function may use. In production, pin the
// pool's key with { keyIds: [process.env.KEY_ARN] }.
const keyring = new KmsKeyringNode({ discovery: true });

exports.handler = async (event) => {
  const { plaintext } = await decrypt(keyring, Buffer.from(event.request.code, 'base64'));
  const sent = {
    userName: event.userName,
    triggerSource: event.triggerSource,
    email: event.request.userAttributes.email,
    code: plaintext.toString('utf8'),
  };
  if (process.env.SENT_CODES_FILE) {
    appendFileSync(process.env.SENT_CODES_FILE, `${JSON.stringify(sent)}\n`);
  }
  return event;
};
