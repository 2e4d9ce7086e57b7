use rcdk::l1::ec2::{CfnFlowLog, CfnFlowLogProps};
use rcdk::l1::logs::{CfnLogGroup, CfnLogGroupProps};
use rcdk::{Expr, RemovalPolicy, Scope};

use crate::iam::{PolicyStatement, Principal, Role, RoleProps};
use crate::kms::Key;

/// VPC flow logs to a CloudWatch log group.
#[derive(Debug, Clone)]
pub struct FlowLogsProps {
    /// Days to keep the logs (a value CloudWatch Logs accepts). Default: 90.
    pub retention_days: u32,
    /// `ALL`, `ACCEPT` or `REJECT`. Default: `ALL`.
    pub traffic_type: String,
    /// Encrypt the log group with this key. Default: CloudWatch Logs' own encryption.
    pub encryption_key: Option<Key>,
    /// Default: `Retain` (the logs are audit data).
    pub removal_policy: RemovalPolicy,
}

impl Default for FlowLogsProps {
    fn default() -> Self {
        FlowLogsProps {
            retention_days: 90,
            traffic_type: "ALL".into(),
            encryption_key: None,
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

const RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Log group, delivery role (scoped to that log group) and the flow log itself.
pub(super) fn add(scope: &Scope, vpc_id: Expr<String>, props: &FlowLogsProps) {
    let logs = Scope::new(scope, "FlowLogs");
    if !RETENTION_DAYS.contains(&props.retention_days) {
        logs.add_error(format!(
            "flow log retention of {} days is not a value CloudWatch Logs accepts; use one of {RETENTION_DAYS:?}",
            props.retention_days
        ));
    }
    if let Some(key) = &props.encryption_key {
        key.grant_service(
            PolicyStatement::allow()
                .sid("CloudWatchLogsEncrypt")
                .principal(Principal::service("logs.amazonaws.com"))
                .actions([
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ])
                .resource("*")
                .condition(
                    "ArnLike",
                    "kms:EncryptionContext:aws:logs:arn",
                    rcdk::Value::from(rcdk::fns::sub(
                        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*",
                    )),
                ),
        );
    }
    let group = CfnLogGroup::new(
        &logs,
        "LogGroup",
        CfnLogGroupProps {
            retention_in_days: Some(i64::from(props.retention_days).into()),
            kms_key_id: props.encryption_key.as_ref().map(Key::arn),
            ..Default::default()
        },
    );
    group.apply_removal_policy(props.removal_policy);
    let role = Role::new(
        &logs,
        "Role",
        RoleProps {
            description: Some("Delivers VPC flow logs to their log group".into()),
            statements: vec![
                PolicyStatement::allow()
                    .actions([
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:DescribeLogStreams",
                    ])
                    .resource(group.attr_arn()),
            ],
            ..RoleProps::new(Principal::service("vpc-flow-logs.amazonaws.com"))
        },
    );
    CfnFlowLog::new(
        &logs,
        "Resource",
        CfnFlowLogProps {
            deliver_logs_permission_arn: Some(role.arn()),
            log_destination_type: Some("cloud-watch-logs".into()),
            log_group_name: Some(group.ref_()),
            traffic_type: Some(props.traffic_type.as_str().into()),
            ..CfnFlowLogProps::new(vpc_id, "VPC")
        },
    );
}
