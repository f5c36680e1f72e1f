// DefineAuthChallenge for a CUSTOM_AUTH sign-in: the password first when the
// client sent SRP_A (SRP_A, then PASSWORD_VERIFIER), then a captcha
// (CUSTOM_CHALLENGE) with three tries; tokens once it is answered right.
// The same file runs on AWS Lambda.
export const handler = async (event) => {
  const session = event.request.session;
  const last = session[session.length - 1];
  const captchas = session.filter((s) => s.challengeName === 'CUSTOM_CHALLENGE');
  if (event.request.userNotFound) {
    event.response.failAuthentication = true;
  } else if (last?.challengeName === 'SRP_A') {
    event.response.challengeName = 'PASSWORD_VERIFIER';
  } else if (last?.challengeName === 'PASSWORD_VERIFIER' && !last.challengeResult) {
    event.response.failAuthentication = true;
  } else if (last?.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult) {
    event.response.issueTokens = true;
  } else if (captchas.length >= 3) {
    event.response.failAuthentication = true;
  } else {
    event.response.challengeName = 'CUSTOM_CHALLENGE';
  }
  return event;
};
