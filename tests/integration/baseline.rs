//! The account security baseline: its trail, GuardDuty routing and CIS alarms mean what
//! they say (each alarm watches the metric its filter writes, on the trail's log group),
//! bad settings name the fix, and the reference app's two baseline stacks deploy on the
//! local endpoint.

use rcdk_constructs::baseline::{AccountBaseline, AccountBaselineProps, CIS_ALARMS, TrailProps};
use rcdk_constructs::monitoring::{AlarmTopic, AlarmTopicProps};
use rcdk_constructs::posture;
use serde_json::{Value as J, json};

use crate::fixtures::{app, stack};
use crate::local_endpoint::{Moto, json_call, rcdk, text};
use crate::support::{
    assert_cfn_lint_clean, reference_assembly, resource, resources_of_type, synth, synth_err,
    template,
};

fn topic(s: &rcdk::Stack) -> AlarmTopic {
    AlarmTopic::new(
        s,
        "SecurityAlarms",
        AlarmTopicProps {
            emails: vec!["security@example.com".into()],
            ..AlarmTopicProps::default()
        },
    )
}

#[test]
fn the_trail_records_every_region_validated_encrypted_into_a_locked_bucket() {
    let a = app();
    posture::enforce(&a);
    let s = stack(&a, "baseline");
    AccountBaseline::new(&s, "Baseline", AccountBaselineProps::with_trail(topic(&s)));
    let assembly = synth(&a);
    let trail = &resource(&assembly, "baseline", "BaselineTrail")["Properties"];
    assert_eq!(trail["IsMultiRegionTrail"], true);
    assert_eq!(trail["IncludeGlobalServiceEvents"], true);
    assert_eq!(trail["EnableLogFileValidation"], true);
    assert_eq!(trail["IsLogging"], true);
    assert_eq!(
        trail["KMSKeyId"],
        json!({"Fn::GetAtt": ["BaselineTrailKey", "Arn"]})
    );
    assert_eq!(trail["S3BucketName"], json!({"Ref": "BaselineTrailBucket"}));
    assert_eq!(
        trail["CloudWatchLogsLogGroupArn"],
        json!({"Fn::GetAtt": ["BaselineTrailLogs", "Arn"]})
    );
    let bucket = &resource(&assembly, "baseline", "BaselineTrailBucket")["Properties"];
    assert_eq!(bucket["VersioningConfiguration"]["Status"], "Enabled");
    assert_eq!(bucket["ObjectLockEnabled"], true);
    assert_eq!(
        bucket["ObjectLockConfiguration"]["Rule"]["DefaultRetention"],
        json!({"Days": 365, "Mode": "GOVERNANCE"})
    );
    assert_eq!(
        bucket["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"],
        365
    );
    assert_eq!(
        bucket["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"],
        true
    );
    // Its access is logged to a bucket CloudTrail does not write to.
    assert_eq!(
        bucket["LoggingConfiguration"]["DestinationBucketName"],
        json!({"Ref": "BaselineTrailAccessLogs"})
    );
    // The bucket admits CloudTrail for this trail only: the ARN the trail will have.
    let name = &trail["TrailName"]["Fn::Sub"];
    let policy = &resource(&assembly, "baseline", "BaselineTrailBucketPolicy")["Properties"]["PolicyDocument"];
    let writes = policy["Statement"]
        .as_array()
        .and_then(|l| l.iter().find(|st| st["Sid"] == "CloudTrailWrites"))
        .expect("a statement for CloudTrail's writes");
    let source = writes["Condition"]["StringEquals"]["aws:SourceArn"]["Fn::Sub"]
        .as_str()
        .unwrap_or_default();
    assert!(
        source.ends_with(&format!(":trail/{}", name.as_str().unwrap_or("?"))),
        "{source} names another trail than {name}"
    );
    assert_eq!(
        resource(&assembly, "baseline", "BaselineTrail")["DependsOn"],
        json!(["BaselineTrailBucketPolicy"])
    );
    let dir = tempfile::tempdir().expect("tempdir");
    a.synth_to(dir.path()).expect("synth");
    assert_cfn_lint_clean(&[dir.path().join("baseline.template.json")]);
}

#[test]
fn each_cis_alarm_watches_the_metric_its_filter_writes_on_the_trails_log_group() {
    let a = app();
    let s = stack(&a, "baseline");
    AccountBaseline::new(&s, "Baseline", AccountBaselineProps::with_trail(topic(&s)));
    let assembly = synth(&a);
    let t = template(&assembly, "baseline");
    let filters = resources_of_type(t, "AWS::Logs::MetricFilter");
    let alarms = resources_of_type(t, "AWS::CloudWatch::Alarm");
    assert_eq!(filters.len(), CIS_ALARMS.len());
    assert_eq!(alarms.len(), CIS_ALARMS.len());
    assert_eq!(CIS_ALARMS.len(), 13);
    for (id, filter) in &filters {
        let p = &filter["Properties"];
        assert_eq!(
            p["LogGroupName"],
            json!({"Ref": "BaselineTrailLogs"}),
            "{id}"
        );
        let m = &p["MetricTransformations"][0];
        let watching: Vec<&String> = alarms
            .iter()
            .filter(|(_, a)| {
                a["Properties"]["MetricName"] == m["MetricName"]
                    && a["Properties"]["Namespace"] == m["MetricNamespace"]
            })
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(watching.len(), 1, "{id}: alarms {watching:?}");
    }
    for (id, alarm) in &alarms {
        let p = &alarm["Properties"];
        assert_eq!(
            p["AlarmActions"],
            json!([{"Ref": "SecurityAlarms"}]),
            "{id}"
        );
        assert_eq!(p["Threshold"], 1.0);
        assert_eq!(p["ComparisonOperator"], "GreaterThanOrEqualToThreshold");
        assert_eq!(p["EvaluationPeriods"], 1);
        assert!(
            p["AlarmDescription"]
                .as_str()
                .is_some_and(|d| d.contains("CIS 4.")),
            "{id}: {p}"
        );
    }
    // The patterns the benchmark gives, e.g. root use:
    let root = &resource(&assembly, "baseline", "BaselineRootAccountUsageFilter")["Properties"];
    assert_eq!(
        root["FilterPattern"],
        r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#
    );
}

#[test]
fn high_severity_findings_reach_the_topic_which_admits_eventbridge() {
    let a = app();
    let s = stack(&a, "baseline");
    AccountBaseline::new(&s, "Baseline", AccountBaselineProps::new(topic(&s)));
    let assembly = synth(&a);
    let t = template(&assembly, "baseline");
    // A region without the trail: GuardDuty only.
    assert!(resources_of_type(t, "AWS::CloudTrail::Trail").is_empty());
    assert!(resources_of_type(t, "AWS::CloudWatch::Alarm").is_empty());
    let detector = &resource(&assembly, "baseline", "BaselineDetector")["Properties"];
    assert_eq!(detector["Enable"], true);
    assert_eq!(detector["DataSources"]["S3Logs"]["Enable"], true);
    let rule = &resource(&assembly, "baseline", "BaselineHighSeverityFindings")["Properties"];
    assert_eq!(
        rule["EventPattern"],
        json!({"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
            "detail": {"severity": [{"numeric": [">=", 7.0]}]}})
    );
    assert_eq!(rule["Targets"][0]["Arn"], json!({"Ref": "SecurityAlarms"}));
    let policy =
        &resource(&assembly, "baseline", "SecurityAlarmsPolicy")["Properties"]["PolicyDocument"];
    assert!(
        policy["Statement"]
            .as_array()
            .is_some_and(|l| l.iter().any(|st| st["Principal"]
                == json!({"Service": "events.amazonaws.com"})
                && st["Action"] == "sns:Publish")),
        "{policy}"
    );
    let key = &resource(&assembly, "baseline", "StackKey")["Properties"]["KeyPolicy"];
    assert!(
        key["Statement"].as_array().is_some_and(|l| l
            .iter()
            .any(|st| st["Principal"] == json!({"Service": "events.amazonaws.com"}))),
        "the topic's key must let EventBridge encrypt: {key}"
    );
}

#[test]
fn bad_baseline_settings_name_the_field_and_the_fix() {
    let a = app();
    let s = stack(&a, "baseline");
    AccountBaseline::new(
        &s,
        "Baseline",
        AccountBaselineProps {
            trail: Some(TrailProps {
                retention_days: 100,
                ..TrailProps::default()
            }),
            finding_min_severity: 9.5,
            ..AccountBaselineProps::new(topic(&s))
        },
    );
    let messages: Vec<String> = synth_err(&a)
        .problems
        .into_iter()
        .map(|p| format!("{}: {}", p.path, p.message))
        .collect();
    assert!(
        messages.iter().any(|m| m.starts_with("baseline/Baseline: finding_min_severity is 9.5; GuardDuty's severities run from 1.0 to 8.9")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("trail.retention_days") && m.contains("100")),
        "{messages:?}"
    );
}

#[test]
fn the_reference_baselines_deploy_on_the_local_endpoint() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("cdk.out");
    reference_assembly(&out);
    let boot = rcdk(&moto.endpoint(), &["bootstrap", "us-east-1", "us-west-2"]);
    assert!(boot.status.success(), "{:?}", text(&boot));
    let out = out.display().to_string();
    let run = rcdk(
        &moto.endpoint(),
        &[
            "deploy",
            "baseline-*",
            "--app",
            &out,
            "--require-approval",
            "never",
        ],
    );
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    let trails = json_call(
        moto.port,
        "us-east-1",
        "cloudtrail",
        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails",
        "{}",
    );
    let trails: J = serde_json::from_str(&trails).unwrap_or_else(|e| panic!("{e}: {trails}"));
    let trail = &trails["trailList"][0];
    assert_eq!(
        trail["Name"], "baseline-123456789012-us-east-1-trail",
        "{trails}"
    );
    assert_eq!(trail["IsMultiRegionTrail"], true, "{trails}");
    assert_eq!(trail["LogFileValidationEnabled"], true, "{trails}");
    let filters = json_call(
        moto.port,
        "us-east-1",
        "logs",
        "Logs_20140328.DescribeMetricFilters",
        r#"{"filterNamePrefix": "RootAccountUsage"}"#,
    );
    assert!(filters.contains("RootAccountUsage"), "{filters}");
    // The other region has no trail of its own: the one trail records it.
    let west = json_call(
        moto.port,
        "us-west-2",
        "cloudtrail",
        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails",
        r#"{"includeShadowTrails": false}"#,
    );
    assert!(!west.contains("us-west-2-trail"), "{west}");
}
