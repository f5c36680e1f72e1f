//! `PUT /_mock/user-import/{job}`: the pre-signed URL CreateUserImportJob
//! hands out, standing for Cognito's S3 upload URL. Like an S3 pre-signed
//! URL it answers any caller that holds its signature (not only loopback),
//! and refuses a wrong or expired one.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::engine::Shared;
use crate::user_pool::UploadRefusal;

pub(super) async fn upload(
    State(shared): State<Shared>,
    Path(job_id): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let query = query.unwrap_or_default();
    let signature =
        cognito_wire::encoding::form_value(&query, "X-Amz-Signature").unwrap_or_default();
    let now = shared.clock.unix();
    let stored = shared
        .user_pools_mut()
        .upload_import_csv(&job_id, &signature, body.to_vec(), now);
    match stored {
        Ok(()) => StatusCode::OK.into_response(),
        Err(UploadRefusal::UnknownJob) => {
            (StatusCode::NOT_FOUND, "No such user import job.\n").into_response()
        }
        Err(UploadRefusal::BadSignature) => (
            StatusCode::FORBIDDEN,
            "The request signature does not match, or the URL has expired.\n",
        )
            .into_response(),
        Err(UploadRefusal::NotCreated) => (
            StatusCode::CONFLICT,
            "The import job has already started: create a new job to upload another file.\n",
        )
            .into_response(),
    }
}
