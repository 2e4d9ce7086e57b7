//! Values: typed `Expr`s of literals and intrinsic functions, and free JSON (`Value`)
//! with the template's references as handles.

use serde_json::Value as J;

use super::{Code, Emitter, Natural, ParamKind, W, has_intrinsic, intrinsic, kind_of};
use crate::cli::migrate::rust;
use crate::diff::sub_names;

impl Emitter<'_> {
    /// An `Expr` of type `want` (or a literal converting to one). `schema`: the place is a
    /// schema-typed property, so a mismatch is reported.
    pub(super) fn expr(&mut self, v: &J, want: W, at: &str, schema: bool) -> Code {
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

    pub(super) fn list(&mut self, items: &[J], want: W, at: &str, schema: bool) -> Code {
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
    pub(super) fn intrinsic(
        &mut self,
        key: &str,
        arg: &J,
        want: W,
        at: &str,
    ) -> Option<(String, Natural)> {
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
                let list = self.expr(&a[1], list_w, at, false).text;
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

    pub(super) fn reference(&mut self, name: &str) -> Option<(String, Natural)> {
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

    pub(super) fn get_att(
        &mut self,
        id: &str,
        attr: &str,
        want: Option<W>,
    ) -> Option<(String, Natural)> {
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
    pub(super) fn sub(&mut self, arg: &J, at: &str) -> Option<(String, Natural)> {
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
                None => {
                    if self.params.contains_key(&name) {
                        self.param_uses
                            .entry(name.clone())
                            .or_default()
                            .insert(W::Str);
                    }
                    match self.reference(&name)? {
                        (code, Natural::Is(W::Str)) => code,
                        _ => return None,
                    }
                }
                Some((id, attr)) => self.get_att(id, attr, Some(W::Str))?.0,
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
    pub(super) fn value(&mut self, v: &J) -> String {
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
                    if let Some(a) = arg.as_array().filter(|a| a.len() == 3)
                        && let Some(c) = a[0]
                            .as_str()
                            .filter(|c| self.defined_conditions.contains(*c))
                    {
                        let c = self.use_var(&self.conditions[c].clone());
                        let then = self.value(&a[1]);
                        let otherwise = self.value(&a[2]);
                        return format!("Value::from(fns::if_::<Json>(&{c}, {then}, {otherwise}))");
                    }
                }
                "Fn::FindInMap" => {
                    if let Some(a) = arg.as_array().filter(|a| a.len() == 3)
                        && let Some(m) = a[0].as_str().and_then(|m| self.mappings.get(m)).cloned()
                    {
                        let m = self.use_var(&m);
                        let k1 = self.expr(&a[1], W::Str, "", false).text;
                        let k2 = self.expr(&a[2], W::Str, "", false).text;
                        return format!("Value::from(fns::find_in_map::<Json>(&{m}, {k1}, {k2}))");
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
                    if let Some((id, attr)) = parts
                        && let Some((code, _)) = self.get_att(&id, &attr, None)
                    {
                        return format!("Value::from({code})");
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
}
