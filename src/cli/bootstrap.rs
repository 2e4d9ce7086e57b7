//! `rcdk bootstrap`: the deployment bucket, per region.

use std::io::Write;

use super::CliError;
use super::args::BootstrapArgs;
use crate::deploy::{Progress, TOOLKIT_STACK, bootstrap};

pub fn run(args: &BootstrapArgs) -> Result<(), CliError> {
    // Every target is checked before anything is sent.
    let targets: Vec<(Option<String>, Option<String>)> = if args.regions.is_empty() {
        vec![(None, None)]
    } else {
        args.regions
            .iter()
            .map(|t| {
                super::target::parse(t, args.unknown_region).map(|t| (t.account, Some(t.region)))
            })
            .collect::<Result<_, _>>()?
    };
    let progress = Progress::new();
    let runtime = super::runtime()?;
    let mut out = anstream::stdout();
    for (account, region) in targets {
        let bucket = runtime.block_on(bootstrap(account, region.clone(), &progress))?;
        let place = region.unwrap_or_else(|| "the configured region".into());
        writeln!(
            out,
            "✅ {TOOLKIT_STACK} in {place}: deployment bucket {bucket}"
        )
        .map_err(CliError::Output)?;
    }
    Ok(())
}
