//! Deploys that can be interrupted, retried and misdirected, on the local endpoint:
//! cycles, Ctrl-C and hang-ups at the approval prompt and during execution, an answer
//! lost on the way back, a stack waiting in REVIEW_IN_PROGRESS, credentials of another
//! account, destroying a stack others import from, and arguments refused before
//! anything is sent. Every wait here is bounded; nothing leaves 127.0.0.1.

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::e2e::{
    assembly_of, change_set_count, deploy, deploy_at, one_stack_assembly, stack_status,
    topic_assembly,
};
use crate::fault_proxy::{Script, ScriptedProxy};
use crate::local_endpoint::{Moto, http_post, rcdk, rcdk_command, text};

/// A template whose first deploy asks for approval (a new IAM role).
fn broadening() -> serde_json::Value {
    serde_json::json!({"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "Read", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}}]}}}})
}

/// `rcdk` on a pseudo-terminal (stdin and stderr), as a person runs it. Waits (bounded)
/// until the terminal shows `prompt`, then sends `signal` (or types `typed`), and waits
/// (bounded) for the end. Returns the exit code and everything shown.
fn on_a_terminal(
    endpoint: &str,
    args: &[&str],
    prompt: &str,
    action: Action,
) -> (Option<i32>, String) {
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two fresh descriptors into the given integers.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "openpty");
    // SAFETY: both descriptors were just opened and are owned here.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let slave_err = slave.try_clone().expect("dup");
    let mut child = rcdk_command(endpoint, args)
        .stdin(Stdio::from(slave))
        .stderr(Stdio::from(slave_err))
        .stdout(Stdio::piped())
        .spawn()
        .expect("rcdk runs");
    let shown = Arc::new(Mutex::new(String::new()));
    let mut reader = std::fs::File::from(master.try_clone().expect("dup"));
    let sink = shown.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut s) = sink.lock() {
                s.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }
    });
    let seen = |needle: &str| shown.lock().map(|s| s.contains(needle)).unwrap_or(false);
    let deadline = Instant::now() + Duration::from_secs(120);
    while !seen(prompt) {
        if Instant::now() > deadline || child.try_wait().ok().flatten().is_some() {
            let _ = child.kill();
            panic!(
                "no '{prompt}' on the terminal:\n{}",
                shown.lock().map(|s| s.clone()).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    match action {
        Action::Signal(signal) => {
            // SAFETY: a signal to the child this test started.
            unsafe { libc::kill(child.id() as i32, signal) };
        }
        Action::Type(line) => {
            let mut writer = std::fs::File::from(master.try_clone().expect("dup"));
            std::io::Write::write_all(&mut writer, line.as_bytes()).expect("type");
        }
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "rcdk did not end after the prompt was answered:\n{}",
                shown.lock().map(|s| s.clone()).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut stdout);
    }
    std::thread::sleep(Duration::from_millis(100));
    let shown = shown.lock().map(|s| s.clone()).unwrap_or_default();
    (status.code(), format!("{shown}\n{stdout}"))
}

/// Runs `rcdk` through `proxy` and sends it SIGINT as soon as the proxy has seen the
/// request it holds (bounded waits); returns what rcdk printed and its exit.
fn interrupted_when_sent(proxy: &ScriptedProxy, args: &[&str]) -> std::process::Output {
    let child = rcdk_command(&format!("http://127.0.0.1:{}", proxy.port), args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rcdk runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    while proxy.hits.load(Ordering::SeqCst) == 0 {
        if Instant::now() > deadline {
            let out = child.wait_with_output().expect("rcdk ends");
            panic!("the held request was never sent: {:?}", text(&out));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    child.wait_with_output().expect("rcdk ends")
}

/// A first deploy of a broadening template on a terminal, with `action` at its
/// approval prompt; the endpoint, the exit code and what the terminal showed.
fn at_the_first_prompt(action: Action) -> (Moto, Option<i32>, String) {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = one_stack_assembly(dir.path(), broadening())
        .display()
        .to_string();
    let (code, shown) = on_a_terminal(
        &moto.endpoint(),
        &["deploy", "--all", "--app", &app],
        "(y/n)",
        action,
    );
    (moto, code, shown)
}

enum Action {
    Signal(i32),
    Type(&'static str),
}

fn stacks_named(moto: &Moto, name: &str) -> usize {
    http_post(
        moto.port,
        "cloudformation",
        "Action=ListStacks&Version=2010-05-15",
    )
    .split("<member>")
    .filter(|m| {
        m.contains(&format!("<StackName>{name}</StackName>"))
            && !m.contains("<StackStatus>DELETE_COMPLETE</StackStatus>")
    })
    .count()
}

#[test]
fn ctrl_c_or_a_hang_up_at_the_prompt_ends_at_once_and_leaves_nothing() {
    for (signal, cause) in [
        (libc::SIGINT, "Ctrl-C"),
        (libc::SIGHUP, "a hang-up of the terminal"),
    ] {
        let (moto, code, shown) = at_the_first_prompt(Action::Signal(signal));
        assert_eq!(code, Some(130), "{cause}: {shown}");
        assert!(
            shown.contains("deleted the change set")
                && shown.contains("(not executed) and the empty stack it made"),
            "{cause}: {shown}"
        );
        assert!(
            shown.contains(&format!("deployment stopped by {cause}")),
            "{shown}"
        );
        assert_eq!(
            stack_status(&moto, "solo"),
            None,
            "{cause}: the empty stack is gone"
        );
        assert_eq!(change_set_count(&moto, "solo"), 0, "{cause}");
    }
}

#[test]
fn answering_no_says_nothing_changed() {
    let (moto, code, shown) = at_the_first_prompt(Action::Type("n\n"));
    assert_eq!(code, Some(1), "{shown}");
    assert!(
        shown.contains("solo: not approved; nothing was changed (the change set was deleted)"),
        "{shown}"
    );
    assert!(!shown.contains("--require-approval never"), "{shown}");
    assert_eq!(stack_status(&moto, "solo"), None);
}

/// Ctrl-C while ExecuteChangeSet is on its way: the stack may be changing, and rcdk
/// says so and how to follow it, never "not executed".
#[test]
fn an_interrupt_after_execution_was_requested_tells_the_truth() {
    let moto = Moto::start();
    let proxy = ScriptedProxy::start(
        moto.port,
        "ExecuteChangeSet",
        Script::HoldAnswer(Duration::from_secs(20)),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let app = topic_assembly(dir.path()).display().to_string();
    let out = interrupted_when_sent(
        &proxy,
        &[
            "deploy",
            "--all",
            "--app",
            &app,
            "--require-approval",
            "never",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(!stderr.contains("not executed"), "{stderr}");
    assert!(
        stderr.contains("solo: its change set may be executing: CloudFormation goes on changing the stack without rcdk; follow it with `aws cloudformation describe-stack-events --stack-name solo`"),
        "{stderr}"
    );
    // The execution the proxy let through did happen.
    let deadline = Instant::now() + Duration::from_secs(30);
    while stack_status(&moto, "solo").as_deref() != Some("CREATE_COMPLETE") {
        assert!(
            Instant::now() < deadline,
            "{:?}",
            stack_status(&moto, "solo")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The first CreateChangeSet takes effect and its answer is lost; the SDK's retry
/// carries the same client token and gets the first call's change set: one stack, one
/// change set, deployed.
#[test]
fn a_lost_answer_to_create_change_set_makes_no_second_change_set() {
    let moto = Moto::start();
    let proxy = ScriptedProxy::start(moto.port, "CreateChangeSet", Script::LoseAnswer);
    let dir = tempfile::tempdir().expect("tempdir");
    let app = topic_assembly(dir.path());
    let (ok, stdout, stderr) = deploy_at(&format!("http://127.0.0.1:{}", proxy.port), &app, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        proxy.hits.load(Ordering::SeqCst) >= 2,
        "the call was retried"
    );
    assert_eq!(stacks_named(&moto, "solo"), 1);
    assert_eq!(
        stack_status(&moto, "solo").as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_eq!(change_set_count(&moto, "solo"), 0);
}

/// A stack left in REVIEW_IN_PROGRESS (a first deploy stopped at its prompt by another
/// tool) is taken over by the next deploy, as CloudFormation does, and followed by id.
#[test]
fn a_stack_waiting_in_review_is_reused() {
    let moto = Moto::start();
    let body = "Action=CreateChangeSet&Version=2010-05-15&StackName=solo&ChangeSetName=left&ChangeSetType=CREATE&TemplateBody=%7B%22Resources%22%3A%7B%22Q%22%3A%7B%22Type%22%3A%22AWS%3A%3ASQS%3A%3AQueue%22%7D%7D%7D";
    let answer = http_post(moto.port, "cloudformation", body);
    assert!(answer.contains("<StackId>"), "{answer}");
    assert_eq!(
        stack_status(&moto, "solo").as_deref(),
        Some("REVIEW_IN_PROGRESS")
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let app = topic_assembly(dir.path());
    let (ok, stdout, stderr) = deploy(&moto, &app, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("✅ solo: deployed"), "{stdout}");
    assert_eq!(
        stacks_named(&moto, "solo"),
        1,
        "no second stack of that name"
    );
    assert_eq!(
        stack_status(&moto, "solo").as_deref(),
        Some("CREATE_COMPLETE")
    );
}

#[test]
fn stacks_of_another_account_are_refused_before_anything_is_sent() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = topic_assembly(dir.path());
    let manifest = app.join("manifest.json");
    let text_of = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(
        &manifest,
        text_of.replace("aws://123456789012/", "aws://999999999999/"),
    )
    .expect("write");
    let (ok, stdout, stderr) = deploy(&moto, &app, &[]);
    assert!(!ok);
    assert!(
        stderr.contains("solo (aws://999999999999): the stack's environment names another account than the credentials', which are of account 123456789012; nothing was sent"),
        "{stdout}\n{stderr}"
    );
    assert_eq!(stacks_named(&moto, "solo"), 0);
    let out = rcdk(
        &moto.endpoint(),
        &["bootstrap", "aws://999999999999/us-east-1"],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("which are of account 123456789012"),
        "{stderr}"
    );
    assert_eq!(stacks_named(&moto, "RcdkToolkit"), 0);
}

#[test]
fn a_dependency_cycle_is_an_error_naming_the_stacks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let topic = serde_json::json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}});
    let app = assembly_of(
        dir.path(),
        &[
            ("first", topic.clone(), &[], false),
            ("a", topic.clone(), &["b"], false),
            ("b", topic, &["a"], false),
        ],
    )
    .display()
    .to_string();
    for selection in [&["--all"][..], &["a"][..]] {
        let mut args = vec!["deploy", "--app", &app, "--require-approval", "never"];
        args.extend_from_slice(selection);
        // A dead endpoint: nothing may be sent.
        let out = rcdk("http://127.0.0.1:9", &args);
        let (stdout, stderr) = text(&out);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{selection:?}: {stdout}\n{stderr}"
        );
        assert!(
            stderr.contains("the stacks depend on each other in a cycle (a → b → a)"),
            "{selection:?}: {stderr}"
        );
    }
}

#[test]
fn destroy_exclusively_refuses_a_stack_whose_exports_are_imported() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let producer = serde_json::json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"TopicArn": {"Value": {"Ref": "Topic"}, "Export": {"Name": "shared-topic-arn"}}}});
    let consumer = serde_json::json!({"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {
        "Tags": [{"Key": "Topic", "Value": {"Fn::ImportValue": "shared-topic-arn"}}]}}}});
    let app = assembly_of(
        dir.path(),
        &[
            ("producer", producer, &[], false),
            ("consumer", consumer, &["producer"], false),
        ],
    );
    let (ok, stdout, stderr) = deploy(&moto, &app, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let app = app.display().to_string();
    let out = rcdk(
        &moto.endpoint(),
        &[
            "destroy",
            "producer",
            "--exclusively",
            "--force",
            "--app",
            &app,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(
            "producer: other stacks still use its exports: consumer (imports shared-topic-arn)"
        ),
        "{stderr}"
    );
    assert_eq!(
        stack_status(&moto, "producer").as_deref(),
        Some("CREATE_COMPLETE")
    );
    // Without --exclusively the importer goes first, then the producer.
    let out = rcdk(
        &moto.endpoint(),
        &["destroy", "producer", "--force", "--app", &app],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(stack_status(&moto, "producer"), None);
}

#[test]
fn arguments_are_refused_before_anything_is_sent() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = topic_assembly(dir.path());
    let app = app.display().to_string();
    let cases: [(&[&str], &str); 3] = [
        (
            &["bootstrap", "not-a-region"],
            "'not-a-region' is not an AWS region",
        ),
        (
            &["bootstrap", "aws://123456789012"],
            "'aws://123456789012' is not aws://ACCOUNT/REGION",
        ),
        (
            &[
                "deploy",
                "--all",
                "--app",
                &app,
                "--allow-replace",
                "NoSuchLogicalId",
            ],
            "--allow-replace NoSuchLogicalId: no stack being deployed has a resource with that logical id",
        ),
    ];
    for (args, message) in cases {
        let out = rcdk(&moto.endpoint(), args);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stdout}\n{stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    assert_eq!(stacks_named(&moto, "solo"), 0);
    assert_eq!(stacks_named(&moto, "RcdkToolkit"), 0);
    // An id the deployed template has (a resource the new template removes) is allowed.
    let (ok, stdout, stderr) = deploy(&moto, Path::new(&app), &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let next = one_stack_assembly(
        &dir.path().join("next"),
        serde_json::json!({"Resources": {"Other": {"Type": "AWS::SNS::Topic"}}}),
    );
    let (ok, stdout, stderr) = deploy(&moto, &next, &["--allow-replace", "Topic"]);
    assert!(ok, "{stdout}\n{stderr}");
}

/// Ctrl-C while DeleteStack is on its way: rcdk says the deletion may go on without it.
#[test]
fn an_interrupted_destroy_says_the_deletion_goes_on() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = topic_assembly(dir.path());
    let (ok, stdout, stderr) = deploy(&moto, &app, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let proxy = ScriptedProxy::start(
        moto.port,
        "DeleteStack",
        Script::HoldAnswer(Duration::from_secs(20)),
    );
    let app = app.display().to_string();
    let out = interrupted_when_sent(&proxy, &["destroy", "--all", "--force", "--app", &app]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("solo: the deletion may have started: CloudFormation goes on deleting the stack without rcdk")
            && stderr.contains("destroy stopped by Ctrl-C"),
        "{stderr}"
    );
}
