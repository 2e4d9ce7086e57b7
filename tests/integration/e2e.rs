//! End to end on a local CloudFormation endpoint (moto on 127.0.0.1): deploy the dev
//! environment, redeploy unchanged, update one setting, destroy; rejected templates,
//! `--no-execute`, the replacement guard, and a faulty network.

use std::path::Path;

use crate::local_endpoint::{Moto, dev_assembly, http_post, rcdk, text};

const DEV_STACKS: [&str; 5] = [
    "dev-network",
    "dev-data",
    "dev-workers",
    "dev-app",
    "dev-monitoring",
];

/// A call to the endpoint's ECS (JSON protocol).
fn ecs(moto: &Moto, action: &str, body: &str) -> serde_json::Value {
    let answer = crate::local_endpoint::json_call(
        moto.port,
        "us-east-1",
        "ecs",
        &format!("AmazonEC2ContainerServiceV20141113.{action}"),
        body,
    );
    serde_json::from_str(&answer).unwrap_or_else(|e| panic!("{action}: {e}: {answer}"))
}

/// (cluster ARN, service ARN) of dev's web service on the endpoint.
fn web_service(moto: &Moto) -> (String, String) {
    let clusters = ecs(moto, "ListClusters", "{}");
    for cluster in clusters["clusterArns"].as_array().into_iter().flatten() {
        let cluster = cluster.as_str().expect("arn");
        let services = ecs(
            moto,
            "ListServices",
            &serde_json::json!({"cluster": cluster}).to_string(),
        );
        for service in services["serviceArns"].as_array().into_iter().flatten() {
            let service = service.as_str().expect("arn");
            if service.contains("WebService") {
                return (cluster.to_owned(), service.to_owned());
            }
        }
    }
    panic!("no web service on the endpoint: {clusters}")
}

/// (desired count, task definition) of a service on the endpoint.
fn web_service_state(moto: &Moto, (cluster, service): &(String, String)) -> (i64, String) {
    let described = ecs(
        moto,
        "DescribeServices",
        &serde_json::json!({"cluster": cluster, "services": [service]}).to_string(),
    );
    let s = &described["services"][0];
    (
        s["desiredCount"].as_i64().unwrap_or(-1),
        s["taskDefinition"].as_str().unwrap_or_default().to_owned(),
    )
}

pub(crate) fn stack_status(moto: &Moto, stack: &str) -> Option<String> {
    let body = http_post(
        moto.port,
        "cloudformation",
        &format!("Action=DescribeStacks&Version=2010-05-15&StackName={stack}"),
    );
    let start = body.find("<StackStatus>")? + "<StackStatus>".len();
    let end = body[start..].find("</StackStatus>")? + start;
    Some(body[start..end].to_owned())
}

/// Change sets of `stack` that were not executed (moto also lists executed ones, and
/// those of other stacks).
pub(crate) fn change_set_count(moto: &Moto, stack: &str) -> usize {
    http_post(
        moto.port,
        "cloudformation",
        &format!("Action=ListChangeSets&Version=2010-05-15&StackName={stack}"),
    )
    .split("<member>")
    .filter(|m| {
        m.contains(&format!("<StackName>{stack}</StackName>"))
            && !m.contains("<ExecutionStatus>EXECUTE_COMPLETE<")
    })
    .count()
}

/// Dev's account bootstrapped trusting the caller (the pipeline's shared-services
/// account, which deploys the images itself), and the test's queries looking into it.
pub(crate) fn bootstrap_dev(moto: &Moto) {
    let dev =
        crate::accounts::bootstrap_trusting_caller(moto, crate::accounts::DEV, &["us-east-1"]);
    moto.look_in(&dev.id);
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

pub(crate) fn deploy(moto: &Moto, app: &Path, extra: &[&str]) -> (bool, String, String) {
    deploy_at(&moto.endpoint(), app, extra)
}

/// `rcdk deploy --all` of `app` against `endpoint` (the local endpoint, or a proxy in
/// front of it), approvals off.
pub(crate) fn deploy_at(endpoint: &str, app: &Path, extra: &[&str]) -> (bool, String, String) {
    let app = app.display().to_string();
    let mut args = vec![
        "deploy",
        "--all",
        "--app",
        app.as_str(),
        "--require-approval",
        "never",
    ];
    args.extend_from_slice(extra);
    let out = rcdk(endpoint, &args);
    let (stdout, stderr) = text(&out);
    (out.status.success(), stdout, stderr)
}

#[test]
fn deploy_redeploy_update_and_destroy_the_dev_environment() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let first = dev_assembly(&dir.path().join("v1"), None);
    // The caller is the pipeline's account (shared services, which holds the images);
    // dev's account trusts it through its bootstrap (whose bucket takes the sync
    // function's code), and the test looks into dev's account.
    bootstrap_dev(&moto);

    let (ok, stdout, stderr) = deploy(
        &moto,
        &first,
        &[
            "--outputs-file",
            &dir.path().join("outputs.json").display().to_string(),
        ],
    );
    assert!(ok, "{stdout}\n{stderr}");
    for s in DEV_STACKS {
        assert!(stdout.contains(&format!("✅ {s}: deployed")), "{stdout}");
        assert_eq!(
            stack_status(&moto, s).as_deref(),
            Some("CREATE_COMPLETE"),
            "{s}"
        );
    }
    // The cross-stack exports were created and used, and the resources exist.
    assert!(
        count(
            &moto.query("ec2", "DescribeVpcs", "2016-11-15"),
            "<cidrBlock>10.10.0.0/16</cidrBlock>"
        ) >= 1
    );
    assert!(
        count(
            &moto.query("ec2", "DescribeSubnets", "2016-11-15"),
            "<subnetId>"
        ) >= 6
    );
    assert_eq!(
        count(
            &moto.query(
                "elasticloadbalancing",
                "DescribeLoadBalancers",
                "2015-12-01"
            ),
            "<LoadBalancerArn>"
        ),
        1
    );
    assert!(
        moto.query("rds", "DescribeDBInstances", "2014-10-31")
            .contains("<Engine>postgres</Engine>")
    );
    // The worker tier: its queues by name, and the function whose code was uploaded
    // first (moto's Lambda reads the object when it creates the function).
    let queues = moto.query("sqs", "ListQueues", "2012-11-05");
    assert!(
        queues.contains("/dev-jobs<") && queues.contains("/dev-jobs-dead-letters<"),
        "{queues}"
    );
    assert!(
        stderr.contains("dev-workers: asset ")
            && stderr.contains("uploaded to s3://rcdk-assets-111111111111-us-east-1"),
        "{stderr}"
    );
    let outputs: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("outputs.json")).expect("outputs file"),
    )
    .expect("json");
    assert!(
        outputs["dev-network"]["ExportsOutputRefVpc"]
            .as_str()
            .is_some_and(|v| v.starts_with("vpc-")),
        "{outputs}"
    );

    // Again: nothing to do, and no change set left behind.
    let (ok, stdout, stderr) = deploy(&moto, &first, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    // Dev's five and the shared images of both regions.
    assert_eq!(count(&stdout, ": unchanged"), 7, "{stdout}");
    for s in DEV_STACKS {
        assert_eq!(change_set_count(&moto, s), 0, "{s}");
    }

    // Autoscaling has scaled the web service out to 4 tasks (set here by hand, as
    // Application Auto Scaling would).
    let web = web_service(&moto);
    ecs(
        &moto,
        "UpdateService",
        &serde_json::json!({"cluster": web.0, "service": web.1, "desiredCount": 4}).to_string(),
    );
    let (desired, _) = web_service_state(&moto, &web);
    assert_eq!(desired, 4);

    // A new image: one UPDATE change set with exactly that change, and the scaled
    // service keeps its 4 tasks (its template writes no DesiredCount, so CloudFormation
    // leaves the count alone; before, every deploy reset it to the template's number).
    let config =
        std::fs::read_to_string(crate::support::root().join(rcdk_apps::config::CONFIG_FILE))
            .expect("config");
    let changed = config.replacen("      image: web:1.4.2\n", "      image: web:1.4.3\n", 1);
    assert_ne!(config, changed);
    let config_path = dir.path().join("environments.yaml");
    std::fs::write(&config_path, changed).expect("write config");
    let second = dev_assembly(&dir.path().join("v2"), Some(&config_path));
    // diff against the deployed template (GetTemplate) goes down to the changed leaf.
    let v2 = second.display().to_string();
    let out = rcdk(&moto.endpoint(), &["diff", "--app", &v2, "--fail", "dev-*"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("[~] AWS::ECS::TaskDefinition WebTask (may replace)\n    Properties.ContainerDefinitions[0].Image: ")
            && stdout.contains(r#"":1.4.2"]]} → {"#) && stdout.contains(r#"":1.4.3"]]}"#),
        "{stdout}"
    );
    assert_eq!(count(&stdout, "There were no differences"), 4, "{stdout}");
    // CloudFormation updates the service too (its TaskDefinition property changes); the
    // endpoint updates only resources whose own properties change, so the service is
    // given one more change here, to be updated as it would be in AWS.
    let edit_service = |assembly: &Path, change: &dyn Fn(&mut serde_json::Value)| {
        let path = assembly.join("dev-app.template.json");
        let mut t: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("template")).expect("json");
        change(&mut t["Resources"]["WebServiceService"]["Properties"]);
        std::fs::write(&path, serde_json::to_string_pretty(&t).expect("json")).expect("write");
    };
    edit_service(&second, &|p| p["EnableExecuteCommand"] = true.into());
    let (ok, stdout, stderr) = deploy(&moto, &second, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("✅ dev-app: deployed"), "{stdout}");
    assert_eq!(count(&stdout, ": unchanged"), 6, "{stdout}");
    let table = stderr
        .split("dev-app: change set")
        .nth(1)
        .unwrap_or_default();
    for row in ["WebTask", "WebServiceService"] {
        assert!(
            table
                .lines()
                .any(|r| r.contains(row) && r.contains("Modify")),
            "{row} is updated: {stderr}"
        );
    }
    // The service was updated and kept the count autoscaling gave it.
    assert_eq!(
        web_service_state(&moto, &web).0,
        4,
        "the deploy reset the scaled service's count"
    );
    // What the old template did, to show the endpoint applies a written count on update:
    // a DesiredCount in the template resets the running count.
    edit_service(&second, &|p| p["DesiredCount"] = 2.into());
    let (ok, stdout, stderr) = deploy(&moto, &second, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let (desired, task_definition) = web_service_state(&moto, &web);
    assert_eq!(desired, 2, "a written DesiredCount is applied on update");
    assert!(task_definition.contains("WebTask"), "{task_definition}");
    assert_eq!(
        stack_status(&moto, "dev-app").as_deref(),
        Some("UPDATE_COMPLETE")
    );

    let app = second.display().to_string();
    let out = rcdk(
        &moto.endpoint(),
        &["destroy", "dev-*", "--app", &app, "--force"],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("destroyed 5 stacks"), "{stdout}");
    for s in DEV_STACKS {
        assert_eq!(stack_status(&moto, s), None, "{s} is gone");
    }
}

/// An assembly of one stack `solo` holding one SNS topic.
pub(crate) fn topic_assembly(dir: &Path) -> std::path::PathBuf {
    one_stack_assembly(
        dir,
        serde_json::json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}),
    )
}

pub(crate) fn one_stack_assembly(dir: &Path, template: serde_json::Value) -> std::path::PathBuf {
    assembly_of(dir, &[("solo", template, &[], false)])
}

#[test]
fn a_rejected_template_fails_with_the_endpoint_message_and_leaves_no_change_set() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = serde_json::json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::ImportValue": "no-such-export"}}}}});
    let app = one_stack_assembly(dir.path(), bad);
    let (ok, stdout, stderr) = deploy(&moto, &app, &[]);
    assert!(!ok);
    assert!(stdout.contains("❌ solo: ExecuteChangeSet failed: ValidationError: No export named no-such-export found."), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("1 of 1 stacks did not deploy: solo"),
        "{stderr}"
    );
    assert_eq!(change_set_count(&moto, "solo"), 0);
}

#[test]
fn no_execute_leaves_the_change_set_for_review() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = topic_assembly(dir.path());
    let (ok, stdout, stderr) = deploy(&moto, &app, &["--no-execute"]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("⏸  solo: change set left for review: arn:aws:cloudformation:us-east-1:123456789012:changeSet/rcdk-deploy-"), "{stdout}");
    assert_eq!(change_set_count(&moto, "solo"), 1);
    assert_eq!(
        stack_status(&moto, "solo").as_deref(),
        Some("REVIEW_IN_PROGRESS")
    );
}

#[test]
fn replacing_a_database_needs_explicit_permission() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = |name: &str| {
        serde_json::json!({"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
            "DBName": name, "Engine": "postgres", "DBInstanceClass": "db.t4g.micro", "AllocatedStorage": "20",
            "MasterUsername": "admin1", "MasterUserPassword": "not-a-real-password-1"}}}})
    };
    let (ok, stdout, stderr) = deploy(
        &moto,
        &one_stack_assembly(&dir.path().join("a"), db("app")),
        &[],
    );
    assert!(ok, "{stdout}\n{stderr}");
    let renamed = one_stack_assembly(&dir.path().join("b"), db("shop"));
    let (ok, stdout, stderr) = deploy(&moto, &renamed, &[]);
    assert!(!ok);
    assert!(
        stdout.contains("❌ solo: stopped: Db (AWS::RDS::DBInstance) would be replaced; that loses data. If it is intended, pass --allow-replace LOGICAL_ID"),
        "{stdout}\n{stderr}"
    );
    assert_eq!(
        change_set_count(&moto, "solo"),
        0,
        "the refused change set is deleted"
    );
    let (ok, stdout, stderr) = deploy(&moto, &renamed, &["--allow-replace", "Db"]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("✅ solo: deployed"), "{stdout}");
}

#[test]
fn deploy_survives_throttling_and_dropped_connections() {
    let moto = Moto::start();
    let proxy = crate::fault_proxy::FaultProxy::start(moto.port, 60);
    let dir = tempfile::tempdir().expect("tempdir");
    let app = dev_assembly(dir.path(), None).display().to_string();
    bootstrap_dev(&moto);
    // Through the faults: the change sets and the S3 uploads (asset, large templates).
    let (ok, stdout, stderr) = deploy_at(
        &format!("http://127.0.0.1:{}", proxy.port),
        Path::new(&app),
        &[],
    );
    assert!(ok, "{stdout}\n{stderr}");
    assert!(proxy.throttled.load(std::sync::atomic::Ordering::SeqCst) >= 10);
    assert!(proxy.dropped.load(std::sync::atomic::Ordering::SeqCst) >= 10);
    for s in DEV_STACKS {
        assert_eq!(
            stack_status(&moto, s).as_deref(),
            Some("CREATE_COMPLETE"),
            "{s}"
        );
        assert_eq!(change_set_count(&moto, s), 0, "{s}");
    }
}

#[test]
fn a_dead_endpoint_fails_fast_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = topic_assembly(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let started = std::time::Instant::now();
    let out = rcdk(
        &format!("http://127.0.0.1:{port}"),
        &["deploy", "--all", "--app", &app.display().to_string()],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    // The first call is the account check (whose credentials these are).
    assert!(
        stderr.contains(&format!(
            "account check: STS GetCallerIdentity failed: cannot reach http://127.0.0.1:{port}/"
        )),
        "{stderr}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "no hang"
    );
}

#[test]
fn broadening_changes_need_approval_and_a_refusal_leaves_nothing() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let role = serde_json::json!({"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "Read", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}}]}}}});
    let app = one_stack_assembly(dir.path(), role).display().to_string();
    // Default --require-approval broadening, and no terminal to ask on.
    let out = rcdk(&moto.endpoint(), &["deploy", "--all", "--app", &app]);
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stdout.contains("❌ solo: the change needs approval (it widens IAM or network access"),
        "{stdout}"
    );
    assert!(
        stderr.contains("+ IAM statement on Role:"),
        "the broadening change is shown: {stderr}"
    );
    assert_eq!(
        stack_status(&moto, "solo"),
        None,
        "the empty stack is deleted"
    );
    assert_eq!(change_set_count(&moto, "solo"), 0);
}

#[test]
fn large_templates_go_through_the_bootstrap_bucket() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    // 400 topics: about 60 KB of compact template (what deploy sends), over the
    // 51,200-byte inline limit.
    let topics: serde_json::Map<String, serde_json::Value> = (1..=400)
        .map(|i| (format!("Topic{i}"), serde_json::json!({"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": format!("Notifications for team number {i} of the organisation and its on-call rotation")}})))
        .collect();
    let template = serde_json::json!({"Resources": topics});
    assert!(
        serde_json::to_string(&template)
            .map(|t| t.len())
            .unwrap_or(0)
            > 51_200
    );
    let app = one_stack_assembly(dir.path(), template)
        .display()
        .to_string();
    let (ok, stdout, stderr) = deploy(&moto, Path::new(&app), &[]);
    assert!(!ok);
    assert!(
        stdout.contains("has no deployment bucket yet; run `rcdk bootstrap` once for the region"),
        "{stdout}\n{stderr}"
    );

    let out = rcdk(&moto.endpoint(), &["bootstrap"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("✅ RcdkToolkit in the configured region: deployment bucket "),
        "{stdout}"
    );
    let buckets = moto.query("s3", "ListBuckets", "2006-03-01");
    assert!(
        buckets.contains("<Name>rcdk-assets-123456789012-us-east-1</Name>"),
        "the bucket is named by account and region: {buckets}"
    );

    let (ok, stdout, stderr) = deploy(&moto, Path::new(&app), &[]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("solo: template is ")
            && stderr.contains("bytes, over the 51200 CloudFormation takes inline; uploaded to https://rcdk-assets-123456789012-us-east-1.s3.us-east-1.amazonaws.com/templates/solo/"),
        "{stderr}"
    );
    // Unchanged: the template named by its hash is in the bucket already; not sent again.
    let (ok, stdout, stderr) = deploy(&moto, Path::new(&app), &[]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("already in the bucket (unchanged): https://")
            && !stderr.contains("uploaded to"),
        "{stderr}"
    );
    assert!(stdout.contains("solo: unchanged"), "{stdout}");
    assert_eq!(
        stack_status(&moto, "solo").as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_eq!(
        count(&moto.query("sns", "ListTopics", "2010-03-31"), "<TopicArn>"),
        100,
        "the first page of 400 topics"
    );
}

/// A stack with one Lambda function whose code is a local folder, synthesized into `dir`.
pub(crate) fn function_assembly(dir: &Path, code: &Path) -> std::path::PathBuf {
    use rcdk_constructs::compute::{Code, Function, FunctionProps};
    let app = rcdk::App::with_context(Default::default(), dir);
    let s = rcdk::Stack::new(
        &app,
        "jobs",
        rcdk::StackProps {
            env: rcdk::Environment::new("123456789012", "us-east-1"),
            ..Default::default()
        },
    );
    Function::new(
        &s,
        "Sync",
        FunctionProps::new(
            "python3.13",
            "index.handler",
            Code::Asset(code.to_path_buf()),
        ),
    );
    app.synth_to(dir).unwrap_or_else(|e| panic!("{e}"));
    dir.to_path_buf()
}

#[test]
fn function_code_is_uploaded_to_the_bootstrap_bucket_before_the_change_set() {
    let moto = Moto::start();
    let work = tempfile::tempdir().expect("tempdir");
    let code = work.path().join("sync");
    std::fs::create_dir_all(&code).expect("code");
    std::fs::write(
        code.join("index.py"),
        "def handler(event, context):\n    return 'synced'\n",
    )
    .expect("code");
    let app = function_assembly(&work.path().join("cdk.out"), &code);

    let (ok, stdout, stderr) = deploy(&moto, &app, &[]);
    assert!(!ok);
    assert!(
        stdout.contains("jobs: the stack has file assets to upload, but us-east-1 is not bootstrapped; run `rcdk bootstrap`"),
        "{stdout}\n{stderr}"
    );
    assert_eq!(stack_status(&moto, "jobs"), None, "nothing was created");

    let out = rcdk(&moto.endpoint(), &["bootstrap"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let (ok, stdout, stderr) = deploy(&moto, &app, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(app.join("jobs.assets.json")).expect("asset manifest"),
    )
    .expect("json");
    let (hash, _) = manifest["files"]
        .as_object()
        .and_then(|f| f.iter().next())
        .expect("one asset");
    let key = format!("{hash}.zip");
    assert!(
        stderr.contains(&format!("jobs: asset {key} ("))
            && stderr.contains("bytes) uploaded to s3://rcdk-assets-123456789012-us-east-1"),
        "{stderr}"
    );
    // moto's Lambda reads the object when it creates the function: a missing upload
    // fails the stack.
    assert_eq!(
        stack_status(&moto, "jobs").as_deref(),
        Some("CREATE_COMPLETE")
    );
    let (status, body) = http_get(
        moto.port,
        &format!("/rcdk-assets-123456789012-us-east-1/{key}"),
    );
    assert!(status.contains("200"), "{status}");
    assert_eq!(
        body,
        rcdk::deploy::zip_folder(&app.join(format!("asset.{hash}"))).expect("zip"),
        "the object is the deterministic zip of the staged folder"
    );

    // Unchanged: the object is not sent again and the stack has no changes.
    let (ok, stdout, stderr) = deploy(&moto, &app, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!(
            "jobs: asset {key} already in s3://rcdk-assets-123456789012-us-east-1"
        )) && stderr.contains("jobs: no changes"),
        "{stderr}"
    );

    // Edited code: a new key, so CloudFormation updates the function.
    std::fs::write(
        code.join("index.py"),
        "def handler(event, context):\n    return 'v2'\n",
    )
    .expect("code");
    let app = function_assembly(&work.path().join("cdk.out"), &code);
    let (ok, stdout, stderr) = deploy(&moto, &app, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("bytes) uploaded to s3://") && !stderr.contains(&key),
        "{stderr}"
    );
    assert_eq!(
        stack_status(&moto, "jobs").as_deref(),
        Some("UPDATE_COMPLETE")
    );
}

#[test]
fn a_region_bootstrapped_before_assets_is_told_to_bootstrap_again_and_can() {
    let moto = Moto::start();
    let work = tempfile::tempdir().expect("tempdir");
    // The toolkit stack as rcdk bootstrapped it before assets: an unnamed bucket.
    let old = assembly_of(
        &work.path().join("old"),
        &[(
            "RcdkToolkit",
            serde_json::json!({
                "Resources": {"DeploymentBucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}},
                "Outputs": {"BucketName": {"Value": {"Ref": "DeploymentBucket"}}}
            }),
            &[],
            false,
        )],
    );
    let (ok, stdout, stderr) = deploy(&moto, &old, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let code = work.path().join("sync");
    std::fs::create_dir_all(&code).expect("code");
    std::fs::write(code.join("index.py"), "def handler(e, c):\n    return 1\n").expect("code");
    let app = function_assembly(&work.path().join("cdk.out"), &code);
    let (ok, stdout, stderr) = deploy(&moto, &app, &[]);
    assert!(!ok);
    assert!(
        stdout.contains(
            "was bootstrapped by an older rcdk without the asset bucket; run `rcdk bootstrap`"
        ),
        "{stdout}\n{stderr}"
    );
    let out = rcdk(&moto.endpoint(), &["bootstrap"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let (ok, stdout, stderr) = deploy(&moto, &app, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let buckets = moto.query("s3", "ListBuckets", "2006-03-01");
    assert_eq!(
        count(&buckets, "<Name>"),
        2,
        "the old bucket is retained, not deleted: {buckets}"
    );
}

/// A plain GET to moto: (status line, body).
pub(crate) fn http_get(port: u16, path: &str) -> (String, Vec<u8>) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head.lines().next().unwrap_or_default().to_owned();
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{head}"
    );
    (status, response[split + 4..].to_vec())
}

pub(crate) fn assembly_of(
    dir: &Path,
    stacks: &[(&str, serde_json::Value, &[&str], bool)],
) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).expect("dir");
    let mut artifacts = serde_json::Map::new();
    for (name, template, deps, protect) in stacks {
        artifacts.insert((*name).to_owned(), serde_json::json!({
            "type": "aws:cloudformation:stack", "environment": "aws://123456789012/us-east-1",
            "properties": {"templateFile": format!("{name}.template.json"), "terminationProtection": protect},
            "dependencies": deps}));
        std::fs::write(
            dir.join(format!("{name}.template.json")),
            template.to_string(),
        )
        .expect("template");
    }
    let manifest = serde_json::json!({"version": "36.0.0", "artifacts": artifacts});
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).expect("manifest");
    dir.to_path_buf()
}

#[test]
fn an_export_still_imported_is_kept_for_one_more_deploy() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let producer = |with_output: bool| {
        let mut t = serde_json::json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}});
        if with_output {
            t["Outputs"] = serde_json::json!({"TopicArn": {"Value": {"Ref": "Topic"}, "Export": {"Name": "shared-topic-arn"}}});
        }
        t
    };
    let consumer = serde_json::json!({"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {
        "Tags": [{"Key": "Topic", "Value": {"Fn::ImportValue": "shared-topic-arn"}}]}}}});
    let first = assembly_of(
        &dir.path().join("a"),
        &[
            ("producer", producer(true), &[], false),
            ("consumer", consumer.clone(), &["producer"], false),
        ],
    );
    let (ok, stdout, stderr) = deploy(&moto, &first, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    // The producer stops exporting while the consumer still imports: rcdk keeps it.
    let second = assembly_of(
        &dir.path().join("b"),
        &[
            ("producer", producer(false), &[], false),
            ("consumer", consumer, &["producer"], false),
        ],
    );
    let second = second.display().to_string();
    let out = rcdk(
        &moto.endpoint(),
        &[
            "deploy",
            "producer",
            "--exclusively",
            "--app",
            &second,
            "--require-approval",
            "never",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(
            "producer: keeping export shared-topic-arn for this deploy: still imported by consumer"
        ),
        "{stderr}"
    );
    assert!(
        http_post(
            moto.port,
            "cloudformation",
            "Action=ListExports&Version=2010-05-15"
        )
        .contains("<Name>shared-topic-arn</Name>")
    );
}

#[test]
fn destroy_refuses_a_stack_with_termination_protection() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = assembly_of(
        dir.path(),
        &[(
            "guarded",
            serde_json::json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}),
            &[],
            true,
        )],
    );
    let (ok, stdout, stderr) = deploy(&moto, &app, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let app = app.display().to_string();
    let out = rcdk(
        &moto.endpoint(),
        &["destroy", "--all", "--app", &app, "--force"],
    );
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr.contains("guarded: termination protection is on; turn it off"),
        "{stdout}\n{stderr}"
    );
    assert_eq!(
        stack_status(&moto, "guarded").as_deref(),
        Some("CREATE_COMPLETE")
    );
}

/// A stack of a topic and two parameters; `flag` is the first parameter's value (a value
/// starting with RCDK_TEST_FAIL: makes the local endpoint fail that resource).
fn params_template(flag: &str, other: &str) -> serde_json::Value {
    let param = |v: &str| serde_json::json!({"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": v}});
    serde_json::json!({"Resources": {
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Flag": param(flag),
        "Other": param(other),
    }})
}

/// The deploy's one-line verdict for `stack` and the lines of its error below it.
fn verdict(stdout: &str, stack: &str) -> String {
    let start = stdout
        .find(&format!("❌ {stack}: "))
        .unwrap_or_else(|| panic!("no failure line for {stack}: {stdout}"));
    stdout[start..].to_owned()
}

#[test]
fn a_failed_first_create_reports_its_cause_and_is_recreated_on_the_next_deploy() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let failing = params_template(
        "RCDK_TEST_FAIL: Resource limit exceeded for parameters in this account",
        "b",
    );
    let (ok, stdout, stderr) = deploy(
        &moto,
        &one_stack_assembly(&dir.path().join("a"), failing),
        &[],
    );
    assert!(!ok, "{stdout}\n{stderr}");
    let v = verdict(&stdout, "solo");
    assert!(
        v.starts_with(
            "❌ solo: deployment failed (ROLLBACK_COMPLETE):\n  Flag (AWS::SSM::Parameter): Resource limit exceeded for parameters in this account\n  nothing was kept: the next rcdk deploy deletes the failed stack and creates it again\n"
        ),
        "{v}"
    );
    assert!(
        !v.contains("cancelled"),
        "the cascade is not the cause: {v}"
    );
    assert!(
        stderr.contains("Resource creation cancelled"),
        "the endpoint did cancel the others: {stderr}"
    );
    assert_eq!(
        stack_status(&moto, "solo").as_deref(),
        Some("ROLLBACK_COMPLETE")
    );
    assert_eq!(change_set_count(&moto, "solo"), 0, "no dangling change set");

    let fixed = one_stack_assembly(&dir.path().join("b"), params_template("a", "b"));
    let (ok, stdout, stderr) = deploy(&moto, &fixed, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        format!("{stdout}{stderr}").contains(
            "solo: ROLLBACK_COMPLETE after a failed first create; deleting it to create it again"
        ),
        "{stdout}\n{stderr}"
    );
    assert!(stdout.contains("✅ solo: deployed"), "{stdout}");
    assert_eq!(
        stack_status(&moto, "solo").as_deref(),
        Some("CREATE_COMPLETE")
    );
}

#[test]
fn a_failed_update_reports_the_first_failure_and_keeps_the_previous_template() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let v1 = one_stack_assembly(&dir.path().join("v1"), params_template("one", "a"));
    let (ok, stdout, stderr) = deploy(&moto, &v1, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let template_body = || {
        let body = http_post(
            moto.port,
            "cloudformation",
            "Action=GetTemplate&Version=2010-05-15&StackName=solo",
        );
        let start = body.find("<TemplateBody>").expect("a template") + "<TemplateBody>".len();
        body[start..body.find("</TemplateBody>").expect("end")].to_owned()
    };
    let before = template_body();
    assert!(before.contains("\"Value\":\"one\""), "{before}");

    let v2 = one_stack_assembly(
        &dir.path().join("v2"),
        params_template(
            "RCDK_TEST_FAIL: Parameter value is not valid for this tier",
            "b",
        ),
    );
    let out = rcdk(
        &moto.endpoint(),
        &[
            "deploy",
            "solo",
            "--app",
            &v2.display().to_string(),
            "--require-approval",
            "never",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let v = verdict(&stdout, "solo");
    assert!(
        v.starts_with(
            "❌ solo: deployment failed (UPDATE_ROLLBACK_COMPLETE):\n  Flag (AWS::SSM::Parameter): Parameter value is not valid for this tier\n  rolled back: the stack keeps its previous template and resources\n"
        ),
        "{v}"
    );
    assert!(!v.contains("Resource update cancelled"), "{v}");
    assert!(stderr.contains("Resource update cancelled"), "{stderr}");
    assert_eq!(
        stack_status(&moto, "solo").as_deref(),
        Some("UPDATE_ROLLBACK_COMPLETE")
    );
    assert_eq!(
        template_body(),
        before,
        "the stack keeps its previous template"
    );
    assert_eq!(change_set_count(&moto, "solo"), 0, "no dangling change set");
    // The next deploy of a good template updates the rolled-back stack as usual.
    let v3 = one_stack_assembly(&dir.path().join("v3"), params_template("two", "b"));
    let (ok, stdout, stderr) = deploy(&moto, &v3, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    assert_eq!(
        stack_status(&moto, "solo").as_deref(),
        Some("UPDATE_COMPLETE")
    );
}

#[test]
fn doctor_checks_credentials_the_endpoint_and_bootstrap_per_region() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = topic_assembly(dir.path());
    let app = app.display().to_string();
    let doctor = |endpoint: &str| {
        let out = rcdk(endpoint, &["doctor", "--app", &app]);
        let (stdout, stderr) = text(&out);
        (out.status.code(), stdout, stderr)
    };
    let (code, stdout, stderr) = doctor(&moto.endpoint());
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    for line in [
        "ok   cargo ",
        "ok   credentials          access key test… from the AWS configuration chain",
        &format!("ok   endpoint us-east-1   {} answers", moto.endpoint()),
        "FAIL bootstrap us-east-1  not bootstrapped (needed for file assets and templates over 51,200 bytes); run rcdk bootstrap us-east-1",
    ] {
        assert!(stdout.contains(line), "missing '{line}' in:\n{stdout}");
    }
    let out = rcdk(&moto.endpoint(), &["bootstrap", "us-east-1"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let (code, stdout, _) = doctor(&moto.endpoint());
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("ok   bootstrap us-east-1  RcdkToolkit version 3 is CREATE_COMPLETE; its deploy roles trust this account"),
        "{stdout}"
    );
    // Nothing listens on port 9 of 127.0.0.1: the endpoint check fails and says why.
    let (code, stdout, _) = doctor("http://127.0.0.1:9");
    assert_eq!(code, Some(1));
    assert!(
        stdout.contains("FAIL endpoint us-east-1   http://127.0.0.1:9: "),
        "{stdout}"
    );
}
