// PostConfirmation: the app's own user row, made once the user is confirmed
// (sign-up, password reset, a federated first sign-in). Here the "database"
// is a JSON-lines file named by APP_USERS_FILE (skipped when it is not set).
// The same file runs on AWS Lambda.
import { appendFileSync } from 'node:fs';

export const handler = async (event) => {
  const attributes = event.request.userAttributes;
  const row = { sub: attributes.sub, email: attributes.email, source: event.triggerSource };
  console.log(`PostConfirmation: row for ${event.userName}`);
  if (process.env.APP_USERS_FILE) appendFileSync(process.env.APP_USERS_FILE, `${JSON.stringify(row)}\n`);
  return event;
};
