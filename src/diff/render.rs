//! Printing a diff for a person (coloured on a terminal) or for a machine (JSON).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use serde_json::Value as J;

use super::{Change, EntryDiff, Replacement, SecurityKind, TemplateDiff};

fn style(c: AnsiColor) -> Style {
    Style::new().fg_color(Some(c.into()))
}

pub(super) fn short(v: Option<&J>) -> String {
    match v {
        None => "(none)".to_owned(),
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() > 120 {
                format!("{}…", s.chars().take(119).collect::<String>())
            } else {
                s
            }
        }
    }
}

fn sign(change: Change) -> (&'static str, Style) {
    match change {
        Change::Added => ("[+]", style(AnsiColor::Green)),
        Change::Removed => ("[-]", style(AnsiColor::Red)),
        Change::Modified => ("[~]", style(AnsiColor::Yellow)),
    }
}

pub(super) fn replacement_label(r: Replacement) -> &'static str {
    match r {
        Replacement::None => "",
        Replacement::MayReplace => " (may replace)",
        Replacement::Replace => " (replace)",
    }
}

fn entries(out: &mut String, title: &str, list: &[EntryDiff]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title}");
    for e in list {
        let (s, st) = sign(e.change);
        let _ = writeln!(out, "{st}{s}{st:#} {}", e.name);
        if e.change == Change::Modified {
            for c in &e.changes {
                let path = if c.path.is_empty() {
                    "value".to_owned()
                } else {
                    c.path.clone()
                };
                let _ = writeln!(
                    out,
                    "    {path}: {} → {}",
                    short(c.old.as_ref()),
                    short(c.new.as_ref())
                );
            }
        }
    }
}

/// `Properties.Port: 80 → 443 (replace)`
pub(super) fn change_text(c: &super::ValueChange) -> String {
    format!(
        "{}: {} → {}{}",
        c.path,
        short(c.old.as_ref()),
        short(c.new.as_ref()),
        replacement_label(c.replacement)
    )
}

pub(super) fn kind_label(kind: SecurityKind) -> &'static str {
    match kind {
        SecurityKind::IamStatement => "IAM statement",
        SecurityKind::ManagedPolicy => "managed policy",
        SecurityKind::SecurityGroupIngress => "ingress rule",
        SecurityKind::SecurityGroupEgress => "egress rule",
    }
}

/// Text for a person; colour codes are stripped by `anstream` when not on a terminal.
pub fn render_text(stack: &str, diff: &TemplateDiff) -> String {
    let bold = Style::new().bold();
    let mut out = String::new();
    let _ = writeln!(out, "{bold}Stack {stack}{bold:#}");
    if diff.is_empty() {
        let _ = writeln!(out, "There were no differences");
        return out;
    }
    if !diff.security.is_empty() {
        let red = style(AnsiColor::Red).bold();
        let broadening = if diff.is_broadening() {
            " (broadening: review before deploying)"
        } else {
            ""
        };
        let _ = writeln!(out, "{red}Security changes{broadening}{red:#}");
        for s in &diff.security {
            let (mark, st) = if s.added {
                ("+", style(AnsiColor::Green))
            } else {
                ("-", style(AnsiColor::Red))
            };
            let kind = kind_label(s.kind);
            let _ = writeln!(
                out,
                "{st}{mark}{st:#} {kind} on {}: {}",
                s.resource,
                short(Some(&s.detail))
            );
        }
    }
    if !diff.resources.is_empty() {
        let _ = writeln!(out, "Resources");
        for r in &diff.resources {
            let (s, st) = sign(r.change);
            let rep = replacement_label(r.replacement);
            let rep_style = if r.replacement == Replacement::None {
                Style::new()
            } else {
                style(AnsiColor::Red).bold()
            };
            let _ = writeln!(
                out,
                "{st}{s}{st:#} {} {}{rep_style}{rep}{rep_style:#}",
                r.resource_type, r.logical_id
            );
            for c in &r.changes {
                let _ = writeln!(out, "    {}", change_text(c));
            }
        }
    }
    entries(&mut out, "Parameters", &diff.parameters);
    entries(&mut out, "Outputs", &diff.outputs);
    entries(&mut out, "Conditions", &diff.conditions);
    entries(&mut out, "Mappings", &diff.mappings);
    entries(&mut out, "Other", &diff.other);
    out
}

/// `{"stack": …, "differences": bool, …the diff}`.
pub fn to_json(stack: &str, diff: &TemplateDiff) -> J {
    let mut v = serde_json::to_value(diff).unwrap_or(J::Null);
    if let J::Object(m) = &mut v {
        m.insert("stack".into(), J::from(stack));
        m.insert("differences".into(), J::from(!diff.is_empty()));
        m.insert("broadening".into(), J::from(diff.is_broadening()));
    }
    v
}
