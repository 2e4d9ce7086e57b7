//! `rcdk bootstrap`: the per-region stack with the deployment bucket, which holds file
//! assets (Lambda code) and templates too large to pass inline. The bucket is named by
//! account and region (`rcdk-assets-ACCOUNT-REGION`, so templates can name it at
//! synthesis), encrypted, private, TLS-only, versioned; it forgets uploaded templates
//! and replaced object versions after 30 days, never current assets (a rollback may
//! need the code it deployed before).

use std::collections::BTreeMap;

use serde_json::{Value as J, json};

use super::error::DeployError;
use super::guards::Approval;
use super::orchestrate::{DeployOptions, DeployOutcome, StackPlan, deploy_stacks};
use super::progress::Progress;
use super::upload::TOOLKIT_STACK;

/// The bootstrap stack's template.
pub fn toolkit_template() -> J {
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "rcdk deployment bucket: file assets, and templates over CloudFormation's inline limit",
        "Resources": {
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
            "AssetBucketVersion": {"Description": "Version of this stack's layout that rcdk deploy checks before uploading assets", "Value": "1"}
        }
    })
}

/// Creates or updates the bootstrap stack in `region` (of `account`, checked against
/// the credentials' when given); returns the bucket name.
pub async fn bootstrap(
    account: Option<String>,
    region: Option<String>,
    progress: &Progress,
) -> Result<String, DeployError> {
    let plan = StackPlan {
        stack_name: TOOLKIT_STACK.into(),
        region,
        account,
        template: toolkit_template(),
        dependencies: Vec::new(),
        tags: BTreeMap::from([("ManagedBy".to_owned(), "rcdk".to_owned())]),
        termination_protection: false,
        parameters: BTreeMap::new(),
        assets: Vec::new(),
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
    };
    let mut outcomes = deploy_stacks(vec![plan], &opts, progress).await?;
    match outcomes.pop().map(|(_, o)| o) {
        Some(DeployOutcome::Deployed { outputs } | DeployOutcome::Unchanged { outputs }) => outputs
            .get("BucketName")
            .cloned()
            .ok_or_else(|| DeployError::Other(format!("{TOOLKIT_STACK} has no BucketName output"))),
        Some(DeployOutcome::Failed(e)) => Err(e),
        _ => Err(DeployError::Other(format!(
            "{TOOLKIT_STACK} did not deploy"
        ))),
    }
}
