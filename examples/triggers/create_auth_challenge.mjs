// CreateAuthChallenge: a captcha. The client is shown the question
// (publicChallengeParameters); the answer stays with Cognito
// (privateChallengeParameters) for VerifyAuthChallengeResponse.
// The same file runs on AWS Lambda.
import { randomInt } from 'node:crypto';

export const handler = async (event) => {
  const a = randomInt(2, 10);
  const b = randomInt(2, 10);
  event.response.publicChallengeParameters = { captcha: `${a} + ${b}` };
  event.response.privateChallengeParameters = { answer: String(a + b) };
  event.response.challengeMetadata = `CAPTCHA-${event.request.session.length}`;
  return event;
};
