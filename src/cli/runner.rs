//! Runs the app the way the AWS CDK CLI does: a shell command with `CDK_OUTDIR`
//! and `CDK_CONTEXT_JSON` in its environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::CliError;
use super::cargo_app::{self, CargoRun};
use super::config::{AppSource, Settings};

/// Runs the app (unless it is a prebuilt assembly) and returns the assembly directory.
pub fn produce_assembly(settings: &Settings, dir: &Path) -> Result<PathBuf, CliError> {
    let command = match &settings.app {
        AppSource::Assembly(path) => return Ok(path.clone()),
        AppSource::Command(c) => c,
    };
    // Refuse before the app runs (and builds): the app would refuse too, but later.
    crate::synth::check_output_dir(&settings.outdir)?;
    let context = serde_json::to_string(&settings.context).unwrap_or_else(|_| "{}".into());
    // A `cargo run` app: rcdk builds it (or finds it up to date) and runs the binary.
    let mut cmd = match CargoRun::parse(command) {
        Some(run) => {
            let exe = cargo_app::executable(dir, command, &run).map_err(|message| {
                CliError::AppBuild {
                    command: command.clone(),
                    message,
                }
            })?;
            let mut c = Command::new(exe);
            c.args(run.app_args());
            c
        }
        None => {
            let mut c = Command::new("sh");
            c.arg("-c").arg(command);
            c
        }
    };
    cmd.current_dir(dir);
    cmd.env("CDK_OUTDIR", &settings.outdir)
        .env("CDK_CONTEXT_JSON", context);
    if std::env::var_os("CDK_DEFAULT_REGION").is_none()
        && let Some(region) =
            std::env::var_os("AWS_REGION").or_else(|| std::env::var_os("AWS_DEFAULT_REGION"))
    {
        cmd.env("CDK_DEFAULT_REGION", region);
    }
    // The app's own stdout goes to our stderr: stdout carries only what rcdk prints.
    cmd.stdin(Stdio::null())
        .stdout(std::io::stderr())
        .stderr(Stdio::inherit());
    let before = manifest_stamp(&settings.outdir);
    let status = cmd.status().map_err(|source| CliError::AppSpawn {
        command: command.clone(),
        source,
    })?;
    if !status.success() {
        let status = match status.code() {
            Some(code) => format!("exit code {code}"),
            None => "killed by a signal".into(),
        };
        return Err(CliError::AppFailed {
            command: command.clone(),
            status,
        });
    }
    // A stale assembly from an earlier run must never pass for this run's output.
    let after = manifest_stamp(&settings.outdir);
    if after.is_none() || after == before {
        return Err(CliError::NoAssembly {
            command: command.clone(),
            outdir: settings.outdir.clone(),
        });
    }
    Ok(settings.outdir.clone())
}

/// Identity of the manifest file (inode, modification time), to tell a fresh write.
fn manifest_stamp(outdir: &Path) -> Option<(u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(outdir.join("manifest.json")).ok()?;
    Some((meta.ino(), meta.modified().ok()?))
}
