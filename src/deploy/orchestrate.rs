//! Deploying a set of stacks: dependency order, independent stacks concurrently, one
//! change set per stack with its guards, Ctrl-C handling.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use aws_sdk_cloudformation::types::{Parameter, Tag};
use serde_json::Value as J;
use tokio::task::JoinSet;

use super::changeset::{self, ChangeSetRequest, Prepared, TemplateSource};
use super::client::{Cfn, api, connect, describe};
use super::error::DeployError;
use super::events::{follow, seen_events};
use super::guards::{Approval, confirm, destructive_changes};
use super::progress::Progress;
use super::stack_state::{StackState, deployed_template, stack_state};
use super::{INLINE_TEMPLATE_LIMIT, capabilities_for};
use crate::diff::{diff_templates, render_text};

/// One stack to deploy.
#[derive(Debug, Clone)]
pub struct StackPlan {
    pub stack_name: String,
    /// `None`: the region of the configuration chain.
    pub region: Option<String>,
    pub template: J,
    /// Stacks (in this deployment) that must succeed first.
    pub dependencies: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub termination_protection: bool,
    pub parameters: BTreeMap<String, String>,
    /// File assets the template points at, uploaded before the change set.
    pub assets: Vec<super::AssetUpload>,
}

#[derive(Debug, Clone)]
pub struct DeployOptions {
    pub concurrency: usize,
    pub approval: Approval,
    pub allow_replace: Vec<String>,
    pub allow_replace_all: bool,
    pub no_execute: bool,
    pub role_arn: Option<String>,
}

/// How a stack's deployment ended.
#[derive(Debug)]
pub enum DeployOutcome {
    Deployed {
        outputs: BTreeMap<String, String>,
    },
    Unchanged {
        outputs: BTreeMap<String, String>,
    },
    /// `--no-execute`: the change set waits for review.
    ChangeSetLeft {
        id: String,
    },
    Failed(DeployError),
    /// Not attempted because a dependency did not deploy.
    Skipped {
        because: String,
    },
}

impl DeployOutcome {
    pub fn ok(&self) -> bool {
        matches!(
            self,
            DeployOutcome::Deployed { .. }
                | DeployOutcome::Unchanged { .. }
                | DeployOutcome::ChangeSetLeft { .. }
        )
    }
}

/// Change sets created and not yet executed (deleted on Ctrl-C), and stacks executing.
#[derive(Default)]
struct Inflight {
    change_sets: Vec<(Cfn, String, String)>,
    executing: BTreeSet<String>,
}

type Shared = Arc<Mutex<Inflight>>;

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, Inflight> {
    s.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn change_set_name() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!("rcdk-deploy-{millis}")
}

/// Exports the new template drops but another stack still imports stay one more
/// deploy (with their deployed value), so the update cannot deadlock on them.
async fn keep_used_exports(
    cfn: &Cfn,
    plan: &StackPlan,
    state: &StackState,
    template: &mut J,
    progress: &Progress,
) -> Result<(), DeployError> {
    let kept: BTreeSet<String> = template
        .get("Outputs")
        .and_then(J::as_object)
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(|o| {
            o.pointer("/Export/Name")
                .and_then(J::as_str)
                .map(str::to_owned)
        })
        .collect();
    for (key, export) in &state.exports {
        if kept.contains(export) {
            continue;
        }
        let imports = match cfn.client.list_imports().export_name(export).send().await {
            Ok(out) => out.imports().to_vec(),
            Err(e) if describe(&e).contains("is not imported") => Vec::new(),
            Err(e) => {
                return Err(DeployError::Api {
                    stack: plan.stack_name.clone(),
                    operation: "ListImports",
                    message: describe(&e),
                });
            }
        };
        if imports.is_empty() {
            continue;
        }
        let value = state.outputs.get(key).cloned().unwrap_or_default();
        progress.line(&format!(
            "{}: keeping export {export} for this deploy: still imported by {}; it goes once they stop using it",
            plan.stack_name,
            imports.join(", ")
        ));
        if let Some(outputs) = template.as_object_mut().map(|m| {
            m.entry("Outputs")
                .or_insert_with(|| J::Object(Default::default()))
        }) {
            if let Some(o) = outputs.as_object_mut() {
                o.insert(
                    key.clone(),
                    serde_json::json!({"Value": value, "Export": {"Name": export}}),
                );
            }
        }
    }
    Ok(())
}

async fn prepare_state(
    cfn: &Cfn,
    stack: &str,
    progress: &Progress,
) -> Result<Option<StackState>, DeployError> {
    let state = stack_state(cfn, stack).await?;
    let Some(s) = state else { return Ok(None) };
    let bad = |advice: &str| {
        Err(DeployError::BadState {
            stack: stack.into(),
            status: s.status.clone(),
            advice: advice.into(),
        })
    };
    if s.is_rollback_complete() {
        progress.line(&format!(
            "{stack}: ROLLBACK_COMPLETE after a failed first create; deleting it to create it again"
        ));
        let finished = super::destroy::delete_and_follow(cfn, stack, progress).await?;
        if finished.status != "DELETE_COMPLETE" {
            return bad(
                "deleting the failed stack did not finish; delete it by hand and deploy again",
            );
        }
        return Ok(None);
    }
    if s.status == "UPDATE_ROLLBACK_FAILED" {
        return bad(
            "continue the rollback (aws cloudformation continue-update-rollback) or fix the resources it names, then deploy again",
        );
    }
    if s.status.ends_with("_FAILED") && s.status != "UPDATE_FAILED" {
        return bad("fix or delete the stack in CloudFormation, then deploy again");
    }
    if s.is_in_progress() {
        return bad(
            "another operation is running on it; wait until it finishes, then deploy again",
        );
    }
    Ok(Some(s))
}

/// Deletes the change set a guard stopped (and the empty stack a first CREATE change
/// set made, which would otherwise sit in REVIEW_IN_PROGRESS), and says why.
async fn refuse(
    cfn: &Cfn,
    stack: &str,
    id: &str,
    inflight: &Shared,
    created: bool,
    message: String,
) -> Result<DeployOutcome, DeployError> {
    changeset::delete(cfn, stack, id).await;
    lock(inflight).change_sets.retain(|(_, _, i)| i != id);
    if created {
        if let Err(e) = cfn.client.delete_stack().stack_name(stack).send().await {
            eprintln!(
                "warning: {stack}: could not delete the empty stack: {}",
                describe(&e)
            );
        }
    }
    Err(DeployError::Refused {
        stack: stack.into(),
        message,
    })
}

async fn deploy_one(
    cfn: Cfn,
    plan: StackPlan,
    opts: DeployOptions,
    progress: Progress,
    inflight: Shared,
) -> DeployOutcome {
    let outcome = match deploy_inner(&cfn, &plan, &opts, &progress, &inflight).await {
        Ok(o) => o,
        Err(e) => return DeployOutcome::Failed(e),
    };
    // Values other regions read: written before any stack that reads them starts (they
    // depend on this one), also when this stack was unchanged.
    if let DeployOutcome::Deployed { outputs } | DeployOutcome::Unchanged { outputs } = &outcome {
        match super::cross_region::publish(&cfn, &plan.stack_name, &plan.template, outputs).await {
            Ok(lines) => {
                for line in lines {
                    progress.line(&format!("{}: {line}", plan.stack_name));
                }
            }
            Err(e) => return DeployOutcome::Failed(e),
        }
    }
    outcome
}

async fn deploy_inner(
    cfn: &Cfn,
    plan: &StackPlan,
    opts: &DeployOptions,
    progress: &Progress,
    inflight: &Shared,
) -> Result<DeployOutcome, DeployError> {
    let stack = plan.stack_name.as_str();
    let state = prepare_state(cfn, stack, progress).await?;
    let mut template = plan.template.clone();
    if let Some(s) = &state {
        keep_used_exports(cfn, plan, s, &mut template, progress).await?;
    }
    super::publish_assets(cfn, stack, &plan.assets, progress).await?;
    // Compact: CloudFormation's limits count the bytes it receives (cdk.out stays readable).
    let body = serde_json::to_string(&template).unwrap_or_default();
    let source = if body.len() > INLINE_TEMPLATE_LIMIT {
        let bucket = super::upload::deployment_bucket(cfn, stack).await?;
        let uploaded = super::upload::upload_template(cfn, stack, &bucket, &body).await?;
        progress.line(&format!(
            "{stack}: template is {} bytes, over the {INLINE_TEMPLATE_LIMIT} CloudFormation takes inline; {} {}",
            body.len(),
            if uploaded.sent {
                "uploaded to"
            } else {
                "already in the bucket (unchanged):"
            },
            uploaded.url
        ));
        TemplateSource::Url(uploaded.url)
    } else {
        TemplateSource::Body(&body)
    };
    let deployed = match &state {
        Some(s) if !s.is_review() => deployed_template(cfn, stack).await?.unwrap_or(J::Null),
        _ => J::Null,
    };
    let diff = diff_templates(&deployed, &template);
    let create = state.as_ref().is_none_or(StackState::is_review);
    let name = change_set_name();
    let id = changeset::create(
        cfn,
        ChangeSetRequest {
            stack,
            name: &name,
            create,
            template: source,
            capabilities: capabilities_for(&template),
            parameters: plan
                .parameters
                .iter()
                .map(|(k, v)| {
                    Parameter::builder()
                        .parameter_key(k)
                        .parameter_value(v)
                        .build()
                })
                .collect(),
            tags: plan
                .tags
                .iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect(),
            role_arn: opts.role_arn.as_deref(),
        },
    )
    .await?;
    lock(inflight)
        .change_sets
        .push((cfn.clone(), stack.to_owned(), id.clone()));
    let forget = |inflight: &Shared| lock(inflight).change_sets.retain(|(_, _, i)| *i != id);
    let rows = match changeset::wait(cfn, stack, &id).await {
        Ok(Prepared::NoChanges) => {
            forget(inflight);
            progress.line(&format!("{stack}: no changes"));
            // The template is the same, but the protection setting may not be.
            if state
                .as_ref()
                .is_some_and(|s| s.termination_protection != plan.termination_protection)
            {
                set_termination_protection(cfn, stack, plan.termination_protection).await?;
                progress.line(&format!(
                    "{stack}: termination protection {}",
                    if plan.termination_protection {
                        "on"
                    } else {
                        "off"
                    }
                ));
            }
            let outputs = state.map(|s| s.outputs).unwrap_or_default();
            return Ok(DeployOutcome::Unchanged { outputs });
        }
        Ok(Prepared::Ready { rows }) => rows,
        Err(e) => {
            forget(inflight);
            return Err(e);
        }
    };
    progress.line(&format!(
        "{stack}: change set {id}\n{}",
        changeset::table(&rows)
    ));
    let destructive: Vec<String> = destructive_changes(&rows, &diff)
        .into_iter()
        .filter(|line| {
            !opts
                .allow_replace
                .iter()
                .any(|id| line.starts_with(&format!("{id} ")))
        })
        .collect();
    if !destructive.is_empty() && !opts.allow_replace_all {
        return refuse(cfn, stack, &id, inflight, state.is_none(), format!(
            "stopped: {}; that loses data. If it is intended, pass --allow-replace LOGICAL_ID (or --allow-replace-all); the change set was deleted",
            destructive.join("; ")
        ))
        .await;
    }
    let ask = match opts.approval {
        Approval::Never => false,
        Approval::Broadening => diff.is_broadening(),
        Approval::AnyChange => true,
    };
    if ask {
        progress.line(&render_text(stack, &diff));
        if !confirm(&format!("{stack}: deploy these changes?")) {
            return refuse(
                cfn,
                stack,
                &id,
                inflight,
                state.is_none(),
                "the change needs approval (it widens IAM or network access, or --require-approval any-change); answer on a terminal, or pass --require-approval never".into(),
            )
            .await;
        }
    }
    if opts.no_execute {
        forget(inflight);
        return Ok(DeployOutcome::ChangeSetLeft { id });
    }
    let seen = seen_events(cfn, stack).await;
    if let Err(e) = changeset::execute(cfn, stack, &id).await {
        // A change set that cannot run is deleted: nothing is left half-done.
        changeset::delete(cfn, stack, &id).await;
        forget(inflight);
        return Err(e);
    }
    {
        let mut f = lock(inflight);
        f.change_sets.retain(|(_, _, i)| *i != id);
        f.executing.insert(stack.to_owned());
    }
    let total = template
        .get("Resources")
        .and_then(J::as_object)
        .map_or(0, |m| m.len() as u64);
    let finished = follow(cfn, stack, seen, &progress.stack_bar(stack, total), total).await?;
    lock(inflight).executing.remove(stack);
    if finished.status != "CREATE_COMPLETE" && finished.status != "UPDATE_COMPLETE" {
        // An execution that failed leaves its change set behind (EXECUTE_FAILED); it
        // can never run again, so it goes.
        changeset::delete(cfn, stack, &id).await;
        let causes = finished.causes();
        let mut reasons = if causes.is_empty() {
            "  (no resource reported a reason)".to_owned()
        } else {
            causes
                .iter()
                .map(|f| format!("  {f}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        reasons.push_str(match finished.status.as_str() {
            "ROLLBACK_COMPLETE" => "\n  nothing was kept: the next rcdk deploy deletes the failed stack and creates it again",
            "UPDATE_ROLLBACK_COMPLETE" => "\n  rolled back: the stack keeps its previous template and resources",
            _ => "",
        });
        return Err(DeployError::StackFailed {
            stack: stack.into(),
            status: finished.status,
            reasons,
        });
    }
    // The last poll already read the settled stack: its outputs and protection.
    let now = finished.state;
    if now
        .as_ref()
        .is_some_and(|s| s.termination_protection != plan.termination_protection)
    {
        set_termination_protection(cfn, stack, plan.termination_protection).await?;
    }
    Ok(DeployOutcome::Deployed {
        outputs: now.map(|s| s.outputs).unwrap_or_default(),
    })
}

async fn set_termination_protection(cfn: &Cfn, stack: &str, on: bool) -> Result<(), DeployError> {
    cfn.client
        .update_termination_protection()
        .stack_name(stack)
        .enable_termination_protection(on)
        .send()
        .await
        .map_err(api(stack, "UpdateTerminationProtection"))?;
    Ok(())
}

async fn clients(plans: &[StackPlan]) -> BTreeMap<Option<String>, Cfn> {
    let mut out = BTreeMap::new();
    for p in plans {
        if !out.contains_key(&p.region) {
            out.insert(p.region.clone(), connect(p.region.as_deref()).await);
        }
    }
    out
}

/// Deploys `plans` (in dependency order) and reports each stack's outcome.
pub async fn deploy_stacks(
    plans: Vec<StackPlan>,
    opts: &DeployOptions,
    progress: &Progress,
) -> Result<Vec<(String, DeployOutcome)>, DeployError> {
    let clients = clients(&plans).await;
    let inflight: Shared = Arc::default();
    let mut outcomes: BTreeMap<String, DeployOutcome> = BTreeMap::new();
    let mut started: BTreeSet<String> = BTreeSet::new();
    let mut running: JoinSet<(String, DeployOutcome)> = JoinSet::new();
    let names: BTreeSet<String> = plans.iter().map(|p| p.stack_name.clone()).collect();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        // Start what is ready, up to the concurrency limit.
        for p in &plans {
            if started.contains(&p.stack_name) || running.len() >= opts.concurrency.max(1) {
                continue;
            }
            let deps: Vec<&String> = p
                .dependencies
                .iter()
                .filter(|d| names.contains(*d))
                .collect();
            if let Some(bad) = deps.iter().find(|d| {
                outcomes
                    .get(**d)
                    .is_some_and(|o| !o.ok() || matches!(o, DeployOutcome::ChangeSetLeft { .. }))
            }) {
                started.insert(p.stack_name.clone());
                outcomes.insert(
                    p.stack_name.clone(),
                    DeployOutcome::Skipped {
                        because: format!("{bad} did not deploy"),
                    },
                );
                continue;
            }
            if deps
                .iter()
                .all(|d| outcomes.get(*d).is_some_and(DeployOutcome::ok))
            {
                started.insert(p.stack_name.clone());
                let Some(cfn) = clients.get(&p.region).cloned() else {
                    continue;
                };
                let (plan, opts, progress, inflight) =
                    (p.clone(), opts.clone(), progress.clone(), inflight.clone());
                running.spawn(async move {
                    let name = plan.stack_name.clone();
                    (name, deploy_one(cfn, plan, opts, progress, inflight).await)
                });
            }
        }
        if running.is_empty() {
            break;
        }
        tokio::select! {
            done = running.join_next() => {
                match done {
                    Some(Ok((name, outcome))) => { outcomes.insert(name, outcome); }
                    Some(Err(e)) => return Err(DeployError::Other(format!("a deployment task failed: {e}"))),
                    None => break,
                }
            }
            _ = &mut ctrl_c => {
                running.abort_all();
                let inflight = std::mem::take(&mut *lock(&inflight));
                for (cfn, stack, id) in &inflight.change_sets {
                    changeset::delete(cfn, stack, id).await;
                    progress.line(&format!("{stack}: deleted the change set {id} (not executed)"));
                }
                for stack in &inflight.executing {
                    progress.line(&format!("{stack}: CloudFormation keeps changing the stack; follow it in the console or with `rcdk deploy` later"));
                }
                return Err(DeployError::Interrupted("deployment stopped by Ctrl-C".into()));
            }
        }
    }
    Ok(plans
        .iter()
        .filter_map(|p| {
            outcomes
                .remove(&p.stack_name)
                .map(|o| (p.stack_name.clone(), o))
        })
        .collect())
}
