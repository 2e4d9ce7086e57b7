//! `rcdk bootstrap`: the deployment bucket, per region.

use std::io::Write;

use super::CliError;
use super::args::BootstrapArgs;
use crate::deploy::{Progress, TOOLKIT_STACK, bootstrap};

pub fn run(args: &BootstrapArgs) -> Result<(), CliError> {
    let regions: Vec<Option<String>> = if args.regions.is_empty() {
        vec![None]
    } else {
        args.regions.iter().cloned().map(Some).collect()
    };
    let progress = Progress::new();
    let runtime = super::runtime()?;
    let mut out = anstream::stdout();
    for region in regions {
        let bucket = runtime.block_on(bootstrap(region.clone(), &progress))?;
        let place = region.unwrap_or_else(|| "the configured region".into());
        writeln!(
            out,
            "✅ {TOOLKIT_STACK} in {place}: deployment bucket {bucket}"
        )
        .map_err(CliError::Output)?;
    }
    Ok(())
}
