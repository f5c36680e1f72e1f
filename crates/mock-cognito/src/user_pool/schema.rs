//! A pool's attribute schema: Cognito's standard attributes (with the
//! Required and Mutable a pool gave them) and its custom ones
//! (`custom:<name>`, or `dev:custom:<name>` when only an admin may write
//! them), as DescribeUserPool shows them; AddCustomAttributes; and the
//! checks every write of a user's attributes goes through.

use super::{AppClient, Pool};
use crate::error::{ApiError, ApiResult};
use crate::shapes::cognito_idp::{
    AttributeDataType, NumberAttributeConstraintsType, SchemaAttributeType,
    StringAttributeConstraintsType,
};

/// A standard attribute: name, type, string length bounds, mutable,
/// required.
type Standard = (
    &'static str,
    AttributeDataType,
    Option<(&'static str, &'static str)>,
    bool,
    bool,
);

/// Cognito's standard attributes in the order DescribeUserPool lists them.
const STANDARD: [Standard; 20] = {
    use AttributeDataType::{Boolean, Number, String as Text};
    const ANY: Option<(&str, &str)> = Some(("0", "2048"));
    [
        ("sub", Text, Some(("1", "2048")), false, true),
        ("name", Text, ANY, true, false),
        ("given_name", Text, ANY, true, false),
        ("family_name", Text, ANY, true, false),
        ("middle_name", Text, ANY, true, false),
        ("nickname", Text, ANY, true, false),
        ("preferred_username", Text, ANY, true, false),
        ("profile", Text, ANY, true, false),
        ("picture", Text, ANY, true, false),
        ("website", Text, ANY, true, false),
        ("email", Text, ANY, true, false),
        ("email_verified", Boolean, None, true, false),
        ("gender", Text, ANY, true, false),
        ("birthdate", Text, Some(("10", "10")), true, false),
        ("zoneinfo", Text, ANY, true, false),
        ("locale", Text, ANY, true, false),
        ("phone_number", Text, ANY, true, false),
        ("phone_number_verified", Boolean, None, true, false),
        ("address", Text, ANY, true, false),
        ("updated_at", Number, None, true, false),
    ]
};

/// Custom attributes a pool may have.
const MAX_CUSTOM: usize = 50;

fn standard(name: &str) -> Option<SchemaAttributeType> {
    let (name, data_type, bounds, mutable, required) =
        STANDARD.iter().find(|(n, ..)| *n == name)?;
    let (string, number) = match data_type {
        AttributeDataType::String => (
            bounds.map(|(min, max)| StringAttributeConstraintsType {
                min_length: Some(min.to_owned()),
                max_length: Some(max.to_owned()),
            }),
            None,
        ),
        AttributeDataType::Number => (
            None,
            Some(NumberAttributeConstraintsType {
                min_value: Some("0".to_owned()),
                max_value: None,
            }),
        ),
        _ => (None, None),
    };
    Some(SchemaAttributeType {
        name: Some((*name).to_owned()),
        attribute_data_type: Some(*data_type),
        developer_only_attribute: Some(false),
        mutable: Some(*mutable),
        required: Some(*required),
        string_attribute_constraints: string,
        number_attribute_constraints: number,
    })
}

/// The name a custom attribute is known by (`custom:x`, `dev:custom:x`),
/// from the name CreateUserPool or AddCustomAttributes gave (`x`, or
/// already prefixed as DescribeUserPool shows it).
fn custom_name(given: &str, developer_only: bool) -> String {
    let bare = given
        .strip_prefix("dev:")
        .unwrap_or(given)
        .strip_prefix("custom:")
        .unwrap_or_else(|| given.strip_prefix("dev:").unwrap_or(given));
    if developer_only || given.starts_with("dev:") {
        format!("dev:custom:{bare}")
    } else {
        format!("custom:{bare}")
    }
}

/// A custom attribute as DescribeUserPool shows it.
fn custom(given: &SchemaAttributeType) -> SchemaAttributeType {
    let name = given.name.as_deref().unwrap_or_default();
    let developer_only = given.developer_only_attribute == Some(true);
    SchemaAttributeType {
        name: Some(custom_name(name, developer_only)),
        attribute_data_type: Some(
            given
                .attribute_data_type
                .unwrap_or(AttributeDataType::String),
        ),
        developer_only_attribute: Some(developer_only || name.starts_with("dev:")),
        mutable: Some(given.mutable.unwrap_or(true)),
        required: Some(false),
        string_attribute_constraints: given.string_attribute_constraints.clone(),
        number_attribute_constraints: given.number_attribute_constraints.clone(),
    }
}

/// Refuses a schema Cognito refuses (custom attributes being added to
/// `existing` ones).
pub(super) fn check_schema(
    given: &[SchemaAttributeType],
    existing: &[SchemaAttributeType],
) -> ApiResult<()> {
    let mut names: Vec<String> = existing.iter().filter_map(|a| a.name.clone()).collect();
    let mut customs = existing
        .iter()
        .filter(|a| a.name.as_deref().is_some_and(|n| n.contains("custom:")))
        .count();
    for attribute in given {
        let name = attribute.name.as_deref().unwrap_or_default();
        if name.is_empty() {
            return Err(ApiError::invalid_parameter(
                "A schema attribute needs a Name",
            ));
        }
        if standard(name).is_some() {
            if !existing.is_empty() {
                return Err(ApiError::invalid_parameter(format!(
                    "Existing attribute already has name {name}."
                )));
            }
            continue;
        }
        let shown = custom(attribute);
        let full = shown.name.clone().unwrap_or_default();
        let bare = full.rsplit(':').next().unwrap_or_default();
        if bare.is_empty() || bare.chars().count() > 20 {
            return Err(ApiError::invalid_parameter(format!(
                "Custom attribute name {bare:?} must be 1 to 20 characters"
            )));
        }
        if attribute.required == Some(true) {
            return Err(ApiError::invalid_parameter(
                "Required custom attributes are not supported currently.",
            ));
        }
        if names
            .iter()
            .any(|n| n.rsplit(':').next() == Some(bare) && n.contains("custom:"))
        {
            return Err(ApiError::invalid_parameter(format!(
                "Existing attribute already has name {full}."
            )));
        }
        customs += 1;
        if customs > MAX_CUSTOM {
            return Err(ApiError::invalid_parameter(format!(
                "A user pool has at most {MAX_CUSTOM} custom attributes"
            )));
        }
        names.push(full);
    }
    Ok(())
}

/// The whole schema of a pool created with `given`: every standard
/// attribute (with the Required and Mutable given for it) and then the
/// custom ones. Idempotent: a whole schema gives itself back.
pub(super) fn whole_schema(given: Option<&[SchemaAttributeType]>) -> Vec<SchemaAttributeType> {
    let given = given.unwrap_or_default();
    let mut out: Vec<SchemaAttributeType> = STANDARD
        .iter()
        .filter_map(|(name, ..)| {
            let mut attribute = standard(name)?;
            if let Some(set) = given.iter().find(|g| g.name.as_deref() == Some(name))
                && *name != "sub"
            {
                attribute.required = set.required.or(attribute.required);
                attribute.mutable = set.mutable.or(attribute.mutable);
            }
            Some(attribute)
        })
        .collect();
    out.extend(
        given
            .iter()
            .filter(|g| g.name.as_deref().is_some_and(|n| standard(n).is_none()))
            .map(custom),
    );
    out
}

/// Who writes attributes, which decides what may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Writer {
    /// SignUp: required attributes must be given; no developer-only ones.
    SignUp,
    /// The user, with an access token: no developer-only ones.
    User,
    /// An administrator (AdminCreateUser, AdminUpdateUserAttributes).
    Admin,
}

impl Pool {
    pub(super) fn schema(&self) -> &[SchemaAttributeType] {
        self.settings
            .schema_attributes
            .as_deref()
            .unwrap_or_default()
    }

    fn schema_attribute(&self, name: &str) -> Option<&SchemaAttributeType> {
        self.schema()
            .iter()
            .find(|a| a.name.as_deref() == Some(name))
    }

    /// Checks attributes about to be written over `current` (a new user:
    /// none): each in the schema, of its type and size, mutable if it
    /// already has a value, writable by `writer`; and for a sign-up, every
    /// required attribute there.
    pub(super) fn check_attributes(
        &self,
        updates: &[(String, String)],
        current: Option<&std::collections::BTreeMap<String, String>>,
        writer: Writer,
    ) -> ApiResult<()> {
        let refuse = |why: String| {
            ApiError::invalid_parameter(format!("Attributes did not conform to the schema: {why}"))
        };
        for (name, value) in updates {
            let Some(attribute) = self.schema_attribute(name) else {
                return Err(refuse(format!(
                    "{name}: Attribute does not exist in the schema."
                )));
            };
            if attribute.developer_only_attribute == Some(true) && writer != Writer::Admin {
                return Err(ApiError::not_authorized(format!(
                    "A client attempted to write unauthorized attribute {name}"
                )));
            }
            let changes = current
                .and_then(|c| c.get(name))
                .is_some_and(|old| old != value);
            if attribute.mutable == Some(false) && changes {
                return Err(refuse(format!(
                    "{name}: Attribute cannot be updated. (changing an immutable attribute)"
                )));
            }
            check_value(attribute, value).map_err(|why| refuse(format!("{name}: {why}")))?;
        }
        if writer == Writer::SignUp {
            for attribute in self.schema() {
                let name = attribute.name.as_deref().unwrap_or_default();
                let given = updates.iter().any(|(n, v)| n == name && !v.is_empty());
                if attribute.required == Some(true) && name != "sub" && !given {
                    return Err(refuse(format!("{name}: The attribute {name} is required")));
                }
            }
        }
        Ok(())
    }

    /// Whether the schema requires `name`.
    pub(super) fn is_required(&self, name: &str) -> bool {
        self.schema_attribute(name)
            .is_some_and(|a| a.required == Some(true))
    }

    /// The pool's required attributes the user has no value for
    /// (NEW_PASSWORD_REQUIRED's `requiredAttributes`, as `userAttributes.<name>`).
    pub(super) fn missing_required_attributes(
        &self,
        has: &std::collections::BTreeMap<String, String>,
    ) -> Vec<String> {
        self.schema()
            .iter()
            .filter(|a| a.required == Some(true))
            .filter_map(|a| a.name.clone())
            .filter(|n| n != "sub" && has.get(n).is_none_or(|v| v.is_empty()))
            .map(|n| format!("userAttributes.{n}"))
            .collect()
    }

    /// AddCustomAttributes.
    pub(super) fn add_custom_attributes(&mut self, given: &[SchemaAttributeType]) -> ApiResult<()> {
        check_schema(given, self.schema())?;
        let schema = self.settings.schema_attributes.get_or_insert_with(Vec::new);
        schema.extend(given.iter().map(custom));
        Ok(())
    }
}

impl AppClient {
    /// Refuses attributes outside the client's WriteAttributes, when it
    /// has them.
    pub(super) fn check_writable(&self, updates: &[(String, String)]) -> ApiResult<()> {
        let Some(writable) = self
            .settings
            .write_attributes
            .as_deref()
            .filter(|w| !w.is_empty())
        else {
            return Ok(());
        };
        match updates.iter().find(|(name, _)| !writable.contains(name)) {
            Some((name, _)) => Err(ApiError::not_authorized(format!(
                "A client attempted to write unauthorized attribute {name}"
            ))),
            None => Ok(()),
        }
    }
}

/// Whether `value` fits the attribute's type and constraints.
fn check_value(attribute: &SchemaAttributeType, value: &str) -> Result<(), String> {
    let chars = value.chars().count();
    match attribute
        .attribute_data_type
        .unwrap_or(AttributeDataType::String)
    {
        AttributeDataType::String => {
            let bounds = attribute.string_attribute_constraints.as_ref();
            let min = bounds.and_then(|b| b.min_length.as_deref()?.parse().ok());
            let max = bounds
                .and_then(|b| b.max_length.as_deref()?.parse().ok())
                .unwrap_or(2048);
            // An empty value clears an attribute.
            if !value.is_empty() && min.is_some_and(|min: usize| chars < min) || chars > max {
                return Err(format!(
                    "Value length must be between {} and {max}",
                    min.unwrap_or(0)
                ));
            }
        }
        AttributeDataType::Number => {
            let number: f64 = value
                .parse()
                .map_err(|_| "Number must be a number".to_owned())?;
            let bounds = attribute.number_attribute_constraints.as_ref();
            let min = bounds.and_then(|b| b.min_value.as_deref()?.parse::<f64>().ok());
            let max = bounds.and_then(|b| b.max_value.as_deref()?.parse::<f64>().ok());
            if min.is_some_and(|m| number < m) || max.is_some_and(|m| number > m) {
                return Err("Number is out of the attribute's range".to_owned());
            }
        }
        AttributeDataType::Boolean => {
            if value != "true" && value != "false" {
                return Err("Value must be true or false".to_owned());
            }
        }
        AttributeDataType::DateTime => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(name: &str) -> SchemaAttributeType {
        SchemaAttributeType {
            name: Some(name.to_owned()),
            ..SchemaAttributeType::default()
        }
    }

    #[test]
    fn the_whole_schema_lists_every_standard_attribute_then_the_custom_ones() {
        let mut email = attribute("email");
        email.required = Some(true);
        email.mutable = Some(false);
        let mut tenant = attribute("tenant");
        tenant.attribute_data_type = Some(AttributeDataType::String);
        let schema = whole_schema(Some(&[email, tenant]));
        assert_eq!(schema.len(), 21);
        assert_eq!(schema[0].name.as_deref(), Some("sub"));
        let email = schema
            .iter()
            .find(|a| a.name.as_deref() == Some("email"))
            .unwrap();
        assert_eq!((email.required, email.mutable), (Some(true), Some(false)));
        assert_eq!(schema[20].name.as_deref(), Some("custom:tenant"));
        // Read back as it is shown, it is the same.
        assert_eq!(whole_schema(Some(&schema)), schema);
    }

    #[test]
    fn custom_names_are_prefixed_once() {
        assert_eq!(custom_name("tenant", false), "custom:tenant");
        assert_eq!(custom_name("custom:tenant", false), "custom:tenant");
        assert_eq!(custom_name("tenant", true), "dev:custom:tenant");
        assert_eq!(custom_name("dev:custom:tenant", true), "dev:custom:tenant");
    }

    #[test]
    fn refused_schemas() {
        let mut required = attribute("tenant");
        required.required = Some(true);
        assert!(check_schema(&[required], &[]).is_err());
        assert!(check_schema(&[attribute(&"x".repeat(21))], &[]).is_err());
        assert!(check_schema(&[attribute("a"), attribute("a")], &[]).is_err());
        let existing = whole_schema(Some(&[attribute("a")]));
        assert!(check_schema(&[attribute("a")], &existing).is_err());
        assert!(check_schema(&[attribute("b")], &existing).is_ok());
    }

    #[test]
    fn values_fit_their_type() {
        let birthdate = standard("birthdate").unwrap();
        assert!(check_value(&birthdate, "2000-01-01").is_ok());
        assert!(check_value(&birthdate, "2000-1-1").is_err());
        let updated = standard("updated_at").unwrap();
        assert!(check_value(&updated, "1700000000").is_ok());
        assert!(check_value(&updated, "soon").is_err());
        assert!(check_value(&updated, "-1").is_err());
        let verified = standard("email_verified").unwrap();
        assert!(check_value(&verified, "yes").is_err());
        assert!(check_value(&standard("name").unwrap(), &"n".repeat(2049)).is_err());
    }
}
