//! `rcdk import` end to end: a bucket and a queue made outside CloudFormation come under
//! a stack through an IMPORT change set without being recreated, and a normal deploy then
//! changes only what the import left out; a resource without a DeletionPolicy is refused
//! before anything is sent; identifiers can be recorded for a later import.

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::json;

use crate::e2e::{assembly_of, change_set_count, stack_status};
use crate::local_endpoint::{Moto, http_post, rcdk, text};

/// Creates a bucket as the console would: an S3 PUT, not CloudFormation.
fn create_bucket(port: u16, name: &str) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let request = format!(
        "PUT /{name} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

fn queue_url(port: u16, name: &str) -> String {
    let answer = http_post(
        port,
        "sqs",
        &format!("Action=CreateQueue&QueueName={name}&Version=2012-11-05"),
    );
    let start = answer.find("<QueueUrl>").expect("a queue URL") + "<QueueUrl>".len();
    let end = answer[start..].find("</QueueUrl>").expect("end") + start;
    answer[start..end].to_owned()
}

fn template(retain_jobs: bool) -> serde_json::Value {
    let mut jobs = json!({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "legacy-jobs"}});
    if retain_jobs {
        jobs["DeletionPolicy"] = json!("Retain");
    }
    json!({"Resources": {
        "Logs": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain",
                 "Properties": {"BucketName": "legacy-logs-1234"}},
        "Jobs": jobs,
        "Alerts": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "legacy-alerts"}},
    }})
}

#[test]
fn resources_made_outside_cloudformation_are_imported_without_being_recreated() {
    let moto = Moto::start();
    create_bucket(moto.port, "legacy-logs-1234");
    let url = queue_url(moto.port, "legacy-jobs");
    let dir = tempfile::tempdir().expect("tempdir");
    let mapping = dir.path().join("mapping.json");
    std::fs::write(&mapping, json!({"Jobs": {"QueueUrl": url}}).to_string()).expect("write");

    // A queue without a DeletionPolicy is refused before anything is sent.
    let unsafe_app = assembly_of(
        &dir.path().join("a"),
        &[("solo", template(false), &[], false)],
    );
    let unsafe_app = unsafe_app.display().to_string();
    let mapping_arg = mapping.display().to_string();
    let refused = rcdk(
        &moto.endpoint(),
        &[
            "import",
            "solo",
            "--app",
            &unsafe_app,
            "--resource-mapping",
            &mapping_arg,
        ],
    );
    let (stdout, stderr) = text(&refused);
    assert!(!refused.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("Jobs needs a DeletionPolicy to be imported")
            && stderr.contains("RemovalPolicy::Retain"),
        "{stderr}"
    );
    assert_eq!(stack_status(&moto, "solo"), None, "nothing was sent");
    assert_eq!(change_set_count(&moto, "solo"), 0);

    // Identifiers can be recorded (the bucket's from its BucketName) and used later.
    let app = assembly_of(
        &dir.path().join("b"),
        &[("solo", template(true), &[], false)],
    );
    let app = app.display().to_string();
    let recorded = dir.path().join("recorded.json");
    let recorded_arg = recorded.display().to_string();
    let record = rcdk(
        &moto.endpoint(),
        &[
            "import",
            "solo",
            "--app",
            &app,
            "--resource-mapping",
            &mapping_arg,
            "--record-resource-mapping",
            &recorded_arg,
        ],
    );
    assert!(record.status.success(), "{:?}", text(&record));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&recorded).expect("recorded")).expect("json");
    assert_eq!(
        written,
        json!({"Jobs": {"QueueUrl": url}, "Logs": {"BucketName": "legacy-logs-1234"}})
    );
    assert_eq!(stack_status(&moto, "solo"), None, "recording sends nothing");

    let imported = rcdk(
        &moto.endpoint(),
        &[
            "import",
            "solo",
            "--app",
            &app,
            "--resource-mapping",
            &recorded_arg,
        ],
    );
    let (stdout, stderr) = text(&imported);
    assert!(imported.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("skipped: Alerts (no identifier given)")
            && stdout.contains("imported 2 resource(s) (Logs, Jobs)"),
        "{stdout}"
    );
    assert!(
        stderr.lines().filter(|l| l.contains("Import")).count() == 2,
        "the change set imports the two: {stderr}"
    );
    assert_eq!(
        stack_status(&moto, "solo").as_deref(),
        Some("IMPORT_COMPLETE")
    );
    let resources = http_post(
        moto.port,
        "cloudformation",
        "Action=DescribeStackResources&Version=2010-05-15&StackName=solo",
    );
    assert!(
        resources.contains("<PhysicalResourceId>legacy-logs-1234</PhysicalResourceId>")
            && resources.contains("/123456789012/legacy-jobs</PhysicalResourceId>"),
        "the stack holds the existing bucket and queue: {resources}"
    );
    let buckets = String::from_utf8_lossy(&crate::e2e::http_get(moto.port, "/").1).into_owned();
    assert_eq!(
        buckets.matches("<Name>").count(),
        1,
        "no second bucket: {buckets}"
    );

    // The next deploy adds what the import left out, and then nothing changes.
    let (ok, stdout, stderr) = crate::e2e::deploy(&moto, std::path::Path::new(&app), &[]);
    assert!(ok, "{stdout}{stderr}");
    let rows: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("Add") || l.contains("Modify") || l.contains("Remove"))
        .collect();
    assert!(rows.len() == 1 && rows[0].contains("Alerts"), "{stderr}");
    let (ok, stdout, stderr) = crate::e2e::deploy(&moto, std::path::Path::new(&app), &[]);
    assert!(
        ok && stderr.contains("solo: no changes"),
        "{stdout}{stderr}"
    );
}
