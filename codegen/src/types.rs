//! Which services the L1 crate enables by default: the ones rcdk's L2 constructs use
//! (`constructs/Cargo.toml` names the same list; a test keeps them equal).
//! Every type of every service is generated; a service is compiled only when its
//! feature is on.

/// Feature names (service modules) on by default in `rcdk-l1`.
pub const DEFAULT_SERVICES: &[&str] = &[
    "acmpca",
    "applicationautoscaling",
    "autoscaling",
    "backup",
    "budgets",
    "certificatemanager",
    "cloudtrail",
    "cloudwatch",
    "ec2",
    "ecr",
    "ecs",
    "elasticache",
    "elasticloadbalancingv2",
    "events",
    "guardduty",
    "iam",
    "kms",
    "lambda",
    "logs",
    "organizations",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "servicediscovery",
    "sns",
    "sqs",
    "wafv2",
    "xray",
];

/// The feature that enables every service.
pub const ALL_SERVICES: &str = "all-services";
