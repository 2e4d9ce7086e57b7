//! `rcdk diff`: synthesized templates against the deployed stacks (GetTemplate) or
//! against a template file. Exit codes: 0 no difference, 1 differences with `--fail`,
//! 2 error.

use std::io::Write;

use serde_json::Value as J;

use super::args::{DiffArgs, GlobalArgs};
use super::{AssemblyStack, CliError, select_stacks, synth};
use crate::deploy::{connect, deployed_template};
use crate::diff::{diff_templates, render_text, to_json};

/// The region of `aws://ACCOUNT/REGION`, unless environment-agnostic.
pub fn region_of(stack: &AssemblyStack) -> Option<String> {
    let region = stack.environment.rsplit('/').next()?;
    (!region.is_empty() && region != "unknown-region").then(|| region.to_owned())
}

fn read_template(path: &std::path::Path) -> Result<J, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| CliError::Config {
        path: path.into(),
        message: e.to_string(),
    })?;
    // A golden snapshot (insta) has a `---` header before the template.
    let body = match text.strip_prefix("---\n") {
        Some(rest) if rest.starts_with("source:") => {
            rest.split_once("\n---\n").map_or(rest, |(_, b)| b)
        }
        _ => &text,
    };
    crate::diff::parse_template(body).map_err(|e| CliError::Config {
        path: path.into(),
        message: format!("not a JSON or YAML template: {e}"),
    })
}

/// Returns whether any selected stack differs.
pub fn run(global: &GlobalArgs, args: &DiffArgs) -> Result<bool, CliError> {
    let (_, stacks) = synth::synthesize(global)?;
    let selected = select_stacks(&stacks, &args.stacks, false)?;
    if args.template.is_some() && selected.len() != 1 {
        return Err(CliError::Usage(format!(
            "--template compares one stack, and {} are selected; name the stack: rcdk diff --template OLD.json STACK",
            selected.len()
        )));
    }
    let runtime = super::runtime()?;
    let mut any = false;
    let mut json = Vec::new();
    let mut out = anstream::stdout();
    for s in selected {
        let old = match &args.template {
            Some(path) => read_template(path)?,
            None => runtime
                .block_on(async {
                    let cfn = connect(region_of(s).as_deref()).await;
                    deployed_template(&cfn, &s.stack_name).await
                })?
                .unwrap_or(J::Null),
        };
        let diff = diff_templates(&old, &s.template);
        any |= !diff.is_empty();
        if args.json {
            json.push(to_json(&s.stack_name, &diff));
        } else {
            write!(out, "{}", render_text(&s.stack_name, &diff)).map_err(CliError::Output)?;
        }
    }
    if args.json {
        let text = serde_json::to_string_pretty(&J::Array(json)).unwrap_or_default();
        writeln!(out, "{text}").map_err(CliError::Output)?;
    }
    Ok(any)
}
