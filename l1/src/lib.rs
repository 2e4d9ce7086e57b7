//! rcdk's L1 layer: one typed props struct per CloudFormation resource type, generated
//! from the resource provider schemas by `rcdk-codegen`, with nested property types,
//! required fields enforced by constructors, and a typed handle for every attribute.
//!
//! The generated services live in the crates `rcdk-l1-part1` … (see `services.rs` for
//! which holds which): split so that cargo compiles them on every core at once. This
//! crate re-exports them, so paths are always `rcdk_l1::SERVICE::…`.
//!
//! Each service namespace is a cargo feature named as its module, the service part of
//! the type name in lower case (`AWS::Route53::RecordSet` → feature and module
//! `route53`); the default features are the services rcdk's L2 constructs use, and
//! `all-services` enables every one.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_l1::ec2::{CfnVpc, CfnVpcProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "network", StackProps::default());
//! let vpc = CfnVpc::new(&stack, "Vpc", CfnVpcProps {
//!     cidr_block: Some("10.0.0.0/16".into()),
//!     enable_dns_hostnames: Some(true.into()),
//!     ..Default::default()
//! });
//! let _cidr = vpc.attr_cidr_block();
//! ```

pub use rcdk_l1_core::{CfnTag, PropMap, debug_value, documents, policy, prelude};

#[rustfmt::skip]
mod services;

pub use services::*;
