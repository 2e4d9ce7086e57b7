//! Deleting stacks in reverse dependency order.

use super::access::{Sessions, StackRoles};
use super::client::{Cfn, api};
use super::error::DeployError;
use super::events::{Finished, follow, seen_events};
use super::progress::Progress;
use super::stack_state::{StackState, follow_hint, importers, stack_state};

/// What `rcdk destroy` deletes.
#[derive(Debug, Clone)]
pub struct DestroyOptions {
    /// The stacks, dependencies first (they are deleted last).
    pub stacks: Vec<DestroyTarget>,
}

/// One stack to delete, and where it is.
#[derive(Debug, Clone)]
pub struct DestroyTarget {
    /// The stack name.
    pub name: String,
    /// `None`: the configured region.
    pub region: Option<String>,
    /// The account its environment names (`None`: environment-agnostic).
    pub account: Option<String>,
    /// The roles to reach that account with.
    pub roles: StackRoles,
    /// A StackSet, not a stack: its instances go, then the set.
    pub stack_set: Option<crate::tree::stack_set::StackSetProps>,
}

/// Deletes a stack and follows its events until it is gone (or failed).
pub(super) async fn delete_and_follow(
    cfn: &Cfn,
    stack: &str,
    stack_id: &str,
    progress: &Progress,
) -> Result<Finished, DeployError> {
    let seen = seen_events(cfn, stack_id).await;
    // One token per deletion: a retry after a lost answer is the same request.
    let token = format!(
        "rcdk-delete-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis())
    );
    cfn.client
        .delete_stack()
        .stack_name(stack_id)
        .client_request_token(token)
        .send()
        .await
        .map_err(api(stack, "DeleteStack"))?;
    follow(cfn, stack, stack_id, seen, &progress.stack_bar(stack, 0), 0).await
}

/// Stacks outside `leaving` that import one of `state`'s exports: CloudFormation would
/// refuse to delete `stack` half-way through the run.
async fn outside_importers(
    cfn: &Cfn,
    stack: &str,
    state: &StackState,
    leaving: &[&str],
) -> Result<Vec<String>, DeployError> {
    let mut found = Vec::new();
    for export in state.exports.values() {
        for importer in importers(cfn, stack, export).await? {
            if !leaving.contains(&importer.as_str()) {
                found.push(format!("{importer} (imports {export})"));
            }
        }
    }
    Ok(found)
}

/// Deletes every stack, last dependency first; stops at the first failure. Before
/// anything is deleted, every stack is checked: termination protection, and exports
/// still imported by a stack that stays. Ctrl-C stops following and says what
/// CloudFormation goes on doing.
pub async fn destroy_stacks(
    opts: &DestroyOptions,
    progress: &Progress,
) -> Result<Vec<String>, DeployError> {
    let leaving: Vec<&str> = opts.stacks.iter().map(|t| t.name.as_str()).collect();
    // Every account is reached before anything is deleted.
    let sessions = Sessions::default();
    let mut reached = Vec::new();
    for t in &opts.stacks {
        let access = sessions
            .for_stack(
                &t.name,
                t.account.as_deref(),
                t.region.as_deref(),
                &t.roles,
                progress,
            )
            .await?;
        reached.push((t, access.cfn));
    }
    let mut deployed = Vec::new();
    let mut sets = Vec::new();
    for (target, cfn) in reached.into_iter().rev() {
        let stack = &target.name;
        if let Some(set) = &target.stack_set {
            if super::stack_set_template(&cfn, stack).await?.is_none() {
                progress.line(&format!("{stack}: not deployed"));
            } else {
                sets.push((stack, cfn, set));
            }
            continue;
        }
        let Some(state) = stack_state(&cfn, stack).await? else {
            progress.line(&format!("{stack}: not deployed"));
            continue;
        };
        if state.termination_protection {
            return Err(DeployError::Refused {
                stack: stack.clone(),
                message: "termination protection is on; turn it off (StackProps::termination_protection = false and deploy, or in the console) to destroy it".into(),
            });
        }
        let importers = outside_importers(&cfn, stack, &state, &leaving).await?;
        if !importers.is_empty() {
            return Err(DeployError::Refused {
                stack: stack.clone(),
                message: format!(
                    "other stacks still use its exports: {}; destroy them too (leave out --exclusively) or stop them importing first; nothing was destroyed",
                    importers.join(", ")
                ),
            });
        }
        deployed.push((stack, cfn, state.stack_id));
    }
    let mut deleted = Vec::new();
    // StackSets first: they are deleted in the reverse order too, and nothing imports
    // from them.
    for (stack, cfn, set) in sets {
        if super::destroy_stack_set(&cfn, stack, set, progress).await? {
            progress.line(&format!("{stack}: StackSet and its instances deleted"));
            deleted.push(stack.clone());
        }
    }
    for (stack, cfn, stack_id) in deployed {
        let finished = tokio::select! {
            f = delete_and_follow(&cfn, stack, &stack_id, progress) => f?,
            _ = tokio::signal::ctrl_c() => {
                progress.line(&format!(
                    "{stack}: the deletion may have started: CloudFormation goes on deleting the stack without rcdk; {}",
                    follow_hint(stack)
                ));
                return Err(DeployError::Interrupted(format!(
                    "destroy stopped by Ctrl-C{}",
                    if deleted.is_empty() {
                        String::new()
                    } else {
                        format!(" after destroying {}", deleted.join(", "))
                    }
                )));
            }
        };
        if finished.status != "DELETE_COMPLETE" {
            let reasons = finished
                .failures
                .iter()
                .map(|f| format!("  {f}"))
                .collect::<Vec<_>>()
                .join("\n");
            return Err(DeployError::StackFailed {
                stack: stack.clone(),
                status: finished.status,
                reasons,
            });
        }
        progress.line(&format!("{stack}: destroyed"));
        deleted.push(stack.clone());
    }
    Ok(deleted)
}
