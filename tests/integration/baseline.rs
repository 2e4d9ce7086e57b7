//! The account security baseline: its trail, GuardDuty routing and CIS alarms mean what
//! they say (each alarm watches the metric its filter writes, on the trail's log group),
//! bad settings name the fix, an organization trail admits the management account's
//! trail, and the reference app's organisation (the baseline StackSet, the trail in the
//! security account, the guardrails) deploys on the local endpoint.

use rcdk_constructs::baseline::{AccountBaseline, AccountBaselineProps, CIS_ALARMS, TrailProps};
use rcdk_constructs::monitoring::{AlarmTopic, AlarmTopicProps};
use rcdk_constructs::posture;
use serde_json::{Value as J, json};

use crate::fixtures::{app, stack};
use crate::local_endpoint::{Moto, rcdk, text};
use crate::support::{
    assert_cfn_lint_clean, resource, resources_of_type, synth, synth_err, template,
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

/// A call to the endpoint's AWS Organizations, as `keys`' account.
fn organizations(moto: &Moto, keys: &crate::accounts::Keys, action: &str, body: &str) -> J {
    let answer = crate::local_endpoint::json_call_as(
        moto.port,
        &keys.id,
        "organizations",
        &format!("AWSOrganizationsV20161128.{action}"),
        body,
    );
    serde_json::from_str(&answer).unwrap_or_else(|e| panic!("{action}: {e}: {answer}"))
}

/// The reference app's organisation on the local endpoint, deployed from the pipeline's
/// account through the roles each account trusts it with: the baseline StackSet from
/// the management account reaches every account of the workload OUs in both regions,
/// the guardrails attach to the OUs, and the organization trail records in the
/// security account with its CIS filters.
#[test]
fn the_organisations_baseline_trail_and_guardrails_deploy_on_the_local_endpoint() {
    const MANAGEMENT: &str = "555555555555";
    const SECURITY: &str = "444444444444";
    let moto = Moto::start();
    let management = crate::accounts::bootstrap_trusting_caller(&moto, MANAGEMENT, &["us-east-1"]);
    let security = crate::accounts::bootstrap_trusting_caller(&moto, SECURITY, &["us-east-1"]);
    // The organisation, made by its management account, with a workload account in
    // each of two OUs (the endpoint names them; the settings take their ids).
    organizations(
        &moto,
        &management,
        "CreateOrganization",
        r#"{"FeatureSet": "ALL"}"#,
    );
    let root = organizations(&moto, &management, "ListRoots", "{}")["Roots"][0]["Id"]
        .as_str()
        .expect("root")
        .to_owned();
    let mut ous = Vec::new();
    let mut members = Vec::new();
    for name in ["nonprod", "prod"] {
        let ou = organizations(
            &moto,
            &management,
            "CreateOrganizationalUnit",
            &format!(r#"{{"ParentId": "{root}", "Name": "{name}"}}"#),
        )["OrganizationalUnit"]["Id"]
            .as_str()
            .expect("ou")
            .to_owned();
        let account = organizations(
            &moto,
            &management,
            "CreateAccount",
            &format!(r#"{{"AccountName": "{name}", "Email": "{name}@example.com"}}"#),
        )["CreateAccountStatus"]["AccountId"]
            .as_str()
            .expect("account")
            .to_owned();
        organizations(
            &moto,
            &management,
            "MoveAccount",
            &format!(
                r#"{{"AccountId": "{account}", "SourceParentId": "{root}", "DestinationParentId": "{ou}"}}"#
            ),
        );
        ous.push(ou);
        members.push(account);
    }
    let config =
        std::fs::read_to_string(crate::support::root().join(rcdk_apps::config::CONFIG_FILE))
            .expect("config")
            .replace(
                "workload_ous: [ou-ab12-nonprod1, ou-ab12-prod0001]",
                &format!("workload_ous: [{}]", ous.join(", ")),
            );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("environments.yaml");
    std::fs::write(&file, config).expect("write");
    let app = rcdk::App::with_context(Default::default(), dir.path().join("cdk.out"));
    app.set_context("config", file.display().to_string().into());
    rcdk_apps::build(&app).unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("cdk.out");
    app.synth_to(&out).unwrap_or_else(|e| panic!("{e}"));
    let out = out.display().to_string();
    let run = rcdk(
        &moto.endpoint(),
        &[
            "deploy",
            "org-*",
            "--app",
            &out,
            "--require-approval",
            "never",
        ],
    );
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    for account in &members {
        for region in ["us-east-1", "us-west-2"] {
            assert!(
                stderr.contains(&format!("org-baseline: ✅ {account} {region} SUCCEEDED")),
                "{account} {region}: {stderr}"
            );
        }
    }
    // The guardrails are the management account's, attached to both OUs.
    let policies = organizations(
        &moto,
        &management,
        "ListPolicies",
        r#"{"Filter": "SERVICE_CONTROL_POLICY"}"#,
    );
    let guardrails = policies["Policies"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["Name"] == "rcdk-reference-guardrails")
        .unwrap_or_else(|| panic!("no guardrails: {policies}"));
    let id = guardrails["Id"].as_str().expect("id");
    let targets = organizations(
        &moto,
        &management,
        "ListTargetsForPolicy",
        &format!(r#"{{"PolicyId": "{id}"}}"#),
    );
    for ou in &ous {
        assert!(targets.to_string().contains(ou.as_str()), "{ou}: {targets}");
    }
    // The trail is the organisation's, in the security account.
    let trails = crate::local_endpoint::json_call_as(
        moto.port,
        &security.id,
        "cloudtrail",
        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails",
        "{}",
    );
    let trails: J = serde_json::from_str(&trails).unwrap_or_else(|e| panic!("{e}: {trails}"));
    let trail = &trails["trailList"][0];
    assert_eq!(trail["Name"], "org-trail-trail", "{trails}");
    assert_eq!(trail["IsMultiRegionTrail"], true, "{trails}");
    assert_eq!(trail["IsOrganizationTrail"], true, "{trails}");
    assert_eq!(trail["LogFileValidationEnabled"], true, "{trails}");
    let filters = crate::local_endpoint::json_call_as(
        moto.port,
        &security.id,
        "logs",
        "Logs_20140328.DescribeMetricFilters",
        r#"{"filterNamePrefix": "RootAccountUsage"}"#,
    );
    assert!(filters.contains("RootAccountUsage"), "{filters}");
}

/// An app whose `org-trail` stack holds an organization trail of `management`'s.
fn organization_trail(management: &str) -> rcdk::App {
    let a = app();
    let s = stack(&a, "org-trail");
    AccountBaseline::new(
        &s,
        "Baseline",
        AccountBaselineProps {
            trail: Some(TrailProps {
                organization_management_account: Some(management.into()),
                ..TrailProps::default()
            }),
            ..AccountBaselineProps::new(topic(&s))
        },
    );
    a
}

/// An organization trail records every account; it is the management account's whoever
/// makes it (the security account, as CloudTrail's delegated administrator), so its
/// bucket and key admit that account's trail, under every account's prefix.
#[test]
fn an_organization_trail_is_admitted_as_the_management_accounts() {
    let a = organization_trail("555555555555");
    let assembly = synth(&a);
    let trail = &resource(&assembly, "org-trail", "BaselineTrail")["Properties"];
    assert_eq!(trail["IsOrganizationTrail"], true);
    let trail_arn = json!({"Fn::Sub": "arn:${AWS::Partition}:cloudtrail:${AWS::Region}:555555555555:trail/${AWS::StackName}-trail"});
    let policy = &resource(&assembly, "org-trail", "BaselineTrailBucketPolicy")["Properties"]["PolicyDocument"]
        ["Statement"];
    let writes = policy
        .as_array()
        .and_then(|s| s.iter().find(|s| s["Sid"] == "CloudTrailWrites"))
        .expect("write statement");
    assert_eq!(
        writes["Resource"],
        json!({"Fn::Join": ["", [{"Fn::GetAtt": ["BaselineTrailBucket", "Arn"]}, "/AWSLogs/*"]]})
    );
    assert_eq!(
        writes["Condition"]["StringEquals"]["aws:SourceArn"],
        trail_arn
    );
    let key = resource(&assembly, "org-trail", "BaselineTrailKey")["Properties"].to_string();
    assert!(
        key.contains("arn:${AWS::Partition}:cloudtrail:*:555555555555:trail/*"),
        "{key}"
    );
    // A management account that is not an account id is named.
    let a = organization_trail("management");
    let err = synth_err(&a);
    assert!(
        err.mentions(
            "trail.organization_management_account: 'management' is not an account id (12 digits)"
        ),
        "{err}"
    );
}
