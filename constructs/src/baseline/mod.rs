//! An account's security baseline, once per account and region: a GuardDuty detector
//! whose high-severity findings EventBridge sends to an alarm topic and, in the one
//! region that holds it, the account's CloudTrail: every region, log file validation,
//! a KMS key, a locked-down versioned bucket with Object Lock and a lifecycle, a log
//! group with the CIS AWS Foundations metric filters and alarms (root use, unauthorized
//! calls, console sign-in without MFA, IAM, CloudTrail, KMS, bucket policy, security
//! group, network ACL, gateway, route table and VPC changes).
//!
//! ```
//! use rcdk::{App, Environment, Stack, StackProps};
//! use rcdk_constructs::baseline::{AccountBaseline, AccountBaselineProps};
//! use rcdk_constructs::monitoring::{AlarmTopic, AlarmTopicProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "baseline-123456789012-us-east-1", StackProps {
//!     env: Environment::new("123456789012", "us-east-1"),
//!     ..StackProps::default()
//! });
//! let topic = AlarmTopic::new(&stack, "SecurityAlarms", AlarmTopicProps {
//!     emails: vec!["security@example.com".into()],
//!     ..AlarmTopicProps::default()
//! });
//! AccountBaseline::new(&stack, "Baseline", AccountBaselineProps::with_trail(topic));
//! # assert!(app.synthesize().is_ok());
//! ```

mod cis;

use rcdk::{Expr, RemovalPolicy, Scope, fns};
use rcdk_l1::cloudtrail::{CfnTrail, CfnTrailProps};
use rcdk_l1::documents::{EventPattern, Matcher};
use rcdk_l1::guardduty::detector::{
    CfnDataSourceConfigurationsProperty, Cfns3LogsConfigurationProperty,
};
use rcdk_l1::guardduty::{CfnDetector, CfnDetectorProps};
use rcdk_l1::logs::metric_filter::MetricTransformation;
use rcdk_l1::logs::{CfnMetricFilter, CfnMetricFilterProps};
use rcdk_l1::s3::CfnBucketProps;
use rcdk_l1::s3::bucket::{DefaultRetention, ObjectLockConfiguration, ObjectLockRule};

use crate::events::{Rule, RuleProps, TargetOptions};
use crate::iam::{Operator, PolicyStatement, Principal, Role, RoleProps};
use crate::kms::{Key, KeyProps};
use crate::logs::{LogGroup, LogGroupProps};
use crate::metrics::{Metric, Statistic};
use crate::monitoring::{Alarm, AlarmProps, AlarmTopic, Comparison, TreatMissingData};
use crate::storage::{AccessLogging, Bucket, BucketEncryption, BucketProps, LifecycleRule};
use crate::units::Duration;

pub use cis::{CIS_ALARMS, CisAlarm};

/// The namespace of the CIS metrics.
pub const METRIC_NAMESPACE: &str = "rcdk/Baseline";

/// Settings of an [`AccountBaseline`].
#[derive(Debug, Clone)]
pub struct AccountBaselineProps {
    /// Where GuardDuty's findings and the CIS alarms go.
    pub alarm_topic: AlarmTopic,
    /// The account's multi-region trail and its alarms: in exactly one region of the
    /// account. Default: none (see [`AccountBaselineProps::with_trail`]).
    pub trail: Option<TrailProps>,
    /// GuardDuty findings at or above this severity are sent (7: high). Default: 7.
    pub finding_min_severity: f64,
}

/// The trail's retention, and whether it is the organisation's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailProps {
    /// Days the trail's files stay in the bucket (Object Lock holds them as long) and
    /// its events in the log group; one of CloudWatch Logs' periods. Default: 365.
    pub retention_days: u32,
    /// An organization trail (every account of the organisation), made from the
    /// organisation's CloudTrail delegated administrator (or management account), with
    /// the management account's id: organization trails are the management account's
    /// whoever makes them, so the bucket and key admit trails of that account. Default:
    /// none (this account's trail).
    pub organization_management_account: Option<String>,
}

impl Default for TrailProps {
    fn default() -> Self {
        TrailProps {
            retention_days: 365,
            organization_management_account: None,
        }
    }
}

impl AccountBaselineProps {
    /// GuardDuty and its findings only: a region of the account without the trail.
    pub fn new(alarm_topic: AlarmTopic) -> AccountBaselineProps {
        AccountBaselineProps {
            alarm_topic,
            trail: None,
            finding_min_severity: 7.0,
        }
    }

    /// With the account's trail, kept a year.
    pub fn with_trail(alarm_topic: AlarmTopic) -> AccountBaselineProps {
        AccountBaselineProps {
            trail: Some(TrailProps::default()),
            ..AccountBaselineProps::new(alarm_topic)
        }
    }
}

/// An account's security baseline in one region.
#[derive(Debug, Clone)]
pub struct AccountBaseline {
    scope: Scope,
    detector: CfnDetector,
    trail: Option<CfnTrail>,
    alarms: Vec<Alarm>,
}

impl AccountBaseline {
    /// Adds the account's baseline below `parent`: the trail (in the first region), GuardDuty
    /// and the routing of its findings.
    pub fn new(parent: &Scope, id: &str, props: AccountBaselineProps) -> AccountBaseline {
        let scope = Scope::new(parent, id);
        if !(1.0..=8.9).contains(&props.finding_min_severity) {
            scope.add_error(format!(
                "finding_min_severity is {}; GuardDuty's severities run from 1.0 to 8.9 (7 and up: high)",
                props.finding_min_severity
            ));
        }
        let detector = CfnDetector::new(
            &scope,
            "Detector",
            CfnDetectorProps {
                finding_publishing_frequency: Some("FIFTEEN_MINUTES".into()),
                // S3 protection: data events on the account's buckets (CT.GUARDDUTY.PR.1).
                data_sources: Some(CfnDataSourceConfigurationsProperty {
                    s3_logs: Some(Cfns3LogsConfigurationProperty::new(true)),
                    ..Default::default()
                }),
                ..CfnDetectorProps::new(true)
            },
        );
        let findings = Rule::new(
            &scope,
            "HighSeverityFindings",
            RuleProps {
                description: Some(format!(
                    "GuardDuty findings of severity {} and up, to the alarm topic",
                    props.finding_min_severity
                )),
                ..RuleProps::pattern(
                    EventPattern::default()
                        .source(["aws.guardduty"])
                        .detail_type(["GuardDuty Finding"])
                        .detail(
                            "severity",
                            [Matcher::numeric_at_least(props.finding_min_severity)],
                        ),
                )
            },
        );
        findings.add_topic_target(&props.alarm_topic, TargetOptions::default());
        let (trail, alarms) = match props.trail {
            Some(t) => {
                let (trail, logs) = trail(&scope, t);
                (Some(trail), cis_alarms(&scope, &logs, &props.alarm_topic))
            }
            None => (None, Vec::new()),
        };
        AccountBaseline {
            scope,
            detector,
            trail,
            alarms,
        }
    }

    /// The GuardDuty detector's id.
    pub fn detector_id(&self) -> Expr<String> {
        self.detector.ref_()
    }

    /// The trail's ARN, in the region that holds it.
    pub fn trail_arn(&self) -> Option<Expr<String>> {
        self.trail.as_ref().map(CfnTrail::attr_arn)
    }

    /// The CIS alarms, in the region of the trail.
    pub fn alarms(&self) -> &[Alarm] {
        &self.alarms
    }

    /// The construct the baseline's resources live under.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

/// The trail, its key, bucket (with an access-log bucket) and log group.
fn trail(scope: &Scope, props: TrailProps) -> (CfnTrail, LogGroup) {
    let days = props.retention_days;
    crate::logs::check_retention(scope, "trail.retention_days", days);
    // Named, so the key and bucket policies can name the trail without a cycle.
    const NAME: &str = "${AWS::StackName}-trail";
    let name = scope.aws().sub(NAME);
    if let Some(m) = props
        .organization_management_account
        .as_deref()
        .filter(|m| m.len() != 12 || !m.bytes().all(|b| b.is_ascii_digit()))
    {
        scope.add_error(format!(
            "trail.organization_management_account: '{m}' is not an account id (12 digits)"
        ));
    }
    // An organization trail is the management account's, whoever makes it.
    let owner = props
        .organization_management_account
        .clone()
        .unwrap_or_else(|| "${AWS::AccountId}".to_owned());
    let trail_arn = scope.aws().sub(format!(
        "arn:${{AWS::Partition}}:cloudtrail:${{AWS::Region}}:{owner}:trail/{NAME}"
    ));
    let key = Key::new(
        scope,
        "TrailKey",
        KeyProps {
            description: Some(format!("Encrypts the account trail of {}", scope.path())),
            removal_policy: RemovalPolicy::Retain,
            ..KeyProps::default()
        },
    );
    key.grant_service(
        PolicyStatement::allow()
            .sid("CloudTrailEncrypts")
            .principal(Principal::service("cloudtrail.amazonaws.com"))
            .actions(["kms:GenerateDataKey"])
            .resource("*")
            .condition(
                Operator::StringLike,
                "kms:EncryptionContext:aws:cloudtrail:arn",
                scope.aws().sub(format!(
                    "arn:${{AWS::Partition}}:cloudtrail:*:{owner}:trail/*"
                )),
            )
            .condition(Operator::StringEquals, "aws:SourceArn", trail_arn.clone()),
    );
    key.grant_service(
        PolicyStatement::allow()
            .sid("CloudTrailDescribesKey")
            .principal(Principal::service("cloudtrail.amazonaws.com"))
            .actions(["kms:DescribeKey"])
            .resource("*")
            .condition(Operator::StringEquals, "aws:SourceArn", trail_arn.clone()),
    );
    let access_logs = Bucket::new(
        scope,
        "TrailAccessLogs",
        BucketProps {
            encryption: BucketEncryption::S3Managed,
            versioned: true,
            lifecycle_rules: vec![LifecycleRule::expire_after_days(days)],
            removal_policy: RemovalPolicy::Retain,
            access_logs: AccessLogging::Off,
        },
    );
    crate::storage::waive_log_bucket_checks(
        &access_logs,
        crate::storage::S3_ACCESS_LOGS_NEED_SSE_S3,
    );
    let bucket = Bucket::new(
        scope,
        "TrailBucket",
        BucketProps {
            encryption: BucketEncryption::Kms(key.clone()),
            versioned: true,
            lifecycle_rules: vec![LifecycleRule::expire_after_days(days)],
            removal_policy: RemovalPolicy::Retain,
            access_logs: AccessLogging::To {
                bucket: Box::new(access_logs),
                prefix: "trail-bucket".into(),
            },
        },
    );
    // Audit records cannot be overwritten or deleted before their time (governance
    // mode: an administrator with s3:BypassGovernanceRetention still can, on purpose).
    bucket.update_props(|p: &mut CfnBucketProps| {
        p.object_lock_enabled = Some(true.into());
        p.object_lock_configuration = Some(ObjectLockConfiguration {
            object_lock_enabled: Some("Enabled".into()),
            rule: Some(ObjectLockRule {
                default_retention: Some(DefaultRetention {
                    days: Some(i64::from(days).into()),
                    mode: Some("GOVERNANCE".into()),
                    ..Default::default()
                }),
            }),
        });
    });
    crate::posture::waive_check(
        &bucket,
        &["s3_event_notifications_enabled_check"],
        "CloudTrail's files are read through the trail's log group (its metric filters and alarms), not as S3 events",
    );
    bucket.add_to_resource_policy(
        PolicyStatement::allow()
            .sid("CloudTrailChecksAcl")
            .principal(Principal::service("cloudtrail.amazonaws.com"))
            .actions(["s3:GetBucketAcl"])
            .resource(bucket.arn())
            .condition(Operator::StringEquals, "aws:SourceArn", trail_arn.clone()),
    );
    bucket.add_to_resource_policy(
        PolicyStatement::allow()
            .sid("CloudTrailWrites")
            .principal(Principal::service("cloudtrail.amazonaws.com"))
            .actions(["s3:PutObject"])
            .resource(fns::join(
                "",
                [
                    bucket.arn(),
                    // An organization trail writes under the management account's id
                    // and the organisation's (o-…); the trail's ARN is the condition.
                    if props.organization_management_account.is_some() {
                        "/AWSLogs/*".into()
                    } else {
                        scope.aws().sub("/AWSLogs/${AWS::AccountId}/*")
                    },
                ],
            ))
            .condition(
                Operator::StringEquals,
                "s3:x-amz-acl",
                rcdk::Value::from("bucket-owner-full-control"),
            )
            .condition(Operator::StringEquals, "aws:SourceArn", trail_arn),
    );
    let logs = LogGroup::new(
        scope,
        "TrailLogs",
        LogGroupProps {
            retention_days: days,
            encryption_key: Some(key.clone()),
            ..LogGroupProps::default()
        },
    );
    let delivery = Role::new(
        scope,
        "TrailLogsRole",
        RoleProps {
            description: Some("Lets CloudTrail write the account trail to its log group".into()),
            ..RoleProps::new(Principal::service("cloudtrail.amazonaws.com"))
        },
    );
    delivery.add_to_policy(
        PolicyStatement::allow()
            .actions(["logs:CreateLogStream", "logs:PutLogEvents"])
            .resource(logs.arn()),
    );
    let trail = CfnTrail::new(
        scope,
        "Trail",
        CfnTrailProps {
            trail_name: Some(name),
            is_multi_region_trail: Some(true.into()),
            include_global_service_events: Some(true.into()),
            enable_log_file_validation: Some(true.into()),
            is_organization_trail: props
                .organization_management_account
                .is_some()
                .then(|| true.into()),
            kms_key_id: Some(key.arn()),
            cloud_watch_logs_log_group_arn: Some(logs.arn()),
            cloud_watch_logs_role_arn: Some(delivery.arn()),
            ..CfnTrailProps::new(true, bucket.name())
        },
    );
    // CloudTrail checks its bucket policy when the trail is created (the role comes
    // first by its reference).
    trail.add_depends_on(bucket.policy());
    (trail, logs)
}

/// A metric filter and an alarm per CIS recommendation.
fn cis_alarms(scope: &Scope, logs: &LogGroup, topic: &AlarmTopic) -> Vec<Alarm> {
    cis::CIS_ALARMS
        .iter()
        .map(|c| {
            CfnMetricFilter::new(
                scope,
                &format!("{}Filter", c.name),
                CfnMetricFilterProps {
                    filter_name: Some(c.name.into()),
                    ..CfnMetricFilterProps::new(
                        c.pattern,
                        logs.name(),
                        vec![MetricTransformation {
                            default_value: None,
                            ..MetricTransformation::new(c.name, METRIC_NAMESPACE, "1")
                        }],
                    )
                },
            );
            let metric = Metric::new(METRIC_NAMESPACE, c.name, vec![])
                .with_statistic(Statistic::Sum)
                .with_period(Duration::minutes(5));
            let alarm = Alarm::new(
                scope,
                c.name,
                AlarmProps {
                    evaluation_periods: 1,
                    datapoints_to_alarm: 1,
                    treat_missing_data: TreatMissingData::NotBreaching,
                    description: format!("{} ({})", c.description, c.controls),
                    ..AlarmProps::new(metric, Comparison::GreaterThanOrEqual, 1.0)
                },
            );
            alarm.notify(topic);
            alarm
        })
        .collect()
}
