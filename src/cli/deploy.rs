//! `rcdk deploy`: synthesizes, then deploys the selected stacks (and their
//! dependencies) through change sets.

use std::collections::BTreeMap;
use std::io::Write;

use super::args::{DeployArgs, GlobalArgs};
use super::diff::{account_of, region_of};
use super::{AssemblyStack, CliError, outputs_file, select_stacks, synth};
use crate::deploy::{DeployOptions, DeployOutcome, StackPlan, dependency_cycle, deploy_stacks};

fn parameters(args: &[String]) -> Result<BTreeMap<String, BTreeMap<String, String>>, CliError> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for a in args {
        let parsed = a
            .split_once(':')
            .and_then(|(stack, kv)| kv.split_once('=').map(|(k, v)| (stack, k, v)));
        let Some((stack, key, value)) = parsed.filter(|(s, k, _)| !s.is_empty() && !k.is_empty())
        else {
            return Err(CliError::Usage(format!(
                "--parameters '{a}' is not STACK:KEY=VALUE"
            )));
        };
        out.entry(stack.to_owned())
            .or_default()
            .insert(key.to_owned(), value.to_owned());
    }
    Ok(out)
}

/// `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`, as CloudFormation's RoleARN takes.
fn is_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts.as_slice() else {
        return false;
    };
    *prefix == "arn"
        && partition.starts_with("aws")
        && *service == "iam"
        && region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && resource
            .strip_prefix("role/")
            .and_then(|r| r.rsplit('/').next())
            .is_some_and(|name| {
                !name.is_empty()
                    && name.len() <= 64
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
            })
}

/// The flags that need no stack: refused before the app is even run.
fn check_flags(args: &DeployArgs) -> Result<(), CliError> {
    if args.stacks.is_empty() && !args.all {
        return Err(CliError::Usage(
            "name the stacks to deploy (patterns like 'dev-*' work) or pass --all".into(),
        ));
    }
    if args.concurrency == 0 {
        return Err(CliError::Usage(
            "--concurrency 0 would deploy nothing; give at least 1".into(),
        ));
    }
    if let Some(arn) = args.role_arn.as_deref().filter(|a| !is_role_arn(a)) {
        return Err(CliError::Usage(format!(
            "--role-arn '{arn}' is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME); give the CloudFormation execution role's ARN"
        )));
    }
    Ok(())
}

/// Each `--parameters STACK:KEY` names a parameter the stack's template declares.
fn check_parameters(
    selected: &[&AssemblyStack],
    params: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<(), CliError> {
    for (stack, values) in params {
        let Some(s) = selected.iter().find(|s| &s.stack_name == stack) else {
            return Err(CliError::Usage(format!(
                "--parameters names stack '{stack}', which is not being deployed"
            )));
        };
        let declared: Vec<&str> = s
            .template
            .get("Parameters")
            .and_then(serde_json::Value::as_object)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        if let Some(key) = values.keys().find(|k| !declared.contains(&k.as_str())) {
            return Err(CliError::Usage(format!(
                "--parameters {stack}:{key}: the stack has no parameter '{key}'; its parameters: {}",
                list_or_none(&declared)
            )));
        }
    }
    Ok(())
}

/// `a, b, c`, or `none`.
fn list_or_none(items: &[impl AsRef<str>]) -> String {
    if items.is_empty() {
        return "none".to_owned();
    }
    items
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The logical ids of `template`'s resources.
fn resource_ids(template: &serde_json::Value) -> impl Iterator<Item = &String> {
    template
        .get("Resources")
        .and_then(serde_json::Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys())
}

/// What is deployed of each selected stack, read once for the checks before deploying
/// (`--allow-replace`, renames). Reads only.
fn deployed_templates(
    runtime: &tokio::runtime::Runtime,
    selected: &[&AssemblyStack],
) -> Vec<Result<Option<serde_json::Value>, crate::deploy::DeployError>> {
    let sessions = crate::deploy::Sessions::quiet();
    selected
        .iter()
        .map(|s| {
            runtime.block_on(async {
                let cfn = super::diff::reach(&sessions, s).await?;
                crate::deploy::deployed_template(&cfn, &s.stack_name).await
            })
        })
        .collect()
}

/// Each `--allow-replace` id names a resource of a selected stack: in its new template,
/// or (a resource the new template removes) in the deployed one. A stack that could
/// not be read fails the check only when the check needs it. Returns the deployed
/// templates (`Null`: none, or not readable) for the next checks.
fn check_allow_replace(
    selected: &[&AssemblyStack],
    deployed: Vec<Result<Option<serde_json::Value>, crate::deploy::DeployError>>,
    allowed: &[String],
) -> Result<Vec<serde_json::Value>, CliError> {
    let known = |id: &String, t: &serde_json::Value| resource_ids(t).any(|r| r == id);
    let mut unknown: Vec<&String> = allowed
        .iter()
        .filter(|id| !selected.iter().any(|s| known(id, &s.template)))
        .collect();
    if unknown.is_empty() {
        return Ok(deployed
            .into_iter()
            .map(|d| d.ok().flatten().unwrap_or(serde_json::Value::Null))
            .collect());
    }
    let mut templates = Vec::with_capacity(deployed.len());
    for d in deployed {
        let t = d?.unwrap_or(serde_json::Value::Null);
        unknown.retain(|id| !known(id, &t));
        templates.push(t);
    }
    if let Some(id) = unknown.first() {
        let stateful: Vec<String> = selected
            .iter()
            .flat_map(|s| {
                s.template
                    .get("Resources")
                    .and_then(serde_json::Value::as_object)
                    .into_iter()
                    .flatten()
                    .filter(|(_, r)| {
                        r.get("Type")
                            .and_then(serde_json::Value::as_str)
                            .is_some_and(|t| crate::deploy::STATEFUL_TYPES.contains(&t))
                    })
                    .map(|(id, _)| format!("{}/{id}", s.stack_name))
            })
            .collect();
        return Err(CliError::Usage(format!(
            "--allow-replace {id}: no stack being deployed has a resource with that logical id, new or deployed; the stateful resources the guard protects are: {}",
            list_or_none(&stateful)
        )));
    }
    Ok(templates)
}

/// Says which resources look renamed or moved (compared with what is deployed), before
/// anything is sent: CloudFormation would replace them. Best effort: a stack that
/// could not be read (`Null`) is left out here and reported by the deployment itself.
fn warn_renames(selected: &[&AssemblyStack], deployed: &[serde_json::Value], allowed: &[String]) {
    let pairs: Vec<(&AssemblyStack, &serde_json::Value)> =
        selected.iter().copied().zip(deployed.iter()).collect();
    let (renames, ambiguous) = super::diff::renames_of(&pairs);
    let renames: Vec<_> = renames
        .into_iter()
        .filter(|r| !allowed.contains(&r.from.logical_id))
        .collect();
    for line in super::diff::rename_lines(&renames, &ambiguous) {
        crate::error::render_warning(&line);
    }
}

pub fn run(global: &GlobalArgs, args: &DeployArgs) -> Result<(), CliError> {
    check_flags(args)?;
    let mut params = parameters(&args.parameters)?;
    if let Some(path) = &args.outputs_file {
        outputs_file::check(path)?;
    }
    let (_, stacks) = synth::synthesize(global)?;
    let selected = select_stacks(&stacks, &args.stacks, !args.exclusively)?;
    check_parameters(&selected, &params)?;
    if let Some(s) = selected.iter().find(|s| !s.unpublishable_assets.is_empty()) {
        return Err(CliError::Usage(format!(
            "{}: {}",
            s.stack_name,
            s.unpublishable_assets.join("; ")
        )));
    }
    let id_to_name: BTreeMap<&str, &str> = stacks
        .iter()
        .map(|s| (s.artifact_id.as_str(), s.stack_name.as_str()))
        .collect();
    let plans: Vec<StackPlan> = selected
        .iter()
        .map(|s| StackPlan {
            stack_name: s.stack_name.clone(),
            region: region_of(s),
            account: account_of(s),
            template: s.template.clone(),
            dependencies: s
                .dependencies
                .iter()
                .filter_map(|d| id_to_name.get(d.as_str()).map(|n| (*n).to_owned()))
                .collect(),
            tags: s.tags.clone(),
            termination_protection: s.termination_protection,
            parameters: params.remove(&s.stack_name).unwrap_or_default(),
            assets: s.assets.clone(),
            roles: s.roles.clone(),
            stack_set: s.stack_set.clone(),
        })
        .collect();
    if let Some(cycle) = dependency_cycle(&plans) {
        return Err(CliError::Usage(format!(
            "the stacks depend on each other in a cycle ({}), so no order can deploy them; remove one of those dependencies in the app (or the assembly's manifest)",
            cycle.join(" → ")
        )));
    }
    let opts = DeployOptions {
        concurrency: args.concurrency,
        approval: args.require_approval,
        allow_replace: args.allow_replace.clone(),
        allow_replace_all: args.allow_replace_all,
        no_execute: args.no_execute,
        role_arn: args.role_arn.clone(),
        no_wait: args.no_wait,
    };
    let runtime = super::runtime()?;
    let deployed = deployed_templates(&runtime, &selected);
    let deployed = check_allow_replace(&selected, deployed, &args.allow_replace)?;
    warn_renames(&selected, &deployed, &args.allow_replace);
    let progress = crate::deploy::Progress::new();
    let outcomes = runtime.block_on(deploy_stacks(plans, &opts, &progress));
    // A prompt interrupted by Ctrl-C may still wait on the terminal in a blocking
    // thread: leave it behind instead of waiting for a line that never comes.
    runtime.shutdown_background();
    let outcomes = outcomes?;
    let mut out = anstream::stdout();
    let mut failed = Vec::new();
    let mut all_outputs = serde_json::Map::new();
    for (stack, outcome) in &outcomes {
        let line = match outcome {
            DeployOutcome::Deployed { outputs } => {
                all_outputs.insert(
                    stack.clone(),
                    serde_json::to_value(outputs).unwrap_or_default(),
                );
                format!("✅ {stack}: deployed")
            }
            DeployOutcome::Unchanged { outputs } => {
                all_outputs.insert(
                    stack.clone(),
                    serde_json::to_value(outputs).unwrap_or_default(),
                );
                format!("✅ {stack}: unchanged")
            }
            DeployOutcome::ChangeSetLeft { id } => {
                format!("⏸  {stack}: change set left for review: {id}")
            }
            DeployOutcome::Skipped { because } => {
                failed.push(stack.clone());
                format!("⏭  {stack}: skipped ({because})")
            }
            DeployOutcome::Failed(e) => {
                failed.push(stack.clone());
                format!("❌ {e}")
            }
        };
        writeln!(out, "{line}").map_err(CliError::Output)?;
    }
    if let Some(path) = &args.outputs_file {
        outputs_file::write(path, all_outputs)?;
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "{} of {} stacks did not deploy: {}",
            failed.len(),
            outcomes.len(),
            failed.join(", ")
        )))
    }
}
