//! Deploying a set of stacks: dependency order, independent stacks concurrently, one
//! change set per stack with its guards, Ctrl-C handling.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use aws_sdk_cloudformation::types::{Parameter, Tag};
use serde_json::Value as J;
use tokio::task::JoinSet;

use super::access::StackAccess;
use super::changeset::{self, ChangeSetRequest, Prepared, TemplateSource};
use super::client::{Cfn, api, describe};
use super::error::DeployError;
use super::events::{follow, seen_events};
use super::guards::{Answer, Approval, NO_TERMINAL, confirm, destructive_changes};
use super::progress::Progress;
use super::stack_state::{StackState, deployed_template, follow_hint, importers, stack_state};
use super::{INLINE_TEMPLATE_LIMIT, capabilities_for};
use crate::diff::{diff_templates, render_text};

/// One stack to deploy.
#[derive(Debug, Clone)]
pub struct StackPlan {
    /// The CloudFormation stack name.
    pub stack_name: String,
    /// `None`: the region of the configuration chain.
    pub region: Option<String>,
    /// The account the stack's environment names; `None`: environment-agnostic.
    pub account: Option<String>,
    /// The template to deploy.
    pub template: J,
    /// Stacks (in this deployment) that must succeed first.
    pub dependencies: Vec<String>,
    /// Stack-level tags (CloudFormation propagates them to resources).
    pub tags: BTreeMap<String, String>,
    /// Whether deletion is refused.
    pub termination_protection: bool,
    /// Template parameter values (`--parameters`).
    pub parameters: BTreeMap<String, String>,
    /// File assets the template points at, uploaded before the change set.
    pub assets: Vec<super::AssetUpload>,
    /// The roles to reach the stack's account with (none: the caller's credentials).
    pub roles: super::StackRoles,
    /// Deploy the template as this StackSet instead of as a stack.
    pub stack_set: Option<crate::tree::stack_set::StackSetProps>,
}

/// How a deployment goes.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// Stacks deployed at once (independent ones only), at least 1.
    pub concurrency: usize,
    /// Which changes need a person's approval.
    pub approval: Approval,
    /// Stateful resources that may be replaced or deleted (logical ids).
    pub allow_replace: Vec<String>,
    /// Any stateful resource may be replaced or deleted.
    pub allow_replace_all: bool,
    /// Leave the change sets for review instead of executing them.
    pub no_execute: bool,
    /// The CloudFormation execution role to pass.
    pub role_arn: Option<String>,
    /// Refuse a stack another operation is running on instead of waiting for it.
    pub no_wait: bool,
}

/// How a stack's deployment ended.
#[derive(Debug)]
pub enum DeployOutcome {
    /// The stack changed.
    Deployed {
        /// Its outputs.
        outputs: BTreeMap<String, String>,
    },
    /// Nothing to change.
    Unchanged {
        /// Its outputs.
        outputs: BTreeMap<String, String>,
    },
    /// `--no-execute`: the change set waits for review.
    ChangeSetLeft {
        /// The change set's ARN.
        id: String,
    },
    /// It failed; the error says why and what became of the stack.
    Failed(DeployError),
    /// Not attempted because a dependency did not deploy.
    Skipped {
        /// Why.
        because: String,
    },
}

impl DeployOutcome {
    /// Whether the stack is where it should be (deployed, unchanged or left for review).
    pub fn ok(&self) -> bool {
        matches!(
            self,
            DeployOutcome::Deployed { .. }
                | DeployOutcome::Unchanged { .. }
                | DeployOutcome::ChangeSetLeft { .. }
        )
    }
}

/// A change set rcdk created and has not asked CloudFormation to execute.
struct Pending {
    cfn: Cfn,
    stack: String,
    stack_id: String,
    id: String,
    /// A CREATE change set made the (empty, REVIEW_IN_PROGRESS) stack: it goes too.
    made_the_stack: bool,
}

/// Change sets created and not yet executed (deleted on an interrupt), and stacks whose
/// execution may have been requested (never reported as "not executed").
#[derive(Default)]
struct Inflight {
    change_sets: Vec<Pending>,
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
        let imports = importers(cfn, &plan.stack_name, export).await?;
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
        }) && let Some(o) = outputs.as_object_mut()
        {
            o.insert(
                key.clone(),
                serde_json::json!({"Value": value, "Export": {"Name": export}}),
            );
        }
    }
    Ok(())
}

/// Waits while another operation runs on `stack` (a console update, another pipeline):
/// CloudFormation would reject a change set until it ends.
async fn settled_state(
    cfn: &Cfn,
    stack: &str,
    no_wait: bool,
    progress: &Progress,
) -> Result<Option<StackState>, DeployError> {
    let mut delay = std::time::Duration::from_secs(1);
    let mut said = false;
    loop {
        let state = stack_state(cfn, stack).await?;
        match &state {
            Some(s) if s.is_in_progress() => {
                if no_wait {
                    return Err(DeployError::BadState {
                        stack: stack.into(),
                        status: s.status.clone(),
                        advice: "another operation is running on it and --no-wait was given; deploy again when it has finished (without --no-wait, rcdk waits for it)".into(),
                    });
                }
                if !said {
                    progress.line(&format!(
                        "{stack}: {} — another operation is running on it; waiting for it to finish before creating the change set",
                        s.status
                    ));
                    said = true;
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 3 / 2).min(std::time::Duration::from_secs(15));
            }
            _ => return Ok(state),
        }
    }
}

async fn prepare_state(
    cfn: &Cfn,
    stack: &str,
    no_wait: bool,
    progress: &Progress,
) -> Result<Option<StackState>, DeployError> {
    let state = settled_state(cfn, stack, no_wait, progress).await?;
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
        let finished = super::destroy::delete_and_follow(cfn, stack, &s.stack_id, progress).await?;
        if finished.status != "DELETE_COMPLETE" {
            return bad(
                "deleting the failed stack did not finish; delete it by hand and deploy again",
            );
        }
        return Ok(None);
    }
    if s.status == "UPDATE_ROLLBACK_FAILED" {
        let stuck = super::rollback::stuck_resources(cfn, stack)
            .await
            .unwrap_or_default();
        return bad(&format!(
            "a failed update could not roll back{}; CloudFormation takes no update until the rollback is finished: fix those resources (or check they may stay as they are) and run `{}`, then deploy again",
            if stuck.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    stuck
                        .iter()
                        .map(|(_, d)| d.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            },
            super::rollback::rollback_command(stack, &stuck)
        ));
    }
    if s.status.ends_with("_FAILED") && s.status != "UPDATE_FAILED" {
        return bad("fix or delete the stack in CloudFormation, then deploy again");
    }
    Ok(Some(s))
}

/// Deletes the change set a guard stopped (and the empty stack a first CREATE change
/// set made, which would otherwise sit in REVIEW_IN_PROGRESS), and says why.
async fn refuse(
    cfn: &Cfn,
    (stack, stack_id): (&str, &str),
    id: &str,
    inflight: &Shared,
    created: bool,
    message: String,
) -> Result<DeployOutcome, DeployError> {
    lock(inflight).change_sets.retain(|p| p.id != id);
    withdraw(cfn, (stack, stack_id), id, created).await;
    Err(DeployError::Refused {
        stack: stack.into(),
        message,
    })
}

/// Deletes a change set that will not run and, when its CREATE made the stack, the
/// empty stack (it would otherwise sit in REVIEW_IN_PROGRESS).
async fn withdraw(cfn: &Cfn, (stack, stack_id): (&str, &str), id: &str, made_the_stack: bool) {
    changeset::delete(cfn, stack, id).await;
    if made_the_stack {
        let token = format!("rcdk-withdraw-{}", id.rsplit('/').next().unwrap_or(id));
        // By id: the empty stack this change set made, never another of that name.
        if let Err(e) = cfn
            .client
            .delete_stack()
            .stack_name(stack_id)
            .client_request_token(token)
            .send()
            .await
        {
            eprintln!(
                "warning: {stack}: could not delete the empty stack: {}",
                describe(&e)
            );
        }
    }
}

/// What an interrupt leaves: pending change sets (and the empty stacks of first
/// deploys) deleted, each said; stacks whose execution may have been requested named
/// as possibly changing, with how to follow them.
async fn stop(inflight: &Shared, progress: &Progress, cause: &str) -> DeployError {
    let inflight = std::mem::take(&mut *lock(inflight));
    for p in &inflight.change_sets {
        withdraw(&p.cfn, (&p.stack, &p.stack_id), &p.id, p.made_the_stack).await;
        progress.line(&format!(
            "{}: deleted the change set {} (not executed){}",
            p.stack,
            p.id,
            if p.made_the_stack {
                " and the empty stack it made"
            } else {
                ""
            }
        ));
    }
    for stack in &inflight.executing {
        progress.line(&format!(
            "{stack}: its change set may be executing: CloudFormation goes on changing the stack without rcdk; {} and run rcdk deploy again once it settles",
            follow_hint(stack)
        ));
    }
    DeployError::Interrupted(format!("deployment stopped by {cause}"))
}

async fn deploy_one(
    (access, sessions): (StackAccess, super::Sessions),
    plan: StackPlan,
    opts: DeployOptions,
    progress: Progress,
    inflight: Shared,
) -> DeployOutcome {
    let cfn = access.cfn.clone();
    if let Some(set) = &plan.stack_set {
        if opts.no_execute {
            // A StackSet operation has no change set to leave for review.
            return DeployOutcome::Skipped {
                because: "it is a StackSet, whose operations have no change set to leave for review; `rcdk diff` shows its template's changes".into(),
            };
        }
        return deploy_set(&cfn, &plan, set, &opts, &progress).await;
    }
    // Values of other accounts' stacks this one reads: in its account's SSM before its
    // change set resolves them.
    match super::cross_region::fetch(&cfn, &sessions, &plan.stack_name, &plan.template).await {
        Ok(lines) => {
            for line in lines {
                progress.line(&format!("{}: {line}", plan.stack_name));
            }
        }
        Err(e) => return DeployOutcome::Failed(e),
    }
    let outcome = match deploy_inner(&access, &plan, &opts, &progress, &inflight).await {
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

/// A StackSet and its instances; every instance is reported, and one that did not
/// deploy fails the stack.
async fn deploy_set(
    cfn: &Cfn,
    plan: &StackPlan,
    set: &crate::tree::stack_set::StackSetProps,
    opts: &DeployOptions,
    progress: &Progress,
) -> DeployOutcome {
    let stack = plan.stack_name.as_str();
    if let Err(e) = guard_set(cfn, plan, opts, progress).await {
        return DeployOutcome::Failed(e);
    }
    let (changed, instances) = match super::deploy_stack_set(
        cfn,
        stack,
        &plan.template,
        set,
        &plan.tags,
        progress,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return DeployOutcome::Failed(e),
    };
    for i in &instances {
        progress.line(&format!(
            "{stack}: {} {} {} {}{}",
            if i.ok() { "✅" } else { "❌" },
            i.account,
            i.region,
            i.detailed_status,
            i.reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ));
    }
    let failed: Vec<String> = instances
        .iter()
        .filter(|i| !i.ok())
        .map(|i| {
            format!(
                "{} {}: {} {}",
                i.account,
                i.region,
                i.status,
                i.reason.as_deref().unwrap_or("")
            )
        })
        .collect();
    if !failed.is_empty() {
        return DeployOutcome::Failed(DeployError::StackFailed {
            stack: stack.to_owned(),
            status: format!(
                "{} of {} StackSet instances not deployed",
                failed.len(),
                instances.len()
            ),
            reasons: failed.join("\n"),
        });
    }
    if changed {
        progress.line(&format!(
            "{stack}: StackSet deployed to {} instance(s)",
            instances.len()
        ));
        DeployOutcome::Deployed {
            outputs: BTreeMap::new(),
        }
    } else {
        progress.line(&format!(
            "{stack}: no changes ({} StackSet instance(s))",
            instances.len()
        ));
        DeployOutcome::Unchanged {
            outputs: BTreeMap::new(),
        }
    }
}

/// Asks on the terminal, read in a blocking thread so that an interrupt is heard at once.
async fn ask(question: String) -> Answer {
    tokio::task::spawn_blocking(move || confirm(&question))
        .await
        .unwrap_or(Answer::NoTerminal)
}

/// The destructive changes `--allow-replace` (or `--allow-replace-all`) does not allow.
fn not_allowed(destructive: Vec<String>, opts: &DeployOptions) -> Vec<String> {
    if opts.allow_replace_all {
        return Vec::new();
    }
    destructive
        .into_iter()
        .filter(|line| {
            !opts
                .allow_replace
                .iter()
                .any(|id| line.starts_with(&format!("{id} ")))
        })
        .collect()
}

/// The guards of a change set, for a StackSet's template (which reaches every
/// instance): stateful resources replaced or deleted need `--allow-replace`, and the
/// approval policy asks about the change before anything is sent.
async fn guard_set(
    cfn: &Cfn,
    plan: &StackPlan,
    opts: &DeployOptions,
    progress: &Progress,
) -> Result<(), DeployError> {
    let stack = plan.stack_name.as_str();
    let (old, parameters) = super::deployed_stack_set(cfn, stack)
        .await?
        .unwrap_or((J::Null, BTreeMap::new()));
    let diff = diff_templates(&old, &plan.template);
    let wanted = plan.stack_set.as_ref().map(|s| &s.parameters);
    let parameters_change = wanted.is_some_and(|w| *w != parameters);
    if diff.is_empty() && !parameters_change {
        return Ok(());
    }
    let destructive = not_allowed(destructive_changes(&[], &diff), opts);
    if !destructive.is_empty() {
        return Err(DeployError::Refused {
            stack: stack.to_owned(),
            message: format!(
                "stopped: {}, in every instance of the StackSet; that loses data. If it is intended, pass --allow-replace LOGICAL_ID (or --allow-replace-all); nothing was sent",
                destructive.join("; ")
            ),
        });
    }
    if !opts.approval.asks(&diff) {
        return Ok(());
    }
    if !diff.is_empty() {
        progress.line(&render_text(stack, &diff));
    }
    if parameters_change {
        progress.line(&format!(
            "{stack}: StackSet parameters {:?} → {:?}",
            parameters,
            wanted.cloned().unwrap_or_default()
        ));
    }
    let question = format!("{stack}: deploy these changes to every instance of the StackSet?");
    match ask(question).await {
        Answer::Yes => Ok(()),
        Answer::No => Err(DeployError::Refused {
            stack: stack.to_owned(),
            message: "not approved; nothing was sent".into(),
        }),
        Answer::NoTerminal => Err(DeployError::Refused {
            stack: stack.to_owned(),
            message: format!("{NO_TERMINAL}; nothing was sent"),
        }),
    }
}

async fn deploy_inner(
    access: &StackAccess,
    plan: &StackPlan,
    opts: &DeployOptions,
    progress: &Progress,
    inflight: &Shared,
) -> Result<DeployOutcome, DeployError> {
    let cfn = &access.cfn;
    let stack = plan.stack_name.as_str();
    let state = prepare_state(cfn, stack, opts.no_wait, progress).await?;
    let mut template = plan.template.clone();
    if let Some(s) = &state {
        keep_used_exports(cfn, plan, s, &mut template, progress).await?;
    }
    super::publish_assets(&access.publish, stack, &plan.assets, progress).await?;
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
    let created = changeset::create(
        cfn,
        ChangeSetRequest {
            stack,
            name: &name,
            create,
            template: source,
            capabilities: capabilities_for(&template),
            parameters: parameters(&plan.parameters, &template, state.as_ref(), create),
            tags: plan
                .tags
                .iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect(),
            // `--role-arn` overrides the role the stack's bootstrap made.
            role_arn: opts
                .role_arn
                .as_deref()
                .or(access.execution_role.as_deref()),
        },
    )
    .await?;
    let (id, stack_id) = (created.id, created.stack_id);
    let target = (stack, stack_id.as_str());
    lock(inflight).change_sets.push(Pending {
        cfn: cfn.clone(),
        stack: stack.to_owned(),
        stack_id: stack_id.clone(),
        id: id.clone(),
        made_the_stack: create,
    });
    let forget = |inflight: &Shared| lock(inflight).change_sets.retain(|p| p.id != id);
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
    let destructive = not_allowed(destructive_changes(&rows, &diff), opts);
    if !destructive.is_empty() {
        return refuse(cfn, target, &id, inflight, create, format!(
            "stopped: {}; that loses data. If it is intended, pass --allow-replace LOGICAL_ID (or --allow-replace-all); the change set was deleted",
            destructive.join("; ")
        ))
        .await;
    }
    if opts.approval.asks(&diff) {
        progress.line(&render_text(stack, &diff));
        let answer = ask(format!("{stack}: deploy these changes?")).await;
        if answer != Answer::Yes {
            return refuse(
                cfn,
                target,
                &id,
                inflight,
                create,
                match answer {
                    Answer::No => {
                        "not approved; nothing was changed (the change set was deleted)".into()
                    }
                    _ => NO_TERMINAL.into(),
                },
            )
            .await;
        }
    }
    if opts.no_execute {
        forget(inflight);
        return Ok(DeployOutcome::ChangeSetLeft { id });
    }
    let seen = seen_events(cfn, &stack_id).await;
    // From the moment the request may leave, the stack may be changing: an interrupt
    // must not call this change set "not executed".
    {
        let mut f = lock(inflight);
        f.change_sets.retain(|p| p.id != id);
        f.executing.insert(stack.to_owned());
    }
    if let Err(e) = changeset::execute(cfn, stack, &id).await {
        // A change set that cannot run is deleted: nothing is left half-done.
        changeset::delete(cfn, stack, &id).await;
        lock(inflight).executing.remove(stack);
        return Err(e);
    }
    let total = template
        .get("Resources")
        .and_then(J::as_object)
        .map_or(0, |m| m.len() as u64);
    let finished = follow(
        cfn,
        stack,
        &stack_id,
        seen,
        &progress.stack_bar(stack, total),
        total,
    )
    .await?;
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

/// Cleans up after an interrupt; a second Ctrl-C stops the clean-up itself, saying
/// what may be left.
async fn stop_unless_again(inflight: &Shared, progress: &Progress, cause: &str) -> DeployError {
    progress.line(&format!(
        "{cause}: cleaning up (Ctrl-C again to stop at once)"
    ));
    let pending: Vec<String> = lock(inflight)
        .change_sets
        .iter()
        .map(|p| format!("{} {}", p.stack, p.id))
        .collect();
    tokio::select! {
        e = stop(inflight, progress, cause) => e,
        _ = tokio::signal::ctrl_c() => DeployError::Interrupted(format!(
            "stopped before cleaning up; these change sets may be left: {}",
            if pending.is_empty() { "none".to_owned() } else { pending.join(", ") }
        )),
    }
}

/// SIGHUP (the terminal went away), where the platform has it.
fn hangup_signal() -> Hangup {
    #[cfg(unix)]
    {
        Hangup(tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok())
    }
    #[cfg(not(unix))]
    {
        Hangup(())
    }
}

#[cfg(unix)]
struct Hangup(Option<tokio::signal::unix::Signal>);
#[cfg(not(unix))]
struct Hangup(());

impl Hangup {
    async fn recv(&mut self) {
        #[cfg(unix)]
        if let Some(s) = self.0.as_mut() {
            s.recv().await;
            return;
        }
        std::future::pending::<()>().await;
    }
}

/// A chain of stacks in `plans` that depend on each other in a circle (`a → b → a`),
/// if any: no order can deploy them.
pub fn dependency_cycle(plans: &[StackPlan]) -> Option<Vec<String>> {
    let deps: BTreeMap<&str, Vec<&str>> = plans
        .iter()
        .map(|p| {
            (
                p.stack_name.as_str(),
                p.dependencies.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    // Depth-first, with the path on the stack: a node met again on the path closes a cycle.
    fn visit<'a>(
        node: &'a str,
        deps: &BTreeMap<&'a str, Vec<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = path[at..].iter().map(|n| (*n).to_owned()).collect();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for d in deps.get(node).into_iter().flatten() {
            if deps.contains_key(d)
                && let Some(c) = visit(d, deps, path, done)
            {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for p in plans {
        let mut path = Vec::new();
        if let Some(c) = visit(&p.stack_name, &deps, &mut path, &mut done) {
            return Some(c);
        }
    }
    None
}

/// Deploys `plans` (in dependency order) and reports each stack's outcome.
pub async fn deploy_stacks(
    plans: Vec<StackPlan>,
    opts: &DeployOptions,
    progress: &Progress,
) -> Result<Vec<(String, DeployOutcome)>, DeployError> {
    // Every stack's account is reached (roles assumed, bootstrap checked) before
    // anything is created in any of them.
    let sessions = super::Sessions::default();
    let mut accesses: BTreeMap<String, StackAccess> = BTreeMap::new();
    for p in &plans {
        let access = sessions
            .for_stack(
                &p.stack_name,
                p.account.as_deref(),
                p.region.as_deref(),
                &p.roles,
                progress,
            )
            .await?;
        accesses.insert(p.stack_name.clone(), access);
    }
    let inflight: Shared = Arc::default();
    let mut outcomes: BTreeMap<String, DeployOutcome> = BTreeMap::new();
    let mut started: BTreeSet<String> = BTreeSet::new();
    let mut running: JoinSet<(String, DeployOutcome)> = JoinSet::new();
    let names: BTreeSet<String> = plans.iter().map(|p| p.stack_name.clone()).collect();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut hangup = hangup_signal();
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
                let Some(access) = accesses.get(&p.stack_name).cloned() else {
                    continue;
                };
                let (plan, opts, progress, inflight, sessions) = (
                    p.clone(),
                    opts.clone(),
                    progress.clone(),
                    inflight.clone(),
                    sessions.clone(),
                );
                running.spawn(async move {
                    let name = plan.stack_name.clone();
                    (
                        name,
                        deploy_one((access, sessions), plan, opts, progress, inflight).await,
                    )
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
                return Err(stop_unless_again(&inflight, progress, "Ctrl-C").await);
            }
            _ = hangup.recv() => {
                running.abort_all();
                return Err(stop_unless_again(&inflight, progress, "a hang-up of the terminal").await);
            }
        }
    }
    // Every selected stack ends with an outcome: one never started is reported, never
    // silently left out of a run that then looks successful.
    Ok(plans
        .iter()
        .map(|p| {
            let outcome =
                outcomes
                    .remove(&p.stack_name)
                    .unwrap_or_else(|| DeployOutcome::Skipped {
                        because: format!(
                            "never started: it waits on {} that never finished",
                            p.dependencies.join(", ")
                        ),
                    });
            (p.stack_name.clone(), outcome)
        })
        .collect())
}

/// The change set's parameters: those given, and, for a stack that exists, every other
/// parameter of the template it already has keeps its value (as the AWS CDK CLI does:
/// without this, an update resets a migrated stack's parameters to their defaults).
pub(super) fn parameters(
    given: &BTreeMap<String, String>,
    template: &J,
    state: Option<&StackState>,
    create: bool,
) -> Vec<Parameter> {
    let mut out: Vec<Parameter> = given
        .iter()
        .map(|(k, v)| {
            Parameter::builder()
                .parameter_key(k)
                .parameter_value(v)
                .build()
        })
        .collect();
    if let (Some(state), false) = (state, create) {
        let declared = template.get("Parameters").and_then(J::as_object);
        for key in declared.into_iter().flat_map(|d| d.keys()) {
            if !given.contains_key(key) && state.parameters.contains_key(key) {
                out.push(
                    Parameter::builder()
                        .parameter_key(key)
                        .use_previous_value(true)
                        .build(),
                );
            }
        }
    }
    out
}
