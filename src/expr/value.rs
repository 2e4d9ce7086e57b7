use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use super::{Expr, Intrinsic};

/// An untyped CloudFormation value: JSON plus intrinsic functions.
#[derive(Clone, Default)]
pub enum Value {
    /// JSON `null`.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// Text.
    String(String),
    /// A list.
    List(Vec<Value>),
    /// An object, its keys sorted.
    Map(BTreeMap<String, Value>),
    /// An intrinsic function or reference, rendered as CloudFormation's JSON.
    Intrinsic(Box<Intrinsic>),
    /// Computed at synthesis, after every construct had its say (for L2 constructs
    /// that accumulate statements or rules after the resource was created).
    Lazy(Lazy),
}

/// A value computed at synthesis time.
#[derive(Clone)]
pub struct Lazy(Rc<dyn Fn() -> Value>);

impl Lazy {
    /// A value `f` computes at synthesis.
    pub fn new(f: impl Fn() -> Value + 'static) -> Self {
        Lazy(Rc::new(f))
    }

    /// The value, computed now.
    pub fn produce(&self) -> Value {
        (self.0)()
    }
}

impl Value {
    /// The value of an intrinsic.
    pub fn intrinsic(i: Intrinsic) -> Value {
        Value::Intrinsic(Box::new(i))
    }

    /// An object from key/value pairs (keys are kept sorted for deterministic output).
    pub fn object<K: Into<String>, V: Into<Value>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Value {
        Value::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// A list of `items`.
    pub fn list<V: Into<Value>>(items: impl IntoIterator<Item = V>) -> Value {
        Value::List(items.into_iter().map(Into::into).collect())
    }

    /// Whether it is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The text, if it is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The object, if it is one.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Follows a path of object keys.
    pub fn get_path(&self, path: &[&str]) -> Option<&Value> {
        path.iter().try_fold(self, |v, key| v.as_map()?.get(*key))
    }

    /// Sets the value at a path of object keys, creating objects on the way
    /// (replacing a non-object found on the way).
    pub fn set_path(&mut self, path: &[String], new: Value) {
        let Some((last, parents)) = path.split_last() else {
            *self = new;
            return;
        };
        let mut cur = self;
        for key in parents {
            if !matches!(cur, Value::Map(_)) {
                *cur = Value::Map(BTreeMap::new());
            }
            let Value::Map(m) = cur else {
                unreachable!("just made a map")
            };
            cur = m
                .entry(key.clone())
                .or_insert_with(|| Value::Map(BTreeMap::new()));
        }
        if !matches!(cur, Value::Map(_)) {
            *cur = Value::Map(BTreeMap::new());
        }
        if let Value::Map(m) = cur {
            m.insert(last.clone(), new);
        }
    }

    /// Removes the value at a path of object keys; returns whether something was removed.
    pub fn remove_path(&mut self, path: &[String]) -> bool {
        let Some((last, parents)) = path.split_last() else {
            return false;
        };
        let mut cur = self;
        for key in parents {
            match cur {
                Value::Map(m) => match m.get_mut(key) {
                    Some(next) => cur = next,
                    None => return false,
                },
                _ => return false,
            }
        }
        match cur {
            Value::Map(m) => m.remove(last).is_some(),
            _ => false,
        }
    }

    /// Calls `f` on every intrinsic in this value, depth first.
    pub fn visit_intrinsics(&self, f: &mut dyn FnMut(&Intrinsic)) {
        match self {
            Value::List(items) => items.iter().for_each(|v| v.visit_intrinsics(f)),
            Value::Map(m) => m.values().for_each(|v| v.visit_intrinsics(f)),
            Value::Intrinsic(i) => {
                f(i);
                i.children().into_iter().for_each(|v| v.visit_intrinsics(f));
            }
            Value::Lazy(l) => l.produce().visit_intrinsics(f),
            _ => {}
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => a == b,
            (Value::Intrinsic(a), Value::Intrinsic(b)) => a == b,
            (Value::Lazy(a), Value::Lazy(b)) => Rc::ptr_eq(&a.0, &b.0),
            _ => false,
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Float(n) => write!(f, "{n}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(items) => f.debug_list().entries(items).finish(),
            Value::Map(m) => f.debug_map().entries(m).finish(),
            Value::Intrinsic(i) => i.fmt(f),
            Value::Lazy(_) => f.write_str("<lazy>"),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}

impl From<i32> for Value {
    fn from(n: i32) -> Value {
        Value::Int(i64::from(n))
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Value {
        Value::Int(i64::from(n))
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Float(n)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Value {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Value>> From<BTreeMap<String, T>> for Value {
    fn from(m: BTreeMap<String, T>) -> Value {
        Value::Map(m.into_iter().map(|(k, v)| (k, v.into())).collect())
    }
}

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or_default()),
            },
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(items) => {
                Value::List(items.into_iter().map(Value::from).collect())
            }
            serde_json::Value::Object(m) => {
                Value::Map(m.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
            }
        }
    }
}

/// Conversion of typed properties into the untyped value tree.
pub trait ToValue {
    /// The value CloudFormation's JSON is rendered from.
    fn to_value(&self) -> Value;
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl<T: ToValue> ToValue for Vec<T> {
    fn to_value(&self) -> Value {
        Value::List(self.iter().map(ToValue::to_value).collect())
    }
}

impl<T: ToValue> ToValue for Box<T> {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for BTreeMap<String, T> {
    fn to_value(&self) -> Value {
        Value::Map(
            self.iter()
                .map(|(k, v)| (k.clone(), v.to_value()))
                .collect(),
        )
    }
}

impl<T> From<&Expr<T>> for Value {
    fn from(e: &Expr<T>) -> Value {
        e.as_value().clone()
    }
}
