//! `rcdk diff`: synthesized templates against the deployed stacks (GetTemplate), a
//! template file, or a folder of golden templates; as text, JSON or a pull-request
//! comment in markdown. Exit codes: 0 no difference, 1 differences with `--fail`,
//! 2 error.

use std::io::Write;

use serde_json::Value as J;

use super::args::{DiffArgs, GlobalArgs, ReportFormat};
use super::{AssemblyStack, CliError, select_stacks, synth};
use crate::deploy::deployed_template;
use crate::diff::{
    GITHUB_COMMENT_LIMIT, StackSection, diff_templates, render_markdown, render_text, to_json,
};

/// The account of `aws://ACCOUNT/REGION`, unless environment-agnostic.
pub fn account_of(stack: &AssemblyStack) -> Option<String> {
    let rest = stack.environment.strip_prefix("aws://")?;
    let account = rest.split('/').next()?;
    (!account.is_empty() && account != "unknown-account").then(|| account.to_owned())
}

/// The region of `aws://ACCOUNT/REGION`, unless environment-agnostic.
pub fn region_of(stack: &AssemblyStack) -> Option<String> {
    let region = stack.environment.rsplit('/').next()?;
    (!region.is_empty() && region != "unknown-region").then(|| region.to_owned())
}

/// CloudFormation for a deployed stack: through its account's deploy role when its
/// manifest names one (another account), else with the caller's credentials.
pub async fn reach(
    sessions: &crate::deploy::Sessions,
    stack: &AssemblyStack,
) -> Result<crate::deploy::Cfn, crate::deploy::DeployError> {
    let access = sessions
        .for_stack(
            &stack.stack_name,
            account_of(stack).as_deref(),
            region_of(stack).as_deref(),
            &stack.roles,
            &crate::deploy::Progress::new(),
        )
        .await?;
    Ok(access.cfn)
}

/// Read-only access to a stack's environment: through its lookup role when the manifest
/// names one and it can be assumed (a drift job needs nothing more), else as [`reach`].
pub async fn reach_to_read(
    sessions: &crate::deploy::Sessions,
    stack: &AssemblyStack,
) -> Result<crate::deploy::Cfn, crate::deploy::DeployError> {
    if let (Some(role), Some(account), Some(region)) =
        (&stack.roles.lookup, account_of(stack), region_of(stack))
        && let Ok(cfn) = sessions
            .for_lookup(&stack.stack_name, &account, &region, Some(role))
            .await
    {
        return Ok(cfn);
    }
    reach(sessions, stack).await
}

/// `monthly cost: $a → $b (+$c)` and the items that changed, or why there is no estimate.
fn cost_change(
    s: &AssemblyStack,
    old: &J,
    table: &Result<crate::cost::PriceTable, String>,
) -> (String, Option<J>) {
    let table = match table {
        Ok(table) => table,
        Err(e) => return (format!("monthly cost: not estimated ({e})\n"), None),
    };
    let before = if old.is_null() {
        Ok(None)
    } else {
        super::cost::stack_cost(s, old, table).map(Some)
    };
    let after = super::cost::stack_cost(s, &s.template, table);
    let (before, after) = match (before, after) {
        (Ok(b), Ok(a)) => (b, a),
        (Err(e), _) | (_, Err(e)) => {
            return (format!("monthly cost: not estimated ({e})\n"), None);
        }
    };
    let was = before.as_ref().map_or(0.0, |b| b.monthly_usd);
    let now = after.monthly_usd;
    let changed = match &before {
        Some(b) => crate::cost::delta(b, &after),
        None => after
            .items
            .iter()
            .map(|i| {
                (
                    format!("{} {}", i.logical_id, i.description),
                    0.0,
                    i.monthly_usd,
                )
            })
            .collect(),
    };
    let mut text = format!(
        "monthly cost: {}\n",
        crate::cost::change_usd(was, now, now - was)
    );
    for (what, b, a) in &changed {
        text.push_str(&format!(
            "    {what}: {} → {}\n",
            crate::cost::usd(*b),
            crate::cost::usd(*a)
        ));
    }
    let json = serde_json::json!({
        "before_usd": crate::cost::round_cents(was),
        "after_usd": crate::cost::round_cents(now),
        "delta_usd": crate::cost::round_cents(now - was),
        "changed": changed.iter().map(|(w, b, a)| serde_json::json!({"item": w, "before_usd": b, "after_usd": a})).collect::<Vec<_>>(),
    });
    (text, Some(json))
}

/// The golden file of `stack` in `dir`, if any: `STACK.snap` (or a template file), or
/// insta's default name for a snapshot test's module, `MODULE__STACK.snap`.
fn snapshot_of(dir: &std::path::Path, stack: &str) -> Option<std::path::PathBuf> {
    let exact = ["snap", "template.json", "json", "yaml", "yml"]
        .iter()
        .map(|ext| dir.join(format!("{stack}.{ext}")))
        .find(|p| p.is_file());
    exact.or_else(|| {
        let suffix = format!("__{stack}.snap");
        let mut found: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with(&suffix))
            })
            .collect();
        found.sort();
        found.into_iter().next()
    })
}

/// What a stack is compared with: a file, a folder of golden files, or the deployed stack.
fn old_template(
    args: &DiffArgs,
    runtime: &tokio::runtime::Runtime,
    s: &AssemblyStack,
) -> Result<J, CliError> {
    if let Some(path) = &args.template {
        return super::templates::read_template(path);
    }
    if let Some(dir) = &args.snapshots {
        return match snapshot_of(dir, &s.stack_name) {
            Some(path) => super::templates::read_template(&path),
            // Not in the golden files yet: a new stack.
            None => Ok(J::Null),
        };
    }
    Ok(runtime
        .block_on(async {
            let cfn = reach(&crate::deploy::Sessions::default(), s).await?;
            if s.stack_set.is_some() {
                return crate::deploy::stack_set_template(&cfn, &s.stack_name).await;
            }
            deployed_template(&cfn, &s.stack_name).await
        })?
        .unwrap_or(J::Null))
}

/// Returns whether any selected stack differs.
pub fn run(global: &GlobalArgs, args: &DiffArgs) -> Result<bool, CliError> {
    let format = args.format.or_json(args.json);
    if let Some(dir) = &args.snapshots
        && !dir.is_dir()
    {
        return Err(CliError::Usage(format!(
            "--snapshots {}: not a folder of golden templates (STACK.snap or STACK.template.json files)",
            dir.display()
        )));
    }
    let stacks = match &args.template_new {
        Some(new) => super::templates::stacks(std::slice::from_ref(new))?,
        None => synth::synthesize(global)?.1,
    };
    let selected = select_stacks(&stacks, &args.stacks, false)?;
    if args.template.is_some() && selected.len() != 1 {
        return Err(CliError::Usage(format!(
            "--template compares one stack, and {} are selected; name the stack: rcdk diff --template OLD.json STACK",
            selected.len()
        )));
    }
    if let Some(dir) = &args.snapshots
        && !selected
            .iter()
            .any(|s| snapshot_of(dir, &s.stack_name).is_some())
    {
        let names: Vec<&str> = selected.iter().map(|s| s.stack_name.as_str()).collect();
        crate::error::render_warning(&format!(
            "--snapshots {}: no golden template of any selected stack is there (looked for STACK.snap, STACK.template.json, STACK.json, STACK.yaml for {}); every stack shows as new. Is it the right folder?",
            dir.display(),
            names.join(", ")
        ));
    }
    let runtime = super::runtime()?;
    let mut json = Vec::new();
    let mut results = Vec::new();
    let (mut total_before, mut total_after) = (0.0, 0.0);
    // The project's prices (a refreshed cdk.prices.json over rcdk's), read once.
    let table = super::prices::table_for(std::path::Path::new("."))
        .map(|(table, _)| table)
        .map_err(|e| e.to_string());
    for s in selected {
        let old = old_template(args, &runtime, s)?;
        let diff = diff_templates(&old, &s.template);
        let (cost_text, cost_json) = cost_change(s, &old, &table);
        if let Some(c) = &cost_json {
            total_before += c["before_usd"].as_f64().unwrap_or_default();
            total_after += c["after_usd"].as_f64().unwrap_or_default();
        }
        results.push((s, diff, cost_text, cost_json, old));
    }
    let (renames, ambiguous) = renames_of(
        &results
            .iter()
            .map(|(s, _, _, _, old)| (*s, old))
            .collect::<Vec<_>>(),
    );
    let rename_lines = rename_lines(&renames, &ambiguous);
    let any = results.iter().any(|(_, d, _, _, _)| !d.is_empty());
    let cost_moved = (total_after - total_before).abs() >= 0.005;
    let total = crate::cost::change_usd(total_before, total_after, total_after - total_before);
    let mut out = anstream::stdout();
    match format {
        ReportFormat::Json => {
            for (s, diff, _, cost_json, _) in results {
                let mut entry = to_json(&s.stack_name, &diff);
                if let (Some(o), Some(c)) = (entry.as_object_mut(), cost_json) {
                    o.insert("cost".into(), c);
                }
                let mine: Vec<&crate::diff::Rename> = renames
                    .iter()
                    .filter(|r| r.from.stack == s.stack_name || r.to.stack == s.stack_name)
                    .collect();
                if let (Some(o), false) = (entry.as_object_mut(), mine.is_empty()) {
                    o.insert(
                        "likely_renames".into(),
                        serde_json::to_value(mine).unwrap_or(J::Null),
                    );
                }
                json.push(entry);
            }
            let text = serde_json::to_string_pretty(&J::Array(json)).unwrap_or_default();
            writeln!(out, "{text}").map_err(CliError::Output)?;
        }
        ReportFormat::Text => {
            for (s, diff, cost_text, _, _) in &results {
                write!(out, "{}", render_text(&s.stack_name, diff)).map_err(CliError::Output)?;
                if !diff.is_empty() {
                    write!(out, "{cost_text}").map_err(CliError::Output)?;
                }
            }
            for line in &rename_lines {
                writeln!(out, "⚠️  {line}").map_err(CliError::Output)?;
            }
            if cost_moved {
                writeln!(out, "monthly cost, all stacks: {total}").map_err(CliError::Output)?;
            }
        }
        ReportFormat::Markdown => {
            let sections: Vec<StackSection<'_>> = results
                .iter()
                .map(|(s, diff, _, cost_json, _)| StackSection {
                    stack: &s.stack_name,
                    diff,
                    cost: cost_json.as_ref().map(|c| {
                        let f = |k: &str| c[k].as_f64().unwrap_or_default();
                        crate::cost::change_usd(f("before_usd"), f("after_usd"), f("delta_usd"))
                    }),
                    cost_items: cost_json
                        .as_ref()
                        .and_then(|c| c["changed"].as_array())
                        .into_iter()
                        .flatten()
                        .map(|i| {
                            format!(
                                "{}: {} → {}",
                                i["item"].as_str().unwrap_or_default(),
                                crate::cost::usd(i["before_usd"].as_f64().unwrap_or_default()),
                                crate::cost::usd(i["after_usd"].as_f64().unwrap_or_default())
                            )
                        })
                        .collect(),
                })
                .collect();
            let text = render_markdown(
                &sections,
                cost_moved.then_some(total.as_str()),
                GITHUB_COMMENT_LIMIT,
            );
            write!(out, "{text}").map_err(CliError::Output)?;
            if !rename_lines.is_empty() {
                writeln!(out, "\n**Likely renames and moves**\n").map_err(CliError::Output)?;
                for line in &rename_lines {
                    writeln!(out, "- ⚠️ {line}").map_err(CliError::Output)?;
                }
            }
        }
    }
    Ok(any)
}

/// Likely renames and moves among `stacks` (each with its deployed template), stacks
/// of one environment compared together.
pub fn renames_of(
    stacks: &[(&AssemblyStack, &J)],
) -> (Vec<crate::diff::Rename>, Vec<crate::diff::Ambiguous>) {
    let mut by_env: std::collections::BTreeMap<&str, Vec<crate::diff::StackTemplates<'_>>> =
        std::collections::BTreeMap::new();
    for (s, old) in stacks {
        by_env
            .entry(s.environment.as_str())
            .or_default()
            .push(crate::diff::StackTemplates {
                stack: &s.stack_name,
                old,
                new: &s.template,
            });
    }
    let (mut renames, mut ambiguous) = (Vec::new(), Vec::new());
    for group in by_env.values() {
        let (r, a) = crate::diff::likely_renames(group);
        renames.extend(r);
        ambiguous.extend(a);
    }
    (renames, ambiguous)
}

/// A line per likely rename (and per ambiguous match), for a person.
pub fn rename_lines(
    renames: &[crate::diff::Rename],
    ambiguous: &[crate::diff::Ambiguous],
) -> Vec<String> {
    let mut lines: Vec<String> = renames
        .iter()
        .map(|r| {
            let stateful = crate::deploy::STATEFUL_TYPES.contains(&r.resource_type.as_str());
            crate::diff::describe_rename(r, stateful)
        })
        .collect();
    for a in ambiguous {
        lines.push(format!(
            "`{}` is like each of {}: a rename or move is likely but not guessed; pin the logical id in code (override_logical_id) to keep the resource",
            a.resource,
            a.candidates
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    lines
}
