//! An existing CloudFormation template inside a stack, as written: its parameters,
//! conditions, mappings, rules, resources and outputs keep their logical ids, and `Ref`
//! and `Fn::GetAtt` between them become references the tree knows, so new constructs can
//! use the template's resources and rules (the posture) can follow them.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk::include::Template;
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "legacy", StackProps::default());
//! let template = Template::from_value(&stack, "Legacy", serde_json::json!({
//!     "Resources": {
//!         "LogsBucket": {"Type": "AWS::S3::Bucket"},
//!         "Policy": {"Type": "AWS::S3::BucketPolicy",
//!                    "Properties": {"Bucket": {"Ref": "LogsBucket"}, "PolicyDocument": {}}}
//!     }
//! })).expect("a template");
//! let bucket = template.resource("LogsBucket").expect("in the template");
//! assert_eq!(bucket.resource_type(), "AWS::S3::Bucket");
//! let out = app.synthesize().expect("synthesizes");
//! let t = &out.stacks[0].template;
//! assert_eq!(t["Resources"]["Policy"]["Properties"]["Bucket"], serde_json::json!({"Ref": "LogsBucket"}));
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as J;

use crate::expr::fns::CondExpr;
use crate::expr::{Expr, Intrinsic, Pseudo, Value};
use crate::tree::{
    AsWritten, CfnCondition, CfnMapping, CfnOutput, CfnParameter, CfnResource, DeletionPolicy,
    NodeKind, OutputProps, ParameterProps, Scope,
};

/// What is wrong with a template, named by its section and element.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IncludeError {
    /// The file cannot be read or parsed.
    #[error("{path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// An element of the template is malformed.
    #[error("{section}.{name}: {message}")]
    Invalid {
        /// `Parameters`, `Resources`, …
        section: &'static str,
        /// The element's logical id (or the attribute's path below the section).
        name: String,
        /// What is wrong and what CloudFormation expects.
        message: String,
    },
    /// A lookup named an element the template does not have.
    #[error("the included template has no {kind} '{name}'; it has: {known}")]
    Missing {
        /// `resource`, `parameter`, …
        kind: &'static str,
        /// The name asked for.
        name: String,
        /// The names it has.
        known: String,
    },
}

/// A template included in a stack.
#[derive(Debug, Clone)]
pub struct Template {
    scope: Scope,
    parameters: BTreeMap<String, CfnParameter<String>>,
    conditions: BTreeMap<String, CfnCondition>,
    mappings: BTreeMap<String, CfnMapping>,
    resources: BTreeMap<String, CfnResource>,
    outputs: BTreeMap<String, CfnOutput>,
}

impl std::ops::Deref for Template {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

fn invalid(section: &'static str, name: &str, message: impl Into<String>) -> IncludeError {
    IncludeError::Invalid {
        section,
        name: name.to_owned(),
        message: message.into(),
    }
}

fn object<'a>(
    section: &'static str,
    name: &str,
    value: &'a J,
) -> Result<&'a serde_json::Map<String, J>, IncludeError> {
    value
        .as_object()
        .ok_or_else(|| invalid(section, name, "must be an object"))
}

impl Template {
    /// Reads a template file (JSON, or YAML with CloudFormation's short forms).
    pub fn from_file(scope: &Scope, id: &str, path: &Path) -> Result<Template, IncludeError> {
        let read = |message: String| IncludeError::Read {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| read(e.to_string()))?;
        let template = crate::diff::parse_template(&text).map_err(|e| read(e.to_string()))?;
        Template::from_value(scope, id, template)
    }

    /// Includes `template` below `scope` (inside a stack) as the construct `id`.
    pub fn from_value(scope: &Scope, id: &str, template: J) -> Result<Template, IncludeError> {
        let sections = object("template", "", &template)
            .map_err(|_| invalid("template", "", "a template is a JSON object"))?;
        for key in sections.keys() {
            if !matches!(
                key.as_str(),
                "AWSTemplateFormatVersion"
                    | "Description"
                    | "Metadata"
                    | "Transform"
                    | "Parameters"
                    | "Rules"
                    | "Mappings"
                    | "Conditions"
                    | "Resources"
                    | "Outputs"
                    | "Globals"
            ) {
                return Err(invalid(
                    "template",
                    key,
                    "is not a template section (AWSTemplateFormatVersion, Description, Metadata, Transform, Parameters, Rules, Mappings, Conditions, Resources, Outputs, and Globals with the SAM transform)",
                ));
            }
        }
        let Some(stack) = scope.stack() else {
            return Err(invalid(
                "template",
                id,
                "a template is included inside a stack",
            ));
        };
        let root = scope.add_child(id, NodeKind::Scope);
        // Conditions, mappings and outputs have names of their own, which may be a
        // resource's too: each section its own scope (ids no logical id can take).
        let conditions_scope = root.add_child("#Conditions", NodeKind::Scope);
        let mappings_scope = root.add_child("#Mappings", NodeKind::Scope);
        let outputs_scope = root.add_child("#Outputs", NodeKind::Scope);
        let mut t = Template {
            scope: root.clone(),
            parameters: BTreeMap::new(),
            conditions: BTreeMap::new(),
            mappings: BTreeMap::new(),
            resources: BTreeMap::new(),
            outputs: BTreeMap::new(),
        };
        let section = |name: &'static str| -> Result<Vec<(String, J)>, IncludeError> {
            match sections.get(name) {
                None => Ok(Vec::new()),
                Some(v) => Ok(object(name, "", v)
                    .map_err(|_| invalid(name, "", "the section must be an object"))?
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()),
            }
        };
        for (name, value) in section("Parameters")? {
            let p = parameter(&root, &name, &value)?;
            p.pin_logical_id(name.clone());
            t.parameters.insert(name, p);
        }
        // Every resource exists before any properties are read, so references in either
        // direction resolve.
        // `Fn::ForEach::Name` entries are expanded by the AWS::LanguageExtensions
        // transform at deploy: kept as written.
        let mut resources = Vec::new();
        for (name, value) in section("Resources")? {
            if name.starts_with("Fn::ForEach::") {
                stack.add_raw_entry("Resources", &name, value);
            } else {
                resources.push((name, value));
            }
        }
        for (name, value) in &resources {
            let r = object("Resources", name, value)?;
            let type_name = match r.get("Type") {
                Some(J::String(t)) => t,
                Some(other) => {
                    return Err(invalid(
                        "Resources",
                        &format!("{name}.Type"),
                        format!(
                            "must be a resource type name (AWS::Service::Resource); {other} is another tool's syntax, which CloudFormation does not read"
                        ),
                    ));
                }
                None => return Err(invalid("Resources", name, "needs a Type")),
            };
            let resource = CfnResource::raw(&root, name, type_name, Value::Null);
            resource.override_logical_id(name.clone());
            resource.keep_as_written(AsWritten {
                depends_on_as_string: r.get("DependsOn").is_some_and(J::is_string),
            });
            t.resources.insert(name.clone(), resource);
        }
        for (name, value) in section("Mappings")? {
            let entries = mapping(&name, &value, &t)?;
            let m = CfnMapping::new(&mappings_scope, &name, entries);
            m.pin_logical_id(name.clone());
            t.mappings.insert(name, m);
        }
        for (name, value) in section("Conditions")? {
            if name.starts_with("Fn::ForEach::") {
                stack.add_raw_entry("Conditions", &name, value);
                continue;
            }
            let c = CfnCondition::new(
                &conditions_scope,
                &name,
                CondExpr::from_value(t.convert(&value)),
            );
            c.pin_logical_id(name.clone());
            t.conditions.insert(name, c);
        }
        for (name, value) in &resources {
            t.fill_resource(name, value)?;
        }
        for (name, value) in section("Outputs")? {
            if name.starts_with("Fn::ForEach::") {
                stack.add_raw_entry("Outputs", &name, value);
                continue;
            }
            let o = t.add_output(&outputs_scope, &name, &value)?;
            o.pin_logical_id(name.clone());
            t.outputs.insert(name, o);
        }
        for (name, value) in section("Rules")? {
            stack.add_rule(&name, value);
        }
        match sections.get("Transform") {
            None => {}
            Some(J::String(one)) => stack.add_transform(one),
            Some(J::Array(many)) if many.iter().all(J::is_string) => {
                for m in many.iter().filter_map(J::as_str) {
                    stack.add_transform(m);
                }
                stack.write_transform_as_list();
            }
            Some(_) => {
                return Err(invalid(
                    "Transform",
                    "",
                    "must be a macro name or a list of them",
                ));
            }
        }
        if let Some(globals) = sections.get("Globals") {
            stack.set_sam_globals(globals.clone());
        }
        if let Some(metadata) = sections.get("Metadata") {
            for (key, value) in object("Metadata", "", metadata)? {
                stack.add_metadata(key, value.clone());
            }
        }
        if let Some(d) = sections.get("Description") {
            let d = d
                .as_str()
                .ok_or_else(|| invalid("Description", "", "must be a string"))?;
            stack.set_description_if_absent(d);
        }
        Ok(t)
    }

    /// The resource `logical_id` of the template.
    pub fn resource(&self, logical_id: &str) -> Result<CfnResource, IncludeError> {
        lookup("resource", &self.resources, logical_id)
    }

    /// The parameter `logical_id`.
    pub fn parameter(&self, logical_id: &str) -> Result<CfnParameter<String>, IncludeError> {
        lookup("parameter", &self.parameters, logical_id)
    }

    /// The condition `logical_id`.
    pub fn condition(&self, logical_id: &str) -> Result<CfnCondition, IncludeError> {
        lookup("condition", &self.conditions, logical_id)
    }

    /// The mapping `logical_id`.
    pub fn mapping(&self, logical_id: &str) -> Result<CfnMapping, IncludeError> {
        lookup("mapping", &self.mappings, logical_id)
    }

    /// The output `logical_id`.
    pub fn output(&self, logical_id: &str) -> Result<CfnOutput, IncludeError> {
        lookup("output", &self.outputs, logical_id)
    }

    /// Every resource, by logical id.
    pub fn resources(&self) -> impl Iterator<Item = (&str, &CfnResource)> {
        self.resources.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// A template value as a tree value: `Ref` and `Fn::GetAtt` of the template's own
    /// elements and pseudo parameters become references; everything else is kept as
    /// written, its nested values converted alike.
    fn convert(&self, value: &J) -> Value {
        match value {
            J::Object(m) if m.len() == 1 => {
                let (key, inner) = m.iter().next().map_or(("", &J::Null), |(k, v)| (k, v));
                if let Some(reference) = self.reference(key, inner) {
                    return reference;
                }
                Value::Map(
                    m.iter()
                        .map(|(k, v)| (k.clone(), self.convert(v)))
                        .collect(),
                )
            }
            J::Object(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), self.convert(v)))
                    .collect(),
            ),
            J::Array(items) => Value::List(items.iter().map(|v| self.convert(v)).collect()),
            other => Value::from(other.clone()),
        }
    }

    fn reference(&self, key: &str, inner: &J) -> Option<Value> {
        match (key, inner) {
            ("Ref", J::String(name)) => {
                if let Some(p) = Pseudo::from_name(name) {
                    return Some(Value::intrinsic(Intrinsic::Pseudo(p)));
                }
                let target = match (self.resources.get(name), self.parameters.get(name)) {
                    (Some(r), _) => r.element(),
                    (None, Some(p)) => p.element(),
                    (None, None) => return None,
                };
                Some(Value::intrinsic(Intrinsic::Ref(target)))
            }
            ("Fn::GetAtt", J::Array(parts)) => match parts.as_slice() {
                [J::String(name), J::String(attribute)] => {
                    let target = self.resources.get(name)?.element();
                    Some(Value::intrinsic(Intrinsic::GetAtt {
                        target,
                        attribute: attribute.clone(),
                        is_list: false,
                    }))
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn fill_resource(&self, name: &str, value: &J) -> Result<(), IncludeError> {
        let r = object("Resources", name, value)?;
        let resource = &self.resources[name];
        for (key, attribute) in r {
            let at = |message: &str| invalid("Resources", &format!("{name}.{key}"), message);
            match key.as_str() {
                "Type" => {}
                "Properties" => {
                    if !attribute.is_object() {
                        return Err(at("must be an object"));
                    }
                    let props = self.convert(attribute);
                    resource.update_props(|p: &mut Value| *p = props);
                }
                "DependsOn" => {
                    let names: Vec<&str> = match attribute {
                        J::String(one) => vec![one.as_str()],
                        J::Array(many) => many.iter().filter_map(J::as_str).collect(),
                        _ => return Err(at("must be a logical id or a list of them")),
                    };
                    for dep in names {
                        let other = self.resources.get(dep).ok_or_else(|| {
                            at(&format!("'{dep}' is not a resource of the template"))
                        })?;
                        resource.add_depends_on(other);
                    }
                }
                "Condition" => {
                    let c = attribute
                        .as_str()
                        .and_then(|c| self.conditions.get(c))
                        .ok_or_else(|| at("must name a condition of the template"))?;
                    resource.set_condition(c);
                }
                "DeletionPolicy" | "UpdateReplacePolicy" => {
                    let policy = match attribute.as_str() {
                        Some("Delete") => DeletionPolicy::Delete,
                        Some("Retain") => DeletionPolicy::Retain,
                        Some("RetainExceptOnCreate") => DeletionPolicy::RetainExceptOnCreate,
                        Some("Snapshot") => DeletionPolicy::Snapshot,
                        _ => {
                            return Err(at(
                                "must be Delete, Retain, RetainExceptOnCreate or Snapshot",
                            ));
                        }
                    };
                    if key == "DeletionPolicy" {
                        resource.set_deletion_policy(policy);
                    } else {
                        resource.set_update_replace_policy(policy);
                    }
                }
                "CreationPolicy" => resource.set_creation_policy(self.convert(attribute)),
                "UpdatePolicy" => resource.set_update_policy(self.convert(attribute)),
                "Metadata" => {
                    let m = attribute
                        .as_object()
                        .ok_or_else(|| at("must be an object"))?;
                    for (k, v) in m {
                        resource.add_metadata(k.clone(), self.convert(v));
                    }
                }
                // A macro's own attribute, or one CloudFormation added after rcdk was built:
                // kept as written.
                _ => resource.set_other_attribute(key, self.convert(attribute)),
            }
        }
        Ok(())
    }

    fn add_output(&self, scope: &Scope, name: &str, value: &J) -> Result<CfnOutput, IncludeError> {
        let o = object("Outputs", name, value)?;
        let Some(v) = o.get("Value") else {
            return Err(invalid("Outputs", name, "needs a Value"));
        };
        let mut props = OutputProps::new(Expr::<String>::unchecked(self.convert(v)));
        for (key, attribute) in o {
            let at = |message: &str| invalid("Outputs", &format!("{name}.{key}"), message);
            match key.as_str() {
                "Value" | "Condition" => {}
                "Description" => {
                    props.description = Some(
                        attribute
                            .as_str()
                            .ok_or_else(|| at("must be a string"))?
                            .into(),
                    );
                }
                "Export" => {
                    let export_name = attribute.get("Name").ok_or_else(|| at("needs a Name"))?;
                    props.export_name = Some(Expr::unchecked(self.convert(export_name)));
                }
                _ => {
                    return Err(at(
                        "is not an output attribute (Value, Description, Export, Condition)",
                    ));
                }
            }
        }
        let output = CfnOutput::new(scope, name, props);
        if let Some(c) = o.get("Condition") {
            let c = c
                .as_str()
                .and_then(|c| self.conditions.get(c))
                .ok_or_else(|| {
                    invalid(
                        "Outputs",
                        &format!("{name}.Condition"),
                        "must name a condition of the template",
                    )
                })?;
            output.set_condition(c);
        }
        Ok(output)
    }
}

fn lookup<T: Clone>(
    kind: &'static str,
    map: &BTreeMap<String, T>,
    name: &str,
) -> Result<T, IncludeError> {
    map.get(name).cloned().ok_or_else(|| IncludeError::Missing {
        kind,
        name: name.to_owned(),
        known: if map.is_empty() {
            "none".to_owned()
        } else {
            map.keys().cloned().collect::<Vec<_>>().join(", ")
        },
    })
}

/// A parameter as a template writes it, every attribute checked as CloudFormation does
/// and written back as given (numbers in `AllowedValues`, `NoEcho: "true"`): what `rcdk
/// migrate` writes for a parameter `ParameterProps` would spell differently.
pub fn parameter(
    scope: &Scope,
    name: &str,
    value: &J,
) -> Result<CfnParameter<String>, IncludeError> {
    let p = object("Parameters", name, value)?;
    let Some(type_name) = p.get("Type").and_then(J::as_str) else {
        return Err(invalid("Parameters", name, "needs a Type"));
    };
    let mut props = ParameterProps::default();
    for (key, attribute) in p {
        let at = |message: &str| invalid("Parameters", &format!("{name}.{key}"), message);
        let text = || scalar_text(attribute).ok_or_else(|| at("must be a string"));
        let number = || -> Result<f64, IncludeError> {
            match attribute {
                J::Number(n) => n.as_f64().ok_or_else(|| at("must be a number")),
                J::String(s) => s.trim().parse().map_err(|_| at("must be a number")),
                _ => Err(at("must be a number")),
            }
        };
        let whole = || -> Result<u32, IncludeError> {
            let n = number()?;
            if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) {
                Ok(n as u32)
            } else {
                Err(at("must be a whole number"))
            }
        };
        match key.as_str() {
            "Type" => {}
            "Description" => props.description = Some(text()?),
            "Default" => props.default = Some(Value::from(attribute.clone())),
            "AllowedValues" => {
                props.allowed_values = attribute
                    .as_array()
                    .ok_or_else(|| at("must be a list"))?
                    .iter()
                    .map(|v| scalar_text(v).ok_or_else(|| at("must list strings or numbers")))
                    .collect::<Result<_, _>>()?;
            }
            "AllowedPattern" => props.allowed_pattern = Some(text()?),
            "ConstraintDescription" => props.constraint_description = Some(text()?),
            "MinLength" => props.min_length = Some(whole()?),
            "MaxLength" => props.max_length = Some(whole()?),
            "MinValue" => props.min_value = Some(number()?),
            "MaxValue" => props.max_value = Some(number()?),
            "NoEcho" => {
                props.no_echo = match attribute {
                    J::Bool(b) => *b,
                    J::String(s) if s.eq_ignore_ascii_case("true") => true,
                    J::String(s) if s.eq_ignore_ascii_case("false") => false,
                    _ => return Err(at("must be true or false")),
                }
            }
            _ => {
                return Err(at(
                    "is not a parameter attribute (Type, Default, AllowedValues, AllowedPattern, NoEcho, MinLength, MaxLength, MinValue, MaxValue, ConstraintDescription, Description)",
                ));
            }
        }
    }
    Ok(CfnParameter::as_written(
        scope,
        name,
        type_name,
        props,
        value.clone(),
    ))
}

/// A string, or a number or boolean written where a string is meant.
fn scalar_text(value: &J) -> Option<String> {
    match value {
        J::String(s) => Some(s.clone()),
        J::Number(n) => Some(n.to_string()),
        J::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn mapping(
    name: &str,
    value: &J,
    t: &Template,
) -> Result<BTreeMap<String, BTreeMap<String, Value>>, IncludeError> {
    let top = object("Mappings", name, value)?;
    let mut out = BTreeMap::new();
    for (key, second) in top {
        let second = object("Mappings", &format!("{name}.{key}"), second)?;
        out.insert(
            key.clone(),
            second
                .iter()
                .map(|(k, v)| (k.clone(), t.convert(v)))
                .collect(),
        );
    }
    Ok(out)
}
