//! Stuck stacks: a failed update whose rollback failed too leaves the stack in
//! `UPDATE_ROLLBACK_FAILED`, where CloudFormation takes no update. `rcdk rollback`
//! continues the rollback (`ContinueUpdateRollback`), skipping the resources named with
//! `--orphan` (CloudFormation then considers them rolled back and stops managing their
//! failed change), and follows it to the end.

use super::client::{Cfn, api};
use super::error::DeployError;
use super::events::{follow, seen_events};
use super::progress::Progress;
use super::stack_state::stack_state;

/// How `rcdk rollback` ended.
#[derive(Debug, PartialEq, Eq)]
pub enum RollbackOutcome {
    /// The rollback finished: the stack is `UPDATE_ROLLBACK_COMPLETE`.
    Completed,
    /// There was nothing to continue; the stack's status.
    NothingToDo(String),
}

/// The resources whose rollback failed in the stack's last rollback, as
/// `(logical id, "ID (TYPE): reason")`, oldest first.
pub async fn stuck_resources(cfn: &Cfn, stack: &str) -> Result<Vec<(String, String)>, DeployError> {
    let events = super::events::stack_events(cfn, stack)
        .await
        .map_err(|message| DeployError::Api {
            stack: stack.to_owned(),
            operation: "DescribeStackEvents",
            message,
        })?;
    // Newest first: everything after the last rollback began.
    let mut stuck: Vec<(String, String)> = Vec::new();
    for e in &events {
        let status = e.resource_status().map(|s| s.as_str()).unwrap_or_default();
        let ty = e.resource_type().unwrap_or_default();
        if ty == "AWS::CloudFormation::Stack" && status == "UPDATE_ROLLBACK_IN_PROGRESS" {
            break;
        }
        if ty != "AWS::CloudFormation::Stack" && status == "UPDATE_FAILED" {
            let id = e.logical_resource_id().unwrap_or_default().to_owned();
            if !stuck.iter().any(|(s, _)| *s == id) {
                let reason = e.resource_status_reason().unwrap_or_default();
                stuck.push((id.clone(), format!("{id} ({ty}): {reason}")));
            }
        }
    }
    stuck.reverse();
    Ok(stuck)
}

/// The command that unsticks `stack`, with an `--orphan` per resource that failed.
pub fn rollback_command(stack: &str, stuck: &[(String, String)]) -> String {
    let mut cmd = format!("rcdk rollback {stack}");
    for (id, _) in stuck {
        cmd.push_str(&format!(" --orphan {id}"));
    }
    cmd
}

/// Continues the failed rollback of `stack`, skipping `orphan`, and follows it.
pub async fn continue_rollback(
    cfn: &Cfn,
    stack: &str,
    orphan: &[String],
    progress: &Progress,
) -> Result<RollbackOutcome, DeployError> {
    let Some(state) = stack_state(cfn, stack).await? else {
        return Err(DeployError::Refused {
            stack: stack.to_owned(),
            message: format!("the stack is not deployed in {}", cfn.region),
        });
    };
    if state.status != "UPDATE_ROLLBACK_FAILED" {
        if !orphan.is_empty() {
            return Err(DeployError::Refused {
                stack: stack.to_owned(),
                message: format!(
                    "the stack is {}, not UPDATE_ROLLBACK_FAILED: there is no rollback to continue, so nothing is orphaned",
                    state.status
                ),
            });
        }
        return Ok(RollbackOutcome::NothingToDo(state.status));
    }
    let stuck = stuck_resources(cfn, stack).await?;
    // An id that is not stuck would be skipped silently by CloudFormation (or refused
    // for a resource that rolled back): say which ones are.
    if let Some(wrong) = orphan
        .iter()
        .find(|o| !stuck.iter().any(|(id, _)| id == *o))
    {
        return Err(DeployError::Refused {
            stack: stack.to_owned(),
            message: format!(
                "--orphan {wrong}: not a resource whose rollback failed; those are: {}",
                if stuck.is_empty() {
                    "none found in the stack's events".to_owned()
                } else {
                    stuck
                        .iter()
                        .map(|(_, d)| d.clone())
                        .collect::<Vec<_>>()
                        .join("; ")
                }
            ),
        });
    }
    let seen = seen_events(cfn, &state.stack_id).await;
    cfn.client
        .continue_update_rollback()
        .stack_name(stack)
        .set_resources_to_skip((!orphan.is_empty()).then(|| orphan.to_vec()))
        .send()
        .await
        .map_err(api(stack, "ContinueUpdateRollback"))?;
    let finished = follow(
        cfn,
        stack,
        &state.stack_id,
        seen,
        &progress.stack_bar(stack, 0),
        0,
    )
    .await?;
    if finished.status == "UPDATE_ROLLBACK_COMPLETE" {
        return Ok(RollbackOutcome::Completed);
    }
    let still = stuck_resources(cfn, stack).await?;
    Err(DeployError::StackFailed {
        stack: stack.to_owned(),
        status: finished.status,
        reasons: format!(
            "{}\nthe rollback failed again; skip what cannot roll back (after checking it by hand): {}",
            still
                .iter()
                .map(|(_, d)| format!("  {d}"))
                .collect::<Vec<_>>()
                .join("\n"),
            rollback_command(stack, &still)
        ),
    })
}
