//! `rcdk posture`: every posture rule, every finding and every waiver with its reason
//! and resource — the report a reviewer reads in a pull request. An app that enforces
//! the posture is synthesized in report mode (findings are recorded instead of failing
//! synthesis) into a temporary directory, so the project's cdk.out is not touched. Any
//! other template — an AWS CDK assembly, hand-written CloudFormation (`--template`), an
//! app that does not enforce — is checked by the same rules in-process: it is included
//! in a stack as written and the rules run on it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Value as J, json};

use super::args::{GlobalArgs, PostureArgs};
use super::{AssemblyStack, CliError, select_stacks, synth};
use crate::posture::{
    FINDINGS_KEY, REPORT_CONTEXT, RULES_KEY, Rule, SUPPRESSIONS_KEY, WAIVERS_KEY,
};

/// One finding on one resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub rule: String,
    /// The construct path when the template records one (`aws:cdk:path`), else the logical id.
    pub path: String,
    pub logical_id: String,
    pub problem: String,
    pub fix: String,
    /// How the rule read values a template leaves to the deploy, when it did.
    pub note: Option<String>,
}

/// One waiver: an rcdk rule or another scanner's check, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Waiver {
    /// The rule id, or the tool and its check (`cdk_nag AwsSolutions-S1`).
    pub rule: String,
    pub path: String,
    pub logical_id: String,
    pub reason: String,
}

/// One stack's posture.
#[derive(Debug, Default)]
pub struct StackPosture {
    pub stack: String,
    /// `None`: no rules ran on this stack.
    pub rules: Option<Vec<J>>,
    /// The rules ran on the template here, not at the app's synthesis.
    pub checked_from_template: bool,
    pub findings: Vec<Finding>,
    pub waivers: Vec<Waiver>,
    /// Why the rules could not run on this stack's template.
    pub error: Option<String>,
}

/// Where other tools keep waivers in a resource's metadata: `(metadata key, path to the
/// list, id field, reason field)`; a list of plain ids keeps no reason.
const FOREIGN: [(&str, &[&str], &str, &str); 5] = [
    ("cdk_nag", &["rules_to_suppress"], "id", "reason"),
    ("cfn_nag", &["rules_to_suppress"], "id", "reason"),
    ("checkov", &["skip"], "id", "comment"),
    ("guard", &["SuppressedRules"], "", ""),
    ("cfn-lint", &["config", "ignore_checks"], "", ""),
];

/// Reads the posture of one template the rules ran on (findings are in its resources'
/// metadata). `source` is the template as the user wrote it, when the rules ran on an
/// included copy: paths come from it.
pub fn read(stack: &str, template: &J, source: Option<&J>) -> StackPosture {
    let mut out = StackPosture {
        stack: stack.to_owned(),
        rules: template["Metadata"][RULES_KEY].as_array().cloned(),
        checked_from_template: source.is_some(),
        ..StackPosture::default()
    };
    for (id, r) in template["Resources"].as_object().into_iter().flatten() {
        let m = &r["Metadata"];
        let path = match source {
            Some(src) => src["Resources"][id]["Metadata"]["aws:cdk:path"]
                .as_str()
                .unwrap_or(id),
            None => m["aws:cdk:path"].as_str().unwrap_or(id),
        }
        .to_owned();
        let text = |v: &J, k: &str| v[k].as_str().unwrap_or_default().to_owned();
        for f in m[FINDINGS_KEY].as_array().into_iter().flatten() {
            out.findings.push(Finding {
                rule: text(f, "Rule"),
                path: path.clone(),
                logical_id: id.clone(),
                problem: text(f, "Problem"),
                fix: text(f, "Fix"),
                note: None,
            });
        }
        let waiver = |rule: String, reason: String| Waiver {
            rule,
            path: path.clone(),
            logical_id: id.clone(),
            reason,
        };
        // What rcdk wrote for other scanners mirrors its own waivers: counted once.
        let mut mirrored: BTreeSet<String> = BTreeSet::new();
        let type_name = r["Type"].as_str().unwrap_or_default();
        for s in m[SUPPRESSIONS_KEY].as_array().into_iter().flatten() {
            let rule = text(s, "Rule");
            if let Some(r) = Rule::ALL.iter().find(|r| r.id() == rule) {
                let ids = r.scanner_ids(type_name);
                mirrored.extend(ids.checkov.iter().chain(ids.guard).map(|i| (*i).to_owned()));
                mirrored.extend(r.cdk_nag_ids(type_name));
            }
            out.waivers.push(waiver(rule, text(s, "Reason")));
        }
        for w in m[WAIVERS_KEY].as_array().into_iter().flatten() {
            mirrored.insert(text(w, "Check"));
            out.waivers
                .push(waiver(text(w, "Check"), text(w, "Reason")));
        }
        for (key, list, id_field, reason_field) in FOREIGN {
            let items = list.iter().fold(&m[key], |v, k| &v[*k]);
            for item in items.as_array().into_iter().flatten() {
                let (check, reason) = match item {
                    J::String(check) => (check.clone(), String::new()),
                    other => (text(other, id_field), text(other, reason_field)),
                };
                if check.is_empty() || mirrored.contains(&check) {
                    continue;
                }
                let reason = if reason.trim().is_empty() {
                    "(no reason written)".to_owned()
                } else {
                    reason
                };
                out.waivers.push(waiver(format!("{key} {check}"), reason));
            }
        }
    }
    out.findings.sort();
    out.waivers.sort();
    out
}

/// `path (LogicalId)`, or the logical id alone when the template records no path.
fn named(path: &str, logical_id: &str) -> String {
    if path == logical_id {
        path.to_owned()
    } else {
        format!("{path} ({logical_id})")
    }
}

/// Runs the rules on a template rcdk did not synthesize in report mode: it becomes the
/// one stack of an app whose posture is enforced in report mode, included as written; the
/// findings come back in the synthesized copy. A template the rules cannot run on is a
/// stack with an error, so one bad file in a folder does not hide the others.
fn check_template(s: &AssemblyStack, backups: &J) -> StackPosture {
    let failed = |error: String| StackPosture {
        stack: s.stack_name.clone(),
        error: Some(error),
        ..StackPosture::default()
    };
    // What other templates' backup plans select: a plan is often in a stack of its own.
    let context = [(crate::posture::SELECTED_CONTEXT.to_owned(), backups.clone())];
    // The rules read the values a deploy with the parameters' defaults would have.
    let (resolved, with_defaults) = crate::posture::resolve::with_parameter_defaults(&s.template);
    match synthesize_in_report_mode(&s.stack_name, resolved.clone(), context, true) {
        Ok(template) => {
            let mut report = read(&s.stack_name, &template, Some(&s.template));
            for f in &mut report.findings {
                let props = &resolved["Resources"][&f.logical_id]["Properties"];
                let mut notes = Vec::new();
                if with_defaults.contains(&f.logical_id) {
                    notes.push("read with the parameters' defaults");
                }
                if crate::posture::resolve::holds_deploy_time_values(props, &s.template) {
                    notes.push("values only a deploy knows were not taken as compliant");
                }
                f.note = (!notes.is_empty()).then(|| notes.join("; "));
            }
            report
        }
        Err(e) => failed(format!("{}: {e}", s.template_path.display())),
    }
}

/// `template` included as the one stack `stack_name` of an app whose rules report
/// instead of failing (`posture::REPORT_CONTEXT`, with `context` beside it), the
/// posture's rules on when `enforce` (the IAM catalogue checks always are), synthesized:
/// the template with each resource's findings in its metadata.
pub(super) fn synthesize_in_report_mode(
    stack_name: &str,
    template: J,
    context: impl IntoIterator<Item = (String, J)>,
    enforce: bool,
) -> Result<J, String> {
    let mut all: BTreeMap<String, J> = context.into_iter().collect();
    all.insert(REPORT_CONTEXT.to_owned(), J::Bool(true));
    let app = crate::App::with_context(all, "cdk.out");
    let stack = crate::Stack::new(
        &app,
        stack_name,
        crate::StackProps {
            stack_name: Some(stack_name.to_owned()),
            ..Default::default()
        },
    );
    crate::include::Template::from_value(&stack, "Template", template)
        .map_err(|e| e.to_string())?;
    if enforce {
        crate::posture::enforce(&app);
    }
    let assembly = app.synthesize().map_err(|e| {
        e.problems
            .iter()
            .map(|p| p.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    assembly
        .stacks
        .first()
        .map(|artifact| artifact.template.clone())
        .ok_or_else(|| "the template gave no stack".to_owned())
}

fn counts(p: &StackPosture) -> String {
    if let Some(e) = &p.error {
        return format!("not checked: {e}");
    }
    match &p.rules {
        None => "posture not checked".into(),
        Some(rules) => format!(
            "{} rules{}, {} finding{}, {} waiver{}",
            rules.len(),
            if p.checked_from_template {
                " checked on the template"
            } else {
                ""
            },
            p.findings.len(),
            if p.findings.len() == 1 { "" } else { "s" },
            p.waivers.len(),
            if p.waivers.len() == 1 { "" } else { "s" }
        ),
    }
}

pub fn render_text(report: &[StackPosture]) -> String {
    let mut out = String::new();
    for p in report {
        let _ = writeln!(out, "{}: {}", p.stack, counts(p));
        for f in &p.findings {
            let _ = writeln!(
                out,
                "  FINDING {} {}: {}; {}{}",
                f.rule,
                named(&f.path, &f.logical_id),
                f.problem,
                f.fix,
                f.note
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            );
        }
        for w in &p.waivers {
            let _ = writeln!(
                out,
                "  waived  {} {}: {}",
                w.rule,
                named(&w.path, &w.logical_id),
                w.reason
            );
        }
    }
    let findings: usize = report.iter().map(|p| p.findings.len()).sum();
    let waivers: usize = report.iter().map(|p| p.waivers.len()).sum();
    let _ = writeln!(
        out,
        "{} stacks: {findings} findings, {waivers} waivers",
        report.len()
    );
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render_markdown(report: &[StackPosture]) -> String {
    let mut out = String::from(
        "## Security posture\n\n| Stack | Rules | Findings | Waivers |\n|---|---:|---:|---:|\n",
    );
    for p in report {
        let rules = match (&p.error, &p.rules) {
            (Some(e), _) => format!("not checked: {}", cell(e)),
            (None, None) => "not checked".to_owned(),
            (None, Some(r)) => r.len().to_string(),
        };
        let _ = writeln!(
            out,
            "| {} | {rules} | {} | {} |",
            p.stack,
            p.findings.len(),
            p.waivers.len()
        );
    }
    let findings: Vec<_> = report
        .iter()
        .flat_map(|p| p.findings.iter().map(move |f| (&p.stack, f)))
        .collect();
    if !findings.is_empty() {
        out.push_str("\n### Findings\n\n| Stack | Rule | Resource | Problem | Fix |\n|---|---|---|---|---|\n");
        for (stack, f) in findings {
            let _ = writeln!(
                out,
                "| {stack} | {} | `{}` | {} | {} |",
                f.rule,
                named(&f.path, &f.logical_id),
                cell(&f.problem),
                cell(&f.fix)
            );
        }
    }
    let waivers: Vec<_> = report
        .iter()
        .flat_map(|p| p.waivers.iter().map(move |w| (&p.stack, w)))
        .collect();
    if !waivers.is_empty() {
        out.push_str("\n<details><summary>Waivers and their reasons</summary>\n\n| Stack | Rule or check | Resource | Reason |\n|---|---|---|---|\n");
        for (stack, w) in waivers {
            let _ = writeln!(
                out,
                "| {stack} | {} | `{}` | {} |",
                w.rule,
                named(&w.path, &w.logical_id),
                cell(&w.reason)
            );
        }
        out.push_str("\n</details>\n");
    }
    if let Some(rules) = report.iter().find_map(|p| p.rules.as_ref()) {
        out.push_str(
            "\n<details><summary>Rules</summary>\n\n| Rule | Asks | Controls |\n|---|---|---|\n",
        );
        for r in rules {
            let controls: Vec<&str> = r["Controls"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(J::as_str)
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                r["Id"].as_str().unwrap_or_default(),
                cell(r["Summary"].as_str().unwrap_or_default()),
                controls.join(", ")
            );
        }
        out.push_str("\n</details>\n");
    }
    out
}

pub fn render_json(report: &[StackPosture]) -> J {
    J::Array(
        report
            .iter()
            .map(|p| {
                json!({
                    "stack": p.stack,
                    "enforced": p.rules.is_some() && !p.checked_from_template,
                    "error": p.error,
                    "checked_from_template": p.checked_from_template,
                    "rules": p.rules.clone().unwrap_or_default(),
                    "findings": p.findings.iter().map(|f| json!({"rule": f.rule, "path": f.path, "logical_id": f.logical_id, "problem": f.problem, "fix": f.fix, "note": f.note})).collect::<Vec<_>>(),
                    "waivers": p.waivers.iter().map(|w| json!({"rule": w.rule, "path": w.path, "logical_id": w.logical_id, "reason": w.reason})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// Prints the report; `Ok(false)` when a stack has a finding.
pub fn run(global: &GlobalArgs, args: &PostureArgs) -> Result<bool, CliError> {
    let stacks = if args.templates.is_empty() {
        synthesize_for_report(global)?
    } else {
        super::templates::stacks(&args.templates)?
    };
    let selected = select_stacks(&stacks, &args.stacks, false)?;
    let all: Vec<(&str, &J)> = stacks
        .iter()
        .map(|s| (s.stack_name.as_str(), &s.template))
        .collect();
    let backups = crate::posture::selected_across(&all);
    // Stacks an app synthesized in report mode carry their findings (and the rules in
    // their metadata); the rest are checked here, each template on its own.
    let report: Vec<StackPosture> = selected
        .iter()
        .map(|s| {
            if s.template["Metadata"][RULES_KEY].is_array() {
                read(&s.stack_name, &s.template, None)
            } else {
                check_template(s, &backups)
            }
        })
        .collect();
    super::cost::print_report(
        args.format,
        || render_text(&report),
        || render_json(&report),
        || render_markdown(&report),
    )?;
    Ok(report
        .iter()
        .all(|p| p.error.is_none() && p.rules.is_some() && p.findings.is_empty()))
}

/// The app's stacks, synthesized in report mode into scratch space (a prebuilt assembly
/// is read where it is).
fn synthesize_for_report(global: &GlobalArgs) -> Result<Vec<AssemblyStack>, CliError> {
    let scratch = tempfile::Builder::new()
        .prefix("rcdk-posture-")
        .tempdir()
        .map_err(|e| CliError::Usage(format!("cannot create a scratch directory: {e}")))?;
    let mut context = global.context.clone();
    context.push(format!("{REPORT_CONTEXT}=true"));
    let prebuilt = global
        .app
        .as_ref()
        .is_some_and(|a| super::config::is_cloud_assembly(std::path::Path::new(a)));
    let global = GlobalArgs {
        app: global.app.clone(),
        context,
        output: match &global.output {
            Some(o) => Some(o.clone()),
            None if prebuilt => None,
            None => Some(scratch.path().join("cdk.out")),
        },
        no_lookups: global.no_lookups,
    };
    // The templates are read into memory before the scratch space goes.
    Ok(synth::synthesize(&global)?.1)
}
