//! Templates over the inline limit go to the deployment bucket (`rcdk bootstrap`)
//! and are passed to CloudFormation by URL. The upload is one SigV4-signed PUT over
//! the HTTP stack the SDK already brings, rather than a whole S3 SDK.

use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::client::Cfn;
use super::error::DeployError;
use super::stack_state::stack_state;

/// The bootstrap stack that holds the deployment bucket.
pub const TOOLKIT_STACK: &str = "RcdkToolkit";

fn failed(stack: &str, message: impl Into<String>) -> DeployError {
    DeployError::Api {
        stack: stack.into(),
        operation: "S3 upload",
        message: message.into(),
    }
}

/// The deployment bucket of this region, from the bootstrap stack's outputs (`None`:
/// not bootstrapped).
pub async fn toolkit_bucket(cfn: &Cfn) -> Result<Option<String>, DeployError> {
    let state = stack_state(cfn, TOOLKIT_STACK).await?;
    Ok(state.and_then(|s| s.outputs.get("BucketName").cloned()))
}

/// The deployment bucket for a template too large to pass inline.
pub async fn deployment_bucket(cfn: &Cfn, stack: &str) -> Result<String, DeployError> {
    toolkit_bucket(cfn).await?.ok_or_else(|| DeployError::Refused {
        stack: stack.into(),
        message: format!(
            "the template is over CloudFormation's 51,200-byte inline limit and must be uploaded, but {} has no deployment bucket yet; run `rcdk bootstrap` once for the region, then deploy again",
            cfn.region
        ),
    })
}

/// Uploads `body` and returns the URL CloudFormation reads it from.
pub async fn upload_template(
    cfn: &Cfn,
    stack: &str,
    bucket: &str,
    body: &str,
) -> Result<Uploaded, DeployError> {
    let digest = Sha256::digest(body.as_bytes());
    let hash: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let key = format!("templates/{stack}/{hash}.json");
    let url = format!("https://{bucket}.s3.{}.amazonaws.com/{key}", cfn.region);
    // Named by its content: a template already there (an unchanged stack) is not sent again.
    if object_exists(cfn, stack, bucket, &key).await? {
        return Ok(Uploaded { url, sent: false });
    }
    let (status, answer) = s3_request(
        cfn,
        stack,
        S3Request {
            method: "PUT",
            bucket,
            key: &key,
            body: Bytes::from(body.to_owned()),
            content_type: "application/json",
            whole_answer: false,
        },
    )
    .await?;
    if !status.is_success() {
        return Err(failed(stack, format!("S3 answered {status}: {answer}")));
    }
    Ok(Uploaded { url, sent: true })
}

/// Whether `bucket` holds `key` (objects named by their content need not be sent again).
pub async fn object_exists(
    cfn: &Cfn,
    stack: &str,
    bucket: &str,
    key: &str,
) -> Result<bool, DeployError> {
    let (status, _) = s3_request(
        cfn,
        stack,
        S3Request {
            method: "HEAD",
            bucket,
            key,
            body: Bytes::new(),
            content_type: "application/octet-stream",
            whole_answer: false,
        },
    )
    .await?;
    Ok(status.is_success())
}

/// Where a template is in the bucket, and whether this deploy sent it.
pub struct Uploaded {
    pub url: String,
    pub sent: bool,
}

/// One object request to S3.
#[derive(Clone)]
pub struct S3Request<'a> {
    pub method: &'static str,
    pub bucket: &'a str,
    pub key: &'a str,
    pub body: Bytes,
    pub content_type: &'static str,
    /// The whole answer (a listing), not only its start (for messages).
    pub whole_answer: bool,
}

/// Sends one S3 object request (signed anew for each attempt, retried when transient)
/// and returns the status and (the start of) the answer.
pub async fn s3_request(
    cfn: &Cfn,
    stack: &str,
    request: S3Request<'_>,
) -> Result<(http::StatusCode, String), DeployError> {
    let S3Request {
        method,
        bucket,
        key,
        body,
        content_type,
        whole_answer,
    } = request;
    // A configured endpoint (AWS_ENDPOINT_URL, a profile's endpoint_url) takes
    // path-style addresses; AWS itself the virtual-hosted form.
    let url = match cfn.config.endpoint_url() {
        Some(endpoint) => format!("{}/{bucket}/{key}", endpoint.trim_end_matches('/')),
        None => format!("https://{bucket}.s3.{}.amazonaws.com/{key}", cfn.region),
    };
    let region = cfn.region.clone();
    super::signed::send(
        cfn,
        stack,
        super::signed::SignedRequest {
            operation: "S3 upload",
            service: "s3",
            region: &region,
            method,
            url,
            headers: vec![("content-type", content_type.to_owned())],
            body,
            sign_payload_header: true,
            whole_answer,
        },
    )
    .await
}
