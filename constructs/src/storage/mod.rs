//! The storage family: S3 buckets with the secure defaults.

mod bucket;

pub use bucket::{Bucket, BucketEncryption, BucketProps, LifecycleRule};
