//! `rcdk destroy`: deletes the selected stacks (and their dependents), last
//! dependency first, after confirmation.

use std::io::Write;

use super::args::{DestroyArgs, GlobalArgs};
use super::diff::{account_of, region_of};
use super::select::select_with_dependents;
use super::{CliError, select_stacks, synth};
use crate::deploy::{Answer, DestroyOptions, DestroyTarget, destroy_stacks};

pub fn run(global: &GlobalArgs, args: &DestroyArgs) -> Result<(), CliError> {
    if args.stacks.is_empty() && !args.all {
        return Err(CliError::Usage(
            "name the stacks to destroy (patterns like 'dev-*' work) or pass --all".into(),
        ));
    }
    let (_, stacks) = synth::synthesize(global)?;
    let selected = if args.exclusively || args.all {
        select_stacks(&stacks, &args.stacks, false)?
    } else {
        select_with_dependents(&stacks, &args.stacks)?
    };
    let names: Vec<&str> = selected.iter().map(|s| s.stack_name.as_str()).collect();
    if !args.force {
        match crate::deploy::confirm(&format!("Destroy {}?", names.join(", "))) {
            Answer::Yes => {}
            Answer::No => {
                return Err(CliError::Failed(
                    "not confirmed; nothing was destroyed".into(),
                ));
            }
            Answer::NoTerminal => {
                return Err(CliError::Usage(
                    "destroy needs confirmation on a terminal, or --force".into(),
                ));
            }
        }
    }
    let opts = DestroyOptions {
        stacks: selected
            .iter()
            .map(|s| DestroyTarget {
                name: s.stack_name.clone(),
                region: region_of(s),
                account: account_of(s),
                roles: s.roles.clone(),
                stack_set: s.stack_set.clone(),
            })
            .collect(),
    };
    let progress = crate::deploy::Progress::new();
    let runtime = super::runtime()?;
    let deleted = runtime.block_on(destroy_stacks(&opts, &progress));
    runtime.shutdown_background();
    let deleted = deleted?;
    let mut out = anstream::stdout();
    writeln!(
        out,
        "✅ destroyed {} stack{}",
        deleted.len(),
        if deleted.len() == 1 { "" } else { "s" }
    )
    .map_err(CliError::Output)?;
    Ok(())
}
