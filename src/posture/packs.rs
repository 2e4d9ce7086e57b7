//! cdk-nag's compliance packs (NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1): which of
//! their rules ask what an rcdk rule asks, so that one waiver (`posture::suppress`) is
//! written under each id cdk-nag would report, and a cdk-nag waiver of any of them is
//! honoured. The pack contents are cdk-nag's (`src/packs/*.ts` of its main branch,
//! December 2026), limited to the rules rcdk maps.

use super::Rule;

impl Rule {
    /// Every cdk-nag id of this rule for a resource of `type_name`: the AwsSolutions
    /// pack's, and `NIST.800.53.R5-…`, `HIPAA.Security-…`, `PCI.DSS.321-…` for each of
    /// those packs that has a rule asking the same.
    pub fn cdk_nag_ids(self, type_name: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .nag_ids(type_name)
            .0
            .iter()
            .map(|id| (*id).to_owned())
            .collect();
        for name in self.pack_rules(type_name) {
            for (pack, rules) in PACKS {
                if rules.contains(name) {
                    ids.push(format!("{pack}-{name}"));
                }
            }
        }
        ids
    }

    /// The names (without the pack) of the packs' rules that ask what this rule asks of
    /// a resource of `type_name`.
    fn pack_rules(self, type_name: &str) -> &'static [&'static str] {
        match (self, type_name) {
            (Rule::OpenIngress, "AWS::EC2::SecurityGroup" | "AWS::EC2::SecurityGroupIngress") => {
                &["EC2RestrictedCommonPorts", "EC2RestrictedSSH"]
            }
            (Rule::WildcardAction, _) => &["IAMPolicyNoStatementsWithAdminAccess"],
            (Rule::UserCredentials, _) => &["IAMUserNoPolicies", "IAMUserGroupMembership"],
            (Rule::Imdsv1, _) => &["EC2IMDSv2Enabled"],
            (Rule::PublicInstance, _) => &[
                "EC2InstanceNoPublicIp",
                "AutoScalingLaunchConfigPublicIpDisabled",
            ],
            (Rule::Unencrypted, "AWS::RDS::DBInstance") => &["RDSStorageEncrypted"],
            (Rule::Unencrypted, "AWS::Logs::LogGroup") => &["CloudWatchLogGroupEncrypted"],
            (Rule::Unencrypted, "AWS::SNS::Topic") => &["SNSEncryptedKMS"],
            (Rule::Unencrypted, "AWS::SecretsManager::Secret") => &["SecretsManagerUsingKMSKey"],
            (Rule::PublicDatabase, _) => &["RDSInstancePublicAccess"],
            (Rule::WeakTls, _) => &["ALBHttpToHttpsRedirection"],
            (Rule::AlbWithoutWaf, _) => &["ALBWAFEnabled"],
            (Rule::BucketPublicAccess, _) => &["S3BucketLevelPublicAccessProhibited"],
            (Rule::BucketVersioning, _) => &["S3BucketVersioningEnabled"],
            (Rule::BucketTls, _) => &["S3BucketSSLRequestsOnly"],
            (Rule::BucketAccessLogs, _) => &["S3BucketLoggingEnabled"],
            (Rule::AlbInvalidHeaders, _) => &["ALBHttpDropInvalidHeaderEnabled"],
            (Rule::AlbDeletionProtection, _) => &["ELBDeletionProtectionEnabled"],
            (Rule::AlbAccessLogs, _) => &["ELBLoggingEnabled"],
            (Rule::DatabaseBackups, _) => &["RDSInstanceBackupEnabled"],
            (Rule::DatabaseMultiAz, _) => &["RDSMultiAZSupport"],
            (Rule::DatabaseMinorUpgrades, _) => &["RDSAutomaticMinorVersionUpgradeEnabled"],
            (Rule::DatabaseDeletionProtection, _) => &["RDSInstanceDeletionProtectionEnabled"],
            (Rule::FunctionDeadLetter, _) => &["LambdaDLQ"],
            (Rule::SecretRotation, _) => &["SecretsManagerRotationEnabled"],
            (Rule::KeyRotation, _) => &["KMSBackingKeyRotationEnabled"],
            (Rule::BackupPlanCoverage, "AWS::RDS::DBInstance" | "AWS::RDS::DBCluster") => {
                &["RDSInBackupPlan"]
            }
            (Rule::BackupPlanCoverage, "AWS::DynamoDB::Table") => &["DynamoDBInBackupPlan"],
            (Rule::BackupPlanCoverage, "AWS::EFS::FileSystem") => &["EFSInBackupPlan"],
            _ => &[],
        }
    }
}

/// Whether `id` is a cdk-nag rule id (`AwsSolutions-IAM5`, `NIST.800.53.R5-…`, …).
pub fn is_cdk_nag_id(id: &str) -> bool {
    id.starts_with("AwsSolutions-")
        || PACKS
            .iter()
            .any(|(pack, _)| id.strip_prefix(pack).is_some_and(|r| r.starts_with('-')))
}

/// Each pack's name (its `packName`) and the rules of it that rcdk maps.
const PACKS: &[(&str, &[&str])] = &[
    (
        "NIST.800.53.R5",
        &[
            "ALBHttpToHttpsRedirection",
            "ALBWAFEnabled",
            "AutoScalingLaunchConfigPublicIpDisabled",
            "CloudWatchLogGroupEncrypted",
            "DynamoDBInBackupPlan",
            "EC2IMDSv2Enabled",
            "EC2InstanceNoPublicIp",
            "EC2RestrictedCommonPorts",
            "EC2RestrictedSSH",
            "EFSInBackupPlan",
            "ELBDeletionProtectionEnabled",
            "ELBLoggingEnabled",
            "IAMPolicyNoStatementsWithAdminAccess",
            "IAMUserGroupMembership",
            "IAMUserNoPolicies",
            "KMSBackingKeyRotationEnabled",
            "LambdaDLQ",
            "RDSInBackupPlan",
            "RDSInstanceBackupEnabled",
            "RDSInstanceDeletionProtectionEnabled",
            "RDSInstancePublicAccess",
            "RDSMultiAZSupport",
            "RDSStorageEncrypted",
            "S3BucketLevelPublicAccessProhibited",
            "S3BucketLoggingEnabled",
            "S3BucketSSLRequestsOnly",
            "S3BucketVersioningEnabled",
            "SNSEncryptedKMS",
            "SecretsManagerRotationEnabled",
            "SecretsManagerUsingKMSKey",
        ],
    ),
    (
        "HIPAA.Security",
        &[
            "ALBHttpDropInvalidHeaderEnabled",
            "ALBHttpToHttpsRedirection",
            "AutoScalingLaunchConfigPublicIpDisabled",
            "CloudWatchLogGroupEncrypted",
            "DynamoDBInBackupPlan",
            "EC2IMDSv2Enabled",
            "EC2InstanceNoPublicIp",
            "EC2RestrictedCommonPorts",
            "EC2RestrictedSSH",
            "EFSInBackupPlan",
            "ELBDeletionProtectionEnabled",
            "ELBLoggingEnabled",
            "IAMPolicyNoStatementsWithAdminAccess",
            "IAMUserGroupMembership",
            "IAMUserNoPolicies",
            "LambdaDLQ",
            "RDSAutomaticMinorVersionUpgradeEnabled",
            "RDSInBackupPlan",
            "RDSInstanceBackupEnabled",
            "RDSInstanceDeletionProtectionEnabled",
            "RDSInstancePublicAccess",
            "RDSMultiAZSupport",
            "RDSStorageEncrypted",
            "S3BucketLevelPublicAccessProhibited",
            "S3BucketLoggingEnabled",
            "S3BucketSSLRequestsOnly",
            "S3BucketVersioningEnabled",
            "SNSEncryptedKMS",
            "SecretsManagerRotationEnabled",
            "SecretsManagerUsingKMSKey",
        ],
    ),
    (
        "PCI.DSS.321",
        &[
            "ALBHttpDropInvalidHeaderEnabled",
            "ALBHttpToHttpsRedirection",
            "ALBWAFEnabled",
            "AutoScalingLaunchConfigPublicIpDisabled",
            "CloudWatchLogGroupEncrypted",
            "EC2InstanceNoPublicIp",
            "EC2RestrictedCommonPorts",
            "EC2RestrictedSSH",
            "ELBLoggingEnabled",
            "IAMPolicyNoStatementsWithAdminAccess",
            "IAMUserGroupMembership",
            "IAMUserNoPolicies",
            "KMSBackingKeyRotationEnabled",
            "RDSAutomaticMinorVersionUpgradeEnabled",
            "RDSInstancePublicAccess",
            "RDSStorageEncrypted",
            "S3BucketLevelPublicAccessProhibited",
            "S3BucketLoggingEnabled",
            "S3BucketSSLRequestsOnly",
            "S3BucketVersioningEnabled",
            "SNSEncryptedKMS",
            "SecretsManagerUsingKMSKey",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_names_its_ids_in_each_pack_that_has_it() {
        assert_eq!(
            Rule::DatabaseMultiAz.cdk_nag_ids("AWS::RDS::DBInstance"),
            [
                "AwsSolutions-RDS3",
                "NIST.800.53.R5-RDSMultiAZSupport",
                "HIPAA.Security-RDSMultiAZSupport"
            ]
        );
        // PCI DSS has no backup-plan rule; NIST and HIPAA do.
        assert_eq!(
            Rule::BackupPlanCoverage.cdk_nag_ids("AWS::DynamoDB::Table"),
            [
                "NIST.800.53.R5-DynamoDBInBackupPlan",
                "HIPAA.Security-DynamoDBInBackupPlan"
            ]
        );
        assert!(
            Rule::WideEgress
                .cdk_nag_ids("AWS::EC2::SecurityGroup")
                .is_empty()
        );
        // Every mapped name is in at least one pack (a typo would map to nothing).
        for rule in Rule::ALL {
            for t in [
                "AWS::RDS::DBInstance",
                "AWS::EC2::SecurityGroup",
                "AWS::Logs::LogGroup",
                "AWS::SNS::Topic",
                "AWS::SecretsManager::Secret",
                "AWS::DynamoDB::Table",
                "AWS::EFS::FileSystem",
                "AWS::S3::Bucket",
            ] {
                for name in rule.pack_rules(t) {
                    assert!(
                        PACKS.iter().any(|(_, rules)| rules.contains(name)),
                        "{name}"
                    );
                }
            }
        }
        assert!(is_cdk_nag_id("NIST.800.53.R5-RDSMultiAZSupport"));
        assert!(is_cdk_nag_id("AwsSolutions-IAM5"));
        assert!(!is_cdk_nag_id("CKV_AWS_16"));
        assert!(!is_cdk_nag_id("NIST.800.53.R5RDS"));
    }
}
