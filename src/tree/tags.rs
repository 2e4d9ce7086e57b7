use std::collections::BTreeMap;

use super::{Scope, Tree};

/// How tags set in a resource's own props rank against tags applied to scopes,
/// as in the AWS CDK: scope tags (priority 100) override them.
pub(crate) const INITIAL_TAG_PRIORITY: i32 = 50;
const ADD_PRIORITY: i32 = 100;
const REMOVE_PRIORITY: i32 = 200;

pub(crate) struct TagRule {
    pub key: String,
    /// `None` removes the tag.
    pub value: Option<String>,
    pub priority: i32,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub apply_to_launched_instances: bool,
}

impl TagRule {
    fn applies_to(&self, type_name: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|t| t == type_name))
            && !self.exclude.iter().any(|t| t == type_name)
    }
}

/// Options of a tag operation, as in the AWS CDK's `Tags.of(scope).add(k, v, props)`.
#[derive(Debug, Clone, Default)]
pub struct TagProps {
    /// Higher priority wins; at equal priority the tag applied to the deeper scope wins.
    /// Default: 100 for add, 200 for remove.
    pub priority: Option<i32>,
    /// Only these resource types (CloudFormation type names); empty = all.
    pub include_resource_types: Vec<String>,
    /// Never these resource types.
    pub exclude_resource_types: Vec<String>,
    /// For Auto Scaling groups: propagate to launched instances. Default: true.
    pub apply_to_launched_instances: Option<bool>,
}

/// Tags every taggable resource at or below a scope.
pub struct Tags {
    scope: Scope,
}

impl Tags {
    /// The tags of every taggable resource at or below `scope`.
    pub fn of(scope: &Scope) -> Tags {
        Tags {
            scope: scope.clone(),
        }
    }

    /// Adds the tag `key` = `value` (priority 100, every resource type).
    pub fn add(&self, key: &str, value: &str) {
        self.add_with(key, value, TagProps::default());
    }

    /// Adds the tag with a priority and resource-type filters.
    pub fn add_with(&self, key: &str, value: &str, props: TagProps) {
        if let Some(problem) = check_tag(key, value) {
            self.scope.add_error(problem);
            return;
        }
        self.push(key, Some(value.to_owned()), props, ADD_PRIORITY);
    }

    /// Removes a tag (also one set in a resource's own props) below this scope.
    pub fn remove(&self, key: &str) {
        self.remove_with(key, TagProps::default());
    }

    /// Removes the tag `key` (with a priority and filters) from what a lower priority added.
    pub fn remove_with(&self, key: &str, props: TagProps) {
        self.push(key, None, props, REMOVE_PRIORITY);
    }

    fn push(&self, key: &str, value: Option<String>, props: TagProps, default_priority: i32) {
        let rule = TagRule {
            key: key.to_owned(),
            value,
            priority: props.priority.unwrap_or(default_priority),
            include: props.include_resource_types,
            exclude: props.exclude_resource_types,
            apply_to_launched_instances: props.apply_to_launched_instances.unwrap_or(true),
        };
        let mut tree = self.scope.tree.borrow_mut();
        tree.node_mut(self.scope.index).tags.push(rule);
    }
}

fn check_tag(key: &str, value: &str) -> Option<String> {
    if key.is_empty() || key.chars().count() > 128 {
        return Some(format!("tag key '{key}' must be 1 to 128 characters long"));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Some(format!(
            "tag key '{key}' uses the reserved prefix 'aws:'; choose another key"
        ));
    }
    if value.chars().count() > 256 {
        return Some(format!(
            "the value of tag '{key}' is longer than 256 characters"
        ));
    }
    None
}

/// A resolved tag: value and whether Auto Scaling propagates it to instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EffectiveTag {
    pub value: String,
    pub propagate_at_launch: bool,
}

/// The tags that reach `node` (a resource of `type_name`), merged with the tags set
/// in its own props, sorted by key.
pub(crate) fn effective_tags(
    tree: &Tree,
    node: u32,
    type_name: &str,
    initial: BTreeMap<String, EffectiveTag>,
) -> BTreeMap<String, EffectiveTag> {
    let mut current: BTreeMap<String, (i32, Option<EffectiveTag>)> = initial
        .into_iter()
        .map(|(k, v)| (k, (INITIAL_TAG_PRIORITY, Some(v))))
        .collect();
    for index in tree.lineage(node) {
        for rule in &tree.node(index).tags {
            if !rule.applies_to(type_name) {
                continue;
            }
            let wins = current
                .get(&rule.key)
                .is_none_or(|(p, _)| rule.priority >= *p);
            if wins {
                let tag = rule.value.as_ref().map(|v| EffectiveTag {
                    value: v.clone(),
                    propagate_at_launch: rule.apply_to_launched_instances,
                });
                current.insert(rule.key.clone(), (rule.priority, tag));
            }
        }
    }
    current
        .into_iter()
        .filter_map(|(k, (_, t))| t.map(|t| (k, t)))
        .collect()
}

/// Tags of the stack itself (for the manifest and `deploy`): rules on the stack and its
/// ancestors that are not limited to particular resource types.
pub(crate) fn stack_tags(tree: &Tree, stack: u32) -> BTreeMap<String, String> {
    let mut current: BTreeMap<String, (i32, Option<String>)> = BTreeMap::new();
    for index in tree.lineage(stack) {
        for rule in &tree.node(index).tags {
            if !rule.include.is_empty() {
                continue;
            }
            if current
                .get(&rule.key)
                .is_none_or(|(p, _)| rule.priority >= *p)
            {
                current.insert(rule.key.clone(), (rule.priority, rule.value.clone()));
            }
        }
    }
    current
        .into_iter()
        .filter_map(|(k, (_, v))| v.map(|v| (k, v)))
        .collect()
}
