//! Stuck stacks on the local endpoint: a rollback that fails leaves the stack in
//! UPDATE_ROLLBACK_FAILED; deploy refuses it with `rcdk rollback` as the fix, which
//! finishes the rollback once the stuck resource is orphaned. A stack another client is
//! updating is waited for (or refused with --no-wait).

use crate::e2e::{deploy, one_stack_assembly, stack_status};
use crate::local_endpoint::{Moto, rcdk, text};

fn queue(tag: &str) -> serde_json::Value {
    serde_json::json!({"Resources": {"Queue": {"Type": "AWS::SQS::Queue",
        "Properties": {"Tags": [{"Key": "Version", "Value": tag}]}}}})
}

/// Another client's update of `stack`, running for `seconds` (the endpoint's test path).
fn hold_stack(moto: &Moto, stack: &str, seconds: u32) {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", moto.port)).expect("connect");
    write!(
        conn,
        "POST /rcdk-test/hold-stack?stack={stack}&seconds={seconds} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = String::new();
    conn.read_to_string(&mut answer).expect("read");
    assert!(answer.contains("\r\nheld\r\n"), "{answer}");
}

fn rollback(moto: &Moto, app: &std::path::Path, extra: &[&str]) -> (bool, String, String) {
    let app = app.display().to_string();
    let mut args = vec!["rollback", "solo", "--app", &app];
    args.extend_from_slice(extra);
    let out = rcdk(&moto.endpoint(), &args);
    let (stdout, stderr) = text(&out);
    (out.status.success(), stdout, stderr)
}

#[test]
fn a_failed_rollback_is_finished_by_rcdk_rollback_orphaning_what_cannot_roll_back() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let v1 = one_stack_assembly(&dir.path().join("v1"), queue("v1"));
    let (ok, stdout, stderr) = deploy(&moto, &v1, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    // Nothing to continue on a healthy stack.
    let (ok, stdout, _) = rollback(&moto, &v1, &[]);
    assert!(ok);
    assert!(
        stdout.contains("solo: UPDATE_COMPLETE, no failed rollback to continue; nothing was sent")
            || stdout.contains("solo: CREATE_COMPLETE, no failed rollback to continue"),
        "{stdout}"
    );

    let stuck = one_stack_assembly(
        &dir.path().join("v2"),
        queue("RCDK_TEST_STUCK:the queue was changed outside CloudFormation"),
    );
    let (ok, stdout, stderr) = deploy(&moto, &stuck, &[]);
    assert!(!ok, "{stdout}\n{stderr}");
    assert_eq!(
        stack_status(&moto, "solo").as_deref(),
        Some("UPDATE_ROLLBACK_FAILED")
    );

    // The next deploy is refused before anything is sent, naming the resource and the fix.
    let v3 = one_stack_assembly(&dir.path().join("v3"), queue("v3"));
    let (ok, stdout, stderr) = deploy(&moto, &v3, &[]);
    assert!(!ok, "{stdout}");
    let all = format!("{stdout}{stderr}");
    assert!(
        all.contains("solo: the stack is UPDATE_ROLLBACK_FAILED; a failed update could not roll back (Queue (AWS::SQS::Queue): the queue was changed outside CloudFormation)")
            && all.contains("run `rcdk rollback solo --orphan Queue`"),
        "{all}"
    );

    // Continuing without skipping it fails again and says what to skip.
    let (ok, stdout, stderr) = rollback(&moto, &v3, &[]);
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains("the rollback failed again")
            && stderr.contains("rcdk rollback solo --orphan Queue"),
        "{stderr}"
    );
    // An id that is not stuck is refused, naming the ones that are.
    let (ok, _, stderr) = rollback(&moto, &v3, &["--orphan", "Topic"]);
    assert!(!ok);
    assert!(stderr.contains("--orphan Topic: not a resource whose rollback failed; those are: Queue (AWS::SQS::Queue)"), "{stderr}");
    assert_eq!(
        stack_status(&moto, "solo").as_deref(),
        Some("UPDATE_ROLLBACK_FAILED")
    );

    let (ok, stdout, stderr) = rollback(&moto, &v3, &["--orphan", "Queue"]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("✅ solo: rollback finished (UPDATE_ROLLBACK_COMPLETE); skipped Queue"),
        "{stdout}"
    );
    assert_eq!(
        stack_status(&moto, "solo").as_deref(),
        Some("UPDATE_ROLLBACK_COMPLETE")
    );
    let (ok, stdout, stderr) = deploy(&moto, &v3, &[]);
    assert!(ok, "{stdout}\n{stderr}");
}

#[test]
fn a_stack_another_client_is_updating_is_waited_for_or_refused_with_no_wait() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let v1 = one_stack_assembly(&dir.path().join("v1"), queue("v1"));
    let (ok, stdout, stderr) = deploy(&moto, &v1, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let hold = |moto: &Moto, seconds: u32| hold_stack(moto, "solo", seconds);
    let v2 = one_stack_assembly(&dir.path().join("v2"), queue("v2"));
    hold(&moto, 30);
    let (ok, stdout, stderr) = deploy(&moto, &v2, &["--no-wait"]);
    assert!(!ok, "{stdout}");
    assert!(
        format!("{stdout}{stderr}").contains("solo: the stack is UPDATE_IN_PROGRESS; another operation is running on it and --no-wait was given"),
        "{stdout}{stderr}"
    );
    assert_eq!(
        crate::e2e::change_set_count(&moto, "solo"),
        0,
        "nothing was created"
    );

    let moto2 = Moto::start();
    let (ok, stdout, stderr) = deploy(&moto2, &v1, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    hold(&moto2, 2);
    let (ok, stdout, stderr) = deploy(&moto2, &v2, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("solo: UPDATE_IN_PROGRESS — another operation is running on it; waiting for it to finish before creating the change set"),
        "{stderr}"
    );
}
