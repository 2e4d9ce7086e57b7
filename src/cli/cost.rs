//! `rcdk cost`: the monthly estimate of each selected stack, by environment, by account
//! and in total.

use std::io::Write;

use super::args::{CostArgs, GlobalArgs, ReportFormat};
use super::diff::region_of;
use super::{AssemblyStack, CliError, select_stacks, synth};
use crate::cost::{StackCost, render_json, render_markdown, render_text};

/// The estimate of one synthesized stack.
pub fn stack_cost(
    s: &AssemblyStack,
    template: &serde_json::Value,
    table: &crate::cost::PriceTable,
) -> Result<StackCost, String> {
    if let Some(set) = &s.stack_set {
        use crate::tree::stack_set::PermissionModel;
        return crate::cost::estimate_stack_set(
            table,
            &s.stack_name,
            s.tags.get("Environment").map(String::as_str),
            template,
            &set.regions,
            (set.permission_model == PermissionModel::SelfManaged).then_some(set.accounts.len()),
        );
    }
    let mut cost = crate::cost::estimate_with(
        table,
        &s.stack_name,
        region_of(s).as_deref(),
        s.tags.get("Environment").map(String::as_str),
        template,
    )?;
    cost.account = super::diff::account_of(s);
    Ok(cost)
}

pub fn run(global: &GlobalArgs, args: &CostArgs) -> Result<(), CliError> {
    let dir = std::env::current_dir().map_err(|e| CliError::Usage(e.to_string()))?;
    if args.refresh_prices {
        let report = super::prices::refresh(&dir, &args.region, args.offers.as_deref())?;
        write!(anstream::stdout(), "{report}").map_err(CliError::Output)?;
        return Ok(());
    }
    if args.region.len() > 1 || (!args.region.is_empty() && args.templates.is_empty()) {
        return Err(CliError::Usage(
            "--region names the one region of --template stacks (or, repeated, the regions --refresh-prices reads)".into(),
        ));
    }
    let stacks = if args.templates.is_empty() {
        synth::synthesize(global)?.1
    } else {
        let mut stacks = super::templates::stacks(&args.templates)?;
        if let Some(region) = args.region.first() {
            for s in &mut stacks {
                s.environment = format!("aws://unknown-account/{region}");
            }
        }
        stacks
    };
    let (table, refreshed) = super::prices::table_for(&dir)?;
    let selected = select_stacks(&stacks, &args.stacks, false)?;
    let costs = selected
        .iter()
        .map(|s| stack_cost(s, &s.template, &table))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError::Failed)?;
    let commitments = if args.commitments {
        if refreshed.is_none() {
            return Err(CliError::Usage(
                "--commitments compares reserved-instance prices from the AWS Price List: run `rcdk cost --refresh-prices` first (it writes cdk.prices.json)".into(),
            ));
        }
        Some(crate::cost::commitments(&costs, &table))
    } else {
        None
    };
    let source = refreshed.map(|p| p.display().to_string());
    print_report(
        args.format,
        || {
            let mut text = render_text(&costs);
            if let Some(c) = &commitments {
                text.push_str(&crate::cost::render_commitments_text(c));
            }
            if let Some(s) = &source {
                text.push_str(&format!("prices: {s} over rcdk's table\n"));
            }
            text
        },
        || {
            let mut json = render_json(&costs);
            if let Some(c) = &commitments {
                json["commitments"] = serde_json::to_value(c).unwrap_or_default();
            }
            json
        },
        || {
            let mut md = render_markdown(&costs);
            if let Some(c) = &commitments {
                md.push_str(&crate::cost::render_commitments_markdown(c));
            }
            md
        },
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
