//! `rcdk rollback`: finishes a failed rollback of one stack of the app.

use std::io::Write;

use super::args::{GlobalArgs, RollbackArgs};
use super::{CliError, select_stacks, synth};
use crate::deploy::{Progress, RollbackOutcome, Sessions, continue_rollback};

pub fn run(global: &GlobalArgs, args: &RollbackArgs) -> Result<(), CliError> {
    let (_, stacks) = synth::synthesize(global)?;
    let selected = select_stacks(&stacks, std::slice::from_ref(&args.stack), false)?;
    let [stack] = selected.as_slice() else {
        return Err(CliError::Usage(format!(
            "'{}' selects {} stacks ({}); name one",
            args.stack,
            selected.len(),
            selected
                .iter()
                .map(|s| s.stack_name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let progress = Progress::new();
    let runtime = super::runtime()?;
    let outcome = runtime.block_on(async {
        let cfn = super::diff::reach(&Sessions::default(), stack).await?;
        continue_rollback(&cfn, &stack.stack_name, &args.orphan, &progress).await
    });
    runtime.shutdown_background();
    let mut out = anstream::stdout();
    let line = match outcome? {
        RollbackOutcome::Completed => format!(
            "✅ {}: rollback finished (UPDATE_ROLLBACK_COMPLETE){}; deploy again when ready",
            stack.stack_name,
            if args.orphan.is_empty() {
                String::new()
            } else {
                format!(
                    "; skipped {}: CloudFormation treats them as rolled back, check them by hand",
                    args.orphan.join(", ")
                )
            }
        ),
        RollbackOutcome::NothingToDo(status) => format!(
            "{}: {status}, no failed rollback to continue; nothing was sent",
            stack.stack_name
        ),
    };
    writeln!(out, "{line}").map_err(CliError::Output)?;
    Ok(())
}
