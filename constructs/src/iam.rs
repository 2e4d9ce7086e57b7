//! IAM policy documents as typed data, and a role construct that collects statements.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::iam::{PolicyStatement, Principal, Role, RoleProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "s", StackProps::default());
//! let role = Role::new(&stack, "TaskRole", RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")));
//! role.add_to_policy(
//!     PolicyStatement::allow()
//!         .actions(["s3:GetObject"])
//!         .resource("arn:aws:s3:::assets/*"),
//! );
//! # let _ = role.arn();
//! ```

use std::collections::BTreeMap;
use std::ops::Deref;

use rcdk::{Expr, Scope, Value, fns};
use rcdk_l1::iam::role::Policy;
use rcdk_l1::iam::{CfnRole, CfnRoleProps};

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
}

impl Principal {
    pub fn service(name: impl Into<String>) -> Principal {
        Principal::Service(name.into())
    }

    fn entry(&self) -> (&'static str, Value) {
        match self {
            Principal::Service(s) => ("Service", Value::from(s.as_str())),
            Principal::Aws(arn) => ("AWS", Value::from(arn.clone())),
            Principal::AccountRoot => (
                "AWS",
                Value::from(fns::sub(
                    "arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
                )),
            ),
        }
    }
}

/// One policy statement. Built with `allow()`/`deny()` and chained setters.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyStatement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub principals: Vec<Principal>,
    pub actions: Vec<String>,
    pub resources: Vec<Expr<String>>,
    /// Operator → condition key → value, e.g. `StringEquals` → `aws:SourceAccount`.
    pub conditions: BTreeMap<String, BTreeMap<String, Value>>,
}

impl PolicyStatement {
    pub fn allow() -> PolicyStatement {
        PolicyStatement {
            sid: None,
            effect: Effect::Allow,
            principals: Vec::new(),
            actions: Vec::new(),
            resources: Vec::new(),
            conditions: BTreeMap::new(),
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

    pub fn resource(mut self, arn: impl Into<Expr<String>>) -> Self {
        self.resources.push(arn.into());
        self
    }

    pub fn principal(mut self, principal: Principal) -> Self {
        self.principals.push(principal);
        self
    }

    pub fn condition(mut self, operator: &str, key: &str, value: impl Into<Value>) -> Self {
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
            "StringEquals",
            "aws:SourceAccount",
            Value::from(fns::account_id()),
        )
    }
}

/// A value or, when there is more than one, a list (how IAM documents are written).
fn one_or_many(mut items: Vec<Value>) -> Value {
    if items.len() == 1 {
        items.remove(0)
    } else {
        Value::List(items)
    }
}

impl From<&PolicyStatement> for Value {
    fn from(s: &PolicyStatement) -> Value {
        let mut m = BTreeMap::new();
        if let Some(sid) = &s.sid {
            m.insert("Sid".to_owned(), Value::from(sid.as_str()));
        }
        m.insert(
            "Effect".to_owned(),
            Value::from(if s.effect == Effect::Allow {
                "Allow"
            } else {
                "Deny"
            }),
        );
        if !s.principals.is_empty() {
            let mut by_kind: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
            for p in &s.principals {
                let (kind, v) = p.entry();
                by_kind.entry(kind).or_default().push(v);
            }
            let principal = by_kind
                .into_iter()
                .map(|(k, v)| (k.to_owned(), one_or_many(v)))
                .collect();
            m.insert("Principal".to_owned(), Value::Map(principal));
        }
        m.insert(
            "Action".to_owned(),
            one_or_many(s.actions.iter().map(|a| Value::from(a.as_str())).collect()),
        );
        if !s.resources.is_empty() {
            m.insert(
                "Resource".to_owned(),
                one_or_many(s.resources.iter().map(|r| Value::from(r.clone())).collect()),
            );
        }
        if !s.conditions.is_empty() {
            m.insert("Condition".to_owned(), Value::from(s.conditions.clone()));
        }
        Value::Map(m)
    }
}

/// A policy document: `{"Version": "2012-10-17", "Statement": [...]}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyDocument {
    pub statements: Vec<PolicyStatement>,
}

impl PolicyDocument {
    pub fn new(statements: Vec<PolicyStatement>) -> PolicyDocument {
        PolicyDocument { statements }
    }
}

impl From<&PolicyDocument> for Value {
    fn from(d: &PolicyDocument) -> Value {
        Value::object([
            ("Version", Value::from("2012-10-17")),
            (
                "Statement",
                Value::List(d.statements.iter().map(Value::from).collect()),
            ),
        ])
    }
}

/// Settings of a [`Role`].
#[derive(Debug, Clone)]
pub struct RoleProps {
    /// The service or account that may assume the role.
    pub assumed_by: Principal,
    /// Restrict the trust to requests on behalf of this account. Default: true for
    /// service principals.
    pub trust_only_this_account: bool,
    pub description: Option<String>,
    /// ARNs of managed policies (use [`aws_managed_policy`]).
    pub managed_policies: Vec<Expr<String>>,
    /// Statements of the role's inline policy.
    pub statements: Vec<PolicyStatement>,
}

impl RoleProps {
    pub fn new(assumed_by: Principal) -> RoleProps {
        let trust = matches!(assumed_by, Principal::Service(_));
        RoleProps {
            assumed_by,
            trust_only_this_account: trust,
            description: None,
            managed_policies: Vec::new(),
            statements: Vec::new(),
        }
    }
}

/// The ARN of an AWS managed policy, in the stack's partition.
pub fn aws_managed_policy(name: &str) -> Expr<String> {
    fns::sub(format!("arn:${{AWS::Partition}}:iam::aws:policy/{name}"))
}

/// An IAM role with one inline policy that grows with [`Role::add_to_policy`].
#[derive(Debug, Clone)]
pub struct Role {
    role: CfnRole,
}

impl Deref for Role {
    type Target = CfnRole;
    fn deref(&self) -> &CfnRole {
        &self.role
    }
}

const INLINE_POLICY: &str = "Default";

impl Role {
    pub fn new(scope: &Scope, id: &str, props: RoleProps) -> Role {
        let mut trust = PolicyStatement::allow()
            .actions(["sts:AssumeRole"])
            .principal(props.assumed_by);
        if props.trust_only_this_account {
            trust = trust.from_this_account();
        }
        let role = CfnRole::new(
            scope,
            id,
            CfnRoleProps {
                description: props.description.map(Into::into),
                managed_policy_arns: (!props.managed_policies.is_empty())
                    .then(|| Expr::unchecked(Value::list(props.managed_policies))),
                ..CfnRoleProps::new(Value::from(&PolicyDocument::new(vec![trust])))
            },
        );
        let role = Role { role };
        for s in props.statements {
            role.add_to_policy(s);
        }
        role
    }

    /// Adds a statement to the role's inline policy.
    pub fn add_to_policy(&self, statement: PolicyStatement) {
        self.role.update_props(|p: &mut CfnRoleProps| {
            let policies = p.policies.get_or_insert_with(Vec::new);
            let document = Value::from(&PolicyDocument::new(vec![statement.clone()]));
            match policies
                .iter_mut()
                .find(|pol| pol.policy_name.as_literal_str() == Some(INLINE_POLICY))
            {
                Some(existing) => {
                    if let Value::Map(m) = &mut existing.policy_document {
                        if let Some(Value::List(list)) = m.get_mut("Statement") {
                            let v = Value::from(&statement);
                            if !list.contains(&v) {
                                list.push(v);
                            }
                        }
                    }
                }
                None => policies.push(Policy::new(document, INLINE_POLICY)),
            }
        });
    }

    pub fn arn(&self) -> Expr<String> {
        self.role.attr_arn()
    }
}
