//! Values that cross regions or accounts through SSM. After a stack deploys, the values
//! other regions' stacks of its account read from it (template `Metadata`
//! `rcdk:cross-region-parameters`) go to SSM parameters in those regions, before any
//! stack that reads them starts. Before a stack deploys, the values it reads from other
//! accounts' stacks (`rcdk:cross-account-values`) are read from those stacks' outputs,
//! through their accounts' read-only lookup roles, and written to SSM in its own account:
//! the deployment of the consumer needs no write access to the producer's account, nor
//! the producer's to the consumer's.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::Value as J;

use super::access::Sessions;
use super::client::Cfn;
use super::error::DeployError;
use super::signed::{SignedRequest, send, service_url};
use super::stack_state::{StackState, stack_state};
use crate::synth::cross_region::{ACCOUNT_VALUES_KEY, PARAMETERS_KEY};

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
        put_parameter(
            cfn,
            stack,
            (c.parameter, c.region, c.list),
            value,
            &format!(
                "{} of {stack}, for stacks in {} (rcdk deploy)",
                c.output, c.region
            ),
        )
        .await?;
        done.push(format!(
            "{} → SSM {} in {}",
            c.output, c.parameter, c.region
        ));
    }
    Ok(done)
}

/// Writes `value` to the SSM parameter (name, region, list) with `cfn`'s credentials.
async fn put_parameter(
    cfn: &Cfn,
    stack: &str,
    (name, region, list): (&str, &str, bool),
    value: &str,
    description: &str,
) -> Result<(), DeployError> {
    let body = serde_json::json!({
        "Name": name,
        "Value": value,
        "Type": if list { "StringList" } else { "String" },
        "Overwrite": true,
        "Description": description,
    });
    let url = service_url(cfn, "ssm", region);
    let (status, answer) = send(
        cfn,
        stack,
        SignedRequest {
            operation: "SSM PutParameter",
            service: "ssm",
            region,
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
            message: format!("{name} in {region}: {status} {answer}"),
        });
    }
    Ok(())
}

/// One value of another account's stack that this stack reads.
struct Fetch<'a> {
    parameter: &'a str,
    producer: &'a str,
    account: &'a str,
    region: &'a str,
    output: &'a str,
    list: bool,
}

fn fetched(template: &J) -> Vec<Fetch<'_>> {
    template["Metadata"][ACCOUNT_VALUES_KEY]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| {
            Some(Fetch {
                parameter: v["Parameter"].as_str()?,
                producer: v["Stack"].as_str()?,
                account: v["Account"].as_str()?,
                region: v["Region"].as_str()?,
                output: v["Output"].as_str()?,
                list: v["List"].as_bool().unwrap_or(false),
            })
        })
        .collect()
}

/// Before `stack` (reached with `consumer`) deploys: reads each value it takes from
/// another account's stack, through that account's lookup role (or the caller's own
/// credentials in their account), and writes it to SSM in the stack's account and
/// region; returns a line per parameter written.
pub async fn fetch(
    consumer: &Cfn,
    sessions: &Sessions,
    stack: &str,
    template: &J,
) -> Result<Vec<String>, DeployError> {
    use crate::tree::bootstrap::{LOOKUP_ROLE, role_arn};
    let mut done = Vec::new();
    // Each producer is described once, however many of its outputs are read.
    let mut states: BTreeMap<(&str, &str, &str), Option<StackState>> = BTreeMap::new();
    for f in fetched(template) {
        let key = (f.account, f.region, f.producer);
        if let std::collections::btree_map::Entry::Vacant(e) = states.entry(key) {
            let lookup = role_arn(LOOKUP_ROLE, f.account, f.region);
            let producer = sessions
                .for_lookup(stack, f.account, f.region, Some(&lookup))
                .await?;
            e.insert(stack_state(&producer, f.producer).await?);
        }
        let state = states.get(&key).and_then(Option::as_ref);
        let value =
            state
                .and_then(|s| s.outputs.get(f.output))
                .ok_or_else(|| DeployError::Refused {
                    stack: stack.into(),
                    message: format!(
                        "it reads {} of {} (aws://{}/{}), which {}; deploy {} first",
                        f.output,
                        f.producer,
                        f.account,
                        f.region,
                        if state.is_some() {
                            "has no such output"
                        } else {
                            "is not deployed"
                        },
                        f.producer
                    ),
                })?;
        put_parameter(
            consumer,
            stack,
            (f.parameter, &consumer.region, f.list),
            value,
            &format!(
                "{} of {} (aws://{}/{}), for {stack} (rcdk deploy)",
                f.output, f.producer, f.account, f.region
            ),
        )
        .await?;
        done.push(format!(
            "{} of {} (account {}) → SSM {}",
            f.output, f.producer, f.account, f.parameter
        ));
    }
    Ok(done)
}
