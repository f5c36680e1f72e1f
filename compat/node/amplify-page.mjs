// The browser side of amplify-browser.mjs: Amplify v6, bundled by esbuild
// into a page's script as an app would ship it, with each step the driver
// runs exposed on `window.app`. Everything here runs in Chromium: Amplify's
// own storage (localStorage), its crypto (WebCrypto) and, for passkeys,
// `navigator.credentials` answered by a CDP virtual authenticator.

import { Amplify } from 'aws-amplify';
import {
  associateWebAuthnCredential, autoSignIn, confirmSignIn, confirmSignUp, fetchAuthSession,
  listWebAuthnCredentials, rememberDevice, signIn, signOut, signUp,
} from 'aws-amplify/auth';

// An AuthError as plain data: the driver compares names.
const failure = (e) => ({ error: e?.name ?? 'Error', message: e?.message ?? String(e) });
const attempt = (fn) => async (...args) => {
  try {
    return await fn(...args);
  } catch (e) {
    return failure(e);
  }
};

window.app = {
  configure: (config) => {
    Amplify.configure({ Auth: { Cognito: config } });
    return true;
  },
  signUp: attempt((username, email) => signUp({
    username,
    options: { userAttributes: { email }, autoSignIn: { authFlowType: 'USER_AUTH' } },
  })),
  confirmSignUp: attempt((username, confirmationCode) => confirmSignUp({ username, confirmationCode })),
  autoSignIn: attempt(() => autoSignIn()),
  signIn: attempt((input) => signIn(input)),
  confirmSignIn: attempt((challengeResponse) => confirmSignIn({ challengeResponse })),
  associatePasskey: attempt(async () => {
    await associateWebAuthnCredential();
    return true;
  }),
  passkeys: attempt(async () => (await listWebAuthnCredentials()).credentials),
  rememberDevice: attempt(async () => {
    await rememberDevice();
    return true;
  }),
  session: attempt(async () => {
    const s = await fetchAuthSession();
    return {
      username: s.tokens?.idToken?.payload?.['cognito:username'],
      deviceKey: s.tokens?.accessToken?.payload?.device_key,
      identityId: s.identityId,
      accessKeyId: s.credentials?.accessKeyId,
    };
  }),
  signOut: attempt(async () => {
    await signOut();
    return true;
  }),
};
