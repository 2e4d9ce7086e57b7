//! One template → the Rust module of one stack: typed L1 resources, typed parameters,
//! conditions, mappings and outputs, references as handles (`bucket.ref_()`,
//! `bucket.attr_arn()`) and intrinsics as `fns::…`. What the typed API cannot say exactly
//! is kept as written through the escape hatches, and listed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde_json::{Map, Value as J};

mod elements;
mod policy;
mod resources;
mod values;

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

static NO_FINDINGS: BTreeMap<String, Vec<String>> = BTreeMap::new();

/// The variable of the stack in the generated code.
const STACK: &str = "stack";

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
/// `accepted` (logical id → `RULE: problem`) are the IAM catalogue's findings on the
/// template, accepted as deployed in the code; `origin` says where the template came from.
pub fn stack_module(
    shapes: &Shapes,
    stack_name: &str,
    template: &J,
    accepted: &BTreeMap<String, Vec<String>>,
    origin: &str,
) -> Result<Generated, String> {
    let Some(sections) = template.as_object() else {
        return Err("a template is a JSON object".into());
    };
    if sections
        .get("Resources")
        .and_then(J::as_object)
        .is_none_or(Map::is_empty)
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
    first.accepted = (accepted, origin);
    first.body()?;
    let kinds = first.parameter_kinds();
    let used = first.used.clone();
    let mut second = Emitter::new(shapes, stack_name, sections, kinds, Some(used))?;
    second.accepted = (accepted, origin);
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
    let policy: Vec<&str> = ["PolicyDocument", "PolicyStatement", "Principal"]
        .into_iter()
        .filter(|name| mentions(&body, &format!("{name}::")))
        .collect();
    match policy.as_slice() {
        [] => {}
        [one] => {
            let _ = writeln!(code, "use rcdk_l1::policy::{one};");
        }
        many => {
            let _ = writeln!(code, "use rcdk_l1::policy::{{{}}};", many.join(", "));
        }
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
    stack_name: String,
    /// Construct ids of mappings, conditions and outputs (`Mapping`, `Condition`, `Output`
    /// appended where a resource or parameter has the logical id: in the construct tree
    /// a stack's children share one namespace).
    element_ids: BTreeMap<(&'static str, String), String>,
    /// The IAM catalogue's findings by logical id, accepted as deployed, and where the
    /// template came from.
    accepted: (&'a BTreeMap<String, Vec<String>>, &'a str),
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
            stack_name: stack_name.to_owned(),
            element_ids: BTreeMap::new(),
            accepted: (&NO_FINDINGS, ""),
        };
        // The services' modules are imported by name: no variable may take one.
        for (_, r) in section(sections, "Resources") {
            if let Some(service) = r
                .get("Type")
                .and_then(J::as_str)
                .and_then(|t| shapes.service(t))
            {
                idents.reserve(service);
            }
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
        let stack = STACK;
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
