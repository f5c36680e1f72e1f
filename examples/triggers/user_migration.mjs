// UserMigration: moves users from a legacy store on their first sign-in
// (with their password) or password reset. The legacy store here is an
// object; in production it is your old database or identity provider. The
// same file runs on AWS Lambda.
import { createHash } from 'node:crypto';

const sha256 = (s) => createHash('sha256').update(s).digest('hex');
// username -> the sha256 of the password, and the email
const LEGACY = { 'legacy-lee': { digest: sha256('Legacy-Passw0rd!'), email: 'lee@example.com' } };

export const handler = async (event) => {
  const known = LEGACY[event.userName];
  if (!known) throw new Error('User does not exist');
  if (event.triggerSource === 'UserMigration_Authentication') {
    if (sha256(event.request.password) !== known.digest) throw new Error('Bad password');
    event.response.finalUserStatus = 'CONFIRMED';
  }
  event.response.userAttributes = { email: known.email, email_verified: 'true' };
  event.response.messageAction = 'SUPPRESS';
  return event;
};
