//! `rcdk refactor`: moves and renames deployed resources (detected, or from a mapping
//! file) through CloudFormation stack refactoring, before the next deploy.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde_json::Value as J;

use super::args::{GlobalArgs, RefactorArgs};
use super::assembly::AssemblyStack;
use super::{CliError, select_stacks, synth};
use crate::deploy::{Move, Progress, Sessions, refactor_templates, run_refactor};
use crate::diff::Place;

fn place(text: &str, file: &Path) -> Result<Place, CliError> {
    let (stack, id) = text.split_once('.').ok_or_else(|| {
        CliError::Usage(format!(
            "{}: '{text}' is not STACK.LOGICAL_ID",
            file.display()
        ))
    })?;
    Ok(Place {
        stack: stack.to_owned(),
        logical_id: id.to_owned(),
    })
}

/// The moves of a mapping file: `{"A.Old": "B.New"}`, or the AWS CDK's
/// `{"environments": [{"resources": {...}}]}`.
fn read_mapping(file: &Path) -> Result<Vec<Move>, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
    let json: J = serde_json::from_str(&text)
        .map_err(|e| CliError::Usage(format!("{}: not JSON: {e}", file.display())))?;
    let maps: Vec<&serde_json::Map<String, J>> = match json.get("environments") {
        Some(envs) => envs
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("resources").and_then(J::as_object))
            .collect(),
        None => json.as_object().into_iter().collect(),
    };
    let mut moves = Vec::new();
    for m in maps {
        for (from, to) in m {
            let to = to.as_str().ok_or_else(|| {
                CliError::Usage(format!(
                    "{}: the destination of {from} is not text",
                    file.display()
                ))
            })?;
            moves.push(Move {
                from: place(from, file)?,
                to: place(to, file)?,
            });
        }
    }
    Ok(moves)
}

pub fn run(global: &GlobalArgs, args: &RefactorArgs) -> Result<(), CliError> {
    let (_, stacks) = synth::synthesize(global)?;
    let selected = select_stacks(&stacks, &args.stacks, false)?;
    let envs: std::collections::BTreeSet<&str> =
        selected.iter().map(|s| s.environment.as_str()).collect();
    if envs.len() > 1 {
        return Err(CliError::Usage(format!(
            "a refactor works in one account and region, and the selected stacks are in {}; select the stacks of one environment",
            envs.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    let progress = Progress::new();
    let runtime = super::runtime()?;
    let sessions = Sessions::default();
    let mut deployed: BTreeMap<String, J> = BTreeMap::new();
    for s in &selected {
        let t = runtime.block_on(async {
            let cfn = super::diff::reach(&sessions, s).await?;
            crate::deploy::deployed_template(&cfn, &s.stack_name).await
        })?;
        deployed.insert(s.stack_name.clone(), t.unwrap_or(J::Null));
    }
    let moves = match &args.mapping {
        Some(file) => read_mapping(file)?,
        None => {
            let pairs: Vec<(&AssemblyStack, &J)> = selected
                .iter()
                .map(|s| (*s, &deployed[&s.stack_name]))
                .collect();
            let (renames, ambiguous) = super::diff::renames_of(&pairs);
            if !ambiguous.is_empty() {
                return Err(CliError::Failed(format!(
                    "some moves are ambiguous and are never guessed: {}; give the moves with --mapping FILE",
                    super::diff::rename_lines(&[], &ambiguous).join("; ")
                )));
            }
            renames
                .into_iter()
                .map(|r| Move {
                    from: r.from,
                    to: r.to,
                })
                .collect()
        }
    };
    let mut out = anstream::stdout();
    if moves.is_empty() {
        writeln!(
            out,
            "nothing to refactor: no deployed resource looks moved or renamed"
        )
        .map_err(CliError::Output)?;
        return Ok(());
    }
    let templates = refactor_templates(&deployed, &moves).map_err(CliError::Failed)?;
    for m in &moves {
        writeln!(out, "move {} → {}", m.from, m.to).map_err(CliError::Output)?;
    }
    if args.dry_run {
        writeln!(out, "dry run: nothing was sent").map_err(CliError::Output)?;
        return Ok(());
    }
    let Some(stack) = selected.first() else {
        return Ok(());
    };
    let result = runtime.block_on(async {
        let cfn = super::diff::reach(&sessions, stack).await?;
        run_refactor(&cfn, &moves, &templates, &progress).await
    });
    runtime.shutdown_background();
    result?;
    writeln!(
        out,
        "✅ moved {} resource(s) without replacing them; other changes are left to the next `rcdk deploy`",
        moves.len()
    )
    .map_err(CliError::Output)?;
    Ok(())
}
