//! Documents the schemas type as free JSON but AWS documents a shape for: an SQS queue's
//! redrive and redrive-allow policies, and an EventBridge event pattern.
//!
//! ```
//! use rcdk_l1_core::documents::{EventPattern, Matcher, RedrivePolicy};
//! let redrive = RedrivePolicy::new("arn:aws:sqs:us-east-1:123456789012:jobs-dlq", 5);
//! let pattern = EventPattern::default()
//!     .source(["aws.guardduty"])
//!     .detail("severity", [Matcher::numeric_at_least(7.0)]);
//! # let _ = (redrive, pattern);
//! ```

use std::collections::BTreeMap;

use rcdk::{Expr, ToValue, Value};

/// `RedrivePolicy` of an SQS queue: where messages go after `max_receive_count` failed
/// receives.
#[derive(Debug, Clone, PartialEq)]
pub struct RedrivePolicy {
    pub dead_letter_target_arn: Expr<String>,
    pub max_receive_count: Expr<i64>,
}

impl RedrivePolicy {
    pub fn new(
        dead_letter_target_arn: impl Into<Expr<String>>,
        max_receive_count: impl Into<Expr<i64>>,
    ) -> RedrivePolicy {
        RedrivePolicy {
            dead_letter_target_arn: dead_letter_target_arn.into(),
            max_receive_count: max_receive_count.into(),
        }
    }
}

impl ToValue for RedrivePolicy {
    fn to_value(&self) -> Value {
        Value::object([
            (
                "deadLetterTargetArn",
                Value::from(&self.dead_letter_target_arn),
            ),
            ("maxReceiveCount", Value::from(&self.max_receive_count)),
        ])
    }
}

/// `RedriveAllowPolicy` of a dead-letter queue: which source queues may use it.
#[derive(Debug, Clone, PartialEq)]
pub enum RedriveAllowPolicy {
    AllowAll,
    DenyAll,
    /// Only these source queues (up to 10 ARNs).
    ByQueue(Vec<Expr<String>>),
}

impl ToValue for RedriveAllowPolicy {
    fn to_value(&self) -> Value {
        match self {
            RedriveAllowPolicy::AllowAll => {
                Value::object([("redrivePermission", Value::from("allowAll"))])
            }
            RedriveAllowPolicy::DenyAll => {
                Value::object([("redrivePermission", Value::from("denyAll"))])
            }
            RedriveAllowPolicy::ByQueue(arns) => Value::object([
                ("redrivePermission", Value::from("byQueue")),
                (
                    "sourceQueueArns",
                    Value::List(arns.iter().map(Value::from).collect()),
                ),
            ]),
        }
    }
}

/// One way an event field may match.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// The value itself.
    Exact(Expr<String>),
    Prefix(String),
    Suffix(String),
    /// `*` stands for any characters.
    Wildcard(String),
    AnythingBut(Vec<String>),
    /// The field is present (`true`) or absent (`false`).
    Exists(bool),
    /// Numeric comparisons, e.g. `[(">=", 7.0)]`.
    Numeric(Vec<(&'static str, f64)>),
}

impl Matcher {
    pub fn numeric_at_least(n: f64) -> Matcher {
        Matcher::Numeric(vec![(">=", n)])
    }
}

impl<S: Into<Expr<String>>> From<S> for Matcher {
    fn from(s: S) -> Matcher {
        Matcher::Exact(s.into())
    }
}

impl ToValue for Matcher {
    fn to_value(&self) -> Value {
        let one = |k: &str, v: Value| Value::object([(k.to_owned(), v)]);
        match self {
            Matcher::Exact(e) => Value::from(e),
            Matcher::Prefix(p) => one("prefix", Value::from(p.as_str())),
            Matcher::Suffix(s) => one("suffix", Value::from(s.as_str())),
            Matcher::Wildcard(w) => one("wildcard", Value::from(w.as_str())),
            Matcher::AnythingBut(v) => one(
                "anything-but",
                Value::List(v.iter().map(|s| Value::from(s.as_str())).collect()),
            ),
            Matcher::Exists(b) => one("exists", Value::from(*b)),
            Matcher::Numeric(ops) => one(
                "numeric",
                Value::List(
                    ops.iter()
                        .flat_map(|(op, n)| [Value::from(*op), Value::from(*n)])
                        .collect(),
                ),
            ),
        }
    }
}

/// An EventBridge event pattern: which events a rule (or archive) takes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventPattern {
    pub source: Vec<Matcher>,
    pub detail_type: Vec<Matcher>,
    pub account: Vec<Matcher>,
    pub region: Vec<Matcher>,
    pub resources: Vec<Matcher>,
    /// `detail` fields by dotted path (`"requestParameters.bucketName"`).
    pub detail: BTreeMap<String, Vec<Matcher>>,
}

impl EventPattern {
    pub fn source<M: Into<Matcher>>(mut self, m: impl IntoIterator<Item = M>) -> Self {
        self.source.extend(m.into_iter().map(Into::into));
        self
    }

    pub fn detail_type<M: Into<Matcher>>(mut self, m: impl IntoIterator<Item = M>) -> Self {
        self.detail_type.extend(m.into_iter().map(Into::into));
        self
    }

    pub fn resources<M: Into<Matcher>>(mut self, m: impl IntoIterator<Item = M>) -> Self {
        self.resources.extend(m.into_iter().map(Into::into));
        self
    }

    /// Matches a field of `detail`, by dotted path.
    pub fn detail<M: Into<Matcher>>(mut self, path: &str, m: impl IntoIterator<Item = M>) -> Self {
        self.detail
            .entry(path.to_owned())
            .or_default()
            .extend(m.into_iter().map(Into::into));
        self
    }
}

fn matchers(m: &[Matcher]) -> Value {
    Value::List(m.iter().map(ToValue::to_value).collect())
}

impl ToValue for EventPattern {
    fn to_value(&self) -> Value {
        let mut out = Value::Map(BTreeMap::new());
        for (key, list) in [
            ("source", &self.source),
            ("detail-type", &self.detail_type),
            ("account", &self.account),
            ("region", &self.region),
            ("resources", &self.resources),
        ] {
            if !list.is_empty() {
                out.set_path(&[key.to_owned()], matchers(list));
            }
        }
        for (path, list) in &self.detail {
            let mut keys = vec!["detail".to_owned()];
            keys.extend(path.split('.').map(str::to_owned));
            out.set_path(&keys, matchers(list));
        }
        out
    }
}
