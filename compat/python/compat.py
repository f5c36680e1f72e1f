"""The official Python clients against mock-cognito, unmodified.

Run by `cargo xtask compat` with MOCK_ENDPOINT set to a `cogkit mock serve`
seeded with examples/mock-config.toml. Uses boto3 (cognito-idp,
cognito-identity, sts), pycognito (AWSSRP, and Cognito for TOTP MFA), the
AWS CLI (awscli), PyJWT and pyotp (TOTP codes computed apart from the mock).
Prints PASS/FAIL per step and ends with `N passed, M failed`.
"""

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import boto3
import botocore.exceptions
import jwt
import pyotp
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import SoftwareTokenMFAChallengeException

ENDPOINT = os.environ["MOCK_ENDPOINT"]
REGION = "ap-northeast-1"
SEED_POOL = "ap-northeast-1_Example01"
SEED_CLIENT = "1example23456789abcdefghij"
SEED_IDENTITY_POOL = "ap-northeast-1:00000000-0000-4000-8000-000000000001"
CALLBACK = "http://localhost:8080/callback"
# Any credentials: the mock needs SigV4 on admin calls, not particular keys.
ADMIN = dict(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x" * 40)

passed = failed = 0


def step(name):
    """Runs the decorated function as one PASS/FAIL step."""

    def run(fn):
        global passed, failed
        try:
            fn()
            passed += 1
            print(f"PASS python: {name}", flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported, then counted
            failed += 1
            print(f"FAIL python: {name}: {type(e).__name__}: {e}", flush=True)
        return fn

    return run


def client(service):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=REGION, **ADMIN)


idp = client("cognito-idp")
identity = client("cognito-identity")
state = {}


def login_key(pool_id):
    return f"cognito-idp.{REGION}.amazonaws.com/{pool_id}"


def credentials_for(identity_pool, logins=None):
    kwargs = {"Logins": logins} if logins else {}
    identity_id = identity.get_id(IdentityPoolId=identity_pool, **kwargs)["IdentityId"]
    creds = identity.get_credentials_for_identity(IdentityId=identity_id, **kwargs)
    assert creds["IdentityId"] == identity_id
    c = creds["Credentials"]
    assert c["AccessKeyId"].startswith("ASIA") and c["SessionToken"], c
    return c


@step("boto3 admin set-up: pool, client, user, identity pool, roles")
def _():
    pool = idp.create_user_pool(PoolName="compat-python")["UserPool"]["Id"]
    app = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="compat",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(
        UserPoolId=pool,
        Username="pat",
        TemporaryPassword="Temp-Passw0rd!",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "pat@example.com"}],
    )
    idp.admin_set_user_password(UserPoolId=pool, Username="pat", Password="Pat-Passw0rd!", Permanent=True)
    assert idp.admin_get_user(UserPoolId=pool, Username="pat")["UserStatus"] == "CONFIRMED"
    ip = identity.create_identity_pool(
        IdentityPoolName="compat_python",
        AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": login_key(pool), "ClientId": app}],
        SupportedLoginProviders={"graph.facebook.com": "1234567890"},
    )["IdentityPoolId"]
    identity.set_identity_pool_roles(
        IdentityPoolId=ip,
        Roles={
            "authenticated": "arn:aws:iam::000000000000:role/CompatAuthenticated",
            "unauthenticated": "arn:aws:iam::000000000000:role/CompatGuest",
        },
    )
    state.update(pool=pool, app=app, identity_pool=ip)


@step("flow 1: unauthenticated GetId + GetCredentialsForIdentity")
def _():
    state["guest"] = credentials_for(state["identity_pool"])


@step("STS GetCallerIdentity signed with the issued credentials")
def _():
    c = state["guest"]
    sts = boto3.client(
        "sts",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretKey"],
        aws_session_token=c["SessionToken"],
    )
    arn = sts.get_caller_identity()["Arn"]
    assert arn.startswith("arn:aws:sts::000000000000:assumed-role/CompatGuest/"), arn
    forged = boto3.client(
        "sts",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key="wrong" + c["SecretKey"][5:],
        aws_session_token=c["SessionToken"],
    )
    try:
        forged.get_caller_identity()
        raise AssertionError("a wrong secret was accepted")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "SignatureDoesNotMatch", e.response


@step("pycognito AWSSRP.authenticate_user (SRP) with the right password")
def _():
    srp = AWSSRP(
        username="pat", password="Pat-Passw0rd!", pool_id=state["pool"], client_id=state["app"], client=idp
    )
    tokens = srp.authenticate_user()["AuthenticationResult"]
    assert tokens["IdToken"] and tokens["RefreshToken"]
    state["tokens"] = tokens


@step("pycognito AWSSRP with a wrong password is NotAuthorizedException")
def _():
    srp = AWSSRP(username="pat", password="wrong", pool_id=state["pool"], client_id=state["app"], client=idp)
    try:
        srp.authenticate_user()
        raise AssertionError("a wrong password signed in")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "NotAuthorizedException", e.response
        assert e.response["Error"]["Message"] == "Incorrect username or password.", e.response


@step("boto3 CUSTOM_AUTH: Python DefineAuthChallenge/CreateAuthChallenge/VerifyAuthChallengeResponse handlers, a wrong then a right answer")
def _():
    # A second `cogkit mock serve` runs examples/triggers/*.py for these ARNs.
    custom = boto3.client(
        "cognito-idp", endpoint_url=os.environ["CUSTOM_AUTH_ENDPOINT"], region_name=REGION, **ADMIN
    )
    arn = "arn:aws:lambda:%s:123456789012:function:{}-python" % REGION
    pool = custom.create_user_pool(
        PoolName="compat-python-custom",
        LambdaConfig={
            "DefineAuthChallenge": arn.format("define-auth-challenge"),
            "CreateAuthChallenge": arn.format("create-auth-challenge"),
            "VerifyAuthChallengeResponse": arn.format("verify-auth-challenge-response"),
        },
    )["UserPool"]["Id"]
    app = custom.create_user_pool_client(
        UserPoolId=pool, ClientName="captcha", ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    custom.admin_create_user(UserPoolId=pool, Username="cy", MessageAction="SUPPRESS")
    custom.admin_set_user_password(UserPoolId=pool, Username="cy", Password="Cy-Passw0rd!", Permanent=True)
    reply = custom.initiate_auth(ClientId=app, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "cy"})
    assert reply["ChallengeName"] == "CUSTOM_CHALLENGE", reply
    assert set(reply["ChallengeParameters"]) == {"captcha", "USERNAME"}, reply["ChallengeParameters"]

    def respond(session, answer):
        return custom.respond_to_auth_challenge(
            ClientId=app,
            ChallengeName="CUSTOM_CHALLENGE",
            Session=session,
            ChallengeResponses={"USERNAME": "cy", "ANSWER": answer},
        )

    again = respond(reply["Session"], "0")
    assert again["ChallengeName"] == "CUSTOM_CHALLENGE", again
    a, b = again["ChallengeParameters"]["captcha"].split("+")
    tokens = respond(again["Session"], str(int(a) + int(b)))["AuthenticationResult"]
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert claims["cognito:username"] == "cy", claims


@step("aws-encryption-sdk: a Python CustomEmailSender decrypts its code (KMS key provider against the mock), and the code confirms the sign-up")
def _():
    custom_endpoint = os.environ["CUSTOM_AUTH_ENDPOINT"]
    custom = boto3.client("cognito-idp", endpoint_url=custom_endpoint, region_name=REGION, **ADMIN)
    pool = custom.create_user_pool(
        PoolName="compat-python-sender",
        AutoVerifiedAttributes=["email"],
        LambdaConfig={
            "CustomEmailSender": {
                "LambdaVersion": "V1_0",
                "LambdaArn": f"arn:aws:lambda:{REGION}:123456789012:function:custom-email-sender-python",
            },
            "KMSKeyID": f"arn:aws:kms:{REGION}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        },
    )["UserPool"]["Id"]
    app = custom.create_user_pool_client(UserPoolId=pool, ClientName="sender")["UserPoolClient"]["ClientId"]
    custom.sign_up(
        ClientId=app,
        Username="sue",
        Password="Sue-Passw0rd!",
        UserAttributes=[{"Name": "email", "Value": "sue@example.com"}],
    )
    with open(os.environ["SENT_CODES_FILE"]) as f:
        sent = [json.loads(line) for line in f if line.strip()]
    mine = [s for s in sent if s["userName"] == "sue"]
    assert mine and mine[-1]["triggerSource"] == "CustomEmailSender_SignUp", sent
    code = mine[-1]["code"]
    with urllib.request.urlopen(f"{custom_endpoint}/_mock/codes?user_pool_id={pool}&username=sue") as r:
        issued = json.load(r)["codes"][-1]["code"]
    assert code == issued, (code, issued)
    custom.confirm_sign_up(ClientId=app, Username="sue", ConfirmationCode=code)
    assert custom.admin_get_user(UserPoolId=pool, Username="sue")["UserStatus"] == "CONFIRMED"


@step("flow 2: the SRP IdToken as a user-pool login")
def _():
    c = credentials_for(state["identity_pool"], {login_key(state["pool"]): state["tokens"]["IdToken"]})
    state["authenticated"] = c


@step("boto3 refresh (REFRESH_TOKEN_AUTH) and GetUser with the access token")
def _():
    r = idp.initiate_auth(
        AuthFlow="REFRESH_TOKEN_AUTH",
        ClientId=state["app"],
        AuthParameters={"REFRESH_TOKEN": state["tokens"]["RefreshToken"]},
    )["AuthenticationResult"]
    user = idp.get_user(AccessToken=r["AccessToken"])
    assert user["Username"] == "pat", user


def outbox(pool_id, username, purpose):
    """The last code of `purpose` the mock "sent" to `username`."""
    query = urllib.parse.urlencode({"user_pool_id": pool_id, "username": username})
    codes = json.load(urllib.request.urlopen(f"{ENDPOINT}/_mock/codes?{query}"))
    return [c for c in codes["codes"] if c["purpose"] == purpose][-1]


@step("boto3 change of email: UpdateUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute")
def _():
    access = state["tokens"]["AccessToken"]
    idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "email", "Value": "pat@new.example"}])
    attrs = {a["Name"]: a["Value"] for a in idp.get_user(AccessToken=access)["UserAttributes"]}
    assert attrs["email"] == "pat@new.example" and attrs["email_verified"] == "false", attrs
    sent = idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    assert sent["CodeDeliveryDetails"]["AttributeName"] == "email", sent
    code = outbox(state["pool"], "pat", "VERIFY_EMAIL")
    assert code["destination"] == "pat@new.example", code
    try:
        idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code="000000x")
        raise AssertionError("a wrong code verified the email")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "CodeMismatchException", e.response
    idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code["code"])
    attrs = {a["Name"]: a["Value"] for a in idp.get_user(AccessToken=access)["UserAttributes"]}
    assert attrs["email_verified"] == "true", attrs


@step("pycognito TOTP MFA: associate_software_token, verify_software_token, SRP sign-in answered with pyotp")
def _():
    pool, app = state["pool"], state["app"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool, MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    idp.admin_create_user(UserPoolId=pool, Username="tess", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="tess", Password="Tess-Passw0rd!", Permanent=True)
    # pycognito checks tokens against the AWS issuer with the keys it is
    # given (COGNITO_JWKS); boto3 finds the mock through its
    # service-specific endpoint variable. Both documented, nothing patched.
    jwks = json.load(urllib.request.urlopen(f"{ENDPOINT}/{pool}/.well-known/jwks.json"))
    os.environ["COGNITO_JWKS"] = json.dumps(jwks)
    os.environ["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] = ENDPOINT
    try:
        session = boto3.Session(region_name=REGION, **ADMIN)
        user = Cognito(pool, app, user_pool_region=REGION, username="tess", session=session)
        user.authenticate(password="Tess-Passw0rd!")
        totp = pyotp.TOTP(user.associate_software_token())
        now = time.time()
        assert user.verify_software_token(totp.at(now), "compat-phone")
        user.set_user_mfa_preference(False, True, "SOFTWARE_TOKEN")
        try:
            user.authenticate(password="Tess-Passw0rd!")
            raise AssertionError("signed in without the software token")
        except SoftwareTokenMFAChallengeException as challenge:
            mfa_tokens = challenge.get_tokens()
        assert mfa_tokens["ChallengeName"] == "SOFTWARE_TOKEN_MFA", mfa_tokens
        try:
            user.respond_to_software_token_mfa_challenge(totp.at(now), mfa_tokens)
            raise AssertionError("the code that verified the token was taken again")
        except botocore.exceptions.ClientError as e:
            assert e.response["Error"]["Code"] == "ExpiredCodeException", e.response
        user.respond_to_software_token_mfa_challenge(totp.at(now + 30), mfa_tokens)
        assert user.id_claims["cognito:username"] == "tess", user.id_claims
    finally:
        os.environ.pop("COGNITO_JWKS", None)
        os.environ.pop("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", None)


def jwks_client(pool_id):
    return jwt.PyJWKClient(f"{ENDPOINT}/{pool_id}/.well-known/jwks.json")


@step("PyJWT verifies the ID token against the JWKS")
def _():
    token = state["tokens"]["IdToken"]
    key = jwks_client(state["pool"]).get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience=state["app"],
        issuer=f"https://cognito-idp.{REGION}.amazonaws.com/{state['pool']}",
    )
    assert claims["token_use"] == "id" and claims["cognito:username"] == "pat", claims
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    try:
        jwt.decode(tampered, key.key, algorithms=["RS256"], audience=state["app"])
        raise AssertionError("a tampered token verified")
    except jwt.InvalidSignatureError:
        pass


@step("PyJWT verifies the access token against the JWKS")
def _():
    token = state["tokens"]["AccessToken"]
    key = jwks_client(state["pool"]).get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        issuer=f"https://cognito-idp.{REGION}.amazonaws.com/{state['pool']}",
        options={"verify_aud": False},  # access tokens carry client_id, not aud
    )
    assert claims["token_use"] == "access" and claims["client_id"] == state["app"], claims


@step("boto3 GetDerivedToken: an audience-bound token PyJWT verifies, that still works as the user's")
def _():
    service = idp.create_user_pool_client(
        UserPoolId=state["pool"],
        ClientName="exchanger",
        ExplicitAuthFlows=["ALLOW_TOKEN_EXCHANGE_IMPERSONATION", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    subject = state["tokens"]["AccessToken"]
    out = idp.get_derived_token(
        ClientId=service, SubjectToken=subject, SubjectTokenType="ACCESS_TOKEN", Audiences=["reports"]
    )
    assert (out["IssuedTokenType"], out["TokenType"]) == ("ACCESS_TOKEN", "Bearer"), out
    token = out["IssuedToken"]
    key = jwks_client(state["pool"]).get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience="reports",
        issuer=f"https://cognito-idp.{REGION}.amazonaws.com/{state['pool']}",
    )
    assert claims["client_id"] == service and claims["username"] == "pat", claims
    assert idp.get_user(AccessToken=token)["Username"] == "pat"
    try:
        idp.get_derived_token(
            ClientId=state["app"], SubjectToken=subject, SubjectTokenType="ACCESS_TOKEN"
        )
        raise AssertionError("a client without the token-exchange flow exchanged a token")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidParameterException", e.response


@step("boto3 CIMD policies and a user-pool replica: created, read back, removed")
def _():
    pool, app = state["pool"], state["app"]
    policy = idp.create_cimd_policy(
        UserPoolId=pool, ClientId=app, PolicyName="tools", URLPatterns=["https://tools.example.com/*.json"]
    )["CIMDPolicy"]
    assert policy["ClientId"] == app and policy["URLPatterns"] == ["https://tools.example.com/*.json"], policy
    listed = idp.list_cimd_policies(UserPoolId=pool)["CIMDPolicies"]
    assert [p["CIMDPolicyId"] for p in listed] == [policy["CIMDPolicyId"]], listed
    urls = idp.list_client_metadata_urls(UserPoolId=pool, CIMDPolicyId=policy["CIMDPolicyId"])
    assert urls["ClientMetadataURLs"] == [], urls
    idp.delete_cimd_policy(UserPoolId=pool, CIMDPolicyId=policy["CIMDPolicyId"])

    replica = idp.create_user_pool_replica(UserPoolId=pool, RegionName="eu-west-1")["UserPoolReplica"]
    assert (replica["Status"], replica["Role"]) == ("INACTIVE", "SECONDARY"), replica
    secondary = boto3.client("cognito-idp", endpoint_url=ENDPOINT, region_name="eu-west-1", **ADMIN)
    assert secondary.describe_user_pool(UserPoolId=pool)["UserPool"]["Id"] == pool
    try:
        secondary.admin_create_user(UserPoolId=pool, Username="nobody", MessageAction="SUPPRESS")
        raise AssertionError("a secondary replica created a user")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "OperationNotEnabledException", e.response
    regions = [r["RegionName"] for r in idp.list_user_pool_replicas(UserPoolId=pool)["UserPoolReplicas"]]
    assert regions == [REGION, "eu-west-1"], regions
    assert idp.delete_user_pool_replica(UserPoolId=pool, RegionName="eu-west-1")["UserPoolReplica"]["Status"] == "DELETING"


def cbor(value):
    """A minimal CBOR encoder (RFC 8949) for WebAuthn's maps, ints, bytes and text."""

    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for size, code in ((1, 24), (2, 25), (4, 26), (8, 27)):
            if n < 1 << (8 * size):
                return bytes([major << 5 | code]) + n.to_bytes(size, "big")
        raise ValueError(n)

    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return head(3, len(raw)) + raw
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(value)


@step("boto3 passkey registration: a P-256 credential made with cryptography, packed self-attestation")
def _():
    import base64
    import hashlib

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    b64url = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    pool = idp.create_user_pool(
        PoolName="passkeys", Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
    )["UserPool"]["Id"]
    idp.create_user_pool_domain(UserPoolId=pool, Domain="compat-passkeys")
    app = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="pk", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username="pia", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="pia", Password="Pia-Passw0rd!", Permanent=True)
    token = idp.initiate_auth(
        ClientId=app, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "pia", "PASSWORD": "Pia-Passw0rd!"}
    )["AuthenticationResult"]["AccessToken"]
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    rp = options["rp"]["id"]
    assert rp == f"compat-passkeys.auth.{REGION}.amazoncognito.com", rp

    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    cose = cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
    cred_id = os.urandom(16)
    auth_data = (
        hashlib.sha256(rp.encode()).digest() + bytes([0x45]) + (0).to_bytes(4, "big") + bytes(16)
        + len(cred_id).to_bytes(2, "big") + cred_id + cose
    )
    client_data = json.dumps(
        {"type": "webauthn.create", "challenge": options["challenge"], "origin": f"https://{rp}"}
    ).encode()

    def credential(origin_ok=True):
        data = client_data if origin_ok else client_data.replace(f"https://{rp}".encode(), b"https://evil.example.com")
        sig = key.sign(auth_data + hashlib.sha256(data).digest(), ec.ECDSA(hashes.SHA256()))
        attestation = cbor({"fmt": "packed", "attStmt": {"alg": -7, "sig": sig}, "authData": auth_data})
        return {
            "id": b64url(cred_id), "rawId": b64url(cred_id), "type": "public-key",
            "response": {"clientDataJSON": b64url(data), "attestationObject": b64url(attestation),
                         "transports": ["usb"]},
            "authenticatorAttachment": "cross-platform", "clientExtensionResults": {},
        }

    try:
        idp.complete_web_authn_registration(AccessToken=token, Credential=credential(origin_ok=False))
        raise AssertionError("a credential from another origin was registered")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "WebAuthnOriginNotAllowedException", e.response
    idp.complete_web_authn_registration(AccessToken=token, Credential=credential())
    listed = idp.list_web_authn_credentials(AccessToken=token)["Credentials"]
    assert [c["CredentialId"] for c in listed] == [b64url(cred_id)], listed
    assert listed[0]["RelyingPartyId"] == rp and listed[0]["AuthenticatorTransports"] == ["usb"], listed
    factors = idp.get_user_auth_factors(AccessToken=token)["ConfiguredUserAuthFactors"]
    assert "WEB_AUTHN" in factors, factors
    idp.delete_web_authn_credential(AccessToken=token, CredentialId=b64url(cred_id))
    assert idp.list_web_authn_credentials(AccessToken=token)["Credentials"] == []


@step("cryptography verifies GetSigningCertificate: self-signed, the ID tokens' key")
def _():
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import padding

    answer = idp.get_signing_certificate(UserPoolId=state["pool"])["Certificate"]
    cert = x509.load_der_x509_certificate(base64.b64decode(answer))
    cert.public_key().verify(
        cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm
    )
    assert cert.issuer == cert.subject, cert.subject
    years = (cert.not_valid_after_utc - cert.not_valid_before_utc).days / 365.25
    assert 9.9 < years < 10.1, years
    key = jwks_client(state["pool"]).get_signing_key_from_jwt(state["tokens"]["IdToken"])
    assert cert.public_key().public_numbers() == key.key.public_numbers()
    assert idp.get_signing_certificate(UserPoolId=state["pool"])["Certificate"] == answer


@step("boto3 user import: CSV header, upload to the pre-signed URL, RESET_REQUIRED users")
def _():
    import csv
    import io

    pool = idp.create_user_pool(PoolName="import", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    header = idp.get_csv_header(UserPoolId=pool)["CSVHeader"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerow({"cognito:username": "imp", "cognito:mfa_enabled": "false",
                     "email": "imp@example.com", "email_verified": "true",
                     "address": "1 Main St, Springfield"})
    job = idp.create_user_import_job(
        UserPoolId=pool, JobName="py", CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/import"
    )["UserImportJob"]
    upload = urllib.request.Request(
        job["PreSignedUrl"], data=out.getvalue().encode(), method="PUT",
        headers={"Content-Type": "text/csv", "x-amz-server-side-encryption": "aws:kms"},
    )
    assert urllib.request.urlopen(upload).status == 200
    idp.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
    done = idp.describe_user_import_job(UserPoolId=pool, JobId=job["JobId"])["UserImportJob"]
    assert (done["Status"], done["ImportedUsers"], done["FailedUsers"]) == ("Succeeded", 1, 0), done
    user = idp.admin_get_user(UserPoolId=pool, Username="imp")
    assert user["UserStatus"] == "RESET_REQUIRED", user
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["address"] == "1 Main St, Springfield", attrs


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def hosted_ui_code():
    """Signs alice in on the hosted UI's page, as a browser would."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())

    def fetch(url, data=None):
        try:
            r = opener.open(url, data=data)
            return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:  # 3xx without following, and 4xx
            return e.code, e.headers, e.read().decode()

    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": SEED_CLIENT,
            "redirect_uri": CALLBACK,
            "scope": "openid email",
            "state": "py-state",
        }
    )
    status, headers, _ = fetch(f"{ENDPOINT}/example/oauth2/authorize?{query}")
    assert status == 302, status
    status, _, page = fetch(urllib.parse.urljoin(ENDPOINT, headers["Location"]))
    assert status == 200, status
    form = re.search(r'<form method="post" action="([^"]*)" id="signin">', page)
    csrf = re.search(r'name="_csrf" value="([^"]*)"', page)
    body = urllib.parse.urlencode({"_csrf": csrf.group(1), "username": "alice", "password": "Passw0rd!"})
    action = form.group(1).replace("&amp;", "&")
    status, headers, _ = fetch(action, body.encode())
    assert status == 302, status
    callback = urllib.parse.urlparse(headers["Location"])
    params = urllib.parse.parse_qs(callback.query)
    assert params["state"] == ["py-state"], params
    return params["code"][0]


@step("flow 3: hosted UI code at /oauth2/token, id_token as a login")
def _():
    code = hosted_ui_code()
    body = urllib.parse.urlencode(
        {"grant_type": "authorization_code", "client_id": SEED_CLIENT, "code": code, "redirect_uri": CALLBACK}
    ).encode()
    req = urllib.request.Request(
        f"{ENDPOINT}/example/oauth2/token",
        data=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    tokens = json.load(urllib.request.urlopen(req))
    credentials_for(SEED_IDENTITY_POOL, {login_key(SEED_POOL): tokens["id_token"]})


@step("flow 4: a Facebook access token as a direct login")
def _():
    req = urllib.request.Request(
        f"{ENDPOINT}/_mock/idp/token",
        data=json.dumps({"provider": "graph.facebook.com", "audience": "1234567890", "subject": "10009"}).encode(),
        headers={"content-type": "application/json"},
    )
    token = json.load(urllib.request.urlopen(req))["token"]
    credentials_for(state["identity_pool"], {"graph.facebook.com": token})
    try:
        identity.get_id(IdentityPoolId=state["identity_pool"], Logins={"graph.facebook.com": "EAAGforged"})
        raise AssertionError("a forged Facebook token was accepted")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "NotAuthorizedException", e.response


def aws_cli(*args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="x" * 40,
               AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true")
    out = subprocess.run(
        [sys.executable, "-m", "awscli", *args, "--endpoint-url", ENDPOINT, "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@step("AWS CLI: cognito-idp initiate-auth")
def _():
    r = aws_cli(
        "cognito-idp",
        "initiate-auth",
        "--auth-flow",
        "USER_PASSWORD_AUTH",
        "--client-id",
        state["app"],
        "--auth-parameters",
        "USERNAME=pat,PASSWORD=Pat-Passw0rd!",
    )
    assert r["AuthenticationResult"]["TokenType"] == "Bearer", r


@step("AWS CLI: cognito-identity get-id")
def _():
    r = aws_cli("cognito-identity", "get-id", "--identity-pool-id", state["identity_pool"])
    assert r["IdentityId"].startswith(f"{REGION}:"), r


def plain_client(service, region):
    """A client of the second server, started with no seed and no --region."""
    return boto3.client(
        service, endpoint_url=os.environ["PLAIN_MOCK_ENDPOINT"], region_name=region, **ADMIN
    )


@step("boto3 regions: a server with no --region takes each client's region")
def _():
    tokyo_idp = plain_client("cognito-idp", "ap-northeast-1")
    pool = tokyo_idp.create_user_pool(PoolName="tokyo")["UserPool"]["Id"]
    assert pool.startswith("ap-northeast-1_"), pool
    app = tokyo_idp.create_user_pool_client(
        UserPoolId=pool, ClientName="app", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    tokyo_idp.admin_create_user(UserPoolId=pool, Username="kei", MessageAction="SUPPRESS")
    tokyo_idp.admin_set_user_password(UserPoolId=pool, Username="kei", Password="Kei-Passw0rd!", Permanent=True)
    tokens = tokyo_idp.admin_initiate_auth(
        UserPoolId=pool, ClientId=app, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "kei", "PASSWORD": "Kei-Passw0rd!"},
    )["AuthenticationResult"]
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert claims["iss"] == f"https://cognito-idp.ap-northeast-1.amazonaws.com/{pool}", claims["iss"]

    tokyo_identity = plain_client("cognito-identity", "ap-northeast-1")
    key = f"cognito-idp.ap-northeast-1.amazonaws.com/{pool}"
    identity_pool = tokyo_identity.create_identity_pool(
        IdentityPoolName="tokyo", AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": key, "ClientId": app}],
    )["IdentityPoolId"]
    assert identity_pool.startswith("ap-northeast-1:"), identity_pool
    identity_id = tokyo_identity.get_id(IdentityPoolId=identity_pool, Logins={key: tokens["IdToken"]})["IdentityId"]
    assert identity_id.startswith("ap-northeast-1:"), identity_id

    # A second client in eu-west-1 on the same server: its own pools only.
    ireland_idp = plain_client("cognito-idp", "eu-west-1")
    eu_pool = ireland_idp.create_user_pool(PoolName="ireland")["UserPool"]["Id"]
    assert eu_pool.startswith("eu-west-1_"), eu_pool
    assert [p["Id"] for p in ireland_idp.list_user_pools(MaxResults=60)["UserPools"]] == [eu_pool]
    assert [p["Id"] for p in tokyo_idp.list_user_pools(MaxResults=60)["UserPools"]] == [pool]
    try:
        ireland_idp.describe_user_pool(UserPoolId=pool)
        raise AssertionError("eu-west-1 saw an ap-northeast-1 pool")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "ResourceNotFoundException", e
    eu_identity = plain_client("cognito-identity", "eu-west-1")
    assert eu_identity.list_identity_pools(MaxResults=60)["IdentityPools"] == []


print(f"python: {passed} passed, {failed} failed")
sys.exit(0 if failed == 0 else 1)
