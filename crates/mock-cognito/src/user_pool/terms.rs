//! Terms documents: Create/Update/Delete/Describe(ByClient)/ListTerms. An
//! app client may have one `terms-of-use` and one `privacy-policy`
//! document, each a map of managed-login language to URL; once it has
//! both, the hosted UI's sign-up page links to them, as Cognito's does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::pools::page_size;
use super::{Context, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::paging::paginate;
use crate::shapes::cognito_idp::{
    CreateTermsRequest, CreateTermsResponse, DeleteTermsRequest, DescribeTermsByClientRequest,
    DescribeTermsByClientResponse, DescribeTermsRequest, DescribeTermsResponse, ListTermsRequest,
    ListTermsResponse, TermsDescriptionType, TermsEnforcementType, TermsSourceType, TermsType,
    UpdateTermsRequest, UpdateTermsResponse,
};
use crate::shapes::{Empty, Timestamp};

/// A terms document, as kept (and stored with the pool).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Terms {
    id: String,
    client_id: String,
    name: String,
    source: String,
    enforcement: String,
    links: BTreeMap<String, String>,
    created: i64,
    modified: i64,
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        "ResourceNotFoundException",
        format!("Terms {id} do not exist."),
    )
}

fn check_links(links: &BTreeMap<String, String>) -> ApiResult<()> {
    if links.is_empty() {
        return Err(ApiError::invalid_parameter(
            "Links are required for terms documents with TermsSource LINK",
        ));
    }
    if let Some((_, bad)) = links
        .iter()
        .find(|(_, url)| !(url.starts_with("https://") || url.starts_with("http://")))
    {
        return Err(ApiError::invalid_parameter(format!(
            "Terms links must be http(s) URLs: {bad}"
        )));
    }
    Ok(())
}

impl Terms {
    fn describe(&self, pool_id: &str) -> TermsType {
        TermsType {
            client_id: self.client_id.clone(),
            creation_date: Timestamp::from_secs(self.created),
            enforcement: TermsEnforcementType::parse(&self.enforcement)
                .unwrap_or(TermsEnforcementType::None),
            last_modified_date: Timestamp::from_secs(self.modified),
            links: self.links.clone(),
            terms_id: self.id.clone(),
            terms_name: self.name.clone(),
            terms_source: TermsSourceType::parse(&self.source).unwrap_or(TermsSourceType::Link),
            user_pool_id: pool_id.to_owned(),
        }
    }

    pub(super) fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The URL for the page's language, else the default one.
    fn link(&self) -> Option<&str> {
        ["cognito:english", "cognito:default"]
            .iter()
            .find_map(|l| self.links.get(*l))
            .or_else(|| self.links.values().next())
            .map(String::as_str)
    }
}

impl UserPools {
    pub(super) fn create_terms(
        &mut self,
        input: CreateTermsRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<CreateTermsResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        if !pool.clients.contains_key(&input.client_id) {
            return Err(ApiError::new(
                "ResourceNotFoundException",
                format!("User pool client {} does not exist.", input.client_id),
            ));
        }
        let links = input.links.unwrap_or_default();
        check_links(&links)?;
        if pool
            .terms
            .values()
            .any(|t| t.client_id == input.client_id && t.name == input.terms_name)
        {
            return Err(ApiError::new(
                "TermsExistsException",
                format!(
                    "The app client already has {} terms: update them instead",
                    input.terms_name
                ),
            ));
        }
        let now = ctx.clock.unix();
        let terms = Terms {
            id: ctx.rng.uuid(),
            client_id: input.client_id,
            name: input.terms_name,
            source: input.terms_source.as_str().to_owned(),
            enforcement: input.enforcement.as_str().to_owned(),
            links,
            created: now,
            modified: now,
        };
        let out = terms.describe(&pool.id);
        pool.terms.insert(terms.id.clone(), terms);
        pool.modified = now;
        Ok(CreateTermsResponse { terms: Some(out) })
    }

    pub(super) fn update_terms(
        &mut self,
        input: UpdateTermsRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<UpdateTermsResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        let current = pool
            .terms
            .get(&input.terms_id)
            .ok_or_else(|| not_found(&input.terms_id))?;
        if let Some(name) = &input.terms_name
            && pool
                .terms
                .values()
                .any(|t| t.id != current.id && t.client_id == current.client_id && &t.name == name)
        {
            return Err(ApiError::new(
                "TermsExistsException",
                format!("The app client already has {name} terms"),
            ));
        }
        if let Some(links) = &input.links {
            check_links(links)?;
        }
        let pool_id = pool.id.clone();
        let terms = pool
            .terms
            .get_mut(&input.terms_id)
            .ok_or_else(|| not_found(&input.terms_id))?;
        if let Some(name) = input.terms_name {
            terms.name = name;
        }
        if let Some(source) = input.terms_source {
            terms.source = source.as_str().to_owned();
        }
        if let Some(enforcement) = input.enforcement {
            terms.enforcement = enforcement.as_str().to_owned();
        }
        if let Some(links) = input.links {
            terms.links = links;
        }
        terms.modified = ctx.clock.unix();
        Ok(UpdateTermsResponse {
            terms: Some(terms.describe(&pool_id)),
        })
    }

    pub(super) fn describe_terms(
        &self,
        input: DescribeTermsRequest,
    ) -> ApiResult<DescribeTermsResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let terms = pool
            .terms
            .get(&input.terms_id)
            .ok_or_else(|| not_found(&input.terms_id))?;
        Ok(DescribeTermsResponse {
            terms: Some(terms.describe(&pool.id)),
        })
    }

    pub(super) fn describe_terms_by_client(
        &self,
        input: DescribeTermsByClientRequest,
    ) -> ApiResult<DescribeTermsByClientResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let terms = pool
            .terms
            .values()
            .find(|t| t.client_id == input.client_id && t.name == input.terms_name)
            .ok_or_else(|| not_found(&input.terms_name))?;
        Ok(DescribeTermsByClientResponse {
            terms: Some(terms.describe(&pool.id)),
        })
    }

    pub(super) fn list_terms(&self, input: ListTermsRequest) -> ApiResult<ListTermsResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let mut all: Vec<&Terms> = pool.terms.values().collect();
        all.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        let all: Vec<TermsDescriptionType> = all
            .into_iter()
            .map(|t| TermsDescriptionType {
                creation_date: Timestamp::from_secs(t.created),
                enforcement: TermsEnforcementType::parse(&t.enforcement)
                    .unwrap_or(TermsEnforcementType::None),
                last_modified_date: Timestamp::from_secs(t.modified),
                terms_id: t.id.clone(),
                terms_name: t.name.clone(),
            })
            .collect();
        let (terms, next_token) = paginate(
            all,
            page_size(input.max_results),
            input.next_token.as_deref(),
        )?;
        Ok(ListTermsResponse { next_token, terms })
    }

    pub(super) fn delete_terms(
        &mut self,
        input: DeleteTermsRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        pool.terms
            .remove(&input.terms_id)
            .ok_or_else(|| not_found(&input.terms_id))?;
        pool.modified = ctx.clock.unix();
        Ok(Empty {})
    }

    /// The sign-up page's (terms of use, privacy policy) links, once the
    /// client has both documents.
    pub fn page_terms(&self, pool_id: &str, client_id: &str) -> Option<(String, String)> {
        let pool = self.pools.get(pool_id)?;
        let link = |name: &str| {
            pool.terms
                .values()
                .find(|t| t.client_id == client_id && t.name == name)
                .and_then(Terms::link)
                .map(str::to_owned)
        };
        Some((link("terms-of-use")?, link("privacy-policy")?))
    }
}
