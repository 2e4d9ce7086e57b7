//! CloudWatch log groups with a validated retention, customer-managed encryption (a
//! key given, or one of their own), and a removal policy.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::logs::{LogGroup, LogGroupProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "s", StackProps::default());
//! let logs = LogGroup::new(&stack, "AppLogs", LogGroupProps { retention_days: 30, ..LogGroupProps::default() });
//! # let _ = logs.arn();
//! ```

use std::ops::Deref;

use rcdk::{Expr, RemovalPolicy, Scope};
use rcdk_l1::logs::{CfnLogGroup, CfnLogGroupProps};

use crate::iam::{PolicyStatement, Principal};
use crate::kms::Key;

/// The retention periods CloudWatch Logs accepts, in days.
pub const RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Settings of a [`LogGroup`].
#[derive(Debug, Clone)]
pub struct LogGroupProps {
    /// Days to keep the events; one of [`RETENTION_DAYS`]. Default: 365 (a year, as
    /// CIS, AWS FSBP CloudWatch.16 and the Control Tower rules ask).
    pub retention_days: u32,
    /// Encrypt with this key (its policy is extended for CloudWatch Logs). Default: the
    /// stack's shared key ([`Key::of_stack`], rotated; $1 a month for the whole stack):
    /// logs hold what the posture rules and the scanners want under a customer key. Pass
    /// `Some(Key::new(…))` for a key of the group's own.
    pub encryption_key: Option<Key>,
    /// A fixed name (some services require a prefix). Default: generated.
    pub name: Option<Expr<String>>,
    /// Default: `Retain` (logs are audit data).
    pub removal_policy: RemovalPolicy,
}

impl Default for LogGroupProps {
    fn default() -> Self {
        LogGroupProps {
            retention_days: 365,
            encryption_key: None,
            name: None,
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

/// Reports a retention CloudWatch Logs would reject, naming the field.
pub fn check_retention(scope: &Scope, field: &str, days: u32) {
    if !RETENTION_DAYS.contains(&days) {
        scope.add_error(format!(
            "{field} of {days} days is not a value CloudWatch Logs accepts; use one of {RETENTION_DAYS:?}"
        ));
    }
}

/// A log group.
#[derive(Debug, Clone)]
pub struct LogGroup {
    group: CfnLogGroup,
}

impl Deref for LogGroup {
    type Target = CfnLogGroup;
    fn deref(&self) -> &CfnLogGroup {
        &self.group
    }
}

impl LogGroup {
    /// Adds the log group below `scope`, encrypted with the given key or the stack's.
    pub fn new(scope: &Scope, id: &str, props: LogGroupProps) -> LogGroup {
        check_retention(scope, "retention_days", props.retention_days);
        let key = props
            .encryption_key
            .clone()
            .unwrap_or_else(|| Key::of_stack(scope));
        {
            key.grant_service(
                PolicyStatement::allow()
                    .sid("CloudWatchLogsEncrypt")
                    .principal(Principal::service("logs.amazonaws.com"))
                    .actions([
                        "kms:Encrypt",
                        "kms:Decrypt",
                        "kms:ReEncryptFrom",
                        "kms:ReEncryptTo",
                        "kms:GenerateDataKey",
                        "kms:GenerateDataKeyWithoutPlaintext",
                        "kms:DescribeKey",
                    ])
                    .resource("*")
                    .condition(
                        crate::iam::Operator::ArnLike,
                        "kms:EncryptionContext:aws:logs:arn",
                        rcdk::Value::from(
                            scope.aws().sub(
                                "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*",
                            ),
                        ),
                    ),
            );
        }
        let group = CfnLogGroup::new(
            scope,
            id,
            CfnLogGroupProps {
                retention_in_days: Some(i64::from(props.retention_days).into()),
                kms_key_id: Some(key.arn()),
                log_group_name: props.name,
                ..Default::default()
            },
        );
        group.apply_removal_policy(props.removal_policy);
        LogGroup { group }
    }

    /// `arn:…:log-group:NAME:*` (for IAM statements on the group's streams).
    pub fn arn(&self) -> Expr<String> {
        self.group.attr_arn()
    }

    /// The log group's name.
    pub fn name(&self) -> Expr<String> {
        self.group.ref_()
    }

    /// `arn:…:log-group:NAME`, without the `:*` suffix (what WAF and others take).
    pub fn plain_arn(&self) -> Expr<String> {
        self.group.aws().sub_with(
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Name}",
            [("Name", self.name())],
        )
    }
}
