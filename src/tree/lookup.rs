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

/// The AWS CDK's context key (its `ContextProvider.getKey`), so that both read one
/// `cdk.context.json`: `provider:` then every prop as `name=value`, nested objects and
/// lists flattened to dotted names (`filter.tag:Name=web`, `owners.0=amazon`), strings
/// with `$` and `:` escaped as `$$` and `$:`, the parts sorted.
pub fn context_key(provider: &str, props: &BTreeMap<String, J>) -> String {
    fn flatten(prefix: &str, value: &J, out: &mut Vec<String>) {
        match value {
            J::Object(m) => m
                .iter()
                .for_each(|(k, v)| flatten(&format!("{prefix}{k}."), v, out)),
            J::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, v)| flatten(&format!("{prefix}{i}."), v, out)),
            J::Null => {}
            J::String(s) => out.push(format!(
                "{}={}",
                prefix.trim_end_matches('.'),
                s.replace('$', "$$").replace(':', "$:")
            )),
            other => out.push(format!("{}={other}", prefix.trim_end_matches('.'))),
        }
    }
    let mut parts = Vec::new();
    for (k, v) in props {
        flatten(&format!("{k}."), v, &mut parts);
    }
    parts.sort();
    std::iter::once(provider.to_owned())
        .chain(parts)
        .collect::<Vec<_>>()
        .join(":")
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
    let key = context_key(provider, &all);
    if let Some(value) = scope.context(&key) {
        return value;
    }
    all.insert("dummyValue".into(), dummy.clone());
    // As the AWS CDK does: the CLI assumes it when the caller is of another account.
    all.insert(
        "lookupRoleArn".into(),
        json!(super::bootstrap::role_arn(
            super::bootstrap::LOOKUP_ROLE,
            &account,
            &region
        )),
    );
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

/// Which machine image [`machine_image`] finds (the AWS CDK's `LookupMachineImageProps`).
#[derive(Debug, Clone, Default)]
pub struct MachineImageLookup {
    /// The image name; `*` matches anything (`al2023-ami-2023.*-x86_64`).
    pub name: String,
    /// Owner account ids or aliases (`amazon`, `self`); empty: any owner (name the
    /// owner: anyone can publish an image of any name).
    pub owners: Vec<String>,
    /// Windows images only.
    pub windows: bool,
    /// More EC2 `DescribeImages` filters (`architecture` → `["arm64"]`).
    pub filters: BTreeMap<String, Vec<String>>,
}

/// The id of the newest available machine image that `lookup` matches in the stack's
/// account and region, read at synthesis (the AWS CDK's `MachineImage.lookup`). The
/// answer is cached: a newer image is used once the cached one is forgotten
/// (`rcdk context --reset`), so an image changes only when someone asks it to.
pub fn machine_image(scope: &Scope, lookup: &MachineImageLookup) -> String {
    let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::from([
        ("name".to_owned(), vec![lookup.name.clone()]),
        ("state".to_owned(), vec!["available".to_owned()]),
        ("image-type".to_owned(), vec!["machine".to_owned()]),
    ]);
    if lookup.windows {
        filters.insert("platform".into(), vec!["windows".into()]);
    }
    filters.extend(lookup.filters.clone());
    let mut props = BTreeMap::from([("filters".to_owned(), json!(filters))]);
    if !lookup.owners.is_empty() {
        props.insert("owners".into(), json!(lookup.owners));
    }
    let what = format!("machine image {}", lookup.name);
    match context_value(scope, &what, "ami", props, json!("ami-1234")) {
        J::String(id) => id,
        other => {
            scope.add_error(format!(
                "cdk.context.json holds {other} for {what}, not an image id; forget it (rcdk context --reset) to look it up again"
            ));
            "ami-1234".to_owned()
        }
    }
}

/// The id (`pl-…`) of the managed prefix list `name` in the stack's account and region,
/// read at synthesis: an AWS service's addresses, as a security group rule names them
/// (`com.amazonaws.us-east-1.s3` for S3 through a gateway endpoint). Prefix list ids
/// differ by region and are not known to CloudFormation: no template function gives them.
pub fn prefix_list(scope: &Scope, name: &str) -> String {
    const DUMMY: &str = "pl-00000000";
    let what = format!("prefix list {name}");
    let props = BTreeMap::from([("prefixListName".to_owned(), json!(name))]);
    match context_value(scope, &what, "prefix-list", props, json!(DUMMY)) {
        J::String(id) if id.starts_with("pl-") => id,
        other => {
            scope.add_error(format!(
                "cdk.context.json holds {other} for {what}, not a prefix list id (pl-…); forget it (rcdk context --reset) to look it up again"
            ));
            DUMMY.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_aws_cdks() {
        // As the AWS CDK writes them into cdk.context.json.
        let vpc = BTreeMap::from([
            ("account".to_owned(), json!("123456789012")),
            ("region".to_owned(), json!("us-east-1")),
            ("filter".to_owned(), json!({"tag:Name": "shared"})),
            ("returnAsymmetricSubnets".to_owned(), json!(true)),
        ]);
        assert_eq!(
            context_key("vpc-provider", &vpc),
            "vpc-provider:account=123456789012:filter.tag:Name=shared:region=us-east-1:returnAsymmetricSubnets=true"
        );
        let ami = BTreeMap::from([
            ("account".to_owned(), json!("123456789012")),
            ("region".to_owned(), json!("us-east-1")),
            ("owners".to_owned(), json!(["amazon"])),
            (
                "filters".to_owned(),
                json!({"name": ["amzn-ami-vpc-nat-*"], "state": ["available"], "image-type": ["machine"]}),
            ),
        ]);
        assert_eq!(
            context_key("ami", &ami),
            "ami:account=123456789012:filters.image-type.0=machine:filters.name.0=amzn-ami-vpc-nat-*:filters.state.0=available:owners.0=amazon:region=us-east-1"
        );
        let colon = BTreeMap::from([("parameterName".to_owned(), json!("a:b$c"))]);
        assert_eq!(context_key("ssm", &colon), "ssm:parameterName=a$:b$$c");
    }
}
