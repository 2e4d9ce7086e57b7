//! Slots of a toolchain's shared build directory, so that copies of one workspace never
//! share artifacts.
//!
//! Cargo keys the artifacts of a package that lives inside its workspace by the package's
//! path *relative to* the workspace root, and calls them fresh when no source is newer
//! than they are. Two copies of one workspace at different paths (a clone, a git worktree,
//! a CI checkout) would therefore share one set of artifacts in a shared build directory,
//! and a copy whose sources are older than the other's build would run the other copy's
//! binary: its stacks, its `env!("CARGO_MANIFEST_DIR")`, its assets. A slot is a build
//! directory in which each such package name belongs to one workspace root. Different
//! apps have different package names and share slot 0; a copy of a workspace gets the
//! first slot where none of its packages belongs to another root, and keeps it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde::{Deserialize, Serialize};

/// The file, in a toolchain's folder, that records which root owns each package of a slot.
const OWNERS: &str = "slots.json";

/// A cargo workspace: its root and the packages under it (the ones keyed by relative path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    pub root: PathBuf,
    pub packages: Vec<String>,
}

impl Workspace {
    /// The workspace of the app in `dir`, as `cargo metadata --no-deps` describes it
    /// (25 ms; it reads manifests only). `None` when cargo cannot say: the build that
    /// follows reports why.
    pub fn of(dir: &Path) -> Option<Workspace> {
        Workspace::read(Workspace::ask(dir)?)
    }

    /// Starts `cargo metadata`, so that the caller can do other work while it runs.
    pub fn ask(dir: &Path) -> Option<Child> {
        Command::new("cargo")
            .args([
                "metadata",
                "--no-deps",
                "--format-version",
                "1",
                "--offline",
            ])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()
    }

    /// The workspace from the answer of [`Workspace::ask`].
    pub fn read(child: Child) -> Option<Workspace> {
        let out = child
            .wait_with_output()
            .ok()
            .filter(|o| o.status.success())?;
        Workspace::from_metadata(&out.stdout)
    }

    fn from_metadata(json: &[u8]) -> Option<Workspace> {
        let meta: serde_json::Value = serde_json::from_slice(json).ok()?;
        let root = PathBuf::from(meta["workspace_root"].as_str()?);
        let mut packages: Vec<String> = meta["packages"]
            .as_array()?
            .iter()
            .filter(|p| {
                p["manifest_path"]
                    .as_str()
                    .is_some_and(|m| Path::new(m).starts_with(&root))
            })
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect();
        packages.sort();
        packages.dedup();
        Some(Workspace { root, packages })
    }
}

/// Per slot, which workspace root each package name belongs to. Claims are never
/// dropped: artifacts a root left in a slot stay there after it moves or is deleted.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Owners {
    slots: Vec<BTreeMap<String, PathBuf>>,
}

impl Owners {
    /// The first slot where no package of `ws` belongs to another root (a new one if none).
    fn slot_for(&self, ws: &Workspace) -> usize {
        self.slots
            .iter()
            .position(|owners| {
                ws.packages
                    .iter()
                    .all(|p| owners.get(p).is_none_or(|root| *root == ws.root))
            })
            .unwrap_or(self.slots.len())
    }

    fn claim(&mut self, ws: &Workspace) -> usize {
        let slot = self.slot_for(ws);
        if slot == self.slots.len() {
            self.slots.push(BTreeMap::new());
        }
        for p in &ws.packages {
            self.slots[slot].insert(p.clone(), ws.root.clone());
        }
        slot
    }

    fn read(folder: &Path) -> io::Result<Owners> {
        match std::fs::read(folder.join(OWNERS)) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{} is not rcdk's record of slots ({e}); `rcdk doctor --clean-build-cache` starts afresh",
                        folder.join(OWNERS).display()
                    ),
                )
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Owners::default()),
            Err(e) => Err(e),
        }
    }

    fn write(&self, folder: &Path) -> io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(io::Error::other)?;
        let staged = folder.join(format!("{OWNERS}.{}", std::process::id()));
        std::fs::write(&staged, text)?;
        std::fs::rename(&staged, folder.join(OWNERS))
    }
}

/// The slot's folder, `<toolchain folder>/<slot>`.
pub fn folder(toolchain: &Path, slot: usize) -> PathBuf {
    toolchain.join(slot.to_string())
}

/// Claims a slot of `toolchain` (the toolchain's folder) for `ws` and returns its folder.
/// Concurrent rcdk processes wait for each other on a lock file.
pub fn claim(toolchain: &Path, ws: &Workspace) -> io::Result<PathBuf> {
    std::fs::create_dir_all(toolchain)?;
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(toolchain.join("slots.lock"))?;
    lock.lock()?;
    let mut owners = Owners::read(toolchain)?;
    let before = owners.slots.clone();
    let slot = owners.claim(ws);
    if owners.slots != before {
        owners.write(toolchain)?;
    }
    Ok(folder(toolchain, slot))
}

/// The slot `ws` would build in and how many slots exist, claiming nothing.
pub fn peek(toolchain: &Path, ws: &Workspace) -> io::Result<(usize, usize)> {
    let owners = Owners::read(toolchain)?;
    Ok((owners.slot_for(ws), owners.slots.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(root: &str, packages: &[&str]) -> Workspace {
        Workspace {
            root: PathBuf::from(root),
            packages: packages.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    #[test]
    fn different_apps_share_a_slot_and_copies_of_one_workspace_do_not() {
        let mut owners = Owners::default();
        let reference = ws("/work/main", &["rcdk", "rcdk-apps", "rcdk-constructs"]);
        assert_eq!(owners.claim(&reference), 0);
        assert_eq!(owners.claim(&ws("/home/a/first-app", &["first-app"])), 0);
        assert_eq!(owners.claim(&ws("/home/a/second-app", &["second-app"])), 0);
        // A clone of the reference app elsewhere, and a second worktree.
        let clone = ws("/tmp/ci-clone", &["rcdk", "rcdk-apps", "rcdk-constructs"]);
        assert_eq!(owners.claim(&clone), 1);
        let worktree = ws("/work/feature", &["rcdk", "rcdk-apps", "rcdk-constructs"]);
        assert_eq!(owners.claim(&worktree), 2);
        // Each keeps its slot.
        assert_eq!(owners.claim(&reference), 0);
        assert_eq!(owners.claim(&clone), 1);
        // A copy of first-app joins the first slot where first-app is free.
        assert_eq!(owners.claim(&ws("/tmp/first-app", &["first-app"])), 1);
        // A root that gains a package another root of its slot owns moves on, and its
        // old claims stay: nobody else may build its packages in slot 0.
        let grown = ws("/home/a/second-app", &["first-app", "second-app"]);
        assert_eq!(owners.claim(&grown), 2);
        assert_eq!(
            owners.slots[0].get("second-app"),
            Some(&PathBuf::from("/home/a/second-app"))
        );
        assert_eq!(owners.claim(&ws("/x/second-app", &["second-app"])), 1);
    }

    #[test]
    fn claims_are_recorded_and_a_damaged_record_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let toolchain = tmp.path().join("1.95.0-abc-host");
        let app = ws("/a/app", &["app"]);
        let copy = ws("/b/app", &["app"]);
        assert_eq!(peek(&toolchain, &app).expect("peek"), (0, 0));
        assert_eq!(claim(&toolchain, &app).expect("claim"), toolchain.join("0"));
        assert_eq!(
            claim(&toolchain, &copy).expect("claim"),
            toolchain.join("1")
        );
        assert_eq!(peek(&toolchain, &copy).expect("peek"), (1, 2));
        assert_eq!(claim(&toolchain, &app).expect("claim"), toolchain.join("0"));
        std::fs::write(toolchain.join(OWNERS), "{").expect("write");
        let err = claim(&toolchain, &app).expect_err("damaged");
        assert!(err.to_string().contains("--clean-build-cache"), "{err}");
    }

    #[test]
    fn the_packages_are_those_under_the_workspace_root() {
        let json = br#"{"workspace_root": "/w", "packages": [
            {"name": "app", "manifest_path": "/w/Cargo.toml"},
            {"name": "lib", "manifest_path": "/w/lib/Cargo.toml"},
            {"name": "outside", "manifest_path": "/elsewhere/Cargo.toml"}
        ]}"#;
        assert_eq!(
            Workspace::from_metadata(json),
            Some(ws("/w", &["app", "lib"]))
        );
        let here = Workspace::of(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("cargo metadata");
        assert_eq!(here.root, Path::new(env!("CARGO_MANIFEST_DIR")));
        assert!(here.packages.iter().any(|p| p == "rcdk-constructs"));
    }
}
