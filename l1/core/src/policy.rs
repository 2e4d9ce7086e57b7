//! IAM policy documents as typed data: the one type every IAM and resource policy property
//! of every generated resource takes (role trust and inline policies, managed policies,
//! key, bucket, queue, topic, secret, repository and log policies, …).
//! Re-exported as `rcdk_l1::policy`.
//!
//! ```
//! use rcdk_l1_core::policy::{Operator, PolicyDocument, PolicyStatement, Principal};
//! let trust = PolicyDocument::new(vec![
//!     PolicyStatement::allow()
//!         .principal(Principal::federated("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"))
//!         .actions(["sts:AssumeRoleWithWebIdentity"])
//!         .condition(Operator::StringEquals, "token.actions.githubusercontent.com:aud", "sts.amazonaws.com")
//!         .condition(Operator::StringLike, "token.actions.githubusercontent.com:sub", "repo:acme/web:ref:refs/heads/main"),
//! ]);
//! # let _ = trust;
//! ```

use std::collections::BTreeMap;

use rcdk::{Expr, ToValue, Value, fns};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// Who a statement applies to.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// An AWS service, e.g. `vpc-flow-logs.amazonaws.com`.
    Service(String),
    /// An account, role or user ARN.
    Aws(Expr<String>),
    /// The root of the account the stack deploys to.
    AccountRoot,
    /// A web identity or SAML provider: an OIDC provider ARN, or a provider name such as
    /// `cognito-identity.amazonaws.com` (with `sts:AssumeRoleWithWebIdentity`).
    Federated(Expr<String>),
    /// An S3 canonical user id.
    CanonicalUser(String),
    /// Everyone (`"*"`): only with conditions that narrow it.
    Anyone,
}

impl Principal {
    pub fn service(name: impl Into<String>) -> Principal {
        Principal::Service(name.into())
    }

    pub fn federated(provider: impl Into<Expr<String>>) -> Principal {
        Principal::Federated(provider.into())
    }

    /// The key of the principal block and the value under it.
    fn entry(&self) -> (&'static str, Value) {
        match self {
            Principal::Service(s) => ("Service", Value::from(s.as_str())),
            Principal::Aws(arn) => ("AWS", Value::from(arn)),
            Principal::AccountRoot => (
                "AWS",
                Value::from(fns::sub(
                    "arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
                )),
            ),
            Principal::Federated(p) => ("Federated", Value::from(p)),
            Principal::CanonicalUser(id) => ("CanonicalUser", Value::from(id.as_str())),
            Principal::Anyone => ("*", Value::from("*")),
        }
    }
}

/// A condition operator of the IAM policy grammar; [`ConditionOperator`] adds the
/// `IfExists` suffix and the `ForAnyValue:`/`ForAllValues:` set qualifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnNotEquals,
    ArnLike,
    ArnNotLike,
    /// Whether the key is absent (`true`) or present (`false`).
    Null,
}

impl Operator {
    pub fn name(self) -> &'static str {
        use Operator::*;
        match self {
            StringEquals => "StringEquals",
            StringNotEquals => "StringNotEquals",
            StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            StringLike => "StringLike",
            StringNotLike => "StringNotLike",
            NumericEquals => "NumericEquals",
            NumericNotEquals => "NumericNotEquals",
            NumericLessThan => "NumericLessThan",
            NumericLessThanEquals => "NumericLessThanEquals",
            NumericGreaterThan => "NumericGreaterThan",
            NumericGreaterThanEquals => "NumericGreaterThanEquals",
            DateEquals => "DateEquals",
            DateNotEquals => "DateNotEquals",
            DateLessThan => "DateLessThan",
            DateLessThanEquals => "DateLessThanEquals",
            DateGreaterThan => "DateGreaterThan",
            DateGreaterThanEquals => "DateGreaterThanEquals",
            Bool => "Bool",
            BinaryEquals => "BinaryEquals",
            IpAddress => "IpAddress",
            NotIpAddress => "NotIpAddress",
            ArnEquals => "ArnEquals",
            ArnNotEquals => "ArnNotEquals",
            ArnLike => "ArnLike",
            ArnNotLike => "ArnNotLike",
            Null => "Null",
        }
    }

    /// `…IfExists`: the condition holds when the key is absent.
    pub fn if_exists(self) -> ConditionOperator {
        ConditionOperator {
            if_exists: true,
            ..self.into()
        }
    }

    /// `ForAnyValue:…` over a multivalued key.
    pub fn for_any_value(self) -> ConditionOperator {
        ConditionOperator {
            set: Some("ForAnyValue"),
            ..self.into()
        }
    }

    /// `ForAllValues:…` over a multivalued key.
    pub fn for_all_values(self) -> ConditionOperator {
        ConditionOperator {
            set: Some("ForAllValues"),
            ..self.into()
        }
    }
}

/// An operator as written in a policy: `ForAnyValue:StringLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConditionOperator {
    operator: Operator,
    if_exists: bool,
    set: Option<&'static str>,
}

impl ConditionOperator {
    pub fn if_exists(self) -> ConditionOperator {
        ConditionOperator {
            if_exists: true,
            ..self
        }
    }

    /// The operator's text in the policy.
    pub fn name(&self) -> String {
        // `Null` takes no IfExists suffix in IAM; it would be a different, unknown operator.
        let suffix = if self.if_exists && self.operator != Operator::Null {
            "IfExists"
        } else {
            ""
        };
        match self.set {
            Some(set) => format!("{set}:{}{suffix}", self.operator.name()),
            None => format!("{}{suffix}", self.operator.name()),
        }
    }
}

impl From<Operator> for ConditionOperator {
    fn from(operator: Operator) -> ConditionOperator {
        ConditionOperator {
            operator,
            if_exists: false,
            set: None,
        }
    }
}

/// One policy statement. Built with `allow()`/`deny()` and chained setters.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyStatement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub principals: Vec<Principal>,
    pub not_principals: Vec<Principal>,
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub resources: Vec<Expr<String>>,
    pub not_resources: Vec<Expr<String>>,
    /// Operator → condition key → value, e.g. `StringEquals` → `aws:SourceAccount`.
    pub conditions: BTreeMap<String, BTreeMap<String, Value>>,
    /// Elements written as a list even when they hold one item (`Action`, `Resource`,
    /// `Principal.Service`, …), as a template migrated from one that did wrote them.
    pub written_as_list: std::collections::BTreeSet<String>,
}

impl PolicyStatement {
    pub fn allow() -> PolicyStatement {
        PolicyStatement {
            sid: None,
            effect: Effect::Allow,
            principals: Vec::new(),
            not_principals: Vec::new(),
            actions: Vec::new(),
            not_actions: Vec::new(),
            resources: Vec::new(),
            not_resources: Vec::new(),
            conditions: BTreeMap::new(),
            written_as_list: std::collections::BTreeSet::new(),
        }
    }

    pub fn deny() -> PolicyStatement {
        PolicyStatement {
            effect: Effect::Deny,
            ..PolicyStatement::allow()
        }
    }

    pub fn sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    pub fn actions<S: Into<String>>(mut self, actions: impl IntoIterator<Item = S>) -> Self {
        self.actions.extend(actions.into_iter().map(Into::into));
        self
    }

    /// Every action except these (`NotAction`).
    pub fn not_actions<S: Into<String>>(mut self, actions: impl IntoIterator<Item = S>) -> Self {
        self.not_actions.extend(actions.into_iter().map(Into::into));
        self
    }

    pub fn resource(mut self, arn: impl Into<Expr<String>>) -> Self {
        self.resources.push(arn.into());
        self
    }

    /// Every resource except this one (`NotResource`).
    pub fn not_resource(mut self, arn: impl Into<Expr<String>>) -> Self {
        self.not_resources.push(arn.into());
        self
    }

    pub fn principal(mut self, principal: Principal) -> Self {
        self.principals.push(principal);
        self
    }

    /// Everyone except this principal (`NotPrincipal`).
    pub fn not_principal(mut self, principal: Principal) -> Self {
        self.not_principals.push(principal);
        self
    }

    pub fn condition(
        mut self,
        operator: impl Into<ConditionOperator>,
        key: &str,
        value: impl Into<Value>,
    ) -> Self {
        self.conditions
            .entry(operator.into().name())
            .or_default()
            .insert(key.to_owned(), value.into());
        self
    }

    /// Writes `element` (`"Action"`, `"Resource"`, `"Principal.Service"`, …) as a list even
    /// when it holds one item. IAM reads both alike; a migrated template keeps its form.
    pub fn written_as_list(mut self, element: &str) -> Self {
        self.written_as_list.insert(element.to_owned());
        self
    }

    /// A condition whose operator is named as a policy writes it (`"StringEqualsIfExists"`,
    /// `"ForAnyValue:StringLike"`), e.g. in code `rcdk migrate` wrote from a template.
    pub fn condition_named(mut self, operator: &str, key: &str, value: impl Into<Value>) -> Self {
        self.conditions
            .entry(operator.to_owned())
            .or_default()
            .insert(key.to_owned(), value.into());
        self
    }

    /// Only requests made on behalf of this account (guards service principals against
    /// the confused-deputy problem).
    pub fn from_this_account(self) -> Self {
        self.condition(
            Operator::StringEquals,
            "aws:SourceAccount",
            Value::from(fns::account_id()),
        )
    }
}

/// A value or, when there is more than one, a list (how IAM documents are written);
/// always a list when `as_list`.
fn one_or_many(mut items: Vec<Value>, as_list: bool) -> Value {
    if items.len() == 1 && !as_list {
        items.remove(0)
    } else {
        Value::List(items)
    }
}

/// `block`: `Principal` or `NotPrincipal`, whose kinds `lists` may name (`Principal.AWS`).
fn principal_block(
    principals: &[Principal],
    block: &str,
    lists: &std::collections::BTreeSet<String>,
) -> Value {
    let mut by_kind: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for p in principals {
        let (kind, v) = p.entry();
        by_kind.entry(kind).or_default().push(v);
    }
    if by_kind.contains_key("*") {
        return Value::from("*");
    }
    Value::Map(
        by_kind
            .into_iter()
            .map(|(k, v)| {
                let as_list = lists.contains(&format!("{block}.{k}"));
                (k.to_owned(), one_or_many(v, as_list))
            })
            .collect(),
    )
}

impl ToValue for PolicyStatement {
    fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        if let Some(sid) = &self.sid {
            m.insert("Sid".to_owned(), Value::from(sid.as_str()));
        }
        let effect = match self.effect {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        };
        m.insert("Effect".to_owned(), Value::from(effect));
        let lists = &self.written_as_list;
        let texts = |items: &[String], element: &str| {
            one_or_many(
                items.iter().map(|a| Value::from(a.as_str())).collect(),
                lists.contains(element),
            )
        };
        let exprs = |items: &[Expr<String>], element: &str| {
            one_or_many(
                items.iter().map(Value::from).collect(),
                lists.contains(element),
            )
        };
        if !self.principals.is_empty() {
            m.insert(
                "Principal".to_owned(),
                principal_block(&self.principals, "Principal", lists),
            );
        }
        if !self.not_principals.is_empty() {
            m.insert(
                "NotPrincipal".to_owned(),
                principal_block(&self.not_principals, "NotPrincipal", lists),
            );
        }
        if !self.actions.is_empty() {
            m.insert("Action".to_owned(), texts(&self.actions, "Action"));
        }
        if !self.not_actions.is_empty() {
            m.insert(
                "NotAction".to_owned(),
                texts(&self.not_actions, "NotAction"),
            );
        }
        if !self.resources.is_empty() {
            m.insert("Resource".to_owned(), exprs(&self.resources, "Resource"));
        }
        if !self.not_resources.is_empty() {
            m.insert(
                "NotResource".to_owned(),
                exprs(&self.not_resources, "NotResource"),
            );
        }
        if !self.conditions.is_empty() {
            m.insert("Condition".to_owned(), Value::from(self.conditions.clone()));
        }
        Value::Map(m)
    }
}

impl From<&PolicyStatement> for Value {
    fn from(s: &PolicyStatement) -> Value {
        s.to_value()
    }
}

/// A policy document: `{"Version": "2012-10-17", "Statement": [...]}`.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    pub statements: Vec<PolicyStatement>,
    /// The policy language version: `2012-10-17`; `None` writes none (IAM then reads the
    /// document as `2008-10-17`, which has no policy variables).
    pub version: Option<String>,
}

impl Default for PolicyDocument {
    fn default() -> PolicyDocument {
        PolicyDocument::new(Vec::new())
    }
}

impl PolicyDocument {
    pub fn new(statements: Vec<PolicyStatement>) -> PolicyDocument {
        PolicyDocument {
            statements,
            version: Some("2012-10-17".to_owned()),
        }
    }

    /// The same statements under another policy language version (`2008-10-17`), or none,
    /// as a template migrated from one wrote it.
    pub fn with_version(mut self, version: Option<&str>) -> PolicyDocument {
        self.version = version.map(str::to_owned);
        self
    }

    /// Adds a statement unless the document already has it.
    pub fn add_statement(&mut self, statement: PolicyStatement) {
        if !self.statements.contains(&statement) {
            self.statements.push(statement);
        }
    }
}

impl ToValue for PolicyDocument {
    fn to_value(&self) -> Value {
        let statements = Value::List(self.statements.iter().map(ToValue::to_value).collect());
        match &self.version {
            Some(v) => Value::object([
                ("Version", Value::from(v.as_str())),
                ("Statement", statements),
            ]),
            None => Value::object([("Statement", statements)]),
        }
    }
}

impl From<&PolicyDocument> for Value {
    fn from(d: &PolicyDocument) -> Value {
        d.to_value()
    }
}
