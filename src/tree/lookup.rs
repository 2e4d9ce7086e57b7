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

/// The cached answer of a lookup by `provider` (an AWS CDK context provider's name) for
/// `props` in the stack's account and region, under the AWS CDK's key
/// (`provider:account=…:prop=…:region=…`, props sorted); without one, `dummy`, and the
/// lookup is recorded as missing. `what` names the lookup in errors. For construct
/// libraries that add lookups (`HostedZone::from_lookup`).
pub fn context_value(
    scope: &Scope,
    what: &str,
    provider: &str,
    props: BTreeMap<String, J>,
    dummy: J,
) -> J {
    let Some((account, region)) = environment(scope, what) else {
        return dummy;
    };
    let mut all = props;
    all.insert("account".into(), json!(account));
    all.insert("region".into(), json!(region));
    let key = std::iter::once(provider.to_owned())
        .chain(all.iter().map(|(k, v)| match v {
            J::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        }))
        .collect::<Vec<_>>()
        .join(":");
    if let Some(value) = scope.context(&key) {
        return value;
    }
    all.insert("dummyValue".into(), dummy.clone());
    record(
        scope,
        MissingContext {
            key,
            provider: provider.to_owned(),
            props: all,
        },
    );
    dummy
}

/// The value of the SSM parameter `name` in the stack's account and region, read at
/// synthesis (the AWS CDK's `StringParameter.valueFromLookup`): the value is written into
/// the template as text. For a value resolved at deploy instead, use an
/// `AWS::SSM::Parameter::Value<String>` parameter or `rcdk::ssm`.
pub fn string_parameter(scope: &Scope, name: &str) -> String {
    let dummy = format!("dummy-value-for-{name}");
    let value = context_value(
        scope,
        &format!("SSM parameter {name}"),
        "ssm",
        BTreeMap::from([("parameterName".to_owned(), json!(name))]),
        json!(dummy),
    );
    match value {
        J::String(v) => v,
        other => {
            scope.add_error(format!(
                "cdk.context.json holds {other} for SSM parameter {name}, not a string; forget it (rcdk context --reset) to look it up again"
            ));
            dummy
        }
    }
}
