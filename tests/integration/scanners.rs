//! Scanners security teams run: checkov, CloudFormation Guard with the AWS Control Tower
//! proactive-control rules and cdk-nag's AwsSolutions pack (all pinned, installed by the
//! project's script) find nothing unwaived in any reference template, and every waiver
//! they see carries a reason.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use rcdk_constructs::posture::{self, Rule};
use serde_json::{Value as J, json};

use crate::support::{cfn_lint, reference_assembly, root};

/// Synthesizes the reference app into a temporary `cdk.out`.
fn reference_templates() -> (tempfile::TempDir, PathBuf) {
    // The same script installs cfn-lint, moto, checkov, actionlint and cfn-guard.
    cfn_lint();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("cdk.out");
    let assembly = reference_assembly(&out);
    assert_eq!(assembly.stacks.len(), 30);
    (dir, out)
}

/// checkov over the templates in `dir`: its failed checks (file, resource, check) and
/// the number of skipped ones; each skip must carry a reason.
fn checkov(dir: &Path) -> (Vec<String>, usize) {
    cfn_lint();
    let checkov = root().join(".tools/checkov/bin/checkov");
    let run = Command::new(&checkov)
        .args([
            "--framework",
            "cloudformation",
            "--compact",
            "-o",
            "json",
            "-d",
        ])
        .arg(dir)
        .env("BC_SKIP_MAPPING", "TRUE")
        .env("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", checkov.display()));
    let text = String::from_utf8_lossy(&run.stdout);
    let report: J = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "checkov gave no JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let reports: Vec<&J> = match &report {
        J::Array(list) => list.iter().collect(),
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
    (failed, skipped)
}

#[test]
fn checkov_finds_nothing_unwaived_in_the_reference_templates() {
    let (_dir, out) = reference_templates();
    let (failed, skipped) = checkov(&out);
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

/// Every L2 built with its defaults passes checkov and the Control Tower rules, or
/// carries its reasoned waiver.
#[test]
fn the_scanners_find_nothing_unwaived_in_every_l2_with_its_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("cdk.out");
    crate::posture::every_l2_with_its_defaults()
        .synth_to(&out)
        .unwrap_or_else(|e| panic!("{e}"));
    let (failed, skipped) = checkov(&out);
    assert!(
        failed.is_empty(),
        "checkov findings on the defaults:\n{}",
        failed.join("\n")
    );
    let (open, waived) = unwaived(guard(&out), &out);
    assert!(
        open.is_empty(),
        "Control Tower rule findings on the defaults:\n{}",
        open.iter()
            .map(|f| format!("{} {}", f.resource, f.rule))
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!(
        "every L2 with its defaults: checkov 0 failed, {skipped} waived; Control Tower 0 open, {waived} waived"
    );
}

/// The binary and rules `@cdklabs/cdk-validator-cfnguard` ships.
fn guard_package() -> PathBuf {
    root().join(".tools/cfn-guard/node_modules/@cdklabs/cdk-validator-cfnguard")
}

/// One failed Guard rule on one resource.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct GuardFinding {
    template: String,
    resource: String,
    rule: String,
}

/// Runs cfn-guard with the Control Tower rules over `data` (a template or a folder).
/// Guard reports failed rules with the paths they traversed; the resources are read
/// from those paths.
fn guard(data: &Path) -> Vec<GuardFinding> {
    let package = guard_package();
    let binary = package.join(format!("bin/ubuntu/{}/cfn-guard", std::env::consts::ARCH));
    let run = Command::new(&binary)
        .args([
            "validate",
            "--output-format",
            "json",
            "--show-summary",
            "none",
        ])
        .arg("--structured")
        .arg("-r")
        .arg(package.join("rules/control-tower/cfn-guard"))
        .arg("-d")
        .arg(data)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
    let text = String::from_utf8_lossy(&run.stdout);
    let report: J = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "cfn-guard gave no JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let mut found = BTreeSet::new();
    for file in report.as_array().into_iter().flatten() {
        let template = Path::new(file["name"].as_str().unwrap_or_default())
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for rule in file["not_compliant"].as_array().into_iter().flatten() {
            let name = rule["Rule"]["name"].as_str().unwrap_or_default();
            let mut resources = BTreeSet::new();
            resources_in(rule, &mut resources);
            for resource in resources {
                found.insert(GuardFinding {
                    template: template.clone(),
                    resource,
                    rule: name.to_owned(),
                });
            }
        }
    }
    found.into_iter().collect()
}

/// Logical ids in every `path` (`/Resources/ID/...`) below `v`.
fn resources_in(v: &J, out: &mut BTreeSet<String>) {
    match v {
        J::Object(map) => {
            for (k, item) in map {
                match (k.as_str(), item) {
                    ("path", J::String(p)) => {
                        if let Some(id) = p.strip_prefix("/Resources/") {
                            out.insert(id.split('/').next().unwrap_or(id).to_owned());
                        }
                    }
                    _ => resources_in(item, out),
                }
            }
        }
        J::Array(items) => items.iter().for_each(|i| resources_in(i, out)),
        _ => {}
    }
}

/// The reason rcdk recorded for waiving `rule` on `resource`, if any.
fn waiver_reason<'a>(resource: &'a J, rule: &str) -> Option<&'a str> {
    let metadata = &resource["Metadata"];
    let listed = metadata["guard"]["SuppressedRules"]
        .as_array()
        .is_some_and(|l| l.iter().any(|r| r == rule));
    if !listed {
        return None;
    }
    // Control Tower's rules do not read Metadata.guard (the Guard Rules Registry's
    // convention); a name there counts only with rcdk's record of who decided and why.
    let type_name = resource["Type"].as_str().unwrap_or_default();
    let waived = metadata[posture::WAIVERS_KEY]
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["Check"] == rule);
    let suppressed = || {
        metadata[posture::SUPPRESSIONS_KEY]
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| {
                Rule::ALL
                    .iter()
                    .any(|r| s["Rule"] == r.id() && r.scanner_ids(type_name).guard.contains(&rule))
            })
    };
    waived
        .or_else(suppressed)
        .and_then(|w| w["Reason"].as_str())
}

/// Findings not waived; panics on a waiver without a reason.
fn unwaived(findings: Vec<GuardFinding>, templates: &Path) -> (Vec<GuardFinding>, usize) {
    let mut open = Vec::new();
    let mut waived = 0;
    for f in findings {
        let path = if templates.is_dir() {
            templates.join(&f.template)
        } else {
            templates.to_path_buf()
        };
        let template: J = serde_json::from_str(&std::fs::read_to_string(&path).expect("template"))
            .expect("template JSON");
        match waiver_reason(&template["Resources"][&f.resource], &f.rule) {
            Some(reason) => {
                assert!(
                    reason.chars().count() >= 20,
                    "{f:?} is waived without a reason"
                );
                waived += 1;
            }
            None => open.push(f),
        }
    }
    (open, waived)
}

#[test]
fn guard_with_the_control_tower_rules_finds_nothing_unwaived_in_the_reference_templates() {
    let (_dir, out) = reference_templates();
    let findings = guard(&out);
    let (open, waived) = unwaived(findings, &out);
    assert!(
        open.is_empty(),
        "Control Tower rule findings:\n{}",
        open.iter()
            .map(|f| format!("{} {} {}", f.template, f.resource, f.rule))
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Decisions, each with its reason: the access-log buckets (SSE-S3, no own logging,
    // no Object Lock, no events), enhanced Container Insights, AUTH-token Redis, the
    // default PostgreSQL port, the disposable environments' settings.
    assert!(waived >= 50, "{waived} waivers");
}

#[test]
fn the_guard_harness_sees_a_finding_and_honours_only_a_reasoned_waiver() {
    cfn_lint();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.json");
    let write = |metadata: J| {
        let template = json!({"Resources": {"Queue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"SqsManagedSseEnabled": true},
            "Metadata": metadata,
        }}});
        std::fs::write(&path, template.to_string()).expect("write");
    };
    let rule = "sqs_dlq_check";
    write(json!({}));
    let (open, _) = unwaived(guard(&path), &path);
    assert!(
        open.iter().any(|f| f.resource == "Queue" && f.rule == rule),
        "{open:?}"
    );
    // Named for Guard but with no recorded reason: still a finding.
    write(json!({"guard": {"SuppressedRules": [rule]}}));
    let (open, _) = unwaived(guard(&path), &path);
    assert!(open.iter().any(|f| f.rule == rule), "{open:?}");
    write(json!({
        "guard": {"SuppressedRules": [rule]},
        "rcdk:posture:waivers": [{"Check": rule, "Reason": "A work queue whose failures are retried by its producer"}],
    }));
    let (open, waived) = unwaived(guard(&path), &path);
    assert!(!open.iter().any(|f| f.rule == rule), "{open:?}");
    assert_eq!(waived, 1);
}

/// A finding of cdk-nag's AwsSolutions pack that no `Metadata.cdk_nag` waiver covers.
#[derive(Debug, serde::Deserialize)]
struct NagFinding {
    template: String,
    path: String,
    rule: String,
    message: String,
}

/// cdk-nag's AwsSolutions pack over `templates` (`scripts/aws-cdk/nag.js`: each included
/// as written with `CfnInclude`, so cdk-nag reads the waivers in its metadata).
fn cdk_nag(templates: &[PathBuf]) -> Vec<NagFinding> {
    cfn_lint();
    let tools = root().join(".tools");
    let run = Command::new(tools.join("venv/bin/node"))
        .arg(root().join("scripts/aws-cdk/nag.js"))
        .args(templates)
        .env("NODE_PATH", tools.join("aws-cdk/node_modules"))
        .output()
        .expect("node runs");
    assert!(
        run.status.success(),
        "cdk-nag failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "cdk-nag gave no JSON ({e}): {}",
            String::from_utf8_lossy(&run.stdout)
        )
    })
}

fn templates_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("cdk.out")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".template.json"))
        .collect();
    out.sort();
    out
}

/// What a team moving from the AWS CDK runs first: cdk-nag's AwsSolutions pack finds
/// nothing unwaived in any reference template (97 findings before this check existed),
/// and each waiver it honours is rcdk's, with its reason.
#[test]
fn cdk_nag_finds_nothing_unwaived_in_the_reference_templates() {
    let (_dir, out) = reference_templates();
    let templates = templates_in(&out);
    let findings = cdk_nag(&templates);
    let shown: Vec<String> = findings
        .iter()
        .map(|f| format!("{} {} {}: {}", f.template, f.path, f.rule, f.message))
        .collect();
    assert!(shown.is_empty(), "cdk-nag findings:\n{}", shown.join("\n"));
    let mut waivers = 0;
    for path in &templates {
        let t: J =
            serde_json::from_str(&std::fs::read_to_string(path).expect("template")).expect("JSON");
        for r in t["Resources"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, r)| r)
        {
            for w in r["Metadata"]["cdk_nag"]["rules_to_suppress"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let reason = w["reason"].as_str().unwrap_or_default();
                assert!(
                    reason.len() >= 20,
                    "a cdk-nag waiver without its reason: {w}"
                );
                waivers += 1;
            }
        }
    }
    assert!(waivers >= 50, "{waivers} waivers");
}

#[test]
fn the_cdk_nag_harness_sees_a_finding_and_honours_rcdks_waiver() {
    use rcdk_l1::ec2::security_group::Ingress;
    use rcdk_l1::ec2::{CfnSecurityGroup, CfnSecurityGroupProps};
    let dir = tempfile::tempdir().expect("tempdir");
    let template = |waived: bool| {
        let app = crate::fixtures::app();
        let s = crate::fixtures::stack(&app, "nag");
        let group = CfnSecurityGroup::new(
            &s,
            "Open",
            CfnSecurityGroupProps {
                vpc_id: Some("vpc-1".into()),
                security_group_ingress: Some(vec![Ingress {
                    cidr_ip: Some("0.0.0.0/0".into()),
                    from_port: Some(443.into()),
                    to_port: Some(443.into()),
                    ..Ingress::new("tcp")
                }]),
                ..CfnSecurityGroupProps::new("Open to all on 443")
            },
        );
        if waived {
            posture::waive_check(
                &group,
                &["AwsSolutions-EC23"],
                "A public endpoint's listener, open to its clients by design",
            );
        }
        let out = dir.path().join(if waived { "waived" } else { "open" });
        app.synth_to(&out)
            .unwrap_or_else(|e| panic!("synthesis failed: {e}"));
        out.join("nag.template.json")
    };
    let open = cdk_nag(&[template(false)]);
    assert!(
        open.iter()
            .any(|f| f.rule == "AwsSolutions-EC23" && f.path == "Open"),
        "{open:?}"
    );
    let waived = cdk_nag(&[template(true)]);
    assert!(
        !waived.iter().any(|f| f.rule == "AwsSolutions-EC23"),
        "{waived:?}"
    );
}
