//! `rcdk doctor`: what a deploy needs, checked one by one with the fix for each — the
//! toolchain, the project, the credentials chain, the CloudFormation endpoint and the
//! bootstrap stack in every region the app deploys to.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use aws_credential_types::provider::ProvideCredentials;

use super::CliError;
use super::args::{DoctorArgs, GlobalArgs};
use crate::deploy::{TOOLKIT_STACK, connect, describe, stack_state};

/// One line of the report.
struct Check {
    ok: bool,
    what: String,
    detail: String,
}

fn tool_version(tool: &str) -> Check {
    match Command::new(tool).arg("--version").output() {
        Ok(o) if o.status.success() => Check {
            ok: true,
            what: tool.to_owned(),
            detail: String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        },
        _ => Check {
            ok: false,
            what: tool.to_owned(),
            detail: "not found on PATH; install the Rust toolchain (rustup)".into(),
        },
    }
}

/// The regions of the stacks in the last assembly, when there is one.
fn assembly_regions(outdir: &Path) -> Vec<String> {
    let Ok(stacks) = super::read_assembly(outdir) else {
        return Vec::new();
    };
    let mut regions: Vec<String> = stacks
        .iter()
        .filter_map(|s| s.environment.rsplit('/').next().map(str::to_owned))
        .filter(|r| r != "unknown-region")
        .collect();
    regions.sort();
    regions.dedup();
    regions
}

fn project(global: &GlobalArgs, dir: &Path) -> (Check, Vec<String>) {
    match super::config::resolve(global, dir) {
        Ok(settings) => {
            let (app, fast) = match &settings.app {
                super::config::AppSource::Command(c) => (
                    c.clone(),
                    if super::cargo_app::CargoRun::parse(c).is_some() {
                        " (built by rcdk, skipped when unchanged)"
                    } else {
                        ""
                    },
                ),
                super::config::AppSource::Assembly(p) => (p.display().to_string(), ""),
            };
            let assembly = match &settings.app {
                super::config::AppSource::Assembly(p) => p.clone(),
                super::config::AppSource::Command(_) => settings.outdir.clone(),
            };
            let regions = assembly_regions(&assembly);
            (
                Check {
                    ok: true,
                    what: "app".into(),
                    detail: format!("{app}{fast}"),
                },
                regions,
            )
        }
        Err(e) => (
            Check {
                ok: false,
                what: "app".into(),
                detail: e.to_string(),
            },
            Vec::new(),
        ),
    }
}

/// Credentials, endpoint and bootstrap status, from the standard AWS configuration chain.
async fn aws_checks(regions: Vec<String>) -> Vec<Check> {
    let mut out = Vec::new();
    let first = connect(regions.first().map(String::as_str)).await;
    let creds = match first.config.credentials_provider() {
        Some(p) => tokio::time::timeout(Duration::from_secs(10), p.provide_credentials())
            .await
            .map_err(|_| "the credentials chain did not answer in 10 s".to_owned())
            .and_then(|r| r.map_err(|e| e.to_string())),
        None => Err("no credentials provider is configured".to_owned()),
    };
    let creds_ok = creds.is_ok();
    out.push(match creds {
        Ok(c) => {
            let id = c.access_key_id();
            let shown: String = id.chars().take(4).collect();
            Check {
                ok: true,
                what: "credentials".into(),
                detail: format!("access key {shown}… from the AWS configuration chain"),
            }
        }
        Err(e) => Check {
            ok: false,
            what: "credentials".into(),
            detail: format!("{e}; set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"),
        },
    });
    if !creds_ok {
        return out;
    }
    let regions = if regions.is_empty() {
        vec![first.region.clone()]
    } else {
        regions
    };
    for region in regions {
        let cfn = connect(Some(&region)).await;
        let endpoint = std::env::var("AWS_ENDPOINT_URL")
            .unwrap_or_else(|_| format!("https://cloudformation.{region}.amazonaws.com"));
        match cfn.client.list_stacks().send().await {
            Ok(_) => out.push(Check {
                ok: true,
                what: format!("endpoint {region}"),
                detail: format!("{endpoint} answers"),
            }),
            Err(e) => {
                out.push(Check {
                    ok: false,
                    what: format!("endpoint {region}"),
                    detail: format!("{endpoint}: {}", describe(&e)),
                });
                continue;
            }
        }
        out.push(match stack_state(&cfn, TOOLKIT_STACK).await {
            Ok(Some(s))
                if s.status.ends_with("_COMPLETE")
                    && !s.status.starts_with("DELETE")
                    && !s.outputs.contains_key("AssetBucketVersion") =>
            {
                Check {
                    ok: false,
                    what: format!("bootstrap {region}"),
                    detail: format!(
                        "{TOOLKIT_STACK} was made by an older rcdk without the asset bucket (Lambda code needs it); run rcdk bootstrap {region}"
                    ),
                }
            }
            Ok(Some(s)) if s.status.ends_with("_COMPLETE") && !s.status.starts_with("DELETE") => {
                let trusted = s
                    .parameters
                    .get("TrustedAccounts")
                    .filter(|t| !t.is_empty())
                    .map_or("this account".to_owned(), |t| format!("this account and {}", t.replace(',', ", ")));
                Check {
                    ok: true,
                    what: format!("bootstrap {region}"),
                    detail: match s.outputs.get("BootstrapVersion") {
                        Some(v) => format!("{TOOLKIT_STACK} version {v} is {}; its deploy roles trust {trusted}", s.status),
                        None => format!(
                            "{TOOLKIT_STACK} is {} (version 1, without deployment roles: deploys use your credentials; rcdk bootstrap {region} adds the roles other accounts deploy through)",
                            s.status
                        ),
                    },
                }
            }
            Ok(Some(s)) => Check {
                ok: false,
                what: format!("bootstrap {region}"),
                detail: format!("{TOOLKIT_STACK} is {}; run rcdk bootstrap {region}", s.status),
            },
            Ok(None) => Check {
                ok: false,
                what: format!("bootstrap {region}"),
                detail: format!(
                    "not bootstrapped (needed for file assets and templates over 51,200 bytes); run rcdk bootstrap {region}"
                ),
            },
            Err(e) => Check {
                ok: false,
                what: format!("bootstrap {region}"),
                detail: e.to_string(),
            },
        });
    }
    out
}

/// Returns whether every check passed.
pub fn run(global: &GlobalArgs, args: &DoctorArgs) -> Result<bool, CliError> {
    let dir = std::env::current_dir().map_err(|e| CliError::Usage(e.to_string()))?;
    if args.clean_build_cache {
        let freed = super::build_cache::clean().map_err(|e| CliError::Config {
            path: super::build_cache::root().unwrap_or_default(),
            message: format!("cannot remove the shared build directory: {e}"),
        })?;
        writeln!(
            anstream::stdout(),
            "Removed the shared build directory ({}).",
            super::build_cache::mebibytes(freed)
        )
        .map_err(CliError::Output)?;
    }
    let mut checks = vec![Check {
        ok: true,
        what: "rcdk".into(),
        detail: env!("CARGO_PKG_VERSION").into(),
    }];
    checks.push(tool_version("cargo"));
    checks.push(tool_version("rustc"));
    let (app, mut regions) = project(global, &dir);
    checks.push(app);
    checks.push(Check {
        ok: true,
        what: "build cache".into(),
        detail: super::build_cache::report(&dir),
    });
    regions.extend(args.regions.iter().cloned());
    regions.sort();
    regions.dedup();
    if !args.offline {
        let runtime = super::runtime()?;
        checks.extend(runtime.block_on(aws_checks(regions)));
    }
    let (green, red) = (
        Style::new().fg_color(Some(AnsiColor::Green.into())),
        Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
    );
    let mut out = anstream::stdout();
    for c in &checks {
        let mark = if c.ok {
            format!("{green}ok{green:#}  ")
        } else {
            format!("{red}FAIL{red:#}")
        };
        writeln!(out, "{mark} {:<20} {}", c.what, c.detail).map_err(CliError::Output)?;
    }
    Ok(checks.iter().all(|c| c.ok))
}
