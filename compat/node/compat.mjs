// The official JavaScript clients against mock-cognito, unmodified.
//
// Run by `cargo xtask compat` with MOCK_ENDPOINT set to a `cogkit mock serve`
// seeded with examples/mock-config.toml. Uses the AWS SDK v3 clients,
// @aws-sdk/credential-providers, amazon-cognito-identity-js, aws-jwt-verify
// and Amplify v6. Prints PASS/FAIL per step and `N passed, M failed`.

import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListDevicesCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  SetUserPoolMfaConfigCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CognitoIdentityClient, CreateIdentityPoolCommand, GetIdCommand, SetIdentityPoolRolesCommand,
} from '@aws-sdk/client-cognito-identity';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers';
import cognitoJs from 'amazon-cognito-identity-js';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { Amplify } from 'aws-amplify';
import {
  autoSignIn, confirmSignIn, confirmSignUp, fetchAuthSession, rememberDevice, setUpTOTP, signIn,
  signOut, signUp, updateMFAPreference, verifyTOTPSetup,
} from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { Secret, TOTP } from 'otpauth';

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = cognitoJs;

// Amplify names a remembered device from `navigator` (a browser global that
// Node only has from version 21): without one it silently skips ConfirmDevice.
globalThis.navigator ??= { userAgent: `Node.js ${process.version}` };

const endpoint = process.env.MOCK_ENDPOINT;
const region = 'ap-northeast-1';
const POOL = 'ap-northeast-1_Example01';
const CLIENT = '1example23456789abcdefghij';
const IDENTITY_POOL = 'ap-northeast-1:00000000-0000-4000-8000-000000000001';
const loginKey = (pool) => `cognito-idp.${region}.amazonaws.com/${pool}`;
// Any credentials: the mock needs SigV4 on admin calls, not particular keys.
const admin = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x'.repeat(40) };

let passed = 0;
let failed = 0;
async function step(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`PASS node: ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL node: ${name}: ${e?.name ?? ''} ${e?.message ?? e}`);
  }
}
function assert(ok, what) {
  if (!ok) throw new Error(`assertion failed: ${what}`);
}

const idp = new CognitoIdentityProviderClient({ region, endpoint, credentials: admin });
const identity = new CognitoIdentityClient({ region, endpoint, credentials: admin });
const state = {};

await step('client-cognito-identity-provider: admin set-up and InitiateAuth', async () => {
  const pool = (await idp.send(new CreateUserPoolCommand({ PoolName: 'compat-node' }))).UserPool.Id;
  const app = (await idp.send(new CreateUserPoolClientCommand({
    UserPoolId: pool,
    ClientName: 'compat',
    ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }))).UserPoolClient.ClientId;
  await idp.send(new AdminCreateUserCommand({
    UserPoolId: pool, Username: 'sam', TemporaryPassword: 'Temp-Passw0rd!', MessageAction: 'SUPPRESS',
  }));
  await idp.send(new AdminSetUserPasswordCommand({
    UserPoolId: pool, Username: 'sam', Password: 'Sam-Passw0rd!', Permanent: true,
  }));
  const r = await idp.send(new InitiateAuthCommand({
    AuthFlow: 'USER_PASSWORD_AUTH', ClientId: app,
    AuthParameters: { USERNAME: 'sam', PASSWORD: 'Sam-Passw0rd!' },
  }));
  assert(r.AuthenticationResult?.IdToken, 'an IdToken');
  Object.assign(state, { pool, app });
});

await step('client-cognito-identity: GetId (unauthenticated)', async () => {
  const r = await identity.send(new GetIdCommand({ IdentityPoolId: IDENTITY_POOL }));
  assert(r.IdentityId?.startsWith(`${region}:`), r.IdentityId);
});

await step('credential-providers: fromCognitoIdentityPool unauthenticated, then STS', async () => {
  const provider = fromCognitoIdentityPool({
    identityPoolId: IDENTITY_POOL,
    clientConfig: { region, endpoint },
  });
  const creds = await provider();
  assert(creds.accessKeyId.startsWith('ASIA') && creds.expiration instanceof Date, 'credentials');
  const sts = new STSClient({ region, endpoint, credentials: provider });
  const me = await sts.send(new GetCallerIdentityCommand({}));
  assert(me.Arn.includes(':assumed-role/ExampleGuest/'), me.Arn);
});

// amazon-cognito-identity-js: SRP through its `endpoint` option.
function srpSignIn(username, password) {
  const pool = new CognitoUserPool({ UserPoolId: POOL, ClientId: CLIENT, endpoint });
  const user = new CognitoUser({ Username: username, Pool: pool });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (session) => resolve({ user, session }),
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('unexpected NEW_PASSWORD_REQUIRED')),
    });
  });
}

await step('amazon-cognito-identity-js: authenticateUser (SRP)', async () => {
  const { user, session } = await srpSignIn('alice', 'Passw0rd!');
  assert(session.isValid(), 'a valid session');
  assert(session.getIdToken().payload['cognito:username'] === 'alice', 'alice');
  Object.assign(state, { jsUser: user, jsSession: session });
});

await step('amazon-cognito-identity-js: a wrong password is NotAuthorizedException', async () => {
  try {
    await srpSignIn('alice', 'wrong-password');
    throw new Error('a wrong password signed in');
  } catch (e) {
    assert(e.code === 'NotAuthorizedException' || e.name === 'NotAuthorizedException', `${e.code} ${e.message}`);
  }
});

await step('amazon-cognito-identity-js: refreshSession', async () => {
  const refreshed = await new Promise((resolve, reject) => {
    state.jsUser.refreshSession(state.jsSession.getRefreshToken(), (err, s) => (err ? reject(err) : resolve(s)));
  });
  assert(refreshed.getIdToken().payload['cognito:username'] === 'alice', 'refreshed for alice');
  assert(refreshed.getAccessToken().getJwtToken() !== state.jsSession.getAccessToken().getJwtToken(), 'a new access token');
});

await step('credential-providers: fromCognitoIdentityPool with the user-pool login', async () => {
  const provider = fromCognitoIdentityPool({
    identityPoolId: IDENTITY_POOL,
    logins: { [loginKey(POOL)]: state.jsSession.getIdToken().getJwtToken() },
    clientConfig: { region, endpoint },
  });
  const sts = new STSClient({ region, endpoint, credentials: provider });
  const me = await sts.send(new GetCallerIdentityCommand({}));
  // alice is in the admins group; the Token mapping gives its role.
  assert(me.Arn.includes(':assumed-role/ExampleAdmins/'), me.Arn);
});

async function verifierFor(tokenUse) {
  const verifier = CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse, clientId: CLIENT });
  const jwks = await (await fetch(`${endpoint}/${POOL}/.well-known/jwks.json`)).json();
  verifier.cacheJwks(jwks);
  return verifier;
}

await step('aws-jwt-verify: CognitoJwtVerifier accepts the ID token', async () => {
  const verifier = await verifierFor('id');
  const payload = await verifier.verify(state.jsSession.getIdToken().getJwtToken());
  assert(payload['cognito:username'] === 'alice', 'alice');
});

await step('aws-jwt-verify: CognitoJwtVerifier accepts the access token, refuses a tampered one', async () => {
  const verifier = await verifierFor('access');
  const token = state.jsSession.getAccessToken().getJwtToken();
  const payload = await verifier.verify(token);
  assert(payload.client_id === CLIENT && payload.token_use === 'access', 'access claims');
  const [h, p, s] = token.split('.');
  const other = JSON.parse(Buffer.from(p, 'base64url'));
  other.username = 'mallory';
  const tampered = `${h}.${Buffer.from(JSON.stringify(other)).toString('base64url')}.${s}`;
  let refused = false;
  try {
    await verifier.verify(tampered);
  } catch {
    refused = true;
  }
  assert(refused, 'a tampered token is refused');
});

// A pool with TOTP MFA and a custom attribute, for the steps below.
async function mfaPool() {
  if (state.mfaPool) return state.mfaPool;
  const pool = (await idp.send(new CreateUserPoolCommand({
    PoolName: 'compat-node-mfa',
    Schema: [{ Name: 'tenant', AttributeDataType: 'String', Mutable: true }],
  }))).UserPool.Id;
  await idp.send(new SetUserPoolMfaConfigCommand({
    UserPoolId: pool, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true },
  }));
  const app = (await idp.send(new CreateUserPoolClientCommand({
    UserPoolId: pool, ClientName: 'mfa', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }))).UserPoolClient.ClientId;
  await idp.send(new AdminCreateUserCommand({
    UserPoolId: pool, Username: 'tom', MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'custom:tenant', Value: 'acme' }],
  }));
  await idp.send(new AdminSetUserPasswordCommand({
    UserPoolId: pool, Username: 'tom', Password: 'Tom-Passw0rd!', Permanent: true,
  }));
  state.mfaPool = { pool, app };
  return state.mfaPool;
}

/** amazon-cognito-identity-js's authenticateUser as a promise: the session, or the TOTP challenge. */
function jsSignIn(pool, app, username, password) {
  const user = new CognitoUser({
    Username: username, Pool: new CognitoUserPool({ UserPoolId: pool, ClientId: app, endpoint }),
  });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (session) => resolve({ user, session }),
      onFailure: reject,
      totpRequired: (challengeName) => resolve({ user, challengeName }),
    });
  });
}

await step('aws-jwt-verify: a custom attribute in the ID token, verified against the JWKS', async () => {
  const { pool, app } = await mfaPool();
  const { session } = await jsSignIn(pool, app, 'tom', 'Tom-Passw0rd!');
  const verifier = CognitoJwtVerifier.create({ userPoolId: pool, tokenUse: 'id', clientId: app });
  verifier.cacheJwks(await (await fetch(`${endpoint}/${pool}/.well-known/jwks.json`)).json());
  const payload = await verifier.verify(session.getIdToken().getJwtToken());
  assert(payload['custom:tenant'] === 'acme', JSON.stringify(payload));
  state.tomSignedIn = true;
});

await step('amazon-cognito-identity-js: TOTP MFA — associateSoftwareToken, verifySoftwareToken, sendMFACode', async () => {
  const { pool, app } = await mfaPool();
  const { user } = await jsSignIn(pool, app, 'tom', 'Tom-Passw0rd!');
  const secret = await new Promise((resolve, reject) => user.associateSoftwareToken({
    associateSecretCode: resolve, onFailure: reject,
  }));
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  const now = Date.now();
  await new Promise((resolve, reject) => user.verifySoftwareToken(totp.generate({ timestamp: now }), 'compat', {
    onSuccess: resolve, onFailure: reject,
  }));
  await new Promise((resolve, reject) => user.setUserMfaPreference(
    null, { PreferredMfa: true, Enabled: true }, (err, r) => (err ? reject(err) : resolve(r)),
  ));
  const challenged = await jsSignIn(pool, app, 'tom', 'Tom-Passw0rd!');
  assert(challenged.challengeName === 'SOFTWARE_TOKEN_MFA', `challenge: ${challenged.challengeName}`);
  // The code that verified the token is spent; the next step's is taken.
  const reused = await new Promise((resolve) => challenged.user.sendMFACode(
    totp.generate({ timestamp: now }), { onSuccess: () => resolve('signed in'), onFailure: (e) => resolve(e.code ?? e.name) },
    'SOFTWARE_TOKEN_MFA',
  ));
  assert(reused === 'ExpiredCodeException', `a reused code: ${reused}`);
  const session = await new Promise((resolve, reject) => challenged.user.sendMFACode(
    totp.generate({ timestamp: now + 30_000 }), { onSuccess: resolve, onFailure: reject }, 'SOFTWARE_TOKEN_MFA',
  ));
  assert(session.getIdToken().payload['cognito:username'] === 'tom', 'signed in as tom');
});

// Remembered devices: amazon-cognito-identity-js confirms the device a
// sign-in is issued, remembers it, and proves it (DEVICE_SRP_AUTH) on the
// next sign-in, keeping the device key and secret in its storage.
await step('amazon-cognito-identity-js: setDeviceStatusRemembered, then a sign-in that answers DEVICE_SRP_AUTH', async () => {
  const pool = (await idp.send(new CreateUserPoolCommand({
    PoolName: 'compat-node-devices',
    DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
  }))).UserPool.Id;
  const app = (await idp.send(new CreateUserPoolClientCommand({
    UserPoolId: pool, ClientName: 'devices', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }))).UserPoolClient.ClientId;
  await idp.send(new AdminCreateUserCommand({ UserPoolId: pool, Username: 'devi', MessageAction: 'SUPPRESS' }));
  await idp.send(new AdminSetUserPasswordCommand({
    UserPoolId: pool, Username: 'devi', Password: 'Devi-Passw0rd!', Permanent: true,
  }));
  const storage = new Map();
  const Storage = {
    setItem: (k, v) => storage.set(k, v), getItem: (k) => storage.get(k) ?? null,
    removeItem: (k) => storage.delete(k), clear: () => storage.clear(),
  };
  const userPool = new CognitoUserPool({ UserPoolId: pool, ClientId: app, endpoint, Storage });
  const signIn = () => {
    const user = new CognitoUser({ Username: 'devi', Pool: userPool, Storage });
    return new Promise((resolve, reject) => {
      user.authenticateUser(new AuthenticationDetails({ Username: 'devi', Password: 'Devi-Passw0rd!' }), {
        onSuccess: (session, confirmationNecessary) => resolve({ user, session, confirmationNecessary }),
        onFailure: reject,
      });
    });
  };
  const first = await signIn();
  assert(first.confirmationNecessary === true, 'DeviceOnlyRememberedOnUserPrompt asks the user');
  const deviceKey = first.session.getAccessToken().payload.device_key;
  assert(deviceKey && deviceKey.startsWith(`${region}_`), `device_key ${deviceKey}`);
  await new Promise((resolve, reject) => first.user.setDeviceStatusRemembered({ onSuccess: resolve, onFailure: reject }));
  const listed = async () => (await idp.send(new AdminListDevicesCommand({ UserPoolId: pool, Username: 'devi' }))).Devices;
  const [device] = await listed();
  const remembered = device.DeviceAttributes.find((a) => a.Name === 'dev:device_remembered_status');
  assert(device.DeviceKey === deviceKey && remembered.Value === 'remembered', JSON.stringify(device));

  const second = await signIn();
  assert(second.session.getAccessToken().payload.device_key === deviceKey, 'signed in on the remembered device');
  assert((await listed()).length === 1, 'no second device issued');

  // A wrong device secret in the client's storage is refused.
  const secretKey = [...storage.keys()].find((k) => k.endsWith('.randomPasswordKey'));
  const secret = storage.get(secretKey);
  storage.set(secretKey, Buffer.alloc(40, 7).toString('base64'));
  try {
    await signIn();
    throw new Error('a wrong device secret signed in');
  } catch (e) {
    assert(e.code === 'NotAuthorizedException', `${e.code} ${e.message}`);
  }
  storage.set(secretKey, secret);
  assert((await signIn()).session.isValid(), 'the right secret signs in again');
});

// CUSTOM_AUTH: a second `cogkit mock serve` (CUSTOM_AUTH_ENDPOINT) runs
// examples/triggers/*_auth_challenge*.mjs as the pool's DefineAuthChallenge,
// CreateAuthChallenge and VerifyAuthChallengeResponse: a captcha after an
// optional SRP password step, three tries.
const customEndpoint = process.env.CUSTOM_AUTH_ENDPOINT;
const customIdp = new CognitoIdentityProviderClient({ region, endpoint: customEndpoint, credentials: admin });
const nodeTrigger = (name) => `arn:aws:lambda:${region}:123456789012:function:${name}-node`;

async function customAuthPool() {
  if (state.customPool) return state.customPool;
  const pool = (await customIdp.send(new CreateUserPoolCommand({
    PoolName: 'compat-node-custom',
    LambdaConfig: {
      DefineAuthChallenge: nodeTrigger('define-auth-challenge'),
      CreateAuthChallenge: nodeTrigger('create-auth-challenge'),
      VerifyAuthChallengeResponse: nodeTrigger('verify-auth-challenge-response'),
    },
  }))).UserPool.Id;
  const app = (await customIdp.send(new CreateUserPoolClientCommand({
    UserPoolId: pool, ClientName: 'captcha',
    ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }))).UserPoolClient.ClientId;
  await customIdp.send(new AdminCreateUserCommand({
    UserPoolId: pool, Username: 'cora', MessageAction: 'SUPPRESS',
  }));
  await customIdp.send(new AdminSetUserPasswordCommand({
    UserPoolId: pool, Username: 'cora', Password: 'Cora-Passw0rd!', Permanent: true,
  }));
  state.customPool = { pool, app };
  return state.customPool;
}

/** Solves the example's captcha ("a + b"). */
const solve = (parameters) => String(parameters.captcha.split('+').reduce((sum, n) => sum + Number(n), 0));

/**
 * amazon-cognito-identity-js's custom sign-in: `initiateAuth` (or, with a
 * password, `authenticateUser` under CUSTOM_AUTH, which sends SRP_A), then
 * `sendCustomChallengeAnswer` with `answers(parameters)` until it succeeds.
 * Resolves with the session and the captchas seen.
 */
function customSignIn(password, answers) {
  return customAuthPool().then(({ pool, app }) => new Promise((resolve, reject) => {
    const user = new CognitoUser({
      Username: 'cora', Pool: new CognitoUserPool({ UserPoolId: pool, ClientId: app, endpoint: customEndpoint }),
    });
    user.setAuthenticationFlowType('CUSTOM_AUTH');
    const seen = [];
    const callbacks = {
      onSuccess: (session) => resolve({ session, seen }),
      onFailure: reject,
      customChallenge: (parameters) => {
        seen.push(parameters);
        user.sendCustomChallengeAnswer(answers(parameters, seen.length), callbacks);
      },
    };
    const details = new AuthenticationDetails({ Username: 'cora', Password: password });
    if (password) user.authenticateUser(details, callbacks);
    else user.initiateAuth(details, callbacks);
  }));
}

await step('amazon-cognito-identity-js: CUSTOM_AUTH initiateAuth, a wrong then a right sendCustomChallengeAnswer (Lambda handlers)', async () => {
  const { session, seen } = await customSignIn(undefined, (p, round) => (round === 1 ? '0' : solve(p)));
  assert(seen.length === 2, `two captchas: ${JSON.stringify(seen)}`);
  assert(/^\d \+ \d$/.test(seen[0].captcha) && seen[0].USERNAME === 'cora', JSON.stringify(seen[0]));
  assert(seen[0].answer === undefined, 'the private answer is never shown');
  const { pool, app } = await customAuthPool();
  const verifier = CognitoJwtVerifier.create({ userPoolId: pool, tokenUse: 'id', clientId: app });
  verifier.cacheJwks(await (await fetch(`${customEndpoint}/${pool}/.well-known/jwks.json`)).json());
  const payload = await verifier.verify(session.getIdToken().getJwtToken());
  assert(payload['cognito:username'] === 'cora', JSON.stringify(payload));
});

await step('amazon-cognito-identity-js: CUSTOM_AUTH with SRP_A: the password by SRP, then the captcha', async () => {
  const { session, seen } = await customSignIn('Cora-Passw0rd!', solve);
  assert(seen.length === 1 && session.isValid(), JSON.stringify(seen));
  try {
    await customSignIn('Wrong-Passw0rd!', solve);
    throw new Error('a wrong password signed in');
  } catch (e) {
    assert(e.code === 'NotAuthorizedException', `${e.code} ${e.message}`);
  }
});

await step('amazon-cognito-identity-js: CUSTOM_AUTH, three wrong answers: DefineAuthChallenge fails the sign-in', async () => {
  try {
    await customSignIn(undefined, () => '1');
    throw new Error('wrong answers signed in');
  } catch (e) {
    assert(e.code === 'NotAuthorizedException', `${e.code} ${e.message}`);
  }
});

await step('@aws-crypto/client-node: CustomEmailSender decrypts its code (Encryption SDK, KMS keyring against the mock), and the code confirms the sign-up', async () => {
  const pool = (await customIdp.send(new CreateUserPoolCommand({
    PoolName: 'compat-node-sender',
    AutoVerifiedAttributes: ['email'],
    LambdaConfig: {
      CustomEmailSender: { LambdaVersion: 'V1_0', LambdaArn: nodeTrigger('custom-email-sender') },
      KMSKeyID: `arn:aws:kms:${region}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    },
  }))).UserPool.Id;
  const app = (await customIdp.send(new CreateUserPoolClientCommand({
    UserPoolId: pool, ClientName: 'sender', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }))).UserPoolClient.ClientId;
  const plain = new CognitoIdentityProviderClient({ region, endpoint: customEndpoint, credentials: admin });
  await plain.send(new SignUpCommand({
    ClientId: app, Username: 'sid', Password: 'Sid-Passw0rd!',
    UserAttributes: [{ Name: 'email', Value: 'sid@example.com' }],
  }));
  const { readFileSync } = await import('node:fs');
  const sent = readFileSync(process.env.SENT_CODES_FILE, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    .find((s) => s.userName === 'sid');
  assert(sent && sent.triggerSource === 'CustomEmailSender_SignUp' && /^\d{6}$/.test(sent.code), JSON.stringify(sent));
  const outbox = await (await fetch(`${customEndpoint}/_mock/codes?user_pool_id=${pool}&username=sid`)).json();
  assert(outbox.codes.at(-1).code === sent.code, 'the decrypted code is the one issued');
  await plain.send(new ConfirmSignUpCommand({ ClientId: app, Username: 'sid', ConfirmationCode: sent.code }));
  const user = await customIdp.send(new AdminGetUserCommand({ UserPoolId: pool, Username: 'sid' }));
  assert(user.UserStatus === 'CONFIRMED', user.UserStatus);
});

// Amplify v6 keeps its tokens in a key-value storage; this one lets the
// test read the refresh token Amplify holds. (Amplify.configure resets the
// storage, so it is set after each configure.)
const amplifyStorage = new Map();
const useAmplifyStorage = () => cognitoUserPoolsTokenProvider.setKeyValueStorage({
  setItem: async (k, v) => { amplifyStorage.set(k, v); },
  getItem: async (k) => amplifyStorage.get(k) ?? null,
  removeItem: async (k) => { amplifyStorage.delete(k); },
  clear: async () => { amplifyStorage.clear(); },
});
const amplifyRefreshToken = () =>
  [...amplifyStorage.entries()].find(([k]) => k.endsWith('.refreshToken'))?.[1];

/** A client of the node pool with Amplify signed in to it as `amy`. */
async function amplifySignedIn(clientSettings) {
  if (!state.amy) {
    await idp.send(new AdminCreateUserCommand({
      UserPoolId: state.pool, Username: 'amy', MessageAction: 'SUPPRESS',
    }));
    await idp.send(new AdminSetUserPasswordCommand({
      UserPoolId: state.pool, Username: 'amy', Password: 'Amy-Passw0rd!', Permanent: true,
    }));
    state.amy = true;
  }
  const client = (await idp.send(new CreateUserPoolClientCommand({
    UserPoolId: state.pool, ClientName: 'amplify', ...clientSettings,
  }))).UserPoolClient.ClientId;
  Amplify.configure({
    Auth: { Cognito: { userPoolId: state.pool, userPoolClientId: client, userPoolEndpoint: endpoint } },
  });
  useAmplifyStorage();
  const r = await signIn({ username: 'amy', password: 'Amy-Passw0rd!' });
  assert(r.isSignedIn && r.nextStep.signInStep === 'DONE', JSON.stringify(r));
  return client;
}

async function refreshedWith(client, refreshToken) {
  try {
    await idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: client, RefreshToken: refreshToken }));
    return 'ok';
  } catch (e) {
    return e.name;
  }
}

await step('aws-amplify 6: signIn (SRP), then fetchAuthSession({ forceRefresh }) renews the tokens', async () => {
  await amplifySignedIn({ ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
  const first = await fetchAuthSession();
  const refresh = amplifyRefreshToken();
  const renewed = await fetchAuthSession({ forceRefresh: true });
  const a = first.tokens.accessToken.payload;
  const b = renewed.tokens.accessToken.payload;
  assert(a.jti !== b.jti && b.username === 'amy', 'a new access token for amy');
  assert(amplifyRefreshToken() === refresh, 'no rotation: the refresh token stays');
  await signOut();
});

await step('aws-amplify 6: with refresh-token rotation, forceRefresh rotates; the old token is refused', async () => {
  const client = await amplifySignedIn({
    ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'],
    RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 },
  });
  const before = amplifyRefreshToken();
  const renewed = await fetchAuthSession({ forceRefresh: true });
  assert(renewed.tokens?.idToken?.payload?.['cognito:username'] === 'amy', 'a new ID token');
  const rotated = amplifyRefreshToken();
  assert(rotated && rotated !== before, 'Amplify holds a new refresh token');
  // Amplify goes on with the new one; the old one is spent.
  await fetchAuthSession({ forceRefresh: true });
  const outcome = await refreshedWith(client, before);
  assert(outcome === 'RefreshTokenReuseException', `the rotated-out token: ${outcome}`);
  // signOut revokes the session: its newest refresh token is refused too.
  const latest = amplifyRefreshToken();
  await signOut();
  const afterSignOut = await refreshedWith(client, latest);
  assert(afterSignOut === 'NotAuthorizedException', `after signOut: ${afterSignOut}`);
});

// Amplify v6 as a modern front end uses it: a pool with choice-based
// sign-in (USER_AUTH), email codes, TOTP MFA, remembered devices and an
// identity pool, driven only through Amplify's own API.
const amplifyPool = {};

/** The newest code of `purpose` the mock's outbox holds for `username`. */
async function outboxCode(pool, username, purpose) {
  const url = `${endpoint}/_mock/codes?user_pool_id=${pool}&username=${username}`;
  const { codes } = await (await fetch(url)).json();
  const code = codes.filter((c) => c.purpose === purpose).at(-1)?.code;
  assert(code, `a ${purpose} code for ${username} in the outbox`);
  return code;
}

async function amplifyModernPool() {
  if (amplifyPool.pool) return amplifyPool;
  const pool = (await idp.send(new CreateUserPoolCommand({
    PoolName: 'amplify-modern',
    AutoVerifiedAttributes: ['email'],
    Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } },
    DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
  }))).UserPool.Id;
  await idp.send(new SetUserPoolMfaConfigCommand({
    UserPoolId: pool, MfaConfiguration: 'OPTIONAL',
    SoftwareTokenMfaConfiguration: { Enabled: true },
  }));
  const client = (await idp.send(new CreateUserPoolClientCommand({
    UserPoolId: pool, ClientName: 'amplify-modern',
    ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }))).UserPoolClient.ClientId;
  const identityPool = (await identity.send(new CreateIdentityPoolCommand({
    IdentityPoolName: 'amplify_modern', AllowUnauthenticatedIdentities: false,
    CognitoIdentityProviders: [{ ProviderName: `cognito-idp.${region}.amazonaws.com/${pool}`, ClientId: client }],
  }))).IdentityPoolId;
  await identity.send(new SetIdentityPoolRolesCommand({
    IdentityPoolId: identityPool,
    Roles: { authenticated: 'arn:aws:iam::123456789012:role/amplify-modern-auth' },
  }));
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: pool, userPoolClientId: client, userPoolEndpoint: endpoint,
        identityPoolId: identityPool, identityPoolEndpoint: endpoint,
      },
    },
  });
  useAmplifyStorage();
  Object.assign(amplifyPool, { pool, client, identityPool });
  return amplifyPool;
}

await step('aws-amplify 6: signUp without a password, confirmSignUp with the emailed code, autoSignIn', async () => {
  const { pool } = await amplifyModernPool();
  const up = await signUp({
    username: 'ana',
    options: { userAttributes: { email: 'ana@example.com' }, autoSignIn: { authFlowType: 'USER_AUTH' } },
  });
  assert(up.nextStep.signUpStep === 'CONFIRM_SIGN_UP', JSON.stringify(up.nextStep));
  const confirmed = await confirmSignUp({
    username: 'ana', confirmationCode: await outboxCode(pool, 'ana', 'SIGN_UP'),
  });
  assert(confirmed.nextStep.signUpStep === 'COMPLETE_AUTO_SIGN_IN', JSON.stringify(confirmed.nextStep));
  const signedIn = await autoSignIn();
  assert(signedIn.isSignedIn, JSON.stringify(signedIn));
  const { tokens } = await fetchAuthSession();
  assert(tokens.idToken.payload.email === 'ana@example.com', 'ana\'s ID token');
  await signOut();
});

await step('aws-amplify 6: signIn with USER_AUTH and EMAIL_OTP, confirmSignIn with the code', async () => {
  const { pool } = await amplifyModernPool();
  const r = await signIn({
    username: 'ana', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' },
  });
  assert(r.nextStep.signInStep === 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', JSON.stringify(r.nextStep));
  assert(r.nextStep.codeDeliveryDetails.deliveryMedium === 'EMAIL', 'sent by email');
  try {
    await confirmSignIn({ challengeResponse: '000000' === (await outboxCode(pool, 'ana', 'EMAIL_OTP')) ? '111111' : '000000' });
    throw new Error('a wrong code signed in');
  } catch (e) {
    assert(e.name === 'CodeMismatchException', `${e.name} ${e.message}`);
  }
  const done = await confirmSignIn({ challengeResponse: await outboxCode(pool, 'ana', 'EMAIL_OTP') });
  assert(done.isSignedIn && done.nextStep.signInStep === 'DONE', JSON.stringify(done));
  await signOut();
});

await step('aws-amplify 6: USER_AUTH without a preference offers a choice; PASSWORD_SRP is chosen', async () => {
  const { pool } = await amplifyModernPool();
  await idp.send(new AdminCreateUserCommand({
    UserPoolId: pool, Username: 'ben', MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: 'ben@example.com' }, { Name: 'email_verified', Value: 'true' }],
  }));
  await idp.send(new AdminSetUserPasswordCommand({
    UserPoolId: pool, Username: 'ben', Password: 'Ben-Passw0rd!', Permanent: true,
  }));
  const r = await signIn({ username: 'ben', options: { authFlowType: 'USER_AUTH' } });
  assert(r.nextStep.signInStep === 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION', JSON.stringify(r.nextStep));
  const offered = r.nextStep.availableChallenges.join(',');
  assert(offered === 'PASSWORD,PASSWORD_SRP,EMAIL_OTP', offered);
  const chosen = await confirmSignIn({ challengeResponse: 'PASSWORD_SRP' });
  assert(chosen.nextStep.signInStep === 'CONFIRM_SIGN_IN_WITH_PASSWORD', JSON.stringify(chosen.nextStep));
  const done = await confirmSignIn({ challengeResponse: 'Ben-Passw0rd!' });
  assert(done.isSignedIn, JSON.stringify(done));
});

await step('aws-amplify 6: setUpTOTP and verifyTOTPSetup, then signIn asks for the TOTP through confirmSignIn', async () => {
  // ben is signed in from the step before.
  const setup = await setUpTOTP();
  const totp = new TOTP({ secret: Secret.fromBase32(setup.sharedSecret) });
  await verifyTOTPSetup({ code: totp.generate() });
  await updateMFAPreference({ totp: 'PREFERRED' });
  await signOut();
  const r = await signIn({ username: 'ben', password: 'Ben-Passw0rd!' });
  assert(r.nextStep.signInStep === 'CONFIRM_SIGN_IN_WITH_TOTP_CODE', JSON.stringify(r.nextStep));
  // A code from the next time step: the one used for the set-up is spent.
  const next = totp.generate({ timestamp: Date.now() + 30_000 });
  const done = await confirmSignIn({ challengeResponse: next });
  assert(done.isSignedIn, JSON.stringify(done));
  amplifyPool.totp = totp;
});

await step('aws-amplify 6: rememberDevice, then the next signIn takes the device path and skips MFA', async () => {
  const { pool } = await amplifyModernPool();
  await rememberDevice();
  const devices = (await idp.send(new AdminListDevicesCommand({ UserPoolId: pool, Username: 'ben' }))).Devices;
  const remembered = devices.filter((d) =>
    d.DeviceAttributes.some((a) => a.Name === 'dev:device_remembered_status' && a.Value === 'remembered'));
  assert(remembered.length === 1, `one remembered device of ${devices.length}`);
  await signOut();
  const r = await signIn({ username: 'ben', password: 'Ben-Passw0rd!' });
  assert(r.isSignedIn && r.nextStep.signInStep === 'DONE', `no TOTP asked: ${JSON.stringify(r.nextStep)}`);
  const { tokens } = await fetchAuthSession();
  assert(tokens.accessToken.payload.device_key === remembered[0].DeviceKey, 'the remembered device signed in');
});

await step('aws-amplify 6: fetchAuthSession gets AWS credentials from the identity pool; signOut ends it', async () => {
  const { identityPool } = await amplifyModernPool();
  const session = await fetchAuthSession();
  assert(session.identityId?.startsWith(`${region}:`), `an identity of ${identityPool}: ${session.identityId}`);
  assert(session.credentials?.accessKeyId && session.credentials?.sessionToken, 'credentials');
  const sts = new STSClient({ region, endpoint, credentials: session.credentials });
  const me = await sts.send(new GetCallerIdentityCommand({}));
  assert(me.Arn.includes('amplify-modern-auth'), me.Arn);
  await signOut();
  const after = await fetchAuthSession();
  assert(!after.tokens, 'no tokens after signOut');
});

console.log(`node: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
