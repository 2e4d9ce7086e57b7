//! Typed CloudFormation values.
//!
//! [`Value`] is the untyped tree every template is built from: JSON literals plus
//! intrinsic functions ([`Intrinsic`]) whose references are resolved at synthesis.
//! [`Expr<T>`] wraps a `Value` with the CloudFormation type it yields, so a number
//! field cannot receive a list by mistake:
//!
//! ```compile_fail
//! use rcdk::Expr;
//! // As the generated L1 declares an integer property (an ingress rule's FromPort):
//! struct Ingress { from_port: Option<Expr<i64>> }
//! // Fn::GetAZs yields a list of strings.
//! let rule = Ingress { from_port: Some(rcdk::fns::get_azs()) };
//! ```
//!
//! while the right types go through:
//!
//! ```
//! use rcdk::Expr;
//! struct Ingress { from_port: Option<Expr<i64>>, cidr_ip: Option<Expr<String>> }
//! let rule = Ingress { from_port: Some(443.into()), cidr_ip: Some(rcdk::fns::select(0, rcdk::fns::get_azs())) };
//! # let _ = (rule.from_port, rule.cidr_ip);
//! ```

mod dynamic;
pub mod fns;
mod intrinsic;
mod value;

pub use dynamic::{DynamicRef, secrets_manager, ssm, ssm_secure};
pub use intrinsic::{ElementRef, Intrinsic, Pseudo};
pub use value::{Lazy, ToValue, Value};

use std::fmt;
use std::marker::PhantomData;

/// Marker for a free-form JSON value (policy documents, dashboards bodies, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Json {}

/// A CloudFormation value that yields a `T`: a literal or an intrinsic.
///
/// `T` is one of `String`, `i64`, `f64`, `bool`, `Vec<String>`, `Vec<i64>` or [`Json`].
pub struct Expr<T> {
    value: Value,
    kind: PhantomData<fn() -> T>,
}

impl<T> Expr<T> {
    /// Wraps an untyped value. The caller vouches that it yields a `T`.
    pub fn unchecked(value: Value) -> Self {
        Expr {
            value,
            kind: PhantomData,
        }
    }

    /// `{"Ref": "AWS::NoValue"}`: removes the property where it is used (typically in `Fn::If`).
    pub fn no_value() -> Self {
        Self::unchecked(Value::intrinsic(Intrinsic::Pseudo(Pseudo::NoValue)))
    }

    /// The untyped value.
    pub fn as_value(&self) -> &Value {
        &self.value
    }

    /// The untyped value.
    pub fn into_value(self) -> Value {
        self.value
    }

    /// The literal, when this expression is one (not an intrinsic).
    pub fn as_literal_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl<T> Clone for Expr<T> {
    fn clone(&self) -> Self {
        Self::unchecked(self.value.clone())
    }
}

impl<T> fmt::Debug for Expr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T> PartialEq for Expr<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T> ToValue for Expr<T> {
    fn to_value(&self) -> Value {
        self.value.clone()
    }
}

impl<T> From<Expr<T>> for Value {
    fn from(e: Expr<T>) -> Value {
        e.value
    }
}

impl From<&str> for Expr<String> {
    fn from(s: &str) -> Self {
        Self::unchecked(Value::String(s.to_owned()))
    }
}

impl From<String> for Expr<String> {
    fn from(s: String) -> Self {
        Self::unchecked(Value::String(s))
    }
}

impl From<&String> for Expr<String> {
    fn from(s: &String) -> Self {
        Self::unchecked(Value::String(s.clone()))
    }
}

impl From<&Expr<String>> for Expr<String> {
    fn from(e: &Expr<String>) -> Self {
        e.clone()
    }
}

macro_rules! int_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Expr<i64> {
            fn from(n: $t) -> Self {
                Self::unchecked(Value::Int(i64::from(n)))
            }
        }
    )*};
}
int_from!(i64, i32, u32, u16, u8);

impl From<f64> for Expr<f64> {
    fn from(n: f64) -> Self {
        Self::unchecked(Value::Float(n))
    }
}

impl From<i64> for Expr<f64> {
    fn from(n: i64) -> Self {
        Self::unchecked(Value::Int(n))
    }
}

impl From<i32> for Expr<f64> {
    fn from(n: i32) -> Self {
        Self::unchecked(Value::Int(i64::from(n)))
    }
}

impl From<bool> for Expr<bool> {
    fn from(b: bool) -> Self {
        Self::unchecked(Value::Bool(b))
    }
}

impl<S: Into<Expr<String>>> From<Vec<S>> for Expr<Vec<String>> {
    fn from(items: Vec<S>) -> Self {
        Self::unchecked(Value::List(
            items.into_iter().map(|s| s.into().into_value()).collect(),
        ))
    }
}

impl<S: Into<Expr<String>>, const N: usize> From<[S; N]> for Expr<Vec<String>> {
    fn from(items: [S; N]) -> Self {
        Self::unchecked(Value::List(
            items.into_iter().map(|s| s.into().into_value()).collect(),
        ))
    }
}

impl From<Vec<i64>> for Expr<Vec<i64>> {
    fn from(items: Vec<i64>) -> Self {
        Self::unchecked(Value::List(items.into_iter().map(Value::Int).collect()))
    }
}

impl From<Vec<Expr<i64>>> for Expr<Vec<i64>> {
    fn from(items: Vec<Expr<i64>>) -> Self {
        Self::unchecked(Value::List(
            items.into_iter().map(Expr::into_value).collect(),
        ))
    }
}

impl From<Vec<f64>> for Expr<Vec<f64>> {
    fn from(items: Vec<f64>) -> Self {
        Self::unchecked(Value::List(items.into_iter().map(Value::Float).collect()))
    }
}

impl From<Value> for Expr<Json> {
    fn from(v: Value) -> Self {
        Self::unchecked(v)
    }
}

impl From<serde_json::Value> for Expr<Json> {
    fn from(v: serde_json::Value) -> Self {
        Self::unchecked(v.into())
    }
}
