//! Admin user management, group membership and ListUsers.

use std::collections::{BTreeMap, BTreeSet};

use super::pools::{group_not_found, page_size};
use super::schema::Writer;
use super::{Context, Pool, User, UserPools, attribute_list, user_not_found};
use crate::error::{ApiError, ApiResult};
use crate::paging::paginate;
use crate::shapes::cognito_idp::{
    AdminAddUserToGroupRequest, AdminConfirmSignUpRequest, AdminCreateUserRequest,
    AdminCreateUserResponse, AdminDeleteUserAttributesRequest, AdminDeleteUserRequest,
    AdminGetUserRequest, AdminGetUserResponse, AdminListGroupsForUserRequest,
    AdminListGroupsForUserResponse, AdminRemoveUserFromGroupRequest, AdminSetUserPasswordRequest,
    AdminUpdateUserAttributesRequest, AdminUserGlobalSignOutRequest, AttributeType,
    ListUsersInGroupRequest, ListUsersInGroupResponse, ListUsersRequest, ListUsersResponse,
    MessageActionType, UserStatusType, UserType,
};
use crate::shapes::{Empty, Timestamp};

/// Attributes whose value is a sign-in name must be unique in a pool.
const UNIQUE_ALIAS_ATTRIBUTES: [&str; 3] = ["email", "phone_number", "preferred_username"];

impl User {
    /// The user's attributes as Cognito lists them: `sub` first.
    pub(super) fn attribute_types(&self) -> Vec<AttributeType> {
        let attribute = |name: &str, value: &str| AttributeType {
            name: name.to_owned(),
            value: Some(value.to_owned()),
        };
        std::iter::once(attribute("sub", &self.sub))
            .chain(self.attributes.iter().map(|(n, v)| attribute(n, v)))
            .collect()
    }

    /// The `UserType` of ListUsers and AdminCreateUser.
    fn describe(&self, attributes_to_get: Option<&[String]>) -> UserType {
        let mut attributes = self.attribute_types();
        if let Some(names) = attributes_to_get {
            attributes.retain(|a| names.contains(&a.name));
        }
        UserType {
            username: Some(self.username.clone()),
            attributes: Some(attributes),
            user_create_date: Some(Timestamp::from_secs(self.created)),
            user_last_modified_date: Some(Timestamp::from_secs(self.modified)),
            enabled: Some(self.enabled),
            user_status: Some(self.status),
            mfa_options: self.mfa.options(),
        }
    }

    fn attribute(&self, name: &str) -> Option<&str> {
        if name == "sub" {
            return Some(&self.sub);
        }
        if name == "username" {
            return Some(&self.username);
        }
        if name == "cognito:user_status" {
            return Some(self.status.as_str());
        }
        if name == "status" {
            return Some(if self.enabled { "Enabled" } else { "Disabled" });
        }
        self.attributes.get(name).map(String::as_str)
    }
}

impl Pool {
    /// A new user. With UsernameAttributes the typed name must be an email
    /// or phone number; it becomes that attribute and the internal username
    /// is a UUID (what USER_ID_FOR_SRP and `cognito:username` carry).
    pub(super) fn new_user(
        &self,
        typed_name: &str,
        password: Option<&str>,
        attributes: Vec<(String, String)>,
        writer: Writer,
        status: UserStatusType,
        ctx: &Context<'_>,
    ) -> ApiResult<User> {
        let rng = ctx.rng;
        let now = ctx.clock.unix();
        self.check_attributes(&attributes, None, writer)?;
        if self.resolve(typed_name).is_some() {
            return Err(ApiError::new(
                "UsernameExistsException",
                "User account already exists",
            ));
        }
        let mut attrs: BTreeMap<String, String> = attributes.into_iter().collect();
        let username_attrs = self.username_attributes();
        let sub = ctx
            .ahead
            .and_then(|a| a.new_user_sub.clone())
            .unwrap_or_else(|| rng.uuid());
        let username = if username_attrs.is_empty() {
            typed_name.to_owned()
        } else {
            let attr = if typed_name.contains('@') {
                "email"
            } else {
                "phone_number"
            };
            if !username_attrs.contains(&attr) {
                return Err(ApiError::invalid_parameter(format!(
                    "Username should be {}.",
                    username_attrs.join(" or ")
                )));
            }
            attrs.insert(attr.to_owned(), typed_name.to_owned());
            sub.clone()
        };
        self.check_unique_aliases(&attrs, None)?;
        let verifier = match password {
            Some(password) => self.make_verifier(ctx, &username, password)?,
            None => self.unusable_verifier(rng, &username)?,
        };
        let mut user = User::new(username, verifier, attrs, status, now, rng);
        user.passwordless = password.is_none();
        // With email or phone sign-in, the internal username is the sub.
        user.sub = sub;
        Ok(user)
    }

    pub(super) fn check_unique_aliases(
        &self,
        attrs: &BTreeMap<String, String>,
        except: Option<&str>,
    ) -> ApiResult<()> {
        let sign_in_attrs: Vec<&str> = self
            .username_attributes()
            .into_iter()
            .chain(self.alias_attributes())
            .collect();
        for name in UNIQUE_ALIAS_ATTRIBUTES
            .iter()
            .filter(|a| sign_in_attrs.contains(a))
        {
            let Some(value) = attrs.get(*name) else {
                continue;
            };
            let taken = self
                .sign_in_names
                .find(name, value)
                .any(|u| Some(u) != except);
            if taken {
                return Err(ApiError::new(
                    "AliasExistsException",
                    format!("An account with the given {name} already exists."),
                ));
            }
        }
        Ok(())
    }

    /// ForceAliasCreation: the email or phone number alias that `attrs`
    /// would take is taken from the users who have it (the attribute and
    /// its `_verified` flag removed), so they no longer sign in with it.
    /// Returns those users' attributes as they were, for
    /// [`Pool::restore_attributes`] if the new user then fails.
    fn release_aliases(
        &mut self,
        attrs: &[(String, String)],
        now: i64,
    ) -> ApiResult<Vec<(String, BTreeMap<String, String>)>> {
        let sign_in_attrs: Vec<&str> = self
            .username_attributes()
            .into_iter()
            .chain(self.alias_attributes())
            .collect();
        let mut released = Vec::new();
        for (name, value) in attrs {
            let Some(alias) = UNIQUE_ALIAS_ATTRIBUTES
                .iter()
                .find(|a| **a == name.as_str() && sign_in_attrs.contains(a))
            else {
                continue;
            };
            let holders: Vec<String> = self
                .sign_in_names
                .find(alias, value)
                .map(str::to_owned)
                .collect();
            for holder in holders {
                let Some(user) = self.users.get(&holder) else {
                    continue;
                };
                let before = user.attributes.clone();
                let mut after = before.clone();
                after.remove(*alias);
                after.remove(&format!("{alias}_verified"));
                self.set_attributes(&holder, after, now)?;
                released.push((holder, before));
            }
        }
        Ok(released)
    }

    /// Puts back what [`Pool::release_aliases`] took.
    fn restore_attributes(&mut self, released: Vec<(String, BTreeMap<String, String>)>, now: i64) {
        for (username, attributes) in released.into_iter().rev() {
            let _ = self.set_attributes(&username, attributes, now);
        }
    }

    /// Adds a user (its names to the sign-in index too).
    pub(super) fn add_user(&mut self, user: User) {
        self.sign_in_names.add(&user.username, &user.attributes);
        self.users.insert(user.username.clone(), user);
    }

    /// Deletes a user: its sessions end, its names leave the index.
    pub(super) fn remove_user(&mut self, username: &str) {
        self.end_sessions(username);
        if let Some(user) = self.users.remove(username) {
            self.sign_in_names.remove(username, &user.attributes);
        }
    }

    /// Replaces a user's attributes, re-indexing its sign-in names.
    pub(super) fn set_attributes(
        &mut self,
        username: &str,
        attributes: BTreeMap<String, String>,
        now: i64,
    ) -> ApiResult<()> {
        let user = self.users.get_mut(username).ok_or_else(user_not_found)?;
        self.sign_in_names.remove(username, &user.attributes);
        self.sign_in_names.add(username, &attributes);
        user.attributes = attributes;
        user.modified = now;
        Ok(())
    }

    /// Sets attributes. A changed email or phone number is unverified
    /// (`<attr>_verified: false`) unless the same update marks it verified;
    /// where the pool's UserAttributeUpdateSettings keep a verified value
    /// until its replacement is verified, the new value waits instead.
    /// Returns the addresses now awaiting verification.
    pub(super) fn update_attributes(
        &mut self,
        name: &str,
        updates: Vec<(String, String)>,
        writer: Writer,
        now: i64,
    ) -> ApiResult<Vec<&'static str>> {
        let username = self.resolve(name).ok_or_else(user_not_found)?.to_owned();
        let user = &self.users[&username];
        self.check_attributes(&updates, Some(&user.attributes), writer)?;
        let mut attrs = user.attributes.clone();
        let mut waiting = user.pending_attributes.clone();
        let marked_verified = |attr: &str| {
            updates
                .iter()
                .any(|(k, v)| *k == format!("{attr}_verified") && v == "true")
        };
        let mut awaiting = Vec::new();
        for (k, v) in &updates {
            let address = ["email", "phone_number"].into_iter().find(|a| a == k);
            let Some(address) = address.filter(|_| attrs.get(k) != Some(v)) else {
                attrs.insert(k.clone(), v.clone());
                continue;
            };
            waiting.remove(address);
            let flag = format!("{address}_verified");
            if marked_verified(address) {
                attrs.insert(k.clone(), v.clone());
            } else if self.keeps_until_verified(address)
                && attrs.get(&flag).is_some_and(|f| f == "true")
            {
                waiting.insert(address.to_owned(), v.clone());
                awaiting.push(address);
            } else {
                attrs.insert(k.clone(), v.clone());
                attrs.insert(flag, "false".to_owned());
                awaiting.push(address);
            }
        }
        self.check_unique_aliases(&attrs, Some(&username))?;
        self.set_attributes(&username, attrs, now)?;
        let user = self.users.get_mut(&username).ok_or_else(user_not_found)?;
        user.pending_attributes = waiting;
        Ok(awaiting)
    }

    /// Deletes attributes, as `writer` may: never `sub`, a required one or
    /// (for the user) a developer-only one.
    pub(super) fn delete_attributes(
        &mut self,
        username: &str,
        names: &[String],
        writer: Writer,
        now: i64,
    ) -> ApiResult<()> {
        if names.iter().any(|n| n == "sub") {
            return Err(ApiError::invalid_parameter(
                "Cannot modify the non-mutable attribute sub",
            ));
        }
        let user = self.users.get(username).ok_or_else(user_not_found)?;
        let cleared: Vec<(String, String)> =
            names.iter().map(|n| (n.clone(), String::new())).collect();
        self.check_attributes(&cleared, None, writer)?;
        if let Some(name) = names.iter().find(|n| self.is_required(n)) {
            return Err(ApiError::invalid_parameter(format!(
                "Attributes did not conform to the schema: {name}: The attribute {name} is required"
            )));
        }
        let mut attributes = user.attributes.clone();
        for name in names {
            attributes.remove(name);
        }
        self.set_attributes(username, attributes, now)
    }

    /// Ends every sign-in session of a user (global sign-out).
    /// Ends the sessions of `username` signed in on the device `key`.
    pub(super) fn end_device_sessions(&mut self, username: &str, key: &str) {
        for (_, session) in self
            .sessions
            .iter_mut(i64::MIN)
            .filter(|(_, s)| s.username == username && s.device_key.as_deref() == Some(key))
        {
            session.revoked = true;
        }
    }

    pub(super) fn end_sessions(&mut self, username: &str) {
        // Expired sessions are gone already: nothing of theirs still works.
        for (_, session) in self
            .sessions
            .iter_mut(i64::MIN)
            .filter(|(_, s)| s.username == username)
        {
            session.revoked = true;
        }
    }
}

/// How long an invitation's temporary password is kept for the codes route
/// (a pool's default TemporaryPasswordValidityDays).
const INVITATION_VALIDITY_SECS: i64 = 7 * 86_400;

impl UserPools {
    pub(crate) fn admin_create_user(
        &mut self,
        input: AdminCreateUserRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<AdminCreateUserResponse> {
        let pool_id = input.user_pool_id;
        let pool = self.pool(&pool_id)?;
        let typed = &input.username;
        let now = ctx.clock.unix();
        // PreSignUp ran ahead: its refusal creates nothing.
        super::trigger_events::pre_sign_up_answer(ctx)?;
        if input.message_action == Some(MessageActionType::Resend) {
            let user = pool.user(typed)?;
            if user.status != UserStatusType::ForceChangePassword {
                return Err(ApiError::new(
                    "UnsupportedUserStateException",
                    "Resend not possible. User is not in FORCE_CHANGE_PASSWORD state.",
                ));
            }
            return Ok(AdminCreateUserResponse {
                user: Some(user.describe(None)),
            });
        }
        let invite = input.temporary_password.is_none()
            && input.message_action != Some(MessageActionType::Suppress);
        let made_up = ctx.ahead.and_then(|a| a.generated_password.as_ref());
        let temporary = match (input.temporary_password, made_up) {
            (Some(p), _) => p,
            (None, Some(p)) => p.expose_secret().to_owned(),
            (None, None) => generated_password(ctx.rng),
        };
        let attributes = attribute_list(input.user_attributes)?;
        let made = pool.new_user(
            typed,
            Some(&temporary),
            attributes.clone(),
            Writer::Admin,
            UserStatusType::ForceChangePassword,
            ctx,
        );
        let user = match made {
            Err(e)
                if e.code == "AliasExistsException" && input.force_alias_creation == Some(true) =>
            {
                let released = self.pool_mut(&pool_id)?.release_aliases(&attributes, now)?;
                let pool = self.pool(&pool_id)?;
                let retried = pool.new_user(
                    typed,
                    Some(&temporary),
                    attributes,
                    Writer::Admin,
                    UserStatusType::ForceChangePassword,
                    ctx,
                );
                match retried {
                    Ok(user) => user,
                    Err(e) => {
                        self.pool_mut(&pool_id)?.restore_attributes(released, now);
                        return Err(e);
                    }
                }
            }
            other => other?,
        };
        let username = user.username.clone();
        let destination = user.attributes.get("email").cloned().unwrap_or_default();
        let out = AdminCreateUserResponse {
            user: Some(user.describe(None)),
        };
        let pool = self.pool_mut(&pool_id)?;
        pool.add_user(user);
        pool.modified = now;
        if invite {
            // The invitation a real pool would email: the temporary password
            // goes to the loopback-only codes route, never to the log.
            // Kept as long as the temporary password can be used.
            let record = super::CodeRecord::new(
                self.pool(&pool_id)?,
                &username,
                super::CodePurpose::Invitation,
                temporary,
                destination,
            );
            self.record_secret(record, now + INVITATION_VALIDITY_SECS, ctx);
        }
        Ok(out)
    }

    pub(crate) fn admin_set_user_password(
        &mut self,
        input: AdminSetUserPasswordRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        let username = pool.user(&input.username)?.username.clone();
        let verifier = pool.make_verifier(ctx, &username, &input.password)?;
        pool.check_password_reuse(&username, &input.password, ctx)?;
        pool.replace_verifier(&username, verifier, ctx.clock.unix())?;
        let user = pool.users.get_mut(&username).ok_or_else(user_not_found)?;
        user.status = if input.permanent.unwrap_or(false) {
            UserStatusType::Confirmed
        } else {
            UserStatusType::ForceChangePassword
        };
        user.failed_sign_ins = 0;
        user.locked_until = 0;
        Ok(Empty {})
    }

    pub(super) fn admin_get_user(
        &self,
        input: AdminGetUserRequest,
    ) -> ApiResult<AdminGetUserResponse> {
        let user = self.pool(&input.user_pool_id)?.user(&input.username)?;
        Ok(AdminGetUserResponse {
            username: user.username.clone(),
            user_attributes: Some(user.attribute_types()),
            user_create_date: Some(Timestamp::from_secs(user.created)),
            user_last_modified_date: Some(Timestamp::from_secs(user.modified)),
            enabled: Some(user.enabled),
            user_status: Some(user.status),
            mfa_options: user.mfa.options(),
            preferred_mfa_setting: user.mfa.preferred_setting(),
            user_mfa_setting_list: user.mfa.setting_list(),
        })
    }

    pub(super) fn admin_delete_user(&mut self, input: AdminDeleteUserRequest) -> ApiResult<Empty> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        let username = pool.user(&input.username)?.username.clone();
        pool.remove_user(&username);
        Ok(Empty {})
    }

    /// AdminEnableUser and AdminDisableUser.
    pub(super) fn admin_set_enabled(
        &mut self,
        pool_id: &str,
        username: &str,
        enabled: bool,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let user = self.pool_mut(pool_id)?.user_mut(username)?;
        user.enabled = enabled;
        user.modified = ctx.clock.unix();
        Ok(Empty {})
    }

    pub(super) fn admin_update_user_attributes(
        &mut self,
        input: AdminUpdateUserAttributesRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let updates = attribute_list(Some(input.user_attributes))?;
        let pool = self.pool_mut(&input.user_pool_id)?;
        let username = pool.user(&input.username)?.username.clone();
        let awaiting =
            pool.update_attributes(&username, updates, Writer::Admin, ctx.clock.unix())?;
        self.send_verification_codes(&input.user_pool_id, &username, &awaiting, ctx)?;
        Ok(Empty {})
    }

    pub(super) fn admin_delete_user_attributes(
        &mut self,
        input: AdminDeleteUserAttributesRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        let username = pool.user(&input.username)?.username.clone();
        pool.delete_attributes(
            &username,
            &input.user_attribute_names,
            Writer::Admin,
            ctx.clock.unix(),
        )?;
        Ok(Empty {})
    }

    pub(super) fn admin_confirm_sign_up(
        &mut self,
        input: AdminConfirmSignUpRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        let user = pool.user_mut(&input.username)?;
        if user.status != UserStatusType::Unconfirmed {
            return Err(ApiError::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status
            )));
        }
        user.status = UserStatusType::Confirmed;
        user.code = None;
        user.modified = ctx.clock.unix();
        Ok(Empty {})
    }

    pub(crate) fn admin_add_user_to_group(
        &mut self,
        input: AdminAddUserToGroupRequest,
    ) -> ApiResult<Empty> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        if !pool.groups.contains_key(&input.group_name) {
            return Err(group_not_found(&input.group_name));
        }
        pool.user_mut(&input.username)?
            .groups
            .insert(input.group_name);
        Ok(Empty {})
    }

    pub(super) fn admin_remove_user_from_group(
        &mut self,
        input: AdminRemoveUserFromGroupRequest,
    ) -> ApiResult<Empty> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        if !pool.groups.contains_key(&input.group_name) {
            return Err(group_not_found(&input.group_name));
        }
        pool.user_mut(&input.username)?
            .groups
            .remove(&input.group_name);
        Ok(Empty {})
    }

    pub(super) fn admin_list_groups_for_user(
        &self,
        input: AdminListGroupsForUserRequest,
    ) -> ApiResult<AdminListGroupsForUserResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let user = pool.user(&input.username)?;
        let all: Vec<_> = user
            .groups
            .iter()
            .filter_map(|g| pool.groups.get(g))
            .map(|g| g.describe(&pool.id))
            .collect();
        let (page, next) = paginate(all, page_size(input.limit), input.next_token.as_deref())?;
        Ok(AdminListGroupsForUserResponse {
            groups: Some(page),
            next_token: next,
        })
    }

    pub(super) fn list_users_in_group(
        &self,
        input: ListUsersInGroupRequest,
    ) -> ApiResult<ListUsersInGroupResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let group = &input.group_name;
        if !pool.groups.contains_key(group) {
            return Err(group_not_found(group));
        }
        let all: Vec<UserType> = pool
            .users
            .values()
            .filter(|u| u.groups.contains(group))
            .map(|u| u.describe(None))
            .collect();
        let (page, next) = paginate(all, page_size(input.limit), input.next_token.as_deref())?;
        Ok(ListUsersInGroupResponse {
            users: Some(page),
            next_token: next,
        })
    }

    /// ListUsers with Cognito's filter syntax: `attr = "v"` or `attr ^= "prefix"`.
    pub(super) fn list_users(&self, input: ListUsersRequest) -> ApiResult<ListUsersResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let filter = input
            .filter
            .as_deref()
            .filter(|f| !f.trim().is_empty())
            .map(parse_filter)
            .transpose()?;
        let all: Vec<UserType> = pool
            .users
            .values()
            .filter(|u| filter.as_ref().is_none_or(|f| f.matches(u)))
            .map(|u| u.describe(input.attributes_to_get.as_deref()))
            .collect();
        let (page, next) = paginate(
            all,
            page_size(input.limit),
            input.pagination_token.as_deref(),
        )?;
        Ok(ListUsersResponse {
            users: Some(page),
            pagination_token: next,
        })
    }

    /// For seed files: the status a seeded user is given after
    /// AdminCreateUser (CONFIRMED keeps the verifier of the seed password
    /// that AdminCreateUser made; UNCONFIRMED is a user who signed up and
    /// has not confirmed).
    pub(crate) fn seed_status(
        &mut self,
        pool_id: &str,
        username: &str,
        status: UserStatusType,
    ) -> ApiResult<()> {
        self.pool_mut(pool_id)?.user_mut(username)?.status = status;
        Ok(())
    }

    pub(super) fn admin_user_global_sign_out(
        &mut self,
        input: AdminUserGlobalSignOutRequest,
    ) -> ApiResult<Empty> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        let username = pool.user(&input.username)?.username.clone();
        pool.end_sessions(&username);
        Ok(Empty {})
    }
}

struct Filter {
    attribute: String,
    prefix: bool,
    value: String,
}

impl Filter {
    fn matches(&self, user: &User) -> bool {
        let Some(actual) = user.attribute(&self.attribute) else {
            return false;
        };
        if self.prefix {
            actual.starts_with(&self.value)
        } else {
            actual == self.value
        }
    }
}

/// Cognito's filter grammar: `AttributeName Operator "Value"`, operators
/// `=` and `^=`, on the standard searchable attributes.
fn parse_filter(f: &str) -> ApiResult<Filter> {
    const SEARCHABLE: [&str; 12] = [
        "username",
        "email",
        "phone_number",
        "name",
        "given_name",
        "family_name",
        "preferred_username",
        "cognito:user_status",
        "status",
        "sub",
        "email_verified",
        "phone_number_verified",
    ];
    let invalid = || ApiError::invalid_parameter(format!("Error while parsing filter: {f}"));
    let (attribute, prefix, rest) = if let Some((a, r)) = f.split_once("^=") {
        (a.trim(), true, r.trim())
    } else if let Some((a, r)) = f.split_once('=') {
        (a.trim(), false, r.trim())
    } else {
        return Err(invalid());
    };
    let value = rest
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .ok_or_else(invalid)?;
    if !SEARCHABLE.contains(&attribute) {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid search attribute: {attribute}"
        )));
    }
    Ok(Filter {
        attribute: attribute.to_owned(),
        prefix,
        value: value.to_owned(),
    })
}

/// A temporary password that meets the default policy.
pub(crate) fn generated_password(rng: &crate::ids::Randomness) -> String {
    format!("Tmp{}!9", rng.hex(9))
}

impl UserPools {
    /// What bulk loading needs to make verifiers outside the lock: the
    /// pool's SRP name and password policy.
    pub(crate) fn bulk_load_params(
        &self,
        pool_id: &str,
    ) -> ApiResult<(cognito_srp::PoolName, super::PasswordPolicy)> {
        let pool = self.pool(pool_id)?;
        if !pool.username_attributes().is_empty() {
            return Err(ApiError::invalid_parameter(
                "bulk loading needs a pool without UsernameAttributes",
            ));
        }
        Ok((pool.pool_name(), pool.password_policy()))
    }

    /// Adds confirmed users whose verifiers were made by the caller
    /// (`MockCognito::add_users`). Refuses the whole batch, before adding
    /// any, if a name is taken.
    pub(crate) fn insert_confirmed(
        &mut self,
        pool_id: &str,
        users: Vec<(String, cognito_srp::Verifier)>,
        now: i64,
        rng: &crate::ids::Randomness,
    ) -> ApiResult<()> {
        let pool = self.pool_mut(pool_id)?;
        let mut seen = BTreeSet::new();
        if let Some((name, _)) = users
            .iter()
            .find(|(n, _)| pool.users.contains_key(n) || !seen.insert(n.as_str()))
        {
            return Err(ApiError::new(
                "UsernameExistsException",
                format!("User account already exists: {name}"),
            ));
        }
        for (username, verifier) in users {
            let user = User::new(
                username.clone(),
                verifier,
                BTreeMap::new(),
                UserStatusType::Confirmed,
                now,
                rng,
            );
            pool.add_user(user);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        let f = parse_filter("email ^= \"ali\"").unwrap();
        assert!(f.prefix && f.attribute == "email" && f.value == "ali");
        let f = parse_filter("username = \"bob\"").unwrap();
        assert!(!f.prefix);
        assert!(parse_filter("email ~ \"x\"").is_err());
        assert!(parse_filter("email = bob").is_err());
        assert!(parse_filter("password = \"x\"").is_err());
    }
}
