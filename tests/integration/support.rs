//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use rcdk::{App, CloudAssembly, SynthError};
use serde_json::Value as J;

pub fn synth(app: &App) -> CloudAssembly {
    app.synthesize()
        .unwrap_or_else(|e| panic!("synthesis failed: {e}"))
}

pub fn synth_err(app: &App) -> SynthError {
    match app.synthesize() {
        Ok(_) => panic!("synthesis succeeded but an error was expected"),
        Err(e) => e,
    }
}

pub fn template<'a>(assembly: &'a CloudAssembly, stack: &str) -> &'a J {
    &assembly
        .stack(stack)
        .unwrap_or_else(|| panic!("no stack {stack}"))
        .template
}

pub fn resource<'a>(assembly: &'a CloudAssembly, stack: &str, logical_id: &str) -> &'a J {
    template(assembly, stack)
        .get("Resources")
        .and_then(|r| r.get(logical_id))
        .unwrap_or_else(|| panic!("no resource {logical_id} in {stack}"))
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `.tools/`, where the project's script installs the pinned tools on first use. A
/// missing tool fails the test; it never skips.
pub fn tools() -> PathBuf {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let status = Command::new("bash")
                .arg(root().join("scripts/install-tools.sh"))
                .status()
                .map_err(|e| format!("cannot run scripts/install-tools.sh: {e}"))?;
            if !status.success() {
                return Err(format!("scripts/install-tools.sh failed: {status}"));
            }
            Ok(root().join(".tools"))
        })
        .clone()
        .unwrap_or_else(|e| panic!("the pinned tools are required: {e}"))
}

/// cfn-lint, installed (pinned) by the project's script on first use.
pub fn cfn_lint() -> PathBuf {
    tools().join("venv/bin/cfn-lint")
}

/// The AWS CDK version of the reference architecture (`scripts/aws-cdk/app.js`),
/// synthesized into `out` by the pinned AWS CDK, as `cdk synth` runs an app.
pub fn aws_cdk_assembly(out: &Path) {
    let tools = tools();
    let run = Command::new(tools.join("venv/bin/node"))
        .arg(root().join("scripts/aws-cdk/app.js"))
        .env("NODE_PATH", tools.join("aws-cdk/node_modules"))
        .env("CDK_OUTDIR", out)
        // What the CDK CLI passes an app by default.
        .env(
            "CDK_CONTEXT_JSON",
            r#"{"aws:cdk:enable-path-metadata":true,"aws:cdk:enable-asset-metadata":true,"aws:cdk:version-reporting":true,"aws:cdk:bundling-stacks":["**"]}"#,
        )
        .output()
        .expect("node runs");
    assert!(
        run.status.success(),
        "the CDK app failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// Runs cfn-lint on `templates`: zero errors and zero warnings is the bar.
#[track_caller]
pub fn assert_cfn_lint_clean(templates: &[PathBuf]) {
    let out = Command::new(cfn_lint())
        .args(templates)
        .output()
        .expect("cfn-lint runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && report.trim().is_empty(),
        "cfn-lint found problems:\n{report}"
    );
}

/// Runs the `rcdk` binary here, with no endpoint from this machine: (exit code, stdout,
/// stderr).
pub fn run_rcdk(args: &[&str]) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rcdk"))
        .args(args)
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("rcdk runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every stack of the reference app, synthesized into `out` (a cloud assembly on disk).
pub fn reference_assembly(out: &Path) -> CloudAssembly {
    let app = App::with_context(Default::default(), out);
    rcdk_apps::build(&app).unwrap_or_else(|e| panic!("{e}"));
    app.synth_to(out).unwrap_or_else(|e| panic!("{e}"))
}

/// The resources of `type_name` in a template, with their logical ids.
pub fn resources_of_type<'a>(t: &'a J, type_name: &str) -> Vec<(&'a String, &'a J)> {
    t["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, r)| r["Type"] == type_name)
        .collect()
}
