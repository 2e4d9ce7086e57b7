//! `--outputs-file`: the stacks' outputs as JSON. rcdk replaces only a file it could have
//! written (absent, empty, or a JSON object), and writes it whole or not at all.

use std::io::Write;
use std::path::Path;

use serde_json::{Map, Value as J};

use super::CliError;

fn refuse(path: &Path, why: &str) -> CliError {
    CliError::Config {
        path: path.to_path_buf(),
        message: format!(
            "refusing to write --outputs-file here: {why}; name a new file or an earlier outputs file"
        ),
    }
}

/// Checks, before anything is deployed, that `path` may be replaced.
pub fn check(path: &Path) -> Result<(), CliError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(refuse(path, &e.to_string())),
    };
    if meta.is_dir() {
        return Err(refuse(path, "it is a folder"));
    }
    if meta.file_type().is_symlink() {
        return Err(refuse(path, "it is a symbolic link"));
    }
    let text = std::fs::read_to_string(path).map_err(|e| refuse(path, &e.to_string()))?;
    if text.trim().is_empty() || matches!(serde_json::from_str::<J>(&text), Ok(J::Object(_))) {
        Ok(())
    } else {
        Err(refuse(path, "it exists and is not a JSON outputs file"))
    }
}

/// Writes the outputs through a temporary file in the same folder, renamed into place.
pub fn write(path: &Path, outputs: Map<String, J>) -> Result<(), CliError> {
    check(path)?;
    let fail = |e: std::io::Error| CliError::Config {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let text = serde_json::to_string_pretty(&J::Object(outputs)).unwrap_or_default() + "\n";
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".rcdk-outputs-")
        .tempfile_in(folder)
        .map_err(fail)?;
    temp.write_all(text.as_bytes()).map_err(fail)?;
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
