//! `rcdk posture`: every posture rule the app enforces, every finding and every waiver
//! with its reason and resource path — the report a reviewer reads in a pull request.
//! The app is synthesized in report mode (findings are recorded instead of failing
//! synthesis) into a temporary directory, so the project's cdk.out is not touched.

use std::fmt::Write as _;

use serde_json::{Value as J, json};

use super::args::{GlobalArgs, PostureArgs};
use super::{CliError, select_stacks, synth};

/// Context key the app's `posture::enforce` reads (rcdk_constructs::posture::REPORT_CONTEXT).
const REPORT_CONTEXT: &str = "rcdk:posture:report";
const RULES_KEY: &str = "rcdk:posture:rules";
const FINDINGS_KEY: &str = "rcdk:posture:findings";
const SUPPRESSIONS_KEY: &str = "rcdk:posture:suppressions";
const WAIVERS_KEY: &str = "rcdk:posture:waivers";

/// One stack's posture.
#[derive(Debug, Default)]
pub struct StackPosture {
    pub stack: String,
    /// `None`: the app does not enforce the posture on this stack.
    pub rules: Option<Vec<J>>,
    /// (rule, construct path, problem, fix)
    pub findings: Vec<(String, String, String, String)>,
    /// (rule or scanner check, construct path, reason)
    pub waivers: Vec<(String, String, String)>,
}

/// Reads the posture of one template synthesized in report mode.
pub fn read(stack: &str, template: &J) -> StackPosture {
    let mut out = StackPosture {
        stack: stack.to_owned(),
        rules: template["Metadata"][RULES_KEY].as_array().cloned(),
        ..StackPosture::default()
    };
    for (id, r) in template["Resources"].as_object().into_iter().flatten() {
        let m = &r["Metadata"];
        let path = m["aws:cdk:path"].as_str().unwrap_or(id).to_owned();
        let text = |v: &J, k: &str| v[k].as_str().unwrap_or_default().to_owned();
        for f in m[FINDINGS_KEY].as_array().into_iter().flatten() {
            out.findings.push((
                text(f, "Rule"),
                path.clone(),
                text(f, "Problem"),
                text(f, "Fix"),
            ));
        }
        for s in m[SUPPRESSIONS_KEY].as_array().into_iter().flatten() {
            out.waivers
                .push((text(s, "Rule"), path.clone(), text(s, "Reason")));
        }
        for w in m[WAIVERS_KEY].as_array().into_iter().flatten() {
            out.waivers
                .push((text(w, "Check"), path.clone(), text(w, "Reason")));
        }
    }
    out.findings.sort();
    out.waivers.sort();
    out
}

fn counts(p: &StackPosture) -> String {
    match &p.rules {
        None => "posture not enforced (call rcdk_constructs::posture::enforce(&app))".into(),
        Some(rules) => format!(
            "{} rules, {} finding{}, {} waiver{}",
            rules.len(),
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
        for (rule, path, problem, fix) in &p.findings {
            let _ = writeln!(out, "  FINDING {rule} {path}: {problem}; {fix}");
        }
        for (rule, path, reason) in &p.waivers {
            let _ = writeln!(out, "  waived  {rule} {path}: {reason}");
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
        let rules = p
            .rules
            .as_ref()
            .map_or_else(|| "not enforced".to_owned(), |r| r.len().to_string());
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
        for (stack, (rule, path, problem, fix)) in findings {
            let _ = writeln!(
                out,
                "| {stack} | {rule} | `{path}` | {} | {} |",
                cell(problem),
                cell(fix)
            );
        }
    }
    let waivers: Vec<_> = report
        .iter()
        .flat_map(|p| p.waivers.iter().map(move |w| (&p.stack, w)))
        .collect();
    if !waivers.is_empty() {
        out.push_str("\n<details><summary>Waivers and their reasons</summary>\n\n| Stack | Rule or check | Resource | Reason |\n|---|---|---|---|\n");
        for (stack, (rule, path, reason)) in waivers {
            let _ = writeln!(out, "| {stack} | {rule} | `{path}` | {} |", cell(reason));
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
                    "enforced": p.rules.is_some(),
                    "rules": p.rules.clone().unwrap_or_default(),
                    "findings": p.findings.iter().map(|(rule, path, problem, fix)| json!({"rule": rule, "path": path, "problem": problem, "fix": fix})).collect::<Vec<_>>(),
                    "waivers": p.waivers.iter().map(|(rule, path, reason)| json!({"rule": rule, "path": path, "reason": reason})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// Prints the report; `Ok(false)` when a stack has a finding or is not checked.
pub fn run(global: &GlobalArgs, args: &PostureArgs) -> Result<bool, CliError> {
    let scratch = tempfile::Builder::new()
        .prefix("rcdk-posture-")
        .tempdir()
        .map_err(|e| CliError::Usage(format!("cannot create a scratch directory: {e}")))?;
    let mut context = global.context.clone();
    context.push(format!("{REPORT_CONTEXT}=true"));
    // A prebuilt assembly is read where it is; an app synthesizes into scratch space.
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
    };
    let (_, stacks) = synth::synthesize(&global)?;
    let selected = select_stacks(&stacks, &args.stacks, false)?;
    let report: Vec<StackPosture> = selected
        .iter()
        .map(|s| read(&s.stack_name, &s.template))
        .collect();
    super::cost::print_report(
        args.format,
        || render_text(&report),
        || render_json(&report),
        || render_markdown(&report),
    )?;
    Ok(report
        .iter()
        .all(|p| p.rules.is_some() && p.findings.is_empty()))
}
