//! `RCDK-BACKUP-PLAN`: every database, table and file system is selected by an AWS Backup
//! plan somewhere in the app (or the template), by reference, by a wildcard ARN of its
//! service, or by a tag it carries. Automated RDS backups alone live and die with the
//! instance's account and region; a plan's vault (locked, copied away) does not.

use serde_json::Value as J;

use crate::Value;
use crate::expr::Intrinsic;

use super::{Rule, report};

/// What the app's backup selections name.
#[derive(Debug, Default)]
pub(super) struct Selections {
    /// Each item of each selection's `Resources`.
    resources: Vec<Value>,
    /// `(key, value)` tags selections match with `STRINGEQUALS`.
    tags: Vec<(String, String)>,
}

/// Reads the selections among `resources` (`(type, props)` pairs).
pub(super) fn selections<'a>(resources: impl Iterator<Item = (&'a str, &'a Value)>) -> Selections {
    let mut found = Selections::default();
    for (type_name, props) in resources {
        if type_name != "AWS::Backup::BackupSelection" {
            continue;
        }
        let selection = props.get_path(&["BackupSelection"]);
        if let Some(Value::List(items)) = selection.and_then(|s| s.get_path(&["Resources"])) {
            found.resources.extend(items.iter().cloned());
        }
        if let Some(Value::List(tags)) = selection.and_then(|s| s.get_path(&["ListOfTags"])) {
            for t in tags {
                let text = |k: &str| t.get_path(&[k]).and_then(Value::as_str).map(str::to_owned);
                if text("ConditionType").as_deref() == Some("STRINGEQUALS")
                    && let (Some(k), Some(v)) = (text("ConditionKey"), text("ConditionValue"))
                {
                    found.tags.push((k, v));
                }
            }
        }
        if let Some(Value::List(conds)) =
            selection.and_then(|s| s.get_path(&["Conditions", "StringEquals"]))
        {
            for c in conds {
                let text = |k: &str| c.get_path(&[k]).and_then(Value::as_str).map(str::to_owned);
                if let (Some(k), Some(v)) = (text("ConditionKey"), text("ConditionValue"))
                    && let Some(tag) = k.strip_prefix("aws:ResourceTag/")
                {
                    found.tags.push((tag.to_owned(), v));
                }
            }
        }
    }
    found
}

/// The ARN service of a resource type the rule covers, if it covers it.
fn service(type_name: &str, props: &Value) -> Option<&'static str> {
    let set = |path: &[&str]| props.get_path(path).is_some_and(|v| !v.is_null());
    match type_name {
        // A replica's data is its source's; an instance of a cluster is backed up with it.
        "AWS::RDS::DBInstance"
            if !set(&["SourceDBInstanceIdentifier"]) && !set(&["DBClusterIdentifier"]) =>
        {
            Some("rds")
        }
        "AWS::RDS::DBCluster" if !set(&["ReplicationSourceIdentifier"]) => Some("rds"),
        "AWS::DynamoDB::Table" => Some("dynamodb"),
        "AWS::EFS::FileSystem" => Some("elasticfilesystem"),
        _ => None,
    }
}

/// Whether `value` refers to the resource (a `Ref` or `Fn::GetAtt` of it).
fn refers_to(value: &Value, handle: &crate::CfnResource) -> bool {
    let me = handle.element();
    let mut found = false;
    value.visit_intrinsics(&mut |i| match i {
        Intrinsic::Ref(e) | Intrinsic::GetAtt { target: e, .. } if *e == me => found = true,
        _ => {}
    });
    found
}

/// A literal ARN pattern with a wildcard that matches every resource of `service`.
fn wildcard_of(value: &Value, service: &str) -> bool {
    let Some(text) = value.as_str() else {
        return false;
    };
    if text == "*" {
        return true;
    }
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    text.contains('*')
        && parts.len() == 6
        && (parts[2] == service || parts[2] == "*")
        && parts[5].ends_with('*')
}

/// The resource's `Tags` as `(key, value)` pairs where both are literal.
fn tags(props: &Value) -> Vec<(String, String)> {
    match props.get_path(&["Tags"]) {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|t| {
                Some((
                    t.get_path(&["Key"])?.as_str()?.to_owned(),
                    t.get_path(&["Value"])?.as_str()?.to_owned(),
                ))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Context key for a template checked on its own (`rcdk posture` on an assembly): what
/// the other templates' selections name, `{"resources": ["stack/LogicalId", …], "tags":
/// [[key, value], …], "wildcards": ["arn:…*", …]}` (see [`selected_across`]).
pub const SELECTED_CONTEXT: &str = "rcdk:posture:backup-selected";

/// What the backup selections of `templates` (`(stack name, template)`) name, as
/// [`SELECTED_CONTEXT`] holds it: a resource of another template through its export
/// (`Fn::ImportValue` of a literal export name), tags and wildcard ARNs.
pub fn selected_across(templates: &[(&str, &J)]) -> J {
    // Export name -> `stack/LogicalId` of the resource its value refers to.
    let mut exports = std::collections::BTreeMap::new();
    for (stack, t) in templates {
        for output in t["Outputs"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, o)| o)
        {
            let (Some(name), Some(id)) = (
                output["Export"]["Name"].as_str(),
                referent(&output["Value"]),
            ) else {
                continue;
            };
            exports.insert(name.to_owned(), format!("{stack}/{id}"));
        }
    }
    let (mut resources, mut tags, mut wildcards) = (Vec::new(), Vec::new(), Vec::new());
    for (_, t) in templates {
        for r in t["Resources"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, r)| r)
        {
            if r["Type"] != "AWS::Backup::BackupSelection" {
                continue;
            }
            let s = &r["Properties"]["BackupSelection"];
            for item in s["Resources"].as_array().into_iter().flatten() {
                if let Some(name) = item["Fn::ImportValue"].as_str()
                    && let Some(id) = exports.get(name)
                {
                    resources.push(J::from(id.clone()));
                } else if let Some(text) = item.as_str().filter(|t| t.contains('*')) {
                    wildcards.push(J::from(text));
                }
            }
            for tag in s["ListOfTags"].as_array().into_iter().flatten() {
                if tag["ConditionType"] == "STRINGEQUALS"
                    && let (Some(k), Some(v)) =
                        (tag["ConditionKey"].as_str(), tag["ConditionValue"].as_str())
                {
                    tags.push(serde_json::json!([k, v]));
                }
            }
        }
    }
    serde_json::json!({"resources": resources, "tags": tags, "wildcards": wildcards})
}

/// The logical id a `Ref` or `Fn::GetAtt` refers to.
fn referent(value: &J) -> Option<&str> {
    value["Ref"]
        .as_str()
        .or_else(|| value["Fn::GetAtt"][0].as_str())
        .or_else(|| {
            value["Fn::GetAtt"]
                .as_str()
                .and_then(|s| s.split('.').next())
        })
}

/// Whether the other templates' selections (in the context) name the resource, which
/// carries `own_tags`.
fn selected_elsewhere(
    handle: &crate::CfnResource,
    service: &str,
    own_tags: &dyn Fn() -> Vec<(String, String)>,
) -> bool {
    let Some(ctx) = handle.context(SELECTED_CONTEXT) else {
        return false;
    };
    let stack = handle.stack().map(|s| s.stack_name()).unwrap_or_default();
    let named = handle.pinned_logical_id().is_some_and(|id| {
        ctx["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r.as_str() == Some(format!("{stack}/{id}").as_str()))
    });
    let wildcard = ctx["wildcards"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(J::as_str)
        .any(|w| wildcard_of(&Value::from(w), service));
    named || wildcard || {
        let wanted: Vec<&J> = ctx["tags"].as_array().into_iter().flatten().collect();
        !wanted.is_empty()
            && own_tags().iter().any(|(k, v)| {
                wanted
                    .iter()
                    .any(|t| t[0] == k.as_str() && t[1] == v.as_str())
            })
    }
}

/// Reports a stateful resource no selection names.
pub(super) fn check(
    handle: &crate::CfnResource,
    type_name: &str,
    props: &Value,
    selections: &Selections,
) {
    let Some(service) = service(type_name, props) else {
        return;
    };
    let named = selections
        .resources
        .iter()
        .any(|v| refers_to(v, handle) || wildcard_of(v, service));
    // The tags synthesis will give it (its scopes' too), read only when a selection
    // goes by tag.
    let own_tags = || tags(&handle.properties_with_tags());
    let tagged =
        !selections.tags.is_empty() && own_tags().iter().any(|t| selections.tags.contains(t));
    if !named && !tagged && !selected_elsewhere(handle, service, &own_tags) {
        report(
            handle,
            Rule::BackupPlanCoverage,
            "no AWS Backup plan selects this resource; its automated backups live and die with the instance's account and region",
            "select it in a backup plan (rcdk_constructs::backup::BackupPlan::select), with a locked vault and a copy to another region for production",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_name_a_service_and_end_in_a_star() {
        assert!(wildcard_of(&Value::from("*"), "rds"));
        assert!(wildcard_of(&Value::from("arn:aws:rds:*:*:db:*"), "rds"));
        assert!(wildcard_of(&Value::from("arn:aws:*:*:*:*"), "dynamodb"));
        assert!(!wildcard_of(
            &Value::from("arn:aws:rds:*:*:db:prod-*x"),
            "rds"
        ));
        assert!(!wildcard_of(
            &Value::from("arn:aws:dynamodb:*:*:table/*"),
            "rds"
        ));
        assert!(!wildcard_of(
            &Value::from("arn:aws:rds:eu-west-1:1:db:main"),
            "rds"
        ));
    }
}
