//! Offset pagination with an opaque token, shared by every List* call of
//! both services.

use crate::error::{ApiError, ApiResult};

/// Simple offset pagination with an opaque token, for the List* calls.
pub fn paginate<T: Clone>(
    items: Vec<T>,
    limit: usize,
    token: Option<&str>,
) -> ApiResult<(Vec<T>, Option<String>)> {
    let start = match token {
        None => 0,
        Some(t) => t
            .strip_prefix("page-")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n <= items.len())
            .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token"))?,
    };
    let limit = if limit == 0 { 60 } else { limit };
    let end = (start + limit).min(items.len());
    let next = (end < items.len()).then(|| format!("page-{end}"));
    Ok((items[start..end].to_vec(), next))
}
