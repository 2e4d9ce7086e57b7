//! `rcdk synth`: runs the app, writes the assembly, prints a summary (or one template).

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anstyle::{AnsiColor, Style};

use super::args::{GlobalArgs, SynthArgs};
use super::{AssemblyStack, CliError, config, read_assembly, runner, select_stacks};

/// Runs the app per the settings and reads back its assembly.
pub fn synthesize(global: &GlobalArgs) -> Result<(PathBuf, Vec<AssemblyStack>), CliError> {
    let dir = std::env::current_dir().map_err(|e| CliError::Config {
        path: ".".into(),
        message: e.to_string(),
    })?;
    let mut looked_up: Vec<String> = Vec::new();
    let outdir = loop {
        let settings = config::resolve(global, &dir)?;
        let outdir = runner::produce_assembly(&settings, &dir)?;
        let missing = super::lookups::missing(&outdir);
        if missing.is_empty() {
            break outdir;
        }
        let keys: Vec<String> = missing
            .iter()
            .filter_map(|m| m["key"].as_str().map(str::to_owned))
            .collect();
        let lookups: Vec<String> = missing.iter().map(super::lookups::describe).collect();
        if global.no_lookups {
            return Err(CliError::Usage(format!(
                "the app looks up {}, which cdk.context.json does not hold (--no-lookups); run `rcdk synth` once with credentials of the account to cache it, and commit cdk.context.json",
                lookups.join(", ")
            )));
        }
        if keys.iter().any(|k| looked_up.contains(k)) {
            return Err(CliError::Failed(format!(
                "{} still missing after the lookup: the app does not read cdk.context.json (an assembly folder cannot look up; run its app)",
                lookups.join(", ")
            )));
        }
        super::lookups::fill(&dir, &missing)?;
        looked_up.extend(keys);
    };
    let stacks = read_assembly(&outdir)?;
    print_messages(&stacks);
    Ok((outdir, stacks))
}

fn print_messages(stacks: &[AssemblyStack]) {
    let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold();
    let mut err = anstream::stderr();
    for s in stacks {
        for (path, kind, message) in &s.messages {
            let label = match kind.as_str() {
                "aws:cdk:warning" => "warning",
                "aws:cdk:error" => "error",
                _ => "info",
            };
            let _ = writeln!(err, "{yellow}{label}{yellow:#}: {path}: {message}");
        }
    }
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

pub fn run(global: &GlobalArgs, args: &SynthArgs) -> Result<(), CliError> {
    let started = Instant::now();
    let (outdir, stacks) = synthesize(global)?;
    let selected = select_stacks(&stacks, &args.stacks, false)?;
    let elapsed = started.elapsed();
    let print_template = selected.len() == 1 && !args.stacks.is_empty() && !args.quiet;
    let mut summary = format!(
        "Synthesized {} stack{} to {} in {:.2} s\n",
        selected.len(),
        if selected.len() == 1 { "" } else { "s" },
        outdir.display(),
        elapsed.as_secs_f64()
    );
    let width = selected
        .iter()
        .map(|s| s.stack_name.len())
        .max()
        .unwrap_or(5)
        .max(5);
    summary.push_str(&format!(
        "  {:<width$}  {:>9}  {:>10}  DEPENDS ON\n",
        "STACK", "RESOURCES", "TEMPLATE"
    ));
    for s in &selected {
        let deps = if s.dependencies.is_empty() {
            "-".to_owned()
        } else {
            s.dependencies.join(", ")
        };
        summary.push_str(&format!(
            "  {:<width$}  {:>9}  {:>10}  {deps}\n",
            s.stack_name,
            s.resource_count(),
            kib(s.template_bytes)
        ));
    }
    if print_template {
        let _ = anstream::stderr().write_all(summary.as_bytes());
        let s = selected[0];
        let text = if args.json {
            format!(
                "{}\n",
                serde_json::to_string_pretty(&s.template).unwrap_or_default()
            )
        } else {
            serde_yaml_ng::to_string(&s.template).unwrap_or_default()
        };
        std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(CliError::Output)
    } else {
        std::io::stdout()
            .lock()
            .write_all(summary.as_bytes())
            .map_err(CliError::Output)
    }
}
