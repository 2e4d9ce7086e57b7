//! One module per stack of an environment.

pub mod data;
pub mod identity;
pub mod monitoring;
pub mod network;
pub mod web;
pub mod worker_shards;
pub mod workers;

use rcdk::{RemovalPolicy, Stack};
use rcdk_constructs::kms::{Key, KeyProps};

/// The stack's key for its log groups (the posture rules want customer keys on logs).
pub(crate) fn logs_key(stack: &Stack, what: &str) -> Key {
    Key::new(
        stack,
        "LogsKey",
        KeyProps {
            description: Some(format!("Encrypts {what}")),
            removal_policy: RemovalPolicy::Retain,
            ..KeyProps::default()
        },
    )
}
