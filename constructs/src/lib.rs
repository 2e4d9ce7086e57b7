//! rcdk's L2 construct library. Each construct family lives in its own module, with
//! props whose defaults are the secure, production choice.
//!
//! The families (network, data, load balancer and WAF, Fargate service, alarms and
//! dashboards) are built on the core crate's generated L1 resources; this crate
//! re-exports the core so apps need a single dependency.

pub use rcdk;
