//! A role construct that collects statements, over the typed policy documents of
//! `rcdk_l1::policy` (re-exported here).
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

mod people;

use std::ops::Deref;

use rcdk::{Expr, Scope, Value, fns};
use rcdk_l1::iam::role::Policy;
use rcdk_l1::iam::{CfnRole, CfnRoleProps};

pub use people::{Group, GroupProps, User, UserProps};

use crate::units::Duration;
pub use rcdk_l1::policy::{
    ConditionOperator, Effect, Operator, PolicyDocument, PolicyStatement, Principal,
};

/// What can be granted access: anything that acts with a role of its own (a role, a
/// function, a task definition or service, EC2 capacity, a deploy role). Every `grant_*`
/// takes one, as the AWS CDK's `IGrantable`: `jobs.grant_send(&function)`.
pub trait Grantable {
    /// The role whose policy receives the grant.
    fn grant_role(&self) -> &Role;
}

impl Grantable for Role {
    fn grant_role(&self) -> &Role {
        self
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
    /// What the role is for.
    pub description: Option<String>,
    /// ARNs of managed policies (use [`aws_managed_policy`]).
    pub managed_policies: Vec<Expr<String>>,
    /// Statements of the role's inline policy.
    pub statements: Vec<PolicyStatement>,
    /// Conditions on the trust statement (e.g. the `sub` and `aud` of a web identity).
    pub trust_conditions: Vec<(Operator, String, Value)>,
    /// Longest session, 1 to 12 hours, whole seconds. Default: IAM's (1 hour).
    pub max_session: Option<Duration>,
    /// ARN of a managed policy that caps what the role may ever do.
    pub permissions_boundary: Option<Expr<String>>,
}

impl RoleProps {
    /// A role `assumed_by` the principal, with no permissions yet.
    pub fn new(assumed_by: Principal) -> RoleProps {
        let trust = matches!(assumed_by, Principal::Service(_));
        RoleProps {
            assumed_by,
            trust_only_this_account: trust,
            description: None,
            managed_policies: Vec::new(),
            statements: Vec::new(),
            trust_conditions: Vec::new(),
            max_session: None,
            permissions_boundary: None,
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
    /// Adds the role below `scope`.
    pub fn new(scope: &Scope, id: &str, props: RoleProps) -> Role {
        // A web identity (an OIDC provider) assumes a role with its token.
        let action = if matches!(props.assumed_by, Principal::Federated(_)) {
            "sts:AssumeRoleWithWebIdentity"
        } else {
            "sts:AssumeRole"
        };
        // AWS's own policies for a service's role (`service-role/…`), given to that
        // service: what cdk-nag's IAM4 asks about, decided here once.
        let service_policies: Vec<String> = match &props.assumed_by {
            Principal::Service(_) => props
                .managed_policies
                .iter()
                .filter_map(|p| match p.clone().into_value() {
                    Value::Intrinsic(i) => match *i {
                        rcdk::expr::Intrinsic::Sub { template, .. } => template
                            .split_once(":iam::aws:policy/")
                            .map(|(_, name)| name.to_owned())
                            .filter(|name| name.starts_with("service-role/")),
                        _ => None,
                    },
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let only_service_policies =
            !service_policies.is_empty() && service_policies.len() == props.managed_policies.len();
        let mut trust = PolicyStatement::allow()
            .actions([action])
            .principal(props.assumed_by);
        if props.trust_only_this_account {
            trust = trust.from_this_account();
        }
        for (operator, key, value) in props.trust_conditions {
            trust = trust.condition(operator, &key, value);
        }
        let role = CfnRole::new(
            scope,
            id,
            CfnRoleProps {
                description: props.description.map(Into::into),
                managed_policy_arns: (!props.managed_policies.is_empty())
                    .then(|| Expr::unchecked(Value::list(props.managed_policies))),
                max_session_duration: props.max_session.map(|s| s.truncated_seconds().into()),
                permissions_boundary: props.permissions_boundary,
                ..CfnRoleProps::new(PolicyDocument::new(vec![trust]))
            },
        );
        if let Some(s) = props.max_session {
            crate::units::seconds_in(&role, "max_session", s, 3600, 43_200);
        }
        if only_service_policies {
            crate::posture::waive_check(
                &role,
                &["AwsSolutions-IAM4"],
                &format!(
                    "A service's role with AWS's managed policy for that service ({}), which AWS keeps in step with what the service calls",
                    service_policies.join(", ")
                ),
            );
        }
        let role = Role { role };
        for s in props.statements {
            role.add_to_policy(s);
        }
        role.waive_resourceless_star();
        role
    }

    /// cdk-nag's IAM5 flags every `Resource: "*"`; where IAM's catalogue proves the
    /// statement's actions take no resource, the role says so for those findings only
    /// (once its statements are complete: other constructs add theirs until then).
    fn waive_resourceless_star(&self) {
        let target = self.role.clone();
        rcdk::Aspects::of(&self.role).add_with_priority(
            move |node: &Scope| {
                if *node != **target {
                    return;
                }
                let props = target.properties();
                let catalogue = rcdk::iam::catalogue();
                let mut actions: Vec<String> =
                    rcdk::posture::identity_policy_statements("AWS::IAM::Role", &props)
                        .into_iter()
                        .filter_map(|s| rcdk::iam::resourceless_on_star(catalogue, s))
                        .flatten()
                        .collect();
                actions.sort();
                actions.dedup();
                if !actions.is_empty() {
                    crate::posture::waive_cdk_nag_findings(
                        &target,
                        "AwsSolutions-IAM5",
                        &["Resource::*"],
                        &format!(
                            "IAM's service authorization reference gives these actions no resource type: * is the only resource they take ({})",
                            actions.join(", ")
                        ),
                    );
                }
            },
            rcdk::AspectPriority::DEFAULT,
        );
    }

    /// Adds a statement to the role's inline policy.
    pub fn add_to_policy(&self, statement: PolicyStatement) {
        self.role.update_props(|p: &mut CfnRoleProps| {
            let policies = p.policies.get_or_insert_with(Vec::new);
            match policies
                .iter_mut()
                .find(|pol| pol.policy_name.as_literal_str() == Some(INLINE_POLICY))
            {
                Some(existing) => existing.policy_document.add_statement(statement),
                None => policies.push(Policy::new(
                    PolicyDocument::new(vec![statement]),
                    INLINE_POLICY,
                )),
            }
        });
    }

    /// The role's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.role.attr_arn()
    }
}

/// A construct id as part of a statement id: IAM takes only letters and digits in a
/// `Sid`, and one policy's statements need ids of their own.
pub(crate) fn sid_part(id: &str) -> String {
    id.chars().filter(char::is_ascii_alphanumeric).collect()
}
