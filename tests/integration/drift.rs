//! `rcdk drift` on the local endpoint: a stack deployed by rcdk, then changed by hand with
//! plain API calls (a queue's visibility timeout, a log group deleted), is reported
//! resource by resource, expected → actual; an unchanged stack shows no drift.

use crate::e2e::{deploy, one_stack_assembly};
use crate::local_endpoint::{Moto, http_post, json_call, rcdk, text};
use serde_json::{Value as J, json};

fn drift(moto: &Moto, app: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let mut args = vec!["drift", "--app", app];
    args.extend_from_slice(extra);
    let out = rcdk(&moto.endpoint(), &args);
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, stderr)
}

#[test]
fn drift_reports_what_changed_outside_cloudformation() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = one_stack_assembly(
        dir.path(),
        json!({"Resources": {
            "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs", "VisibilityTimeout": 30}},
            "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "app", "RetentionInDays": 30}},
            "Topic": {"Type": "AWS::SNS::Topic"}
        }}),
    );
    let (ok, stdout, stderr) = deploy(&moto, &app, &[]);
    assert!(ok, "{stdout}{stderr}");
    let app = app.display().to_string();
    let (code, stdout, stderr) = drift(&moto, &app, &["--fail"]);
    assert_eq!(code, Some(0), "nothing changed yet: {stdout}{stderr}");
    assert!(
        stdout.contains("solo: no drift (2 in sync, 1 not checkable)"),
        "{stdout}"
    );

    // By hand, outside CloudFormation.
    let queue_url = format!("http://127.0.0.1:{}/123456789012/jobs", moto.port);
    http_post(
        moto.port,
        "sqs",
        &format!(
            "Action=SetQueueAttributes&Version=2012-11-05&QueueUrl={queue_url}&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=45"
        ),
    );
    json_call(
        moto.port,
        "us-east-1",
        "logs",
        "Logs_20140328.DeleteLogGroup",
        r#"{"logGroupName": "app"}"#,
    );
    let (code, stdout, stderr) = drift(&moto, &app, &["--fail"]);
    assert_eq!(code, Some(1), "drift fails with --fail: {stdout}{stderr}");
    assert!(
        stdout.contains("solo: 2 resources drifted (0 in sync, 1 not checkable)"),
        "{stdout}"
    );
    assert!(stdout.contains("! AWS::SQS::Queue Jobs ("), "{stdout}");
    assert!(
        stdout.contains("!     Properties.VisibilityTimeout: 30 → 45"),
        "{stdout}"
    );
    assert!(
        stdout.contains("- AWS::Logs::LogGroup Logs (app): deleted outside CloudFormation"),
        "{stdout}"
    );
    assert!(
        stdout.contains("CloudFormation cannot check: AWS::SNS::Topic"),
        "{stdout}"
    );
    // Without --fail, drift is a report, not a failure.
    let (code, _, _) = drift(&moto, &app, &[]);
    assert_eq!(code, Some(0));

    let (_, stdout, _) = drift(&moto, &app, &["--format", "json"]);
    let report: J = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(report[0]["drifted"], true);
    let jobs = &report[0]["resources"][0];
    assert_eq!(jobs["logical_id"], "Jobs");
    assert_eq!(jobs["status"], "MODIFIED");
    assert_eq!(
        jobs["properties"],
        json!([{"path": "VisibilityTimeout", "expected": "30", "actual": "45"}])
    );
    assert_eq!(report[0]["resources"][1]["status"], "DELETED");

    let (_, md, _) = drift(&moto, &app, &["--format", "markdown"]);
    assert!(
        md.contains("| `solo` | 2 resources drifted (0 in sync, 1 not checkable) |"),
        "{md}"
    );
    assert!(
        md.contains("````diff\n") && md.contains("Properties.VisibilityTimeout: 30 → 45"),
        "{md}"
    );
}

#[test]
fn a_stack_that_is_not_deployed_says_so() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = crate::e2e::topic_assembly(dir.path());
    let (code, stdout, stderr) = drift(&moto, &app.display().to_string(), &["--fail"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, "solo: not deployed\n");
}
