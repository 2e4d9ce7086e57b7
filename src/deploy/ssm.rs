//! Reading an SSM parameter (a bootstrap version, a lookup) with a signed request.

use super::client::Cfn;
use super::error::DeployError;
use super::signed::{SignedRequest, send, service_url};

/// The value of the parameter `name` in `cfn`'s account and region (`None`: no such
/// parameter). `owner` names what asks, for the error messages.
pub async fn parameter(cfn: &Cfn, owner: &str, name: &str) -> Result<Option<String>, DeployError> {
    let (status, answer) = send(
        cfn,
        owner,
        SignedRequest {
            operation: "SSM GetParameter",
            service: "ssm",
            region: &cfn.region,
            method: "POST",
            url: service_url(cfn, "ssm", &cfn.region),
            headers: vec![
                ("content-type", "application/x-amz-json-1.1".to_owned()),
                ("x-amz-target", "AmazonSSM.GetParameter".to_owned()),
            ],
            body: bytes::Bytes::from(serde_json::json!({ "Name": name }).to_string()),
            sign_payload_header: false,
            whole_answer: true,
        },
    )
    .await?;
    if answer.contains("ParameterNotFound") {
        return Ok(None);
    }
    if !status.is_success() {
        return Err(DeployError::Api {
            stack: owner.to_owned(),
            operation: "SSM GetParameter",
            message: format!("{name}: {status} {answer}"),
        });
    }
    Ok(serde_json::from_str::<serde_json::Value>(&answer)
        .ok()
        .and_then(|v| Some(v.pointer("/Parameter/Value")?.as_str()?.to_owned())))
}
