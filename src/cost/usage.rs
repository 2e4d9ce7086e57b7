//! Usage assumptions: what a template cannot say (traffic, log volume, requests). An app
//! sets them per stack with `Usage::apply(&stack)` (template `Metadata` key
//! `rcdk:cost-usage`, reviewed in PRs like the rest of the template); unset fields take
//! the defaults below, and the estimate prints what it assumed.

use serde::{Deserialize, Serialize};

use crate::Stack;

/// The template `Metadata` key holding a stack's usage assumptions.
pub const USAGE_METADATA: &str = "rcdk:cost-usage";

/// What the estimate assumes about use (hours a month, requests, data), from the
/// template's metadata or the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Usage {
    /// Hours a month an always-on resource runs. Default: 730.
    pub hours_per_month: f64,
    /// GB a month each NAT gateway processes. Default: 100.
    pub nat_gb_per_gateway: f64,
    /// Average load balancer capacity units. Default: 1.
    pub alb_lcu: f64,
    /// Million requests a month each web ACL inspects. Default: 10.
    pub waf_million_requests: f64,
    /// GB of logs each log group takes in a month. Default: 1.
    pub log_gb_per_group: f64,
    /// GB a month through each interface endpoint. Default: 10.
    pub endpoint_gb: f64,
    /// GB a month each internet-facing load balancer sends out to the internet (data
    /// transfer out, $0.09 a GB for the first 10 TB). Default: 50.
    pub data_out_gb_per_load_balancer: f64,
    /// Minutes each scheduled task run takes. Default: 10.
    pub scheduled_task_minutes: f64,
    /// GB of recovery points each backup plan keeps in its vault (a snapshot chain: about
    /// the data's size plus what changes over the retention). Default: 50.
    pub backup_gb: f64,
    /// GB a month each copy action sends to another region's vault. Default: 30.
    pub backup_copy_gb: f64,
    /// Million requests a month per queue, topic, function or event bus; unset: those
    /// are listed as not priced. Default: unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub million_requests: Option<f64>,
    /// GB stored per bucket or image repository; unset: not priced. Default: unset.
    /// (Unset fields are left out of the template: CloudFormation refuses nulls there.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_gb: Option<f64>,
}

impl Default for Usage {
    fn default() -> Self {
        Usage {
            hours_per_month: 730.0,
            nat_gb_per_gateway: 100.0,
            alb_lcu: 1.0,
            waf_million_requests: 10.0,
            log_gb_per_group: 1.0,
            endpoint_gb: 10.0,
            data_out_gb_per_load_balancer: 50.0,
            scheduled_task_minutes: 10.0,
            backup_gb: 50.0,
            backup_copy_gb: 30.0,
            million_requests: None,
            storage_gb: None,
        }
    }
}

impl Usage {
    /// Records these assumptions in `stack`'s template.
    pub fn apply(&self, stack: &Stack) {
        if let Ok(value) = serde_json::to_value(self) {
            stack.add_metadata(USAGE_METADATA, value);
        }
    }

    /// The assumptions a template records (defaults where it records none); a malformed
    /// entry is an error naming the field.
    pub fn of_template(template: &serde_json::Value) -> Result<Usage, String> {
        match template.pointer(&format!("/Metadata/{USAGE_METADATA}")) {
            None => Ok(Usage::default()),
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|e| format!("Metadata.{USAGE_METADATA}: {e}")),
        }
    }
}
