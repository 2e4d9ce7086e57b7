//! What rcdk's generated L1 code builds on: the typed policy documents (`policy`), the
//! typed JSON documents of a few properties (`documents`), the shared `CfnTag`, and the
//! helpers every generated struct uses. Re-exported by `rcdk-l1`; the generated services
//! live in the `rcdk-l1-part*` crates, so that cargo compiles them in parallel.

/// `Debug` and `PartialEq` of a generated struct, through the value they render to: the
/// same answers as derived ones for what matters (what reaches the template), at a
/// fraction of the compile time. Generated functions are `#[inline]`, so only the ones an
/// app uses are compiled to machine code.
#[macro_export]
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
        $crate::value_traits!(eq $name);
        impl ::std::fmt::Debug for $name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                $crate::debug_value(stringify!($name), &$crate::prelude::ToValue::to_value(self), f)
            }
        }
    };
}

pub mod documents;
pub mod policy;

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
