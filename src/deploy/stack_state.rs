//! What CloudFormation holds for a stack.

use std::collections::BTreeMap;

use aws_sdk_cloudformation::error::ProvideErrorMetadata;
use aws_sdk_cloudformation::types::TemplateStage;
use serde_json::Value as J;

use super::client::{Cfn, describe};
use super::error::DeployError;

/// A deployed stack, or its absence.
#[derive(Debug, Clone, PartialEq)]
pub struct StackState {
    /// The CloudFormation status.
    pub status: String,
    /// The stack's id (ARN), what rcdk follows.
    pub stack_id: String,
    /// Whether deletion is refused.
    pub termination_protection: bool,
    /// Output values by key.
    pub outputs: BTreeMap<String, String>,
    /// Export names of the outputs that have one.
    pub exports: BTreeMap<String, String>,
    /// Parameter values by key (`NoEcho` ones as CloudFormation masks them).
    pub parameters: BTreeMap<String, String>,
}

impl StackState {
    /// A failed first creation: nothing usable, the stack must be deleted first.
    pub fn is_rollback_complete(&self) -> bool {
        self.status == "ROLLBACK_COMPLETE"
    }

    /// Created with a change set that never ran: a CREATE change set is still right.
    pub fn is_review(&self) -> bool {
        self.status == "REVIEW_IN_PROGRESS"
    }

    /// Whether an operation is running (not counting a stack waiting in review).
    pub fn is_in_progress(&self) -> bool {
        self.status.ends_with("_IN_PROGRESS") && !self.is_review()
    }
}

fn missing(e: &impl ProvideErrorMetadata) -> bool {
    e.code() == Some("ValidationError") && e.message().is_some_and(|m| m.contains("does not exist"))
}

/// The stack's state, `None` when it does not exist (or was deleted).
pub async fn stack_state(cfn: &Cfn, stack: &str) -> Result<Option<StackState>, DeployError> {
    let out = match cfn.client.describe_stacks().stack_name(stack).send().await {
        Ok(o) => o,
        Err(e) if e.as_service_error().is_some_and(missing) => return Ok(None),
        Err(e) => {
            return Err(DeployError::Api {
                stack: stack.into(),
                operation: "DescribeStacks",
                message: describe(&e),
            });
        }
    };
    let Some(s) = out.stacks().first() else {
        return Ok(None);
    };
    let status = s
        .stack_status()
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    if status == "DELETE_COMPLETE" {
        return Ok(None);
    }
    let mut outputs = BTreeMap::new();
    let mut exports = BTreeMap::new();
    for o in s.outputs() {
        let (Some(k), Some(v)) = (o.output_key(), o.output_value()) else {
            continue;
        };
        outputs.insert(k.to_owned(), v.to_owned());
        if let Some(name) = o.export_name() {
            exports.insert(k.to_owned(), name.to_owned());
        }
    }
    let parameters = s
        .parameters()
        .iter()
        .filter_map(|p| {
            Some((
                p.parameter_key()?.to_owned(),
                p.parameter_value()?.to_owned(),
            ))
        })
        .collect();
    Ok(Some(StackState {
        parameters,
        status,
        stack_id: s.stack_id().unwrap_or_default().to_owned(),
        termination_protection: s.enable_termination_protection().unwrap_or(false),
        outputs,
        exports,
    }))
}

/// The template CloudFormation has for the stack (`None` when it does not exist).
pub async fn deployed_template(cfn: &Cfn, stack: &str) -> Result<Option<J>, DeployError> {
    let out = match cfn
        .client
        .get_template()
        .stack_name(stack)
        .template_stage(TemplateStage::Original)
        .send()
        .await
    {
        Ok(o) => o,
        Err(e) if e.as_service_error().is_some_and(missing) => return Ok(None),
        Err(e) => {
            return Err(DeployError::Api {
                stack: stack.into(),
                operation: "GetTemplate",
                message: describe(&e),
            });
        }
    };
    let body = out.template_body().unwrap_or_default();
    // Templates may come back as JSON or YAML.
    let parsed = crate::diff::parse_template(body).map_err(|e| DeployError::Api {
        stack: stack.into(),
        operation: "GetTemplate",
        message: format!("the deployed template is neither JSON nor YAML: {e}"),
    })?;
    Ok(Some(parsed))
}

/// The stacks that import `export` (none when CloudFormation says it is not imported).
pub(super) async fn importers(
    cfn: &Cfn,
    stack: &str,
    export: &str,
) -> Result<Vec<String>, DeployError> {
    match cfn.client.list_imports().export_name(export).send().await {
        Ok(out) => Ok(out.imports().to_vec()),
        Err(e) if describe(&e).contains("is not imported") => Ok(Vec::new()),
        Err(e) => Err(super::client::api(stack, "ListImports")(e)),
    }
}

/// How to follow a stack rcdk no longer follows.
pub(super) fn follow_hint(stack: &str) -> String {
    format!("follow it with `aws cloudformation describe-stack-events --stack-name {stack}`")
}
