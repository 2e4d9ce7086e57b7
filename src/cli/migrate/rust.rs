//! Rust spelling: identifiers from logical ids, literals from JSON.

use serde_json::Value as J;

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// Names the generated code uses itself.
const TAKEN: &[&str] = &[
    "app", "stack", "fns", "json", "rcdk", "rcdk_l1", "value", "expr", "std", "build",
];

/// `snake_case` of a logical id: `VPCGatewayAttachment` → `vpc_gateway_attachment`.
pub fn snake(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let mut out = String::with_capacity(id.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if (prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower))
                && !out.ends_with('_')
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    let out = out.trim_end_matches('_').to_owned();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("r_{out}")
    } else {
        out
    }
}

/// Unique Rust identifiers.
#[derive(Default)]
pub struct Idents {
    used: std::collections::BTreeSet<String>,
}

impl Idents {
    /// `snake(id)`, or with `suffix` (then a number) when taken.
    pub fn take(&mut self, id: &str, suffix: &str) -> String {
        let base = snake(id);
        let mut candidate = base.clone();
        if KEYWORDS.contains(&candidate.as_str()) || TAKEN.contains(&candidate.as_str()) {
            candidate = format!("{base}_{suffix}");
        }
        if self.used.contains(&candidate) {
            candidate = format!("{base}_{suffix}");
        }
        let mut n = 2;
        let stem = candidate.clone();
        while self.used.contains(&candidate) {
            candidate = format!("{stem}{n}");
            n += 1;
        }
        self.used.insert(candidate.clone());
        candidate
    }

    /// Reserves a name (a module the code imports).
    pub fn reserve(&mut self, name: &str) {
        self.used.insert(name.to_owned());
    }
}

/// A Rust string literal: raw (`r#"…"#`) for multi-line text, so that scripts read as
/// written; escaped otherwise. A literal rustfmt could not fit (a line past ~80
/// characters) is written in parts, `concat!("…", "…")`: rustfmt cannot break a literal
/// and would leave the whole statement unformatted.
pub fn string(s: &str) -> String {
    let multi_line = s.contains('\n')
        && !s.contains('\r')
        && s.chars().all(|c| c == '\n' || c == '\t' || !c.is_control());
    if multi_line && s.lines().all(|l| l.chars().count() <= 80) {
        return raw(s);
    }
    if s.chars().count() <= LONG {
        return format!("{s:?}");
    }
    let parts: Vec<String> = s
        .split_inclusive('\n')
        .flat_map(chunks)
        .map(|p| format!("{p:?}"))
        .collect();
    if parts.len() == 1 {
        return parts.join("");
    }
    format!("concat!({})", parts.join(", "))
}

/// Literals longer than this are written in parts.
const LONG: usize = 60;

/// `s` cut into pieces of about `LONG` characters: after a space where there is one,
/// else anywhere.
fn chunks(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for word in s.split_inclusive(' ') {
        if !current.is_empty() && current.chars().count() + word.chars().count() > LONG {
            out.push(std::mem::take(&mut current));
        }
        current.push_str(word);
        while current.chars().count() > LONG + 20 {
            let cut: String = current.chars().take(LONG).collect();
            current = current.chars().skip(LONG).collect();
            out.push(cut);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// An integer literal, if `v` is a whole JSON number that fits.
pub fn integer(v: &J) -> Option<String> {
    v.as_i64().map(|n| n.to_string())
}

/// A float literal (always with a fraction or exponent, so Rust reads it as `f64`).
pub fn float(v: &J) -> Option<String> {
    let n = v.as_f64()?;
    if !n.is_finite() {
        return None;
    }
    Some(format!("{n:?}"))
}

/// How many values a JSON document holds.
fn nodes(v: &J) -> usize {
    1 + match v {
        J::Object(o) => o.values().map(nodes).sum(),
        J::Array(a) => a.iter().map(nodes).sum(),
        _ => 0,
    }
}

/// Code of a `serde_json::Value`: `json!(…)`, compact when short, indented otherwise; a
/// large document (past what the macro's recursion limit takes) is parsed from its text.
pub fn json_macro(v: &J) -> String {
    let compact = v.to_string();
    if compact.len() <= 60 {
        return format!("json!({compact})");
    }
    let pretty = serde_json::to_string_pretty(v).unwrap_or(compact);
    if nodes(v) > 40 {
        return format!(
            "serde_json::from_str::<serde_json::Value>({})?",
            raw(&pretty)
        );
    }
    format!("json!({pretty})")
}

/// A raw string literal of any text.
fn raw(s: &str) -> String {
    let mut hashes = String::from("#");
    while s.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{s}\"{hashes}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_become_snake_case_identifiers() {
        assert_eq!(snake("VPCGatewayAttachment"), "vpc_gateway_attachment");
        assert_eq!(snake("MyS3Bucket"), "my_s3_bucket");
        assert_eq!(snake("PublicSubnet1"), "public_subnet1");
        assert_eq!(snake("myBucket"), "my_bucket");
        assert_eq!(snake("Type"), "type");
        let mut ids = Idents::default();
        assert_eq!(ids.take("Type", "resource"), "type_resource");
        assert_eq!(ids.take("Bucket", "resource"), "bucket");
        assert_eq!(ids.take("bucket", "condition"), "bucket_condition");
        assert_eq!(ids.take("Stack", "resource"), "stack_resource");
    }

    #[test]
    fn literals_read_as_written() {
        assert_eq!(string("a\"b"), "\"a\\\"b\"");
        assert_eq!(
            string("#!/bin/bash\necho \"hi\"\n"),
            "r#\"#!/bin/bash\necho \"hi\"\n\"#"
        );
        assert_eq!(float(&serde_json::json!(1)), Some("1.0".into()));
        assert_eq!(float(&serde_json::json!(0.25)), Some("0.25".into()));
    }
}
