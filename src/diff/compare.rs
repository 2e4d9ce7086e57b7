//! Comparing two templates section by section.

use std::collections::BTreeSet;

use serde_json::{Map, Value as J};

use super::security::security_changes;
use super::{Change, EntryDiff, Replacement, ResourceDiff, TemplateDiff, ValueChange};

/// Sections diffed on their own; everything else is "other".
const SECTIONS: &[&str] = &[
    "Resources",
    "Parameters",
    "Outputs",
    "Conditions",
    "Mappings",
    "Metadata",
];

fn empty() -> Map<String, J> {
    Map::new()
}

fn section<'a>(t: &'a J, name: &str) -> &'a Map<String, J> {
    static EMPTY: std::sync::OnceLock<Map<String, J>> = std::sync::OnceLock::new();
    t.get(name)
        .and_then(J::as_object)
        .unwrap_or_else(|| EMPTY.get_or_init(empty))
}

/// Whether a value holds an intrinsic (so its deployed value is not known here).
pub(super) fn has_intrinsic(v: &J) -> bool {
    match v {
        J::Object(m) => {
            m.keys().any(|k| k == "Ref" || k.starts_with("Fn::")) || m.values().any(has_intrinsic)
        }
        J::Array(a) => a.iter().any(has_intrinsic),
        _ => false,
    }
}

/// Leaf-level differences of two values below `path`. Lists of the same length are
/// compared element by element (`ContainerDefinitions[0].Memory: 512 → 1024`); a list
/// that grew or shrank is shown whole, since its positions no longer correspond.
fn value_changes(
    path: &str,
    old: Option<&J>,
    new: Option<&J>,
    out: &mut Vec<(String, Option<J>, Option<J>)>,
) {
    match (old, new) {
        (Some(J::Object(a)), Some(J::Object(b)))
            if !is_intrinsic_map(a) && !is_intrinsic_map(b) =>
        {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                value_changes(&p, a.get(k), b.get(k), out);
            }
        }
        (Some(J::Array(a)), Some(J::Array(b))) if a.len() == b.len() && a != b => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                value_changes(&format!("{path}[{i}]"), Some(x), Some(y), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push((path.to_owned(), a.cloned(), b.cloned())),
    }
}

fn is_intrinsic_map(m: &Map<String, J>) -> bool {
    m.len() == 1 && m.keys().all(|k| k == "Ref" || k.starts_with("Fn::"))
}

/// How a change of `path` (below `Properties`) affects a resource of `type_name`.
fn replacement(type_name: &str, path: &str, new: Option<&J>) -> Replacement {
    let Some(info) = crate::registry::type_info(type_name) else {
        return Replacement::None;
    };
    let matches = |p: &&str| {
        path == *p
            || path
                .strip_prefix(*p)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
    };
    if info.create_only.iter().any(matches) {
        if new.is_some_and(has_intrinsic) {
            Replacement::MayReplace
        } else {
            Replacement::Replace
        }
    } else if info.conditional_create_only.iter().any(matches) {
        Replacement::MayReplace
    } else {
        Replacement::None
    }
}

fn resource_diff(id: &str, old: Option<&J>, new: Option<&J>) -> Option<ResourceDiff> {
    let type_of = |r: Option<&J>| {
        r.and_then(|r| r.get("Type"))
            .and_then(J::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (old_type, new_type) = (type_of(old), type_of(new));
    let (change, resource_type) = match (old, new) {
        (None, Some(_)) => (Change::Added, new_type.clone()),
        (Some(_), None) => (Change::Removed, old_type.clone()),
        _ => (Change::Modified, new_type.clone()),
    };
    let mut raw = Vec::new();
    for key in [
        "Type",
        "Properties",
        "DependsOn",
        "Condition",
        "DeletionPolicy",
        "UpdateReplacePolicy",
        "UpdatePolicy",
        "CreationPolicy",
    ] {
        if change == Change::Modified {
            value_changes(
                key,
                old.and_then(|r| r.get(key)),
                new.and_then(|r| r.get(key)),
                &mut raw,
            );
        }
    }
    let changes: Vec<ValueChange> = raw
        .into_iter()
        .map(|(path, o, n)| {
            let replacement = if path == "Type" {
                Replacement::Replace
            } else if let Some(p) = path.strip_prefix("Properties.") {
                replacement(&resource_type, p, n.as_ref())
            } else if path == "Properties" {
                Replacement::MayReplace
            } else {
                Replacement::None
            };
            ValueChange {
                path,
                old: o,
                new: n,
                replacement,
            }
        })
        .collect();
    if change == Change::Modified && changes.is_empty() {
        return None;
    }
    let replacement = changes
        .iter()
        .map(|c| c.replacement)
        .max()
        .unwrap_or(Replacement::None);
    let resource_type = if change == Change::Modified && old_type != new_type {
        format!("{old_type} → {new_type}")
    } else {
        resource_type
    };
    Some(ResourceDiff {
        logical_id: id.to_owned(),
        resource_type,
        change,
        replacement,
        changes,
    })
}

fn entry_diffs(old: &Map<String, J>, new: &Map<String, J>) -> Vec<EntryDiff> {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (a, b) = (old.get(k), new.get(k));
            let change = match (a, b) {
                (None, Some(_)) => Change::Added,
                (Some(_), None) => Change::Removed,
                (x, y) if x == y => return None,
                _ => Change::Modified,
            };
            let mut raw = Vec::new();
            value_changes("", a, b, &mut raw);
            let changes = raw
                .into_iter()
                .map(|(path, old, new)| ValueChange {
                    path,
                    old,
                    new,
                    replacement: Replacement::None,
                })
                .collect();
            Some(EntryDiff {
                name: k.clone(),
                change,
                changes,
            })
        })
        .collect()
}

/// The differences from `old` (deployed or golden) to `new` (synthesized).
pub fn diff_templates(old: &J, new: &J) -> TemplateDiff {
    let (old_res, new_res) = (section(old, "Resources"), section(new, "Resources"));
    let ids: BTreeSet<&String> = old_res.keys().chain(new_res.keys()).collect();
    let resources = ids
        .into_iter()
        .filter_map(|id| resource_diff(id, old_res.get(id), new_res.get(id)))
        .collect();
    let top = |t: &J| -> Map<String, J> {
        t.as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| !SECTIONS.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    TemplateDiff {
        security: security_changes(old_res, new_res),
        resources,
        parameters: entry_diffs(section(old, "Parameters"), section(new, "Parameters")),
        outputs: entry_diffs(section(old, "Outputs"), section(new, "Outputs")),
        conditions: entry_diffs(section(old, "Conditions"), section(new, "Conditions")),
        mappings: entry_diffs(section(old, "Mappings"), section(new, "Mappings")),
        other: entry_diffs(&top(old), &top(new)),
    }
}
