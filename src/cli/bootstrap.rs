//! `rcdk bootstrap`: the deployment bucket and the deployment roles, per environment.

use std::io::Write;

use super::CliError;
use super::args::BootstrapArgs;
use crate::deploy::{BootstrapRequest, Progress, TOOLKIT_STACK, bootstrap};

pub fn run(args: &BootstrapArgs) -> Result<(), CliError> {
    let targets = super::target::parse_all(&args.regions, args.unknown_region)?;
    let request = BootstrapRequest {
        trust: args.trust.clone(),
        untrust: args.untrust.clone(),
        execution_policies: args.execution_policy.clone(),
        permissions_boundary: args.permissions_boundary.clone(),
    };
    let progress = Progress::new();
    let runtime = super::runtime()?;
    let mut out = anstream::stdout();
    for (account, region) in targets {
        let (bucket, trusted) =
            runtime.block_on(bootstrap(account, region.clone(), &request, &progress))?;
        let place = region.unwrap_or_else(|| "the configured region".into());
        let trusted = if trusted.is_empty() {
            "this account only".to_owned()
        } else {
            format!("this account and {}", trusted.replace(',', ", "))
        };
        writeln!(
            out,
            "✅ {TOOLKIT_STACK} in {place}: deployment bucket {bucket}; deploy roles trust {trusted}"
        )
        .map_err(CliError::Output)?;
    }
    Ok(())
}
