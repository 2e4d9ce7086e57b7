//! Aspects: visit every construct, annotate, change resources; priority order.

use std::cell::RefCell;
use std::rc::Rc;

use rcdk::{AspectPriority, Aspects, RemovalPolicy, Scope, Value};
use rcdk_l1::logs::{CfnLogGroup, CfnLogGroupProps};
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::support::{resource, synth, synth_err};

fn log_group(scope: &Scope, id: &str, retention: Option<i64>) -> CfnLogGroup {
    let g = CfnLogGroup::new(
        scope,
        id,
        CfnLogGroupProps {
            retention_in_days: retention.map(Into::into),
            ..Default::default()
        },
    );
    g.apply_removal_policy(RemovalPolicy::Destroy);
    g
}

/// Flags log groups that keep logs forever.
fn require_retention(node: &Scope) {
    if let Some(r) = node.as_resource()
        && r.resource_type() == "AWS::Logs::LogGroup"
        && r.properties().get_path(&["RetentionInDays"]).is_none()
    {
        r.add_error("log group keeps logs forever; set retention_in_days");
    }
}

#[test]
fn an_aspect_error_fails_synthesis_naming_the_construct() {
    let app = app();
    let s = stack(&app, "aspects");
    log_group(&s, "Kept", Some(30));
    log_group(&Scope::new(&s, "Team"), "Forever", None);
    Aspects::of(&app).add(require_retention);
    let err = synth_err(&app);
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(err.problems[0].path, "aspects/Team/Forever");
    assert_eq!(
        err.problems[0].message,
        "log group keeps logs forever; set retention_in_days"
    );
}

#[test]
fn warnings_reach_the_manifest_and_do_not_fail() {
    let app = app();
    let s = stack(&app, "aspects");
    log_group(&s, "Logs", Some(30));
    Aspects::of(&s).add(|node: &Scope| {
        if node.as_resource().is_some() {
            node.add_warning("reviewed by the platform team");
        }
    });
    let assembly = synth(&app);
    assert_eq!(
        assembly.warnings(),
        ["aspects/Logs: reviewed by the platform team"]
    );
    assert_eq!(
        assembly.manifest()["artifacts"]["aspects"]["metadata"]["/aspects/Logs"],
        json!([{"type": "aws:cdk:warning", "data": "reviewed by the platform team"}])
    );
}

#[test]
fn mutating_aspects_change_resources_and_run_in_priority_order() {
    let app = app();
    let s = stack(&app, "aspects");
    log_group(&s, "Logs", None);
    let order = Rc::new(RefCell::new(Vec::new()));
    let seen = Rc::clone(&order);
    Aspects::of(&app).add_with_priority(
        move |node: &Scope| {
            if node.as_resource().is_some() {
                seen.borrow_mut().push("readonly");
            }
        },
        AspectPriority::READONLY,
    );
    let seen = Rc::clone(&order);
    Aspects::of(&s).add_with_priority(
        move |node: &Scope| {
            if let Some(r) = node.as_resource() {
                seen.borrow_mut().push("mutating");
                r.add_property_override("RetentionInDays", Value::Int(90));
            }
        },
        AspectPriority::MUTATING,
    );
    let assembly = synth(&app);
    assert_eq!(*order.borrow(), ["mutating", "readonly"]);
    assert_eq!(
        resource(&assembly, "aspects", "Logs")["Properties"]["RetentionInDays"],
        json!(90)
    );
}

#[test]
fn removal_policies_map_to_deletion_and_update_replace_policies() {
    let app = app();
    let s = stack(&app, "removal");
    let kept = log_group(&s, "Kept", Some(7));
    kept.apply_removal_policy(RemovalPolicy::Retain);
    let created = log_group(&s, "OnCreate", Some(7));
    created.apply_removal_policy(RemovalPolicy::RetainOnUpdateOrDelete);
    log_group(&s, "Gone", Some(7));
    let assembly = synth(&app);
    let policies = |id: &str| {
        let r = resource(&assembly, "removal", id);
        (
            r["DeletionPolicy"].clone(),
            r["UpdateReplacePolicy"].clone(),
        )
    };
    assert_eq!(policies("Kept"), (json!("Retain"), json!("Retain")));
    assert_eq!(
        policies("OnCreate"),
        (json!("RetainExceptOnCreate"), json!("Retain"))
    );
    assert_eq!(policies("Gone"), (json!("Delete"), json!("Delete")));
}

#[test]
fn snapshot_removal_policy_is_only_for_stateful_types() {
    let app = app();
    let s = stack(&app, "removal");
    log_group(&s, "Logs", Some(7)).apply_removal_policy(RemovalPolicy::Snapshot);
    let err = synth_err(&app);
    assert!(
        err.mentions("removal policy SNAPSHOT is not supported by AWS::Logs::LogGroup"),
        "{err}"
    );
}
