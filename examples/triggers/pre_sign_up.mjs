// PreSignUp: only example.com addresses may sign up; they are confirmed and
// their email verified at once (no confirmation code). The same file runs on
// AWS Lambda (Node.js runtime) unchanged.
export const handler = async (event) => {
  const email = event.request.userAttributes.email ?? '';
  if (!email.endsWith('@example.com')) {
    throw new Error('Only example.com addresses may sign up');
  }
  event.response.autoConfirmUser = true;
  event.response.autoVerifyEmail = true;
  return event;
};
