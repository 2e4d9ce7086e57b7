//! One SigV4-signed HTTP request to an AWS service (S3 objects, SSM parameters) over the
//! HTTP stack the SDK already brings, rather than a whole SDK per service. Signed anew
//! for each attempt; throttling, 5xx answers and dropped connections are retried with
//! exponential backoff (0.2 s, 0.4 s, …), as the SDK retries CloudFormation.

use std::time::SystemTime;

use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::client::Cfn;
use super::error::DeployError;

/// A request, before signing.
#[derive(Clone)]
pub struct SignedRequest<'a> {
    /// What the messages call it ("S3 upload", "SSM PutParameter").
    pub operation: &'static str,
    /// The signing name: `s3`, `ssm`.
    pub service: &'static str,
    pub region: &'a str,
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
    /// S3 wants the payload hash in `x-amz-content-sha256`.
    pub sign_payload_header: bool,
    /// Return the whole answer (a listing) instead of its first 300 characters.
    pub whole_answer: bool,
}

/// Where a query or JSON API (`ssm`, `sts`) of `region` is sent: the configured endpoint
/// (AWS_ENDPOINT_URL, a profile's endpoint_url) when there is one, else AWS's.
pub fn service_url(cfn: &Cfn, service: &str, region: &str) -> String {
    match cfn.config.endpoint_url() {
        Some(endpoint) => format!("{}/", endpoint.trim_end_matches('/')),
        None => format!("https://{service}.{region}.amazonaws.com/"),
    }
}

const ATTEMPTS: u32 = 6;

fn transient(status: http::StatusCode, answer: &str) -> bool {
    status.is_server_error()
        || status == http::StatusCode::TOO_MANY_REQUESTS
        || ["Throttling", "SlowDown", "RequestTimeout"]
            .iter()
            .any(|code| answer.contains(code))
}

/// Sends `request`, retrying transient failures; returns the status and (the start of)
/// the answer.
pub async fn send(
    cfn: &Cfn,
    stack: &str,
    request: SignedRequest<'_>,
) -> Result<(http::StatusCode, String), DeployError> {
    let mut attempt = 1;
    loop {
        let result = attempt_once(cfn, stack, request.clone()).await;
        let retry = match &result {
            Ok((status, answer)) => transient(*status, answer),
            Err(DeployError::Api { .. }) => true,
            Err(_) => false,
        };
        if !retry || attempt >= ATTEMPTS {
            return result;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200 << (attempt - 1))).await;
        attempt += 1;
    }
}

async fn attempt_once(
    cfn: &Cfn,
    stack: &str,
    request: SignedRequest<'_>,
) -> Result<(http::StatusCode, String), DeployError> {
    let operation = request.operation;
    let failed = |message: String| DeployError::Api {
        stack: stack.into(),
        operation,
        message,
    };
    // Cannot be made at all (no credentials, unsignable): not retried.
    let unusable = |message: String| DeployError::Refused {
        stack: stack.into(),
        message: format!("{operation}: {message}"),
    };
    let provider = cfn
        .config
        .credentials_provider()
        .ok_or_else(|| unusable("no AWS credentials are configured".into()))?;
    let credentials = provider
        .provide_credentials()
        .await
        .map_err(|e| unusable(super::client::no_credentials(&e.to_string())))?;
    let identity = credentials.into();
    let mut settings = SigningSettings::default();
    if request.sign_payload_header {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(request.region)
        .name(request.service)
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .map_err(|e| unusable(e.to_string()))?
        .into();
    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    let signable = SignableRequest::new(
        request.method,
        &request.url,
        headers.iter().copied(),
        SignableBody::Bytes(&request.body),
    )
    .map_err(|e| unusable(e.to_string()))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| unusable(e.to_string()))?
        .into_parts();
    let mut builder = http::Request::builder()
        .method(request.method)
        .uri(&request.url);
    for (k, v) in &headers {
        builder = builder.header(*k, *v);
    }
    let mut http_request = builder
        .body(Full::new(request.body.clone()))
        .map_err(|e| unusable(e.to_string()))?;
    instructions.apply_to_request_http1x(&mut http_request);
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|e| unusable(format!("no TLS root certificates: {e}")))?
        .https_or_http()
        .enable_http1()
        .build();
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let url = &request.url;
    let response = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        client.request(http_request),
    )
    .await
    .map_err(|_| failed(format!("{url} did not answer within 120 s")))?
    .map_err(|e| failed(format!("cannot reach {url}: {e}")))?;
    let status = response.status();
    let answer = response
        .into_body()
        .collect()
        .await
        .map(|b| {
            String::from_utf8_lossy(&b.to_bytes())
                .chars()
                .take(if request.whole_answer {
                    usize::MAX
                } else {
                    300
                })
                .collect()
        })
        .unwrap_or_default();
    Ok((status, answer))
}
