//! Parameters, conditions and outputs: the template's elements other than resources.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde_json::Value as J;

use super::{Emitter, ParamKind, STACK, W, condition_names, intrinsic, ordered, pinned, section};
use crate::cli::migrate::rust;

impl Emitter<'_> {
    pub(super) fn parameters(&mut self, out: &mut String) {
        let stack = STACK;
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

    pub(super) fn conditions(&mut self, out: &mut String) {
        let stack = STACK;
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
    pub(super) fn condition(&mut self, v: &J, at: &str) -> String {
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
    pub(super) fn equals_arg(&mut self, v: &J, at: &str) -> Option<String> {
        match v {
            J::String(s) => Some(rust::string(s)),
            _ if intrinsic(v).is_some() => Some(self.expr(v, W::Str, at, false).expr_of(W::Str)),
            _ => None,
        }
    }

    pub(super) fn outputs(&mut self, out: &mut String) -> Result<(), String> {
        let stack = STACK;
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
