//! `rcdk init [--name NAME] [DIR]`: a new app project that builds and synthesizes at once
//! (as `cdk init app` does): a manifest, `cdk.json`, one sample stack on an L2 construct,
//! a golden-template test, a short README.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::CliError;
use super::args::InitArgs;

/// How the new project names its rcdk dependencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A source checkout: path dependencies into it.
    Path(PathBuf),
    /// Published crates of this version.
    Version(String),
}

impl Source {
    /// A checkout when this binary was built from one that still exists (`cargo install
    /// --path`, `cargo run`), else the published version of this binary.
    pub fn detect(rcdk_path: Option<&Path>, rcdk_version: Option<&str>) -> Source {
        if let Some(p) = rcdk_path {
            return Source::Path(p.to_path_buf());
        }
        if let Some(v) = rcdk_version {
            return Source::Version(v.to_owned());
        }
        let checkout = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        if checkout.join("constructs/Cargo.toml").is_file() {
            Source::Path(checkout)
        } else {
            Source::Version(env!("CARGO_PKG_VERSION").to_owned())
        }
    }

    pub fn dependency(&self, crate_name: &str, folder: &str, extra: &str) -> String {
        match self {
            Source::Path(root) => {
                let path = if folder.is_empty() {
                    root.clone()
                } else {
                    root.join(folder)
                };
                format!(
                    "{crate_name} = {{ path = {:?}{extra} }}",
                    path.display().to_string()
                )
            }
            Source::Version(v) => format!("{crate_name} = {{ version = \"{v}\"{extra} }}"),
        }
    }
}

pub fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !matches!(name, "rcdk" | "rcdk-constructs" | "rcdk-l1" | "test")
}

fn files(name: &str, source: &Source) -> Vec<(&'static str, String)> {
    let krate = name.replace('-', "_");
    let deps = [
        source.dependency("rcdk", "", ", default-features = false"),
        source.dependency(
            "rcdk-constructs",
            "constructs",
            ", default-features = false, features = [\"storage\"]",
        ),
    ]
    .join("\n");
    vec![
        (
            "Cargo.toml",
            format!(
                r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
# default-features = false: the app needs the library, not the CLI and its AWS SDK, and
# of the construct library only the modules it names (add "containers", "data", … as
# the app grows; `default-features = true` takes them all).
{deps}

[dev-dependencies]
insta = "1"

# Its own workspace, even inside another repository.
[workspace]

# What `rcdk synth` builds with (cdk.json). Nothing is optimized: the app runs for
# milliseconds, and the first build takes a third of an optimized one. Only this crate
# is incremental, so that an edit rebuilds in a fraction of a second.
[profile.app]
inherits = "release"
opt-level = 0
incremental = false

[profile.app.package.{name}]
incremental = true
"#
            ),
        ),
        (
            "cdk.json",
            format!(
                "{{\n  \"app\": \"cargo run --quiet --profile app --bin {name}\",\n  \"output\": \"cdk.out\",\n  \"context\": {{}}\n}}\n"
            ),
        ),
        (
            "src/lib.rs",
            r#"//! The app's stacks.

use rcdk::{App, Stack, StackProps, Tags};
use rcdk_constructs::posture;
use rcdk_constructs::storage::{Bucket, BucketProps};

/// Builds every stack of the app.
pub fn build(app: &App) -> Result<(), Box<dyn std::error::Error>> {
    // Environment-agnostic; give it `env: Environment::new(ACCOUNT, REGION)` to pin it.
    let stack = Stack::new(app, "dev-storage", StackProps::default());
    // Encrypted, private, versioned, TLS-only: the L2 defaults.
    Bucket::new(&stack, "Assets", BucketProps::default());
    Tags::of(app).add("Project", env!("CARGO_PKG_NAME"));
    // Security posture rules fail synthesis (`rcdk posture` lists them and any waivers).
    posture::enforce(app);
    Ok(())
}
"#
            .to_owned(),
        ),
        (
            "src/main.rs",
            format!("fn main() -> std::process::ExitCode {{\n    rcdk::run({krate}::build)\n}}\n"),
        ),
        (
            "tests/snapshot.rs",
            format!(
                r#"//! The golden templates, one `snapshots/STACK.snap` per stack (what
//! `rcdk diff --snapshots snapshots` compares with): `cargo test` fails when synthesis
//! drifts from them. Record or accept them with `INSTA_UPDATE=always cargo test` (or
//! `cargo insta review`).

#[test]
fn templates_match_their_snapshots() {{
    let app = rcdk::App::with_context(Default::default(), "cdk.out");
    {krate}::build(&app).expect("the app builds");
    let assembly = app.synthesize().expect("the app synthesizes");
    insta::with_settings!({{snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}}, {{
        for stack in &assembly.stacks {{
            insta::assert_snapshot!(stack.stack_name.clone(), stack.template_json);
        }}
    }});
}}
"#
            ),
        ),
        (
            "README.md",
            format!(
                "# {name}\n\nAn rcdk app. `rcdk synth` writes its CloudFormation to `cdk.out/`; stacks live in `src/lib.rs`.\n`INSTA_UPDATE=always cargo test` records the golden templates in `snapshots/`; `cargo test` then fails on drift, and `rcdk diff --snapshots snapshots` shows a change against them.\n`rcdk posture` lists the security rules the app enforces and its waivers.\n`rcdk diff` compares with what is deployed; `rcdk deploy --all` ships it through change sets.\nrcdk comes from {} (see `Cargo.toml`).\n",
                match source {
                    Source::Path(p) => format!("the checkout at `{}`", p.display()),
                    Source::Version(v) => format!("crates.io, version {v}"),
                }
            ),
        ),
        (".gitignore", "/target/\n/cdk.out/\n*.snap.new\n".to_owned()),
    ]
}

pub fn run(args: &InitArgs) -> Result<(), CliError> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::current_dir().map_err(|e| CliError::Usage(e.to_string()))?,
    };
    let refuse = |message: String| CliError::Config {
        path: dir.clone(),
        message,
    };
    let name = match &args.name {
        Some(n) => n.clone(),
        None => std::fs::canonicalize(&dir)
            .ok()
            .or_else(|| Some(dir.clone()))
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default(),
    };
    if !valid_name(&name) {
        return Err(refuse(format!(
            "'{name}' is not a usable package name (letters, digits, '-' and '_', starting with a letter); pass --name NAME"
        )));
    }
    check_empty(&dir).map_err(refuse)?;
    let source = Source::detect(args.rcdk_path.as_deref(), args.rcdk_version.as_deref());
    for (file, contents) in files(&name, &source) {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CliError::Config {
                path: parent.to_path_buf(),
                message: e.to_string(),
            })?;
        }
        std::fs::write(&path, contents).map_err(|e| CliError::Config {
            path: path.clone(),
            message: e.to_string(),
        })?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Created the rcdk app '{name}' in {}\n  cd {} && rcdk synth      # build and synthesize\n  INSTA_UPDATE=always cargo test   # record the golden templates",
        dir.display(),
        dir.display()
    )
    .map_err(CliError::Output)
}

/// A project goes only into a new or empty folder (a `.git` folder may be there).
pub fn check_empty(dir: &Path) -> Result<(), String> {
    match std::fs::read_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.to_string()),
        Ok(entries) => {
            let mut names: Vec<String> = entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != ".git")
                .collect();
            if names.is_empty() {
                return Ok(());
            }
            names.sort();
            names.truncate(8);
            Err(format!(
                "refusing to create a project in a folder that is not empty (it holds {}); choose a new or empty folder",
                names.join(", ")
            ))
        }
    }
}
