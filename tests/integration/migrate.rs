//! `rcdk migrate` end to end: templates (cdk-from-cfn's 16 test cases and real-world
//! templates, `migrate/`) become one app of typed rcdk code, which builds clippy-clean
//! and synthesizes every template back (`rcdk::diff::equivalent`, itself unit-tested);
//! bad input is refused file by file; a deployed stack migrates to code whose first deploy
//! changes nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as J;

use crate::support::root;

/// Shared by the tests' migrated apps: their dependencies build once per run.
fn target_dir() -> PathBuf {
    root().join("target/migrate-app")
}

fn rcdk_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rcdk"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("rcdk runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn cargo_in(dir: &Path, args: &[&str]) -> Output {
    Command::new("cargo")
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("cargo runs")
}

fn read_report(app: &Path) -> J {
    serde_json::from_str(&fs::read_to_string(app.join("migrate-report.json")).expect("report"))
        .expect("JSON")
}

fn corpus() -> PathBuf {
    root().join("tests/integration/migrate")
}

/// Every migrated stack's synthesized template means its source, and the generated code
/// is typed, formatted and clippy-clean.
#[test]
fn templates_migrate_to_typed_code_that_synthesizes_them_back() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = tmp.path().join("migrated");
    let root_dir = root();
    let out = rcdk_in(
        tmp.path(),
        &[
            "migrate",
            "--from-path",
            corpus().to_str().expect("utf-8"),
            "-o",
            app.to_str().expect("utf-8"),
            "--rcdk-path",
            root_dir.to_str().expect("utf-8"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let report = read_report(&app);
    let stacks = report["stacks"].as_array().expect("stacks");
    let files: Vec<PathBuf> = walk(&corpus());
    assert_eq!(
        stacks.len(),
        files.len(),
        "every template is a stack: {report:#}"
    );
    assert_eq!(report["refused"], J::Array(vec![]));

    let synth = rcdk_in(&app, &["synth", "-q"]);
    assert!(synth.status.success(), "{}", text(&synth));
    let mut exact = 0;
    for s in stacks {
        let stack = s["stack"].as_str().expect("name");
        let source = corpus().join(s["source"].as_str().expect("source"));
        let expected = rcdk::diff::parse_template(&fs::read_to_string(&source).expect("source"))
            .expect("parses");
        let written: J = serde_json::from_str(
            &fs::read_to_string(app.join(format!("cdk.out/{stack}.template.json")))
                .expect("template"),
        )
        .expect("JSON");
        if let Err(difference) = rcdk::diff::equivalent(&expected, &written) {
            panic!("{}: {difference}", source.display());
        }
        exact += usize::from(expected == written);
    }
    // Most are equal as JSON; the rest differ only in spellings CloudFormation reads alike.
    assert!(exact * 2 > stacks.len(), "{exact} of {}", stacks.len());

    // Typed code: L1 structs, handles, typed functions; the report says what is not.
    let vpc = fs::read_to_string(app.join("src/cdk_from_cfn_vpc.rs")).expect("vpc module");
    for typed in [
        "ec2::CfnVpc::new(",
        "ec2::CfnSubnetProps::new(vpc.ref_())",
        "fns::cidr(vpc.attr_cidr_block(), 6, 8)",
        "fns::select::<String>(0, fns::get_azs())",
        "CfnTag::new(\"cost-center\", \"1337\")",
    ] {
        assert!(vpc.contains(typed), "{typed} in:\n{vpc}");
    }
    let cloudwatch = stacks
        .iter()
        .find(|s| s["stack"] == "cdk-from-cfn-cloudwatch")
        .expect("cloudwatch");
    assert_eq!(
        cloudwatch["kept_as_written"],
        serde_json::json!([
            "Resources.MyApi5xxErrorsAlarm.Properties.Threshold: a string where the schema wants a number"
        ])
    );
    let manifest = fs::read_to_string(app.join("Cargo.toml")).expect("manifest");
    assert!(
        manifest.contains("default-features = false, features = [\"")
            && manifest.contains("\"ec2\"")
            && !manifest.contains("\"bedrock\""),
        "only the services used:\n{manifest}"
    );

    let fmt = cargo_in(&app, &["fmt", "--check"]);
    assert!(fmt.status.success(), "rustfmt-clean: {}", text(&fmt));
    let clippy = cargo_in(&app, &["clippy", "--all-targets", "--", "-D", "warnings"]);
    assert!(clippy.status.success(), "clippy-clean: {}", text(&clippy));
    // The app's own test holds each stack to its golden template.
    let test = cargo_in(&app, &["test"]);
    assert!(test.status.success(), "{}", text(&test));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("folder").flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "json" | "yaml" | "yml" | "template"))
        {
            out.push(p);
        }
    }
    out
}

#[test]
fn bad_templates_are_refused_by_name_and_line_and_the_rest_migrate() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = tmp.path().join("templates");
    fs::create_dir_all(src.join("nested")).expect("mkdir");
    fs::write(
        src.join("good.yaml"),
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 5\n",
    )
    .expect("write");
    fs::write(
        src.join("nested/rain.yaml"),
        "Resources:\n  Site:\n    Type: AWS::S3::Bucket\n    Properties:\n      Website: !Rain::Embed site.json\n",
    )
    .expect("write");
    fs::write(src.join("broken.json"), "{\"Resources\": {").expect("write");
    let app = tmp.path().join("app");
    let out = rcdk_in(
        tmp.path(),
        &[
            "migrate",
            "--from-path",
            src.to_str().expect("utf-8"),
            "-o",
            app.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("refused nested/rain.yaml") && said.contains("'!Rain::Embed' at line 5"),
        "{said}"
    );
    assert!(said.contains("refused broken.json"), "{said}");
    let report = read_report(&app);
    assert_eq!(report["stacks"][0]["stack"], "good");
    assert_eq!(report["stacks"].as_array().map(Vec::len), Some(1));
    let refused: Vec<&str> = report["refused"]
        .as_array()
        .expect("refused")
        .iter()
        .filter_map(|r| r["source"].as_str())
        .collect();
    assert_eq!(refused, ["broken.json", "nested/rain.yaml"]);
    let good = fs::read_to_string(app.join("src/good.rs")).expect("module");
    assert!(good.contains("delay_seconds: Some(5.into())"), "{good}");

    // A folder that is not empty is refused, like `rcdk init`, before anything is written.
    let again = rcdk_in(
        tmp.path(),
        &[
            "migrate",
            "--from-path",
            src.join("good.yaml").to_str().expect("utf-8"),
            "-o",
            app.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("not empty"), "{}", text(&again));
    // --stack-name names a single template's stack; a folder's come from the files.
    let named = rcdk_in(
        tmp.path(),
        &[
            "migrate",
            "--from-path",
            src.join("good.yaml").to_str().expect("utf-8"),
            "--stack-name",
            "orders",
            "-o",
            tmp.path().join("named").to_str().expect("utf-8"),
        ],
    );
    assert!(named.status.success(), "{}", text(&named));
    assert_eq!(
        read_report(&tmp.path().join("named"))["stacks"][0]["stack"],
        "orders"
    );
}
