//! References to Secrets Manager secrets that other constructs read, with the key
//! that encrypts them, so grants can cover both.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::iam::{Principal, Role, RoleProps};
//! use rcdk_constructs::secrets::SecretRef;
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "s", StackProps::default());
//! let api_key = SecretRef::new("arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf", None);
//! let role = Role::new(&stack, "Reader", RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")));
//! api_key.grant_read(&role); // GetSecretValue on that secret (and Decrypt on its key, if any)
//! ```

use rcdk::Expr;

use crate::iam::{Grantable, PolicyStatement};

/// A secret and, when it uses a customer-managed key, that key.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretRef {
    /// The secret's ARN.
    pub arn: Expr<String>,
    /// The ARN of the customer-managed key that encrypts it, if it has one.
    pub key_arn: Option<Expr<String>>,
}

impl SecretRef {
    /// The secret `arn`, encrypted with `key_arn` if given.
    pub fn new(arn: impl Into<Expr<String>>, key_arn: Option<Expr<String>>) -> SecretRef {
        SecretRef {
            arn: arn.into(),
            key_arn,
        }
    }

    /// Lets `role` read the secret's value: `GetSecretValue` on exactly this secret,
    /// and `kms:Decrypt` on its key.
    pub fn grant_read(&self, grantee: &(impl Grantable + ?Sized)) {
        let role = grantee.grant_role();
        role.add_to_policy(
            PolicyStatement::allow()
                .actions([
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:DescribeSecret",
                ])
                .resource(self.arn.clone()),
        );
        if let Some(key) = &self.key_arn {
            role.add_to_policy(
                PolicyStatement::allow()
                    .actions(["kms:Decrypt"])
                    .resource(key.clone()),
            );
        }
    }
}
