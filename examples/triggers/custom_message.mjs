// CustomMessage: the app's own wording for the codes Cognito sends. The
// message must carry the code placeholder (codeParameter, "{####}"); an
// invitation also gets the username's (usernameParameter). The same file
// runs on AWS Lambda.
export const handler = async (event) => {
  const { request, response, triggerSource } = event;
  const code = request.codeParameter;
  if (triggerSource === 'CustomMessage_SignUp' || triggerSource === 'CustomMessage_ResendCode') {
    response.emailSubject = 'Welcome to Example';
    response.emailMessage = `Your Example sign-up code is ${code}.`;
    response.smsMessage = `Example code: ${code}`;
  } else if (triggerSource === 'CustomMessage_ForgotPassword') {
    response.emailSubject = 'Reset your Example password';
    response.emailMessage = `Use ${code} to choose a new password.`;
  } else if (triggerSource === 'CustomMessage_AdminCreateUser') {
    response.emailSubject = 'Your Example account';
    response.emailMessage = `Sign in as ${request.usernameParameter} with the temporary password ${code}.`;
  }
  return event;
};
