//! Customer-managed KMS keys with rotation and a key policy that services can be added to.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::iam::{PolicyStatement, Principal};
//! use rcdk_constructs::kms::{Key, KeyProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "s", StackProps::default());
//! let key = Key::new(&stack, "LogsKey", KeyProps { alias: Some("alias/logs".into()), ..KeyProps::default() });
//! key.grant_service(
//!     PolicyStatement::allow()
//!         .principal(Principal::service("logs.amazonaws.com"))
//!         .actions(["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]),
//! );
//! # let _ = key.arn();
//! ```

use std::ops::Deref;

use rcdk::{CfnResource, Expr, RemovalPolicy, Scope, Value};
use rcdk_l1::kms::{CfnAlias, CfnAliasProps, CfnKey, CfnKeyProps};

use crate::iam::{Operator, PolicyDocument, PolicyStatement, Principal};

/// Settings of a [`Key`].
#[derive(Debug, Clone)]
pub struct KeyProps {
    /// What the key encrypts.
    pub description: Option<String>,
    /// `alias/...` name. Default: none.
    pub alias: Option<String>,
    /// Yearly automatic rotation. Default: true.
    pub enable_rotation: bool,
    /// Default: `Retain`: data encrypted with a deleted key is lost.
    pub removal_policy: RemovalPolicy,
}

impl Default for KeyProps {
    fn default() -> Self {
        KeyProps {
            description: None,
            alias: None,
            enable_rotation: true,
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

/// A symmetric customer-managed key. Its policy lets the account's IAM policies
/// govern use (the account-root statement), plus the services given with
/// [`Key::grant_service`].
#[derive(Debug, Clone)]
pub struct Key {
    /// The `AWS::KMS::Key` resource (its props are `CfnKeyProps`).
    key: CfnResource,
}

impl Deref for Key {
    type Target = CfnResource;
    fn deref(&self) -> &CfnResource {
        &self.key
    }
}

/// The construct id of a stack's shared key ([`Key::of_stack`]).
pub const STACK_KEY_ID: &str = "StackKey";

impl Key {
    /// The key of `scope`'s stack that constructs share by default (one key a stack:
    /// $1 a month, not $1 per construct), made on first use as `StackKey` below the
    /// stack, rotated, with the statements each construct adds. Log groups, functions,
    /// queues, topics and EC2 volumes use it unless given a key; databases, caches and
    /// repositories keep keys of their own (their key cannot change without replacing
    /// them, and a key per data store keeps its policy its own).
    pub fn of_stack(scope: &Scope) -> Key {
        let Some(stack) = scope.stack() else {
            return Key::new(scope, STACK_KEY_ID, KeyProps::default());
        };
        let existing = stack
            .find_child(STACK_KEY_ID)
            .and_then(|c| c.as_resource())
            .filter(|r| r.resource_type() == CfnKey::TYPE_NAME);
        match existing {
            Some(key) => Key { key },
            None => Key::new(
                &stack,
                STACK_KEY_ID,
                KeyProps {
                    description: Some(format!(
                        "Encrypts the logs, queues, topics and functions of the stack {}",
                        stack.stack_name()
                    )),
                    ..KeyProps::default()
                },
            ),
        }
    }

    /// Adds the key (and its alias) below `scope`.
    pub fn new(scope: &Scope, id: &str, props: KeyProps) -> Key {
        let root = PolicyStatement::allow()
            .sid("AccountAdministers")
            .principal(Principal::AccountRoot)
            .actions(["kms:*"])
            .resource("*");
        // Grants let their grantee use the key outside the key policy; only AWS services
        // acting on the account's resources (RDS, EBS, Secrets Manager) need to create
        // them (Control Tower CT.KMS.PR.3).
        let grants_for_services_only = PolicyStatement::deny()
            .sid("GrantsOnlyForAwsResources")
            .principal(Principal::Anyone)
            .actions(["kms:CreateGrant"])
            .resource("*")
            .condition(
                Operator::Bool.if_exists(),
                "kms:GrantIsForAWSResource",
                Value::from("false"),
            )
            .condition(
                Operator::Bool.if_exists(),
                "aws:PrincipalIsAWSService",
                Value::from("false"),
            );
        let key = CfnKey::new(
            scope,
            id,
            CfnKeyProps {
                description: props.description.map(Into::into),
                enable_key_rotation: Some(props.enable_rotation.into()),
                key_policy: Some(PolicyDocument::new(vec![root, grants_for_services_only])),
                ..Default::default()
            },
        );
        key.apply_removal_policy(props.removal_policy);
        if let Some(alias) = props.alias {
            CfnAlias::new(&key, "Alias", CfnAliasProps::new(alias, key.ref_()));
        }
        Key {
            key: CfnResource::clone(&key),
        }
    }

    /// Lets a service principal (e.g. `logs.amazonaws.com`) use the key.
    pub fn grant_service(&self, statement: PolicyStatement) {
        self.key.update_props(|p: &mut CfnKeyProps| {
            p.key_policy
                .get_or_insert_with(PolicyDocument::default)
                .add_statement(statement);
        });
    }

    /// The key's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.key.get_att("Arn")
    }

    /// The key's id.
    pub fn key_id(&self) -> Expr<String> {
        self.key.ref_()
    }
}
