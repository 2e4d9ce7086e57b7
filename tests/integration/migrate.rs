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
        // As the workspace's own dev profile: full debug info of the L1 crates is GBs.
        .env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")
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
    // Policies keep what is deployed: the IAM catalogue's findings (here a real bug of
    // the AWS sample: s3:GetObject on the bucket's ARN grants nothing) are accepted as
    // deployed, listed in the report and written above the resource.
    let codebuild = stacks
        .iter()
        .find(|s| {
            s["stack"]
                == "aws-cloudformation-templates-Solutions-CodeBuildAndCodePipeline-cloudformation-codebuild-template"
        })
        .expect("codebuild");
    assert!(
        codebuild["accepted_as_deployed"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(J::as_str)
            .any(|f| f.starts_with("CodeBuildRole: RCDK-IAM-RESOURCE-MISMATCH: statement 1 of the inline policy 'CanAccessS3': resource 'aws-cloudformation-templates-Solutions-CodeBuildAndCodePipeline-cloudformation-codebuild-template/PipelineS3Bucket.Arn' is not a resource s3:GetObject can act on")),
        "{codebuild:#}"
    );
    let generated: String = walk_rs(&app.join("src"))
        .iter()
        .map(|p| fs::read_to_string(p).expect("module"))
        .collect();
    assert!(
        generated.contains(
            "// RCDK-IAM-RESOURCE-MISMATCH: statement 1 of the inline policy 'CanAccessS3'"
        ) && generated.contains("rcdk::posture::accept_as_deployed("),
        "the findings and the acceptance are in the code"
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

fn walk_rs(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .expect("folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect()
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

/// A hand-written stack, deployed by a plain CloudFormation call (not rcdk), in YAML with
/// short forms, parameters (one given a value other than its default), a condition and an
/// exported output.
const HAND_WRITTEN: &str = r#"AWSTemplateFormatVersion: '2010-09-09'
Description: Orders, written by hand
Parameters:
  Env:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Retention:
    Type: Number
    Default: 345600
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  DeadLetters:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: !Ref Retention
      VisibilityTimeout: !If [IsProd, 120, 30]
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt DeadLetters.Arn
        maxReceiveCount: 5
      Tags:
        - Key: team
          Value: !Sub '${Env}-orders'
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Join ['-', [orders, !Ref Env]]
  QueueArnParameter:
    Type: AWS::SSM::Parameter
    DependsOn: Topic
    Properties:
      Name: !Sub '/${AWS::StackName}/queue-arn'
      Type: String
      Value: !GetAtt Queue.Arn
Outputs:
  QueueArn:
    Value: !GetAtt Queue.Arn
    Export:
      Name: !Sub '${AWS::StackName}-queue-arn'
"#;

/// A deployed stack becomes rcdk code whose first deploy changes nothing (its parameters
/// keep their deployed values), and an edit in the code is a change set of that edit only.
#[test]
fn a_deployed_stack_migrates_to_code_whose_first_deploy_changes_nothing() {
    use crate::local_endpoint::{Moto, http_post, rcdk_command};
    let moto = Moto::start();
    let created = http_post(
        moto.port,
        "cloudformation",
        &format!(
            "Action=CreateStack&Version=2010-05-15&StackName=orders&TemplateBody={}&Parameters.member.1.ParameterKey=Env&Parameters.member.1.ParameterValue=prod",
            crate::local_endpoint::form(HAND_WRITTEN)
        ),
    );
    assert!(created.contains("<StackId>"), "{created}");
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = tmp.path().join("orders-app");
    let run = |dir: &Path, args: &[&str]| -> (bool, String) {
        let out = rcdk_command(&moto.endpoint(), args)
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", target_dir())
            .output()
            .expect("rcdk runs");
        (out.status.success(), text(&out))
    };
    let root_dir = root();
    let (ok, said) = run(
        tmp.path(),
        &[
            "migrate",
            "--from-stack",
            "orders",
            "-o",
            app.to_str().expect("utf-8"),
            "--rcdk-path",
            root_dir.to_str().expect("utf-8"),
        ],
    );
    assert!(ok, "{said}");
    let code = fs::read_to_string(app.join("src/orders.rs")).expect("the stack's module");
    for typed in [
        "sqs::CfnQueue::new(",
        "fns::if_::<i64>(&is_prod, 120, 30)",
        "fns::equals(env.value(), \"prod\")",
        "queue.attr_arn()",
        "queue_arn_parameter.add_depends_on(&topic);",
        "queue_arn_parameter.write_depends_on_as_string();",
    ] {
        assert!(code.contains(typed), "{typed} in:\n{code}");
    }

    let (ok, said) = run(&app, &["deploy", "orders", "--require-approval", "never"]);
    assert!(ok, "{said}");
    assert!(said.contains("orders: no changes"), "{said}");
    let described = http_post(
        moto.port,
        "cloudformation",
        "Action=DescribeStacks&Version=2010-05-15&StackName=orders",
    );
    assert!(
        described.contains("<ParameterKey>Env</ParameterKey>")
            && described.contains("<ParameterValue>prod</ParameterValue>"),
        "the parameter keeps its deployed value: {described}"
    );

    // One edit in the code: a change set of exactly that change.
    let edited = code.replace(
        "Expr::<String>::from(\"orders\")",
        "Expr::<String>::from(\"orders-v2\")",
    );
    assert_ne!(edited, code, "the join's literal is in the code:\n{code}");
    fs::write(app.join("src/orders.rs"), edited).expect("edit");
    let (ok, said) = run(&app, &["deploy", "orders", "--require-approval", "never"]);
    assert!(ok, "{said}");
    let changes: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("Modify") || l.contains("Add") || l.contains("Remove"))
        .collect();
    assert!(
        changes.len() == 1 && changes[0].contains("Topic"),
        "only the topic changes: {said}"
    );
}
