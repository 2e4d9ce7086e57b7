//! rcdk's L2 construct library: secure, production defaults over the generated L1
//! resources. Props whose `Default` is the production choice, so
//! `..Default::default()` gives encryption, private placement, backups and least
//! privilege, and every L2 built with its defaults passes the [`posture`] rules, checkov
//! and the AWS Control Tower rules (or carries a waiver with its reason).
//!
//! Families, one module each, each opening with a compiled example: [`network`] (VPC,
//! subnets, NAT, flow logs, endpoints), [`connections`] (security groups and the rules
//! between them), [`data`] (PostgreSQL, Redis), [`containers`] (ECS on Fargate and EC2,
//! autoscaling), [`compute`] (Lambda), [`messaging`] (SQS), [`events`] (EventBridge
//! schedules and targets), [`load_balancing`] and [`waf`], [`storage`] (S3), [`logs`],
//! [`ecr`], [`dns`], [`monitoring`] (alarms, topics, dashboards), [`budgets`],
//! [`delivery`] (GitHub OIDC deploy roles), [`baseline`] (an account's security
//! baseline), and the shared pieces they use: [`iam`], [`kms`] (one key per stack by
//! default), [`secrets`], [`metrics`], [`posture`].
//!
//! Each family is a cargo feature of the same name that compiles only the L1 services it
//! builds on (`connections` comes with `network`, `ecr` with `containers`); the shared
//! pieces and [`delivery`] are always there, and `default` is every family. An app that
//! names only what it uses builds in a fraction of the time: `rcdk init`'s app takes
//! `default-features = false, features = ["storage"]`. Using a module that is not enabled
//! is a compile error whose note names the feature to add.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::messaging::{Queue, QueueProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "jobs", StackProps::default());
//! // Encrypted with the stack's key, TLS-only, long polling; the dead-letter queue is kept
//! // when the stack goes.
//! let failed = Queue::new(&stack, "Failed", QueueProps::dead_letter());
//! let jobs = Queue::new(&stack, "Jobs", QueueProps::default());
//! jobs.dead_letter_queue(&failed, 5);
//! rcdk_constructs::posture::enforce(&app);
//! assert!(app.synthesize().is_ok());
//! ```

#![warn(missing_docs)]
// With some of the modules, a shared helper may have no caller; the full set (`default`,
// which CI lints with warnings denied) still reports dead code.
#![cfg_attr(
    not(all(
        feature = "baseline",
        feature = "budgets",
        feature = "data",
        feature = "dns",
        feature = "waf"
    )),
    allow(dead_code)
)]

#[cfg(feature = "backup")]
pub mod backup;
#[cfg(feature = "baseline")]
pub mod baseline;
#[cfg(feature = "budgets")]
pub mod budgets;
#[cfg(feature = "compute")]
pub mod compute;
#[cfg(feature = "network")]
pub mod connections;
#[cfg(feature = "containers")]
pub mod containers;
#[cfg(feature = "data")]
pub mod data;
pub mod delivery;
#[cfg(feature = "dns")]
pub mod dns;
#[cfg(feature = "containers")]
pub mod ecr;
#[cfg(feature = "events")]
pub mod events;
pub mod iam;
pub mod kms;
#[cfg(feature = "load_balancing")]
pub mod load_balancing;
#[cfg(feature = "logs")]
pub mod logs;
#[cfg(feature = "messaging")]
pub mod messaging;
pub mod metrics;
#[cfg(feature = "monitoring")]
pub mod monitoring;
#[cfg(feature = "network")]
pub mod network;
#[cfg(feature = "org")]
pub mod org;
pub mod posture;
pub mod secrets;
#[cfg(feature = "storage")]
pub mod storage;
pub mod units;
#[cfg(feature = "waf")]
pub mod waf;

pub use rcdk;

/// A map of names to values, as environment variables and tags take them, written as
/// a literal: values may be text or any string-valued expression, mixed.
///
/// ```
/// # use rcdk::{App, Stack, StackProps};
/// # use rcdk_constructs::messaging::{Queue, QueueProps};
/// # let app = App::with_context(Default::default(), "cdk.out");
/// # let stack = Stack::new(&app, "s", StackProps::default());
/// let jobs = Queue::new(&stack, "Jobs", QueueProps::default());
/// let environment = rcdk_constructs::vars! {
///     "LOG_LEVEL" => "info",
///     "JOBS_QUEUE_URL" => jobs.url(),
/// };
/// assert_eq!(environment.len(), 2);
/// ```
#[macro_export]
macro_rules! vars {
    ($($name:expr => $value:expr),* $(,)?) => {{
        let mut map: ::std::collections::BTreeMap<::std::string::String, $crate::rcdk::Expr<::std::string::String>> =
            ::std::collections::BTreeMap::new();
        $( map.insert(::std::convert::Into::into($name), ::std::convert::Into::into($value)); )*
        map
    }};
}
