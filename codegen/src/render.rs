//! Rust source text for a modelled resource.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::model::{Field, Resource, Struct, Ty};

/// Doc comment lines; indentation and fences are removed so that no description
/// becomes a doctest.
fn doc(out: &mut String, indent: &str, text: &str) {
    let text = text.replace("```", "`");
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut blank = false;
    for line in lines.iter().skip_while(|l| l.is_empty()) {
        if line.is_empty() {
            blank = true;
            continue;
        }
        if blank {
            let _ = writeln!(out, "{indent}///");
            blank = false;
        }
        let _ = writeln!(out, "{indent}/// {line}");
    }
}

fn scalar(ty: &Ty) -> Option<&'static str> {
    match ty {
        Ty::Str => Some("String"),
        Ty::Int => Some("i64"),
        Ty::Float => Some("f64"),
        Ty::Bool => Some("bool"),
        _ => None,
    }
}

pub fn rust_type(ty: &Ty) -> String {
    match ty {
        Ty::Str | Ty::Int | Ty::Float | Ty::Bool => {
            format!("Expr<{}>", scalar(ty).unwrap_or_default())
        }
        Ty::List(inner) => match scalar(inner) {
            Some(s) if !matches!(**inner, Ty::Bool) => format!("Expr<Vec<{s}>>"),
            _ => format!("Vec<{}>", rust_type(inner)),
        },
        Ty::Map(inner) => format!("BTreeMap<String, {}>", rust_type(inner)),
        Ty::Struct(name) => name.clone(),
        Ty::Tag => "CfnTag".to_owned(),
        Ty::Doc(path) => (*path).to_owned(),
        Ty::Json => "Value".to_owned(),
    }
}

fn field_type(f: &Field) -> String {
    let t = rust_type(&f.ty);
    let t = if f.boxed { format!("Box<{t}>") } else { t };
    if f.required {
        t
    } else {
        format!("Option<{t}>")
    }
}

/// Parameter type and conversion of a required field in `new`.
fn param(f: &Field) -> (String, String) {
    let t = rust_type(&f.ty);
    let converted = if t.starts_with("Expr<") || t == "Value" {
        (format!("impl Into<{t}>"), format!("{}.into()", f.rust))
    } else {
        (t, f.rust.clone())
    };
    if f.boxed {
        (converted.0, format!("Box::new({})", converted.1))
    } else {
        converted
    }
}

/// A struct, its constructor and its conversion; the resource's props (`top`) also get
/// `Debug` and `PartialEq` through that conversion. Nested structs have neither (compare
/// their `to_value()`): ten thousand impls of them would be a sixth of the crate's check
/// time, for comparisons nobody makes.
fn structure(out: &mut String, s: &Struct, top: bool) {
    doc(out, "", &s.doc);
    let required: Vec<&Field> = s.fields.iter().filter(|f| f.required).collect();
    // Debug and PartialEq come from the rendered value (`value_traits!`): derived, they
    // would be much of the crate's compile time.
    if required.is_empty() {
        out.push_str("#[derive(Clone, Default)]\n");
    } else {
        out.push_str("#[derive(Clone)]\n");
    }
    let _ = writeln!(out, "pub struct {} {{", s.name);
    for f in &s.fields {
        let mut d = f.doc.clone();
        if f.required {
            d.push_str("\n\nRequired.");
        }
        d.push_str(&format!("\n\nCloudFormation: `{}`.", f.cfn));
        doc(out, "    ", &d);
        let _ = writeln!(out, "    pub {}: {},", f.rust, field_type(f));
    }
    out.push_str("}\n\n");
    if !required.is_empty() {
        let _ = writeln!(out, "impl {} {{", s.name);
        out.push_str("    /// Sets the required properties; the rest start unset.\n");
        let params: Vec<String> = required
            .iter()
            .map(|f| format!("{}: {}", f.rust, param(f).0))
            .collect();
        let _ = writeln!(
            out,
            "    #[inline]\n    pub fn new({}) -> Self {{",
            params.join(", ")
        );
        out.push_str("        Self {\n");
        for f in &s.fields {
            if f.required {
                let value = param(f).1;
                if value == f.rust {
                    let _ = writeln!(out, "            {value},");
                } else {
                    let _ = writeln!(out, "            {}: {value},", f.rust);
                }
            } else {
                let _ = writeln!(out, "            {}: None,", f.rust);
            }
        }
        out.push_str("        }\n    }\n}\n\n");
    }
    let _ = writeln!(out, "impl ToValue for {} {{", s.name);
    out.push_str("    #[inline]\n    fn to_value(&self) -> Value {\n");
    if s.fields.is_empty() {
        out.push_str("        PropMap::new().finish()\n");
    } else {
        out.push_str("        let mut m = PropMap::new();\n");
        for f in &s.fields {
            let call = if f.required { "req" } else { "opt" };
            let _ = writeln!(out, "        m.{call}(\"{}\", &self.{});", f.cfn, f.rust);
        }
        out.push_str("        m.finish()\n");
    }
    out.push_str("    }\n}\n\n");
    if top {
        let _ = writeln!(out, "value_traits!({});\n", s.name);
    }
}

/// A nested struct alone, as `resource` renders it (to find identical ones).
pub fn nested_struct(s: &Struct) -> String {
    let mut out = String::new();
    structure(&mut out, s, false);
    out
}

/// The module of a resource type. `shared` names nested structs that are defined, the
/// same to the byte, in an earlier module of the service: they are re-exported from
/// there instead of defined again.
pub fn resource(r: &Resource, shared: &BTreeMap<String, String>) -> String {
    let mut body = String::new();
    let name = &r.rust_name;
    structure(&mut body, &r.props, true);
    doc(
        &mut body,
        "",
        &format!("`{}`: {}\n\nReference: <{}>", r.type_name, r.doc, r.doc_url),
    );
    body.push_str("#[derive(Debug, Clone, PartialEq)]\n");
    // The core type is named in full: a resource type may itself be called `Resource`.
    let _ = writeln!(body, "pub struct {name}(::rcdk::CfnResource);\n");
    let _ = writeln!(
        body,
        "impl std::ops::Deref for {name} {{\n    type Target = ::rcdk::CfnResource;\n    #[inline]\n    fn deref(&self) -> &::rcdk::CfnResource {{\n        &self.0\n    }}\n}}\n"
    );
    let _ = writeln!(body, "impl {name} {{");
    let _ = writeln!(
        body,
        "    pub const TYPE_NAME: &'static str = \"{}\";\n",
        r.type_name
    );
    let _ = writeln!(body, "    /// Adds the resource below `scope`.");
    let _ = writeln!(
        body,
        "    #[inline]\n    pub fn new(scope: &Scope, id: &str, props: {name}Props) -> Self {{\n        Self(::rcdk::CfnResource::new(scope, id, Self::TYPE_NAME, props))\n    }}\n"
    );
    let _ = writeln!(body, "    /// Changes the props after creation.");
    let _ = writeln!(
        body,
        "    #[inline]\n    pub fn update_props(&self, f: impl FnOnce(&mut {name}Props)) {{\n        self.0.update_props(f)\n    }}"
    );
    for a in &r.attributes {
        let (ret, call) = match &a.ty {
            Ty::List(inner) => (
                format!("Expr<Vec<{}>>", scalar(inner).unwrap_or("String")),
                "get_att_list",
            ),
            Ty::Json => ("Expr<Json>".to_owned(), "get_att"),
            t => (rust_type(t), "get_att"),
        };
        let _ = writeln!(body, "\n    /// `Fn::GetAtt` `{}`.", a.name);
        let _ = writeln!(
            body,
            "    #[inline]\n    pub fn {}(&self) -> {ret} {{\n        self.0.{call}(\"{}\")\n    }}",
            a.method, a.name
        );
    }
    body.push_str("}\n");
    for s in &r.nested {
        body.push('\n');
        match shared.get(&s.name) {
            Some(module) => {
                let _ = writeln!(body, "pub use super::{module}::{};", s.name);
            }
            None => structure(&mut body, s, false),
        }
    }
    let body = body.trim_end().to_owned();
    let mut out = String::new();
    let _ = writeln!(out, "/// `{}`", r.type_name);
    let _ = writeln!(out, "pub mod {} {{", r.module);
    out.push_str("    #[allow(unused_imports)]\n    use crate::prelude::*;\n\n");
    for line in body.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "    {line}");
        }
    }
    out.push_str("}\n");
    let _ = writeln!(out, "pub use {}::{{{name}, {name}Props}};", r.module);
    out
}
