//! `rcdk gc`: unused file assets out of the deployment bucket, per environment.

use std::io::Write;

use super::CliError;
use super::args::GcArgs;
use crate::deploy::{
    GcObject, GcOptions, GcReport, Progress, Sessions, StackRoles, collect_garbage,
};

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn total(objects: &[GcObject]) -> u64 {
    objects.iter().map(|o| o.size).sum()
}

/// The report of one bucket, for a person.
pub fn render(report: &GcReport, opts: GcOptions) -> String {
    let mut out = format!("s3://{}\n", report.bucket);
    let verb = if opts.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    for o in &report.deleted {
        out.push_str(&format!(
            "  {verb:<12} {} ({} bytes, unused since {})\n",
            o.key,
            o.size,
            o.unused_since.as_deref().unwrap_or("?")
        ));
    }
    for o in &report.unused {
        out.push_str(&format!(
            "  {:<12} {} ({} bytes, unused since {}; deleted after {} days unused)\n",
            "unused",
            o.key,
            o.size,
            o.unused_since.as_deref().unwrap_or("?"),
            opts.unused_days
        ));
    }
    if let Some(why) = &report.deferred {
        out.push_str(&format!("  nothing deleted: {why}\n"));
    }
    out.push_str(&format!(
        "  {} in use ({}), {} unused ({}), {} {verb} ({})\n",
        report.in_use.len(),
        mib(total(&report.in_use)),
        report.unused.len(),
        mib(total(&report.unused)),
        report.deleted.len(),
        mib(total(&report.deleted)),
    ));
    out
}

pub fn run(args: &GcArgs) -> Result<(), CliError> {
    let targets = super::target::parse_all(&args.regions, args.unknown_region)?;
    let opts = GcOptions {
        dry_run: args.dry_run,
        unused_days: args.unused_days,
    };
    let progress = Progress::new();
    let runtime = super::runtime()?;
    let sessions = Sessions::default();
    let mut out = anstream::stdout();
    for (account, region) in targets {
        let report = runtime.block_on(async {
            let access = sessions
                .for_stack(
                    "gc",
                    account.as_deref(),
                    region.as_deref(),
                    &StackRoles::default(),
                    &progress,
                )
                .await?;
            collect_garbage(&access.cfn, opts).await
        })?;
        write!(out, "{}", render(&report, opts)).map_err(CliError::Output)?;
    }
    Ok(())
}
