//! Values looked up in the account at synthesis, as the AWS CDK's context providers do:
//! the answer is cached in `cdk.context.json` (the AWS CDK's file and keys), so synthesis
//! stays deterministic. Without a cached answer, the value is a placeholder and the
//! lookup is recorded in the assembly's `missing` list; `rcdk` performs it with the
//! stack's credentials, writes the answer to `cdk.context.json` and synthesizes again
//! (with `--no-lookups`, a missing answer is an error naming the lookup).
//!
//! ```
//! use rcdk::{App, Environment, Stack, StackProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "web", StackProps {
//!     env: Environment::new("123456789012", "us-east-1"),
//!     ..Default::default()
//! });
//! let ami = rcdk::lookup::string_parameter(&stack, "/platform/web/ami");
//! assert_eq!(ami, "dummy-value-for-/platform/web/ami");
//! rcdk::CfnResource::raw(&stack, "Image", "AWS::SSM::Parameter", rcdk::Value::object([
//!     ("Type", rcdk::Value::from("String")), ("Value", rcdk::Value::from(ami)),
//! ]));
//! let out = app.synthesize().expect("synthesizes");
//! assert_eq!(out.missing[0].key, "ssm:account=123456789012:parameterName=/platform/web/ami:region=us-east-1");
//! ```

use std::collections::BTreeMap;

use serde_json::{Value as J, json};

use super::Scope;

/// A lookup synthesis could not answer from the context: the AWS CDK's `MissingContext`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MissingContext {
    /// The context key the answer goes under.
    pub key: String,
    /// The provider: `ssm`.
    pub provider: String,
    /// What to look up, with the account and region.
    pub props: BTreeMap<String, J>,
}

/// The account and region of `scope`'s stack, which a lookup needs; else an error on
/// `scope` naming the fix.
fn environment(scope: &Scope, what: &str) -> Option<(String, String)> {
    let env = scope.stack().map(|s| s.environment());
    match env.and_then(|e| e.account.zip(e.region)) {
        Some(pair) => Some(pair),
        None => {
            scope.add_error(format!(
                "{what} is looked up in an account: the stack needs a concrete account and region (StackProps {{ env: Environment::new(ACCOUNT, REGION), .. }})"
            ));
            None
        }
    }
}

fn record(scope: &Scope, missing: MissingContext) {
    scope
        .tree
        .borrow_mut()
        .missing
        .insert(missing.key.clone(), missing);
}

/// The value of the SSM parameter `name` in the stack's account and region, read at
/// synthesis (the AWS CDK's `StringParameter.valueFromLookup`): the value is written into
/// the template as text. For a value resolved at deploy instead, use an
/// `AWS::SSM::Parameter::Value<String>` parameter or `rcdk::ssm`.
pub fn string_parameter(scope: &Scope, name: &str) -> String {
    let dummy = format!("dummy-value-for-{name}");
    let Some((account, region)) = environment(scope, &format!("SSM parameter {name}")) else {
        return dummy;
    };
    let key = format!("ssm:account={account}:parameterName={name}:region={region}");
    match scope.context(&key) {
        Some(J::String(value)) => value,
        Some(other) => {
            scope.add_error(format!(
                "cdk.context.json holds {other} for {key}, not a string; remove it (rcdk context --reset {key}) to look it up again"
            ));
            dummy
        }
        None => {
            record(
                scope,
                MissingContext {
                    key,
                    provider: "ssm".into(),
                    props: BTreeMap::from([
                        ("account".to_owned(), json!(account)),
                        ("region".to_owned(), json!(region)),
                        ("parameterName".to_owned(), json!(name)),
                        ("dummyValue".to_owned(), json!(dummy)),
                    ]),
                },
            );
            dummy
        }
    }
}
