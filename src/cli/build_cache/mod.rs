//! One cargo build directory per toolchain under the user cache, shared by every app rcdk
//! builds: a second app reuses the dependencies the first compiled (same rcdk, same
//! profile), so its first synth compiles only its own crate. Cargo keys each artifact by
//! package, version, features, profile and compiler, and locks the directory while it
//! builds, so apps with different needs and concurrent builds are both safe. Only the
//! intermediate artifacts live here (`build.build-dir`); each app's binary stays in its
//! own `target/`. Copies of one workspace at different paths build in slots of their own
//! (`slots`): cargo would otherwise take one copy's artifacts for the other's.
//!
//! The user's choice wins: a build or target directory set in the environment or in cargo
//! configuration leaves cargo as it is, and `RCDK_BUILD_CACHE=off` turns sharing off.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

mod slots;

/// Environment variables by which a user places cargo's output themselves.
const USER_CHOICE: &[&str] = &[
    "CARGO_BUILD_BUILD_DIR",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
];

/// `~/.cache/rcdk/build` (or under `$XDG_CACHE_HOME`): every toolchain's folder.
pub fn root() -> Option<PathBuf> {
    super::cargo_app::user_cache().map(|c| c.join("rcdk/build"))
}

/// The build directory for an app in `dir`, or `None` when cargo should decide.
pub fn for_app(dir: &Path) -> Option<PathBuf> {
    if left_to_cargo(dir, &|name| std::env::var_os(name)) {
        return None;
    }
    // Both questions take about 25 ms; they are asked at once.
    let root = root()?;
    let asked = slots::Workspace::ask(dir);
    let toolchain = root.join(toolchain(dir)?);
    let workspace = slots::Workspace::read(asked?)?;
    match slots::claim(&toolchain, &workspace) {
        Ok(folder) => Some(folder),
        Err(e) => {
            // Sharing is an optimization: without it the app builds in its own target/.
            let _ = writeln!(
                anstream::stderr(),
                "warning: building without the shared build directory: {e}"
            );
            None
        }
    }
}

/// Whether the user turned sharing off or placed cargo's output themselves (in the
/// environment, or in a cargo configuration file that applies in `dir`).
fn left_to_cargo(dir: &Path, var: &dyn Fn(&str) -> Option<OsString>) -> bool {
    if var("RCDK_BUILD_CACHE").is_some_and(|v| v == "off")
        || USER_CHOICE.iter().any(|name| var(name).is_some())
    {
        return true;
    }
    let cargo_home = var("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let mut files: Vec<PathBuf> = dir
        .ancestors()
        .flat_map(|a| [a.join(".cargo/config.toml"), a.join(".cargo/config")])
        .collect();
    if let Some(home) = cargo_home {
        files.extend([home.join("config.toml"), home.join("config")]);
    }
    files.iter().any(|f| {
        std::fs::read_to_string(f)
            .is_ok_and(|t| t.contains("build-dir") || t.contains("target-dir"))
    })
}

/// `1.95.0-59807616e-x86_64-unknown-linux-gnu`: the compiler cargo would use in `dir`
/// (rustup's toolchain files and `$RUSTC` included), from `rustc -vV`.
fn toolchain(dir: &Path) -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        .arg("-vV")
        .current_dir(dir)
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name).map(str::trim).map(str::to_owned))
    };
    let release = field("release:")?;
    let commit: String = field("commit-hash:")
        .unwrap_or_default()
        .chars()
        .take(9)
        .collect();
    let host = field("host:")?;
    let key = [release.as_str(), commit.as_str(), host.as_str()]
        .iter()
        .filter(|p| !p.is_empty() && **p != "unknown")
        .copied()
        .collect::<Vec<_>>()
        .join("-");
    let safe: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    (!safe.is_empty()).then_some(safe)
}

/// Bytes of the regular files under `path` (0 when it does not exist).
pub fn size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => size(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

/// What `rcdk doctor` says about the cache: where the current toolchain's folder is, its
/// size, and what older toolchains left.
pub fn report(dir: &Path) -> String {
    let Some(root) = root() else {
        return "no user cache folder ($HOME is not set); apps build in their own target/".into();
    };
    let current = (!left_to_cargo(dir, &|name| std::env::var_os(name)))
        .then(|| toolchain(dir).map(|t| root.join(t)))
        .flatten();
    let mut other = 0;
    let mut others = 0;
    if let Ok(entries) = std::fs::read_dir(&root) {
        for e in entries.flatten() {
            if Some(e.path()) != current {
                other += size(&e.path());
                others += 1;
            }
        }
    }
    let mut text = match &current {
        Some(c) => format!(
            "{} ({}), shared by every app rcdk builds",
            c.display(),
            mebibytes(size(c))
        ),
        None => {
            "not used here (a build or target directory is set, or RCDK_BUILD_CACHE=off)".into()
        }
    };
    let slot = current.as_deref().and_then(|c| {
        let workspace = slots::Workspace::of(dir)?;
        slots::peek(c, &workspace).ok()
    });
    if let Some((slot, count)) = slot {
        text.push_str(&format!(
            "; this app builds in slot {slot} of {} (each copy of a workspace at another path has its own)",
            count.max(slot + 1)
        ));
    }
    if others > 0 {
        text.push_str(&format!(
            "; {others} other toolchain folder(s) hold {}",
            mebibytes(other)
        ));
    }
    text.push_str("; `rcdk doctor --clean-build-cache` removes it all");
    text
}

/// `12.3 MiB`.
pub fn mebibytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Removes every toolchain's folder; returns the bytes freed.
pub fn clean() -> std::io::Result<u64> {
    let Some(root) = root() else { return Ok(0) };
    let freed = size(&root);
    match std::fs::remove_dir_all(&root) {
        Ok(()) => Ok(freed),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_users_own_placement_of_cargo_output_wins() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let app = tmp.path().join("app");
        std::fs::create_dir_all(&app).expect("mkdir");
        let home = tmp.path().join("home");
        let env = |pairs: Vec<(&'static str, OsString)>| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.clone())
            }
        };
        let plain = env(vec![("HOME", home.clone().into())]);
        assert!(!left_to_cargo(&app, &plain), "nothing chosen: rcdk shares");
        for var in USER_CHOICE {
            let chosen = env(vec![("HOME", home.clone().into()), (var, "/x".into())]);
            assert!(left_to_cargo(&app, &chosen), "{var}");
        }
        let off = env(vec![("RCDK_BUILD_CACHE", "off".into())]);
        assert!(left_to_cargo(&app, &off));
        // A cargo configuration above the app, or in CARGO_HOME, that places the output.
        std::fs::create_dir_all(tmp.path().join(".cargo")).expect("mkdir");
        std::fs::write(
            tmp.path().join(".cargo/config.toml"),
            "[build]\ntarget-dir = \"t\"\n",
        )
        .expect("write");
        assert!(left_to_cargo(&app, &plain));
        std::fs::remove_file(tmp.path().join(".cargo/config.toml")).expect("rm");
        std::fs::create_dir_all(&home).expect("mkdir");
        std::fs::create_dir_all(home.join(".cargo")).expect("mkdir");
        std::fs::write(
            home.join(".cargo/config.toml"),
            "[build]\nbuild-dir = \"b\"\n",
        )
        .expect("write");
        assert!(left_to_cargo(&app, &plain));
    }

    #[test]
    fn the_toolchain_names_the_folder() {
        let here = std::env::current_dir().expect("cwd");
        let key = toolchain(&here).expect("rustc -vV answers");
        assert!(
            key.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c)),
            "{key}"
        );
        let version = Command::new("rustc").arg("-V").output().expect("rustc");
        let release = String::from_utf8_lossy(&version.stdout)
            .split_whitespace()
            .nth(1)
            .map(str::to_owned)
            .expect("rustc X.Y.Z");
        assert!(
            key.starts_with(&format!("{release}-")),
            "{key} names {release}"
        );
    }
}
