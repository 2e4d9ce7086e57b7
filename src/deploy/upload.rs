//! Templates over the inline limit go to the deployment bucket (`rcdk bootstrap`)
//! and are passed to CloudFormation by URL. The upload is one SigV4-signed PUT over
//! the HTTP stack the SDK already brings, rather than a whole S3 SDK.

use std::time::SystemTime;

use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
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

/// A request that cannot be made at all (no credentials, unsignable): not retried.
fn unusable(stack: &str, message: impl Into<String>) -> DeployError {
    DeployError::Refused {
        stack: stack.into(),
        message: format!("S3 upload: {}", message.into()),
    }
}

/// The deployment bucket of this region, from the bootstrap stack's outputs.
pub async fn deployment_bucket(cfn: &Cfn, stack: &str) -> Result<String, DeployError> {
    let state = stack_state(cfn, TOOLKIT_STACK).await?;
    state.and_then(|s| s.outputs.get("BucketName").cloned()).ok_or_else(|| DeployError::Refused {
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
) -> Result<String, DeployError> {
    let digest = Sha256::digest(body.as_bytes());
    let hash: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let key = format!("templates/{stack}/{hash}.json");
    let (status, answer) = s3_request(
        cfn,
        stack,
        S3Request {
            method: "PUT",
            bucket,
            key: &key,
            body: Bytes::from(body.to_owned()),
            content_type: "application/json",
        },
    )
    .await?;
    if !status.is_success() {
        return Err(failed(stack, format!("S3 answered {status}: {answer}")));
    }
    Ok(format!(
        "https://{bucket}.s3.{}.amazonaws.com/{key}",
        cfn.region
    ))
}

/// One object request to S3.
#[derive(Clone)]
pub struct S3Request<'a> {
    pub method: &'static str,
    pub bucket: &'a str,
    pub key: &'a str,
    pub body: Bytes,
    pub content_type: &'static str,
}

/// Attempts per S3 request: throttling, 5xx answers and dropped connections are
/// retried with exponential backoff (0.2 s, 0.4 s, …), as the SDK retries CloudFormation.
const S3_ATTEMPTS: u32 = 6;

fn transient(status: http::StatusCode, answer: &str) -> bool {
    status.is_server_error()
        || status == http::StatusCode::TOO_MANY_REQUESTS
        || ["Throttling", "SlowDown", "RequestTimeout"]
            .iter()
            .any(|code| answer.contains(code))
}

/// Sends one SigV4-signed request (signed anew for each attempt) and returns the status
/// and (the start of) the answer; transient failures are retried.
pub async fn s3_request(
    cfn: &Cfn,
    stack: &str,
    request: S3Request<'_>,
) -> Result<(http::StatusCode, String), DeployError> {
    let mut attempt = 1;
    loop {
        let this = S3Request {
            body: request.body.clone(),
            ..request
        };
        let result = s3_attempt(cfn, stack, this).await;
        let retry = match &result {
            Ok((status, answer)) => transient(*status, answer),
            Err(DeployError::Api { .. }) => true,
            Err(_) => false,
        };
        if !retry || attempt >= S3_ATTEMPTS {
            return result;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200 << (attempt - 1))).await;
        attempt += 1;
    }
}

async fn s3_attempt(
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
    } = request;
    // A configured endpoint (AWS_ENDPOINT_URL, a profile's endpoint_url) takes
    // path-style addresses; AWS itself the virtual-hosted form.
    let url = match cfn.config.endpoint_url() {
        Some(endpoint) => format!("{}/{bucket}/{key}", endpoint.trim_end_matches('/')),
        None => format!("https://{bucket}.s3.{}.amazonaws.com/{key}", cfn.region),
    };
    let provider = cfn
        .config
        .credentials_provider()
        .ok_or_else(|| unusable(stack, "no AWS credentials are configured"))?;
    let credentials = provider
        .provide_credentials()
        .await
        .map_err(|e| unusable(stack, format!("cannot load credentials: {e}")))?;
    let identity = credentials.into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(&cfn.region)
        .name("s3")
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .map_err(|e| unusable(stack, e.to_string()))?
        .into();
    let headers = [("content-type", content_type)];
    let signable = SignableRequest::new(
        method,
        &url,
        headers.iter().copied(),
        SignableBody::Bytes(&body),
    )
    .map_err(|e| unusable(stack, e.to_string()))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| unusable(stack, e.to_string()))?
        .into_parts();
    let mut request = http::Request::builder()
        .method(method)
        .uri(&url)
        .header("content-type", content_type)
        .body(Full::new(body))
        .map_err(|e| unusable(stack, e.to_string()))?;
    instructions.apply_to_request_http1x(&mut request);
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|e| unusable(stack, format!("no TLS root certificates: {e}")))?
        .https_or_http()
        .enable_http1()
        .build();
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let response =
        tokio::time::timeout(std::time::Duration::from_secs(120), client.request(request))
            .await
            .map_err(|_| failed(stack, format!("{url} did not answer within 120 s")))?
            .map_err(|e| failed(stack, format!("cannot reach {url}: {e}")))?;
    let status = response.status();
    let answer = response
        .into_body()
        .collect()
        .await
        .map(|b| {
            String::from_utf8_lossy(&b.to_bytes())
                .chars()
                .take(300)
                .collect()
        })
        .unwrap_or_default();
    Ok((status, answer))
}
