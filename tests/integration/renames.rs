//! Renames and moves: a resource removed under one logical id and added under another
//! with equal properties or the same physical name is called out by `rcdk diff` and
//! `rcdk deploy` (CloudFormation would replace it); `override_logical_id` on an L2
//! keeps the deployed id.

use crate::e2e::{deploy, one_stack_assembly, stack_status};
use crate::local_endpoint::{Moto, rcdk, text};

fn queue_as(id: &str) -> serde_json::Value {
    serde_json::json!({"Resources": {id: {"Type": "AWS::SQS::Queue",
        "Properties": {"VisibilityTimeout": 45}}}})
}

#[test]
fn a_renamed_queue_is_called_out_by_diff_and_deploy_and_not_replaced_silently() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let v1 = one_stack_assembly(&dir.path().join("v1"), queue_as("Jobs"));
    let (ok, stdout, stderr) = deploy(&moto, &v1, &[]);
    assert!(ok, "{stdout}\n{stderr}");

    let renamed = one_stack_assembly(&dir.path().join("v2"), queue_as("JobsQueue"));
    let app = renamed.display().to_string();
    let line = "`solo/Jobs` → `solo/JobsQueue` (AWS::SQS::Queue, equal properties) looks like a rename; deploying would replace it, and its data with it. Keep its logical id in code (override_logical_id(\"Jobs\")), or allow the replacement (--allow-replace Jobs)";
    let out = rcdk(&moto.endpoint(), &["diff", "--app", &app]);
    let (stdout, stderr) = text(&out);
    assert!(stdout.contains(line), "{stdout}\n{stderr}");
    let out = rcdk(&moto.endpoint(), &["diff", "--app", &app, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json[0]["likely_renames"][0]["from"]["logical_id"], "Jobs");
    assert_eq!(
        json[0]["likely_renames"][0]["to"]["logical_id"],
        "JobsQueue"
    );

    let (ok, stdout, stderr) = deploy(&moto, &renamed, &[]);
    assert!(!ok, "the queue would be deleted: {stdout}");
    assert!(stderr.contains(line), "{stderr}");
    assert_eq!(
        stack_status(&moto, "solo").as_deref(),
        Some("CREATE_COMPLETE"),
        "nothing changed"
    );
}

#[test]
fn override_logical_id_on_an_l2_pins_its_resource() {
    use rcdk_constructs::compute::{Code, Function, FunctionProps};
    let app = crate::fixtures::app();
    let stack = crate::fixtures::stack(&app, "jobs");
    let moved = rcdk::Scope::new(&stack, "Workers");
    let f = Function::new(
        &moved,
        "Sync",
        FunctionProps::new(
            "python3.13",
            "index.handler",
            Code::Inline("def handler(e, c):\n    pass\n".into()),
        ),
    );
    // The id it had before the refactor put it under `Workers`.
    f.override_logical_id("SyncA1B2C3D4");
    let plain = rcdk::Scope::new(&stack, "Nothing");
    let assembly = crate::support::synth(&app);
    let t = crate::support::template(&assembly, "jobs");
    assert_eq!(
        t["Resources"]["SyncA1B2C3D4"]["Type"],
        "AWS::Lambda::Function"
    );
    // A construct with no resource of its own says where to call it instead.
    plain.override_logical_id("X");
    let err = crate::support::synth_err(&app).to_string();
    assert!(
        err.contains(
            "jobs/Nothing: override_logical_id: this construct has no resource of its own"
        ),
        "{err}"
    );
}

/// The physical id CloudFormation records for `stack`'s `logical_id`.
fn physical_id(moto: &Moto, stack: &str, logical_id: &str) -> Option<String> {
    let answer = crate::local_endpoint::http_post(
        moto.port,
        "cloudformation",
        &format!("Action=DescribeStackResources&Version=2010-05-15&StackName={stack}"),
    );
    answer.split("<member>").find_map(|m| {
        m.contains(&format!(
            "<LogicalResourceId>{logical_id}</LogicalResourceId>"
        ))
        .then(|| {
            m.split_once("<PhysicalResourceId>")?
                .1
                .split_once("</PhysicalResourceId>")
                .map(|(v, _)| v.to_owned())
        })
        .flatten()
    })
}

#[test]
fn rcdk_refactor_moves_a_queue_to_another_stack_without_replacing_it() {
    use crate::e2e::assembly_of;
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let queue =
        serde_json::json!({"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 45}});
    let dlq = serde_json::json!({"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1209600}});
    let topic = serde_json::json!({"Type": "AWS::SNS::Topic"});
    let v1 = assembly_of(
        &dir.path().join("v1"),
        &[
            (
                "data",
                serde_json::json!({"Resources": {"Jobs": queue, "Dlq": dlq}}),
                &[],
                false,
            ),
            (
                "app",
                serde_json::json!({"Resources": {"Alerts": topic}}),
                &[],
                false,
            ),
        ],
    );
    let (ok, stdout, stderr) = deploy(&moto, &v1, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let before = physical_id(&moto, "data", "Jobs").expect("the queue is deployed");

    // The code moved the queue into the app stack, under a new id.
    let v2 = assembly_of(
        &dir.path().join("v2"),
        &[
            (
                "data",
                serde_json::json!({"Resources": {"Dlq": dlq}}),
                &[],
                false,
            ),
            (
                "app",
                serde_json::json!({"Resources": {"Alerts": topic, "JobsQueue": queue}}),
                &[],
                false,
            ),
        ],
    );
    let app = v2.display().to_string();
    let out = rcdk(&moto.endpoint(), &["refactor", "--app", &app, "--dry-run"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("move data/Jobs → app/JobsQueue")
            && stdout.contains("dry run: nothing was sent"),
        "{stdout}"
    );
    assert_eq!(
        physical_id(&moto, "data", "Jobs").as_deref(),
        Some(before.as_str())
    );

    let out = rcdk(&moto.endpoint(), &["refactor", "--app", &app]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("✅ moved 1 resource(s) without replacing them"),
        "{stdout}"
    );
    assert_eq!(
        physical_id(&moto, "app", "JobsQueue"),
        Some(before),
        "the same queue, moved"
    );
    assert_eq!(physical_id(&moto, "data", "Jobs"), None);

    // The next deploy has nothing left to do.
    let (ok, stdout, stderr) = deploy(&moto, &v2, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("data: no changes") && stderr.contains("app: no changes"),
        "{stderr}"
    );

    // A mapping file says the same explicitly; a source that is not deployed is refused.
    let mapping = dir.path().join("mapping.json");
    std::fs::write(&mapping, r#"{"data.Gone": "app.Gone"}"#).unwrap();
    let out = rcdk(
        &moto.endpoint(),
        &[
            "refactor",
            "--app",
            &app,
            "--mapping",
            mapping.to_str().unwrap(),
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stderr.contains("data/Gone: no such deployed resource"),
        "{stderr}"
    );
}
