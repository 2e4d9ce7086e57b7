//! EventBridge: typed schedules, rules with queue and Fargate task targets (exact
//! permissions), retries and dead-letter queues, validations, cfn-lint.

use rcdk::{CfnParameter, ParameterProps};
use rcdk_constructs::containers::{
    Cluster, ClusterProps, ContainerImage, ContainerProps, FargateTaskDefinition,
    FargateTaskDefinitionProps,
};
use rcdk_constructs::events::{RateUnit, Rule, RuleProps, Schedule, TargetOptions, TaskPlacement};
use rcdk_constructs::messaging::{Queue, QueueProps};
use rcdk_l1::documents::{EventPattern, Matcher};
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::support::{assert_cfn_lint_clean, resource, synth, synth_err};

#[test]
fn schedules_are_typed_and_validated() {
    let cron = |c| {
        Schedule::from(c)
            .expression()
            .map(str::to_owned)
            .map_err(str::to_owned)
    };
    assert_eq!(
        cron(Schedule::cron().minute(0).hour(4)),
        Ok("cron(0 4 * * ? *)".into())
    );
    assert_eq!(
        cron(Schedule::cron().minute(30).hour(2).day_of_week(2)),
        Ok("cron(30 2 ? * 2 *)".into())
    );
    assert_eq!(
        cron(Schedule::cron().minute(0).day_of_month(1).month(6)),
        Ok("cron(0 * 1 6 ? *)".into())
    );
    assert_eq!(
        Schedule::rate(1, RateUnit::Hours).expression(),
        Ok("rate(1 hour)")
    );
    assert_eq!(
        Schedule::rate(5, RateUnit::Minutes).expression(),
        Ok("rate(5 minutes)")
    );
    assert_eq!(
        cron(Schedule::cron().minute(60)),
        Err("cron minute is 60; it takes 0 to 59".into())
    );
    assert_eq!(
        cron(Schedule::cron().day_of_week(8)),
        Err("cron day_of_week is 8; it takes 1 to 7".into())
    );
    assert_eq!(
        cron(Schedule::cron().day_of_month(1).day_of_week(2)),
        Err("a cron schedule takes a day of the month or a day of the week, not both".into())
    );
    assert_eq!(
        Schedule::rate(0, RateUnit::Days).expression(),
        Err("a rate of 0 never fires; give it at least 1")
    );
}

#[test]
fn a_queue_target_is_admitted_by_the_queue_and_its_key() {
    let a = app();
    let s = stack(&a, "workers");
    let jobs = Queue::new(&s, "Jobs", QueueProps::default());
    let failed = Queue::new(&s, "Failed", QueueProps::dead_letter());
    let rule = Rule::new(
        &s,
        "Hourly",
        RuleProps::schedule(Schedule::rate(1, RateUnit::Hours)),
    );
    rule.add_queue_target(
        &jobs,
        TargetOptions {
            dead_letter_queue: Some(failed.clone()),
            ..TargetOptions::default()
        },
    );
    // A second rule failing into the same queue gets its own statement (Sids differ).
    let nightly = Rule::new(
        &s,
        "Nightly",
        RuleProps::schedule(Schedule::cron().minute(0).hour(2)),
    );
    nightly.add_queue_target(
        &jobs,
        TargetOptions {
            dead_letter_queue: Some(failed),
            ..TargetOptions::default()
        },
    );
    let assembly = synth(&a);
    let props = &resource(&assembly, "workers", "Hourly")["Properties"];
    assert_eq!(props["ScheduleExpression"], "rate(1 hour)");
    assert_eq!(props["State"], "ENABLED");
    assert_eq!(
        props["Targets"],
        json!([{
            "Arn": {"Fn::GetAtt": ["Jobs", "Arn"]},
            "Id": "Target1",
            "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
            "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["Failed", "Arn"]}}
        }])
    );
    let admitted = |queue: &str, rule: &str| {
        json!({
            "Sid": format!("EventBridgeSendsFor{rule}"), "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": {"Fn::GetAtt": [queue, "Arn"]},
            "Condition": {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule, "Arn"]}}}
        })
    };
    for queue in ["Jobs", "Failed"] {
        let statements = &resource(&assembly, "workers", &format!("{queue}Policy"))["Properties"]["PolicyDocument"]
            ["Statement"];
        assert_eq!(statements[1], admitted(queue, "Hourly"), "{queue}");
        assert_eq!(statements[2], admitted(queue, "Nightly"), "{queue}");
        assert_eq!(statements.as_array().map(Vec::len), Some(3), "{queue}");
        let key =
            &resource(&assembly, "workers", "StackKey")["Properties"]["KeyPolicy"]["Statement"];
        assert_eq!(
            key[2],
            json!({
                "Sid": "EventBridgeEncrypts", "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
            }),
            "{queue}"
        );
        assert_eq!(
            key.as_array().map(Vec::len),
            Some(3),
            "one grant for both rules and both queues (they share the stack key)"
        );
    }
}

#[test]
fn a_fargate_task_target_may_run_exactly_its_task() {
    let a = app();
    let s = stack(&a, "workers");
    let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
    let task = FargateTaskDefinition::new(&s, "Cleanup", FargateTaskDefinitionProps::default());
    task.add_container(
        "cleanup",
        ContainerProps::new(ContainerImage::ecr("worker", "2.0.1")),
    );
    let subnets = CfnParameter::list_of_type(
        &s,
        "Subnets",
        "List<AWS::EC2::Subnet::Id>",
        ParameterProps::default(),
    );
    let groups = CfnParameter::of_type(
        &s,
        "TaskSecurityGroup",
        "AWS::EC2::SecurityGroup::Id",
        ParameterProps::default(),
    );
    let nightly = Rule::new(
        &s,
        "Nightly",
        RuleProps::schedule(Schedule::cron().minute(0).hour(4)),
    );
    nightly.add_fargate_task_target(
        &cluster,
        &task,
        TaskPlacement {
            subnets: subnets.value(),
            security_groups: vec![groups.value()],
        },
        TargetOptions::default(),
    );
    let assembly = synth(&a);
    let target = &resource(&assembly, "workers", "Nightly")["Properties"]["Targets"][0];
    assert_eq!(
        target,
        &json!({
            "Arn": {"Fn::GetAtt": ["Cluster", "Arn"]},
            "Id": "Target1",
            "RoleArn": {"Fn::GetAtt": ["NightlyTarget1Role", "Arn"]},
            "EcsParameters": {
                "TaskDefinitionArn": {"Ref": "Cleanup"},
                "LaunchType": "FARGATE", "TaskCount": 1, "PlatformVersion": "LATEST",
                "NetworkConfiguration": {"AwsVpcConfiguration": {
                    "Subnets": {"Ref": "Subnets"}, "SecurityGroups": [{"Ref": "TaskSecurityGroup"}], "AssignPublicIp": "DISABLED"
                }}
            },
            "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
        })
    );
    let role = &resource(&assembly, "workers", "NightlyTarget1Role")["Properties"];
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({"Service": "events.amazonaws.com"})
    );
    assert_eq!(
        role["Policies"][0]["PolicyDocument"]["Statement"],
        json!([
            {"Effect": "Allow", "Action": "ecs:RunTask", "Resource": {"Ref": "Cleanup"},
             "Condition": {"ArnEquals": {"ecs:cluster": {"Fn::GetAtt": ["Cluster", "Arn"]}}}},
            {"Effect": "Allow", "Action": "iam:PassRole",
             "Resource": [{"Fn::GetAtt": ["CleanupExecutionRole", "Arn"]}, {"Fn::GetAtt": ["CleanupTaskRole", "Arn"]}]}
        ])
    );
    let dir = tempfile::tempdir().expect("tempdir");
    a.synth_to(dir.path()).expect("synth");
    assert_cfn_lint_clean(&[dir.path().join("workers.template.json")]);
}

#[test]
fn an_event_pattern_rule_and_the_mistakes_a_rule_refuses() {
    let a = app();
    let s = stack(&a, "workers");
    let q = Queue::new(&s, "Findings", QueueProps::default());
    let findings = Rule::new(
        &s,
        "HighFindings",
        RuleProps::pattern(
            EventPattern::default()
                .source(["aws.guardduty"])
                .detail("severity", [Matcher::numeric_at_least(7.0)]),
        ),
    );
    findings.add_queue_target(&q, TargetOptions::default());
    let ok = synth(&a);
    assert_eq!(
        resource(&ok, "workers", "HighFindings")["Properties"]["EventPattern"],
        json!({"source": ["aws.guardduty"], "detail": {"severity": [{"numeric": [">=", 7.0]}]}})
    );
    Rule::new(&s, "Nothing", RuleProps::default());
    Rule::new(
        &s,
        "Both",
        RuleProps {
            event_pattern: Some(EventPattern::default().source(["aws.s3"])),
            ..RuleProps::schedule(Schedule::rate(1, RateUnit::Days))
        },
    );
    Rule::new(
        &s,
        "BadCron",
        RuleProps::schedule(Schedule::cron().hour(24)),
    );
    let r = Rule::new(
        &s,
        "Retries",
        RuleProps::schedule(Schedule::rate(1, RateUnit::Days)),
    );
    r.add_queue_target(
        &q,
        TargetOptions {
            retry_attempts: 200,
            max_event_age: rcdk_constructs::units::Duration::seconds(10),
            ..TargetOptions::default()
        },
    );
    let err = synth_err(&a).to_string();
    for needle in [
        "workers/Nothing: a rule needs a schedule or an event pattern; use RuleProps::schedule or RuleProps::pattern",
        "workers/Both: a rule takes a schedule or an event pattern, not both; make two rules",
        "workers/BadCron: schedule: cron hour is 24; it takes 0 to 23",
        "workers/Retries: retry_attempts is 200; EventBridge retries 0 to 185 times",
        "workers/Retries: max_event_age is 10 s; it must be 1 min to 1 day",
    ] {
        assert!(err.contains(needle), "missing '{needle}' in {err}");
    }
}
