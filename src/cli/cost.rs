//! `rcdk cost`: the monthly estimate of each selected stack, by environment and in total.

use std::io::Write;

use super::args::{CostArgs, GlobalArgs, ReportFormat};
use super::diff::region_of;
use super::{AssemblyStack, CliError, select_stacks, synth};
use crate::cost::{StackCost, estimate, render_json, render_markdown, render_text};

/// The estimate of one synthesized stack.
pub fn stack_cost(s: &AssemblyStack, template: &serde_json::Value) -> Result<StackCost, String> {
    if let Some(set) = &s.stack_set {
        use crate::tree::stack_set::PermissionModel;
        return crate::cost::estimate_stack_set(
            &s.stack_name,
            s.tags.get("Environment").map(String::as_str),
            template,
            &set.regions,
            (set.permission_model == PermissionModel::SelfManaged).then_some(set.accounts.len()),
        );
    }
    estimate(
        &s.stack_name,
        region_of(s).as_deref(),
        s.tags.get("Environment").map(String::as_str),
        template,
    )
}

pub fn run(global: &GlobalArgs, args: &CostArgs) -> Result<(), CliError> {
    let stacks = if args.templates.is_empty() {
        synth::synthesize(global)?.1
    } else {
        let mut stacks = super::templates::stacks(&args.templates)?;
        if let Some(region) = &args.region {
            for s in &mut stacks {
                s.environment = format!("aws://unknown-account/{region}");
            }
        }
        stacks
    };
    let selected = select_stacks(&stacks, &args.stacks, false)?;
    let costs = selected
        .iter()
        .map(|s| stack_cost(s, &s.template))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError::Failed)?;
    print_report(
        args.format,
        || render_text(&costs),
        || render_json(&costs),
        || render_markdown(&costs),
    )
}

/// Prints a report in the format asked for (JSON pretty-printed).
pub fn print_report(
    format: ReportFormat,
    text: impl FnOnce() -> String,
    json: impl FnOnce() -> serde_json::Value,
    markdown: impl FnOnce() -> String,
) -> Result<(), CliError> {
    let out = match format {
        ReportFormat::Text => text(),
        ReportFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&json()).unwrap_or_default()
        ),
        ReportFormat::Markdown => markdown(),
    };
    std::io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .map_err(CliError::Output)
}
