//! References across regions of one account: literals where synthesis knows the value
//! (names the template sets, ARNs built from them), SSM parameters written by
//! `rcdk deploy` where the consumer opts in, and an error naming both ways otherwise.

use rcdk::{App, Environment, Stack, StackProps};
use rcdk_l1::iam::{CfnRole, CfnRoleProps};
use rcdk_l1::policy::{PolicyDocument, PolicyStatement, Principal};
use rcdk_l1::s3::{CfnBucket, CfnBucketProps};
use rcdk_l1::sns::{CfnTopic, CfnTopicProps};
use rcdk_l1::ssm::{CfnParameter as CfnSsmParameter, CfnParameterProps as CfnSsmParameterProps};
use serde_json::json;

use crate::support::{synth, synth_err, template};

fn regions(opt_in: bool) -> (App, Stack, Stack) {
    let app = App::with_context(Default::default(), "cdk.out");
    let east = Stack::new(
        &app,
        "prod-data",
        StackProps {
            env: Environment::new("123456789012", "us-east-1"),
            ..Default::default()
        },
    );
    let west = Stack::new(
        &app,
        "prod-dr-app",
        StackProps {
            env: Environment::new("123456789012", "us-west-2"),
            cross_region_references: opt_in,
            ..Default::default()
        },
    );
    (app, east, west)
}

fn param(stack: &Stack, id: &str, value: rcdk::Expr<String>) {
    CfnSsmParameter::new(stack, id, CfnSsmParameterProps::new("String", value));
}

#[test]
fn names_and_arns_synthesis_knows_are_written_as_text() {
    let (app, east, west) = regions(false);
    let bucket = CfnBucket::new(
        &east,
        "Backups",
        CfnBucketProps {
            bucket_name: Some("acme-prod-backups".into()),
            ..Default::default()
        },
    );
    let role = CfnRole::new(
        &east,
        "Replicator",
        CfnRoleProps {
            role_name: Some("acme-replicator".into()),
            ..CfnRoleProps::new(PolicyDocument::new(vec![
                PolicyStatement::allow()
                    .principal(Principal::service("s3.amazonaws.com"))
                    .actions(["sts:AssumeRole"]),
            ]))
        },
    );
    let topic = CfnTopic::new(
        &east,
        "Alarms",
        CfnTopicProps {
            topic_name: Some("prod-alarms".into()),
            ..Default::default()
        },
    );
    param(&west, "BucketName", bucket.ref_());
    param(&west, "BucketArn", bucket.attr_arn());
    param(&west, "RoleArn", role.attr_arn());
    param(&west, "TopicArn", topic.ref_());
    let assembly = synth(&app);
    let value = |id: &str| {
        template(&assembly, "prod-dr-app")["Resources"][id]["Properties"]["Value"].clone()
    };
    assert_eq!(value("BucketName"), json!("acme-prod-backups"));
    assert_eq!(
        value("BucketArn"),
        json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::acme-prod-backups"})
    );
    assert_eq!(
        value("RoleArn"),
        json!({"Fn::Sub": "arn:${AWS::Partition}:iam::123456789012:role/acme-replicator"})
    );
    assert_eq!(
        value("TopicArn"),
        json!({"Fn::Sub": "arn:${AWS::Partition}:sns:us-east-1:123456789012:prod-alarms"})
    );
    // Nothing exported, nothing to carry; the producer still deploys first.
    assert!(template(&assembly, "prod-data").get("Outputs").is_none());
    assert!(template(&assembly, "prod-data").get("Metadata").is_none());
    let west = assembly.stack("prod-dr-app").expect("stack");
    assert_eq!(west.dependencies, vec!["prod-data".to_owned()]);
}

#[test]
fn a_value_known_only_at_deploy_needs_a_name_or_the_ssm_opt_in() {
    let (app, east, west) = regions(false);
    let topic = CfnTopic::new(&east, "Alarms", CfnTopicProps::default());
    param(&west, "TopicArn", topic.ref_());
    let err = synth_err(&app).to_string();
    assert!(
        err.contains("prod-dr-app/TopicArn: a reference to 'prod-data/Alarms' crosses regions (us-east-1 → us-west-2) and its value is known only at deploy (its TopicName is not set as text). Either give it a fixed name, so synthesis writes the value as text, or set cross_region_references: true in the StackProps of 'prod-dr-app': rcdk deploy then writes it to the SSM parameter /rcdk/cross-region/prod-data/CrossRegionRefAlarms in us-west-2 after 'prod-data' deploys"),
        "{err}"
    );
}

#[test]
fn with_the_opt_in_deploy_carries_the_value_through_ssm() {
    let (app, east, west) = regions(true);
    let topic = CfnTopic::new(&east, "Alarms", CfnTopicProps::default());
    param(&west, "TopicArn", topic.ref_());
    param(&west, "TopicName", topic.attr_topic_name());
    let assembly = synth(&app);
    let producer = template(&assembly, "prod-data");
    assert_eq!(
        producer["Outputs"],
        json!({
            "CrossRegionFnGetAttAlarmsTopicName": {"Value": {"Fn::GetAtt": ["Alarms", "TopicName"]}},
            "CrossRegionRefAlarms": {"Value": {"Ref": "Alarms"}}
        })
    );
    assert_eq!(
        producer["Metadata"]["rcdk:cross-region-parameters"],
        json!([
            {"Output": "CrossRegionFnGetAttAlarmsTopicName", "Parameter": "/rcdk/cross-region/prod-data/CrossRegionFnGetAttAlarmsTopicName", "Region": "us-west-2", "List": false},
            {"Output": "CrossRegionRefAlarms", "Parameter": "/rcdk/cross-region/prod-data/CrossRegionRefAlarms", "Region": "us-west-2", "List": false}
        ])
    );
    let consumer = template(&assembly, "prod-dr-app");
    assert_eq!(
        consumer["Parameters"]["ProdDataCrossRegionRefAlarms"],
        json!({"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/rcdk/cross-region/prod-data/CrossRegionRefAlarms",
               "Description": "prod-data/Alarms of prod-data (us-east-1), written here by rcdk deploy"})
    );
    assert_eq!(
        consumer["Resources"]["TopicArn"]["Properties"]["Value"],
        json!({"Ref": "ProdDataCrossRegionRefAlarms"})
    );
    assert_eq!(
        assembly.stack("prod-dr-app").expect("stack").dependencies,
        vec!["prod-data".to_owned()]
    );
}

/// On the local endpoint, across two regions: the producer deploys, rcdk writes the
/// topic's ARN to SSM in the consumer's region, and the consumer reads it.
#[test]
fn deploy_writes_the_value_to_ssm_in_the_consumer_region_before_the_consumer_deploys() {
    use crate::local_endpoint::{Moto, json_call, rcdk, text};
    let (app, east, west) = regions(true);
    let topic = CfnTopic::new(&east, "Alarms", CfnTopicProps::default());
    CfnSsmParameter::new(
        &west,
        "TopicArn",
        CfnSsmParameterProps {
            name: Some("/app/alarm-topic-arn".into()),
            ..CfnSsmParameterProps::new("String", topic.ref_())
        },
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("cdk.out");
    app.synth_to(&out).expect("synth");
    let moto = Moto::start();
    let run = rcdk(
        &moto.endpoint(),
        &[
            "deploy",
            "--all",
            "--app",
            &out.display().to_string(),
            "--require-approval",
            "never",
        ],
    );
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    let combined = format!("{stdout}{stderr}");
    assert!(
        combined.contains("prod-data: CrossRegionRefAlarms → SSM /rcdk/cross-region/prod-data/CrossRegionRefAlarms in us-west-2"),
        "{combined}"
    );
    // The parameter is in us-west-2 and holds the topic's ARN (not in us-east-1).
    let get = |region: &str| {
        json_call(
            moto.port,
            region,
            "ssm",
            "AmazonSSM.GetParameter",
            r#"{"Name": "/rcdk/cross-region/prod-data/CrossRegionRefAlarms"}"#,
        )
    };
    let west_answer = get("us-west-2");
    assert!(
        west_answer.contains(r#""Value": "arn:aws:sns:us-east-1:123456789012:"#)
            || west_answer.contains(r#""Value":"arn:aws:sns:us-east-1:123456789012:"#),
        "{west_answer}"
    );
    assert!(get("us-east-1").contains("ParameterNotFound"));
    // The consumer's own parameter resource got that value from it.
    let consumer = json_call(
        moto.port,
        "us-west-2",
        "ssm",
        "AmazonSSM.DescribeParameters",
        "{}",
    );
    assert!(consumer.contains("/app/alarm-topic-arn"), "{consumer}");
    let value = json_call(
        moto.port,
        "us-west-2",
        "ssm",
        "AmazonSSM.GetParameter",
        r#"{"Name": "/app/alarm-topic-arn"}"#,
    );
    let value: serde_json::Value = serde_json::from_str(&value).expect("json");
    assert!(
        value["Parameter"]["Value"]
            .as_str()
            .is_some_and(|v| v.starts_with("arn:aws:sns:us-east-1:123456789012:")),
        "{value}"
    );
    let topics = moto.query("sns", "ListTopics", "2010-03-31");
    assert!(
        topics.contains("arn:aws:sns:us-east-1:123456789012:"),
        "{topics}"
    );
}
