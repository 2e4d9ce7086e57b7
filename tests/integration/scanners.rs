//! Scanners security teams run: checkov (pinned, installed by the project's script)
//! finds nothing unsuppressed in any reference template, and every suppression it sees
//! carries a reason.

use std::process::Command;

use crate::support::{cfn_lint, root};

#[test]
fn checkov_finds_nothing_unwaived_in_the_reference_templates() {
    // The same script installs cfn-lint, moto, checkov and actionlint.
    cfn_lint();
    let checkov = root().join(".tools/checkov/bin/checkov");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("cdk.out");
    let app = rcdk::App::with_context(Default::default(), &out);
    rcdk_apps::build(&app).unwrap_or_else(|e| panic!("{e}"));
    let assembly = app.synth_to(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(assembly.stacks.len(), 22);
    let run = Command::new(&checkov)
        .args([
            "--framework",
            "cloudformation",
            "--compact",
            "-o",
            "json",
            "-d",
        ])
        .arg(&out)
        .env("BC_SKIP_MAPPING", "TRUE")
        .env("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", checkov.display()));
    let text = String::from_utf8_lossy(&run.stdout);
    let report: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "checkov gave no JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let reports: Vec<&serde_json::Value> = match &report {
        serde_json::Value::Array(list) => list.iter().collect(),
        one => vec![one],
    };
    let mut failed = Vec::new();
    let mut skipped = 0;
    for r in &reports {
        for f in r["results"]["failed_checks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            failed.push(format!(
                "{} {} {}: {}",
                f["file_path"].as_str().unwrap_or_default(),
                f["resource"].as_str().unwrap_or_default(),
                f["check_id"].as_str().unwrap_or_default(),
                f["check_name"].as_str().unwrap_or_default()
            ));
        }
        for s in r["results"]["skipped_checks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            skipped += 1;
            let reason = s["check_result"]["suppress_comment"]
                .as_str()
                .unwrap_or_default();
            assert!(
                reason.chars().count() >= 20,
                "a waiver without a reason: {s}"
            );
        }
    }
    assert!(
        failed.is_empty(),
        "checkov findings:\n{}",
        failed.join("\n")
    );
    // The decisions are waived, each with its reason: port 80 for the redirect, the
    // access-log buckets' own logging, the sync function outside the VPC, the
    // Single-AZ databases, the replica's inherited encryption.
    assert!(skipped >= 15, "{skipped} waivers");
}
