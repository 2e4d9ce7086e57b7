//! The whole L1 catalogue: one typed struct per registered type, and an app over a dozen
//! services outside the L2 set, typed end to end, whose template cfn-lint accepts.

use rcdk::{App, CfnParameter, ParameterProps, Stack, StackProps, fns};
use rcdk_l1::backup::backup_plan::{BackupPlanResourceType, BackupRuleResourceType};
use rcdk_l1::backup::{CfnBackupPlan, CfnBackupPlanProps, CfnBackupVault, CfnBackupVaultProps};
use rcdk_l1::budgets::budget::{BudgetData, Spend};
use rcdk_l1::budgets::{CfnBudget, CfnBudgetProps};
use rcdk_l1::cloudfront::distribution::{
    DefaultCacheBehavior, DistributionConfig, Origin, S3OriginConfig,
};
use rcdk_l1::cloudfront::{CfnDistribution, CfnDistributionProps};
use rcdk_l1::cloudtrail::{CfnTrail, CfnTrailProps};
use rcdk_l1::dynamodb::table::{
    AttributeDefinition, PointInTimeRecoverySpecification, SseSpecification,
};
use rcdk_l1::dynamodb::{CfnTable, CfnTableProps};
use rcdk_l1::guardduty::{CfnDetector, CfnDetectorProps};
use rcdk_l1::iam::{
    CfnGroup, CfnGroupProps, CfnInstanceProfile, CfnInstanceProfileProps, CfnRole, CfnRoleProps,
    CfnUser, CfnUserProps,
};
use rcdk_l1::lambda::function::Code;
use rcdk_l1::lambda::{CfnFunction, CfnFunctionProps, CfnUrl, CfnUrlProps};
use rcdk_l1::policy::Operator;
use rcdk_l1::policy::{PolicyDocument, PolicyStatement, Principal};
use rcdk_l1::rds::db_proxy::AuthFormat;
use rcdk_l1::rds::{CfnDbProxy, CfnDbProxyProps};
use rcdk_l1::route53::{CfnHostedZone, CfnHostedZoneProps, CfnRecordSet, CfnRecordSetProps};
use rcdk_l1::s3::{CfnBucket, CfnBucketProps};
use rcdk_l1::ssm::{CfnParameter as CfnSsmParameter, CfnParameterProps as CfnSsmParameterProps};

use crate::support::{assert_cfn_lint_clean, root, synth, template};

#[test]
fn every_registered_type_has_a_generated_struct() {
    // Every service module of every generated crate.
    let mut generated = Vec::new();
    let mut files = 0;
    for part in std::fs::read_dir(root().join("l1/parts")).expect("l1/parts") {
        let src = part.expect("entry").path().join("src");
        for entry in std::fs::read_dir(&src).expect("src") {
            let path = entry.expect("entry").path();
            if path.file_name().is_some_and(|n| n == "lib.rs") {
                continue;
            }
            files += 1;
            let text = std::fs::read_to_string(path).expect("read");
            for line in text.lines() {
                if let Some(rest) = line
                    .trim()
                    .strip_prefix("pub const TYPE_NAME: &'static str = \"")
                {
                    generated.push(rest.trim_end_matches("\";").to_owned());
                }
            }
        }
    }
    assert!(files > 300, "{files} service modules");
    generated.sort();
    let registered: Vec<String> = rcdk::registry::TYPES
        .iter()
        .map(|t| t.type_name.to_owned())
        .collect();
    assert_eq!(generated.len(), 1854);
    assert_eq!(generated, registered);
}

fn role(s: &Stack, id: &str, service: &str) -> CfnRole {
    CfnRole::new(
        s,
        id,
        CfnRoleProps::new(PolicyDocument::new(vec![
            PolicyStatement::allow()
                .principal(Principal::service(service))
                .actions(["sts:AssumeRole"])
                .condition(
                    Operator::StringEquals,
                    "aws:SourceAccount",
                    fns::account_id(),
                ),
        ])),
    )
}

/// One stack using Route 53, Budgets, CloudTrail, GuardDuty, DynamoDB, CloudFront, IAM
/// instance profiles, users and groups, Lambda function URLs, RDS proxies, SSM parameters
/// and Backup.
fn catalogue_app() -> App {
    let app = App::with_context(Default::default(), "cdk.out");
    let s = Stack::new(
        &app,
        "catalogue",
        StackProps {
            env: rcdk::Environment::new("123456789012", "us-east-1"),
            ..Default::default()
        },
    );
    let zone = CfnHostedZone::new(
        &s,
        "Zone",
        CfnHostedZoneProps {
            name: Some("example.com.".into()),
            ..Default::default()
        },
    );
    CfnRecordSet::new(
        &s,
        "Www",
        CfnRecordSetProps {
            hosted_zone_id: Some(zone.ref_()),
            ttl: Some("300".into()),
            resource_records: Some(vec!["192.0.2.10".to_owned()].into()),
            ..CfnRecordSetProps::new("www.example.com.", "A")
        },
    );
    CfnBudget::new(
        &s,
        "Budget",
        CfnBudgetProps::new(BudgetData {
            budget_limit: Some(Spend::new(100.0, "USD")),
            ..BudgetData::new("COST", "MONTHLY")
        }),
    );
    let logs = CfnBucket::new(&s, "TrailBucket", CfnBucketProps::default());
    CfnTrail::new(
        &s,
        "Trail",
        CfnTrailProps {
            is_multi_region_trail: Some(true.into()),
            enable_log_file_validation: Some(true.into()),
            ..CfnTrailProps::new(true, logs.ref_())
        },
    );
    CfnDetector::new(&s, "Detector", CfnDetectorProps::new(true));
    CfnTable::new(
        &s,
        "Table",
        CfnTableProps {
            billing_mode: Some("PAY_PER_REQUEST".into()),
            attribute_definitions: Some(vec![AttributeDefinition::new("pk", "S")]),
            point_in_time_recovery_specification: Some(PointInTimeRecoverySpecification {
                point_in_time_recovery_enabled: Some(true.into()),
                ..Default::default()
            }),
            sse_specification: Some(SseSpecification::new(true)),
            ..CfnTableProps::new(rcdk::Value::from(
                serde_json::json!([{"AttributeName": "pk", "KeyType": "HASH"}]),
            ))
        },
    );
    let site = CfnBucket::new(&s, "Site", CfnBucketProps::default());
    CfnDistribution::new(
        &s,
        "Cdn",
        CfnDistributionProps::new(DistributionConfig {
            origins: Some(vec![Origin {
                s3_origin_config: Some(S3OriginConfig::default()),
                ..Origin::new(site.attr_regional_domain_name(), "site")
            }]),
            default_root_object: Some("index.html".into()),
            ..DistributionConfig::new(
                DefaultCacheBehavior {
                    cache_policy_id: Some("658327ea-f89d-4fab-a63d-7e88639e58f6".into()),
                    ..DefaultCacheBehavior::new("site", "redirect-to-https")
                },
                true,
            )
        }),
    );
    let instance_role = role(&s, "InstanceRole", "ec2.amazonaws.com");
    CfnInstanceProfile::new(
        &s,
        "InstanceProfile",
        CfnInstanceProfileProps::new(vec![instance_role.ref_()]),
    );
    let group = CfnGroup::new(
        &s,
        "Operators",
        CfnGroupProps {
            managed_policy_arns: Some(
                vec![fns::sub(
                    "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess",
                )]
                .into(),
            ),
            ..Default::default()
        },
    );
    CfnUser::new(
        &s,
        "Operator",
        CfnUserProps {
            groups: Some(vec![group.ref_()].into()),
            ..Default::default()
        },
    );
    let fn_role = role(&s, "FunctionRole", "lambda.amazonaws.com");
    let function = CfnFunction::new(
        &s,
        "Function",
        CfnFunctionProps {
            runtime: Some("python3.13".into()),
            handler: Some("index.handler".into()),
            reserved_concurrent_executions: Some(2.into()),
            ..CfnFunctionProps::new(
                Code {
                    zip_file: Some(
                        "def handler(event, context):\n    return {'statusCode': 200}\n".into(),
                    ),
                    ..Default::default()
                },
                fn_role.attr_arn(),
            )
        },
    );
    CfnUrl::new(
        &s,
        "FunctionUrl",
        CfnUrlProps::new("AWS_IAM", function.attr_arn()),
    );
    let subnets = CfnParameter::list_of_type(
        &s,
        "ProxySubnets",
        "List<AWS::EC2::Subnet::Id>",
        ParameterProps::default(),
    );
    let secret = CfnParameter::string(&s, "DbSecretArn", ParameterProps::default());
    let proxy_role = role(&s, "ProxyRole", "rds.amazonaws.com");
    CfnDbProxy::new(
        &s,
        "Proxy",
        CfnDbProxyProps {
            auth: Some(vec![AuthFormat {
                secret_arn: Some(secret.value()),
                iam_auth: Some("REQUIRED".into()),
                auth_scheme: Some("SECRETS".into()),
                ..Default::default()
            }]),
            require_tls: Some(true.into()),
            ..CfnDbProxyProps::new(
                "app-proxy",
                "POSTGRESQL",
                proxy_role.attr_arn(),
                subnets.value(),
            )
        },
    );
    CfnSsmParameter::new(
        &s,
        "Setting",
        CfnSsmParameterProps::new("String", "standby"),
    );
    let vault = CfnBackupVault::new(&s, "Vault", CfnBackupVaultProps::new("app-vault"));
    CfnBackupPlan::new(
        &s,
        "Plan",
        CfnBackupPlanProps::new(BackupPlanResourceType::new(
            "daily",
            vec![BackupRuleResourceType {
                schedule_expression: Some("cron(0 5 * * ? *)".into()),
                ..BackupRuleResourceType::new("daily", vault.ref_())
            }],
        )),
    );
    app
}

#[test]
fn a_dozen_services_outside_the_l2_set_synthesize_and_pass_cfn_lint() {
    let app = catalogue_app();
    let assembly = synth(&app);
    let t = template(&assembly, "catalogue");
    let types: std::collections::BTreeSet<&str> = t["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .filter_map(|r| r["Type"].as_str())
        .collect();
    for wanted in [
        "AWS::Route53::HostedZone",
        "AWS::Route53::RecordSet",
        "AWS::Budgets::Budget",
        "AWS::CloudTrail::Trail",
        "AWS::GuardDuty::Detector",
        "AWS::DynamoDB::Table",
        "AWS::CloudFront::Distribution",
        "AWS::IAM::InstanceProfile",
        "AWS::IAM::User",
        "AWS::IAM::Group",
        "AWS::Lambda::Url",
        "AWS::RDS::DBProxy",
        "AWS::SSM::Parameter",
        "AWS::Backup::BackupVault",
        "AWS::Backup::BackupPlan",
    ] {
        assert!(types.contains(wanted), "{wanted} missing: {types:?}");
    }
    // A typed policy document renders as IAM reads it.
    assert_eq!(
        t["Resources"]["ProxyRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"],
        serde_json::json!({"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}})
    );
    let dir = tempfile::tempdir().expect("tempdir");
    app.synth_to(dir.path()).expect("written");
    assert_cfn_lint_clean(&[dir.path().join("catalogue.template.json")]);
}

/// The `features = [...]` list of the line that starts with `key` in a manifest.
fn feature_list(manifest: &str, key: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(manifest)).expect("manifest");
    let line = text
        .lines()
        .find(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("no '{key}' line in {manifest}"));
    let list = line.rsplit_once('[').expect("a list").1;
    let mut names: Vec<String> = list
        .trim_end_matches([']', '}', ' '])
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    names.sort();
    names
}

#[test]
fn the_default_services_are_the_ones_the_constructs_enable() {
    let defaults = feature_list("l1/Cargo.toml", "default = ");
    assert_eq!(defaults.len(), 29, "{defaults:?}");
    // The construct library's own list (always on) and its modules' features together.
    let mut enabled = feature_list("constructs/Cargo.toml", "rcdk-l1 = ");
    let manifest = std::fs::read_to_string(root().join("constructs/Cargo.toml")).expect("manifest");
    let features = manifest
        .split("[features]")
        .nth(1)
        .expect("rcdk-constructs has features");
    for word in features.split(['"', ',', '[', ']', ' ', '\n']) {
        if let Some(service) = word.strip_prefix("rcdk-l1/") {
            enabled.push(service.to_owned());
        }
    }
    enabled.sort();
    enabled.dedup();
    assert_eq!(defaults, enabled);
}
