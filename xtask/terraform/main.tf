# Every Cognito resource type of the hashicorp/aws provider (5.100.0),
# applied by `cargo xtask terraform` to a local `cogkit mock serve`: after
# the apply, a plan must show no changes (what the mock reads back is what
# Terraform wrote), then everything is destroyed.
#
# Only the mock is ever called: every endpoint the provider could use points
# at it, the credentials are fake, and the account-id and credential checks
# (STS, IAM, EC2 metadata) are off. The mock emulates no IAM, Lambda, SES or
# SNS: roles, functions and identities are literal ARNs.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"

  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  # A failing call fails the run at once instead of being retried for minutes.
  max_retries = 1

  endpoints {
    cognitoidp      = var.endpoint
    cognitoidentity = var.endpoint
    sts             = var.endpoint
    # Not emulated, and not called by this configuration: pointed at the
    # mock all the same, so that nothing can ever reach AWS.
    iam = var.endpoint
  }
}

locals {
  endpoint = trimsuffix(var.endpoint, "/")

  account = "123456789012"
  region  = "us-east-1"

  role_authenticated   = "arn:aws:iam::${local.account}:role/cognito-kit-authenticated"
  role_unauthenticated = "arn:aws:iam::${local.account}:role/cognito-kit-unauthenticated"
  role_admins          = "arn:aws:iam::${local.account}:role/cognito-kit-admins"
  role_sms             = "arn:aws:iam::${local.account}:role/cognito-kit-sms"
  lambda_prefix        = "arn:aws:lambda:${local.region}:${local.account}:function"
  ses_identity         = "arn:aws:ses:${local.region}:${local.account}:identity/noreply@example.com"

  # A 1x1 PNG: the hosted UI's logo.
  logo_png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

  tags = {
    Project = "cognito-kit"
    Purpose = "terraform-against-the-mock"
  }
}

# --- User pool -------------------------------------------------------------

resource "aws_cognito_user_pool" "main" {
  name                = "cognito-kit-terraform"
  deletion_protection = "INACTIVE"
  user_pool_tier      = "PLUS"

  alias_attributes         = ["email", "preferred_username"]
  auto_verified_attributes = ["email"]

  username_configuration {
    case_sensitive = false
  }

  schema {
    name                = "email"
    attribute_data_type = "String"
    required            = true
    mutable             = true

    string_attribute_constraints {
      min_length = "0"
      max_length = "2048"
    }
  }

  schema {
    name                     = "tenant"
    attribute_data_type      = "String"
    developer_only_attribute = false
    mutable                  = true
    required                 = false

    string_attribute_constraints {
      min_length = "1"
      max_length = "64"
    }
  }

  schema {
    name                     = "level"
    attribute_data_type      = "Number"
    developer_only_attribute = false
    mutable                  = true
    required                 = false

    number_attribute_constraints {
      min_value = "0"
      max_value = "100"
    }
  }

  mfa_configuration          = "OPTIONAL"
  sms_authentication_message = "Your sign-in code is {####}"

  software_token_mfa_configuration {
    enabled = true
  }

  sms_configuration {
    external_id    = "cognito-kit-terraform"
    sns_caller_arn = local.role_sms
    sns_region     = local.region
  }

  password_policy {
    minimum_length                   = 12
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true
    temporary_password_validity_days = 3
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }

    recovery_mechanism {
      name     = "verified_phone_number"
      priority = 2
    }
  }

  lambda_config {
    pre_sign_up       = "${local.lambda_prefix}:cognito-kit-pre-sign-up"
    post_confirmation = "${local.lambda_prefix}:cognito-kit-post-confirmation"
    custom_message    = "${local.lambda_prefix}:cognito-kit-custom-message"
  }

  admin_create_user_config {
    allow_admin_create_user_only = true

    invite_message_template {
      email_subject = "Your cognito-kit account"
      email_message = "Hello {username}, your temporary password is {####}"
      sms_message   = "Hello {username}, your temporary password is {####}"
    }
  }

  verification_message_template {
    default_email_option = "CONFIRM_WITH_CODE"
    email_subject        = "Your cognito-kit verification code"
    email_message        = "Your verification code is {####}"
    sms_message          = "Your verification code is {####}"
  }

  email_configuration {
    email_sending_account  = "DEVELOPER"
    source_arn             = local.ses_identity
    from_email_address     = "cognito-kit <noreply@example.com>"
    reply_to_email_address = "support@example.com"
  }

  device_configuration {
    challenge_required_on_new_device      = true
    device_only_remembered_on_user_prompt = true
  }

  user_attribute_update_settings {
    attributes_require_verification_before_update = ["email"]
  }

  user_pool_add_ons {
    advanced_security_mode = "ENFORCED"
  }

  tags = local.tags
}

resource "aws_cognito_user_pool_domain" "main" {
  domain       = "cognito-kit-terraform"
  user_pool_id = aws_cognito_user_pool.main.id
}

resource "aws_cognito_resource_server" "api" {
  user_pool_id = aws_cognito_user_pool.main.id
  identifier   = "https://api.example.com"
  name         = "cognito-kit API"

  scope {
    scope_name        = "read"
    scope_description = "Read the API"
  }

  scope {
    scope_name        = "write"
    scope_description = "Write to the API"
  }
}

resource "aws_cognito_identity_provider" "facebook" {
  user_pool_id  = aws_cognito_user_pool.main.id
  provider_name = "Facebook"
  provider_type = "Facebook"

  provider_details = {
    client_id        = "1234567890"
    client_secret    = "facebook-app-secret"
    authorize_scopes = "public_profile,email"

    # Cognito fills endpoints in when they are left out, and provider
    # 5.100.0 then plans to remove them on every run (it suppresses no such
    # diff for Facebook or OIDC), so they are declared here, with the
    # values the mock fills in: its own fake Facebook. If the mock changes
    # what it fills in, these change with it.
    api_version    = "v17.0"
    attributes_url = "${local.endpoint}/idp/facebook/userinfo"
    authorize_url  = "${local.endpoint}/idp/facebook/authorize"
    jwks_uri       = "${local.endpoint}/idp/facebook/jwks"
    token_url      = "${local.endpoint}/idp/facebook/token"
  }

  attribute_mapping = {
    email    = "email"
    username = "id"
  }
}

resource "aws_cognito_identity_provider" "oidc" {
  user_pool_id  = aws_cognito_user_pool.main.id
  provider_name = "CorpOIDC"
  provider_type = "OIDC"

  provider_details = {
    client_id                 = "cognito-kit"
    client_secret             = "oidc-client-secret"
    attributes_request_method = "GET"
    oidc_issuer               = "https://issuer.example.com"
    authorize_scopes          = "openid email profile"

    # Found by Cognito at the issuer when left out (see Facebook above;
    # the mock names its fake issuer by the issuer's host).
    attributes_url = "${local.endpoint}/idp/issuer.example.com/userinfo"
    authorize_url  = "${local.endpoint}/idp/issuer.example.com/authorize"
    jwks_uri       = "${local.endpoint}/idp/issuer.example.com/jwks"
    token_url      = "${local.endpoint}/idp/issuer.example.com/token"
  }

  attribute_mapping = {
    email    = "email"
    username = "sub"
  }

  idp_identifiers = ["corp"]
}

# --- App clients -----------------------------------------------------------

# A public client (a single-page app): SRP and password sign-in, no secret.
resource "aws_cognito_user_pool_client" "public" {
  name         = "public-spa"
  user_pool_id = aws_cognito_user_pool.main.id

  generate_secret = false
  explicit_auth_flows = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
  ]
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true

  read_attributes  = ["email", "email_verified", "preferred_username", "custom:tenant"]
  write_attributes = ["email", "preferred_username", "custom:tenant"]
}

# A confidential client: a secret, the hosted UI's code flow, custom scopes.
resource "aws_cognito_user_pool_client" "web" {
  name         = "web-backend"
  user_pool_id = aws_cognito_user_pool.main.id

  generate_secret = true
  explicit_auth_flows = [
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
  ]
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true

  enable_propagate_additional_user_context_data = true

  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = concat(["openid", "email", "profile"], aws_cognito_resource_server.api.scope_identifiers)
  callback_urls                        = ["https://app.example.com/callback", "http://localhost:8080/callback"]
  logout_urls                          = ["https://app.example.com/signed-out"]
  default_redirect_uri                 = "https://app.example.com/callback"
  supported_identity_providers = [
    "COGNITO",
    aws_cognito_identity_provider.facebook.provider_name,
    aws_cognito_identity_provider.oidc.provider_name,
  ]

  auth_session_validity  = 5
  access_token_validity  = 30
  id_token_validity      = 30
  refresh_token_validity = 7

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }
}

# A client another service made and owns (as OpenSearch does): created here
# only so that there is one to adopt, and left alone once made.
resource "aws_cognito_user_pool_client" "service_owned" {
  name         = "service-owned-dashboards"
  user_pool_id = aws_cognito_user_pool.main.id

  generate_secret = false

  lifecycle {
    ignore_changes = all
  }
}

resource "aws_cognito_managed_user_pool_client" "service_owned" {
  name_prefix  = "service-owned-"
  user_pool_id = aws_cognito_user_pool.main.id

  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["openid", "email"]
  callback_urls                        = ["https://dashboards.example.com/_dashboards/app/home"]
  logout_urls                          = ["https://dashboards.example.com/_dashboards/app/home"]
  supported_identity_providers         = ["COGNITO"]

  depends_on = [aws_cognito_user_pool_client.service_owned]
}

# --- Hosted UI ---------------------------------------------------------------

resource "aws_cognito_user_pool_ui_customization" "pool" {
  user_pool_id = aws_cognito_user_pool_domain.main.user_pool_id
  css          = ".banner-customizable { background-color: #1b4d89; }"
  image_file   = local.logo_png
}

resource "aws_cognito_user_pool_ui_customization" "web" {
  user_pool_id = aws_cognito_user_pool_domain.main.user_pool_id
  client_id    = aws_cognito_user_pool_client.web.id
  css          = ".submitButton-customizable { background-color: #2e7d32; }"
}

# --- Threat protection ------------------------------------------------------

resource "aws_cognito_risk_configuration" "pool" {
  user_pool_id = aws_cognito_user_pool.main.id

  account_takeover_risk_configuration {
    actions {
      low_action {
        event_action = "NO_ACTION"
        notify       = false
      }

      medium_action {
        event_action = "MFA_IF_CONFIGURED"
        notify       = true
      }

      high_action {
        event_action = "BLOCK"
        notify       = true
      }
    }

    notify_configuration {
      source_arn = local.ses_identity
      from       = "noreply@example.com"
      reply_to   = "support@example.com"

      block_email {
        subject   = "Blocked sign-in"
        html_body = "<p>We blocked a sign-in to your account.</p>"
        text_body = "We blocked a sign-in to your account."
      }

      mfa_email {
        subject   = "Sign-in needs MFA"
        html_body = "<p>A sign-in to your account needed MFA.</p>"
        text_body = "A sign-in to your account needed MFA."
      }

      no_action_email {
        subject   = "New sign-in"
        html_body = "<p>Your account was signed in to.</p>"
        text_body = "Your account was signed in to."
      }
    }
  }

  compromised_credentials_risk_configuration {
    event_filter = ["SIGN_IN", "PASSWORD_CHANGE", "SIGN_UP"]

    actions {
      event_action = "BLOCK"
    }
  }

  risk_exception_configuration {
    blocked_ip_range_list = ["203.0.113.0/24"]
    skipped_ip_range_list = ["192.0.2.0/24"]
  }
}

resource "aws_cognito_risk_configuration" "web" {
  user_pool_id = aws_cognito_user_pool.main.id
  client_id    = aws_cognito_user_pool_client.web.id

  risk_exception_configuration {
    skipped_ip_range_list = ["198.51.100.0/24"]
  }
}

# --- Users and groups -------------------------------------------------------

resource "aws_cognito_user_group" "admins" {
  user_pool_id = aws_cognito_user_pool.main.id
  name         = "admins"
  description  = "Administrators"
  precedence   = 1
  role_arn     = local.role_admins
}

# A confirmed user with a permanent password.
resource "aws_cognito_user" "alice" {
  user_pool_id   = aws_cognito_user_pool.main.id
  username       = "alice"
  password       = "Correct-Horse-Battery-9"
  message_action = "SUPPRESS"

  attributes = {
    email              = "alice@example.com"
    email_verified     = true
    preferred_username = "alice-a"
    tenant             = "acme"
    level              = 7
  }
}

# A disabled user still on a temporary password.
resource "aws_cognito_user" "bob" {
  user_pool_id       = aws_cognito_user_pool.main.id
  username           = "bob"
  temporary_password = "Temporary-Pass-42!"
  message_action     = "SUPPRESS"
  enabled            = false

  attributes = {
    email          = "bob@example.com"
    email_verified = false
  }
}

resource "aws_cognito_user_in_group" "alice_admin" {
  user_pool_id = aws_cognito_user_pool.main.id
  group_name   = aws_cognito_user_group.admins.name
  username     = aws_cognito_user.alice.username
}

# --- Identity pool ----------------------------------------------------------

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "cognito_kit_terraform"
  allow_unauthenticated_identities = true
  allow_classic_flow               = false
  developer_provider_name          = "login.cognito-kit.example"

  cognito_identity_providers {
    provider_name           = aws_cognito_user_pool.main.endpoint
    client_id               = aws_cognito_user_pool_client.public.id
    server_side_token_check = false
  }

  cognito_identity_providers {
    provider_name           = aws_cognito_user_pool.main.endpoint
    client_id               = aws_cognito_user_pool_client.web.id
    server_side_token_check = true
  }

  supported_login_providers = {
    "graph.facebook.com" = "1234567890"
  }

  openid_connect_provider_arns = ["arn:aws:iam::${local.account}:oidc-provider/issuer.example.com"]

  tags = local.tags
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id

  roles = {
    authenticated   = local.role_authenticated
    unauthenticated = local.role_unauthenticated
  }

  # The public client: by a rule on a custom attribute.
  role_mapping {
    identity_provider         = "${aws_cognito_user_pool.main.endpoint}:${aws_cognito_user_pool_client.public.id}"
    type                      = "Rules"
    ambiguous_role_resolution = "AuthenticatedRole"

    mapping_rule {
      claim      = "custom:tenant"
      match_type = "Equals"
      value      = "acme"
      role_arn   = local.role_admins
    }
  }

  # The web client: the cognito:preferred_role claim of the token.
  role_mapping {
    identity_provider         = "${aws_cognito_user_pool.main.endpoint}:${aws_cognito_user_pool_client.web.id}"
    type                      = "Token"
    ambiguous_role_resolution = "Deny"
  }
}

resource "aws_cognito_identity_pool_provider_principal_tag" "main" {
  identity_pool_id       = aws_cognito_identity_pool.main.id
  identity_provider_name = aws_cognito_user_pool.main.endpoint
  use_defaults           = false

  principal_tags = {
    client   = "aud"
    username = "sub"
  }
}
