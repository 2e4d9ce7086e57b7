//! Whose credentials these are: STS GetCallerIdentity, so a stack meant for one account
//! is never deployed into another because of the keys at hand.

use bytes::Bytes;

use super::client::Cfn;
use super::error::DeployError;
use super::signed::{SignedRequest, send, service_url};

/// The account the configured credentials belong to.
pub async fn caller_account(cfn: &Cfn) -> Result<String, DeployError> {
    let url = service_url(cfn, "sts", &cfn.region);
    let (status, answer) = send(
        cfn,
        "account check",
        SignedRequest {
            operation: "STS GetCallerIdentity",
            service: "sts",
            region: &cfn.region,
            method: "POST",
            url,
            headers: vec![(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
            )],
            body: Bytes::from_static(b"Action=GetCallerIdentity&Version=2011-06-15"),
            sign_payload_header: false,
            whole_answer: false,
        },
    )
    .await?;
    let account = answer
        .split_once("<Account>")
        .and_then(|(_, rest)| rest.split_once("</Account>"))
        .map(|(a, _)| a.trim().to_owned());
    match account {
        Some(a) if status.is_success() => Ok(a),
        _ => Err(DeployError::Api {
            stack: "account check".into(),
            operation: "STS GetCallerIdentity",
            message: format!("{status}: {answer}"),
        }),
    }
}
