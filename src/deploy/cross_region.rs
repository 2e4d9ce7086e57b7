//! After a stack deploys, the values other regions' stacks read from it (template
//! `Metadata` `rcdk:cross-region-parameters`, written by synthesis) go to SSM parameters
//! in those regions, before any stack that reads them starts.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::Value as J;

use super::client::Cfn;
use super::error::DeployError;
use super::signed::{SignedRequest, send, service_url};
use crate::synth::cross_region::PARAMETERS_KEY;

/// One value to carry.
struct Carry<'a> {
    output: &'a str,
    region: &'a str,
    parameter: &'a str,
    list: bool,
}

fn carried(template: &J) -> Vec<Carry<'_>> {
    template["Metadata"][PARAMETERS_KEY]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| {
            Some(Carry {
                output: v["Output"].as_str()?,
                region: v["Region"].as_str()?,
                parameter: v["Parameter"].as_str()?,
                list: v["List"].as_bool().unwrap_or(false),
            })
        })
        .collect()
}

/// Writes each carried output of `stack` (deployed, with `outputs`) to its region's SSM
/// parameter; returns a line per parameter written.
pub async fn publish(
    cfn: &Cfn,
    stack: &str,
    template: &J,
    outputs: &BTreeMap<String, String>,
) -> Result<Vec<String>, DeployError> {
    let mut done = Vec::new();
    for c in carried(template) {
        let value = outputs.get(c.output).ok_or_else(|| DeployError::Refused {
            stack: stack.into(),
            message: format!(
                "the deployed stack has no output {} for the SSM parameter {} in {}; deploy it again",
                c.output, c.parameter, c.region
            ),
        })?;
        let body = serde_json::json!({
            "Name": c.parameter,
            "Value": value,
            "Type": if c.list { "StringList" } else { "String" },
            "Overwrite": true,
            "Description": format!("{} of {stack}, for stacks in {} (rcdk deploy)", c.output, c.region),
        });
        let url = service_url(cfn, "ssm", c.region);
        let (status, answer) = send(
            cfn,
            stack,
            SignedRequest {
                operation: "SSM PutParameter",
                service: "ssm",
                region: c.region,
                method: "POST",
                url,
                headers: vec![
                    ("content-type", "application/x-amz-json-1.1".to_owned()),
                    ("x-amz-target", "AmazonSSM.PutParameter".to_owned()),
                ],
                body: Bytes::from(body.to_string()),
                sign_payload_header: false,
                whole_answer: false,
            },
        )
        .await?;
        if !status.is_success() {
            return Err(DeployError::Api {
                stack: stack.into(),
                operation: "SSM PutParameter",
                message: format!("{} in {}: {status} {answer}", c.parameter, c.region),
            });
        }
        done.push(format!(
            "{} → SSM {} in {}",
            c.output, c.parameter, c.region
        ));
    }
    Ok(done)
}
