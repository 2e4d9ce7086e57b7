//! What each posture rule enforces elsewhere: the AWS Foundational Security Best
//! Practices controls (and CIS AWS Foundations where one exists), and the ids other
//! scanners give the same check, so one waiver (`posture::suppress`) is written in
//! every scanner's own metadata. Ids are read from checkov 3.3.30's CloudFormation
//! policy list and from the AWS Control Tower proactive-control Guard rules that
//! `@cdklabs/cdk-validator-cfnguard` 0.0.62 ships; cdk-nag's from its AwsSolutions pack
//! (`RULES.md`), cfn_nag's from its custom rules (`rule_id` of each), where one asks the
//! same thing. rcdk writes its waivers for checkov, Guard and cfn-lint, and reads all of
//! them on any template (`rcdk posture --template`).

use super::Rule;

/// The ids one rule has in the other scanners, for one resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScannerIds {
    /// checkov check ids (`CKV_AWS_…`).
    pub checkov: &'static [&'static str],
    /// Guard rule names (`Metadata.guard.SuppressedRules`).
    pub guard: &'static [&'static str],
    /// cdk-nag's AwsSolutions ids (`Metadata.cdk_nag.rules_to_suppress[].id`); the
    /// compliance packs' come from [`Rule::cdk_nag_ids`].
    pub cdk_nag: &'static [&'static str],
    /// cfn_nag ids (`Metadata.cfn_nag.rules_to_suppress[].id`, `W…`/`F…`).
    pub cfn_nag: &'static [&'static str],
}

impl Rule {
    /// What the rule asks, in one line (for reports).
    pub fn summary(self) -> &'static str {
        match self {
            Rule::OpenIngress => {
                "no ingress from the internet except a public load balancer on 80/443"
            }
            Rule::WildcardAction => "no IAM statement allows every action",
            Rule::WildcardResource => "no identity statement allows resource-level actions on *",
            Rule::Unencrypted => {
                "encryption at rest, with customer keys where the service takes one"
            }
            Rule::PublicDatabase => "databases are not publicly accessible",
            Rule::WeakTls => "HTTPS listeners use TLS 1.2+; public HTTP only redirects",
            Rule::AlbWithoutWaf => "internet-facing load balancers have a WAF web ACL",
            Rule::OpenTrust => "role trusts name who may assume them (exact OIDC subjects)",
            Rule::UserCredentials => "no access keys, template passwords or user-attached policies",
            Rule::Imdsv1 => "instances require IMDSv2",
            Rule::PublicInstance => "instances get no public IP",
            Rule::BucketPublicAccess => "buckets block public access",
            Rule::BucketVersioning => "buckets are versioned",
            Rule::BucketTls => "bucket policies deny requests without TLS",
            Rule::BucketAccessLogs => "buckets log access, unless they receive logs",
            Rule::AlbInvalidHeaders => "load balancers drop invalid HTTP headers",
            Rule::AlbDeletionProtection => "load balancers have deletion protection",
            Rule::AlbAccessLogs => "load balancers keep access logs",
            Rule::DatabaseBackups => "databases keep automated backups 7 days or more",
            Rule::DatabaseIamAuth => "databases take IAM authentication",
            Rule::DatabaseMultiAz => "databases run in more than one Availability Zone",
            Rule::DatabaseMinorUpgrades => "databases take automatic minor version upgrades",
            Rule::DatabaseDeletionProtection => "databases have deletion protection",
            Rule::LogRetention => "log groups have a retention",
            Rule::RepositoryScanOnPush => "repositories scan images on push",
            Rule::RepositoryMutableTags => "repository tags are immutable",
            Rule::FunctionDeadLetter => "functions keep failed asynchronous events",
            Rule::SecretRotation => "secrets rotate on a schedule",
            Rule::KeyRotation => "symmetric keys rotate yearly",
            Rule::WideEgress => "security groups do not let all traffic out to the internet",
            Rule::BackupPlanCoverage => {
                "databases, tables and file systems are in an AWS Backup plan"
            }
            Rule::IamUnknownAction => {
                "IAM actions exist in AWS's catalogue (Access Analyzer: invalid action, invalid service in action)"
            }
            Rule::IamResourceMismatch => {
                "IAM resources are ones their actions act on (Access Analyzer: unsupported resource ARN in policy)"
            }
            Rule::IamConditionKey => {
                "IAM condition keys are global or taken by their actions (Access Analyzer: invalid service condition key)"
            }
            Rule::IamAllowWithNot => "no Allow statement uses NotAction or NotResource",
        }
    }

    /// AWS Foundational Security Best Practices controls (and CIS AWS Foundations
    /// recommendations, numbered as in v3.0) the rule enforces; empty where none
    /// matches it exactly.
    pub fn controls(self) -> &'static [&'static str] {
        match self {
            Rule::OpenIngress => &["EC2.13", "EC2.18", "EC2.19", "CIS 5.2"],
            Rule::WildcardAction => &["IAM.1", "IAM.21", "CIS 1.16"],
            // Least privilege on resources has no FSBP control of its own.
            Rule::WildcardResource => &[],
            // Buckets may use SSE-S3 here, so S3.17 (KMS on every bucket) is not claimed.
            Rule::Unencrypted => &["SNS.1", "SQS.1", "RDS.3", "ElastiCache.4", "EC2.3"],
            Rule::PublicDatabase => &["RDS.2"],
            Rule::WeakTls => &["ELB.1", "ELB.17"],
            Rule::AlbWithoutWaf => &["ELB.16"],
            Rule::OpenTrust => &[],
            Rule::UserCredentials => &["IAM.2", "IAM.3", "CIS 1.15"],
            Rule::Imdsv1 => &["EC2.8"],
            Rule::PublicInstance => &["EC2.9"],
            Rule::BucketPublicAccess => &["S3.8", "CIS 2.1.4"],
            Rule::BucketVersioning => &["S3.14"],
            Rule::BucketTls => &["S3.5", "CIS 2.1.1"],
            Rule::BucketAccessLogs => &["S3.9"],
            Rule::AlbInvalidHeaders => &["ELB.4"],
            Rule::AlbDeletionProtection => &["ELB.6"],
            Rule::AlbAccessLogs => &["ELB.5"],
            Rule::DatabaseBackups => &["RDS.11"],
            Rule::DatabaseIamAuth => &["RDS.10"],
            Rule::DatabaseMultiAz => &["RDS.5"],
            Rule::DatabaseMinorUpgrades => &["RDS.13", "CIS 2.3.2"],
            Rule::DatabaseDeletionProtection => &["RDS.8"],
            // CloudWatch.16 asks for a year; this rule asks for a retention at all.
            Rule::LogRetention => &[],
            Rule::RepositoryScanOnPush => &["ECR.1"],
            Rule::RepositoryMutableTags => &["ECR.2"],
            Rule::FunctionDeadLetter => &[],
            Rule::SecretRotation => &["SecretsManager.1"],
            Rule::KeyRotation => &["KMS.4", "CIS 3.6"],
            // No FSBP control or scanner check asks for narrow egress.
            Rule::WideEgress => &[],
            Rule::BackupPlanCoverage => &["RDS.26", "DynamoDB.4", "EFS.2"],
            // Policy validity is IAM Access Analyzer's (named in the summaries), not a control's.
            Rule::IamUnknownAction
            | Rule::IamResourceMismatch
            | Rule::IamConditionKey
            | Rule::IamAllowWithNot => &[],
        }
    }

    /// The other scanners' ids of this rule for a resource of `type_name`.
    pub fn scanner_ids(self, type_name: &str) -> ScannerIds {
        let (cdk_nag, cfn_nag) = self.nag_ids(type_name);
        let ids = |checkov, guard| ScannerIds {
            checkov,
            guard,
            cdk_nag,
            cfn_nag,
        };
        match (self, type_name) {
            (Rule::OpenIngress, "AWS::EC2::SecurityGroup" | "AWS::EC2::SecurityGroupIngress") => {
                ids(
                    &["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260"],
                    &[
                        "vpc_sg_open_only_to_authorized_ports_check",
                        "vpc_sg_restricted_common_ports_check",
                    ],
                )
            }
            (Rule::WildcardAction, _) => ids(
                &["CKV_AWS_62", "CKV_AWS_63"],
                &[
                    "iam_inline_policy_no_statements_with_admin_access_check",
                    "iam_inline_policy_no_statements_with_full_access_check",
                ],
            ),
            (Rule::WildcardResource, _) => ids(
                &[
                    "CKV_AWS_107",
                    "CKV_AWS_108",
                    "CKV_AWS_109",
                    "CKV_AWS_110",
                    "CKV_AWS_111",
                ],
                &[],
            ),
            (Rule::Unencrypted, "AWS::S3::Bucket") => {
                ids(&["CKV_AWS_19"], &["s3_bucket_default_encryption_kms_check"])
            }
            (Rule::Unencrypted, "AWS::SNS::Topic") => ids(&["CKV_AWS_26"], &[]),
            (Rule::Unencrypted, "AWS::SQS::Queue") => {
                ids(&["CKV_AWS_27"], &["sqs_queue_encrypted_check"])
            }
            (Rule::Unencrypted, "AWS::SecretsManager::Secret") => ids(&["CKV_AWS_149"], &[]),
            (Rule::Unencrypted, "AWS::Logs::LogGroup") => ids(&["CKV_AWS_158"], &[]),
            (Rule::Unencrypted, "AWS::RDS::DBInstance") => {
                ids(&["CKV_AWS_16"], &["rds_storage_encrypted_kms_key_check"])
            }
            (Rule::Unencrypted, "AWS::ElastiCache::ReplicationGroup") => ids(
                &["CKV_AWS_29"],
                &["elasticache_repl_grp_encrypted_at_rest_check"],
            ),
            (Rule::Unencrypted, "AWS::EC2::Volume") => {
                ids(&["CKV_AWS_3"], &["ec2_encrypted_volumes_check"])
            }
            (Rule::Unencrypted, "AWS::EC2::LaunchTemplate") => {
                ids(&[], &["ec2_launch_template_encrypted_volumes_check"])
            }
            (Rule::PublicDatabase, _) => {
                ids(&["CKV_AWS_17"], &["rds_instance_public_access_check"])
            }
            (Rule::WeakTls, _) => ids(
                &["CKV_AWS_2", "CKV_AWS_103"],
                &["alb_http_to_https_redirection_check"],
            ),
            (Rule::OpenTrust, _) => ids(&["CKV_AWS_60", "CKV_AWS_61"], &[]),
            (Rule::UserCredentials, _) => ids(&["CKV_AWS_40"], &["iam_user_no_policies_check"]),
            (Rule::Imdsv1, _) => ids(
                &["CKV_AWS_79"],
                &[
                    "ec2_launch_template_imdsv2_check",
                    "ec2_launch_template_token_hop_limit_check",
                ],
            ),
            (Rule::PublicInstance, _) => ids(
                &["CKV_AWS_88"],
                &[
                    "ec2_launch_template_public_ip_disabled_check",
                    "ec2_instance_no_public_ip_check",
                ],
            ),
            (Rule::BucketPublicAccess, _) => ids(
                &["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"],
                &["s3_bucket_level_public_access_prohibited_check"],
            ),
            (Rule::BucketVersioning, _) => {
                ids(&["CKV_AWS_21"], &["s3_bucket_versioning_enabled_check"])
            }
            (Rule::BucketTls, _) => ids(&[], &["s3_bucket_policy_ssl_requests_only_check"]),
            (Rule::BucketAccessLogs, _) => {
                ids(&["CKV_AWS_18"], &["s3_bucket_logging_enabled_check"])
            }
            (Rule::AlbInvalidHeaders, _) => ids(
                &["CKV_AWS_131"],
                &["alb_http_drop_invalid_header_enabled_check"],
            ),
            (Rule::AlbDeletionProtection, _) => ids(
                &["CKV_AWS_150"],
                &["elbv2_deletion_protection_enabled_check"],
            ),
            (Rule::AlbAccessLogs, _) => ids(&["CKV_AWS_91"], &["elbv2_logging_enabled_check"]),
            (Rule::DatabaseBackups, _) => {
                ids(&["CKV_AWS_133"], &["rds_instance_backup_enabled_check"])
            }
            (Rule::DatabaseIamAuth, _) => ids(
                &["CKV_AWS_161"],
                &["rds_instance_iam_authentication_enabled_check"],
            ),
            (Rule::DatabaseMultiAz, _) => {
                ids(&["CKV_AWS_157"], &["rds_instance_multi_az_support_check"])
            }
            (Rule::DatabaseMinorUpgrades, _) => ids(
                &["CKV_AWS_226"],
                &["rds_instance_automatic_minor_version_upgrade_enabled_check"],
            ),
            (Rule::DatabaseDeletionProtection, _) => ids(
                &["CKV_AWS_293"],
                &["rds_instance_deletion_protection_enabled_check"],
            ),
            // Control Tower's rule asks for a year, more than this one: waived apart.
            (Rule::LogRetention, _) => ids(&["CKV_AWS_66"], &[]),
            (Rule::RepositoryScanOnPush, _) => ids(
                &["CKV_AWS_163"],
                &["ecr_private_image_scanning_enabled_check"],
            ),
            (Rule::RepositoryMutableTags, _) => ids(
                &["CKV_AWS_51"],
                &["ecr_private_tag_immutability_enabled_check"],
            ),
            (Rule::FunctionDeadLetter, _) => ids(&["CKV_AWS_116"], &[]),
            (Rule::SecretRotation, _) => ids(&[], &[]),
            (Rule::KeyRotation, _) => ids(&["CKV_AWS_7"], &["kms_key_rotation_enabled_check"]),
            _ => ids(&[], &[]),
        }
    }

    /// cdk-nag's and cfn_nag's ids of this rule for a resource of `type_name`.
    pub(super) fn nag_ids(
        self,
        type_name: &str,
    ) -> (&'static [&'static str], &'static [&'static str]) {
        match (self, type_name) {
            (Rule::OpenIngress, "AWS::EC2::SecurityGroup" | "AWS::EC2::SecurityGroupIngress") => {
                (&["AwsSolutions-EC23"], &["W2"])
            }
            (Rule::WildcardAction, _) => {
                (&["AwsSolutions-IAM5"], &["F3", "F4", "F5", "F15", "F20"])
            }
            (Rule::WildcardResource, _) => (&["AwsSolutions-IAM5"], &["W11", "W12", "W13"]),
            (Rule::Unencrypted, "AWS::S3::Bucket") => (&[], &["W41"]),
            (Rule::Unencrypted, "AWS::SNS::Topic") => (&[], &["W47"]),
            (Rule::Unencrypted, "AWS::SQS::Queue") => (&["AwsSolutions-SQS2"], &["W48"]),
            (Rule::Unencrypted, "AWS::SecretsManager::Secret") => (&[], &["W77"]),
            (Rule::Unencrypted, "AWS::Logs::LogGroup") => (&[], &["W84"]),
            (Rule::Unencrypted, "AWS::RDS::DBInstance") => (&["AwsSolutions-RDS2"], &["F27"]),
            (Rule::Unencrypted, "AWS::ElastiCache::ReplicationGroup") => {
                (&["AwsSolutions-AEC3"], &["F25"])
            }
            (Rule::Unencrypted, "AWS::EC2::Volume") => (&["AwsSolutions-EC26"], &["F1"]),
            (Rule::Unencrypted, "AWS::EC2::LaunchTemplate") => (&["AwsSolutions-EC26"], &[]),
            (Rule::PublicDatabase, _) => (&[], &["F22"]),
            (Rule::WeakTls, _) => (&[], &["W55", "W56"]),
            (Rule::UserCredentials, _) => (&[], &["F10", "F11", "F12", "F51"]),
            (Rule::BucketPublicAccess, _) => (&["AwsSolutions-S2"], &[]),
            (Rule::BucketTls, _) => (&["AwsSolutions-S10"], &[]),
            (Rule::BucketAccessLogs, _) => (&["AwsSolutions-S1"], &["W35"]),
            (Rule::AlbAccessLogs, _) => (&["AwsSolutions-ELB2"], &["W52"]),
            (Rule::DatabaseBackups, _) => (&["AwsSolutions-RDS13"], &["W75"]),
            (Rule::DatabaseMultiAz, _) => (&["AwsSolutions-RDS3"], &[]),
            (Rule::DatabaseDeletionProtection, _) => (&["AwsSolutions-RDS10"], &["F80"]),
            (Rule::LogRetention, _) => (&[], &["W86"]),
            (Rule::RepositoryScanOnPush, _) => (&[], &["W79"]),
            (Rule::SecretRotation, _) => (&["AwsSolutions-SMG4"], &[]),
            (Rule::KeyRotation, _) => (&["AwsSolutions-KMS5"], &["F19"]),
            (Rule::WideEgress, _) => (&[], &["W5"]),
            (Rule::IamAllowWithNot, "AWS::IAM::Role") => (&[], &["W14", "W15", "W21"]),
            (Rule::IamAllowWithNot, "AWS::IAM::Policy") => (&[], &["W16", "W22"]),
            (Rule::IamAllowWithNot, "AWS::IAM::ManagedPolicy") => (&[], &["W17", "W23"]),
            (Rule::IamAllowWithNot, "AWS::SQS::QueuePolicy") => (&[], &["W18"]),
            _ => (&[], &[]),
        }
    }
}
