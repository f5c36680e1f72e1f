// PostAuthentication: an audit line per passed sign-in (to the log, as
// CloudWatch would keep it). Throwing here would refuse the sign-in. The
// same file runs on AWS Lambda.
export const handler = async (event) => {
  const device = event.request.newDeviceUsed ? 'a new device' : 'a known device';
  console.log(`sign-in: ${event.userName} on ${event.callerContext.clientId} from ${device}`);
  return event;
};
