//! The migrated app's files: a crate like `rcdk init`'s, with one module per stack, the
//! source templates it must synthesize, and a test that holds it to them.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;

use super::StackModule;
use crate::cli::CliError;

pub use crate::cli::init::Source;

/// The app goes into a new or empty folder under a usable package name.
pub fn check_target(dir: &Path, name: &str) -> Result<(), CliError> {
    let refuse = |message: String| CliError::Config {
        path: dir.to_path_buf(),
        message,
    };
    if !crate::cli::init::valid_name(name) {
        return Err(refuse(format!(
            "'{name}' is not a usable package name (letters, digits, '-' and '_', starting with a letter); pass --name NAME"
        )));
    }
    crate::cli::init::check_empty(dir).map_err(refuse)
}

fn manifest(name: &str, source: &Source, services: &BTreeSet<String>) -> String {
    let features: Vec<String> = services.iter().map(|s| format!("{s:?}")).collect();
    let deps = [
        source.dependency("rcdk", "", ", default-features = false"),
        source.dependency(
            "rcdk-l1",
            "l1",
            &format!(
                ", default-features = false, features = [{}]",
                features.join(", ")
            ),
        ),
    ]
    .join("\n");
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
# Only the L1 services the stacks use are compiled (add a feature to use another).
{deps}
serde_json = "1"

# Its own workspace, even inside another repository.
[workspace]

# What `rcdk synth` builds with (cdk.json): nothing optimized (the app runs for
# milliseconds); only this crate incremental, so that an edit rebuilds fast.
[profile.app]
inherits = "release"
opt-level = 0
incremental = false

[profile.app.package.{name}]
incremental = true
"#
    )
}

fn lib_rs(modules: &[StackModule]) -> String {
    let mut s = String::from(
        "//! The app's stacks, migrated by `rcdk migrate`: one module per stack, each building\n//! the template it came from (`sources/`, checked by `tests/templates.rs`).\n\n// Numbers are the templates' own (a `3.14` is not meant as π).\n#![allow(clippy::approx_constant)]\n\nuse rcdk::App;\n\n",
    );
    for m in modules {
        let _ = writeln!(s, "pub mod {};", m.module);
    }
    s.push_str("\n/// Builds every stack of the app.\npub fn build(app: &App) -> Result<(), Box<dyn std::error::Error>> {\n");
    for m in modules {
        let _ = writeln!(s, "    {}::build(app)?;", m.module);
    }
    s.push_str("    Ok(())\n}\n");
    s
}

fn test_rs(krate: &str) -> String {
    format!(
        r#"//! The golden templates: every stack synthesizes `sources/STACK.json`, which starts as the
//! template it was migrated from. Compared up to spellings CloudFormation reads alike
//! (`rcdk::diff::equivalent`). After a deliberate change, record the new templates with
//! `UPDATE_SOURCES=1 cargo test` and review them in the diff.

#[test]
fn stacks_synthesize_their_golden_templates() {{
    let app = rcdk::App::with_context(Default::default(), "cdk.out");
    {krate}::build(&app).expect("the app builds");
    let assembly = app.synthesize().expect("the app synthesizes");
    let update = std::env::var_os("UPDATE_SOURCES").is_some();
    let mut failures = Vec::new();
    for stack in &assembly.stacks {{
        let path = format!("{{}}/sources/{{}}.json", env!("CARGO_MANIFEST_DIR"), stack.stack_name);
        if update {{
            std::fs::write(&path, &stack.template_json).expect("writes the golden template");
            continue;
        }}
        let text = std::fs::read_to_string(&path).expect("the golden template");
        let golden: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        if let Err(difference) = rcdk::diff::equivalent(&golden, &stack.template) {{
            failures.push(format!("{{}}: {{difference}}", stack.stack_name));
        }}
    }}
    assert!(failures.is_empty(), "{{}}", failures.join("\n"));
}}
"#
    )
}

fn readme(name: &str, modules: &[StackModule]) -> String {
    let mut s = format!(
        "# {name}\n\nMigrated by `rcdk migrate`: each stack below is typed rcdk code that synthesizes the\ntemplate it came from (kept in `sources/`, the golden templates; `cargo test` checks
them). Values the typed API\ncannot say exactly are kept as written; `migrate-report.json` lists each with why.\n\n| stack | module |\n| --- | --- |\n"
    );
    for m in modules {
        let _ = writeln!(s, "| `{}` | `src/{}.rs` |", m.stack, m.module);
    }
    s.push_str(
        "\n- `rcdk synth` writes the templates to `cdk.out/`;\n- `cargo test` checks them against the golden templates in `sources/`; after a deliberate\n  change, `UPDATE_SOURCES=1 cargo test` records the new ones (review them in the diff);\n- `rcdk diff` against a deployed stack of the same name shows no change, and `rcdk deploy`\n  then takes the stack over (parameters keep their deployed values).\n",
    );
    s
}

fn write_file(dir: &Path, file: &str, contents: &str) -> Result<(), CliError> {
    let path = dir.join(file);
    let fail = |e: std::io::Error, p: &Path| CliError::Config {
        path: p.to_path_buf(),
        message: e.to_string(),
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| fail(e, parent))?;
    }
    std::fs::write(&path, contents).map_err(|e| fail(e, &path))
}

/// Writes the project; the Rust files through `rustfmt` when it is installed.
pub fn write(
    dir: &Path,
    name: &str,
    source: &Source,
    modules: &[StackModule],
    services: &BTreeSet<String>,
    report: &str,
) -> Result<(), CliError> {
    let krate = name.replace('-', "_");
    let mut rust_files = vec![
        "src/lib.rs".to_owned(),
        "src/main.rs".to_owned(),
        "tests/templates.rs".to_owned(),
    ];
    write_file(dir, "Cargo.toml", &manifest(name, source, services))?;
    write_file(
        dir,
        "cdk.json",
        &format!(
            "{{\n  \"app\": \"cargo run --quiet --profile app --bin {name}\",\n  \"output\": \"cdk.out\",\n  \"context\": {{}}\n}}\n"
        ),
    )?;
    write_file(dir, "src/lib.rs", &lib_rs(modules))?;
    write_file(
        dir,
        "src/main.rs",
        &format!("fn main() -> std::process::ExitCode {{\n    rcdk::run({krate}::build)\n}}\n"),
    )?;
    for m in modules {
        let file = format!("src/{}.rs", m.module);
        write_file(dir, &file, &m.code)?;
        rust_files.push(file);
        let pretty = serde_json::to_string_pretty(&m.template).unwrap_or_default() + "\n";
        write_file(dir, &format!("sources/{}.json", m.stack), &pretty)?;
    }
    write_file(dir, "tests/templates.rs", &test_rs(&krate))?;
    write_file(dir, "README.md", &readme(name, modules))?;
    write_file(dir, ".gitignore", "/target/\n/cdk.out/\n*.snap.new\n")?;
    write_file(dir, "migrate-report.json", report)?;
    format(dir, &rust_files);
    Ok(())
}

/// `rustfmt` on the generated files (edition 2024), if the toolchain has it: the code is
/// then as `cargo fmt` leaves it.
fn format(dir: &Path, files: &[String]) {
    let status = std::process::Command::new("rustfmt")
        .arg("--edition")
        .arg("2024")
        .args(files)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!(
            "note: rustfmt did not run on the generated code (install it: rustup component add rustfmt); it builds as it is"
        );
    }
}
