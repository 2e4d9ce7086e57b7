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

pub mod baseline;
pub mod budgets;
pub mod compute;
pub mod connections;
pub mod containers;
pub mod data;
pub mod delivery;
pub mod dns;
pub mod ecr;
pub mod events;
pub mod iam;
pub mod kms;
pub mod load_balancing;
pub mod logs;
pub mod messaging;
pub mod metrics;
pub mod monitoring;
pub mod network;
pub mod posture;
pub mod secrets;
pub mod storage;
pub mod units;
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
