//! rcdk's L1 layer: one typed props struct per CloudFormation resource type, generated
//! from the resource provider schemas by `rcdk-codegen` (see `generated/`), with nested
//! property types, required fields enforced by constructors, and a typed handle for
//! every attribute.
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

/// `Debug` and `PartialEq` of a generated struct, through the value they render to: the
/// same answers as derived ones for what matters (what reaches the template), at a
/// fraction of the compile time. Generated functions are `#[inline]`, so only the ones an
/// app uses are compiled to machine code.
macro_rules! value_traits {
    (eq $name:ident) => {
        impl ::std::cmp::PartialEq for $name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                $crate::prelude::ToValue::to_value(self) == $crate::prelude::ToValue::to_value(other)
            }
        }
    };
    ($name:ident) => {
        value_traits!(eq $name);
        impl ::std::fmt::Debug for $name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                $crate::debug_value(stringify!($name), &$crate::prelude::ToValue::to_value(self), f)
            }
        }
    };
}

#[rustfmt::skip]
mod generated;

pub mod documents;
pub mod policy;

pub use generated::*;

use std::collections::BTreeMap;

use rcdk::{Expr, ToValue, Value};

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

#[doc(hidden)]
pub fn debug_value(name: &str, value: &Value, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    write!(f, "{name} ")?;
    std::fmt::Debug::fmt(value, f)
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
    pub use rcdk::{CfnResource, Expr, Json, Scope, ToValue, Value};
    pub use std::collections::BTreeMap;
}
