//! STS's query protocol out: typed responses and errors as the XML
//! documents STS answers with (`<ActionResponse><ActionResult>…`), dates
//! in ISO 8601 as the protocol writes timestamps.

use std::fmt::Write;

use super::StsError;
use crate::shapes::Timestamp;
use crate::shapes::sts::{AssumeRoleWithWebIdentityResponse, GetCallerIdentityResponse};

const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// A response that renders as the members of its `<ActionResult>`.
pub(super) trait ToXml {
    /// The operation's name.
    const ACTION: &'static str;
    /// The result's members, in the model's order.
    fn write_members(&self, out: &mut Xml);
}

/// An XML document being written; text is always escaped.
#[derive(Default)]
pub(super) struct Xml(String);

impl Xml {
    /// `<name>text</name>`, if there is a text.
    fn element(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text {
            let _ = write!(self.0, "<{name}>{}</{name}>", escape(text));
        }
    }

    /// `<name>…</name>` around what `inner` writes.
    fn nested(&mut self, name: &str, inner: impl FnOnce(&mut Xml)) {
        let _ = write!(self.0, "<{name}>");
        inner(self);
        let _ = write!(self.0, "</{name}>");
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn iso8601(at: Timestamp) -> String {
    cognito_wire::time::iso8601_unix(at.secs()).unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// The whole success document.
pub(super) fn document<T: ToXml>(response: &T, request_id: &str) -> String {
    let mut out = Xml::default();
    response.write_members(&mut out);
    let action = T::ACTION;
    format!(
        "<{action}Response xmlns=\"{XMLNS}\"><{action}Result>{}</{action}Result><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>",
        out.0
    )
}

/// The error document.
pub(super) fn error_document(error: &StsError, request_id: &str) -> String {
    format!(
        "<ErrorResponse xmlns=\"{XMLNS}\"><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
        error.code,
        escape(&error.message)
    )
}

impl ToXml for AssumeRoleWithWebIdentityResponse {
    const ACTION: &'static str = "AssumeRoleWithWebIdentity";

    fn write_members(&self, out: &mut Xml) {
        out.element(
            "SubjectFromWebIdentityToken",
            self.subject_from_web_identity_token.as_deref(),
        );
        out.element("Audience", self.audience.as_deref());
        if let Some(user) = &self.assumed_role_user {
            out.nested("AssumedRoleUser", |out| {
                out.element("Arn", Some(&user.arn));
                out.element("AssumedRoleId", Some(&user.assumed_role_id));
            });
        }
        if let Some(c) = &self.credentials {
            out.nested("Credentials", |out| {
                out.element("AccessKeyId", Some(&c.access_key_id));
                out.element("SecretAccessKey", Some(&c.secret_access_key));
                out.element("SessionToken", Some(&c.session_token));
                out.element("Expiration", Some(&iso8601(c.expiration)));
            });
        }
        out.element("Provider", self.provider.as_deref());
    }
}

impl ToXml for GetCallerIdentityResponse {
    const ACTION: &'static str = "GetCallerIdentity";

    fn write_members(&self, out: &mut Xml) {
        out.element("Arn", self.arn.as_deref());
        out.element("UserId", self.user_id.as_deref());
        out.element("Account", self.account.as_deref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapes::sts::{AssumedRoleUser, Credentials};

    #[test]
    fn dates_and_escaping() {
        assert_eq!(iso8601(Timestamp::from_secs(0)), "1970-01-01T00:00:00Z");
        assert_eq!(
            iso8601(Timestamp::from_secs(1_709_629_623)),
            "2024-03-05T09:07:03Z"
        );
        assert_eq!(escape("<a&b>"), "&lt;a&amp;b&gt;");
    }

    #[test]
    fn a_response_renders_in_the_models_order_with_its_text_escaped() {
        let response = AssumeRoleWithWebIdentityResponse {
            subject_from_web_identity_token: Some("a<b".to_owned()),
            audience: Some("eu-west-1:pool".to_owned()),
            assumed_role_user: Some(AssumedRoleUser {
                arn: "arn:aws:sts::1:assumed-role/r/s".to_owned(),
                assumed_role_id: "AROAX:s".to_owned(),
            }),
            credentials: Some(Credentials {
                access_key_id: "ASIA1".to_owned(),
                secret_access_key: "k&".to_owned(),
                session_token: "t".to_owned(),
                expiration: Timestamp::from_secs(0),
            }),
            provider: Some("cognito-identity.amazonaws.com".to_owned()),
            ..Default::default()
        };
        let xml = document(&response, "req-1");
        assert!(xml.starts_with(&format!(
            "<AssumeRoleWithWebIdentityResponse xmlns=\"{XMLNS}\"><AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>a&lt;b</SubjectFromWebIdentityToken><Audience>"
        )));
        assert!(xml.contains("<SecretAccessKey>k&amp;</SecretAccessKey><SessionToken>t</SessionToken><Expiration>1970-01-01T00:00:00Z</Expiration></Credentials><Provider>"));
        assert!(xml.ends_with(
            "<RequestId>req-1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>"
        ));
    }
}
