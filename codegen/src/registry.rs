//! The registry table: every resource type in the schemas, with its create-only
//! properties, tagging and attributes.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde_json::Value as J;

use crate::Schemas;

/// Where the registry goes: in the core, which reads it for tags and diffs.
pub const OUTPUT: &str = "src/registry/types.rs";

/// The property paths (dotted) a schema list of JSON pointers names, in its order.
fn pointer_list(schema: &J, key: &str) -> Vec<String> {
    schema
        .get(key)
        .and_then(J::as_array)
        .into_iter()
        .flatten()
        .filter_map(J::as_str)
        .filter_map(|p| p.strip_prefix("/properties/"))
        .map(|p| p.replace('/', "."))
        .collect()
}

/// The same, sorted and without repeats.
fn pointers(schema: &J, key: &str) -> Vec<String> {
    let mut v = pointer_list(schema, key);
    v.sort();
    v.dedup();
    v
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("&[{}]", quoted.join(", "))
}

fn tagging(schema: &J) -> String {
    let Some(t) = schema.get("tagging") else {
        return "None".into();
    };
    if t.get("taggable").and_then(J::as_bool) == Some(false) {
        return "None".into();
    }
    let property = t
        .get("tagProperty")
        .and_then(J::as_str)
        .unwrap_or("/properties/Tags");
    let Some(name) = property
        .strip_prefix("/properties/")
        .filter(|n| !n.contains('/'))
    else {
        return "None".into();
    };
    let Some(prop) = schema.get("properties").and_then(|p| p.get(name)) else {
        return "None".into();
    };
    let defs = schema.get("definitions");
    let resolve = |s: &J| -> J {
        match s
            .get("$ref")
            .and_then(J::as_str)
            .and_then(|r| r.strip_prefix("#/definitions/"))
        {
            Some(k) => defs.and_then(|d| d.get(k)).cloned().unwrap_or(J::Null),
            None => s.clone(),
        }
    };
    let prop = resolve(prop);
    let format = match prop.get("type").and_then(J::as_str) {
        Some("array") => {
            let item = prop.get("items").map(resolve).unwrap_or(J::Null);
            let has = |k: &str| item.get("properties").and_then(|p| p.get(k)).is_some();
            if !(has("Key") && has("Value")) {
                return "None".into();
            }
            if has("PropagateAtLaunch") {
                "ListWithPropagateAtLaunch"
            } else {
                "List"
            }
        }
        Some("object") => "Map",
        _ => return "None".into(),
    };
    format!("Some(Tagging {{ property: {name:?}, format: TagFormat::{format} }})")
}

/// The property whose value `Ref` returns: the primary identifier, when it is one
/// property the template sets (not one CloudFormation assigns).
fn ref_property(schema: &J) -> String {
    let ids = pointers(schema, "primaryIdentifier");
    let read_only = pointers(schema, "readOnlyProperties");
    match ids.as_slice() {
        [one] if !one.contains('.') && !read_only.contains(one) => format!("Some({one:?})"),
        _ => "None".into(),
    }
}

/// `action` is in the IAM catalogue, or is a wildcard (`autoscaling:Describe*`) that
/// matches an action of it.
fn in_catalogue(action: &str, iam_actions: &BTreeSet<String>) -> bool {
    let action = action.to_lowercase();
    match action.strip_suffix('*') {
        Some(prefix) if !prefix.contains('*') => iam_actions
            .range(prefix.to_owned()..)
            .next()
            .is_some_and(|a| a.starts_with(prefix)),
        _ => iam_actions.contains(&action),
    }
}

/// The IAM actions the type's read handler needs (what CloudFormation calls to read a
/// resource's state, as drift detection does), sorted. Some schemas name actions IAM
/// does not have (`managed-fleets:…`); granting them does nothing and cfn-lint flags
/// them, so only those of the IAM catalogue are kept.
fn read_permissions(schema: &J, iam_actions: &BTreeSet<String>) -> Vec<String> {
    let mut actions: Vec<String> = schema
        .pointer("/handlers/read/permissions")
        .and_then(J::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().map(str::to_owned))
        .filter(|a| in_catalogue(a, iam_actions))
        .collect();
    actions.sort();
    actions.dedup();
    actions
}

pub fn render(header: &str, schemas: &Schemas) -> String {
    let mut out = String::from(header);
    out.push_str(
        "//! Every resource type of the schemas: create-only properties (a change replaces the\n",
    );
    out.push_str(
        "//! resource), conditionally create-only ones (a change may replace it), tagging,\n",
    );
    out.push_str(
        "//! attributes and the read handler's permissions. Sorted by type name for binary search.\n\n",
    );
    out.push_str("use super::{TagFormat, Tagging, TypeInfo};\n\n");
    out.push_str("/// Every resource type, sorted by name.\npub static TYPES: &[TypeInfo] = &[\n");
    for (name, schema) in &schemas.types {
        let _ = writeln!(
            out,
            "    TypeInfo {{ type_name: {name:?}, create_only: {}, conditional_create_only: {}, tagging: {}, ref_property: {}, primary_identifier: {}, attributes: {}, read_permissions: {} }},",
            list(&pointers(schema, "createOnlyProperties")),
            list(&pointers(schema, "conditionalCreateOnlyProperties")),
            tagging(schema),
            ref_property(schema),
            // The identifier's properties in the schema's order (what an import names).
            list(&pointer_list(schema, "primaryIdentifier")),
            list(
                schemas
                    .attributes
                    .get(name)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
            ),
            list(&read_permissions(schema, &schemas.iam_actions)),
        );
    }
    out.push_str("];\n");
    out
}
