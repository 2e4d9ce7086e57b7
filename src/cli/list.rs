//! `rcdk list`: the app's stacks with their dependencies.

use std::io::Write;

use serde_json::json;

use super::args::{GlobalArgs, ListArgs};
use super::{CliError, select_stacks};

pub fn run(global: &GlobalArgs, args: &ListArgs) -> Result<(), CliError> {
    let (_, stacks) = super::synth::synthesize(global)?;
    let selected = select_stacks(&stacks, &args.stacks, false)?;
    let mut out = std::io::stdout().lock();
    let text = if args.json {
        let items: Vec<_> = selected
            .iter()
            .map(|s| {
                json!({
                    "name": s.stack_name,
                    "path": s.display_name,
                    "environment": s.environment,
                    "dependencies": s.dependencies,
                })
            })
            .collect();
        format!(
            "{}\n",
            serde_json::to_string_pretty(&items).unwrap_or_default()
        )
    } else {
        let mut text = String::new();
        for s in selected {
            if s.dependencies.is_empty() {
                text.push_str(&format!("{}\n", s.stack_name));
            } else {
                text.push_str(&format!(
                    "{} (depends on {})\n",
                    s.stack_name,
                    s.dependencies.join(", ")
                ));
            }
        }
        text
    };
    out.write_all(text.as_bytes()).map_err(CliError::Output)
}
