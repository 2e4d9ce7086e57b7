//! What each posture rule enforces elsewhere: the AWS Foundational Security Best
//! Practices controls (and CIS AWS Foundations where one exists), and the ids other
//! scanners give the same check, so one waiver (`posture::suppress`) is written in
//! every scanner's own metadata. Ids are read from checkov 3.3.30's CloudFormation
//! policy list and from the AWS Control Tower proactive-control Guard rules that
//! `@cdklabs/cdk-validator-cfnguard` 0.0.62 ships; cfn_nag is not mapped (it installs
//! from RubyGems, which this project's machines cannot reach).

use super::Rule;

/// The ids one rule has in the other scanners, for one resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScannerIds {
    pub checkov: &'static [&'static str],
    /// Guard rule names (`Metadata.guard.SuppressedRules`).
    pub guard: &'static [&'static str],
}

impl Rule {
    /// AWS Foundational Security Best Practices controls (and CIS AWS Foundations
    /// recommendations) the rule enforces; empty where none matches it exactly.
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
        }
    }

    /// The other scanners' ids of this rule for a resource of `type_name`.
    pub fn scanner_ids(self, type_name: &str) -> ScannerIds {
        let ids = |checkov, guard| ScannerIds { checkov, guard };
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
            _ => ScannerIds::default(),
        }
    }
}
