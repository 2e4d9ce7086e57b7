//! The CloudFormation client, from the standard AWS configuration chain, with
//! timeouts so that a dead endpoint fails instead of hanging, and the SDK's standard
//! retries (with back-off) for throttling and transient errors.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::config::Region;
use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata};

/// A CloudFormation client for one region.
#[derive(Clone, Debug)]
pub struct Cfn {
    /// The SDK client.
    pub client: Client,
    /// The region it calls.
    pub region: String,
    /// The resolved configuration (credentials, endpoint) for other calls (S3 uploads).
    pub config: aws_config::SdkConfig,
}

/// Connects for `region` (or the chain's region when `None`).
pub async fn connect(region: Option<&str>) -> Cfn {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(8)
                .with_initial_backoff(Duration::from_millis(200)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .operation_timeout(Duration::from_secs(120))
                .build(),
        );
    if let Some(r) = region {
        loader = loader.region(Region::new(r.to_owned()));
    }
    let config = loader.load().await;
    let region = config
        .region()
        .map(ToString::to_string)
        .unwrap_or_else(|| "us-east-1".into());
    Cfn {
        client: Client::new(&config),
        region,
        config,
    }
}

/// A readable message for an SDK error: the service's code and message when it
/// answered, else the transport problem (refused, timed out).
pub fn describe<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    e: &aws_sdk_cloudformation::error::SdkError<E, R>,
) -> String {
    use aws_sdk_cloudformation::error::SdkError;
    match e {
        SdkError::ServiceError(s) => {
            let err = s.err();
            match (err.code(), err.message()) {
                (Some(c), Some(m)) => format!("{c}: {m}"),
                (None, Some(m)) => m.to_owned(),
                _ => "the endpoint answered with an error but no message (an internal error of the endpoint?)".to_owned(),
            }
        }
        SdkError::TimeoutError(_) => {
            "the endpoint did not answer in time (check AWS_ENDPOINT_URL and the network)".into()
        }
        SdkError::DispatchFailure(d) => {
            let what = if d.is_io() {
                "connection failed"
            } else if d.is_timeout() {
                "timed out"
            } else {
                "request could not be sent"
            };
            let innermost = causes(e)
                .last()
                .map(ToString::to_string)
                .unwrap_or_default();
            if innermost.contains("credentials") || innermost.contains("credential provider") {
                return no_credentials(&innermost);
            }
            format!(
                "cannot reach the CloudFormation endpoint ({what}: {innermost}); check AWS_ENDPOINT_URL, the region and the network"
            )
        }
        _ => DisplayErrorContext(e).to_string(),
    }
}

/// The causes of `e`, outermost first (not `e` itself).
pub(super) fn causes<'a>(
    e: &'a dyn std::error::Error,
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(e.source(), |s| s.source())
}

/// No credentials anywhere: say so, and where the chain looked (not "cannot reach").
pub(super) fn no_credentials(detail: &str) -> String {
    let profile = std::env::var("AWS_PROFILE").unwrap_or_else(|_| "default".into());
    format!(
        "no AWS credentials found ({detail}). rcdk looked where the AWS CLI looks: the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), the profile '{profile}' in ~/.aws/credentials and ~/.aws/config (keys, SSO, credential_process, a role to assume), web identity (AWS_WEB_IDENTITY_TOKEN_FILE), and the container and instance metadata services. Configure one (aws configure, aws sso login, or export the keys); rcdk doctor shows what it finds"
    )
}

/// Maps an SDK error of `operation` on `stack` to a [`DeployError`].
pub fn api<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    stack: &str,
    operation: &'static str,
) -> impl FnOnce(aws_sdk_cloudformation::error::SdkError<E, R>) -> super::error::DeployError {
    let stack = stack.to_owned();
    move |e| super::error::DeployError::Api {
        stack,
        operation,
        message: describe(&e),
    }
}
