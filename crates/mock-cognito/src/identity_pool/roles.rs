//! Which role an identity gets: CustomRoleArn, then the role mapping of the
//! login's provider (Token: `cognito:preferred_role`; Rules: the first
//! matching claim rule), then AmbiguousRoleResolution, then the pool's
//! default authenticated or unauthenticated role.

use serde_json::Value;

use super::logins::{Login, ValidatedLogins};
use super::{Identity, IdentityPool};
use crate::error::{ApiError, ApiResult};
use crate::shapes::cognito_identity::{
    AmbiguousRoleResolutionType, MappingRule, MappingRuleMatchType, RoleMappingType,
};

fn missing_role() -> ApiError {
    ApiError::new(
        "InvalidIdentityPoolConfigurationException",
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
    )
}

/// The values of a claim as strings: arrays element by element, and the
/// comma-separated form the documentation describes for `cognito:roles`.
fn claim_values(claims: &Value, claim: &str) -> Vec<String> {
    match &claims[claim] {
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Value::String(s) if claim == "cognito:roles" => {
            s.split(',').map(|r| r.trim().to_owned()).collect()
        }
        Value::String(s) => vec![s.clone()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

fn rule_matches(rule: &MappingRule, claims: &Value) -> bool {
    let value = rule.value.as_str();
    let actual = claim_values(claims, &rule.claim);
    match rule.match_type {
        MappingRuleMatchType::Equals => actual.iter().any(|a| a == value),
        MappingRuleMatchType::Contains => actual.iter().any(|a| a.contains(value)),
        MappingRuleMatchType::StartsWith => actual.iter().any(|a| a.starts_with(value)),
        MappingRuleMatchType::NotEqual => !actual.is_empty() && actual.iter().all(|a| a != value),
    }
}

/// The role-mapping key of a login: user pools map per app client.
fn mapping_key(login: &Login) -> String {
    if login.provider.starts_with("cognito-idp.") {
        format!("{}:{}", login.provider, login.audience)
    } else {
        login.provider.clone()
    }
}

pub(super) fn choose_role(
    pool: &IdentityPool,
    identity: &Identity,
    validated: &ValidatedLogins,
    custom_role_arn: Option<&str>,
) -> ApiResult<String> {
    if !identity.is_authenticated() && validated.openid_identity.is_none() {
        return pool
            .roles
            .get("unauthenticated")
            .cloned()
            .ok_or_else(missing_role);
    }
    if let Some(custom) = custom_role_arn {
        let allowed = validated.logins.iter().any(|l| {
            claim_values(&l.claims, "cognito:roles")
                .iter()
                .any(|r| r == custom)
        });
        if !allowed {
            return Err(ApiError::not_authorized(format!(
                "CustomRoleArn {custom} is not one of the roles in the token's cognito:roles claim."
            )));
        }
        return Ok(custom.to_owned());
    }
    for login in &validated.logins {
        let Some(mapping) = pool.role_mappings.get(&mapping_key(login)) else {
            continue;
        };
        let chosen = match mapping.r#type {
            RoleMappingType::Token => login.claims["cognito:preferred_role"]
                .as_str()
                .map(str::to_owned),
            RoleMappingType::Rules => mapping
                .rules_configuration
                .iter()
                .flat_map(|c| &c.rules)
                .find(|rule| rule_matches(rule, &login.claims))
                .map(|rule| rule.role_arn.clone()),
        };
        if let Some(role) = chosen {
            return Ok(role);
        }
        return match mapping.ambiguous_role_resolution {
            Some(AmbiguousRoleResolutionType::Deny) => Err(ApiError::not_authorized(
                "No role mapping matched this login and the pool's AmbiguousRoleResolution is Deny.",
            )),
            _ => pool
                .roles
                .get("authenticated")
                .cloned()
                .ok_or_else(missing_role),
        };
    }
    pool.roles
        .get("authenticated")
        .cloned()
        .ok_or_else(missing_role)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules() {
        let claims = json!({"cognito:groups": ["admins", "staff"], "email": "a@corp.example", "custom:tier": "gold"});
        let rule = |claim: &str, m: &str, v: &str| MappingRule {
            claim: claim.to_owned(),
            match_type: MappingRuleMatchType::parse(m).unwrap(),
            value: v.to_owned(),
            role_arn: "r".to_owned(),
        };
        assert!(rule_matches(
            &rule("cognito:groups", "Contains", "admin"),
            &claims
        ));
        assert!(rule_matches(
            &rule("cognito:groups", "Equals", "staff"),
            &claims
        ));
        assert!(rule_matches(&rule("email", "StartsWith", "a@"), &claims));
        assert!(rule_matches(
            &rule("custom:tier", "NotEqual", "silver"),
            &claims
        ));
        assert!(!rule_matches(
            &rule("custom:tier", "NotEqual", "gold"),
            &claims
        ));
        assert!(!rule_matches(&rule("missing", "NotEqual", "x"), &claims));
        assert!(!rule_matches(
            &rule("email", "Equals", "b@corp.example"),
            &claims
        ));
        assert_eq!(
            claim_values(&json!({"cognito:roles": "a, b"}), "cognito:roles"),
            vec!["a", "b"]
        );
    }
}
