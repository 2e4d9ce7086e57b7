//! One stack's template, section by section, in CloudFormation's documented order.

use std::collections::BTreeMap;

use serde_json::{Map, Value as J, json};

use super::render::{Context, Export, Renderer};
use crate::error::Problem;
use crate::expr::Value;
use crate::registry::{TagFormat, type_info};
use crate::tree::{EffectiveTag, NodeKind, ResourceData, effective_tags};

pub(crate) struct StackTemplate {
    pub description: Option<String>,
    pub metadata: BTreeMap<String, J>,
    pub transforms: Vec<String>,
    /// An included template wrote its one transform as a list.
    pub transform_as_list: bool,
    /// A migrated template had no `AWSTemplateFormatVersion`.
    pub omit_format_version: bool,
    pub parameters: BTreeMap<String, J>,
    pub rules: BTreeMap<String, J>,
    pub globals: Option<J>,
    pub mappings: BTreeMap<String, J>,
    pub conditions: BTreeMap<String, J>,
    pub resources: BTreeMap<String, J>,
    pub outputs: BTreeMap<String, J>,
}

impl StackTemplate {
    pub fn add_exports(&mut self, exports: BTreeMap<String, Export>, problems: &mut Vec<Problem>) {
        for (id, export) in exports {
            if self.outputs.contains_key(&id) {
                problems.push(Problem::new(
                    "",
                    format!("output '{id}' is reserved for a value another stack uses; rename your output"),
                    None,
                ));
                continue;
            }
            let output = match export.name {
                Some(name) => json!({"Value": export.value, "Export": {"Name": name}}),
                None => json!({"Value": export.value}),
            };
            self.outputs.insert(id, output);
        }
    }

    /// Records what `rcdk deploy` carries to other regions after this stack deploys.
    pub fn add_cross_region_values(
        &mut self,
        values: std::collections::BTreeSet<super::render::CrossRegionValue>,
    ) {
        let list: Vec<J> = values
            .into_iter()
            .map(|v| {
                json!({"Output": v.output, "Region": v.region, "Parameter": v.parameter, "List": v.list})
            })
            .collect();
        self.metadata
            .insert(super::cross_region::PARAMETERS_KEY.into(), J::Array(list));
    }

    /// Records the values of other accounts' stacks `rcdk deploy` reads and writes to SSM
    /// before this stack deploys.
    pub fn add_cross_account_values(
        &mut self,
        values: std::collections::BTreeSet<super::render::CrossAccountValue>,
    ) {
        let list: Vec<J> = values
            .into_iter()
            .map(|v| {
                json!({"Parameter": v.parameter, "Stack": v.producer, "Account": v.account, "Region": v.region, "Output": v.output, "List": v.list})
            })
            .collect();
        self.metadata.insert(
            super::cross_region::ACCOUNT_VALUES_KEY.into(),
            J::Array(list),
        );
    }

    /// Parameters that read values other regions' stacks publish.
    pub fn add_parameters(&mut self, parameters: BTreeMap<String, J>, problems: &mut Vec<Problem>) {
        for (id, parameter) in parameters {
            if self.parameters.contains_key(&id) {
                problems.push(Problem::new(
                    "",
                    format!("parameter '{id}' is reserved for a value from another region; rename your parameter"),
                    None,
                ));
                continue;
            }
            self.parameters.insert(id, parameter);
        }
    }

    /// The template as JSON; consumes the sections instead of copying them.
    pub fn into_json(self) -> J {
        let mut t = Map::new();
        if !self.omit_format_version {
            t.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        }
        if let Some(d) = &self.description {
            t.insert("Description".into(), json!(d));
        }
        if !self.metadata.is_empty() {
            t.insert("Metadata".into(), json!(self.metadata));
        }
        match self.transforms.as_slice() {
            [] => {}
            [one] if !self.transform_as_list => {
                t.insert("Transform".into(), json!(one));
            }
            many => {
                t.insert("Transform".into(), json!(many));
            }
        }
        if let Some(globals) = self.globals {
            t.insert("Globals".into(), globals);
        }
        for (name, section) in [
            ("Parameters", self.parameters),
            ("Rules", self.rules),
            ("Mappings", self.mappings),
            ("Conditions", self.conditions),
            ("Resources", self.resources),
            ("Outputs", self.outputs),
        ] {
            if !section.is_empty() || name == "Resources" {
                t.insert(name.into(), J::Object(section.into_iter().collect()));
            }
        }
        J::Object(t)
    }
}

pub(crate) fn render_stack(ctx: &mut Context<'_>, stack: u32) -> StackTemplate {
    let tree = ctx.tree;
    let NodeKind::Stack(data) = &tree.node(stack).kind else {
        unreachable!("render_stack takes a stack")
    };
    let mut t = StackTemplate {
        description: data.description.clone(),
        metadata: data.metadata.clone(),
        transforms: data.transforms.clone(),
        transform_as_list: data.transform_as_list,
        omit_format_version: data.omit_format_version,
        parameters: BTreeMap::new(),
        rules: data.rules.clone(),
        globals: data.globals.clone(),
        mappings: BTreeMap::new(),
        conditions: BTreeMap::new(),
        resources: BTreeMap::new(),
        outputs: BTreeMap::new(),
    };
    for (section, key, value) in &data.raw_entries {
        let target = match section.as_str() {
            "Conditions" => &mut t.conditions,
            "Outputs" => &mut t.outputs,
            _ => &mut t.resources,
        };
        target.insert(key.clone(), value.clone());
    }
    for index in super::subtree(tree, stack) {
        let Some((_, id)) = ctx.ids[index as usize].clone() else {
            continue;
        };
        let node = tree.node(index);
        let mut r = Renderer::new(ctx, stack, node.path.clone());
        match &node.kind {
            NodeKind::Resource(res) => {
                let rendered = resource(&mut r, index, res, data.as_written);
                t.resources.insert(id, rendered);
            }
            NodeKind::Parameter(p) => {
                let mut m = Map::new();
                m.insert("Type".into(), json!(p.type_name));
                let props = &p.props;
                if let Some(d) = &props.default {
                    let allowed = &props.allowed_values;
                    if !allowed.is_empty() && !scalar_text(d).is_some_and(|v| allowed.contains(&v))
                    {
                        r.ctx.problems.push(Problem::new(
                            node.path.clone(),
                            format!("default {d:?} of the parameter is not one of its allowed values {allowed:?}"),
                            Some("make the default one of the allowed values (as a string)".into()),
                        ));
                    }
                    m.insert("Default".into(), r.render(d));
                }
                if let Some(d) = &props.description {
                    m.insert("Description".into(), json!(d));
                }
                if !props.allowed_values.is_empty() {
                    m.insert("AllowedValues".into(), json!(props.allowed_values));
                }
                if let Some(v) = &props.allowed_pattern {
                    m.insert("AllowedPattern".into(), json!(v));
                }
                if let Some(v) = &props.constraint_description {
                    m.insert("ConstraintDescription".into(), json!(v));
                }
                for (key, v) in [
                    ("MinLength", props.min_length),
                    ("MaxLength", props.max_length),
                ] {
                    if let Some(v) = v {
                        m.insert(key.into(), json!(v));
                    }
                }
                for (key, v) in [("MinValue", props.min_value), ("MaxValue", props.max_value)] {
                    if let Some(v) = v {
                        m.insert(key.into(), whole_or_fraction(v));
                    }
                }
                if props.no_echo {
                    m.insert("NoEcho".into(), json!(true));
                }
                // An included template's parameter keeps its own spelling (numbers in
                // AllowedValues, whole MinValue); the checks above still ran on it.
                let rendered = p.as_written.clone().unwrap_or(J::Object(m));
                t.parameters.insert(id, rendered);
            }
            NodeKind::Output(o) => {
                let mut m = Map::new();
                if let Some(d) = &o.props.description {
                    m.insert("Description".into(), json!(d));
                }
                m.insert("Value".into(), r.render(o.props.value.as_value()));
                if let Some(name) = &o.props.export_name {
                    m.insert("Export".into(), json!({"Name": r.render(name.as_value())}));
                }
                if let Some(c) = o.condition
                    && let Some(name) = local_condition(&mut r, c)
                {
                    m.insert("Condition".into(), json!(name));
                }
                t.outputs.insert(id, J::Object(m));
            }
            NodeKind::Condition(c) => {
                let rendered = r.render(c.expression.as_value());
                t.conditions.insert(id, rendered);
            }
            NodeKind::Mapping(mp) => {
                let rendered = r.render(&Value::from(mp.entries.clone()));
                t.mappings.insert(id, rendered);
            }
            NodeKind::App | NodeKind::Scope | NodeKind::Stack(_) => {}
        }
    }
    let has_resources = !t.resources.is_empty()
        || super::subtree(tree, stack)
            .iter()
            .any(|&i| matches!(tree.node(i).kind, NodeKind::Resource(_)));
    if !has_resources {
        ctx.problems.push(Problem::new(
            tree.node(stack).path.clone(),
            "stack has no resources; CloudFormation requires at least one",
            Some("add a resource to the stack or remove the stack".into()),
        ));
    }
    t
}

/// A number as a person writes it: `5`, not `5.0`, when it is whole.
fn whole_or_fraction(v: f64) -> J {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

fn local_condition(r: &mut Renderer<'_, '_>, condition: u32) -> Option<String> {
    let c = crate::expr::ElementRef {
        tree: r.ctx.tree.id,
        node: condition,
    };
    match r.render(&Value::intrinsic(crate::expr::Intrinsic::Condition(c))) {
        J::Object(mut o) => match o.remove("Condition") {
            Some(J::String(name)) => Some(name),
            _ => None,
        },
        _ => None,
    }
}

/// `stack_as_written`: the stack writes every resource as its migrated template had it.
fn resource(r: &mut Renderer<'_, '_>, index: u32, res: &ResourceData, stack_as_written: bool) -> J {
    let tree = r.ctx.tree;
    let mut props = res.properties();
    let as_written = stack_as_written || res.as_written.is_some();
    apply_tags(tree, index, &res.type_name, &mut props, as_written);
    let mut m = Map::new();
    m.insert("Type".into(), json!(res.type_name));
    let rendered = r.render(&props);
    if rendered.as_object().is_some_and(|o| !o.is_empty()) {
        m.insert("Properties".into(), rendered);
    } else if !rendered.is_object() && !rendered.is_null() {
        r.ctx.problems.push(Problem::new(
            tree.node(index).path.clone(),
            "resource properties must be an object",
            None,
        ));
    }
    let mut depends_on: Vec<String> = Vec::new();
    for &dep in &res.depends_on {
        let path = tree.node(dep).path.clone();
        match r.ctx.ids.get(dep as usize).cloned().flatten() {
            Some((stack, id))
                if matches!(tree.node(dep).kind, NodeKind::Resource(_))
                    && !tree.is_removed(dep) =>
            {
                if stack == r.stack {
                    depends_on.push(id);
                } else {
                    r.ctx.dependencies.insert((r.stack, stack));
                }
            }
            _ => r.ctx.problems.push(Problem::new(
                tree.node(index).path.clone(),
                format!("DependsOn '{path}' is not a resource in any stack"),
                None,
            )),
        }
    }
    depends_on.sort();
    depends_on.dedup();
    match (depends_on.as_slice(), &res.as_written) {
        ([], _) => {}
        ([one], Some(w)) if w.depends_on_as_string => {
            m.insert("DependsOn".into(), json!(one));
        }
        _ => {
            m.insert("DependsOn".into(), json!(depends_on));
        }
    }
    if let Some(c) = res.condition
        && let Some(name) = local_condition(r, c)
    {
        m.insert("Condition".into(), json!(name));
    }
    if let Some(p) = res.update_policy.as_ref() {
        m.insert("UpdatePolicy".into(), r.render(p));
    }
    if let Some(p) = res.creation_policy.as_ref() {
        m.insert("CreationPolicy".into(), r.render(p));
    }
    if let Some(p) = res.update_replace_policy {
        m.insert("UpdateReplacePolicy".into(), json!(p.as_str()));
    }
    if let Some(p) = res.deletion_policy {
        m.insert("DeletionPolicy".into(), json!(p.as_str()));
    }
    for (name, value) in &res.other_attributes {
        m.insert(name.clone(), r.render(value));
    }
    let mut metadata = Map::new();
    // A resource kept as written gets no path of rcdk's (it keeps the one it had).
    if !as_written {
        metadata.insert("aws:cdk:path".into(), json!(tree.node(index).path));
    }
    for (k, v) in &res.metadata {
        metadata.insert(k.clone(), r.render(v));
    }
    if !metadata.is_empty() {
        m.insert("Metadata".into(), J::Object(metadata));
    }
    J::Object(m)
}

/// Merges the tags that reach this resource into its tag property, sorted by key.
pub(crate) fn apply_tags(
    tree: &crate::tree::Tree,
    index: u32,
    type_name: &str,
    props: &mut Value,
    as_written: bool,
) {
    let Some(tagging) = type_info(type_name).and_then(|i| i.tagging.as_ref()) else {
        return;
    };
    let path = [tagging.property.to_owned()];
    let existing = props.get_path(&[tagging.property]).cloned();
    let mut initial: BTreeMap<String, EffectiveTag> = BTreeMap::new();
    let mut opaque: Vec<Value> = Vec::new();
    match existing {
        Some(Value::List(items)) => {
            for item in items {
                let key = item
                    .get_path(&["Key"])
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let value = item
                    .get_path(&["Value"])
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let propagate = !matches!(
                    item.get_path(&["PropagateAtLaunch"]),
                    Some(Value::Bool(false))
                );
                match (key, value) {
                    (Some(k), Some(v)) => {
                        initial.insert(
                            k,
                            EffectiveTag {
                                value: v,
                                propagate_at_launch: propagate,
                            },
                        );
                    }
                    // A tag built from intrinsics cannot be merged by key; keep it as written.
                    _ => opaque.push(item),
                }
            }
        }
        Some(Value::Map(m)) => {
            for (k, v) in m {
                match v {
                    Value::String(s) => {
                        initial.insert(
                            k,
                            EffectiveTag {
                                value: s,
                                propagate_at_launch: true,
                            },
                        );
                    }
                    other => opaque.push(Value::object([(k, other)])),
                }
            }
        }
        _ => {}
    }
    let before = initial.clone();
    let tags = effective_tags(tree, index, type_name, initial);
    // A resource kept as written keeps its tags as written, unless tags reach it.
    if as_written && tags == before {
        return;
    }
    if tags.is_empty() && opaque.is_empty() {
        props.remove_path(&path);
        return;
    }
    let value = match tagging.format {
        TagFormat::Map => {
            let mut m: BTreeMap<String, Value> = tags
                .into_iter()
                .map(|(k, t)| (k, Value::String(t.value)))
                .collect();
            for o in opaque {
                if let Value::Map(entry) = o {
                    m.extend(entry);
                }
            }
            Value::Map(m)
        }
        TagFormat::List | TagFormat::ListWithPropagateAtLaunch => {
            let mut list: Vec<Value> = tags
                .into_iter()
                .map(|(k, t)| {
                    let mut m = BTreeMap::from([
                        ("Key".to_owned(), Value::String(k)),
                        ("Value".to_owned(), Value::String(t.value)),
                    ]);
                    if tagging.format == TagFormat::ListWithPropagateAtLaunch {
                        m.insert(
                            "PropagateAtLaunch".into(),
                            Value::Bool(t.propagate_at_launch),
                        );
                    }
                    Value::Map(m)
                })
                .collect();
            list.extend(opaque);
            Value::List(list)
        }
    };
    props.set_path(&path, value);
}

/// A parameter value as CloudFormation reads it: text, or a number or boolean written
/// where text is meant (`Default: 14` with `AllowedValues: [7, 14]`).
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
