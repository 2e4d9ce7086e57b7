//! Resources: typed L1 structs with their props, or kept as written, and their attributes.

use std::fmt::Write;

use serde_json::{Map, Value as J};

use super::{Emitter, STACK, W, intrinsic, kind_of, ordered, pinned, section};
use crate::cli::migrate::rust;
use crate::cli::migrate::shapes::{Ty, TypeShape};
use crate::diff::references;

impl Emitter<'_> {
    pub(super) fn resources(&mut self, out: &mut String) -> Result<(), String> {
        let stack = STACK;
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
            let mut names = references(r);
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

    pub(super) fn resource(&mut self, out: &mut String, id: &str, def: &J) -> Result<(), String> {
        let stack = STACK;
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
        let (accepted, origin) = self.accepted;
        if let Some(findings) = accepted.get(id) {
            for f in findings {
                after.push(format!("// {f}"));
            }
            let reason = format!(
                "policies as deployed from {origin} (rcdk migrate): narrow them, then remove this line"
            );
            after.push(format!(
                "rcdk::posture::accept_as_deployed(&{var}, {});",
                rust::string(&reason)
            ));
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
    pub(super) fn typed_props(
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
    pub(super) fn field_value(
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
    pub(super) fn argument(
        &mut self,
        shape: &TypeShape,
        ty: &Ty,
        v: &J,
        at: &str,
    ) -> Result<String, String> {
        if let Some(w) = W::of(ty) {
            return Ok(self.expr(v, w, at, true).text);
        }
        self.shaped_value(shape, ty, v, at)
    }

    /// A value of a field whose type is not an `Expr`.
    pub(super) fn shaped_value(
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
            Ty::Doc(path) if path == "policy::PolicyDocument" => {
                self.policy_document(v, at).ok_or_else(|| {
                    "kept as written (the typed PolicyDocument would write it in another form)"
                        .to_owned()
                })
            }
            Ty::Doc(path) => Err(format!(
                "kept as written (the typed {} writes a canonical form)",
                path.rsplit("::").next().unwrap_or(path)
            )),
            Ty::Str | Ty::Int | Ty::Float | Ty::Bool => unreachable!("handled by W::of"),
        }
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
