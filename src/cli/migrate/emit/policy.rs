//! IAM policy documents as the typed `PolicyDocument`, where it writes them back exactly.

use serde_json::Value as J;

use super::{Emitter, W};
use crate::cli::migrate::rust;

impl Emitter<'_> {
    /// A typed IAM policy document, when `PolicyDocument` writes exactly `v` back:
    /// version 2012-10-17, a list of statements, one value where there is one.
    pub(super) fn policy_document(&mut self, v: &J, at: &str) -> Option<String> {
        let doc = v.as_object()?;
        let version = match doc.get("Version") {
            Some(J::String(v)) => Some(v.as_str()),
            None => None,
            Some(_) => return None,
        };
        if doc.len() != 1 + usize::from(version.is_some()) {
            return None;
        }
        let statements = doc.get("Statement")?.as_array()?;
        let mut codes = Vec::new();
        for s in statements {
            codes.push(self.statement(s, at)?);
        }
        let document = format!("PolicyDocument::new(vec![{}])", codes.join(", "));
        Some(match version {
            Some("2012-10-17") => document,
            Some(other) => format!("{document}.with_version(Some({}))", rust::string(other)),
            None => format!("{document}.with_version(None)"),
        })
    }

    pub(super) fn statement(&mut self, s: &J, at: &str) -> Option<String> {
        let s = s.as_object()?;
        let mut code = match s.get("Effect")?.as_str()? {
            "Allow" => "PolicyStatement::allow()".to_owned(),
            "Deny" => "PolicyStatement::deny()".to_owned(),
            _ => return None,
        };
        for (key, v) in s {
            match key.as_str() {
                "Effect" => {}
                "Sid" => code.push_str(&format!(".sid({})", rust::string(v.as_str()?))),
                "Principal" | "NotPrincipal" => {
                    let method = if key == "Principal" {
                        "principal"
                    } else {
                        "not_principal"
                    };
                    for p in self.principals(v, at)? {
                        code.push_str(&format!(".{method}({p})"));
                    }
                    for (kind, values) in v.as_object().into_iter().flatten() {
                        if values.as_array().is_some_and(|a| a.len() == 1) {
                            code.push_str(&format!(".written_as_list(\"{key}.{kind}\")"));
                        }
                    }
                }
                "Action" | "NotAction" => {
                    let method = if key == "Action" {
                        "actions"
                    } else {
                        "not_actions"
                    };
                    let actions: Vec<String> = one_or_many(v)?
                        .iter()
                        .map(|a| a.as_str().map(rust::string))
                        .collect::<Option<_>>()?;
                    code.push_str(&format!(".{method}([{}])", actions.join(", ")));
                    if v.as_array().is_some_and(|a| a.len() == 1) {
                        code.push_str(&format!(".written_as_list(\"{key}\")"));
                    }
                }
                "Resource" | "NotResource" => {
                    let method = if key == "Resource" {
                        "resource"
                    } else {
                        "not_resource"
                    };
                    for r in one_or_many(v)? {
                        let r = self.expr(r, W::Str, at, false).text;
                        code.push_str(&format!(".{method}({r})"));
                    }
                    if v.as_array().is_some_and(|a| a.len() == 1) {
                        code.push_str(&format!(".written_as_list(\"{key}\")"));
                    }
                }
                "Condition" => {
                    for (op, keys) in v.as_object().filter(|c| !c.is_empty())? {
                        let keys = keys.as_object().filter(|k| !k.is_empty())?;
                        for (k, value) in keys {
                            let value = match value {
                                J::String(text) => rust::string(text),
                                other => self.value(other),
                            };
                            code.push_str(&format!(
                                ".condition_named({}, {}, {value})",
                                rust::string(op),
                                rust::string(k)
                            ));
                        }
                    }
                }
                _ => return None,
            }
        }
        Some(code)
    }

    /// The `Principal` values of a principal block.
    pub(super) fn principals(&mut self, v: &J, at: &str) -> Option<Vec<String>> {
        if v.as_str() == Some("*") {
            return Some(vec!["Principal::Anyone".into()]);
        }
        let mut out = Vec::new();
        let block = v.as_object().filter(|b| !b.is_empty())?;
        for (kind, values) in block {
            for p in one_or_many(values)? {
                out.push(match kind.as_str() {
                    "Service" => format!("Principal::service({})", rust::string(p.as_str()?)),
                    "CanonicalUser" => format!(
                        "Principal::CanonicalUser({}.into())",
                        rust::string(p.as_str()?)
                    ),
                    "AWS" => format!(
                        "Principal::Aws({})",
                        self.expr(p, W::Str, at, false).field()
                    ),
                    "Federated" => format!(
                        "Principal::federated({})",
                        self.expr(p, W::Str, at, false).text
                    ),
                    _ => return None,
                });
            }
        }
        Some(out)
    }
}

/// The items of a value IAM writes as one value or a list (a list of one is marked
/// `written_as_list`; an empty one would not come back).
fn one_or_many(v: &J) -> Option<Vec<&J>> {
    match v {
        J::Array(items) if !items.is_empty() => Some(items.iter().collect()),
        J::Array(_) => None,
        one => Some(vec![one]),
    }
}
