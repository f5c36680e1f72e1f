// A real browser (headless Chromium, driven by playwright-core) through the
// mock's hosted UI: the password sign-in page, federation through the fake
// Facebook page, sign-up with its confirmation code, a forgotten password,
// and an authenticator app set up on the MFA page (TOTP codes from
// otpauth, not the mock), each ending back at the app.
//
// Run by `cargo xtask browser`, which starts `cogkit mock serve` with
// examples/mock-config.toml and sets MOCK_ENDPOINT and SCREENSHOT_DIR.
// Prints PASS/FAIL per step and `N passed, M failed`; exits non-zero on failure.

import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Secret, TOTP } from 'otpauth';
import { launchChromium } from './chromium.mjs';

const endpoint = process.env.MOCK_ENDPOINT;
const shots = process.env.SCREENSHOT_DIR;
const CLIENT = '1example23456789abcdefghij';
const CALLBACK = 'http://localhost:8080/callback';

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) {
    passed += 1;
    console.log(`PASS ${name}`);
  } else {
    failed += 1;
    console.log(`FAIL ${name}${detail ? `: ${detail}` : ''}`);
  }
}

const b64url = (buf) => buf.toString('base64url');

function authorizeUrl(extra = {}) {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const state = b64url(randomBytes(12));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT,
    redirect_uri: CALLBACK,
    scope: 'openid email profile',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url: `${endpoint}/example/oauth2/authorize?${q}`, verifier, state };
}

async function exchange(code, verifier) {
  const res = await fetch(`${endpoint}/example/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: CLIENT,
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    }),
  });
  return { status: res.status, body: await res.json() };
}

// The newest code the mock's outbox (a loopback-only route) holds for a user.
async function lastCode(username) {
  const q = new URLSearchParams({ user_pool_id: 'ap-northeast-1_Example01', username });
  const { codes } = await (await fetch(`${endpoint}/_mock/codes?${q}`)).json();
  return codes[codes.length - 1].code;
}

// The mock's clock (which tests may move), in milliseconds.
async function mockNow() {
  return (await (await fetch(`${endpoint}/_mock/clock`)).json()).now * 1000;
}

// Signs in on the hosted sign-in page the browser is on.
async function signIn(page, username, password) {
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('button[name="signInSubmitButton"]');
}

const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

// Nothing listens on the app's redirect URI: answer it in the browser and
// remember the URL, as the app would receive it.
async function captureCallback(page) {
  let resolve;
  const reached = new Promise((r) => { resolve = r; });
  await page.route('http://localhost:8080/**', async (route) => {
    resolve(route.request().url());
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>app callback</p>' });
  });
  return reached;
}

const browser = await launchChromium();

try {
  // 1. The hosted sign-in page with a username and password.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    const callback = captureCallback(page);
    const { url, verifier, state } = authorizeUrl();
    await page.goto(url);
    check('authorize redirects to the hosted sign-in page', new URL(page.url()).pathname === '/example/login', page.url());
    await page.screenshot({ path: join(shots, 'hosted-ui-sign-in.png'), fullPage: true });
    check('the sign-in page offers Facebook', await page.locator('a[data-provider="Facebook"]').count() === 1);

    await page.fill('#username', 'alice');
    await page.fill('#password', 'wrong-password');
    await page.click('button[name="signInSubmitButton"]');
    check('a wrong password shows the error on the page',
      (await page.locator('#error').textContent()) === 'Incorrect username or password.');

    await page.fill('#password', 'Passw0rd!');
    await page.click('button[name="signInSubmitButton"]');
    const reached = new URL(await callback);
    check('the browser comes back to the app with the state', reached.searchParams.get('state') === state);
    const tokens = await exchange(reached.searchParams.get('code'), verifier);
    check('the code exchanges for tokens (PKCE)', tokens.status === 200 && !!tokens.body.id_token, JSON.stringify(tokens.body));
    check('the ID token is alice\'s', claims(tokens.body.id_token)['cognito:username'] === 'alice');

    // A second authorize in the same browser is silent (session cookie).
    const again = captureCallback(page);
    const second = authorizeUrl();
    await page.goto(second.url).catch(() => {});
    const silent = new URL(await again);
    check('a second authorize is silent', silent.searchParams.get('state') === second.state && !!silent.searchParams.get('code'));
    await context.close();
  }

  // 2. Federation through the fake Facebook page.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    const callback = captureCallback(page);
    const { url, verifier } = authorizeUrl();
    await page.goto(url);
    await page.click('a[data-provider="Facebook"]');
    check('the Facebook button leads to the fake Facebook page', page.url().startsWith(`${endpoint}/idp/facebook/authorize`), page.url());
    await page.screenshot({ path: join(shots, 'fake-facebook-sign-in.png'), fullPage: true });
    await page.fill('#email', 'carol@example.com');
    await page.fill('#pass', 'facebook-pass');
    await page.click('button[name="login"]');
    const reached = new URL(await callback);
    const tokens = await exchange(reached.searchParams.get('code'), verifier);
    const id = tokens.body.id_token ? claims(tokens.body.id_token) : {};
    check('federated sign-in gives a Facebook_<id> user', id['cognito:username'] === 'Facebook_10000000000000001', JSON.stringify(tokens.body));
    check('the Facebook email is mapped into the ID token', id.email === 'carol@example.com');
    await context.close();
  }

  // 3. Sign-up from the sign-in page, the emailed code, then sign-in.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    const callback = captureCallback(page);
    const { url, state } = authorizeUrl();
    await page.goto(url);
    await page.click('#sign-up');
    check('the sign-in page links to the sign-up page', new URL(page.url()).pathname === '/example/signup', page.url());
    await page.screenshot({ path: join(shots, 'hosted-ui-sign-up.png'), fullPage: true });
    await page.fill('#username', 'frank');
    await page.fill('#email', 'frank@example.com');
    await page.fill('#password', 'Frank-Passw0rd!');
    await page.click('button[name="signUpButton"]');
    check('sign-up asks for the emailed code', await page.locator('form#confirm').count() === 1);
    await page.screenshot({ path: join(shots, 'hosted-ui-confirm-sign-up.png'), fullPage: true });
    await page.fill('#code', await lastCode('frank'));
    await page.click('form#confirm button');
    check('the confirmed account is asked to sign in', ((await page.locator('#notice').textContent()) || '').includes('confirmed'));
    await signIn(page, 'frank', 'Frank-Passw0rd!');
    const reached = new URL(await callback);
    check('the new account signs in and reaches the app', reached.searchParams.get('state') === state && !!reached.searchParams.get('code'));
    await context.close();
  }

  // 4. A forgotten password: the code to the verified email, a new password.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    const callback = captureCallback(page);
    const { url } = authorizeUrl();
    await page.goto(url);
    await page.click('#forgot-password');
    await page.screenshot({ path: join(shots, 'hosted-ui-forgot-password.png'), fullPage: true });
    await page.fill('#username', 'frank');
    await page.click('form#forgotpassword button');
    check('forgot password asks for the code and a new password', await page.locator('form#resetpassword').count() === 1);
    await page.screenshot({ path: join(shots, 'hosted-ui-reset-password.png'), fullPage: true });
    await page.fill('#code', await lastCode('frank'));
    await page.fill('#new_password', 'Frank-N3w-Passw0rd!');
    await page.click('form#resetpassword button');
    check('the reset password is confirmed on the sign-in page', ((await page.locator('#notice').textContent()) || '').includes('reset'));
    await signIn(page, 'frank', 'Frank-N3w-Passw0rd!');
    check('the new password signs in', !!new URL(await callback).searchParams.get('code'));
    await context.close();
  }

  // 5. MFA required with an authenticator app: set up on the page from its
  // QR code's key, then asked for on the next sign-in.
  {
    const idp = new CognitoIdentityProviderClient({
      region: 'ap-northeast-1',
      endpoint,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x'.repeat(40) },
    });
    await idp.send(new SetUserPoolMfaConfigCommand({
      UserPoolId: 'ap-northeast-1_Example01',
      MfaConfiguration: 'ON',
      SoftwareTokenMfaConfiguration: { Enabled: true },
    }));
    const context = await browser.newContext();
    const page = await context.newPage();
    const callback = captureCallback(page);
    const { url, verifier } = authorizeUrl();
    await page.goto(url);
    await signIn(page, 'frank', 'Frank-N3w-Passw0rd!');
    check('MFA_SETUP shows a QR code', await page.locator('#qr svg').count() === 1);
    await page.screenshot({ path: join(shots, 'hosted-ui-totp-setup.png'), fullPage: true });
    const secret = (await page.locator('#secret').textContent()).trim();
    const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    await page.fill('#code', '000000');
    await page.click('button[name="mfaSubmitButton"]');
    check('a wrong code is refused on the page', ((await page.locator('#error').textContent()) || '').length > 0);
    await page.fill('#code', totp.generate({ timestamp: await mockNow() }));
    await page.click('button[name="mfaSubmitButton"]');
    const reached = new URL(await callback);
    const tokens = await exchange(reached.searchParams.get('code'), verifier);
    check('the authenticator app set up, frank is signed in', tokens.status === 200 && claims(tokens.body.id_token)['cognito:username'] === 'frank');
    await context.close();

    // Next sign-in: the code page, and the next time step's code (the mock's
    // clock moved on: a spent code is refused within its step).
    const second = await browser.newContext();
    const page2 = await second.newPage();
    const callback2 = captureCallback(page2);
    await page2.goto(authorizeUrl().url);
    await signIn(page2, 'frank', 'Frank-N3w-Passw0rd!');
    check('the next sign-in asks for the app\'s code', await page2.locator('button[name="mfaSubmitButton"]').count() === 1);
    await page2.screenshot({ path: join(shots, 'hosted-ui-totp-code.png'), fullPage: true });
    await fetch(`${endpoint}/_mock/clock`, { method: 'POST', body: JSON.stringify({ advance_seconds: 30 }) });
    await page2.fill('#code', totp.generate({ timestamp: await mockNow() }));
    await page2.click('button[name="mfaSubmitButton"]');
    check('the app\'s code signs in', !!new URL(await callback2).searchParams.get('code'));
    await second.close();
  }
} catch (e) {
  check('browser run', false, e.stack || String(e));
} finally {
  await browser.close();
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
