// CustomSMSSender: as custom_email_sender.js, for codes Cognito would send
// by SMS (sign-up, MFA, password reset to a phone number). The same file
// runs on AWS Lambda; "sending" appends to SENT_CODES_FILE.
const { appendFileSync } = require('node:fs');
const { buildClient, CommitmentPolicy, KmsKeyringNode } = require('@aws-crypto/client-node');

const { decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
const keyring = new KmsKeyringNode({ discovery: true });

exports.handler = async (event) => {
  const { plaintext } = await decrypt(keyring, Buffer.from(event.request.code, 'base64'));
  const sent = {
    userName: event.userName,
    triggerSource: event.triggerSource,
    phone: event.request.userAttributes.phone_number,
    code: plaintext.toString('utf8'),
  };
  if (process.env.SENT_CODES_FILE) {
    appendFileSync(process.env.SENT_CODES_FILE, `${JSON.stringify(sent)}\n`);
  }
  return event;
};
