//! What `rcdk bootstrap` makes in an environment and synthesis points at: the roles a
//! deployment assumes there, named by account and region like the asset bucket (so a
//! manifest can name them without asking AWS), and the version of the bootstrap stack
//! that has them.

/// The role `rcdk deploy`, `diff`, `destroy` and `drift` assume in the stack's account
/// (trusted by that account and the accounts given to `rcdk bootstrap --trust`).
pub const DEPLOY_ROLE: &str = "rcdk-deploy-role-${AWS::AccountId}-${AWS::Region}";
/// The role CloudFormation acts as for the stack's resources, with the policies given
/// to `rcdk bootstrap --execution-policy`.
pub const EXECUTION_ROLE: &str = "rcdk-cfn-exec-role-${AWS::AccountId}-${AWS::Region}";
/// The role assets are uploaded with: the asset bucket only.
pub const FILE_PUBLISHING_ROLE: &str = "rcdk-file-publishing-role-${AWS::AccountId}-${AWS::Region}";
/// The role lookups at synthesis assume in the stack's account (when the caller is of
/// another): read-only (`ReadOnlyAccess`, KMS decryption denied), trusted like the deploy
/// role.
pub const LOOKUP_ROLE: &str = "rcdk-lookup-role-${AWS::AccountId}-${AWS::Region}";
/// The bootstrap stack's version (output `BootstrapVersion`): 2 made the deploy roles,
/// 3 the lookup role.
pub const BOOTSTRAP_VERSION: u64 = 3;
/// The version a stack deployed through the roles requires (`requiresBootstrapStackVersion`):
/// the one that made them, so that a new role elsewhere asks no one to bootstrap again.
pub const DEPLOY_ROLES_VERSION: u64 = 2;
/// The version the lookup role needs (the manifest's `lookupRole`).
pub const LOOKUP_ROLE_VERSION: u64 = 3;

/// The ARN of `role` (one of the names above) in `account` and `region`, with the
/// partition left as `${AWS::Partition}` as the AWS CDK writes it (the CLI knows the
/// partition from the region).
pub fn role_arn(role: &str, account: &str, region: &str) -> String {
    let name = role
        .replace("${AWS::AccountId}", account)
        .replace("${AWS::Region}", region);
    format!("arn:${{AWS::Partition}}:iam::{account}:role/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_name_the_account_and_region_and_leave_the_partition() {
        assert_eq!(
            role_arn(DEPLOY_ROLE, "111111111111", "eu-west-1"),
            "arn:${AWS::Partition}:iam::111111111111:role/rcdk-deploy-role-111111111111-eu-west-1"
        );
        // IAM role names are at most 64 characters, even in the longest region name.
        for role in [
            DEPLOY_ROLE,
            EXECUTION_ROLE,
            FILE_PUBLISHING_ROLE,
            LOOKUP_ROLE,
        ] {
            let arn = role_arn(role, "111111111111", "ap-southeast-5");
            let name = arn.rsplit('/').next().unwrap_or_default();
            assert!(name.len() <= 64, "{name}");
        }
    }
}
