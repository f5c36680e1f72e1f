//! Tags on user pools (TagResource, UntagResource, ListTagsForResource),
//! addressed by the pool's ARN and kept as its `UserPoolTags`.

use std::collections::BTreeMap;

use super::{Pool, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::shapes::Empty;
use crate::shapes::cognito_idp::{
    ListTagsForResourceRequest, ListTagsForResourceResponse, TagResourceRequest,
    UntagResourceRequest,
};

/// Tags a resource may carry, as on AWS.
const MAX_TAGS: usize = 50;

impl Pool {
    /// `arn:aws:cognito-idp:<region>:<account>:userpool/<id>`.
    pub(super) fn arn(&self) -> String {
        format!(
            "arn:aws:cognito-idp:{}:000000000000:userpool/{}",
            self.region, self.id
        )
    }
}

impl UserPools {
    /// The tags of the pool (or the pool's replica) an ARN names. Any
    /// account is taken (the mock has one); the region and id must match a
    /// pool or one of its replicas.
    fn tags_of_arn(&mut self, arn: &str) -> ApiResult<&mut Option<BTreeMap<String, String>>> {
        let not_found = || {
            ApiError::new(
                "ResourceNotFoundException",
                format!("The resource {arn} does not exist."),
            )
        };
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let [_, _, "cognito-idp", region, _, resource] = parts.as_slice() else {
            return Err(ApiError::invalid_parameter(format!(
                "{arn} is not a user pool ARN"
            )));
        };
        let id = resource.strip_prefix("userpool/").ok_or_else(not_found)?;
        let pool = self.pools.get_mut(id).ok_or_else(not_found)?;
        if pool.region == *region {
            return Ok(&mut pool.settings.user_pool_tags);
        }
        // A replica's ARN names its own region; it keeps its own tags.
        pool.replicas
            .get_mut(*region)
            .map(super::replicas::Replica::tags_mut)
            .ok_or_else(not_found)
    }

    pub(super) fn tag_resource(&mut self, input: TagResourceRequest) -> ApiResult<Empty> {
        let tags = self.tags_of_arn(&input.resource_arn)?;
        let mut merged = tags.clone().unwrap_or_default();
        merged.extend(input.tags);
        if merged.len() > MAX_TAGS {
            return Err(ApiError::invalid_parameter(format!(
                "A resource can have at most {MAX_TAGS} tags"
            )));
        }
        *tags = Some(merged);
        Ok(Empty {})
    }

    pub(super) fn untag_resource(&mut self, input: UntagResourceRequest) -> ApiResult<Empty> {
        if let Some(tags) = self.tags_of_arn(&input.resource_arn)? {
            for key in &input.tag_keys {
                tags.remove(key);
            }
        }
        Ok(Empty {})
    }

    pub(super) fn list_tags_for_resource(
        &mut self,
        input: ListTagsForResourceRequest,
    ) -> ApiResult<ListTagsForResourceResponse> {
        let tags = self.tags_of_arn(&input.resource_arn)?;
        Ok(ListTagsForResourceResponse {
            tags: Some(tags.clone().unwrap_or_default()),
        })
    }
}
