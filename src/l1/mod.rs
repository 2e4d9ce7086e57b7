//! L1: one typed props struct per CloudFormation resource type, generated from the
//! resource provider schemas by `rcdk-codegen` (see `generated/`), plus the registry
//! of every type's create-only properties, tagging and attributes.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk::l1::ec2::{CfnVpc, CfnVpcProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "network", StackProps::default());
//! let vpc = CfnVpc::new(&stack, "Vpc", CfnVpcProps {
//!     cidr_block: Some("10.0.0.0/16".into()),
//!     enable_dns_hostnames: Some(true.into()),
//!     ..Default::default()
//! });
//! let _cidr = vpc.attr_cidr_block();
//! ```

#[rustfmt::skip]
mod generated;

pub use generated::*;

use std::collections::BTreeMap;

use crate::expr::{Expr, ToValue, Value};

/// How a taggable type carries its tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagFormat {
    /// `[{"Key": …, "Value": …}]`
    List,
    /// `[{"Key": …, "Value": …, "PropagateAtLaunch": …}]` (Auto Scaling groups)
    ListWithPropagateAtLaunch,
    /// `{"key": "value"}`
    Map,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tagging {
    /// Top-level property holding the tags.
    pub property: &'static str,
    pub format: TagFormat,
}

/// What the schemas say about one resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeInfo {
    pub type_name: &'static str,
    /// Property paths (dotted) whose change replaces the resource.
    pub create_only: &'static [&'static str],
    /// Property paths whose change may replace the resource.
    pub conditional_create_only: &'static [&'static str],
    pub tagging: Option<Tagging>,
    /// `Fn::GetAtt` names (dotted for nested attributes).
    pub attributes: &'static [&'static str],
}

/// Looks a resource type up in the registry.
pub fn type_info(type_name: &str) -> Option<&'static TypeInfo> {
    registry::TYPES
        .binary_search_by(|t| t.type_name.cmp(type_name))
        .ok()
        .map(|i| &registry::TYPES[i])
}

/// A `{Key, Value}` tag, shared by every resource type whose tags have that shape.
#[derive(Debug, Clone, PartialEq)]
pub struct CfnTag {
    pub key: Expr<String>,
    pub value: Expr<String>,
}

impl CfnTag {
    pub fn new(key: impl Into<Expr<String>>, value: impl Into<Expr<String>>) -> CfnTag {
        CfnTag {
            key: key.into(),
            value: value.into(),
        }
    }
}

impl ToValue for CfnTag {
    fn to_value(&self) -> Value {
        let mut m = PropMap::new();
        m.req("Key", &self.key);
        m.req("Value", &self.value);
        m.finish()
    }
}

/// Builds the property object of a generated struct.
#[derive(Debug, Default)]
pub struct PropMap(BTreeMap<String, Value>);

impl PropMap {
    pub fn new() -> PropMap {
        PropMap(BTreeMap::new())
    }

    pub fn req<T: ToValue>(&mut self, key: &str, value: &T) {
        self.0.insert(key.to_owned(), value.to_value());
    }

    pub fn opt<T: ToValue>(&mut self, key: &str, value: &Option<T>) {
        if let Some(v) = value {
            self.0.insert(key.to_owned(), v.to_value());
        }
    }

    pub fn finish(self) -> Value {
        Value::Map(self.0)
    }
}

/// What generated code imports.
pub mod prelude {
    pub use super::{CfnTag, PropMap};
    pub use crate::expr::{Expr, Json, ToValue, Value};
    pub use crate::tree::{CfnResource, Scope};
    pub use std::collections::BTreeMap;
}
