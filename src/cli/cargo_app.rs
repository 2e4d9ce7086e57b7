//! Apps run with `cargo run …`: rcdk builds them with `cargo build` itself, learns where
//! the binary is and which files it was built from (cargo's dep-info), and on the next
//! run skips cargo when none of those inputs changed. The binary itself still runs
//! every time, so what it reads at run time (settings files, context) is always fresh.
//!
//! The fingerprint errs on the side of rebuilding: every source file of the binary and
//! of its path dependencies (size and modification time), every `Cargo.toml` above
//! them, the lock file, cargo configuration and toolchain files, the environment
//! variables that steer a build, and the binary itself. `RCDK_APP_CACHE=off` turns it off.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use serde_json::Value as J;

/// A `cargo run` command line, understood.
#[derive(Debug, Clone, PartialEq)]
pub struct CargoRun {
    /// Flags for `cargo build` (everything between `run` and `--`).
    build_flags: Vec<String>,
    bin: Option<String>,
    /// Arguments for the app (after `--`).
    app_args: Vec<String>,
}

/// Flags of `cargo run` that take a value, and those that do not; anything else makes
/// rcdk leave the command to the shell.
const WITH_VALUE: &[&str] = &[
    "--profile",
    "-p",
    "--package",
    "--bin",
    "--manifest-path",
    "--features",
    "-F",
    "-j",
    "--jobs",
    "--target-dir",
];
const WITHOUT_VALUE: &[&str] = &[
    "-q",
    "--quiet",
    "-r",
    "--release",
    "--all-features",
    "--no-default-features",
    "--offline",
    "--locked",
    "--frozen",
];

impl CargoRun {
    /// The arguments the app gets (those after `--`).
    pub fn app_args(&self) -> &[String] {
        &self.app_args
    }

    /// `Some` for a plain `cargo run [flags] [-- args]` without shell syntax.
    pub fn parse(command: &str) -> Option<CargoRun> {
        if command.contains([
            ';', '&', '|', '$', '<', '>', '`', '"', '\'', '(', ')', '\\', '*', '?', '~',
        ]) {
            return None;
        }
        let mut words = command.split_whitespace();
        if (words.next(), words.next()) != (Some("cargo"), Some("run")) {
            return None;
        }
        let mut run = CargoRun {
            build_flags: Vec::new(),
            bin: None,
            app_args: Vec::new(),
        };
        while let Some(w) = words.next() {
            if w == "--" {
                run.app_args = words.map(str::to_owned).collect();
                break;
            }
            let (flag, inline) = match w.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
                _ => (w, None),
            };
            if WITHOUT_VALUE.contains(&flag) && inline.is_none() {
                run.build_flags.push(w.to_owned());
            } else if WITH_VALUE.contains(&flag) {
                let value = match inline {
                    Some(v) => v,
                    None => words.next()?.to_owned(),
                };
                if flag == "--bin" {
                    run.bin = Some(value.clone());
                }
                run.build_flags.push(flag.to_owned());
                run.build_flags.push(value);
            } else {
                return None;
            }
        }
        Some(run)
    }
}

/// One input of the build: a file's identity as the file system reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    path: PathBuf,
    /// `None` when the file did not exist.
    len: Option<u64>,
    mtime_ns: Option<u128>,
}

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok();
    Stamp {
        path: path.to_path_buf(),
        len: meta.as_ref().map(std::fs::Metadata::len),
        mtime_ns: meta
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_nanos()),
    }
}

/// Environment variables that change what cargo builds.
fn build_env() -> BTreeMap<String, String> {
    const NAMES: &[&str] = &[
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTUP_TOOLCHAIN",
        "CARGO_HOME",
        "CARGO_TARGET_DIR",
        "CARGO_INCREMENTAL",
    ];
    std::env::vars()
        .filter(|(k, _)| {
            NAMES.contains(&k.as_str())
                || k.starts_with("CARGO_PROFILE_")
                || k.starts_with("CARGO_BUILD_")
                || k.starts_with("CARGO_TARGET_")
        })
        .collect()
}

/// What the last build left: the binary and the inputs it was built from.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    command: String,
    dir: PathBuf,
    executable: PathBuf,
    env: BTreeMap<String, String>,
    inputs: Vec<Stamp>,
}

impl Record {
    fn is_fresh(&self) -> bool {
        self.env == build_env() && self.inputs.iter().all(|s| stamp(&s.path) == *s)
    }
}

/// `$XDG_CACHE_HOME`, else `~/.cache`.
pub fn user_cache() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
}

fn cache_file(dir: &Path, command: &str) -> Option<PathBuf> {
    if std::env::var("RCDK_APP_CACHE").is_ok_and(|v| v == "off") {
        return None;
    }
    let base = user_cache()?;
    // FNV-1a of the project folder and the command: one record per app.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in dir
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .chain(command.as_bytes())
    {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    Some(base.join("rcdk/apps").join(format!("{hash:016x}.json")))
}

/// The binary to run for `run`, built or reused; `Err` carries what to tell the user.
pub fn executable(dir: &Path, command: &str, run: &CargoRun) -> Result<PathBuf, String> {
    let cache = cache_file(dir, command);
    if let Some(record) = cache
        .as_deref()
        .and_then(|c| std::fs::read_to_string(c).ok())
        .and_then(|t| serde_json::from_str::<Record>(&t).ok())
        && record.command == command
        && record.dir == dir
        && record.is_fresh()
    {
        return Ok(record.executable);
    }
    let env = build_env();
    let executable = build(dir, run)?;
    if let Some(cache) = cache {
        let record = Record {
            command: command.to_owned(),
            dir: dir.to_path_buf(),
            inputs: inputs(dir, &executable),
            executable: executable.clone(),
            env,
        };
        save(&cache, &record);
    }
    Ok(executable)
}

/// Runs `cargo build` with the command's flags and returns the binary it produced.
fn build(dir: &Path, run: &CargoRun) -> Result<PathBuf, String> {
    let mut cargo = Command::new("cargo");
    if let Some(shared) = super::build_cache::for_app(dir) {
        cargo.env("CARGO_BUILD_BUILD_DIR", shared);
    }
    let out = cargo
        .arg("build")
        .args(&run.build_flags)
        .arg("--message-format=json-render-diagnostics")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo build failed ({}); its errors are printed above",
            out.status
        ));
    }
    let mut found = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<J>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let Some(exe) = msg["executable"].as_str() else {
            continue;
        };
        let name = msg["target"]["name"].as_str().unwrap_or_default();
        if run.bin.as_deref().is_none_or(|b| b == name) {
            found.push(PathBuf::from(exe));
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err("cargo build produced no binary; name it with --bin in the app command".into()),
        _ => Err(
            "cargo build produced several binaries; name one with --bin in the app command".into(),
        ),
    }
}

/// The inputs of the binary: cargo's dep-info, plus what steers cargo itself.
fn inputs(dir: &Path, executable: &Path) -> Vec<Stamp> {
    let mut files: Vec<PathBuf> = vec![executable.to_path_buf()];
    let dep_info = executable.with_extension("d");
    files.push(dep_info.clone());
    let sources = std::fs::read_to_string(&dep_info)
        .map(|t| dep_info_paths(&t))
        .unwrap_or_default();
    let mut folders: Vec<PathBuf> = sources
        .iter()
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect();
    folders.push(dir.to_path_buf());
    folders.sort();
    folders.dedup();
    files.extend(sources);
    // Manifests, lock files, cargo configuration and toolchain pins above every folder.
    let mut steering = Vec::new();
    for folder in &folders {
        for ancestor in folder.ancestors() {
            for name in [
                "Cargo.toml",
                "Cargo.lock",
                ".cargo/config.toml",
                ".cargo/config",
                "rust-toolchain",
                "rust-toolchain.toml",
            ] {
                steering.push(ancestor.join(name));
            }
        }
    }
    steering.sort();
    steering.dedup();
    files.extend(steering);
    files.iter().map(|p| stamp(p)).collect()
}

/// The prerequisites of a Makefile-style dep-info file (`target: a b\ c …`).
fn dep_info_paths(text: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((_, deps)) = line.split_once(": ") else {
            continue;
        };
        let mut cur = String::new();
        let mut chars = deps.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&' ') => {
                    cur.push(' ');
                    chars.next();
                }
                ' ' => {
                    if !cur.is_empty() {
                        out.push(PathBuf::from(std::mem::take(&mut cur)));
                    }
                }
                _ => cur.push(c),
            }
        }
        if !cur.is_empty() {
            out.push(PathBuf::from(cur));
        }
    }
    out
}

/// Saves the record whole (temporary file, then rename); a cache that cannot be written
/// only costs the next run a `cargo build`.
fn save(path: &Path, record: &Record) {
    let Some(parent) = path.parent() else { return };
    if std::fs::create_dir_all(parent).is_err() {
        return;
    }
    let Ok(text) = serde_json::to_string(record) else {
        return;
    };
    if let Ok(mut temp) = tempfile::NamedTempFile::new_in(parent) {
        use std::io::Write;
        if temp.write_all(text.as_bytes()).is_ok() {
            let _ = temp.persist(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_run_commands_are_understood_or_left_to_the_shell() {
        let r = CargoRun::parse("cargo run --quiet --release -p rcdk-apps --bin reference-app")
            .expect("a cargo run");
        assert_eq!(r.bin.as_deref(), Some("reference-app"));
        assert_eq!(
            r.build_flags,
            [
                "--quiet",
                "--release",
                "-p",
                "rcdk-apps",
                "--bin",
                "reference-app"
            ]
        );
        let r = CargoRun::parse("cargo run --profile=app -- --verbose").expect("a cargo run");
        assert_eq!(r.build_flags, ["--profile", "app"]);
        assert_eq!(r.app_args, ["--verbose"]);
        for shell in [
            "cargo run && echo done",
            "cargo run --example l2",
            "FOO=1 cargo run",
            "npx ts-node bin/app.ts",
            "cargo run --bin",
        ] {
            assert_eq!(CargoRun::parse(shell), None, "{shell}");
        }
    }

    #[test]
    fn dep_info_paths_keep_escaped_spaces() {
        let paths = dep_info_paths("/t/app: /a/src/main.rs /my\\ dir/lib.rs\n\n/a/src/main.rs:\n");
        assert_eq!(
            paths,
            [
                PathBuf::from("/a/src/main.rs"),
                PathBuf::from("/my dir/lib.rs")
            ]
        );
    }
}
