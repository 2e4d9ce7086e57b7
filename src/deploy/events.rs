//! Following a stack operation: new events as they arrive, until a terminal status.

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_cloudformation::types::StackEvent;

use super::client::{Cfn, describe};
use super::error::DeployError;
use super::progress::StackBar;
use super::stack_state::{StackState, stack_state};

/// The end of an operation.
pub struct Finished {
    pub status: String,
    /// `LOGICAL_ID (TYPE): reason` of every resource that failed.
    pub failures: Vec<String>,
    /// The stack as the last poll saw it; `None` once it is deleted.
    pub state: Option<StackState>,
}

impl Finished {
    /// The failures that caused the outcome. When one resource fails, CloudFormation
    /// cancels the others in flight ("Resource creation cancelled", "Resource update
    /// cancelled"); those are consequences, shown only when nothing else failed.
    pub fn causes(&self) -> Vec<&str> {
        let is_cascade = |f: &&String| {
            f.ends_with("Resource creation cancelled") || f.ends_with("Resource update cancelled")
        };
        let causes: Vec<&str> = self
            .failures
            .iter()
            .filter(|f| !is_cascade(f))
            .map(String::as_str)
            .collect();
        if causes.is_empty() {
            self.failures.iter().map(String::as_str).collect()
        } else {
            causes
        }
    }
}

fn is_terminal(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS")
}

/// Event ids already on the stack, so that only this operation's events are shown.
pub async fn seen_events(cfn: &Cfn, stack: &str) -> BTreeSet<String> {
    match stack_events(cfn, stack).await {
        Ok(events) => events
            .iter()
            .filter_map(|e| e.event_id().map(str::to_owned))
            .collect(),
        Err(_) => BTreeSet::new(),
    }
}

/// The stack's events, newest first (the first page is all a deploy needs: older
/// events were seen before the operation started).
pub(super) async fn stack_events(cfn: &Cfn, stack: &str) -> Result<Vec<StackEvent>, String> {
    cfn.client
        .describe_stack_events()
        .stack_name(stack)
        .send()
        .await
        .map(|out| out.stack_events().to_vec())
        .map_err(|e| describe(&e))
}

/// How long rcdk follows one stack operation before it stops and says where things
/// stand (CloudFormation goes on: its resources have timeouts of their own).
const FOLLOW_DEADLINE: Duration = Duration::from_secs(3 * 60 * 60);
/// Silence after which rcdk says it is still waiting, and on what.
const QUIET: Duration = Duration::from_secs(120);

/// Polls events and status with back-off until the stack settles (or is gone). The
/// stack is read by `stack_id`, never by name: a name can come to mean another stack.
pub async fn follow(
    cfn: &Cfn,
    stack: &str,
    stack_id: &str,
    mut seen: BTreeSet<String>,
    bar: &StackBar,
    total: u64,
) -> Result<Finished, DeployError> {
    let mut delay = Duration::from_millis(300);
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut failures = Vec::new();
    let started = std::time::Instant::now();
    let mut last_news = started;
    loop {
        match stack_events(cfn, stack_id).await {
            Ok(events) => {
                // The API returns newest first.
                let mut fresh: Vec<_> = events
                    .iter()
                    .filter(|e| e.event_id().is_some_and(|id| !seen.contains(id)))
                    .collect();
                fresh.reverse();
                if !fresh.is_empty() {
                    last_news = std::time::Instant::now();
                }
                for e in fresh {
                    seen.insert(e.event_id().unwrap_or_default().to_owned());
                    let id = e.logical_resource_id().unwrap_or_default();
                    let status = e.resource_status().map(|s| s.as_str()).unwrap_or_default();
                    let ty = e.resource_type().unwrap_or_default();
                    let reason = e.resource_status_reason().unwrap_or_default();
                    bar.line(&format!(
                        "{stack} | {status:<20} | {ty:<42} | {id}{}",
                        if reason.is_empty() {
                            String::new()
                        } else {
                            format!(" — {reason}")
                        }
                    ));
                    if ty != "AWS::CloudFormation::Stack" && status.ends_with("_COMPLETE") {
                        done.insert(id.to_owned());
                    }
                    if status.ends_with("_FAILED") && !reason.is_empty() {
                        failures.push(format!("{id} ({ty}): {reason}"));
                    }
                    bar.set_done(done.len().min(total as usize) as u64, status);
                }
            }
            Err(msg) => {
                if msg.contains("does not exist") {
                    return Ok(Finished {
                        status: "DELETE_COMPLETE".into(),
                        failures,
                        state: None,
                    });
                }
                return Err(DeployError::Api {
                    stack: stack.into(),
                    operation: "DescribeStackEvents",
                    message: msg,
                });
            }
        }
        match stack_state(cfn, stack_id).await? {
            // Gone (read by name) or deleted (read by id): the deletion finished.
            None => {
                return Ok(Finished {
                    status: "DELETE_COMPLETE".into(),
                    failures,
                    state: None,
                });
            }
            Some(s) if s.status == "DELETE_COMPLETE" => {
                return Ok(Finished {
                    status: s.status,
                    failures,
                    state: None,
                });
            }
            Some(s) if is_terminal(&s.status) => {
                bar.finish(&s.status);
                return Ok(Finished {
                    status: s.status.clone(),
                    failures,
                    state: Some(s),
                });
            }
            Some(s) => {
                let status = &s.status;
                if started.elapsed() > FOLLOW_DEADLINE {
                    return Err(DeployError::Other(format!(
                        "{stack}: still {status} after {} hours; rcdk stopped following it. CloudFormation goes on: {}",
                        FOLLOW_DEADLINE.as_secs() / 3600,
                        super::stack_state::follow_hint(stack)
                    )));
                }
                if last_news.elapsed() > QUIET {
                    last_news = std::time::Instant::now();
                    bar.line(&format!(
                        "{stack} | still {status} after {} s; waiting for CloudFormation",
                        started.elapsed().as_secs()
                    ));
                }
            }
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 3 / 2).min(Duration::from_secs(5));
    }
}
