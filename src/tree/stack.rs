use std::collections::BTreeMap;
use std::ops::Deref;

use super::{NodeKind, Scope, TagProps, Tags};

/// Where a stack is deployed. `None` fields make the stack environment-agnostic
/// in that dimension (`aws://unknown-account/unknown-region` in the manifest).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// The account, or `None` for an environment-agnostic stack.
    pub account: Option<String>,
    /// The region, or `None` for an environment-agnostic stack.
    pub region: Option<String>,
}

impl Environment {
    /// Whether `r` has a region name's shape (`us-east-1`, `eu-central-2`,
    /// `us-gov-west-1`): lowercase words, then a number.
    pub fn is_region_name(r: &str) -> bool {
        let parts: Vec<&str> = r.split('-').collect();
        parts.len() >= 3
            && parts[..parts.len() - 1]
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
            && parts[parts.len() - 1].parse::<u8>().is_ok()
    }

    /// The environment `aws://account/region`.
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Environment {
        Environment {
            account: Some(account.into()),
            region: Some(region.into()),
        }
    }

    /// The account and region the CLI resolved from the AWS configuration
    /// (`CDK_DEFAULT_ACCOUNT`, `CDK_DEFAULT_REGION`), as the AWS CDK passes them.
    pub fn from_cli_defaults() -> Environment {
        Environment {
            account: std::env::var("CDK_DEFAULT_ACCOUNT")
                .ok()
                .filter(|s| !s.is_empty()),
            region: std::env::var("CDK_DEFAULT_REGION")
                .ok()
                .filter(|s| !s.is_empty()),
        }
    }

    /// `aws://ACCOUNT/REGION` as in the cloud assembly.
    pub fn uri(&self) -> String {
        format!(
            "aws://{}/{}",
            self.account.as_deref().unwrap_or("unknown-account"),
            self.region.as_deref().unwrap_or("unknown-region")
        )
    }
}

/// Settings of a stack.
#[derive(Debug, Clone, Default)]
pub struct StackProps {
    /// The CloudFormation stack name. Default: the construct id.
    pub stack_name: Option<String>,
    /// Where the stack deploys. Default: environment-agnostic.
    pub env: Environment,
    /// The template's description.
    pub description: Option<String>,
    /// Protects the deployed stack from deletion.
    pub termination_protection: bool,
    /// Tags for the stack itself and every taggable resource in it.
    pub tags: BTreeMap<String, String>,
    /// Lets this stack use values of stacks in other regions (same account) that are
    /// known only at deploy: `rcdk deploy` writes them to SSM parameters in this region
    /// after their stacks deploy, and this stack reads them. Values synthesis knows are
    /// written as text without it.
    pub cross_region_references: bool,
    /// Deploys the template as a CloudFormation StackSet to other accounts and regions
    /// instead of as a stack here (here is the StackSet's administrator).
    pub stack_set: Option<super::stack_set::StackSetProps>,
}

pub(crate) struct StackData {
    pub name: String,
    pub env: Environment,
    pub description: Option<String>,
    pub termination_protection: bool,
    pub explicit_dependencies: Vec<u32>,
    /// Template macros (`Transform`), e.g. `AWS::SecretsManager-2020-07-23`.
    pub transforms: Vec<String>,
    /// One transform is written as a list (as an included template wrote it).
    pub transform_as_list: bool,
    /// Files and folders deploy uploads before the change set.
    pub assets: Vec<super::FileAsset>,
    /// The template's own `Metadata` section.
    pub metadata: BTreeMap<String, serde_json::Value>,
    /// The template's `Rules` section (parameter checks), as written.
    pub rules: BTreeMap<String, serde_json::Value>,
    /// The SAM transform's `Globals` section, as written.
    pub globals: Option<serde_json::Value>,
    /// Entries of a section kept as written: `(section, key, value)`, for what a transform
    /// expands before CloudFormation reads the template (`Fn::ForEach::Name`).
    pub raw_entries: Vec<(String, String, serde_json::Value)>,
    pub cross_region_references: bool,
    /// Resources are written as a migrated template had them (no rcdk path metadata,
    /// tags in the order written).
    pub as_written: bool,
    /// The template has no `AWSTemplateFormatVersion` (as the one it was migrated from).
    pub omit_format_version: bool,
    /// Boxed: most stacks have none, and every node's kind is as large as the largest.
    pub stack_set: Option<Box<super::stack_set::StackSetProps>>,
}

/// A CloudFormation stack: the unit of deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct Stack {
    scope: Scope,
}

impl Deref for Stack {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

impl Stack {
    /// Adds the stack below `scope` (the app).
    pub fn new(scope: &Scope, id: &str, props: StackProps) -> Stack {
        let name = props.stack_name.clone().unwrap_or_else(|| id.to_owned());
        let mut problems: Vec<String> = Vec::new();
        if let Some(set) = &props.stack_set {
            problems.extend(
                set.problems()
                    .into_iter()
                    .map(|(field, message)| format!("stack_set.{field}: {message}")),
            );
            if props.env.account.is_none() || props.env.region.is_none() {
                problems.push("stack_set: a StackSet is made in one account and region (the organisation's management or delegated administrator account): give the stack an env with both".into());
            }
        }
        let data = StackData {
            stack_set: props.stack_set.map(Box::new),
            name,
            env: props.env,
            description: props.description,
            termination_protection: props.termination_protection,
            cross_region_references: props.cross_region_references,
            as_written: false,
            omit_format_version: false,
            explicit_dependencies: Vec::new(),
            transforms: Vec::new(),
            transform_as_list: false,
            assets: Vec::new(),
            metadata: BTreeMap::new(),
            rules: BTreeMap::new(),
            globals: None,
            raw_entries: Vec::new(),
        };
        let stack = Stack {
            scope: scope.add_child(id, NodeKind::Stack(data)),
        };
        if scope.stack().is_some() {
            stack.add_error("a stack cannot be created inside another stack; create it under the app or a plain construct");
        }
        for p in problems {
            stack.add_error(p);
        }
        for (key, value) in &props.tags {
            Tags::of(&stack).add_with(key, value, TagProps::default());
        }
        stack
    }

    pub(crate) fn from_scope(scope: Scope) -> Stack {
        Stack { scope }
    }

    fn with_data<R>(&self, f: impl FnOnce(&StackData) -> R) -> R {
        let tree = self.scope.tree.borrow();
        match &tree.node(self.scope.index).kind {
            NodeKind::Stack(data) => f(data),
            _ => unreachable!("a Stack handle always points at a stack node"),
        }
    }

    fn with_data_mut<R>(&self, f: impl FnOnce(&mut StackData) -> R) -> R {
        let mut tree = self.scope.tree.borrow_mut();
        match &mut tree.node_mut(self.scope.index).kind {
            NodeKind::Stack(data) => f(data),
            _ => unreachable!("a Stack handle always points at a stack node"),
        }
    }

    /// The CloudFormation stack name.
    pub fn stack_name(&self) -> String {
        self.with_data(|d| d.name.clone())
    }

    /// Where the stack deploys.
    pub fn environment(&self) -> Environment {
        self.with_data(|d| d.env.clone())
    }

    /// The region, when the stack is bound to one.
    pub fn region(&self) -> Option<String> {
        self.with_data(|d| d.env.region.clone())
    }

    /// The stack's account, if it names one.
    pub fn account(&self) -> Option<String> {
        self.with_data(|d| d.env.account.clone())
    }

    /// Adds a template macro (`Transform`) once, e.g. `AWS::SecretsManager-2020-07-23`
    /// for hosted secret rotation. Deploying it needs `CAPABILITY_AUTO_EXPAND`.
    pub fn add_transform(&self, name: &str) {
        self.with_data_mut(|data| {
            if !data.transforms.iter().any(|t| t == name) {
                data.transforms.push(name.to_owned());
            }
        });
    }

    /// Writes the stack's resources as the template it was migrated from had them: no
    /// `aws:cdk:path` metadata of rcdk's, and tags in the order written (unless tags set
    /// in code reach the resource). What `rcdk migrate` writes, so that the first deploy
    /// of a migrated stack changes nothing.
    pub fn keep_as_written(&self) {
        self.with_data_mut(|data| data.as_written = true);
    }

    /// Writes no `AWSTemplateFormatVersion` (optional in CloudFormation), as a template
    /// migrated from one without it.
    pub fn omit_format_version(&self) {
        self.with_data_mut(|data| data.omit_format_version = true);
    }

    /// Writes the `Transform` section as a list even when it holds one macro.
    pub fn write_transform_as_list(&self) {
        self.with_data_mut(|data| {
            data.transform_as_list = true;
        });
    }

    /// Sets `key` in the template's `Metadata` section (e.g. `rcdk:cost-usage`, the usage
    /// assumptions `rcdk cost` prices the stack with).
    pub fn add_metadata(&self, key: &str, value: serde_json::Value) {
        self.with_data_mut(|data| {
            data.metadata.insert(key.to_owned(), value);
        });
    }

    /// Sets the rule `name` of the template's `Rules` section: assertions on parameter
    /// values CloudFormation checks before it creates or updates anything, as written
    /// (`{"RuleCondition": …, "Assertions": [{"Assert": …, "AssertDescription": …}]}`).
    pub fn add_rule(&self, name: &str, rule: serde_json::Value) {
        self.with_data_mut(|data| {
            data.rules.insert(name.to_owned(), rule);
        });
    }

    /// Sets the `Globals` section the SAM transform (`AWS::Serverless-2016-10-31`) reads:
    /// properties every function, API or table of the template shares, as written.
    pub fn set_sam_globals(&self, globals: serde_json::Value) {
        self.with_data_mut(|data| {
            data.globals = Some(globals);
        });
    }

    /// Puts `key: value` into the template's `section` as written, for an entry a
    /// transform expands (`Fn::ForEach::Buckets` under `AWS::LanguageExtensions`).
    pub fn add_raw_entry(&self, section: &str, key: &str, value: serde_json::Value) {
        self.with_data_mut(|data| {
            data.raw_entries
                .push((section.to_owned(), key.to_owned(), value));
        });
    }

    /// Sets the template's description, unless the stack has one.
    pub fn set_description_if_absent(&self, description: &str) {
        self.with_data_mut(|data| {
            data.description
                .get_or_insert_with(|| description.to_owned());
        });
    }

    /// Deploy `other` before this stack, even without a reference between them.
    pub fn add_dependency(&self, other: &Stack) {
        self.with_data_mut(|data| {
            if !data.explicit_dependencies.contains(&other.scope.index) {
                data.explicit_dependencies.push(other.scope.index);
            }
        });
    }
}
