//! Deleting stacks in reverse dependency order.

use super::client::{Cfn, api, connect};
use super::error::DeployError;
use super::events::{Finished, follow, seen_events};
use super::progress::Progress;
use super::stack_state::stack_state;

#[derive(Debug, Clone)]
pub struct DestroyOptions {
    /// Stack name and region, dependencies first (they are deleted last).
    pub stacks: Vec<(String, Option<String>)>,
}

/// Deletes a stack and follows its events until it is gone (or failed).
pub(super) async fn delete_and_follow(
    cfn: &Cfn,
    stack: &str,
    progress: &Progress,
) -> Result<Finished, DeployError> {
    let seen = seen_events(cfn, stack).await;
    cfn.client
        .delete_stack()
        .stack_name(stack)
        .send()
        .await
        .map_err(api(stack, "DeleteStack"))?;
    follow(cfn, stack, seen, &progress.stack_bar(stack, 0), 0).await
}

/// Deletes every stack, last dependency first; stops at the first failure.
pub async fn destroy_stacks(
    opts: &DestroyOptions,
    progress: &Progress,
) -> Result<Vec<String>, DeployError> {
    let mut deleted = Vec::new();
    for (stack, region) in opts.stacks.iter().rev() {
        let cfn = connect(region.as_deref()).await;
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
        let finished = delete_and_follow(&cfn, stack, progress).await?;
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
