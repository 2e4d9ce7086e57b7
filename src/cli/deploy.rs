//! `rcdk deploy`: synthesizes, then deploys the selected stacks (and their
//! dependencies) through change sets.

use std::collections::BTreeMap;
use std::io::Write;

use super::args::{DeployArgs, GlobalArgs};
use super::diff::region_of;
use super::{CliError, outputs_file, select_stacks, synth};
use crate::deploy::{DeployOptions, DeployOutcome, StackPlan, deploy_stacks};

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

pub fn run(global: &GlobalArgs, args: &DeployArgs) -> Result<(), CliError> {
    if args.stacks.is_empty() && !args.all {
        return Err(CliError::Usage(
            "name the stacks to deploy (patterns like 'dev-*' work) or pass --all".into(),
        ));
    }
    let mut params = parameters(&args.parameters)?;
    if let Some(path) = &args.outputs_file {
        outputs_file::check(path)?;
    }
    let (_, stacks) = synth::synthesize(global)?;
    let selected = select_stacks(&stacks, &args.stacks, !args.exclusively)?;
    let names: Vec<String> = selected.iter().map(|s| s.stack_name.clone()).collect();
    if let Some(unknown) = params.keys().find(|k| !names.contains(k)) {
        return Err(CliError::Usage(format!(
            "--parameters names stack '{unknown}', which is not being deployed"
        )));
    }
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
        })
        .collect();
    let opts = DeployOptions {
        concurrency: args.concurrency,
        approval: args.require_approval,
        allow_replace: args.allow_replace.clone(),
        allow_replace_all: args.allow_replace_all,
        no_execute: args.no_execute,
        role_arn: args.role_arn.clone(),
    };
    let progress = crate::deploy::Progress::new();
    let outcomes = super::runtime()?.block_on(deploy_stacks(plans, &opts, &progress))?;
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
        Err(CliError::Usage(format!(
            "{} of {} stacks did not deploy: {}",
            failed.len(),
            outcomes.len(),
            failed.join(", ")
        )))
    }
}
