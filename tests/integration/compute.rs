//! The `Function` L2: runtime catalog, its own encrypted log group, a role with only what
//! it needs, tracing, VPC placement, DLQ, URL, grants, metrics, an hourly rule target,
//! validations, cfn-lint.

use rcdk_constructs::compute::{Code, Function, FunctionProps, FunctionVpc};
use rcdk_constructs::events::{RateUnit, Rule, RuleProps, Schedule, TargetOptions};
use rcdk_constructs::iam::{Principal, Role, RoleProps};
use rcdk_constructs::messaging::{Queue, QueueProps};
use rcdk_constructs::network::SubnetKind;
use rcdk_constructs::units::{Duration, Size};
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::support::{assert_cfn_lint_clean, resource, synth, synth_err};

const SOURCE: &str = "def handler(event, context):\n    return {'ok': True}\n";

#[test]
fn an_hourly_function_in_a_vpc_with_its_own_logs_role_and_dlq() {
    let a = app();
    let s = stack(&a, "workers");
    let vpc = crate::l2_fixtures::dev_vpc(&s);
    let failed = Queue::new(&s, "SyncDlq", QueueProps::dead_letter());
    let sync = Function::new(
        &s,
        "Sync",
        FunctionProps {
            vpc: Some(FunctionVpc {
                vpc: vpc.clone(),
                subnets: SubnetKind::PrivateWithEgress,
            }),
            reserved_concurrency: Some(2),
            dead_letter_queue: Some(failed),
            environment: [("MODE".to_owned(), "hourly".into())].into(),
            ..FunctionProps::new("python3.13", "index.handler", Code::Inline(SOURCE.into()))
        },
    );
    let hourly = Rule::new(
        &s,
        "HourlySync",
        RuleProps::schedule(Schedule::rate(1, RateUnit::Hours)),
    );
    hourly.add_function_target(&sync, TargetOptions::default());
    let caller = Role::new(
        &s,
        "Caller",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    );
    sync.grant_invoke(&caller);
    sync.add_url();
    let assembly = synth(&a);
    let p = &resource(&assembly, "workers", "Sync")["Properties"];
    for (key, want) in [
        ("Runtime", json!("python3.13")),
        ("Architectures", json!(["arm64"])),
        ("MemorySize", json!(256)),
        ("Timeout", json!(30)),
        ("TracingConfig", json!({"Mode": "Active"})),
        ("ReservedConcurrentExecutions", json!(2)),
        (
            "DeadLetterConfig",
            json!({"TargetArn": {"Fn::GetAtt": ["SyncDlq", "Arn"]}}),
        ),
        (
            "LoggingConfig",
            json!({"LogFormat": "JSON", "LogGroup": {"Ref": "SyncLogs"}}),
        ),
        ("KmsKeyArn", json!({"Fn::GetAtt": ["StackKey", "Arn"]})),
        ("Environment", json!({"Variables": {"MODE": "hourly"}})),
        ("Role", json!({"Fn::GetAtt": ["SyncRole", "Arn"]})),
    ] {
        assert_eq!(p[key], want, "{key}");
    }
    assert_eq!(
        p["VpcConfig"]["SecurityGroupIds"],
        json!([{"Fn::GetAtt": ["SyncSecurityGroup", "GroupId"]}])
    );
    assert_eq!(
        resource(&assembly, "workers", "SyncLogs")["Properties"]["KmsKeyId"],
        json!({"Fn::GetAtt": ["StackKey", "Arn"]})
    );
    let statements = &resource(&assembly, "workers", "SyncRole")["Properties"]["Policies"][0]["PolicyDocument"]
        ["Statement"];
    assert_eq!(
        statements,
        &json!([
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": {"Fn::GetAtt": ["SyncLogs", "Arn"]}},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": {"Fn::GetAtt": ["StackKey", "Arn"]}},
            {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"},
            // Network interfaces only in the function's subnets, with its group, here.
            {"Effect": "Allow", "Action": "ec2:CreateNetworkInterface", "Resource": [
                {"Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*"},
                {"Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/${SyncSecurityGroup.GroupId}"},
                {"Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:subnet/${VpcPrivateSubnet1}"},
                {"Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:subnet/${VpcPrivateSubnet2}"}
            ]},
            {"Effect": "Allow", "Action": "ec2:DeleteNetworkInterface", "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*"}},
            {"Effect": "Allow", "Action": "ec2:DescribeNetworkInterfaces", "Resource": "*"},
            {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], "Resource": {"Fn::GetAtt": ["SyncDlq", "Arn"]}},
            {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": {"Fn::GetAtt": ["StackKey", "Arn"]}}
        ])
    );
    assert_eq!(
        resource(&assembly, "workers", "HourlySyncTarget1Permission")["Properties"],
        json!({"Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": ["Sync", "Arn"]},
               "Principal": "events.amazonaws.com", "SourceArn": {"Fn::GetAtt": ["HourlySync", "Arn"]}})
    );
    assert_eq!(
        resource(&assembly, "workers", "SyncUrl")["Properties"]["AuthType"],
        "AWS_IAM"
    );
    assert_eq!(
        resource(&assembly, "workers", "Caller")["Properties"]["Policies"][0]["PolicyDocument"]["Statement"],
        json!([{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": {"Fn::GetAtt": ["Sync", "Arn"]}}])
    );
    assert_eq!(sync.metric_errors().metric_name, "Errors");
    assert_eq!(sync.metric_throttles().metric_name, "Throttles");
    assert_eq!(sync.metric_duration_p99().statistic.name(), "p99");
    let dir = tempfile::tempdir().expect("tempdir");
    a.synth_to(dir.path()).expect("synth");
    assert_cfn_lint_clean(&[dir.path().join("workers.template.json")]);
}

#[test]
fn runtimes_sizes_and_code_are_checked() {
    let a = app();
    let s = stack(&a, "workers");
    Function::new(
        &s,
        "Old",
        FunctionProps::new("python3.8", "index.handler", Code::Inline(SOURCE.into())),
    );
    Function::new(
        &s,
        "Unknown",
        FunctionProps::new("cobol1", "index.handler", Code::Inline(SOURCE.into())),
    );
    Function::new(
        &s,
        "Big",
        FunctionProps {
            memory: Size::mebibytes(64),
            timeout: Duration::seconds(901),
            ..FunctionProps::new("java21", "app.Handler", Code::Inline("x".repeat(5000)))
        },
    );
    let err = synth_err(&a).to_string();
    for needle in [
        "workers/Old: runtime python3.8 was deprecated on 2024-10-14; use python3.14",
        "workers/Unknown: runtime 'cobol1' is not a Lambda runtime",
        "workers/Big: memory is 64 MiB; it must be 128 MiB to 10 GiB",
        "workers/Big: timeout is 901 s; it must be 1 s to 15 min",
        "workers/Big: inline code needs a Python or Node.js runtime, not java21; use Code::S3",
        "workers/Big: inline code is 5000 bytes; CloudFormation takes up to 4096; use Code::S3",
    ] {
        assert!(err.contains(needle), "missing '{needle}' in {err}");
    }
}

/// A 60-second function consuming a queue that hides messages for `visibility` seconds.
fn queue_consumer(
    visibility: u32,
    opts: rcdk_constructs::compute::QueueSourceOptions,
) -> rcdk::App {
    let a = app();
    let s = stack(&a, "workers");
    let jobs = Queue::new(
        &s,
        "Jobs",
        QueueProps {
            visibility_timeout: Duration::seconds(u64::from(visibility)),
            ..QueueProps::default()
        },
    );
    let worker = Function::new(
        &s,
        "Worker",
        FunctionProps {
            timeout: Duration::minutes(1),
            ..FunctionProps::new("python3.13", "index.handler", Code::Inline(SOURCE.into()))
        },
    );
    worker.add_queue_source(&jobs, opts);
    a
}

#[test]
fn a_queue_consumer_gets_its_mapping_and_permissions_and_timeouts_are_checked() {
    use rcdk_constructs::compute::QueueSourceOptions;
    let assembly = synth(&queue_consumer(360, QueueSourceOptions::default()));
    assert_eq!(
        resource(&assembly, "workers", "WorkerJobsSource")["Properties"],
        json!({
            "EventSourceArn": {"Fn::GetAtt": ["Jobs", "Arn"]},
            "FunctionName": {"Fn::GetAtt": ["Worker", "Arn"]},
            "BatchSize": 10,
            "FunctionResponseTypes": ["ReportBatchItemFailures"]
        })
    );
    let role = resource(&assembly, "workers", "WorkerRole")["Properties"].to_string();
    assert!(
        role.contains("sqs:ReceiveMessage") && role.contains("sqs:DeleteMessage"),
        "{role}"
    );
    assert!(
        assembly.warnings().is_empty(),
        "6 × 60 s is covered: {:?}",
        assembly.warnings()
    );
    let dir = tempfile::tempdir().unwrap();
    assembly.write(&dir.path().join("out")).unwrap();
    assert_cfn_lint_clean(&[dir.path().join("out/workers.template.json")]);

    // Shorter than the function's timeout: refused; shorter than 6×: a warning.
    for (visibility, refused) in [(30, true), (120, false)] {
        let a = queue_consumer(
            visibility,
            QueueSourceOptions {
                batch_size: 50,
                ..QueueSourceOptions::default()
            },
        );
        let err = synth_err(&a).to_string();
        assert!(
            err.contains("batch_size 50 needs a max_batching_window of at least 1 s"),
            "{err}"
        );
        assert_eq!(
            err.contains("workers/Worker: the queue 'workers/Jobs' hides a message for 30 s but the function may run 1 min; Lambda refuses that: set its visibility_timeout to at least 6 min"),
            refused,
            "{err}"
        );
    }
    let warnings = synth(&queue_consumer(120, QueueSourceOptions::default())).warnings();
    assert_eq!(
        warnings,
        [
            "workers/Worker: the queue 'workers/Jobs' hides a message for 2 min, less than 6 × the function's 1 min AWS recommends; a throttled batch may be received twice"
        ]
    );
}

/// Grants take the construct that acts, not its role: a function, a service (its
/// tasks' role) or a task definition, like the AWS CDK's `IGrantable`.
#[test]
fn grants_take_the_construct() {
    use rcdk_constructs::containers::{
        Cluster, ClusterProps, ContainerImage, ContainerProps, FargateService, FargateServiceProps,
        FargateTaskDefinition, FargateTaskDefinitionProps,
    };
    use rcdk_constructs::storage::{Bucket, BucketProps};
    let a = app();
    let s = stack(&a, "workers");
    let vpc = crate::l2_fixtures::dev_vpc(&s);
    let jobs = Queue::new(&s, "Jobs", QueueProps::default());
    let reports = Bucket::new(&s, "Reports", BucketProps::default());
    let sync = Function::new(
        &s,
        "Sync",
        FunctionProps::new("python3.13", "index.handler", Code::Inline(SOURCE.into())),
    );
    let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
    let task = FargateTaskDefinition::new(&s, "Worker", FargateTaskDefinitionProps::default());
    task.add_container(
        "worker",
        ContainerProps::new(ContainerImage::ecr("worker", "2.0.1")),
    );
    let service = FargateService::new(
        &s,
        "WorkerService",
        FargateServiceProps::new(&cluster, &task, &vpc),
    );
    jobs.grant_send(&sync);
    reports.grant_write(&service);
    jobs.grant_consume(&task);
    let assembly = synth(&a);
    let policies =
        |role: &str| resource(&assembly, "workers", role)["Properties"]["Policies"].to_string();
    let function_role = policies("SyncRole");
    assert!(function_role.contains("sqs:SendMessage"), "{function_role}");
    let task_role = policies("WorkerTaskRole");
    assert!(
        task_role.contains("s3:PutObject") && task_role.contains("sqs:ReceiveMessage"),
        "{task_role}"
    );
    assert!(!function_role.contains("s3:PutObject"), "{function_role}");
}

/// The small worker system's encrypting constructs share one key per stack by default
/// (one $1 key, not one per construct), whose policy has each one's statements; a
/// construct given its own key keeps it.
#[test]
fn constructs_share_one_key_per_stack() {
    use rcdk_constructs::kms::{Key, KeyProps};
    use rcdk_constructs::logs::{LogGroup, LogGroupProps};
    use rcdk_constructs::monitoring::{AlarmTopic, AlarmTopicProps};
    let a = app();
    let s = stack(&a, "workers");
    Queue::new(&s, "Jobs", QueueProps::default());
    Queue::new(&s, "Failed", QueueProps::dead_letter());
    Function::new(
        &s,
        "Sync",
        FunctionProps::new("python3.13", "index.handler", Code::Inline(SOURCE.into())),
    );
    LogGroup::new(&s, "AppLogs", LogGroupProps::default());
    AlarmTopic::new(&s, "Alarms", AlarmTopicProps::default());
    let own = Key::new(&s, "AuditKey", KeyProps::default());
    LogGroup::new(
        &s,
        "AuditLogs",
        LogGroupProps {
            encryption_key: Some(own),
            ..LogGroupProps::default()
        },
    );
    let assembly = synth(&a);
    let t = crate::support::template(&assembly, "workers");
    let keys: Vec<&String> = crate::support::resources_of_type(t, "AWS::KMS::Key")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(keys, ["AuditKey", "StackKey"]);
    let policy = t["Resources"]["StackKey"]["Properties"]["KeyPolicy"].to_string();
    for sid in ["CloudWatchLogsEncrypt", "CloudWatchAlarmsPublish"] {
        assert!(policy.contains(sid), "{sid}: {policy}");
    }
    for queue in ["Jobs", "Failed", "SyncDeadLetters"] {
        assert_eq!(
            t["Resources"][queue]["Properties"]["KmsMasterKeyId"],
            serde_json::json!({"Fn::GetAtt": ["StackKey", "Arn"]}),
            "{queue}"
        );
    }
    assert_eq!(
        t["Resources"]["AuditLogs"]["Properties"]["KmsKeyId"],
        serde_json::json!({"Fn::GetAtt": ["AuditKey", "Arn"]})
    );
    // rcdk cost prices the keys there are: two, not seven.
    let dir = tempfile::tempdir().expect("tempdir");
    a.synth_to(dir.path()).expect("synth");
    let (code, stdout, stderr) = crate::support::run_rcdk(&[
        "cost",
        "--app",
        &dir.path().display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let key_items = report
        .to_string()
        .matches("\"type\":\"AWS::KMS::Key\"")
        .count();
    assert_eq!(key_items, 2, "{stdout}");
}
