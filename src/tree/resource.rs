use std::any::Any;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::ops::Deref;

use super::{CfnCondition, NodeKind, RemovalPolicy, Scope};
use crate::expr::{Expr, Intrinsic, ToValue, Value};

/// Typed properties of a resource (generated L1 props implement it, and so does a raw [`Value`]).
pub trait ResourceProps: Debug + 'static {
    /// The props as a template value.
    fn to_value(&self) -> Value;
    /// The props, for `update_props` to downcast.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: ToValue + Debug + 'static> ResourceProps for T {
    fn to_value(&self) -> Value {
        ToValue::to_value(self)
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// `DeletionPolicy` / `UpdateReplacePolicy` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionPolicy {
    /// Delete the resource (and its data).
    Delete,
    /// Keep it, outside the stack.
    Retain,
    /// Keep it, except when the stack's creation fails.
    RetainExceptOnCreate,
    /// Take a final snapshot, then delete (databases, volumes, caches).
    Snapshot,
}

impl DeletionPolicy {
    /// The value as the template writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            DeletionPolicy::Delete => "Delete",
            DeletionPolicy::Retain => "Retain",
            DeletionPolicy::RetainExceptOnCreate => "RetainExceptOnCreate",
            DeletionPolicy::Snapshot => "Snapshot",
        }
    }
}

/// How an included template wrote what rcdk would write another way.
#[derive(Debug, Clone, Default)]
pub(crate) struct AsWritten {
    /// `DependsOn: Name` rather than `[Name]`.
    pub depends_on_as_string: bool,
}

#[derive(Debug)]
pub(crate) struct ResourceData {
    pub type_name: String,
    pub props: Box<dyn ResourceProps>,
    pub depends_on: Vec<u32>,
    pub condition: Option<u32>,
    pub deletion_policy: Option<DeletionPolicy>,
    pub update_replace_policy: Option<DeletionPolicy>,
    pub update_policy: Option<Value>,
    pub creation_policy: Option<Value>,
    pub metadata: BTreeMap<String, Value>,
    /// Set when the resource comes from an included template: rendered as written (no
    /// path of rcdk's in its metadata, its tags in their order, its spelling of DependsOn).
    pub as_written: Option<AsWritten>,
    /// Attributes rcdk does not model, as written (a macro's own, in a template that a
    /// `Transform` rewrites before CloudFormation reads it).
    pub other_attributes: BTreeMap<String, Value>,
    /// Property overrides in application order: dotted path split into keys, `None` deletes.
    pub overrides: Vec<(Vec<String>, Option<Value>)>,
    /// Other stacks this resource may be moved to at synthesis (see `new_floating`).
    pub alternative_stacks: Vec<u32>,
}

impl ResourceData {
    /// The properties as they will be written: typed props, then overrides.
    pub fn properties(&self) -> Value {
        let mut value = self.props.to_value();
        for (path, new) in &self.overrides {
            match new {
                Some(v) => value.set_path(path, v.clone()),
                None => {
                    value.remove_path(path);
                }
            }
        }
        value
    }
}

/// A CloudFormation resource in the tree: the handle generated L1 types wrap, and the
/// raw escape hatch for any resource type by name.
#[derive(Debug, Clone, PartialEq)]
pub struct CfnResource {
    scope: Scope,
}

impl Deref for CfnResource {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

impl CfnResource {
    /// Adds a resource of `type_name` with typed properties below `scope`.
    pub fn new(scope: &Scope, id: &str, type_name: &str, props: impl ResourceProps) -> CfnResource {
        let data = ResourceData {
            type_name: type_name.to_owned(),
            props: Box::new(props),
            depends_on: Vec::new(),
            condition: None,
            deletion_policy: None,
            update_replace_policy: None,
            update_policy: None,
            creation_policy: None,
            metadata: BTreeMap::new(),
            other_attributes: BTreeMap::new(),
            as_written: None,
            overrides: Vec::new(),
            alternative_stacks: Vec::new(),
        };
        let resource = CfnResource {
            scope: scope.add_child(id, NodeKind::Resource(data)),
        };
        if scope.stack().is_none() {
            resource.add_error(format!(
                "resource '{}' ({type_name}) is not inside a stack; create it under a Stack",
                resource.path()
            ));
        }
        resource
    }

    /// A resource that synthesis places in the first of `stacks` where its references
    /// create no dependency cycle between stacks (the first stack when none would).
    /// It is created as `id` directly below the chosen stack. For rules that connect
    /// two stacks, such as a security-group ingress from one stack's group to another's.
    pub fn new_floating(
        stacks: &[&super::Stack],
        id: &str,
        type_name: &str,
        props: impl ResourceProps,
    ) -> CfnResource {
        let Some((first, rest)) = stacks.split_first() else {
            unreachable!("new_floating needs at least one stack")
        };
        let resource = CfnResource::new(first, id, type_name, props);
        let alternatives: Vec<u32> = rest
            .iter()
            .map(|s| s.index)
            .filter(|&i| i != first.index)
            .collect();
        resource.with_data_mut(|d| d.alternative_stacks = alternatives);
        resource
    }

    /// Escape hatch: a resource of any type with free-form properties.
    pub fn raw(scope: &Scope, id: &str, type_name: &str, properties: Value) -> CfnResource {
        CfnResource::new(scope, id, type_name, properties)
    }

    pub(crate) fn from_scope(scope: Scope) -> CfnResource {
        CfnResource { scope }
    }

    /// The construct node of the resource.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    fn with_data<R>(&self, f: impl FnOnce(&ResourceData) -> R) -> R {
        let tree = self.scope.tree.borrow();
        match &tree.node(self.scope.index).kind {
            NodeKind::Resource(data) => f(data),
            _ => unreachable!("a CfnResource handle always points at a resource node"),
        }
    }

    fn with_data_mut<R>(&self, f: impl FnOnce(&mut ResourceData) -> R) -> R {
        let mut tree = self.scope.tree.borrow_mut();
        match &mut tree.node_mut(self.scope.index).kind {
            NodeKind::Resource(data) => f(data),
            _ => unreachable!("a CfnResource handle always points at a resource node"),
        }
    }

    /// The resource's CloudFormation type.
    pub fn resource_type(&self) -> String {
        self.with_data(|d| d.type_name.clone())
    }

    /// The properties as they will be written (typed props plus overrides).
    pub fn properties(&self) -> Value {
        self.with_data(ResourceData::properties)
    }

    /// The properties with the tags that reach the resource at synthesis merged in (the
    /// `Tags::of` rules of its scopes), as the template will have them.
    pub(crate) fn properties_with_tags(&self) -> Value {
        let mut props = self.properties();
        let type_name = self.resource_type();
        let tree = self.scope.tree.borrow();
        crate::synth::template::apply_tags(&tree, self.scope.index, &type_name, &mut props, false);
        props
    }

    /// Changes the typed props after creation (L2 constructs use this to add rules or
    /// statements). Does nothing when `P` is not this resource's props type.
    pub fn update_props<P: 'static>(&self, f: impl FnOnce(&mut P)) {
        self.with_data_mut(|d| {
            if let Some(p) = d.props.as_any_mut().downcast_mut::<P>() {
                f(p);
            }
        });
    }

    /// `{"Ref": …}` of this resource.
    pub fn ref_(&self) -> Expr<String> {
        Expr::unchecked(Value::intrinsic(Intrinsic::Ref(self.scope.element())))
    }

    /// `Fn::GetAtt` of a scalar attribute.
    pub fn get_att<T>(&self, attribute: &str) -> Expr<T> {
        Expr::unchecked(Value::intrinsic(Intrinsic::GetAtt {
            target: self.scope.element(),
            attribute: attribute.to_owned(),
            is_list: false,
        }))
    }

    /// `Fn::GetAtt` of a list attribute (exported across stacks joined with `||`).
    pub fn get_att_list<T>(&self, attribute: &str) -> Expr<Vec<T>> {
        Expr::unchecked(Value::intrinsic(Intrinsic::GetAtt {
            target: self.scope.element(),
            attribute: attribute.to_owned(),
            is_list: true,
        }))
    }

    /// Sets a property by dotted path (`"VpcConfig.SubnetIds"`), for what the typed props lack.
    pub fn add_property_override(&self, path: &str, value: impl Into<Value>) {
        let keys = path.split('.').map(str::to_owned).collect();
        let value = value.into();
        self.with_data_mut(|d| d.overrides.push((keys, Some(value))));
    }

    /// Removes a property by dotted path.
    pub fn add_property_deletion_override(&self, path: &str) {
        let keys = path.split('.').map(str::to_owned).collect();
        self.with_data_mut(|d| d.overrides.push((keys, None)));
    }

    /// Create `other` before this resource. Across stacks this becomes a stack dependency.
    pub fn add_depends_on(&self, other: &CfnResource) {
        let target = other.scope.index;
        self.with_data_mut(|d| {
            if !d.depends_on.contains(&target) {
                d.depends_on.push(target);
            }
        });
    }

    /// Maps a removal policy to `DeletionPolicy` and `UpdateReplacePolicy`.
    pub fn apply_removal_policy(&self, policy: RemovalPolicy) {
        let type_name = self.resource_type();
        if policy == RemovalPolicy::Snapshot && !RemovalPolicy::supports_snapshot(&type_name) {
            self.add_error(format!(
                "removal policy SNAPSHOT is not supported by {type_name}; use RETAIN or DESTROY"
            ));
            return;
        }
        let p = policy.deletion_policy();
        // UpdateReplacePolicy has no RetainExceptOnCreate: a replaced resource is kept.
        let on_replace = if p == DeletionPolicy::RetainExceptOnCreate {
            DeletionPolicy::Retain
        } else {
            p
        };
        self.with_data_mut(|d| {
            d.deletion_policy = Some(p);
            d.update_replace_policy = Some(on_replace);
        });
    }

    /// Sets `DeletionPolicy`.
    pub fn set_deletion_policy(&self, policy: DeletionPolicy) {
        self.with_data_mut(|d| d.deletion_policy = Some(policy));
    }

    /// Sets `UpdateReplacePolicy`.
    pub fn set_update_replace_policy(&self, policy: DeletionPolicy) {
        self.with_data_mut(|d| d.update_replace_policy = Some(policy));
    }

    /// Sets `UpdatePolicy` (Auto Scaling groups, ElastiCache, …).
    pub fn set_update_policy(&self, policy: impl Into<Value>) {
        let v = policy.into();
        self.with_data_mut(|d| d.update_policy = Some(v));
    }

    /// Sets `CreationPolicy` (signals to wait for).
    pub fn set_creation_policy(&self, policy: impl Into<Value>) {
        let v = policy.into();
        self.with_data_mut(|d| d.creation_policy = Some(v));
    }

    /// Writes a resource attribute rcdk does not model, as given: for templates a macro
    /// rewrites (`Transform`), whose resources may carry the macro's own attributes.
    /// CloudFormation without that macro refuses them.
    pub fn set_other_attribute(&self, name: &str, value: impl Into<Value>) {
        let v = value.into();
        self.with_data_mut(|d| {
            d.other_attributes.insert(name.to_owned(), v);
        });
    }

    /// Marks the resource as coming from an included template (see [`AsWritten`]).
    pub(crate) fn keep_as_written(&self, form: AsWritten) {
        self.with_data_mut(|d| d.as_written = Some(form));
    }

    /// Writes a single `DependsOn` as a string (`"DependsOn": "Queue"`), as a template
    /// migrated from one that did so wrote it; rcdk writes a list otherwise. Like the
    /// resources of an included template, the resource then also gets no rcdk path
    /// metadata and keeps its tags in the order written.
    pub fn write_depends_on_as_string(&self) {
        self.with_data_mut(|d| {
            d.as_written = Some(AsWritten {
                depends_on_as_string: true,
            });
        });
    }

    /// Creates this resource only where `condition` holds.
    pub fn set_condition(&self, condition: &CfnCondition) {
        let index = condition.index();
        self.with_data_mut(|d| d.condition = Some(index));
    }

    /// Adds `key` to the resource's `Metadata`.
    pub fn add_metadata(&self, key: impl Into<String>, value: impl Into<Value>) {
        let (k, v) = (key.into(), value.into());
        self.with_data_mut(|d| {
            d.metadata.insert(k, v);
        });
    }

    /// A metadata entry set with [`CfnResource::add_metadata`].
    pub fn metadata(&self, key: &str) -> Option<Value> {
        self.with_data(|d| d.metadata.get(key).cloned())
    }

    /// Pins the logical id (for refactors that move a construct without replacing it).
    pub fn override_logical_id(&self, logical_id: impl Into<String>) {
        self.scope.pin_logical_id(logical_id.into());
    }
}
