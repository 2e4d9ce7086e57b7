//! `rcdk drift [STACKS…]`: what changed outside CloudFormation in each deployed stack —
//! properties that differ from the template (expected → actual, by property path, as
//! `rcdk diff` shows a change), resources deleted by hand, and the types CloudFormation
//! cannot check. `--fail` exits 1 when anything drifted, for a nightly job.

use std::fmt::Write as _;

use serde_json::{Value as J, json};

use super::args::{DriftArgs, GlobalArgs};
use super::{CliError, select_stacks, synth};
use crate::deploy::{ResourceDriftKind, StackDrift, detect_drift};

/// A stack's drift, or why there is none to show.
enum Outcome {
    Checked(StackDrift),
    NotDeployed(String),
}

fn count(n: usize, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

/// `2 resources drifted (10 in sync, 1 not checkable)`.
fn summary(d: &StackDrift) -> String {
    let drifted = d
        .resources
        .iter()
        .filter(|r| !matches!(r.kind, ResourceDriftKind::NotChecked))
        .count();
    let unchecked = d.resources.len() - drifted;
    let mut text = if drifted == 0 {
        "no drift".to_owned()
    } else {
        format!("{} drifted", count(drifted, "resource"))
    };
    let _ = write!(text, " ({} in sync", d.in_sync);
    if unchecked > 0 {
        let _ = write!(text, ", {unchecked} not checkable");
    }
    text.push(')');
    text
}

fn value(v: Option<&String>) -> String {
    v.map_or_else(|| "(none)".to_owned(), Clone::clone)
}

/// One stack's drift, resource by resource, in `rcdk diff`'s style.
fn stack_text(d: &StackDrift, out: &mut String) {
    let _ = writeln!(out, "{}: {}", d.stack, summary(d));
    let mut unchecked: Vec<&str> = Vec::new();
    for r in &d.resources {
        let physical = r
            .physical_id
            .as_deref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        match &r.kind {
            ResourceDriftKind::Modified(props) => {
                let _ = writeln!(out, "! {} {}{physical}", r.resource_type, r.logical_id);
                for p in props {
                    let _ = writeln!(
                        out,
                        "!     Properties.{}: {} → {}",
                        p.path,
                        value(p.expected.as_ref()),
                        value(p.actual.as_ref())
                    );
                }
            }
            ResourceDriftKind::Deleted => {
                let _ = writeln!(
                    out,
                    "- {} {}{physical}: deleted outside CloudFormation",
                    r.resource_type, r.logical_id
                );
            }
            ResourceDriftKind::NotChecked => unchecked.push(&r.resource_type),
        }
    }
    unchecked.sort_unstable();
    unchecked.dedup();
    if !unchecked.is_empty() {
        let _ = writeln!(
            out,
            "  CloudFormation cannot check: {}",
            unchecked.join(", ")
        );
    }
}

fn render_text(report: &[Outcome]) -> String {
    let mut out = String::new();
    for o in report {
        match o {
            Outcome::NotDeployed(stack) => {
                let _ = writeln!(out, "{stack}: not deployed");
            }
            Outcome::Checked(d) => stack_text(d, &mut out),
        }
    }
    out
}

fn to_json(report: &[Outcome]) -> J {
    J::Array(
        report
            .iter()
            .map(|o| match o {
                Outcome::NotDeployed(stack) => json!({"stack": stack, "deployed": false}),
                Outcome::Checked(d) => json!({
                    "stack": d.stack,
                    "deployed": true,
                    "drifted": d.drifted(),
                    "in_sync": d.in_sync,
                    "resources": d.resources.iter().map(|r| {
                        let (status, properties) = match &r.kind {
                            ResourceDriftKind::Modified(p) => ("MODIFIED", p.iter().map(|p| json!({
                                "path": p.path, "expected": p.expected, "actual": p.actual,
                            })).collect()),
                            ResourceDriftKind::Deleted => ("DELETED", Vec::new()),
                            ResourceDriftKind::NotChecked => ("NOT_CHECKED", Vec::new()),
                        };
                        json!({
                            "logical_id": r.logical_id,
                            "physical_id": r.physical_id,
                            "type": r.resource_type,
                            "status": status,
                            "properties": properties,
                        })
                    }).collect::<Vec<_>>(),
                }),
            })
            .collect(),
    )
}

fn render_markdown(report: &[Outcome]) -> String {
    let mut out = String::from("## Drift\n\n| Stack | Drift |\n| --- | --- |\n");
    for o in report {
        let (stack, what) = match o {
            Outcome::NotDeployed(s) => (s.as_str(), "not deployed".to_owned()),
            Outcome::Checked(d) => (d.stack.as_str(), summary(d)),
        };
        let _ = writeln!(out, "| `{stack}` | {what} |");
    }
    let mut details = String::new();
    for o in report {
        if let Outcome::Checked(d) = o
            && !d.resources.is_empty()
        {
            stack_text(d, &mut details);
        }
    }
    if !details.is_empty() {
        let _ = write!(out, "\n````diff\n{details}````\n");
    }
    out
}

/// Prints the drift of each selected stack; `Ok(true)` when any drifted.
pub fn run(global: &GlobalArgs, args: &DriftArgs) -> Result<bool, CliError> {
    let format = args.format.or_json(args.json);
    let (_, stacks) = synth::synthesize(global)?;
    let selected = select_stacks(&stacks, &args.stacks, false)?;
    let runtime = super::runtime()?;
    let sessions = crate::deploy::Sessions::default();
    let mut report = Vec::new();
    for s in selected {
        let drift = runtime.block_on(async {
            let cfn = super::diff::reach_to_read(&sessions, s).await?;
            detect_drift(&cfn, &s.stack_name).await
        })?;
        report.push(match drift {
            Some(d) => Outcome::Checked(d),
            None => Outcome::NotDeployed(s.stack_name.clone()),
        });
    }
    let drifted = report
        .iter()
        .any(|o| matches!(o, Outcome::Checked(d) if d.drifted()));
    super::cost::print_report(
        format,
        || render_text(&report),
        || to_json(&report),
        || render_markdown(&report),
    )?;
    Ok(drifted)
}
