//! `cdk.json` (and `cdk.context.json`) as the AWS CDK reads them, plus `-c` overrides.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value as J;

use super::CliError;
use super::args::GlobalArgs;

/// What the CLI needs to run an app, resolved from flags and files.
#[derive(Debug)]
pub struct Settings {
    /// Command to run, or a prebuilt assembly directory.
    pub app: AppSource,
    pub outdir: PathBuf,
    pub context: BTreeMap<String, J>,
}

#[derive(Debug)]
pub enum AppSource {
    Command(String),
    Assembly(PathBuf),
}

pub(super) fn read_json_object(
    path: &Path,
) -> Result<Option<serde_json::Map<String, J>>, CliError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CliError::Config {
                path: path.into(),
                message: e.to_string(),
            });
        }
    };
    match serde_json::from_str::<J>(&text) {
        Ok(J::Object(m)) => Ok(Some(m)),
        Ok(_) => Err(CliError::Config {
            path: path.into(),
            message: "must be a JSON object".into(),
        }),
        Err(e) => Err(CliError::Config {
            path: path.into(),
            message: format!("invalid JSON: {e}"),
        }),
    }
}

/// Whether `dir` holds a cloud assembly (its `manifest.json`), which `--app` may name
/// instead of a command.
pub fn is_cloud_assembly(dir: &Path) -> bool {
    dir.join("manifest.json").is_file()
}

pub fn resolve(global: &GlobalArgs, dir: &Path) -> Result<Settings, CliError> {
    let cdk_json = dir.join("cdk.json");
    let config = read_json_object(&cdk_json)?.unwrap_or_default();
    let mut context: BTreeMap<String, J> = BTreeMap::new();
    // Later sources win: cdk.context.json (cached lookups), cdk.json, then -c.
    if let Some(cached) = read_json_object(&dir.join("cdk.context.json"))? {
        context.extend(cached);
    }
    match config.get("context") {
        Some(J::Object(m)) => context.extend(m.clone()),
        Some(_) => {
            return Err(CliError::Config {
                path: cdk_json,
                message: "\"context\" must be an object".into(),
            });
        }
        None => {}
    }
    for kv in &global.context {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| CliError::BadContext(kv.clone()))?;
        if k.is_empty() {
            return Err(CliError::BadContext(kv.clone()));
        }
        context.insert(k.to_owned(), J::String(v.to_owned()));
    }
    let app = match (&global.app, config.get("app")) {
        (Some(a), _) => a.clone(),
        (None, Some(J::String(a))) => a.clone(),
        (None, Some(_)) => {
            return Err(CliError::Config {
                path: cdk_json,
                message: "\"app\" must be a command string".into(),
            });
        }
        (None, None) if cdk_json.is_file() => {
            return Err(CliError::Config {
                path: cdk_json,
                message: "has no \"app\": name the command that runs the app, e.g. \"app\": \"cargo run --quiet --bin my-app\" (or pass --app)".into(),
            });
        }
        (None, None) => {
            return Err(CliError::NoApp {
                dir: dir.to_path_buf(),
            });
        }
    };
    let outdir = match (&global.output, config.get("output").and_then(J::as_str)) {
        (Some(o), _) => o.clone(),
        (None, Some(o)) => PathBuf::from(o),
        (None, None) => PathBuf::from("cdk.out"),
    };
    let outdir = if outdir.is_absolute() {
        outdir
    } else {
        dir.join(outdir)
    };
    let as_dir = dir.join(&app);
    let app = if is_cloud_assembly(&as_dir) {
        // A cloud assembly is read where it is: nothing is written, so -o has no meaning.
        if let Some(o) = &global.output {
            return Err(CliError::Usage(format!(
                "--app {} is a cloud assembly, read where it is; --output {} would be ignored: leave it out",
                as_dir.display(),
                o.display()
            )));
        }
        AppSource::Assembly(as_dir)
    } else if as_dir.is_dir() {
        return Err(CliError::Usage(format!(
            "--app {}: a folder without manifest.json is not a cloud assembly; give a synthesized assembly (cdk.out) or the command that runs the app",
            as_dir.display()
        )));
    } else {
        AppSource::Command(app)
    };
    Ok(Settings {
        app,
        outdir,
        context,
    })
}
