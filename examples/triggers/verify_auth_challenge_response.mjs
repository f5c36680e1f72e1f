// VerifyAuthChallengeResponse: the client's answer against the one
// CreateAuthChallenge kept. The same file runs on AWS Lambda.
export const handler = async (event) => {
  const expected = event.request.privateChallengeParameters.answer;
  event.response.answerCorrect = event.request.challengeAnswer.trim() === expected;
  return event;
};
