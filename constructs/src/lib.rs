//! rcdk's L2 construct library: secure, production defaults over the generated L1
//! resources. Props whose `Default` is the production choice, so
//! `..Default::default()` gives encryption, private placement and backups.
//!
//! Families, one module each: [`network`] (VPC, subnets, NAT, flow logs, endpoints),
//! [`connections`] (security groups and the rules between them), [`data`] (PostgreSQL
//! on RDS), and the shared pieces they use: [`iam`], [`kms`], [`metrics`].

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
pub mod waf;

pub use rcdk;
