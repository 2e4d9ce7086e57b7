//! Which folders rcdk may replace with a cloud assembly: an absent path, an empty
//! folder, or a cloud assembly (rcdk's or the AWS CDK's). Anything else holds files rcdk
//! did not write, and replacing it would destroy them.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::Value as J;

use crate::error::Error;

/// What an output path holds today, when rcdk may replace it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutdirState {
    /// Not there: it will be created.
    Absent,
    /// An empty folder.
    Empty,
    /// A cloud assembly (rcdk's or the AWS CDK's): it will be replaced.
    Assembly,
}

/// How many foreign entries an error names before it says "and N more".
const NAMED_IN_ERROR: usize = 8;

/// Checks that `dir` may be replaced by a cloud assembly; the error names what is in the way.
pub fn check_output_dir(dir: &Path) -> Result<OutdirState, Error> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(OutdirState::Absent),
        Err(source) => {
            return Err(Error::Write {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    let refuse = |what: &str| Error::OutputInUse {
        path: dir.to_path_buf(),
        why: what.to_owned(),
    };
    if meta.file_type().is_symlink() {
        return Err(refuse(
            "it is a symbolic link; name the folder it points to",
        ));
    }
    if !meta.is_dir() {
        return Err(refuse("it is a file, not a folder"));
    }
    let read_err = |source| Error::Write {
        path: dir.to_path_buf(),
        source,
    };
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let is_dir = entry.file_type().map_err(read_err)?.is_dir();
        names.push((entry.file_name().to_string_lossy().into_owned(), is_dir));
    }
    if names.is_empty() {
        return Ok(OutdirState::Empty);
    }
    names.sort();
    if !names
        .iter()
        .any(|(n, is_dir)| n == "manifest.json" && !is_dir)
    {
        let listed = list(names.iter());
        return Err(refuse(&format!(
            "it is not a cloud assembly (no manifest.json) and holds files rcdk did not write: {listed}"
        )));
    }
    let named = named_by_manifests(dir);
    let foreign: Vec<_> = names
        .iter()
        .filter(|(n, is_dir)| !is_assembly_entry(n, *is_dir, &named))
        .collect();
    if foreign.is_empty() {
        Ok(OutdirState::Assembly)
    } else {
        let listed = list(foreign.into_iter());
        Err(refuse(&format!(
            "it holds a manifest.json, but also files that are not part of a cloud assembly: {listed}"
        )))
    }
}

fn list<'a>(entries: impl ExactSizeIterator<Item = &'a (String, bool)>) -> String {
    let total = entries.len();
    let mut shown: Vec<String> = entries
        .take(NAMED_IN_ERROR)
        .map(|(n, is_dir)| if *is_dir { format!("{n}/") } else { n.clone() })
        .collect();
    if total > NAMED_IN_ERROR {
        shown.push(format!("and {} more", total - NAMED_IN_ERROR));
    }
    shown.join(", ")
}

/// Files a cloud assembly writes by name or by pattern, whoever wrote it.
fn is_assembly_entry(name: &str, is_dir: bool, named: &BTreeSet<String>) -> bool {
    if named.contains(name) {
        return true;
    }
    if is_dir {
        return false;
    }
    matches!(
        name,
        "manifest.json" | "tree.json" | "cdk.out" | "synth.lock"
    ) || name.ends_with(".template.json")
        || name.ends_with(".assets.json")
        || name.ends_with(".metadata.json")
        || (name.starts_with("read.") && name.ends_with(".lock"))
}

/// Entries the manifest and the asset manifests name: templates, asset files and
/// folders, nested assemblies. Only top-level names count (that is what is replaced).
fn named_by_manifests(dir: &Path) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    let Some(manifest) = read_json(&dir.join("manifest.json")) else {
        return named;
    };
    let artifacts = manifest.get("artifacts").and_then(J::as_object);
    for artifact in artifacts.into_iter().flat_map(|a| a.values()) {
        let props = artifact.get("properties");
        for key in ["templateFile", "file", "directoryName"] {
            if let Some(name) = props.and_then(|p| p.get(key)).and_then(J::as_str) {
                named.insert(top_level(name));
            }
        }
    }
    let asset_manifests: Vec<String> = named
        .iter()
        .filter(|n| n.ends_with(".assets.json"))
        .cloned()
        .collect();
    for file in asset_manifests {
        let Some(assets) = read_json(&dir.join(&file)) else {
            continue;
        };
        for kind in ["files", "dockerImages"] {
            let entries = assets.get(kind).and_then(J::as_object);
            for asset in entries.into_iter().flat_map(|m| m.values()) {
                let source = asset.get("source");
                for key in ["path", "directory"] {
                    if let Some(p) = source.and_then(|s| s.get(key)).and_then(J::as_str) {
                        named.insert(top_level(p));
                    }
                }
            }
        }
    }
    named
}

fn top_level(relative: &str) -> String {
    relative
        .trim_start_matches("./")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn read_json(path: &Path) -> Option<J> {
    serde_json::from_str(&fs::read_to_string(path).ok()?).ok()
}

/// A folder beside the output, unique to this write, removed with whatever it still holds
/// when dropped: the assembly is written here first so that a failure leaves nothing.
pub struct StagingDir {
    path: std::path::PathBuf,
}

impl StagingDir {
    /// Creates `PARENT/.NAME.rcdk-PID-N`, the first N not taken (another process, or a
    /// folder left by one that was killed, may hold a name).
    pub fn new_in(parent: &Path, name: &str) -> std::io::Result<StagingDir> {
        let pid = std::process::id();
        let mut attempt = 0u32;
        loop {
            let path = parent.join(format!(".{name}.rcdk-{pid}-{attempt}"));
            match fs::create_dir(&path) {
                Ok(()) => return Ok(StagingDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 1000 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the folder now, reporting a failure that dropping would ignore.
    pub fn close(mut self) -> std::io::Result<()> {
        let path = std::mem::take(&mut self.path);
        fs::remove_dir_all(path)
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

#[cfg(test)]
mod staging_tests {
    use super::StagingDir;

    #[test]
    fn a_taken_name_is_skipped_and_the_folder_goes_when_dropped_or_closed() {
        let parent = tempfile::tempdir().expect("tempdir");
        let taken = parent
            .path()
            .join(format!(".cdk.out.rcdk-{}-0", std::process::id()));
        std::fs::create_dir(&taken).expect("mkdir");
        let staging = StagingDir::new_in(parent.path(), "cdk.out").expect("staging");
        assert_ne!(staging.path(), taken);
        std::fs::write(staging.path().join("file"), "x").expect("write");
        let path = staging.path().to_path_buf();
        drop(staging);
        assert!(!path.exists(), "dropped with its contents");
        let staging = StagingDir::new_in(parent.path(), "cdk.out").expect("staging");
        let path = staging.path().to_path_buf();
        staging.close().expect("closed");
        assert!(!path.exists());
        assert!(taken.exists(), "another's folder is left alone");
    }
}
