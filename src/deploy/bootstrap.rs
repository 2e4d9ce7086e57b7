//! `rcdk bootstrap`: the per-region stack with the deployment bucket, which holds file
//! assets (Lambda code) and templates too large to pass inline, and the roles other
//! accounts deploy through. The bucket is named by account and region
//! (`rcdk-assets-ACCOUNT-REGION`, so templates can name it at synthesis), encrypted,
//! private, TLS-only, versioned; it forgets uploaded templates and replaced object
//! versions after 30 days, never current assets (a rollback may need the code it
//! deployed before). The roles are named likewise (`crate::tree::bootstrap`): a deploy
//! role and a file-publishing role that this account and the trusted ones may assume,
//! and the execution role CloudFormation acts as, with exactly the policies given.
//! What is trusted and granted are the stack's parameters, so a later run keeps them
//! unless told otherwise.

use std::collections::BTreeMap;

use serde_json::{Value as J, json};

use super::error::DeployError;
use super::guards::Approval;
use super::orchestrate::{DeployOptions, DeployOutcome, StackPlan, deploy_stacks};
use super::progress::Progress;
use super::upload::TOOLKIT_STACK;
use crate::tree::bootstrap::{
    BOOTSTRAP_VERSION, DEPLOY_ROLE, EXECUTION_ROLE, FILE_PUBLISHING_ROLE, LOOKUP_ROLE,
};

/// The parameter holding the trusted accounts (comma-separated).
pub const TRUSTED_ACCOUNTS: &str = "TrustedAccounts";
/// The parameter holding the execution role's managed policy ARNs (comma-separated).
pub const EXECUTION_POLICIES: &str = "CloudFormationExecutionPolicies";
/// The parameter holding the execution role's permissions boundary (a policy name).
pub const PERMISSIONS_BOUNDARY: &str = "PermissionsBoundary";

fn sub(s: &str) -> J {
    json!({"Fn::Sub": s})
}

/// Who may assume a role the bootstrap makes for rcdk: this account, and the trusted
/// ones when there are any.
fn trust_policy() -> J {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")}},
        {"Fn::If": ["HasTrustedAccounts",
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": {"Ref": TRUSTED_ACCOUNTS}}},
            {"Ref": "AWS::NoValue"}]}
    ]})
}

/// The deploy role's permissions: those of the GitHub deploy role
/// (`rcdk_constructs::delivery`), for every stack of this account and region.
fn deploy_policy() -> J {
    let stacks =
        sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/*");
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "DeployStacks", "Effect": "Allow", "Resource": stacks, "Action": [
            "cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet",
            "cloudformation:ExecuteChangeSet", "cloudformation:DeleteChangeSet",
            "cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents",
            "cloudformation:GetTemplate", "cloudformation:UpdateTerminationProtection",
            "cloudformation:DeleteStack"]},
        {"Sid": "SeeWhoImportsExports", "Effect": "Allow", "Action": "cloudformation:ListImports", "Resource": "*"},
        {"Sid": "DeployStackSets", "Effect": "Allow", "Action": [
            "cloudformation:CreateStackSet", "cloudformation:UpdateStackSet", "cloudformation:DeleteStackSet",
            "cloudformation:DescribeStackSet", "cloudformation:DescribeStackSetOperation",
            "cloudformation:CreateStackInstances", "cloudformation:DeleteStackInstances",
            "cloudformation:ListStackInstances"],
         "Resource": [
            sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stackset/*"),
            sub("arn:${AWS::Partition}:cloudformation:*:*:stackset-target/*"),
            sub("arn:${AWS::Partition}:cloudformation:*::type/resource/*")]},
        {"Sid": "PassTheStackSetAdministrationRole", "Effect": "Allow", "Action": "iam:PassRole",
         "Resource": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/AWSCloudFormationStackSetAdministrationRole"),
         "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}},
        {"Sid": "UploadTemplates", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["DeploymentBucket", "Arn"]}, "/*"]]}},
        {"Sid": "SeeWhichTemplatesExist", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": {"Fn::GetAtt": ["DeploymentBucket", "Arn"]}},
        {"Sid": "CarryCrossRegionValues", "Effect": "Allow", "Action": "ssm:PutParameter",
         "Resource": sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/rcdk/cross-region/*")},
        {"Sid": "PassTheExecutionRole", "Effect": "Allow", "Action": "iam:PassRole",
         "Resource": {"Fn::GetAtt": ["CloudFormationExecutionRole", "Arn"]},
         "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}}
    ]})
}

/// The file-publishing role's permissions: the bucket's objects, nothing else.
fn publishing_policy() -> J {
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "UploadAssets", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["DeploymentBucket", "Arn"]}, "/*"]]}},
        {"Sid": "SeeWhichAssetsExist", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": {"Fn::GetAtt": ["DeploymentBucket", "Arn"]}}
    ]})
}

/// The bootstrap stack's template.
pub fn toolkit_template() -> J {
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "rcdk bootstrap: the deployment bucket (file assets, templates over CloudFormation's inline limit) and the roles deployments assume",
        "Parameters": {
            TRUSTED_ACCOUNTS: {"Type": "CommaDelimitedList", "Default": "",
                "Description": "Accounts that may deploy into this one through its deploy and file-publishing roles"},
            EXECUTION_POLICIES: {"Type": "CommaDelimitedList",
                "Description": "Managed policy ARNs of the role CloudFormation acts as"},
            PERMISSIONS_BOUNDARY: {"Type": "String", "Default": "",
                "Description": "Name of a managed policy capping the execution role (empty: none)"}
        },
        "Conditions": {
            "HasTrustedAccounts": {"Fn::Not": [{"Fn::Equals": ["", {"Fn::Join": ["", {"Ref": TRUSTED_ACCOUNTS}]}]}]},
            "HasPermissionsBoundary": {"Fn::Not": [{"Fn::Equals": ["", {"Ref": PERMISSIONS_BOUNDARY}]}]}
        },
        "Resources": {
            "DeployRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": sub(DEPLOY_ROLE),
                    "Description": "rcdk deploy, diff and destroy from this account and the trusted ones",
                    "AssumeRolePolicyDocument": trust_policy(),
                    "Policies": [{"PolicyName": "Deploy", "PolicyDocument": deploy_policy()}]
                }
            },
            "FilePublishingRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": sub(FILE_PUBLISHING_ROLE),
                    "Description": "rcdk uploads of file assets into the deployment bucket",
                    "AssumeRolePolicyDocument": trust_policy(),
                    "Policies": [{"PolicyName": "PublishFiles", "PolicyDocument": publishing_policy()}]
                }
            },
            "LookupRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": sub(LOOKUP_ROLE),
                    "Description": "rcdk lookups at synthesis (VPCs, images, parameters, zones) from this account and the trusted ones: reads only",
                    "AssumeRolePolicyDocument": trust_policy(),
                    "ManagedPolicyArns": [sub("arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess")],
                    "Policies": [{"PolicyName": "NoDecryption", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                        {"Sid": "DontReadSecrets", "Effect": "Deny", "Action": ["kms:Decrypt"], "Resource": "*"}
                    ]}}]
                }
            },
            "CloudFormationExecutionRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": sub(EXECUTION_ROLE),
                    "Description": "What CloudFormation may do to the resources of stacks rcdk deploys",
                    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "cloudformation.amazonaws.com"}}
                    ]},
                    "ManagedPolicyArns": {"Ref": EXECUTION_POLICIES},
                    "PermissionsBoundary": {"Fn::If": ["HasPermissionsBoundary",
                        sub(&format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/${{{PERMISSIONS_BOUNDARY}}}")),
                        {"Ref": "AWS::NoValue"}]}
                }
            },
            "DeploymentBucket": {
                "Type": "AWS::S3::Bucket",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "BucketName": {"Fn::Sub": crate::tree::ASSET_BUCKET},
                    "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true
                    },
                    "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "LifecycleConfiguration": {"Rules": [{
                        "Id": "ForgetOldTemplates", "Status": "Enabled",
                        "Prefix": "templates/",
                        "ExpirationInDays": 30
                    }, {
                        "Id": "ForgetReplacedVersions", "Status": "Enabled",
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}
                    }]}
                }
            },
            "DeploymentBucketPolicy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": {"Ref": "DeploymentBucket"},
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                        "Sid": "EnforceTls", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                        "Resource": [{"Fn::GetAtt": ["DeploymentBucket", "Arn"]}, {"Fn::Join": ["", [{"Fn::GetAtt": ["DeploymentBucket", "Arn"]}, "/*"]]}],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
                    }]}
                }
            }
        },
        "Outputs": {
            "BucketName": {"Description": "Where rcdk uploads assets and large templates", "Value": {"Ref": "DeploymentBucket"}},
            "AssetBucketVersion": {"Description": "Version of this stack's layout that rcdk deploy checks before uploading assets", "Value": "1"},
            "BootstrapVersion": {"Description": "Version of this stack that stacks' manifests require (requiresBootstrapStackVersion)", "Value": BOOTSTRAP_VERSION.to_string()},
            "DeployRoleArn": {"Value": {"Fn::GetAtt": ["DeployRole", "Arn"]}},
            "FilePublishingRoleArn": {"Value": {"Fn::GetAtt": ["FilePublishingRole", "Arn"]}},
            "LookupRoleArn": {"Value": {"Fn::GetAtt": ["LookupRole", "Arn"]}},
            "CloudFormationExecutionRoleArn": {"Value": {"Fn::GetAtt": ["CloudFormationExecutionRole", "Arn"]}}
        }
    })
}

/// What `rcdk bootstrap` is asked to trust and grant (on top of what the stack has).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BootstrapRequest {
    /// Accounts to trust, besides those trusted already.
    pub trust: Vec<String>,
    /// Accounts to trust no longer.
    pub untrust: Vec<String>,
    /// The execution role's managed policies (empty: keep those it has).
    pub execution_policies: Vec<String>,
    /// The execution role's permissions boundary (a policy name).
    pub permissions_boundary: Option<String>,
}

/// The bootstrap stack's parameters for `request` over the `previous` ones, and a note
/// for the person when rcdk chose something for them.
pub fn settle_parameters(
    request: &BootstrapRequest,
    previous: Option<&BTreeMap<String, String>>,
    partition: &str,
) -> Result<(BTreeMap<String, String>, Option<String>), String> {
    let list = |key: &str| -> Vec<String> {
        previous
            .and_then(|p| p.get(key))
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    for a in request.trust.iter().chain(&request.untrust) {
        if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "--trust/--untrust {a}: not an account id (12 digits)"
            ));
        }
    }
    let before = list(TRUSTED_ACCOUNTS);
    let mut trusted: Vec<String> = before.iter().chain(&request.trust).cloned().collect();
    trusted.retain(|a| !request.untrust.contains(a));
    trusted.sort();
    trusted.dedup();
    for p in &request.execution_policies {
        if !p.starts_with("arn:") || !p.contains(":policy/") {
            return Err(format!(
                "--execution-policy {p}: not a managed policy ARN (arn:{partition}:iam::aws:policy/NAME or arn:{partition}:iam::ACCOUNT:policy/NAME)"
            ));
        }
    }
    let mut note = None;
    let policies = if !request.execution_policies.is_empty() {
        request.execution_policies.clone()
    } else if !list(EXECUTION_POLICIES).is_empty() && (trusted.is_empty() || !before.is_empty()) {
        // Chosen before, for the same kind of trust.
        list(EXECUTION_POLICIES)
    } else if !trusted.is_empty() {
        return Err(format!(
            "trusting {} lets another account deploy here with the execution role's permissions: name them with --execution-policy ARN (rcdk never grants AdministratorAccess to another account silently)",
            trusted.join(", ")
        ));
    } else {
        let admin = format!("arn:{partition}:iam::aws:policy/AdministratorAccess");
        note = Some(format!(
            "the execution role gets {admin}, as the credentials deploying here already may do anything; name narrower policies with --execution-policy"
        ));
        vec![admin]
    };
    let boundary = request
        .permissions_boundary
        .clone()
        .or_else(|| previous.and_then(|p| p.get(PERMISSIONS_BOUNDARY)).cloned())
        .unwrap_or_default();
    Ok((
        BTreeMap::from([
            (TRUSTED_ACCOUNTS.to_owned(), trusted.join(",")),
            (EXECUTION_POLICIES.to_owned(), policies.join(",")),
            (PERMISSIONS_BOUNDARY.to_owned(), boundary),
        ]),
        note,
    ))
}

/// Creates or updates the bootstrap stack in `region` (of `account`, checked against
/// the credentials' when given); returns the bucket name and the trusted accounts.
pub async fn bootstrap(
    account: Option<String>,
    region: Option<String>,
    request: &BootstrapRequest,
    progress: &Progress,
) -> Result<(String, String), DeployError> {
    let cfn = super::client::connect(region.as_deref()).await;
    let previous = super::stack_state::stack_state(&cfn, TOOLKIT_STACK).await?;
    let (parameters, note) = settle_parameters(
        request,
        previous.as_ref().map(|s| &s.parameters),
        super::access::partition(&cfn.region),
    )
    .map_err(|message| DeployError::Refused {
        stack: format!("{TOOLKIT_STACK} in {}", cfn.region),
        message,
    })?;
    if let Some(note) = note {
        progress.line(&format!("ℹ️  {TOOLKIT_STACK} in {}: {note}", cfn.region));
    }
    let trusted = parameters[TRUSTED_ACCOUNTS].clone();
    let plan = StackPlan {
        stack_name: TOOLKIT_STACK.into(),
        region,
        account,
        template: toolkit_template(),
        dependencies: Vec::new(),
        tags: BTreeMap::from([("ManagedBy".to_owned(), "rcdk".to_owned())]),
        termination_protection: false,
        parameters,
        assets: Vec::new(),
        roles: super::StackRoles::default(),
        stack_set: None,
    };
    // A stack bootstrapped before assets had an unnamed bucket; the named one replaces
    // it, and the old one stays (DeletionPolicy Retain) until its owner deletes it.
    let opts = DeployOptions {
        concurrency: 1,
        approval: Approval::Never,
        allow_replace: vec!["DeploymentBucket".into()],
        allow_replace_all: false,
        no_execute: false,
        role_arn: None,
        no_wait: false,
    };
    let mut outcomes = deploy_stacks(vec![plan], &opts, progress).await?;
    match outcomes.pop().map(|(_, o)| o) {
        Some(DeployOutcome::Deployed { outputs } | DeployOutcome::Unchanged { outputs }) => outputs
            .get("BucketName")
            .cloned()
            .map(|bucket| (bucket, trusted))
            .ok_or_else(|| DeployError::Other(format!("{TOOLKIT_STACK} has no BucketName output"))),
        Some(DeployOutcome::Failed(e)) => Err(e),
        _ => Err(DeployError::Other(format!(
            "{TOOLKIT_STACK} did not deploy"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn previous(trusted: &str, policies: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            (TRUSTED_ACCOUNTS.to_owned(), trusted.to_owned()),
            (EXECUTION_POLICIES.to_owned(), policies.to_owned()),
            (PERMISSIONS_BOUNDARY.to_owned(), "Boundary".to_owned()),
        ])
    }

    const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

    #[test]
    fn trust_needs_named_policies_and_is_kept_by_later_runs() {
        let trust = BootstrapRequest {
            trust: vec!["222222222222".into()],
            ..Default::default()
        };
        let err = settle_parameters(&trust, None, "aws").unwrap_err();
        assert!(
            err.contains("name them with --execution-policy ARN"),
            "{err}"
        );
        // A first run for the account itself gets AdministratorAccess, and says so.
        let (own, note) = settle_parameters(&BootstrapRequest::default(), None, "aws-cn").unwrap();
        assert_eq!(
            own[EXECUTION_POLICIES],
            "arn:aws-cn:iam::aws:policy/AdministratorAccess"
        );
        assert!(note.is_some_and(|n| n.contains("--execution-policy")));
        // Adding trust on top of that default is refused too: no silent administrator.
        let before = previous("", "arn:aws:iam::aws:policy/AdministratorAccess");
        assert!(settle_parameters(&trust, Some(&before), "aws").is_err());
        // Trust with a named policy; a later plain run keeps both, and the boundary.
        let named = BootstrapRequest {
            execution_policies: vec![READ_ONLY.into()],
            ..trust.clone()
        };
        let (first, _) = settle_parameters(&named, None, "aws").unwrap();
        assert_eq!(first[TRUSTED_ACCOUNTS], "222222222222");
        let before = previous("222222222222,333333333333", READ_ONLY);
        let (again, note) =
            settle_parameters(&BootstrapRequest::default(), Some(&before), "aws").unwrap();
        assert_eq!(again[TRUSTED_ACCOUNTS], "222222222222,333333333333");
        assert_eq!(again[EXECUTION_POLICIES], READ_ONLY);
        assert_eq!(again[PERMISSIONS_BOUNDARY], "Boundary");
        assert_eq!(note, None);
        // Untrusting removes one account and keeps the other.
        let untrust = BootstrapRequest {
            untrust: vec!["333333333333".into()],
            ..Default::default()
        };
        let (after, _) = settle_parameters(&untrust, Some(&before), "aws").unwrap();
        assert_eq!(after[TRUSTED_ACCOUNTS], "222222222222");
    }

    #[test]
    fn accounts_and_policy_arns_are_checked_before_anything_is_sent() {
        let bad_account = BootstrapRequest {
            trust: vec!["12345".into()],
            execution_policies: vec![READ_ONLY.into()],
            ..Default::default()
        };
        assert!(
            settle_parameters(&bad_account, None, "aws")
                .unwrap_err()
                .contains("--trust/--untrust 12345: not an account id")
        );
        let bad_policy = BootstrapRequest {
            execution_policies: vec!["ReadOnlyAccess".into()],
            ..Default::default()
        };
        assert!(
            settle_parameters(&bad_policy, None, "aws")
                .unwrap_err()
                .contains("--execution-policy ReadOnlyAccess: not a managed policy ARN")
        );
    }

    #[test]
    fn the_roles_trust_this_account_and_the_trusted_ones_and_pass_only_the_execution_role() {
        let t = toolkit_template();
        let trust =
            &t["Resources"]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"];
        assert_eq!(
            trust[0]["Principal"]["AWS"]["Fn::Sub"],
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
        );
        assert_eq!(trust[1]["Fn::If"][0], "HasTrustedAccounts");
        assert_eq!(
            trust[1]["Fn::If"][1]["Principal"]["AWS"]["Ref"],
            TRUSTED_ACCOUNTS
        );
        assert_eq!(trust[1]["Fn::If"][2]["Ref"], "AWS::NoValue");
        assert_eq!(
            t["Resources"]["FilePublishingRole"]["Properties"]["AssumeRolePolicyDocument"],
            t["Resources"]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"]
        );
        let deploy = &t["Resources"]["DeployRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
        // PassRole: the execution role and the StackSet administration role, each only
        // to CloudFormation.
        let passes: Vec<&J> = deploy
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["Action"] == "iam:PassRole")
            .collect();
        assert_eq!(passes.len(), 2);
        assert_eq!(
            passes[1]["Resource"]["Fn::GetAtt"][0],
            "CloudFormationExecutionRole"
        );
        assert_eq!(
            passes[0]["Resource"]["Fn::Sub"],
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/AWSCloudFormationStackSetAdministrationRole"
        );
        for pass in passes {
            assert_eq!(
                pass["Condition"]["StringEquals"]["iam:PassedToService"],
                "cloudformation.amazonaws.com"
            );
        }
        // No statement of the deploy role grants IAM, KMS or anything but its calls.
        for s in deploy.as_array().unwrap() {
            let actions: Vec<&str> = match &s["Action"] {
                J::String(a) => vec![a.as_str()],
                J::Array(a) => a.iter().filter_map(J::as_str).collect(),
                _ => vec![],
            };
            assert!(actions.iter().all(|a| !a.contains('*')), "{s}");
        }
        let exec = &t["Resources"]["CloudFormationExecutionRole"]["Properties"];
        assert_eq!(
            exec["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
            "cloudformation.amazonaws.com"
        );
        assert_eq!(exec["ManagedPolicyArns"]["Ref"], EXECUTION_POLICIES);
        assert_eq!(
            exec["PermissionsBoundary"]["Fn::If"][0],
            "HasPermissionsBoundary"
        );
        assert_eq!(
            t["Outputs"]["BootstrapVersion"]["Value"],
            BOOTSTRAP_VERSION.to_string()
        );
    }
}
