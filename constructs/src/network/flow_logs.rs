use rcdk::{Expr, RemovalPolicy, Scope};
use rcdk_l1::ec2::{CfnFlowLog, CfnFlowLogProps};

use crate::iam::{PolicyStatement, Principal, Role, RoleProps};
use crate::kms::Key;
use crate::logs::{LogGroup, LogGroupProps};

/// VPC flow logs to a CloudWatch log group.
#[derive(Debug, Clone)]
pub struct FlowLogsProps {
    /// Days to keep the logs (a value CloudWatch Logs accepts). Default: 365.
    pub retention_days: u32,
    /// `ALL`, `ACCEPT` or `REJECT`. Default: `ALL`.
    pub traffic_type: String,
    /// Encrypt the log group with this key. Default: the stack's shared key.
    pub encryption_key: Option<Key>,
    /// Default: `Retain` (the logs are audit data).
    pub removal_policy: RemovalPolicy,
}

impl Default for FlowLogsProps {
    fn default() -> Self {
        FlowLogsProps {
            retention_days: 365,
            traffic_type: "ALL".into(),
            encryption_key: None,
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

/// Log group, delivery role (scoped to that log group) and the flow log itself.
pub(super) fn add(scope: &Scope, vpc_id: Expr<String>, props: &FlowLogsProps) {
    let logs = Scope::new(scope, "FlowLogs");
    let group = LogGroup::new(
        &logs,
        "LogGroup",
        LogGroupProps {
            retention_days: props.retention_days,
            encryption_key: props.encryption_key.clone(),
            name: None,
            removal_policy: props.removal_policy,
        },
    );
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
                    .resource(group.arn()),
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
