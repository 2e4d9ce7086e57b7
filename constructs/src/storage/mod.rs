//! The storage family: S3 buckets with the secure defaults: encrypted, private, versioned,
//! TLS-only, access logged, retained with the stack.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::storage::{Bucket, BucketProps, LifecycleRule};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "s", StackProps::default());
//! let reports = Bucket::new(&stack, "Reports", BucketProps {
//!     lifecycle_rules: vec![LifecycleRule::expire_after_days(365)],
//!     ..BucketProps::default()
//! });
//! # let _ = reports.objects_arn("daily/");
//! ```

mod bucket;

pub use bucket::{AccessLogging, Bucket, BucketEncryption, BucketProps, LifecycleRule};

/// Why a bucket receiving S3 server access logs is not encrypted with a KMS key.
pub const S3_ACCESS_LOGS_NEED_SSE_S3: &str = "S3 server access logging delivers only to buckets encrypted with SSE-S3 (Amazon S3 managed keys), not SSE-KMS";

/// Waives, on a bucket that receives logs (load balancer or S3 access logs), the
/// scanners' checks such a bucket cannot or need not meet; `encryption_reason` says
/// why its delivery needs SSE-S3.
pub fn waive_log_bucket_checks(bucket: &Bucket, encryption_reason: &str) {
    crate::posture::waive_check(
        bucket,
        &[
            "CKV_AWS_18",
            "s3_bucket_logging_enabled_check",
            "AwsSolutions-S1",
        ],
        "This bucket holds access logs: logging its own access would log into itself, and another bucket would need one more",
    );
    crate::posture::waive_check(
        bucket,
        &["s3_bucket_default_encryption_kms_check"],
        encryption_reason,
    );
    crate::posture::waive_check(
        bucket,
        &["s3_bucket_object_lock_enabled_check"],
        "Access logs expire with the lifecycle rule; versioning keeps overwritten objects, and Object Lock would keep them past the retention",
    );
    crate::posture::waive_check(
        bucket,
        &["s3_event_notifications_enabled_check"],
        "Only the log delivery writes here and nothing consumes new log objects as events; readers query the logs when they need them",
    );
}
