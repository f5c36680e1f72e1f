//! Tags on identity pools (TagResource, UntagResource, ListTagsForResource),
//! addressed by the pool's ARN and kept as its `IdentityPoolTags`.

use super::{IdentityPool, IdentityPools};
use crate::error::{ApiError, ApiResult};
use crate::shapes::Empty;
use crate::shapes::cognito_identity::{
    ListTagsForResourceInput, ListTagsForResourceResponse, TagResourceInput, UntagResourceInput,
};

/// Tags a resource may carry, as on AWS.
const MAX_TAGS: usize = 50;

impl IdentityPools {
    /// The pool `arn:aws:cognito-identity:<region>:<account>:identitypool/<id>`
    /// names (any account: the mock has one).
    fn pool_of_arn(&mut self, arn: &str) -> ApiResult<&mut IdentityPool> {
        let not_found = || {
            ApiError::new(
                "ResourceNotFoundException",
                format!("The resource {arn} does not exist."),
            )
        };
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let [_, _, "cognito-identity", region, _, resource] = parts.as_slice() else {
            return Err(ApiError::invalid_parameter(format!(
                "{arn} is not an identity pool ARN"
            )));
        };
        let id = resource
            .strip_prefix("identitypool/")
            .ok_or_else(not_found)?;
        let pool = self.pools.get_mut(id).ok_or_else(not_found)?;
        if pool.region != *region {
            return Err(not_found());
        }
        Ok(pool)
    }

    pub(super) fn tag_resource(&mut self, input: &TagResourceInput) -> ApiResult<Empty> {
        let pool = self.pool_of_arn(&input.resource_arn)?;
        let mut tags = pool.settings.identity_pool_tags.clone().unwrap_or_default();
        tags.extend(input.tags.clone());
        if tags.len() > MAX_TAGS {
            return Err(ApiError::invalid_parameter(format!(
                "A resource can have at most {MAX_TAGS} tags"
            )));
        }
        pool.settings.identity_pool_tags = Some(tags);
        Ok(Empty {})
    }

    pub(super) fn untag_resource(&mut self, input: &UntagResourceInput) -> ApiResult<Empty> {
        let pool = self.pool_of_arn(&input.resource_arn)?;
        if let Some(tags) = pool.settings.identity_pool_tags.as_mut() {
            for key in &input.tag_keys {
                tags.remove(key);
            }
        }
        Ok(Empty {})
    }

    pub(super) fn list_tags_for_resource(
        &mut self,
        input: &ListTagsForResourceInput,
    ) -> ApiResult<ListTagsForResourceResponse> {
        let pool = self.pool_of_arn(&input.resource_arn)?;
        Ok(ListTagsForResourceResponse {
            tags: Some(pool.settings.identity_pool_tags.clone().unwrap_or_default()),
        })
    }
}
