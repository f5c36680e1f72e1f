// PreAuthentication: refuses users an administrator suspended
// (custom:suspended = "true") before any password is checked. The same file
// runs on AWS Lambda.
export const handler = async (event) => {
  if (event.request.userAttributes['custom:suspended'] === 'true') {
    throw new Error('This account is suspended');
  }
  return event;
};
