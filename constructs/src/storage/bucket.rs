//! An S3 bucket that is encrypted, blocks public access, enforces TLS, and expires
//! what it no longer needs.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::storage::{Bucket, BucketProps, LifecycleRule};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "s", StackProps::default());
//! let bucket = Bucket::new(&stack, "Reports", BucketProps {
//!     lifecycle_rules: vec![LifecycleRule::expire_after_days(365)],
//!     ..BucketProps::default()
//! });
//! # let _ = bucket.arn();
//! ```

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

use rcdk::{Expr, RemovalPolicy, Scope, Value, fns};
use rcdk_l1::s3::bucket::{
    AbortIncompleteMultipartUpload, BucketEncryption as CfnEncryption, LifecycleConfiguration,
    LoggingConfiguration, NoncurrentVersionExpiration, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration, Rule, ServerSideEncryptionByDefault, ServerSideEncryptionRule,
    VersioningConfiguration,
};
use rcdk_l1::s3::{CfnBucket, CfnBucketPolicy, CfnBucketPolicyProps, CfnBucketProps};

use crate::iam::{Grantable, Operator, PolicyDocument, PolicyStatement, Principal, Role};
use crate::kms::Key;

/// How objects are encrypted at rest.
#[derive(Debug, Clone, Default)]
pub enum BucketEncryption {
    /// SSE-S3 (AES-256). The only choice some writers support, e.g. ALB access logs.
    #[default]
    S3Managed,
    /// SSE-KMS with a customer-managed key and S3 bucket keys.
    Kms(Key),
}

/// Expire objects (and old versions) after some days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleRule {
    /// The rule's id.
    pub id: String,
    /// Only keys under this prefix. Default: the whole bucket.
    pub prefix: Option<String>,
    /// Days after which current objects expire. Default: never.
    pub expiration_days: Option<u32>,
    /// Days after which earlier versions expire. Default: never.
    pub noncurrent_expiration_days: Option<u32>,
    /// Default: 7.
    pub abort_incomplete_upload_days: u32,
}

impl LifecycleRule {
    /// A rule expiring objects (and earlier versions) after `days`, and incomplete uploads
    /// after 7 days.
    pub fn expire_after_days(days: u32) -> LifecycleRule {
        LifecycleRule {
            id: format!("ExpireAfter{days}Days"),
            prefix: None,
            expiration_days: Some(days),
            noncurrent_expiration_days: Some(days),
            abort_incomplete_upload_days: 7,
        }
    }
}

/// Settings of a [`Bucket`].
#[derive(Debug, Clone)]
pub struct BucketProps {
    /// Default: SSE-S3.
    pub encryption: BucketEncryption,
    /// Default: true.
    pub versioned: bool,
    /// Default: none.
    pub lifecycle_rules: Vec<LifecycleRule>,
    /// Default: `Retain`.
    pub removal_policy: RemovalPolicy,
    /// Where S3 logs the requests made to the bucket. Default: a bucket of its own.
    pub access_logs: AccessLogging,
}

/// S3 server access logging of a [`Bucket`].
#[derive(Debug, Clone, Default)]
pub enum AccessLogging {
    /// A bucket of its own, `{id}AccessLogs` (SSE-S3, versioned, logs kept 90 days).
    #[default]
    OwnBucket,
    /// Into `bucket` under `prefix` (the bucket must use SSE-S3).
    To {
        /// The bucket receiving the logs.
        bucket: Box<Bucket>,
        /// The key prefix of this bucket's logs.
        prefix: String,
    },
    /// None: for a bucket that itself receives logs (logging into itself would loop),
    /// or with a posture suppression that says why.
    Off,
}

/// What a bucket decides that the Control Tower rules ask about, each waived with its
/// reason when the bucket as synthesized still has that setting (an app may add Object
/// Lock or notifications later) and the app did not waive it first: the settings that
/// change them are named.
fn default_decisions(bucket: &CfnBucket) {
    use crate::posture::waive_check_by_default_if;
    let lacks = |path: &'static [&'static str]| {
        move |b: &rcdk::CfnResource| b.properties().get_path(path).is_none()
    };
    waive_check_by_default_if(
        bucket,
        &["s3_bucket_default_encryption_kms_check"],
        "Encrypted at rest with SSE-S3 (AES-256, keys S3 manages), the default; BucketEncryption::Kms(key) when a key policy should gate reads and CloudTrail should record each use",
        |b| match b
            .properties()
            .get_path(&["BucketEncryption", "ServerSideEncryptionConfiguration"])
        {
            Some(rcdk::Value::List(rules)) => rules.iter().all(|r| {
                r.get_path(&["ServerSideEncryptionByDefault", "SSEAlgorithm"])
                    .and_then(rcdk::Value::as_str)
                    == Some("AES256")
            }),
            _ => false,
        },
    );
    waive_check_by_default_if(
        bucket,
        &["s3_bucket_object_lock_enabled_check"],
        "Object Lock makes objects undeletable for a retention period, a decision for audit data and not a default; versioning keeps overwritten and deleted objects",
        lacks(&["ObjectLockEnabled"]),
    );
    waive_check_by_default_if(
        bucket,
        &["s3_event_notifications_enabled_check"],
        "Events go to whatever consumes new objects; a bucket whose readers ask for objects when they need them has nothing to notify",
        lacks(&["NotificationConfiguration"]),
    );
    waive_check_by_default_if(
        bucket,
        &[
            "s3_lifecycle_policy_check",
            "s3_version_lifecycle_policy_check",
        ],
        "How long objects and their earlier versions live is the data's decision (BucketProps.lifecycle_rules); by default nothing expires, so nothing is lost",
        lacks(&["LifecycleConfiguration"]),
    );
}

impl Default for BucketProps {
    fn default() -> Self {
        BucketProps {
            encryption: BucketEncryption::S3Managed,
            versioned: true,
            lifecycle_rules: Vec::new(),
            removal_policy: RemovalPolicy::Retain,
            access_logs: AccessLogging::OwnBucket,
        }
    }
}

/// A private S3 bucket with a resource policy that denies requests without TLS.
#[derive(Debug, Clone)]
pub struct Bucket {
    bucket: CfnBucket,
    policy: CfnBucketPolicy,
    key: Option<Key>,
    statements: Rc<RefCell<Vec<PolicyStatement>>>,
}

impl Deref for Bucket {
    type Target = CfnBucket;
    fn deref(&self) -> &CfnBucket {
        &self.bucket
    }
}

fn lifecycle(scope: &Scope, rules: &[LifecycleRule]) -> Option<LifecycleConfiguration> {
    let mut out = Vec::new();
    for r in rules {
        if r.expiration_days == Some(0) || r.noncurrent_expiration_days == Some(0) {
            scope.add_error(format!(
                "lifecycle rule '{}': expiration must be at least 1 day",
                r.id
            ));
        }
        out.push(Rule {
            id: Some(r.id.as_str().into()),
            prefix: r.prefix.as_deref().map(Into::into),
            expiration_in_days: r.expiration_days.map(|d| i64::from(d).into()),
            noncurrent_version_expiration: r
                .noncurrent_expiration_days
                .map(|d| NoncurrentVersionExpiration::new(i64::from(d))),
            abort_incomplete_multipart_upload: Some(AbortIncompleteMultipartUpload::new(
                i64::from(r.abort_incomplete_upload_days),
            )),
            ..Rule::new("Enabled")
        });
    }
    (!out.is_empty()).then(|| LifecycleConfiguration::new(out))
}

impl Bucket {
    /// Adds the bucket, its policy and (by default) its access-log bucket below `scope`.
    pub fn new(scope: &Scope, id: &str, props: BucketProps) -> Bucket {
        let by_default = match &props.encryption {
            BucketEncryption::S3Managed => ServerSideEncryptionByDefault::new("AES256"),
            BucketEncryption::Kms(key) => ServerSideEncryptionByDefault {
                kms_master_key_id: Some(key.arn()),
                ..ServerSideEncryptionByDefault::new("aws:kms")
            },
        };
        let key = match &props.encryption {
            BucketEncryption::Kms(k) => Some(k.clone()),
            BucketEncryption::S3Managed => None,
        };
        let bucket = CfnBucket::new(
            scope,
            id,
            CfnBucketProps {
                bucket_encryption: Some(CfnEncryption::new(vec![ServerSideEncryptionRule {
                    server_side_encryption_by_default: Some(by_default),
                    bucket_key_enabled: key.is_some().then(|| true.into()),
                    ..Default::default()
                }])),
                public_access_block_configuration: Some(PublicAccessBlockConfiguration {
                    block_public_acls: Some(true.into()),
                    block_public_policy: Some(true.into()),
                    ignore_public_acls: Some(true.into()),
                    restrict_public_buckets: Some(true.into()),
                }),
                ownership_controls: Some(OwnershipControls::new(vec![OwnershipControlsRule {
                    object_ownership: Some("BucketOwnerEnforced".into()),
                }])),
                versioning_configuration: props
                    .versioned
                    .then(|| VersioningConfiguration::new("Enabled")),
                lifecycle_configuration: lifecycle(scope, &props.lifecycle_rules),
                ..Default::default()
            },
        );
        bucket.apply_removal_policy(props.removal_policy);
        default_decisions(&bucket);
        let enforce_tls = PolicyStatement::deny()
            .sid("EnforceTls")
            .principal(Principal::Aws("*".into()))
            .actions(["s3:*"])
            .resource(bucket.attr_arn())
            .resource(fns::join("", [bucket.attr_arn(), "/*".into()]))
            .condition(Operator::Bool, "aws:SecureTransport", Value::from("false"));
        let statements = Rc::new(RefCell::new(vec![enforce_tls]));
        let policy = CfnBucketPolicy::new(
            &bucket,
            "Policy",
            CfnBucketPolicyProps::new(bucket.ref_(), PolicyDocument::default()),
        );
        let this = Bucket {
            bucket,
            policy,
            key,
            statements,
        };
        this.render_policy();
        match props.access_logs {
            AccessLogging::OwnBucket => {
                let logs = Bucket::new(
                    scope,
                    &format!("{id}AccessLogs"),
                    BucketProps {
                        lifecycle_rules: vec![LifecycleRule::expire_after_days(90)],
                        removal_policy: props.removal_policy,
                        access_logs: AccessLogging::Off,
                        ..BucketProps::default()
                    },
                );
                super::waive_log_bucket_checks(&logs, super::S3_ACCESS_LOGS_NEED_SSE_S3);
                this.log_access_to(&logs, id);
            }
            AccessLogging::To { bucket, prefix } => this.log_access_to(&bucket, &prefix),
            AccessLogging::Off => {}
        }
        this
    }

    fn render_policy(&self) {
        let doc = PolicyDocument::new(self.statements.borrow().clone());
        self.policy
            .update_props(|p: &mut CfnBucketPolicyProps| p.policy_document = doc);
    }

    /// Adds a statement to the bucket policy.
    pub fn add_to_resource_policy(&self, statement: PolicyStatement) {
        let mut list = self.statements.borrow_mut();
        if !list.contains(&statement) {
            list.push(statement);
        }
        drop(list);
        self.render_policy();
    }

    /// The bucket's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.bucket.attr_arn()
    }

    /// The bucket's name.
    pub fn name(&self) -> Expr<String> {
        self.bucket.ref_()
    }

    /// The bucket policy resource (to order other resources after it).
    pub fn policy(&self) -> &CfnBucketPolicy {
        &self.policy
    }

    /// ARN of the objects under `prefix` (`""` for all).
    pub fn objects_arn(&self, prefix: &str) -> Expr<String> {
        fns::join("", [self.arn(), format!("/{prefix}*").into()])
    }

    /// Lets `role` read objects (and decrypt them).
    pub fn grant_read(&self, grantee: &(impl Grantable + ?Sized)) {
        let role = grantee.grant_role();
        role.add_to_policy(
            PolicyStatement::allow()
                .actions(["s3:GetObject", "s3:ListBucket"])
                .resource(self.arn())
                .resource(self.objects_arn("")),
        );
        self.grant_key(role, &["kms:Decrypt"]);
    }

    /// Lets `role` write objects (and encrypt them).
    pub fn grant_write(&self, grantee: &(impl Grantable + ?Sized)) {
        let role = grantee.grant_role();
        role.add_to_policy(
            PolicyStatement::allow()
                .actions(["s3:PutObject", "s3:AbortMultipartUpload"])
                .resource(self.objects_arn("")),
        );
        self.grant_key(role, &["kms:Encrypt", "kms:GenerateDataKey"]);
    }

    /// Logs access to this bucket (S3 server access logging) into `target` under
    /// `prefix`: `target`'s policy admits the logging service for this bucket only.
    /// S3 delivers access logs only to a bucket encrypted with SSE-S3.
    pub fn log_access_to(&self, target: &Bucket, prefix: &str) {
        if target.key.is_some() {
            self.bucket.add_error(format!(
                "access logs go to {}, encrypted with a KMS key: S3 delivers server access logs only to buckets with SSE-S3 (BucketEncryption::S3Managed)",
                target.bucket.path()
            ));
        }
        let prefix = format!("{}/", prefix.trim_end_matches('/'));
        target.add_to_resource_policy(
            PolicyStatement::allow()
                .sid(format!(
                    "AccessLogsOf{}",
                    crate::iam::sid_part(&self.bucket.id())
                ))
                .principal(Principal::service("logging.s3.amazonaws.com"))
                .actions(["s3:PutObject"])
                .resource(target.objects_arn(&prefix))
                .condition(Operator::ArnLike, "aws:SourceArn", self.arn())
                .from_this_account(),
        );
        let destination = target.name();
        self.bucket.update_props(|p: &mut CfnBucketProps| {
            p.logging_configuration = Some(LoggingConfiguration {
                destination_bucket_name: Some(destination),
                log_file_prefix: Some(prefix.into()),
                ..Default::default()
            });
        });
    }

    fn grant_key(&self, role: &Role, actions: &[&str]) {
        if let Some(key) = &self.key {
            role.add_to_policy(
                PolicyStatement::allow()
                    .actions(actions.iter().copied())
                    .resource(key.arn()),
            );
        }
    }
}
