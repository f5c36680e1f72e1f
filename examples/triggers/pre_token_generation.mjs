// PreTokenGeneration (event version 2, LambdaVersion V2_0): a tenant claim in
// both tokens, the email left out of the ID token, and the access token's
// scopes narrowed to an API scope. The same file runs on AWS Lambda.
export const handler = async (event) => {
  const tenant = event.request.userAttributes['custom:tenant'] ?? 'default';
  event.response.claimsAndScopeOverrideDetails = {
    idTokenGeneration: {
      claimsToAddOrOverride: { tenant },
      claimsToSuppress: ['email'],
    },
    accessTokenGeneration: {
      claimsToAddOrOverride: { tenant },
      scopesToAdd: ['https://api.example.com/read'],
      scopesToSuppress: ['aws.cognito.signin.user.admin'],
    },
  };
  return event;
};
