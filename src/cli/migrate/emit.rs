//! One template → the Rust module of one stack: typed L1 resources, typed parameters,
//! conditions, mappings and outputs, references as handles (`bucket.ref_()`,
//! `bucket.attr_arn()`) and intrinsics as `fns::…`. What the typed API cannot say exactly
//! is kept as written through the escape hatches, and listed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde_json::{Map, Value as J};

use super::rust::{self, Idents};
use super::shapes::{Shapes, Ty, TypeShape};

/// A typed expression's CloudFormation type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum W {
    Str,
    Int,
    Float,
    Bool,
    ListStr,
    ListInt,
    ListFloat,
}

impl W {
    fn rust(self) -> &'static str {
        match self {
            W::Str => "String",
            W::Int => "i64",
            W::Float => "f64",
            W::Bool => "bool",
            W::ListStr => "Vec<String>",
            W::ListInt => "Vec<i64>",
            W::ListFloat => "Vec<f64>",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            W::Str => "a string",
            W::Int => "an integer",
            W::Float => "a number",
            W::Bool => "a boolean",
            W::ListStr => "a list of strings",
            W::ListInt => "a list of integers",
            W::ListFloat => "a list of numbers",
        }
    }

    fn of(ty: &Ty) -> Option<W> {
        match ty {
            Ty::Str => Some(W::Str),
            Ty::Int => Some(W::Int),
            Ty::Float => Some(W::Float),
            Ty::Bool => Some(W::Bool),
            Ty::List(inner) => match **inner {
                Ty::Str => Some(W::ListStr),
                Ty::Int => Some(W::ListInt),
                Ty::Float => Some(W::ListFloat),
                _ => None,
            },
            _ => None,
        }
    }

    fn item(self) -> Option<W> {
        match self {
            W::ListStr => Some(W::Str),
            W::ListInt => Some(W::Int),
            W::ListFloat => Some(W::Float),
            _ => None,
        }
    }

    fn list_of(self) -> Option<W> {
        match self {
            W::Str => Some(W::ListStr),
            W::Int => Some(W::ListInt),
            W::Float => Some(W::ListFloat),
            _ => None,
        }
    }
}

/// Code of a typed value: a literal that converts with `.into()` (`"a"`, `5`,
/// `vec!["a"]`), or an `Expr<T>` expression.
#[derive(Debug, Clone)]
struct Code {
    text: String,
    literal: bool,
}

impl Code {
    fn lit(text: String) -> Code {
        Code {
            text,
            literal: true,
        }
    }

    fn expr(text: String) -> Code {
        Code {
            text,
            literal: false,
        }
    }

    /// As a struct field of type `Expr<T>`.
    fn field(self) -> String {
        if self.literal && self.text.starts_with('-') {
            format!("({}).into()", self.text)
        } else if self.literal {
            format!("{}.into()", self.text)
        } else {
            self.text
        }
    }

    /// As an `Expr<T>` where no type guides `.into()` (array items, map values).
    fn expr_of(self, w: W) -> String {
        if self.literal {
            format!("Expr::<{}>::from({})", w.rust(), self.text)
        } else {
            self.text
        }
    }
}

/// A template value's natural type, as an intrinsic yields it.
enum Natural {
    /// Exactly this type.
    Is(W),
    /// Whatever the place wants (`Fn::If`, `Fn::FindInMap`, `AWS::NoValue`).
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParamKind {
    Str,
    Float,
    Int,
    List,
    /// Written from its definition (`include::parameter`): a `CfnParameter<String>`.
    AsWritten,
}

struct Param {
    var: String,
    cfn_type: String,
    kind: ParamKind,
}

struct Resource {
    var: String,
    type_name: String,
    shape: Option<TypeShape>,
}

/// What the generator made of one template.
pub struct Generated {
    /// The module's source.
    pub code: String,
    /// `rcdk-l1` features the code uses.
    pub services: BTreeSet<String>,
    /// `Resources.X.Properties.Y: why` for every value kept as written.
    pub kept_as_written: Vec<String>,
    pub resources: usize,
}

/// The module of the stack `stack_name` built from `template`.
pub fn stack_module(shapes: &Shapes, stack_name: &str, template: &J) -> Result<Generated, String> {
    let Some(sections) = template.as_object() else {
        return Err("a template is a JSON object".into());
    };
    if !sections
        .get("Resources")
        .is_some_and(|r| r.as_object().is_some_and(|m| !m.is_empty()))
    {
        return Err("the template has no Resources (CloudFormation requires at least one)".into());
    }
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
            return Err(format!("'{key}' is not a template section"));
        }
    }
    // Pass one learns which handles are used and how each parameter is read; pass two
    // writes the code with that knowledge.
    let mut first = Emitter::new(shapes, stack_name, sections, BTreeMap::new(), None)?;
    first.body()?;
    let kinds = first.parameter_kinds();
    let used = first.used.clone();
    let mut second = Emitter::new(shapes, stack_name, sections, kinds, Some(used))?;
    let body = second.body()?;
    let mut code = String::new();
    let _ = writeln!(
        code,
        "//! The stack `{stack_name}`, migrated by `rcdk migrate`: it synthesizes the template it was\n//! migrated from. Edit it like any rcdk code.\n"
    );
    let mut imports = vec!["App", "Stack", "StackProps"];
    for (name, needle) in [
        ("CfnCondition", "CfnCondition::"),
        ("CfnMapping", "CfnMapping::"),
        ("CfnOutput", "CfnOutput::"),
        ("CfnParameter", "CfnParameter::"),
        ("CfnResource", "CfnResource::"),
        ("DeletionPolicy", "DeletionPolicy::"),
        ("Expr", "Expr::"),
        ("Json", "Json>"),
        ("OutputProps", "OutputProps {"),
        ("ParameterProps", "ParameterProps"),
        ("Value", "Value::"),
        ("fns", "fns::"),
    ] {
        if mentions(&body, needle) {
            imports.push(name);
        }
    }
    imports.sort_by_key(|s| s.to_lowercase());
    let _ = writeln!(code, "use rcdk::{{{}}};", imports.join(", "));
    if mentions(&body, "CfnTag::") {
        code.push_str("use rcdk_l1::CfnTag;\n");
    }
    let services: Vec<&String> = second.services.iter().collect();
    match services.as_slice() {
        [] => {}
        [one] => {
            let _ = writeln!(code, "use rcdk_l1::{one};");
        }
        many => {
            let names: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
            let _ = writeln!(code, "use rcdk_l1::{{{}}};", names.join(", "));
        }
    }
    if body.contains("json!(") {
        code.push_str("use serde_json::json;\n");
    }
    if body.contains("BTreeMap::") {
        code.push_str("use std::collections::BTreeMap;\n");
    }
    code.push('\n');
    let _ = writeln!(
        code,
        "/// Adds the stack `{stack_name}` to `app`.\npub fn build(app: &App) -> Result<(), Box<dyn std::error::Error>> {{"
    );
    code.push_str(&body);
    code.push_str("    Ok(())\n}\n");
    Ok(Generated {
        code,
        services: second.services,
        kept_as_written: second.kept,
        resources: second.resources.len(),
    })
}

struct Emitter<'a> {
    sections: &'a Map<String, J>,
    params: BTreeMap<String, Param>,
    conditions: BTreeMap<String, String>,
    mappings: BTreeMap<String, String>,
    resources: BTreeMap<String, Resource>,
    /// Resources whose `let` is written so far (a reference to a later one, possible only
    /// in a cycle through metadata, is kept as written).
    defined: BTreeSet<String>,
    defined_conditions: BTreeSet<String>,
    /// Variables some code reads (pass one's answer decides which get a `let`).
    used: BTreeSet<String>,
    known_used: Option<BTreeSet<String>>,
    /// How each parameter is read: parameter → the types the places want.
    param_uses: BTreeMap<String, BTreeSet<W>>,
    kept: Vec<String>,
    services: BTreeSet<String>,
    stack_name_var: String,
    stack_name: String,
    /// Construct ids of mappings, conditions and outputs (`Mapping`, `Condition`, `Output`
    /// appended where a resource or parameter has the logical id: in the construct tree
    /// a stack's children share one namespace).
    element_ids: BTreeMap<(&'static str, String), String>,
}

fn section<'a>(sections: &'a Map<String, J>, name: &str) -> Vec<(&'a String, &'a J)> {
    sections
        .get(name)
        .and_then(J::as_object)
        .map(|m| m.iter().collect())
        .unwrap_or_default()
}

/// `{"Ref": …}`, `{"Fn::…": …}` or `{"Condition": "name"}`.
fn intrinsic(v: &J) -> Option<(&str, &J)> {
    let o = v.as_object()?;
    if o.len() != 1 {
        return None;
    }
    let (k, arg) = o.iter().next()?;
    (k == "Ref" || k.starts_with("Fn::") || (k == "Condition" && arg.is_string()))
        .then_some((k.as_str(), arg))
}

fn has_intrinsic(v: &J) -> bool {
    if intrinsic(v).is_some() {
        return true;
    }
    match v {
        J::Object(o) => o.values().any(has_intrinsic),
        J::Array(a) => a.iter().any(has_intrinsic),
        _ => false,
    }
}

fn kind_of(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "a list",
        J::Object(_) => "an object",
    }
}

/// Logical ids a value refers to (`Ref`, `Fn::GetAtt`, `${…}` of `Fn::Sub`).
fn references(v: &J, out: &mut BTreeSet<String>) {
    match v {
        J::Object(o) => {
            if o.len() == 1 {
                if let Some(J::String(id)) = o.get("Ref") {
                    out.insert(id.clone());
                }
                match o.get("Fn::GetAtt") {
                    Some(J::Array(a)) => {
                        if let Some(J::String(id)) = a.first() {
                            out.insert(id.clone());
                        }
                    }
                    Some(J::String(s)) => {
                        out.insert(s.split('.').next().unwrap_or_default().to_owned());
                    }
                    _ => {}
                }
                let sub = match o.get("Fn::Sub") {
                    Some(J::String(s)) => Some(s.as_str()),
                    Some(J::Array(a)) => a.first().and_then(J::as_str),
                    _ => None,
                };
                for name in sub.map(sub_names).unwrap_or_default() {
                    out.insert(name.split('.').next().unwrap_or_default().to_owned());
                }
            }
            for child in o.values() {
                references(child, out);
            }
        }
        J::Array(a) => a.iter().for_each(|c| references(c, out)),
        _ => {}
    }
}

/// The `${Name}` placeholders of a `Fn::Sub` string (not `${!Literal}`).
fn sub_names(s: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        if after.starts_with('!') {
            rest = &after[1..];
            continue;
        }
        let Some(end) = after.find('}') else { break };
        names.push(after[..end].to_owned());
        rest = &after[end + 1..];
    }
    names
}

/// Names in dependency order (each after what it refers to), else in template order.
fn ordered(items: &[(String, BTreeSet<String>)]) -> Vec<String> {
    let names: BTreeSet<&String> = items.iter().map(|(n, _)| n).collect();
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    while out.len() < items.len() {
        let next = items.iter().find(|(n, deps)| {
            !done.contains(n)
                && deps
                    .iter()
                    .all(|d| d == n || done.contains(d) || !names.contains(d))
        });
        let (name, _) = match next {
            Some(item) => item,
            // A cycle (through metadata): the first left, in template order.
            None => match items.iter().find(|(n, _)| !done.contains(n)) {
                Some(item) => item,
                None => break,
            },
        };
        done.insert(name.clone());
        out.push(name.clone());
    }
    out
}

impl<'a> Emitter<'a> {
    fn new(
        shapes: &'a Shapes,
        stack_name: &str,
        sections: &'a Map<String, J>,
        kinds: BTreeMap<String, ParamKind>,
        known_used: Option<BTreeSet<String>>,
    ) -> Result<Emitter<'a>, String> {
        let mut idents = Idents::default();
        let mut e = Emitter {
            sections,
            params: BTreeMap::new(),
            conditions: BTreeMap::new(),
            mappings: BTreeMap::new(),
            resources: BTreeMap::new(),
            defined: BTreeSet::new(),
            defined_conditions: BTreeSet::new(),
            used: BTreeSet::new(),
            known_used,
            param_uses: BTreeMap::new(),
            kept: Vec::new(),
            services: BTreeSet::new(),
            stack_name_var: "stack".into(),
            stack_name: stack_name.to_owned(),
            element_ids: BTreeMap::new(),
        };
        let mut types = BTreeSet::new();
        for (id, r) in section(sections, "Resources") {
            if let Some(t) = r.get("Type").and_then(J::as_str) {
                if let Some(shape) = shapes.get(t) {
                    types.insert(shape.service.clone());
                }
            }
            let _ = id;
        }
        for service in &types {
            idents.reserve(service);
        }
        for (id, p) in section(sections, "Parameters") {
            let cfn_type = p
                .get("Type")
                .and_then(J::as_str)
                .ok_or_else(|| format!("Parameters.{id}: needs a Type"))?
                .to_owned();
            let kind = kinds.get(id.as_str()).copied().unwrap_or(ParamKind::Str);
            e.params.insert(
                id.clone(),
                Param {
                    var: idents.take(id, "parameter"),
                    cfn_type,
                    kind,
                },
            );
        }
        for (id, _) in section(sections, "Mappings") {
            e.mappings.insert(id.clone(), idents.take(id, "mapping"));
        }
        for (id, _) in section(sections, "Conditions") {
            e.conditions
                .insert(id.clone(), idents.take(id, "condition"));
        }
        for (id, r) in section(sections, "Resources") {
            if id.starts_with("Fn::ForEach::") {
                continue;
            }
            let type_name = match r.get("Type") {
                Some(J::String(t)) => t.clone(),
                Some(other) => {
                    return Err(format!(
                        "Resources.{id}.Type: {other} is not a resource type name"
                    ));
                }
                None => return Err(format!("Resources.{id}: needs a Type")),
            };
            let shape = shapes.get(&type_name);
            e.resources.insert(
                id.clone(),
                Resource {
                    var: idents.take(id, "resource"),
                    type_name,
                    shape,
                },
            );
        }
        let mut taken: BTreeSet<String> =
            e.params.keys().chain(e.resources.keys()).cloned().collect();
        for (kind, name) in [
            ("Mapping", "Mappings"),
            ("Condition", "Conditions"),
            ("Output", "Outputs"),
        ] {
            for (id, _) in section(sections, name) {
                let mut cid = id.clone();
                let mut n = 1;
                while taken.contains(&cid) {
                    cid = if n == 1 {
                        format!("{id}{kind}")
                    } else {
                        format!("{id}{kind}{n}")
                    };
                    n += 1;
                }
                taken.insert(cid.clone());
                e.element_ids.insert((kind, id.clone()), cid);
            }
        }
        Ok(e)
    }

    /// The construct id of a mapping, condition or output.
    fn element_id(&self, kind: &'static str, id: &str) -> String {
        self.element_ids
            .get(&(kind, id.to_owned()))
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }

    /// Each parameter's Rust type: a `Number` read only as integers is an `i64`.
    fn parameter_kinds(&self) -> BTreeMap<String, ParamKind> {
        let mut kinds = BTreeMap::new();
        for (id, p) in &self.params {
            let uses = self.param_uses.get(id).cloned().unwrap_or_default();
            let t = p.cfn_type.as_str();
            let kind = if !self.parameter_props_exact(id) {
                ParamKind::AsWritten
            } else if t == "Number" {
                if !uses.is_empty() && uses.iter().all(|w| *w == W::Int) {
                    ParamKind::Int
                } else {
                    ParamKind::Float
                }
            } else if t == "CommaDelimitedList"
                || t.starts_with("List<")
                || t.ends_with("<CommaDelimitedList>")
                || t.contains("<List<")
            {
                ParamKind::List
            } else {
                ParamKind::Str
            };
            kinds.insert(id.clone(), kind);
        }
        kinds
    }

    /// Whether `ParameterProps` writes the parameter back exactly.
    fn parameter_props_exact(&self, id: &str) -> bool {
        let Some(def) = self
            .sections
            .get("Parameters")
            .and_then(|p| p.get(id))
            .and_then(J::as_object)
        else {
            return false;
        };
        def.iter().all(|(k, v)| match k.as_str() {
            "Type" | "Description" | "AllowedPattern" | "ConstraintDescription" => v.is_string(),
            "Default" => !has_intrinsic(v),
            "AllowedValues" => v.as_array().is_some_and(|a| a.iter().all(J::is_string)),
            "MinLength" | "MaxLength" => v.as_u64().is_some_and(|n| n <= u64::from(u32::MAX)),
            "MinValue" | "MaxValue" => v.is_number(),
            "NoEcho" => v.as_bool() == Some(true),
            _ => false,
        })
    }

    fn keep(&mut self, at: &str, why: impl Into<String>) {
        self.kept.push(format!("{at}: {}", why.into()));
    }

    fn use_var(&mut self, var: &str) -> String {
        self.used.insert(var.to_owned());
        var.to_owned()
    }

    /// Whether a variable is read anywhere (from pass one; pass one binds every one).
    fn is_used(&self, var: &str) -> bool {
        self.known_used.as_ref().is_none_or(|u| u.contains(var))
    }

    fn body(&mut self) -> Result<String, String> {
        let mut out = String::new();
        let s = self.sections;
        let stack = self.stack_name_var.clone();
        // The stack itself.
        let description = s.get("Description");
        let props = match description {
            Some(J::String(d)) => format!(
                "StackProps {{\n        description: Some({}.into()),\n        ..Default::default()\n    }}",
                rust::string(d)
            ),
            Some(other) => return Err(format!("Description: must be a string, not {other}")),
            None => "StackProps::default()".into(),
        };
        let _ = writeln!(
            out,
            "    let {stack} = Stack::new(app, {}, {props});",
            rust::string(&self.stack_id())
        );
        let _ = writeln!(
            out,
            "    // Written as the template it came from: no rcdk metadata, tags as written."
        );
        let _ = writeln!(out, "    {stack}.keep_as_written();");
        if s.get("AWSTemplateFormatVersion").is_none() {
            let _ = writeln!(out, "    {stack}.omit_format_version();");
        }
        match s.get("Transform") {
            None => {}
            Some(J::String(one)) => {
                let _ = writeln!(out, "    {stack}.add_transform({});", rust::string(one));
            }
            Some(J::Array(many)) if many.iter().all(J::is_string) => {
                for m in many.iter().filter_map(J::as_str) {
                    let _ = writeln!(out, "    {stack}.add_transform({});", rust::string(m));
                }
                let _ = writeln!(out, "    {stack}.write_transform_as_list();");
            }
            Some(_) => return Err("Transform: must be a macro name or a list of them".into()),
        }
        if let Some(metadata) = s.get("Metadata") {
            let m = metadata.as_object().ok_or("Metadata: must be an object")?;
            for (k, v) in m {
                let _ = writeln!(
                    out,
                    "    {stack}.add_metadata({}, {});",
                    rust::string(k),
                    rust::json_macro(v)
                );
            }
        }
        if let Some(globals) = s.get("Globals") {
            let _ = writeln!(
                out,
                "    {stack}.set_sam_globals({});",
                rust::json_macro(globals)
            );
        }
        for (id, rule) in section(s, "Rules") {
            let _ = writeln!(
                out,
                "    {stack}.add_rule({}, {});",
                rust::string(id),
                rust::json_macro(rule)
            );
        }
        self.parameters(&mut out);
        for (id, value) in section(s, "Mappings") {
            let var = self.mappings[id.as_str()].clone();
            let cid = self.element_id("Mapping", id);
            let bind = self.bind(&var, &cid, id);
            let _ = writeln!(
                out,
                "    {bind}CfnMapping::from_json(&{stack}, {}, {});",
                rust::string(&cid),
                rust::json_macro(value)
            );
            self.pin(&mut out, &var, &cid, id);
        }
        self.conditions(&mut out);
        self.resources(&mut out)?;
        self.outputs(&mut out)?;
        Ok(out)
    }

    /// The stack's construct id: its name.
    fn stack_id(&self) -> String {
        self.stack_name.clone()
    }

    /// `let var = ` when the variable is read or the element's logical id is pinned,
    /// else nothing (the value is a statement).
    fn bind(&self, var: &str, construct_id: &str, logical_id: &str) -> String {
        if self.is_used(var) || pinned(construct_id, logical_id) {
            format!("let {var} = ")
        } else {
            String::new()
        }
    }

    /// Pins a logical id that the construct id would not give (`myBucket`; an id shared by
    /// a condition and a resource).
    fn pin(&mut self, out: &mut String, var: &str, construct_id: &str, logical_id: &str) {
        if pinned(construct_id, logical_id) {
            let _ = writeln!(
                out,
                "    {var}.override_logical_id({});",
                rust::string(logical_id)
            );
        }
    }

    fn parameters(&mut self, out: &mut String) {
        let stack = self.stack_name_var.clone();
        let defs = section(self.sections, "Parameters");
        for (id, def) in defs {
            let p = &self.params[id.as_str()];
            let var = p.var.clone();
            let bind = self.bind(&var, id, id);
            let id_lit = rust::string(id);
            if p.kind == ParamKind::AsWritten {
                let _ = writeln!(
                    out,
                    "    // Kept as written: typed props would spell an attribute differently.\n    {bind}rcdk::include::parameter(&{stack}, {id_lit}, &{})?;",
                    rust::json_macro(def)
                );
                self.pin(out, &var, id, id);
                self.keep(
                    &format!("Parameters.{id}"),
                    "kept as written (an attribute ParameterProps spells differently)",
                );
                continue;
            }
            let (ctor, type_arg) = match (p.kind, p.cfn_type.as_str()) {
                (ParamKind::Str, "String") => ("string", None),
                (ParamKind::Str, t) => ("of_type", Some(t.to_owned())),
                (ParamKind::Float, _) => ("number", None),
                (ParamKind::Int, _) => ("integer", None),
                (ParamKind::List, "CommaDelimitedList") => ("comma_delimited_list", None),
                (ParamKind::List, t) => ("list_of_type", Some(t.to_owned())),
                (ParamKind::AsWritten, _) => ("string", None),
            };
            let mut fields = Vec::new();
            let obj = def.as_object().cloned().unwrap_or_default();
            if let Some(J::String(d)) = obj.get("Description") {
                fields.push(format!("description: Some({}.into())", rust::string(d)));
            }
            if let Some(d) = obj.get("Default") {
                let v = match d {
                    J::String(s) => format!("Some({}.into())", rust::string(s)),
                    J::Number(_) | J::Bool(_) => format!("Some({d}.into())"),
                    other => format!("Some(Value::from({}))", rust::json_macro(other)),
                };
                fields.push(format!("default: {v}"));
            }
            if let Some(J::Array(values)) = obj.get("AllowedValues") {
                let items: Vec<String> = values
                    .iter()
                    .filter_map(J::as_str)
                    .map(|v| format!("{}.into()", rust::string(v)))
                    .collect();
                fields.push(format!("allowed_values: vec![{}]", items.join(", ")));
            }
            for (key, field) in [
                ("AllowedPattern", "allowed_pattern"),
                ("ConstraintDescription", "constraint_description"),
            ] {
                if let Some(J::String(v)) = obj.get(key) {
                    fields.push(format!("{field}: Some({}.into())", rust::string(v)));
                }
            }
            for (key, field) in [("MinLength", "min_length"), ("MaxLength", "max_length")] {
                if let Some(v) = obj.get(key).and_then(J::as_u64) {
                    fields.push(format!("{field}: Some({v})"));
                }
            }
            for (key, field) in [("MinValue", "min_value"), ("MaxValue", "max_value")] {
                if let Some(v) = obj.get(key).and_then(rust::float) {
                    fields.push(format!("{field}: Some({v})"));
                }
            }
            if obj.get("NoEcho") == Some(&J::Bool(true)) {
                fields.push("no_echo: true".into());
            }
            let props = if fields.is_empty() {
                "ParameterProps::default()".to_owned()
            } else {
                format!(
                    "ParameterProps {{\n            {},\n            ..Default::default()\n        }}",
                    fields.join(",\n            ")
                )
            };
            let type_arg = type_arg
                .map(|t| format!("{}, ", rust::string(&t)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {bind}CfnParameter::{ctor}(&{stack}, {id_lit}, {type_arg}{props});"
            );
            self.pin(out, &var, id, id);
        }
    }

    fn conditions(&mut self, out: &mut String) {
        let stack = self.stack_name_var.clone();
        let defs: Vec<(String, J)> = section(self.sections, "Conditions")
            .into_iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let deps: Vec<(String, BTreeSet<String>)> = defs
            .iter()
            .map(|(k, v)| {
                let mut names = BTreeSet::new();
                condition_names(v, &mut names);
                (k.clone(), names)
            })
            .collect();
        for id in ordered(&deps) {
            if id.starts_with("Fn::ForEach::") {
                continue;
            }
            let Some((_, def)) = defs.iter().find(|(k, _)| *k == id) else {
                continue;
            };
            let expression = self.condition(def, &format!("Conditions.{id}"));
            let var = self.conditions[&id].clone();
            let cid = self.element_id("Condition", &id);
            let bind = self.bind(&var, &cid, &id);
            let _ = writeln!(
                out,
                "    {bind}CfnCondition::new(&{stack}, {}, {expression});",
                rust::string(&cid)
            );
            self.pin(out, &var, &cid, &id);
            self.defined_conditions.insert(id);
        }
    }

    /// A condition expression (`CondExpr`).
    fn condition(&mut self, v: &J, at: &str) -> String {
        let typed = match intrinsic(v) {
            Some(("Fn::Equals", J::Array(args))) if args.len() == 2 => {
                let a = self.equals_arg(&args[0], at);
                let b = self.equals_arg(&args[1], at);
                a.zip(b).map(|(a, b)| format!("fns::equals({a}, {b})"))
            }
            Some((op @ ("Fn::And" | "Fn::Or"), J::Array(items))) => {
                let parts: Vec<String> = items.iter().map(|c| self.condition(c, at)).collect();
                let f = if op == "Fn::And" { "and" } else { "or" };
                Some(format!("fns::{f}([{}])", parts.join(", ")))
            }
            Some(("Fn::Not", J::Array(items))) if items.len() == 1 => {
                Some(format!("fns::not({})", self.condition(&items[0], at)))
            }
            Some(("Condition", J::String(name))) if self.defined_conditions.contains(name) => {
                let var = self.use_var(&self.conditions[name].clone());
                Some(format!("fns::condition(&{var})"))
            }
            _ => None,
        };
        typed.unwrap_or_else(|| format!("fns::CondExpr::from_value({})", self.value(v)))
    }

    /// An argument of `fns::equals` (an `Expr<String>`), if the typed form is exact.
    fn equals_arg(&mut self, v: &J, at: &str) -> Option<String> {
        match v {
            J::String(s) => Some(rust::string(s)),
            _ if intrinsic(v).is_some() => Some(self.expr(v, W::Str, at, false).expr_of(W::Str)),
            _ => None,
        }
    }

    fn resources(&mut self, out: &mut String) -> Result<(), String> {
        let stack = self.stack_name_var.clone();
        let all = section(self.sections, "Resources");
        let mut deps = Vec::new();
        for (id, r) in &all {
            if id.starts_with("Fn::ForEach::") {
                let _ = writeln!(
                    out,
                    "    // Expanded by the AWS::LanguageExtensions transform at deploy.\n    {stack}.add_raw_entry(\"Resources\", {}, {});",
                    rust::string(id),
                    rust::json_macro(r)
                );
                continue;
            }
            let mut names = BTreeSet::new();
            references(r, &mut names);
            match r.get("DependsOn") {
                Some(J::String(one)) => {
                    names.insert(one.clone());
                }
                Some(J::Array(many)) => {
                    names.extend(many.iter().filter_map(J::as_str).map(str::to_owned));
                }
                _ => {}
            }
            deps.push(((*id).clone(), names));
        }
        for id in ordered(&deps) {
            let def = self.sections["Resources"][&id].clone();
            self.resource(out, &id, &def)?;
            self.defined.insert(id);
        }
        Ok(())
    }

    fn resource(&mut self, out: &mut String, id: &str, def: &J) -> Result<(), String> {
        let stack = self.stack_name_var.clone();
        let obj = def
            .as_object()
            .ok_or_else(|| format!("Resources.{id}: must be an object"))?;
        let (var, type_name, shape) = {
            let r = &self.resources[id];
            (r.var.clone(), r.type_name.clone(), r.shape.clone())
        };
        let at = format!("Resources.{id}.Properties");
        let props = obj.get("Properties");
        let mut after: Vec<String> = Vec::new();
        let id_lit = rust::string(id);
        let created = match (&shape, props) {
            (Some(shape), None) if shape.fields(&shape.props()).iter().all(|f| !f.required) => {
                self.services.insert(shape.service.clone());
                Some(format!(
                    "{}::{}::new(&{stack}, {id_lit}, Default::default())",
                    shape.service, shape.name
                ))
            }
            (Some(shape), Some(J::Object(p))) => {
                match self.typed_props(shape, p, &at, &var, &mut after) {
                    Some(props) => {
                        self.services.insert(shape.service.clone());
                        Some(format!(
                            "{}::{}::new(\n        &{stack},\n        {id_lit},\n        {props},\n    )",
                            shape.service, shape.name
                        ))
                    }
                    None => None,
                }
            }
            _ => None,
        };
        let created = match created {
            Some(c) => c,
            None => {
                after.clear();
                if shape.is_some() {
                    // typed_props said why (kept).
                } else if !type_name.starts_with("Custom::")
                    && type_name != "AWS::CloudFormation::CustomResource"
                    && !type_name.starts_with("AWS::Serverless::")
                {
                    self.keep(
                        &format!("Resources.{id}"),
                        format!("{type_name} is not a type of the resource registry rcdk was built with; kept as written"),
                    );
                }
                let props = match props {
                    Some(p) => self.value(p),
                    None => "Value::Null".to_owned(),
                };
                format!(
                    "CfnResource::raw(&{stack}, {id_lit}, {}, {props})",
                    rust::string(&type_name)
                )
            }
        };
        // Attributes of the resource.
        for (key, attr) in obj {
            let at = format!("Resources.{id}.{key}");
            match key.as_str() {
                "Type" | "Properties" => {}
                "DependsOn" => {
                    let names: Vec<&str> = match attr {
                        J::String(one) => vec![one.as_str()],
                        J::Array(many) => many.iter().filter_map(J::as_str).collect(),
                        _ => return Err(format!("{at}: must be a logical id or a list of them")),
                    };
                    for dep in names {
                        let target =
                            self.resources
                                .get(dep)
                                .map(|r| r.var.clone())
                                .ok_or_else(|| {
                                    format!("{at}: '{dep}' is not a resource of the template")
                                })?;
                        let target = self.use_var(&target);
                        after.push(format!("{var}.add_depends_on(&{target});"));
                    }
                    if attr.is_string() {
                        after.push(format!("{var}.write_depends_on_as_string();"));
                    }
                }
                "Condition" => {
                    let c = attr
                        .as_str()
                        .and_then(|c| self.conditions.get(c))
                        .cloned()
                        .ok_or_else(|| format!("{at}: must name a condition of the template"))?;
                    let c = self.use_var(&c);
                    after.push(format!("{var}.set_condition(&{c});"));
                }
                "DeletionPolicy" | "UpdateReplacePolicy" => {
                    let setter = if key == "DeletionPolicy" {
                        "set_deletion_policy"
                    } else {
                        "set_update_replace_policy"
                    };
                    match attr.as_str() {
                        Some(p @ ("Delete" | "Retain" | "RetainExceptOnCreate" | "Snapshot")) => {
                            after.push(format!("{var}.{setter}(DeletionPolicy::{p});"))
                        }
                        _ => {
                            let v = self.value(attr);
                            after.push(format!("{var}.set_other_attribute({key:?}, {v});"));
                        }
                    }
                }
                "CreationPolicy" | "UpdatePolicy" => {
                    let setter = if key == "CreationPolicy" {
                        "set_creation_policy"
                    } else {
                        "set_update_policy"
                    };
                    let v = self.value(attr);
                    after.push(format!("{var}.{setter}({v});"));
                }
                "Metadata" => {
                    let m = attr
                        .as_object()
                        .ok_or_else(|| format!("{at}: must be an object"))?;
                    for (k, v) in m {
                        let v = self.value(v);
                        after.push(format!("{var}.add_metadata({}, {v});", rust::string(k)));
                    }
                }
                _ => {
                    let v = self.value(attr);
                    after.push(format!(
                        "{var}.set_other_attribute({}, {v});",
                        rust::string(key)
                    ));
                }
            }
        }
        if pinned(id, id) {
            after.push(format!("{var}.override_logical_id({id_lit});"));
        }
        if !after.is_empty() {
            self.used.insert(var.clone());
        }
        let bind = if after.is_empty() {
            self.bind(&var, id, id)
        } else {
            format!("let {var} = ")
        };
        let _ = writeln!(out, "    {bind}{created};");
        for line in after {
            let _ = writeln!(out, "    {line}");
        }
        Ok(())
    }

    /// The props struct of a typed resource, or `None` (said why) when the resource must be
    /// written untyped. Properties that cannot be typed go to `overrides` as
    /// `add_property_override` lines.
    fn typed_props(
        &mut self,
        shape: &TypeShape,
        props: &Map<String, J>,
        at: &str,
        var: &str,
        overrides: &mut Vec<String>,
    ) -> Option<String> {
        let name = shape.props();
        let fields = shape.fields(&name).to_vec();
        let mut required = Vec::new();
        let mut optional = Vec::new();
        for f in &fields {
            let value = props.get(&f.cfn);
            let here = format!("{at}.{}", f.cfn);
            let code = match value {
                Some(v) => match if f.required {
                    self.argument(shape, &f.ty, v, &here)
                } else {
                    self.field_value(shape, &f.ty, v, &here)
                } {
                    Ok(code) => Some(code),
                    Err(why) => {
                        self.keep(&here, why);
                        let v = self.value(v);
                        overrides.push(format!(
                            "{var}.add_property_override({}, {v});",
                            rust::string(&f.cfn)
                        ));
                        None
                    }
                },
                None => None,
            };
            match (code, f.required) {
                (Some(code), true) => required.push(code),
                (Some(code), false) => {
                    let code = if f.boxed {
                        format!("Box::new({code})")
                    } else {
                        code
                    };
                    optional.push(format!("{}: Some({code})", f.rust));
                }
                (None, false) => {}
                (None, true) => {
                    if value.is_none() {
                        self.keep(
                            at.trim_end_matches(".Properties"),
                            format!(
                                "the schema requires {}, which the template does not set; kept as written",
                                f.cfn
                            ),
                        );
                        return None;
                    }
                    // Overridden: any value of the type stands in.
                    match placeholder(shape, &f.ty) {
                        Some(p) => required.push(p),
                        None => {
                            self.keep(
                                at.trim_end_matches(".Properties"),
                                format!(
                                    "{} cannot be typed; the resource is kept as written",
                                    f.cfn
                                ),
                            );
                            return None;
                        }
                    }
                }
            }
        }
        for (key, v) in props {
            if !fields.iter().any(|f| f.cfn == *key) {
                self.keep(
                    &format!("{at}.{key}"),
                    format!(
                        "not a property of {} in the schema; kept as written",
                        shape.name
                    ),
                );
                let v = self.value(v);
                overrides.push(format!(
                    "{var}.add_property_override({}, {v});",
                    rust::string(key)
                ));
            }
        }
        let path = format!("{}::{name}", shape.service);
        Some(struct_literal(&path, &required, &optional, fields.len(), 2))
    }

    /// A field's value in its Rust type, or why it cannot be typed exactly.
    fn field_value(
        &mut self,
        shape: &TypeShape,
        ty: &Ty,
        v: &J,
        at: &str,
    ) -> Result<String, String> {
        if let Some(w) = W::of(ty) {
            return Ok(self.expr(v, w, at, true).field());
        }
        self.shaped_value(shape, ty, v, at)
    }

    /// A required field's value as `new` takes it (`impl Into<Expr<T>>`: no `.into()`).
    fn argument(&mut self, shape: &TypeShape, ty: &Ty, v: &J, at: &str) -> Result<String, String> {
        if let Some(w) = W::of(ty) {
            return Ok(self.expr(v, w, at, true).text);
        }
        self.shaped_value(shape, ty, v, at)
    }

    /// A value of a field whose type is not an `Expr`.
    fn shaped_value(
        &mut self,
        shape: &TypeShape,
        ty: &Ty,
        v: &J,
        at: &str,
    ) -> Result<String, String> {
        if intrinsic(v).is_some() && !matches!(ty, Ty::Json) {
            return Err("an intrinsic function where the schema wants a fixed shape".into());
        }
        match ty {
            Ty::Json => Ok(self.value(v)),
            Ty::List(inner) => {
                let items = v
                    .as_array()
                    .ok_or_else(|| format!("{} where the schema wants a list", kind_of(v)))?;
                let mut codes = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    codes.push(self.field_value(shape, inner, item, &format!("{at}.{i}"))?);
                }
                Ok(format!("vec![{}]", codes.join(", ")))
            }
            Ty::Map(inner) => {
                let m = v
                    .as_object()
                    .ok_or_else(|| format!("{} where the schema wants a map", kind_of(v)))?;
                if m.is_empty() {
                    return Ok("BTreeMap::new()".into());
                }
                let mut entries = Vec::new();
                for (k, item) in m {
                    let code = match W::of(inner) {
                        Some(w) => self.expr(item, w, &format!("{at}.{k}"), true).expr_of(w),
                        None => self.field_value(shape, inner, item, &format!("{at}.{k}"))?,
                    };
                    entries.push(format!("({}.to_owned(), {code})", rust::string(k)));
                }
                Ok(format!("BTreeMap::from([{}])", entries.join(", ")))
            }
            Ty::Tag => {
                let m = v
                    .as_object()
                    .filter(|m| m.len() == 2 && m.contains_key("Key") && m.contains_key("Value"))
                    .ok_or("a tag must have exactly Key and Value")?;
                let k = self.expr(&m["Key"], W::Str, at, true).text;
                let val = self.expr(&m["Value"], W::Str, at, true).text;
                Ok(format!("CfnTag::new({k}, {val})"))
            }
            Ty::Struct(name) => {
                let m = v
                    .as_object()
                    .ok_or_else(|| format!("{} where the schema wants an object", kind_of(v)))?;
                let fields = shape.fields(name).to_vec();
                let mut required = Vec::new();
                let mut optional = Vec::new();
                for key in m.keys() {
                    if !fields.iter().any(|f| f.cfn == *key) {
                        return Err(format!("{key} is not in the schema"));
                    }
                }
                for f in &fields {
                    match m.get(&f.cfn) {
                        Some(item) => {
                            let here = format!("{at}.{}", f.cfn);
                            if f.required {
                                required.push(self.argument(shape, &f.ty, item, &here)?);
                                continue;
                            }
                            let code = self.field_value(shape, &f.ty, item, &here)?;
                            if f.required {
                                required.push(code);
                            } else if f.boxed {
                                optional.push(format!("{}: Some(Box::new({code}))", f.rust));
                            } else {
                                optional.push(format!("{}: Some({code})", f.rust));
                            }
                        }
                        None if f.required => {
                            return Err(format!(
                                "the schema requires {} here, which the template does not set",
                                f.cfn
                            ));
                        }
                        None => {}
                    }
                }
                let path = format!("{}::{}::{name}", shape.service, shape.module);
                Ok(struct_literal(&path, &required, &optional, fields.len(), 3))
            }
            Ty::Doc(path) => Err(format!(
                "kept as written (the typed {} writes a canonical form)",
                path.rsplit("::").next().unwrap_or(path)
            )),
            Ty::Str | Ty::Int | Ty::Float | Ty::Bool => unreachable!("handled by W::of"),
        }
    }

    /// An `Expr` of type `want` (or a literal converting to one). `schema`: the place is a
    /// schema-typed property, so a mismatch is reported.
    fn expr(&mut self, v: &J, want: W, at: &str, schema: bool) -> Code {
        if let Some((key, arg)) = intrinsic(v) {
            return match self.intrinsic(key, arg, want, at) {
                Some((text, Natural::Any)) => Code::expr(text),
                Some((text, Natural::Is(w))) if w == want => Code::expr(text),
                Some((text, Natural::Is(w))) => {
                    if schema {
                        self.keep(
                            at,
                            format!(
                                "{} where the schema wants {}",
                                w.describe(),
                                want.describe()
                            ),
                        );
                    }
                    Code::expr(format!("Expr::unchecked(Value::from({text}))"))
                }
                None => Code::expr(format!("Expr::unchecked({})", self.value(v))),
            };
        }
        let literal = match (v, want) {
            (J::String(s), W::Str) => Some(rust::string(s)),
            (J::Number(_), W::Int) => rust::integer(v),
            (J::Number(n), W::Float) => {
                if n.is_f64() {
                    rust::float(v)
                } else {
                    rust::integer(v)
                }
            }
            (J::Bool(b), W::Bool) => Some(b.to_string()),
            (J::Array(items), W::ListStr | W::ListInt | W::ListFloat) => {
                return self.list(items, want, at, schema);
            }
            _ => None,
        };
        match literal {
            Some(text) => Code::lit(text),
            None => {
                if schema {
                    self.keep(
                        at,
                        format!("{} where the schema wants {}", kind_of(v), want.describe()),
                    );
                }
                Code::expr(format!("Expr::unchecked({})", self.value(v)))
            }
        }
    }

    fn list(&mut self, items: &[J], want: W, at: &str, schema: bool) -> Code {
        let Some(item) = want.item() else {
            return Code::expr(format!(
                "Expr::unchecked({})",
                self.value(&J::Array(items.to_vec()))
            ));
        };
        if items.is_empty() {
            return Code::lit(format!("Vec::<{}>::new()", item.rust()));
        }
        if want == W::ListFloat {
            let floats: Option<Vec<String>> = items.iter().map(rust::float).collect();
            if let Some(f) = floats.filter(|_| items.iter().all(|i| i.is_f64())) {
                return Code::lit(format!("vec![{}]", f.join(", ")));
            }
            if schema {
                self.keep(at, "a list the typed Vec<f64> would write differently");
            }
            return Code::expr(format!(
                "Expr::unchecked({})",
                self.value(&J::Array(items.to_vec()))
            ));
        }
        let codes: Vec<Code> = items
            .iter()
            .enumerate()
            .map(|(i, v)| self.expr(v, item, &format!("{at}.{i}"), schema))
            .collect();
        if codes.iter().all(|c| c.literal) {
            let texts: Vec<String> = codes.into_iter().map(|c| c.text).collect();
            return Code::lit(format!("vec![{}]", texts.join(", ")));
        }
        let texts: Vec<String> = codes.into_iter().map(|c| c.expr_of(item)).collect();
        Code::lit(format!("vec![{}]", texts.join(", ")))
    }

    /// A typed intrinsic: its code and natural type, or `None` when the typed functions
    /// would not write it back exactly (then it is kept as written).
    fn intrinsic(&mut self, key: &str, arg: &J, want: W, at: &str) -> Option<(String, Natural)> {
        match key {
            "Ref" => {
                let name = arg.as_str()?;
                if name == "AWS::NoValue" {
                    return Some((format!("fns::no_value::<{}>()", want.rust()), Natural::Any));
                }
                if self.params.contains_key(name) {
                    self.param_uses
                        .entry(name.to_owned())
                        .or_default()
                        .insert(want);
                }
                self.reference(name)
            }
            "Fn::GetAtt" => {
                let (id, attr) = match arg {
                    J::Array(a) if a.len() == 2 => (a[0].as_str()?, a[1].as_str()?.to_owned()),
                    J::String(s) => s.split_once('.').map(|(a, b)| (a, b.to_owned()))?,
                    _ => return None,
                };
                self.get_att(id, &attr, Some(want))
            }
            "Fn::Sub" => self.sub(arg, at),
            "Fn::Join" => {
                let a = arg.as_array().filter(|a| a.len() == 2)?;
                let delimiter = a[0].as_str()?;
                match &a[1] {
                    J::Array(items) => {
                        // rcdk folds adjacent literal parts; only a join it would not fold is typed.
                        let folds = items.len() < 2
                            || items
                                .windows(2)
                                .any(|w| w[0].is_string() && w[1].is_string());
                        if folds
                            || items
                                .iter()
                                .any(|i| !i.is_string() && intrinsic(i).is_none())
                        {
                            return None;
                        }
                        let parts: Vec<String> = items
                            .iter()
                            .map(|i| self.expr(i, W::Str, at, false).expr_of(W::Str))
                            .collect();
                        Some((
                            format!(
                                "fns::join({}, [{}])",
                                rust::string(delimiter),
                                parts.join(", ")
                            ),
                            Natural::Is(W::Str),
                        ))
                    }
                    list if intrinsic(list).is_some() => {
                        let l = self.expr(list, W::ListStr, at, false).text;
                        Some((
                            format!("fns::join_list({}, {l})", rust::string(delimiter)),
                            Natural::Is(W::Str),
                        ))
                    }
                    _ => None,
                }
            }
            "Fn::Select" => {
                let a = arg.as_array().filter(|a| a.len() == 2)?;
                let list_w = want.list_of()?;
                let index = match &a[0] {
                    J::Number(_) => rust::integer(&a[0])?,
                    J::String(s) if s.parse::<u32>().is_ok() => {
                        format!("Expr::unchecked(Value::from({}))", rust::string(s))
                    }
                    other if intrinsic(other).is_some() => self.expr(other, W::Int, at, false).text,
                    _ => return None,
                };
                let list = self.expr(&a[1], list_w, at, false);
                let list = if list.literal { list.text } else { list.text };
                Some((
                    format!("fns::select::<{}>({index}, {list})", want.rust()),
                    Natural::Is(want),
                ))
            }
            "Fn::If" => {
                let a = arg.as_array().filter(|a| a.len() == 3)?;
                let c = a[0].as_str()?;
                if !self.defined_conditions.contains(c) {
                    return None;
                }
                let c = self.use_var(&self.conditions[c].clone());
                let then = self.expr(&a[1], want, at, false).text;
                let otherwise = self.expr(&a[2], want, at, false).text;
                Some((
                    format!("fns::if_::<{}>(&{c}, {then}, {otherwise})", want.rust()),
                    Natural::Any,
                ))
            }
            "Fn::FindInMap" => {
                let a = arg.as_array().filter(|a| a.len() == 3)?;
                let m = self.mappings.get(a[0].as_str()?)?.clone();
                let m = self.use_var(&m);
                let k1 = self.expr(&a[1], W::Str, at, false).text;
                let k2 = self.expr(&a[2], W::Str, at, false).text;
                Some((
                    format!("fns::find_in_map::<{}>(&{m}, {k1}, {k2})", want.rust()),
                    Natural::Any,
                ))
            }
            "Fn::Base64" => {
                let v = self.expr(arg, W::Str, at, false).text;
                Some((format!("fns::base64({v})"), Natural::Is(W::Str)))
            }
            "Fn::ImportValue" => {
                let v = self.expr(arg, W::Str, at, false).text;
                Some((format!("fns::import_value({v})"), Natural::Is(W::Str)))
            }
            "Fn::GetAZs" => match arg {
                J::String(s) if s.is_empty() => {
                    Some(("fns::get_azs()".into(), Natural::Is(W::ListStr)))
                }
                _ => {
                    let r = self.expr(arg, W::Str, at, false).text;
                    Some((format!("fns::get_azs_in({r})"), Natural::Is(W::ListStr)))
                }
            },
            "Fn::Split" => {
                let a = arg.as_array().filter(|a| a.len() == 2)?;
                let d = a[0].as_str()?;
                let s = self.expr(&a[1], W::Str, at, false).text;
                Some((
                    format!("fns::split({}, {s})", rust::string(d)),
                    Natural::Is(W::ListStr),
                ))
            }
            "Fn::Cidr" => {
                let a = arg.as_array().filter(|a| a.len() == 3)?;
                if !a[1].is_number() && intrinsic(&a[1]).is_none()
                    || !a[2].is_number() && intrinsic(&a[2]).is_none()
                {
                    return None;
                }
                let ip = self.expr(&a[0], W::Str, at, false).text;
                let n = self.expr(&a[1], W::Int, at, false).text;
                let bits = self.expr(&a[2], W::Int, at, false).text;
                Some((
                    format!("fns::cidr({ip}, {n}, {bits})"),
                    Natural::Is(W::ListStr),
                ))
            }
            _ => None,
        }
    }

    fn reference(&mut self, name: &str) -> Option<(String, Natural)> {
        let pseudo = match name {
            "AWS::AccountId" => Some(("account_id", W::Str)),
            "AWS::Region" => Some(("region", W::Str)),
            "AWS::Partition" => Some(("partition", W::Str)),
            "AWS::StackName" => Some(("stack_name", W::Str)),
            "AWS::StackId" => Some(("stack_id", W::Str)),
            "AWS::URLSuffix" => Some(("url_suffix", W::Str)),
            "AWS::NotificationARNs" => Some(("notification_arns", W::ListStr)),
            _ => None,
        };
        if let Some((f, w)) = pseudo {
            return Some((format!("fns::{f}()"), Natural::Is(w)));
        }
        if name == "AWS::NoValue" {
            return Some(("fns::no_value::<String>()".into(), Natural::Any));
        }
        if let Some(p) = self.params.get(name) {
            let w = match p.kind {
                ParamKind::Str | ParamKind::AsWritten => W::Str,
                ParamKind::Float => W::Float,
                ParamKind::Int => W::Int,
                ParamKind::List => W::ListStr,
            };
            let var = p.var.clone();
            let var = self.use_var(&var);
            return Some((format!("{var}.value()"), Natural::Is(w)));
        }
        if self.defined.contains(name) {
            let var = self.resources[name].var.clone();
            let var = self.use_var(&var);
            return Some((format!("{var}.ref_()"), Natural::Is(W::Str)));
        }
        None
    }

    fn get_att(&mut self, id: &str, attr: &str, want: Option<W>) -> Option<(String, Natural)> {
        if !self.defined.contains(id) {
            return None;
        }
        let r = &self.resources[id];
        let var = r.var.clone();
        let method = r
            .shape
            .as_ref()
            .and_then(|s| s.attributes.get(attr))
            .and_then(|(m, ty)| W::of(ty).map(|w| (m.clone(), w)));
        let var = self.use_var(&var);
        match (method, want) {
            (Some((m, w)), Some(want)) if w == want => {
                Some((format!("{var}.{m}()"), Natural::Is(w)))
            }
            (Some((m, w)), None) => Some((format!("{var}.{m}()"), Natural::Is(w))),
            (_, Some(want)) => Some((
                format!("{var}.get_att::<{}>({})", want.rust(), rust::string(attr)),
                Natural::Is(want),
            )),
            (None, None) => Some((
                format!("{var}.get_att::<String>({})", rust::string(attr)),
                Natural::Is(W::Str),
            )),
        }
    }

    /// `Fn::Sub`: each `${Name}` of the template's own elements becomes a variable that
    /// rcdk writes back inline, so the text is exactly as written.
    fn sub(&mut self, arg: &J, at: &str) -> Option<(String, Natural)> {
        let (text, given) = match arg {
            J::String(s) => (s.as_str(), None),
            J::Array(a) if a.len() == 2 => (a[0].as_str()?, Some(a[1].as_object()?)),
            _ => return None,
        };
        let names = sub_names(text);
        if names.is_empty() {
            return None; // rcdk writes a Sub with nothing to substitute as plain text
        }
        let mut vars: Vec<(String, String)> = Vec::new();
        if let Some(given) = given {
            if given.is_empty() {
                return None;
            }
            for (k, v) in given {
                // rcdk writes a variable that is text or a reference inline.
                if v.is_string() || matches!(intrinsic(v), Some(("Ref" | "Fn::GetAtt", _))) {
                    return None;
                }
                let code = self.expr(v, W::Str, at, false).expr_of(W::Str);
                vars.push((k.clone(), code));
            }
        }
        for name in names {
            if name.starts_with("AWS::") || vars.iter().any(|(k, _)| *k == name) {
                continue;
            }
            let code = match name.split_once('.') {
                None => match {
                    if self.params.contains_key(&name) {
                        self.param_uses
                            .entry(name.clone())
                            .or_default()
                            .insert(W::Str);
                    }
                    self.reference(&name)?
                } {
                    (code, Natural::Is(W::Str)) => code,
                    _ => return None,
                },
                Some((id, attr)) => match self.get_att(id, attr, Some(W::Str))? {
                    (code, _) => code,
                },
            };
            vars.push((name, code));
        }
        let code = if vars.is_empty() {
            format!("fns::sub({})", rust::string(text))
        } else {
            let pairs: Vec<String> = vars
                .iter()
                .map(|(k, v)| format!("({}, {v})", rust::string(k)))
                .collect();
            format!(
                "fns::sub_with({}, [{}])",
                rust::string(text),
                pairs.join(", ")
            )
        };
        Some((code, Natural::Is(W::Str)))
    }

    /// A `Value` (free JSON), with the template's references as handles.
    fn value(&mut self, v: &J) -> String {
        if !has_intrinsic(v) {
            return match v {
                J::Null => "Value::Null".into(),
                J::String(s) => format!("Value::from({})", rust::string(s)),
                J::Bool(b) => format!("Value::from({b})"),
                J::Number(_) => match rust::integer(v) {
                    Some(i) => format!("Value::from({i}_i64)"),
                    None => format!(
                        "Value::from({})",
                        rust::float(v).unwrap_or_else(|| "0.0".into())
                    ),
                },
                _ => format!("Value::from({})", rust::json_macro(v)),
            };
        }
        if let Some((key, arg)) = intrinsic(v) {
            match key {
                "Fn::If" => {
                    if let Some(a) = arg.as_array().filter(|a| a.len() == 3) {
                        if let Some(c) = a[0]
                            .as_str()
                            .filter(|c| self.defined_conditions.contains(*c))
                        {
                            let c = self.use_var(&self.conditions[c].clone());
                            let then = self.value(&a[1]);
                            let otherwise = self.value(&a[2]);
                            return format!(
                                "Value::from(fns::if_::<Json>(&{c}, {then}, {otherwise}))"
                            );
                        }
                    }
                }
                "Fn::FindInMap" => {
                    if let Some(a) = arg.as_array().filter(|a| a.len() == 3) {
                        if let Some(m) = a[0].as_str().and_then(|m| self.mappings.get(m)).cloned() {
                            let m = self.use_var(&m);
                            let k1 = self.expr(&a[1], W::Str, "", false).text;
                            let k2 = self.expr(&a[2], W::Str, "", false).text;
                            return format!(
                                "Value::from(fns::find_in_map::<Json>(&{m}, {k1}, {k2}))"
                            );
                        }
                    }
                }
                "Ref" if arg.as_str() == Some("AWS::NoValue") => {
                    return "Value::from(fns::no_value::<Json>())".into();
                }
                "Fn::Select" => {}
                "Fn::GetAtt" => {
                    let parts = match arg {
                        J::Array(a) if a.len() == 2 => a[0]
                            .as_str()
                            .zip(a[1].as_str())
                            .map(|(a, b)| (a.to_owned(), b.to_owned())),
                        J::String(s) => {
                            s.split_once('.').map(|(a, b)| (a.to_owned(), b.to_owned()))
                        }
                        _ => None,
                    };
                    if let Some((id, attr)) = parts {
                        if let Some((code, _)) = self.get_att(&id, &attr, None) {
                            return format!("Value::from({code})");
                        }
                    }
                }
                _ => {
                    if let Some((code, _)) = self.intrinsic(key, arg, W::Str, "") {
                        return format!("Value::from({code})");
                    }
                }
            }
        }
        match v {
            J::Object(o) => {
                let entries: Vec<String> = o
                    .iter()
                    .map(|(k, item)| format!("({}, {})", rust::string(k), self.value(item)))
                    .collect();
                format!("Value::object([{}])", entries.join(", "))
            }
            J::Array(a) => {
                let items: Vec<String> = a.iter().map(|item| self.value(item)).collect();
                format!("Value::list([{}])", items.join(", "))
            }
            _ => format!("Value::from({})", rust::json_macro(v)),
        }
    }

    fn outputs(&mut self, out: &mut String) -> Result<(), String> {
        let stack = self.stack_name_var.clone();
        for (id, def) in section(self.sections, "Outputs") {
            if id.starts_with("Fn::ForEach::") {
                let _ = writeln!(
                    out,
                    "    {stack}.add_raw_entry(\"Outputs\", {}, {});",
                    rust::string(id),
                    rust::json_macro(def)
                );
                continue;
            }
            let o = def
                .as_object()
                .ok_or_else(|| format!("Outputs.{id}: must be an object"))?;
            let at = format!("Outputs.{id}");
            let value = o
                .get("Value")
                .ok_or_else(|| format!("{at}: needs a Value"))?;
            let value = self.expr(value, W::Str, &at, false).field();
            let mut fields = vec![format!("value: {value}")];
            match o.get("Description") {
                None => fields.push("description: None".into()),
                Some(J::String(d)) => {
                    fields.push(format!("description: Some({}.into())", rust::string(d)))
                }
                Some(other) => {
                    return Err(format!("{at}.Description: must be a string, not {other}"));
                }
            }
            match o.get("Export") {
                None => fields.push("export_name: None".into()),
                Some(e) => {
                    let name = e
                        .get("Name")
                        .ok_or_else(|| format!("{at}.Export: needs a Name"))?;
                    let name = self.expr(name, W::Str, &at, false).field();
                    fields.push(format!("export_name: Some({name})"));
                }
            }
            for key in o.keys() {
                if !matches!(
                    key.as_str(),
                    "Value" | "Description" | "Export" | "Condition"
                ) {
                    return Err(format!(
                        "{at}.{key}: is not an output attribute (Value, Description, Export, Condition)"
                    ));
                }
            }
            let var = format!("{}_output", rust::snake(id));
            let condition = match o.get("Condition") {
                Some(c) => {
                    let c = c
                        .as_str()
                        .and_then(|c| self.conditions.get(c))
                        .cloned()
                        .ok_or_else(|| {
                            format!("{at}.Condition: must name a condition of the template")
                        })?;
                    Some(self.use_var(&c))
                }
                None => None,
            };
            let cid = self.element_id("Output", id);
            let pinned = pinned(&cid, id);
            let bind = if condition.is_some() || pinned {
                format!("let {var} = ")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "    {bind}CfnOutput::new(\n        &{stack},\n        {},\n        OutputProps {{\n            {},\n        }},\n    );",
                rust::string(&cid),
                fields.join(",\n            ")
            );
            if let Some(c) = condition {
                let _ = writeln!(out, "    {var}.set_condition(&{c});");
            }
            if pinned {
                let _ = writeln!(out, "    {var}.override_logical_id({});", rust::string(id));
            }
        }
        Ok(())
    }
}

/// Whether the code names `needle` itself (not as the tail of a longer name or path:
/// `ParameterProps` is not in `rds::CfnDbParameterProps`).
fn mentions(body: &str, needle: &str) -> bool {
    body.match_indices(needle).any(|(i, _)| {
        let before = body[..i].chars().next_back();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    })
}

/// Whether an element's logical id must be pinned: rcdk would derive another from its
/// construct id (`myBucket` → `MyBucket`, `IsProdCondition`).
fn pinned(construct_id: &str, logical_id: &str) -> bool {
    crate::naming::pascal_case(construct_id) != logical_id
}

fn condition_names(v: &J, out: &mut BTreeSet<String>) {
    match v {
        J::Object(o) => {
            if let (1, Some(J::String(name))) = (o.len(), o.get("Condition")) {
                out.insert(name.clone());
            }
            o.values().for_each(|c| condition_names(c, out));
        }
        J::Array(a) => a.iter().for_each(|c| condition_names(c, out)),
        _ => {}
    }
}

/// Any value of a field's type, for a required field whose real value is an override.
fn placeholder(shape: &TypeShape, ty: &Ty) -> Option<String> {
    match ty {
        Ty::Json => Some("Value::Null".into()),
        Ty::List(_) => Some("Vec::new()".into()),
        Ty::Map(_) => Some("BTreeMap::new()".into()),
        Ty::Doc(_) => Some("Default::default()".into()),
        Ty::Struct(name) if shape.fields(name).iter().all(|f| !f.required) => {
            Some("Default::default()".into())
        }
        _ => None,
    }
}

/// `Path { a: Some(x), ..Path::new(r1, r2) }`, `Path::new(…)`, `Path { …, ..Default::default() }`.
fn struct_literal(
    path: &str,
    required: &[String],
    optional: &[String],
    fields: usize,
    indent: usize,
) -> String {
    let pad = "    ".repeat(indent);
    let close = "    ".repeat(indent.saturating_sub(1));
    let base = if required.is_empty() {
        "Default::default()".to_owned()
    } else {
        format!("{path}::new({})", required.join(", "))
    };
    if optional.is_empty() {
        return if required.is_empty() {
            format!("{path}::default()")
        } else {
            base
        };
    }
    let mut s = format!("{path} {{\n");
    for o in optional {
        let _ = writeln!(s, "{pad}{o},");
    }
    if required.is_empty() && optional.len() == fields {
        let _ = write!(s, "{close}}}");
    } else {
        let _ = write!(s, "{pad}..{base}\n{close}}}");
    }
    s
}
