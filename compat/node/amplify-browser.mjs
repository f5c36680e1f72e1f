// Amplify v6 in a real browser (headless Chromium, driven by playwright-core)
// against mock-cognito: a small page (amplify-page.mjs, bundled here by
// esbuild as an app's build would) served from http://localhost, signing up
// without a password, signing in with an emailed code, registering a passkey
// and signing in with it through a CDP virtual authenticator, a tampered
// assertion and a foreign origin refused by the mock, a remembered device
// proven on the next sign-in, and AWS credentials from an identity pool.
//
// Run by `cargo xtask browser` after hosted-ui-browser.mjs, with
// MOCK_ENDPOINT set. Prints PASS/FAIL per step and `N passed, M failed`;
// exits non-zero on failure.

import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminListDevicesCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CognitoIdentityClient, CreateIdentityPoolCommand, SetIdentityPoolRolesCommand,
} from '@aws-sdk/client-cognito-identity';
import { build } from 'esbuild';
import { launchChromium } from './chromium.mjs';

const endpoint = process.env.MOCK_ENDPOINT;
const region = 'ap-northeast-1';
const admin = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x'.repeat(40) };
const here = dirname(fileURLToPath(import.meta.url));

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) {
    passed += 1;
    console.log(`PASS amplify-browser: ${name}`);
  } else {
    failed += 1;
    console.log(`FAIL amplify-browser: ${name}${detail ? `: ${JSON.stringify(detail)}` : ''}`);
  }
}

// The pool a modern front end signs in to: choice-based sign-in with email
// codes and passkeys (the relying party is the page's host), remembered
// devices, and an identity pool trusting it.
const idp = new CognitoIdentityProviderClient({ region, endpoint, credentials: admin });
const identity = new CognitoIdentityClient({ region, endpoint, credentials: admin });
const pool = (await idp.send(new CreateUserPoolCommand({
  PoolName: 'amplify-browser',
  AutoVerifiedAttributes: ['email'],
  Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'WEB_AUTHN'] } },
  DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
}))).UserPool.Id;
await idp.send(new SetUserPoolMfaConfigCommand({
  UserPoolId: pool, MfaConfiguration: 'OFF',
  WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'required' },
}));
const client = (await idp.send(new CreateUserPoolClientCommand({
  UserPoolId: pool, ClientName: 'amplify-browser',
  ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
}))).UserPoolClient.ClientId;
const identityPool = (await identity.send(new CreateIdentityPoolCommand({
  IdentityPoolName: 'amplify_browser', AllowUnauthenticatedIdentities: false,
  CognitoIdentityProviders: [{ ProviderName: `cognito-idp.${region}.amazonaws.com/${pool}`, ClientId: client }],
}))).IdentityPoolId;
await identity.send(new SetIdentityPoolRolesCommand({
  IdentityPoolId: identityPool, Roles: { authenticated: 'arn:aws:iam::123456789012:role/amplify-browser' },
}));
await idp.send(new AdminCreateUserCommand({ UserPoolId: pool, Username: 'bo', MessageAction: 'SUPPRESS' }));
await idp.send(new AdminSetUserPasswordCommand({
  UserPoolId: pool, Username: 'bo', Password: 'Bo-Passw0rd!', Permanent: true,
}));

async function outboxCode(username, purpose) {
  const q = new URLSearchParams({ user_pool_id: pool, username });
  const { codes } = await (await fetch(`${endpoint}/_mock/codes?${q}`)).json();
  return codes.filter((c) => c.purpose === purpose).at(-1)?.code;
}

// The page: Amplify bundled for the browser, served from localhost (a secure
// context, so WebAuthn is available; the relying party id is its host).
const bundle = await build({
  entryPoints: [join(here, 'amplify-page.mjs')],
  bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'error',
});
const script = bundle.outputFiles[0].text;
const server = createServer((req, res) => {
  if (req.url === '/app.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
  } else {
    res.writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>amplify</title><script type="module" src="/app.js"></script>');
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://localhost:${server.address().port}`;

const browser = await launchChromium();

try {
  const context = await browser.newContext();
  const page = await context.newPage();
  // A platform authenticator that keeps resident keys and verifies the user.
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => !!window.app);
  const app = (name, ...args) => page.evaluate(([n, a]) => window.app[n](...a), [name, args]);
  await app('configure', {
    userPoolId: pool, userPoolClientId: client, userPoolEndpoint: endpoint,
    identityPoolId: identityPool, identityPoolEndpoint: endpoint,
  });

  // 1. Passwordless sign-up, confirmed with the emailed code, then autoSignIn.
  const up = await app('signUp', 'amber', 'amber@example.com');
  check('signUp without a password asks for the confirmation code', up.nextStep?.signUpStep === 'CONFIRM_SIGN_UP', up);
  const confirmed = await app('confirmSignUp', 'amber', await outboxCode('amber', 'SIGN_UP'));
  check('confirmSignUp hands over to autoSignIn', confirmed.nextStep?.signUpStep === 'COMPLETE_AUTO_SIGN_IN', confirmed);
  const auto = await app('autoSignIn');
  check('autoSignIn signs amber in with ConfirmSignUp\'s session', auto.isSignedIn === true, auto);

  // 2. A passkey registered through Amplify and the virtual authenticator.
  const associated = await app('associatePasskey');
  check('associateWebAuthnCredential registers a passkey', associated === true, associated);
  const listed = await app('passkeys');
  check('listWebAuthnCredentials shows it for the relying party localhost',
    Array.isArray(listed) && listed.length === 1 && listed[0].relyingPartyId === 'localhost', listed);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  check('the authenticator holds the resident credential', credentials.length === 1 && credentials[0].isResidentCredential);
  await app('signOut');

  // 3. Sign-in with an emailed code.
  const otp = await app('signIn', { username: 'amber', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
  check('USER_AUTH with EMAIL_OTP asks for the emailed code', otp.nextStep?.signInStep === 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', otp);
  const otpDone = await app('confirmSignIn', await outboxCode('amber', 'EMAIL_OTP'));
  check('confirmSignIn with the code signs in', otpDone.isSignedIn === true, otpDone);
  await app('signOut');

  // 4. The mock refuses a tampered assertion and a foreign origin: the
  //    browser's own answer is rewritten on its way to the mock.
  const viaPasskey = { username: 'amber', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } };
  const rewriteAssertion = (change) => page.route(`${endpoint}/**`, async (route) => {
    const body = route.request().postDataJSON?.() ?? null;
    if (body?.ChallengeName !== 'WEB_AUTHN') return route.continue();
    const credential = JSON.parse(body.ChallengeResponses.CREDENTIAL);
    change(credential.response);
    body.ChallengeResponses.CREDENTIAL = JSON.stringify(credential);
    return route.continue({ postData: JSON.stringify(body) });
  });
  await rewriteAssertion((response) => {
    const signature = Buffer.from(response.signature, 'base64url');
    signature[signature.length - 1] ^= 1;
    response.signature = signature.toString('base64url');
  });
  const tampered = await app('signIn', viaPasskey);
  check('a tampered passkey signature is refused', tampered.error === 'NotAuthorizedException', tampered);
  await page.unrouteAll();
  await rewriteAssertion((response) => {
    const clientData = JSON.parse(Buffer.from(response.clientDataJSON, 'base64url'));
    clientData.origin = 'https://evil.example.com';
    response.clientDataJSON = Buffer.from(JSON.stringify(clientData)).toString('base64url');
  });
  const foreign = await app('signIn', viaPasskey);
  check('an assertion from another origin is refused', foreign.error === 'WebAuthnOriginNotAllowedException', foreign);
  await page.unrouteAll();

  // 5. The passkey signs in.
  const passkey = await app('signIn', viaPasskey);
  check('signIn with USER_AUTH and WEB_AUTHN signs in with the passkey', passkey.isSignedIn === true, passkey);
  const session = await app('session');
  check('the tokens are amber\'s', session.username === 'amber', session);
  check('fetchAuthSession gets AWS credentials from the identity pool',
    session.identityId?.startsWith(`${region}:`) && !!session.accessKeyId, session);
  await app('signOut');

  // 6. A remembered device, proven with device SRP on the next sign-in.
  const first = await app('signIn', { username: 'bo', password: 'Bo-Passw0rd!' });
  check('bo signs in with SRP', first.isSignedIn === true, first);
  const remembered = await app('rememberDevice');
  const device = (await app('session')).deviceKey;
  const devices = (await idp.send(new AdminListDevicesCommand({ UserPoolId: pool, Username: 'bo' }))).Devices;
  const status = devices.find((d) => d.DeviceKey === device)?.DeviceAttributes
    .find((a) => a.Name === 'dev:device_remembered_status')?.Value;
  check('rememberDevice remembers the sign-in\'s device', remembered === true && status === 'remembered', { remembered, status });
  await app('signOut');
  const second = await app('signIn', { username: 'bo', password: 'Bo-Passw0rd!' });
  const again = await app('session');
  check('the next sign-in proves the same device', second.isSignedIn === true && again.deviceKey === device, { second, again, device });
  await app('signOut');
} catch (e) {
  check('the browser run', false, `${e?.name ?? ''} ${e?.message ?? e}`);
} finally {
  await browser.close();
  server.close();
}

console.log(`amplify-browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
