//! User import jobs: GetCSVHeader, CreateUserImportJob (with a pre-signed
//! URL the mock serves for the CSV upload), Start/Stop/Describe/List.
//!
//! As in Cognito, imported users have no password: they arrive in
//! RESET_REQUIRED and set one through ForgotPassword (or an administrator's
//! AdminSetUserPassword). Each row is checked as Cognito's import checks
//! it: every header column present, `cognito:username` and
//! `cognito:mfa_enabled` given, an auto-verified attribute verified, the
//! pool's schema and required attributes, unique sign-in names. A bad row
//! counts as a failed user and is logged by number; the job goes on.
//!
//! The job's metadata is durable with the pool; an uploaded CSV is held in
//! memory until the job starts (a restart in between loses it, and the job
//! then fails with a message saying no file was uploaded).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::mfa::Factor;
use super::pools::page_size;
use super::schema::Writer;
use super::users::generated_password;
use super::{Context, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::paging::paginate;
use crate::shapes::Timestamp;
use crate::shapes::cognito_idp::{
    CreateUserImportJobRequest, CreateUserImportJobResponse, DescribeUserImportJobRequest,
    DescribeUserImportJobResponse, GetCSVHeaderRequest, GetCSVHeaderResponse,
    ListUserImportJobsRequest, ListUserImportJobsResponse, StartUserImportJobRequest,
    StartUserImportJobResponse, StopUserImportJobRequest, StopUserImportJobResponse,
    UserImportJobStatusType, UserImportJobType, UserStatusType,
};

/// The largest CSV file the upload URL takes (Cognito's limit is 100 MB).
pub const MAX_IMPORT_CSV_BYTES: usize = 100 * 1024 * 1024;

/// How long the pre-signed upload URL works.
const UPLOAD_URL_SECS: i64 = 3600;

/// An import job, as DescribeUserImportJob shows it, plus what the upload
/// needs.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(super) struct ImportJob {
    id: String,
    name: String,
    role_arn: String,
    status: String,
    created: i64,
    #[serde(default)]
    started: Option<i64>,
    #[serde(default)]
    completed: Option<i64>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    imported: i64,
    #[serde(default)]
    skipped: i64,
    #[serde(default)]
    failed: i64,
    /// The upload URL's signature (compared in constant time).
    upload_token: String,
    /// The uploaded file, until the job starts.
    #[serde(skip)]
    csv: Option<Vec<u8>>,
}

impl fmt::Debug for ImportJob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportJob")
            .field("id", &self.id)
            .field("status", &self.status)
            .field("csv_bytes", &self.csv.as_ref().map(Vec::len))
            .finish_non_exhaustive()
    }
}

/// Why an upload to a job's URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadRefusal {
    /// No such job.
    UnknownJob,
    /// The URL's signature is wrong or it has expired.
    BadSignature,
    /// The job has already started.
    NotCreated,
}

fn status(s: UserImportJobStatusType) -> String {
    s.as_str().to_owned()
}

fn job_not_found(id: &str) -> ApiError {
    ApiError::new(
        "ResourceNotFoundException",
        format!("Import job {id} does not exist."),
    )
}

impl ImportJob {
    fn describe(&self, pool_id: &str, endpoint: &str) -> UserImportJobType {
        let url = (self.status == status(UserImportJobStatusType::Created)).then(|| {
            format!(
                "{}/_mock/user-import/{}?X-Amz-Signature={}",
                endpoint.trim_end_matches('/'),
                self.id,
                self.upload_token
            )
        });
        UserImportJobType {
            cloud_watch_logs_role_arn: Some(self.role_arn.clone()),
            completion_date: self.completed.map(Timestamp::from_secs),
            completion_message: self.message.clone(),
            creation_date: Some(Timestamp::from_secs(self.created)),
            failed_users: Some(self.failed),
            imported_users: Some(self.imported),
            job_id: Some(self.id.clone()),
            job_name: Some(self.name.clone()),
            password_hashing_algorithm: None,
            pre_signed_url: url,
            skipped_users: Some(self.skipped),
            start_date: self.started.map(Timestamp::from_secs),
            status: UserImportJobStatusType::parse(&self.status),
            user_pool_id: Some(pool_id.to_owned()),
        }
    }
}

impl super::Pool {
    /// GetCSVHeader's columns: the standard attributes but `sub`, then
    /// `cognito:mfa_enabled` and `cognito:username`, then the custom ones.
    fn csv_header(&self) -> Vec<String> {
        let mut standard = Vec::new();
        let mut custom = Vec::new();
        for name in self.schema().iter().filter_map(|a| a.name.as_deref()) {
            match name {
                "sub" => {}
                n if n.starts_with("custom:") || n.starts_with("dev:custom:") => {
                    custom.push(n.to_owned())
                }
                n => standard.push(n.to_owned()),
            }
        }
        standard.push("cognito:mfa_enabled".to_owned());
        standard.push("cognito:username".to_owned());
        standard.extend(custom);
        standard
    }
}

/// One row's outcome.
enum RowOutcome {
    Imported,
    Failed(String),
}

impl UserPools {
    pub(super) fn get_csv_header(
        &self,
        input: GetCSVHeaderRequest,
    ) -> ApiResult<GetCSVHeaderResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        Ok(GetCSVHeaderResponse {
            csv_header: Some(pool.csv_header()),
            user_pool_id: Some(pool.id.clone()),
        })
    }

    pub(super) fn create_user_import_job(
        &mut self,
        input: CreateUserImportJobRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<CreateUserImportJobResponse> {
        if input.password_hashing_algorithm.is_some() {
            return Err(ApiError::invalid_parameter(
                "PasswordHashingAlgorithm: importing password hashes is not supported by this mock; import without it (users arrive in RESET_REQUIRED)",
            ));
        }
        let now = ctx.clock.unix();
        let token = ctx.rng.hex(24);
        let job = ImportJob {
            id: format!("import-{}", ctx.rng.hex(6)),
            name: input.job_name,
            role_arn: input.cloud_watch_logs_role_arn,
            status: status(UserImportJobStatusType::Created),
            created: now,
            upload_token: token,
            ..ImportJob::default()
        };
        let pool = self.pool_mut(&input.user_pool_id)?;
        let described = job.describe(&pool.id, ctx.endpoint);
        pool.import_jobs.insert(job.id.clone(), job);
        Ok(CreateUserImportJobResponse {
            user_import_job: Some(described),
        })
    }

    pub(super) fn describe_user_import_job(
        &self,
        input: DescribeUserImportJobRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<DescribeUserImportJobResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let job = pool
            .import_jobs
            .get(&input.job_id)
            .ok_or_else(|| job_not_found(&input.job_id))?;
        Ok(DescribeUserImportJobResponse {
            user_import_job: Some(job.describe(&pool.id, ctx.endpoint)),
        })
    }

    pub(super) fn list_user_import_jobs(
        &self,
        input: ListUserImportJobsRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<ListUserImportJobsResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let mut jobs: Vec<&ImportJob> = pool.import_jobs.values().collect();
        jobs.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        let all = jobs
            .into_iter()
            .map(|j| j.describe(&pool.id, ctx.endpoint))
            .collect();
        let (page, next) = paginate(
            all,
            page_size(Some(input.max_results)),
            input.pagination_token.as_deref(),
        )?;
        Ok(ListUserImportJobsResponse {
            pagination_token: next,
            user_import_jobs: Some(page),
        })
    }

    pub(super) fn stop_user_import_job(
        &mut self,
        input: StopUserImportJobRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<StopUserImportJobResponse> {
        let now = ctx.clock.unix();
        let pool = self.pool_mut(&input.user_pool_id)?;
        let pool_id = pool.id.clone();
        let job = pool
            .import_jobs
            .get_mut(&input.job_id)
            .ok_or_else(|| job_not_found(&input.job_id))?;
        let stoppable = [
            UserImportJobStatusType::Pending,
            UserImportJobStatusType::InProgress,
        ]
        .map(status);
        if !stoppable.contains(&job.status) {
            return Err(ApiError::invalid_parameter(format!(
                "Import job {} is {} and cannot be stopped: only a Pending or InProgress job can.",
                job.id, job.status
            )));
        }
        job.status = status(UserImportJobStatusType::Stopped);
        job.completed = Some(now);
        job.csv = None;
        Ok(StopUserImportJobResponse {
            user_import_job: Some(job.describe(&pool_id, ctx.endpoint)),
        })
    }

    /// StartUserImportJob: the job answers Pending, as Cognito's does, and
    /// has run to its end before the next call can see it.
    pub(super) fn start_user_import_job(
        &mut self,
        input: StartUserImportJobRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<StartUserImportJobResponse> {
        let now = ctx.clock.unix();
        let pool = self.pool_mut(&input.user_pool_id)?;
        let pool_id = pool.id.clone();
        let no_auto_verified = pool.auto_verified().is_empty();
        let job = pool
            .import_jobs
            .get_mut(&input.job_id)
            .ok_or_else(|| job_not_found(&input.job_id))?;
        if job.status != status(UserImportJobStatusType::Created) {
            return Err(ApiError::invalid_parameter(format!(
                "Import job {} is {}: only a Created job can be started.",
                job.id, job.status
            )));
        }
        if no_auto_verified {
            return Err(ApiError::invalid_parameter(
                "The user pool has no auto-verified attribute (email or phone_number): imported users could never reset their passwords.",
            ));
        }
        job.status = status(UserImportJobStatusType::Pending);
        job.started = Some(now);
        let answer = job.describe(&pool_id, ctx.endpoint);
        let csv = job.csv.take();
        let (state, message, counts) = match csv {
            None => (
                UserImportJobStatusType::Failed,
                "No CSV file was uploaded to the job's pre-signed URL.".to_owned(),
                (0, 0),
            ),
            Some(bytes) => match self.import_rows(&pool_id, &input.job_id, &bytes, ctx) {
                Ok((imported, failed)) => (
                    UserImportJobStatusType::Succeeded,
                    format!("Import job completed: {imported} imported, {failed} failed."),
                    (imported, failed),
                ),
                Err(why) => (UserImportJobStatusType::Failed, why, (0, 0)),
            },
        };
        let pool = self.pool_mut(&pool_id)?;
        pool.modified = now;
        if let Some(job) = pool.import_jobs.get_mut(&input.job_id) {
            job.status = status(state);
            job.completed = Some(ctx.clock.unix());
            job.message = Some(message);
            job.imported = counts.0;
            job.failed = counts.1;
        }
        Ok(StartUserImportJobResponse {
            user_import_job: Some(answer),
        })
    }

    /// Imports every row; (imported, failed), or why the file as a whole
    /// cannot be imported.
    fn import_rows(
        &mut self,
        pool_id: &str,
        job_id: &str,
        bytes: &[u8],
        ctx: &Context<'_>,
    ) -> Result<(i64, i64), String> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| format!("The CSV file cannot be read: {e}"))?
            .iter()
            .map(str::to_owned)
            .collect();
        let expected = self.pool(pool_id).map_err(|e| e.message)?.csv_header();
        let missing: Vec<&String> = expected.iter().filter(|c| !header.contains(c)).collect();
        let unknown: Vec<&String> = header.iter().filter(|c| !expected.contains(c)).collect();
        if !missing.is_empty() || !unknown.is_empty() {
            return Err(format!(
                "The CSV header does not match GetCSVHeader's: missing {missing:?}, unknown {unknown:?}."
            ));
        }
        let (mut imported, mut failed) = (0, 0);
        for (index, record) in reader.records().enumerate() {
            let row = index + 2; // the header is line 1
            let outcome = match record {
                Ok(record) => {
                    let values: BTreeMap<&str, &str> = header
                        .iter()
                        .map(String::as_str)
                        .zip(record.iter())
                        .filter(|(_, v)| !v.is_empty())
                        .collect();
                    self.import_row(pool_id, &values, ctx)
                }
                Err(e) => RowOutcome::Failed(format!("unreadable: {e}")),
            };
            match outcome {
                RowOutcome::Imported => imported += 1,
                RowOutcome::Failed(why) => {
                    failed += 1;
                    tracing::warn!(job = job_id, row, "user import: row refused: {why}");
                }
            }
        }
        Ok((imported, failed))
    }

    fn import_row(
        &mut self,
        pool_id: &str,
        values: &BTreeMap<&str, &str>,
        ctx: &Context<'_>,
    ) -> RowOutcome {
        match self.try_import_row(pool_id, values, ctx) {
            Ok(()) => RowOutcome::Imported,
            Err(e) => RowOutcome::Failed(e.message),
        }
    }

    fn try_import_row(
        &mut self,
        pool_id: &str,
        values: &BTreeMap<&str, &str>,
        ctx: &Context<'_>,
    ) -> ApiResult<()> {
        let bad = |m: String| ApiError::invalid_parameter(m);
        let username = *values
            .get("cognito:username")
            .ok_or_else(|| bad("cognito:username is empty".to_owned()))?;
        let mfa_enabled = match values.get("cognito:mfa_enabled").copied() {
            Some("true" | "TRUE" | "True") => true,
            Some("false" | "FALSE" | "False") => false,
            other => {
                return Err(bad(format!(
                    "cognito:mfa_enabled must be true or false, not {other:?}"
                )));
            }
        };
        let pool = self.pool(pool_id)?;
        let verified =
            |attr: &str| values.get(format!("{attr}_verified").as_str()) == Some(&"true");
        let auto = pool.auto_verified();
        if !auto.iter().any(|a| verified(a)) {
            return Err(bad(format!(
                "at least one of the pool's auto-verified attributes ({}) must be verified",
                auto.iter()
                    .map(|a| format!("{a}_verified"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        for attr in ["email", "phone_number"] {
            if verified(attr) && !values.contains_key(attr) {
                return Err(bad(format!("{attr}_verified is true but {attr} is empty")));
            }
        }
        if mfa_enabled && !values.contains_key("phone_number") {
            return Err(bad("cognito:mfa_enabled needs a phone_number".to_owned()));
        }
        let attributes: Vec<(String, String)> = values
            .iter()
            .filter(|(k, _)| !k.starts_with("cognito:"))
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(missing) = pool
            .missing_required_attributes(&attributes.iter().cloned().collect())
            .first()
        {
            return Err(bad(format!("the required attribute {missing} is empty")));
        }
        // With email or phone sign-in, the user signs in with that value.
        let typed = match pool.username_attributes().as_slice() {
            [] => username.to_owned(),
            allowed => allowed
                .iter()
                .find_map(|a| values.get(a))
                .map(|v| (*v).to_owned())
                .ok_or_else(|| bad(format!("one of {allowed:?} is needed to sign in")))?,
        };
        let mut user = pool.new_user(
            &typed,
            Some(&generated_password(ctx.rng)),
            attributes,
            Writer::Admin,
            UserStatusType::ResetRequired,
            ctx,
        )?;
        if mfa_enabled {
            user.mfa.set_enabled(Factor::Sms, true);
        }
        let pool = self.pool_mut(pool_id)?;
        pool.add_user(user);
        Ok(())
    }

    /// The pre-signed URL's PUT: keeps the file for the job's start.
    pub fn upload_import_csv(
        &mut self,
        job_id: &str,
        signature: &str,
        csv: Vec<u8>,
        now: i64,
    ) -> Result<(), UploadRefusal> {
        let pool_id = self
            .pools
            .iter()
            .find(|(_, p)| p.import_jobs.contains_key(job_id))
            .map(|(id, _)| id.clone())
            .ok_or(UploadRefusal::UnknownJob)?;
        // The file is not durable (see the module's notes): no row to write.
        let pool = self
            .pools
            .get_unmarked(&pool_id)
            .ok_or(UploadRefusal::UnknownJob)?;
        let job = pool
            .import_jobs
            .get_mut(job_id)
            .ok_or(UploadRefusal::UnknownJob)?;
        if !super::constant_time_eq(&job.upload_token, signature)
            || now > job.created + UPLOAD_URL_SECS
        {
            return Err(UploadRefusal::BadSignature);
        }
        if job.status != status(UserImportJobStatusType::Created) {
            return Err(UploadRefusal::NotCreated);
        }
        job.csv = Some(csv);
        Ok(())
    }
}
