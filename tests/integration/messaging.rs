//! The `Queue` L2: encryption, TLS-only policy, dead-letter wiring with typed redrive and
//! redrive-allow policies, exact grants, metrics, validations, and cfn-lint.

use rcdk::{App, Stack};
use rcdk_constructs::iam::{Principal, Role, RoleProps};
use rcdk_constructs::messaging::{Queue, QueueEncryption, QueueProps};
use rcdk_constructs::units::Duration;
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::support::{assert_cfn_lint_clean, resource, synth, synth_err};

fn jobs_and_dlq(s: &Stack) -> (Queue, Queue) {
    let dlq = Queue::new(s, "JobsDlq", QueueProps::dead_letter());
    let jobs = Queue::new(
        s,
        "Jobs",
        QueueProps {
            visibility_timeout: Duration::minutes(2),
            queue_name: Some("workers-jobs".into()),
            ..QueueProps::default()
        },
    );
    jobs.dead_letter_queue(&dlq, 5);
    (jobs, dlq)
}

#[test]
fn a_queue_with_a_dead_letter_queue() {
    let a = app();
    let s = stack(&a, "workers");
    jobs_and_dlq(&s);
    let assembly = synth(&a);
    let jobs = &resource(&assembly, "workers", "Jobs")["Properties"];
    assert_eq!(
        jobs,
        &json!({
            "KmsDataKeyReusePeriodSeconds": 300,
            "KmsMasterKeyId": {"Fn::GetAtt": ["StackKey", "Arn"]},
            "MessageRetentionPeriod": 345600,
            "QueueName": "workers-jobs",
            "ReceiveMessageWaitTimeSeconds": 20,
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["JobsDlq", "Arn"]}, "maxReceiveCount": 5},
            "VisibilityTimeout": 120
        })
    );
    let dlq = &resource(&assembly, "workers", "JobsDlq")["Properties"];
    assert_eq!(dlq["MessageRetentionPeriod"], 1_209_600, "14 days");
    assert_eq!(
        dlq["RedriveAllowPolicy"],
        json!({"redrivePermission": "byQueue", "sourceQueueArns": [
            {"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:workers-jobs"}
        ]})
    );
    assert_eq!(
        resource(&assembly, "workers", "JobsPolicy")["Properties"],
        json!({
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
                "Resource": {"Fn::GetAtt": ["Jobs", "Arn"]},
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}
            }]},
            "Queues": [{"Ref": "Jobs"}]
        })
    );
    assert_eq!(
        resource(&assembly, "workers", "Jobs")["DeletionPolicy"],
        "Delete"
    );
    // Failed messages outlive the stack: someone must still read them.
    for policy in ["DeletionPolicy", "UpdateReplacePolicy"] {
        assert_eq!(
            resource(&assembly, "workers", "JobsDlq")[policy],
            "Retain",
            "{policy}"
        );
    }
}

#[test]
fn grants_are_exact() {
    let a = app();
    let s = stack(&a, "workers");
    let (jobs, _) = jobs_and_dlq(&s);
    let worker = Role::new(
        &s,
        "Worker",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    );
    let producer = Role::new(
        &s,
        "Producer",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    jobs.grant_consume(&worker);
    jobs.grant_send(&producer);
    jobs.grant_purge(&producer);
    let assembly = synth(&a);
    let statements = |role: &str| {
        resource(&assembly, "workers", role)["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].clone()
    };
    let (queue, key) = (
        json!({"Fn::GetAtt": ["Jobs", "Arn"]}),
        json!({"Fn::GetAtt": ["StackKey", "Arn"]}),
    );
    assert_eq!(
        statements("Worker"),
        json!([
            {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], "Resource": queue},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key}
        ])
    );
    assert_eq!(
        statements("Producer"),
        json!([
            {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], "Resource": queue},
            {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key},
            {"Effect": "Allow", "Action": ["sqs:PurgeQueue", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], "Resource": queue}
        ])
    );
}

#[test]
fn metrics_name_the_queue() {
    let a = app();
    let s = stack(&a, "workers");
    let (jobs, dlq) = jobs_and_dlq(&s);
    let visible = jobs.metric_visible_messages();
    assert_eq!(
        (visible.namespace.as_str(), visible.metric_name.as_str()),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    );
    assert_eq!(visible.dimensions[0].0, "QueueName");
    assert_eq!(visible.dimensions[0].1, jobs.name());
    assert_eq!(dlq.metric_visible_messages().dimensions[0].1, dlq.name());
    assert_eq!(
        jobs.metric_oldest_message_age().metric_name,
        "ApproximateAgeOfOldestMessage"
    );
}

#[test]
fn sqs_managed_encryption_and_fifo() {
    let a = app();
    let s = stack(&a, "workers");
    let fifo_dlq = Queue::new(
        &s,
        "OrdersDlq",
        QueueProps {
            fifo: true,
            ..QueueProps::dead_letter()
        },
    );
    let orders = Queue::new(
        &s,
        "Orders",
        QueueProps {
            encryption: QueueEncryption::SqsManaged,
            fifo: true,
            content_based_deduplication: true,
            ..QueueProps::default()
        },
    );
    orders.dead_letter_queue(&fifo_dlq, 3);
    assert!(orders.key().is_none());
    let assembly = synth(&a);
    // An unnamed source can only be named by a reference, which would be a cycle:
    // SQS's default (any queue of the account), said in the template.
    assert_eq!(
        resource(&assembly, "workers", "OrdersDlq")["Properties"]["RedriveAllowPolicy"],
        json!({"redrivePermission": "allowAll"})
    );
    let props = &resource(&assembly, "workers", "Orders")["Properties"];
    assert_eq!(props["SqsManagedSseEnabled"], true);
    assert_eq!(props["FifoQueue"], true);
    assert_eq!(props["ContentBasedDeduplication"], true);
    assert!(props.get("KmsMasterKeyId").is_none());
}

#[test]
fn mistakes_name_the_queue_and_the_fix() {
    let a: App = app();
    let s = stack(&a, "workers");
    let standard_dlq = Queue::new(&s, "Dlq", QueueProps::dead_letter());
    let q = Queue::new(
        &s,
        "Bad",
        QueueProps {
            retention: Duration::days(15),
            visibility_timeout: Duration::seconds(50_000),
            receive_wait: Duration::seconds(30),
            content_based_deduplication: true,
            queue_name: Some("has spaces".into()),
            ..QueueProps::default()
        },
    );
    q.dead_letter_queue(&standard_dlq, 0);
    let fifo = Queue::new(
        &s,
        "Fifo",
        QueueProps {
            fifo: true,
            ..QueueProps::default()
        },
    );
    fifo.dead_letter_queue(&standard_dlq, 3);
    let err = synth_err(&a);
    for needle in [
        "workers/Bad: retention is 15 days; it must be 1 min to 14 days",
        "workers/Bad: visibility_timeout is 50000 s; it must be 0 ms to 12 h",
        "workers/Bad: receive_wait is 30 s; it must be 0 ms to 20 s",
        "workers/Bad: content_based_deduplication needs a FIFO queue; set fifo: true",
        "workers/Bad: max_receive_count is 0; SQS takes 1 to 1000",
        "workers/Fifo: the dead-letter queue 'workers/Dlq' must be FIFO like this queue",
        "workers/Bad: queue_name 'has spaces' is not a queue name: up to 80 letters, digits, '-' and '_' (plus .fifo)",
    ] {
        assert!(
            err.to_string().contains(needle),
            "missing '{needle}' in {err}"
        );
    }
}

#[test]
fn the_templates_pass_cfn_lint() {
    let a = app();
    let s = stack(&a, "workers");
    let (jobs, _) = jobs_and_dlq(&s);
    let worker = Role::new(
        &s,
        "Worker",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    );
    jobs.grant_consume(&worker);
    let dir = tempfile::tempdir().expect("tempdir");
    a.synth_to(dir.path()).expect("synth");
    assert_cfn_lint_clean(&[dir.path().join("workers.template.json")]);
}

#[test]
fn a_worker_service_scales_on_backlog_per_task() {
    use rcdk_constructs::containers::{
        Cluster, ClusterProps, ContainerImage, ContainerProps, FargateService, FargateServiceProps,
        FargateTaskDefinition, FargateTaskDefinitionProps,
    };
    let a = app();
    let s = stack(&a, "workers");
    let vpc = crate::l2_fixtures::dev_vpc(&s);
    let (jobs, _) = jobs_and_dlq(&s);
    let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
    let task = FargateTaskDefinition::new(&s, "Worker", FargateTaskDefinitionProps::default());
    task.add_container(
        "worker",
        ContainerProps::new(ContainerImage::ecr("worker", "2.0.1")),
    );
    jobs.grant_consume(task.task_role());
    let service = FargateService::new(
        &s,
        "WorkerService",
        FargateServiceProps::new(&cluster, &task, &vpc),
    );
    service
        .auto_scale(1, 10)
        .scale_on_backlog_per_task(&jobs, 100);
    let assembly = synth(&a);
    let policy =
        &resource(&assembly, "workers", "WorkerServiceScalingBacklogTracking")["Properties"];
    let config = &policy["TargetTrackingScalingPolicyConfiguration"];
    assert_eq!(config["TargetValue"], 100.0);
    assert_eq!(
        config["CustomizedMetricSpecification"],
        json!({"Metrics": [
            {"Id": "backlog", "ReturnData": false, "MetricStat": {"Stat": "Sum", "Metric": {
                "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["Jobs", "QueueName"]}}]}}},
            {"Id": "tasks", "ReturnData": false, "MetricStat": {"Stat": "Average", "Metric": {
                "Namespace": "ECS/ContainerInsights", "MetricName": "RunningTaskCount",
                "Dimensions": [
                    {"Name": "ClusterName", "Value": {"Ref": "Cluster"}},
                    {"Name": "ServiceName", "Value": {"Fn::GetAtt": ["WorkerServiceService", "Name"]}}
                ]}}},
            {"Id": "perTask", "Expression": "backlog / IF(tasks > 0, tasks, 1)", "Label": "Messages per running task", "ReturnData": true}
        ]})
    );
    let dir = tempfile::tempdir().expect("tempdir");
    a.synth_to(dir.path()).expect("synth");
    assert_cfn_lint_clean(&[dir.path().join("workers.template.json")]);
}

#[test]
fn a_dead_letter_queue_of_services_admits_no_sqs_source_and_says_why_to_guard() {
    let a = app();
    let s = stack(&a, "workers");
    Queue::new(&s, "ScheduleFailures", QueueProps::dead_letter());
    jobs_and_dlq(&s);
    let assembly = synth(&a);
    let services_only = resource(&assembly, "workers", "ScheduleFailures");
    assert_eq!(
        services_only["Properties"]["RedriveAllowPolicy"],
        json!({"redrivePermission": "denyAll"})
    );
    assert_eq!(
        services_only["Metadata"]["guard"]["SuppressedRules"],
        json!(["sqs_dlq_check"])
    );
    // Once a queue names it, it admits that queue and needs no waiver.
    let named = resource(&assembly, "workers", "JobsDlq");
    assert_ne!(
        named["Properties"]["RedriveAllowPolicy"],
        json!({"redrivePermission": "denyAll"})
    );
    assert!(named["Metadata"].get("guard").is_none(), "{named}");
}
