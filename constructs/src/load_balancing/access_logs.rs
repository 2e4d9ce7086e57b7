//! The access-log bucket of a load balancer and the policy that lets only the
//! region's Elastic Load Balancing log delivery write to it.

use rcdk::{Expr, Scope, fns};

use crate::iam::{PolicyStatement, Principal};
use crate::storage::{AccessLogging, Bucket, BucketEncryption, BucketProps, LifecycleRule};

/// Where and how long access logs are kept.
#[derive(Debug, Clone)]
pub struct AccessLogsProps {
    /// Key prefix in the bucket. Default: none.
    pub prefix: Option<String>,
    /// Days before log objects expire. Default: 90.
    pub retention_days: u32,
}

impl Default for AccessLogsProps {
    fn default() -> Self {
        AccessLogsProps {
            prefix: None,
            retention_days: 90,
        }
    }
}

/// The Elastic Load Balancing account of each region that launched before August
/// 2022; newer regions deliver logs through a service principal instead.
const ELB_ACCOUNTS: &[(&str, &str)] = &[
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-northeast-1", "582318560864"),
    ("ap-northeast-2", "600734575887"),
    ("ap-northeast-3", "383597477331"),
    ("ap-south-1", "718504428378"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-southeast-3", "589379963580"),
    ("ca-central-1", "985666609251"),
    ("eu-central-1", "054676820928"),
    ("eu-north-1", "897822967062"),
    ("eu-south-1", "635631232127"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-west-3", "009996457667"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-gov-east-1", "190560391635"),
    ("us-gov-west-1", "048591011584"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
];

/// Who writes a region's ALB access logs.
fn log_delivery(region: &str) -> Principal {
    match ELB_ACCOUNTS.binary_search_by_key(&region, |(r, _)| r) {
        Ok(i) => Principal::Aws(fns::sub(format!(
            "arn:${{AWS::Partition}}:iam::{}:root",
            ELB_ACCOUNTS[i].1
        ))),
        Err(_) => Principal::service("logdelivery.elasticloadbalancing.amazonaws.com"),
    }
}

/// Creates the bucket; `None` (with an error on `scope`) when the region is unknown.
pub(super) fn bucket(scope: &Scope, props: &AccessLogsProps) -> Option<Bucket> {
    let Some(region) = scope.stack().and_then(|s| s.region()) else {
        scope.add_error(
            "access_logs: the bucket policy names the region's load balancer log delivery, so the stack needs an environment with a region; set StackProps.env or access_logs to None",
        );
        return None;
    };
    let bucket = Bucket::new(
        scope,
        "AccessLogs",
        BucketProps {
            // ALB log delivery supports SSE-S3 only.
            encryption: BucketEncryption::S3Managed,
            // Kept against deletion; replaced versions expire with the lifecycle rule.
            versioned: true,
            lifecycle_rules: vec![LifecycleRule::expire_after_days(props.retention_days)],
            // It receives logs: logging into itself would loop.
            access_logs: AccessLogging::Off,
            ..BucketProps::default()
        },
    );
    crate::storage::waive_log_bucket_checks(
        &bucket,
        "Load balancer access-log delivery writes only to buckets encrypted with SSE-S3 (Amazon S3 managed keys), not SSE-KMS",
    );
    let prefix = props
        .prefix
        .as_deref()
        .map(|p| format!("{}/", p.trim_end_matches('/')))
        .unwrap_or_default();
    bucket.add_to_resource_policy(
        PolicyStatement::allow()
            .sid("ElbLogDelivery")
            .principal(log_delivery(&region))
            .actions(["s3:PutObject"])
            .resource(fns::join(
                "",
                [
                    bucket.arn(),
                    format!("/{prefix}AWSLogs/").into(),
                    account(scope),
                    "/*".into(),
                ],
            )),
    );
    Some(bucket)
}

/// The stack's account, or `AWS::AccountId` when the stack is account-agnostic.
fn account(scope: &Scope) -> Expr<String> {
    match scope.stack().and_then(|s| s.account()) {
        Some(a) => a.into(),
        None => fns::account_id(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_table_is_sorted_for_binary_search() {
        assert!(ELB_ACCOUNTS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn new_regions_use_the_service_principal() {
        assert_eq!(
            log_delivery("ap-southeast-5"),
            Principal::service("logdelivery.elasticloadbalancing.amazonaws.com")
        );
    }
}
