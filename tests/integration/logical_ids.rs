//! Logical ids: readable, stable, collisions and over-long ids rejected with both paths.

use rcdk::{RemovalPolicy, Scope};
use rcdk_l1::logs::{CfnLogGroup, CfnLogGroupProps};

use crate::fixtures::{app, stack};
use crate::support::{resource, synth, synth_err, template};

fn log_group(scope: &Scope, id: &str) -> CfnLogGroup {
    let g = CfnLogGroup::new(
        scope,
        id,
        CfnLogGroupProps {
            retention_in_days: Some(7.into()),
            ..Default::default()
        },
    );
    g.apply_removal_policy(RemovalPolicy::Destroy);
    g
}

#[test]
fn ids_are_pascal_case_of_the_path_below_the_stack() {
    let app = app();
    let s = stack(&app, "ids");
    let service = Scope::new(&s, "web-service");
    log_group(&Scope::new(&service, "access_logs"), "Resource");
    log_group(&service, "Default");
    let assembly = synth(&app);
    let resources = template(&assembly, "ids")["Resources"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let ids: Vec<&String> = resources.keys().collect();
    assert_eq!(ids, ["WebService", "WebServiceAccessLogs"]);
    assert_eq!(
        resource(&assembly, "ids", "WebServiceAccessLogs")["Metadata"]["aws:cdk:path"],
        "ids/web-service/access_logs/Resource"
    );
}

#[test]
fn colliding_ids_name_both_paths() {
    let app = app();
    let s = stack(&app, "ids");
    log_group(&Scope::new(&s, "A"), "BC");
    log_group(&Scope::new(&s, "AB"), "C");
    let err = synth_err(&app);
    assert_eq!(err.problems.len(), 1, "{err}");
    let p = &err.problems[0];
    assert_eq!(p.path, "ids/AB/C");
    assert_eq!(
        p.message,
        "logical id 'ABC' collides with the one of 'ids/A/BC'"
    );
    assert!(
        p.hint
            .as_deref()
            .is_some_and(|h| h.contains("override_logical_id"))
    );
}

#[test]
fn an_override_resolves_a_collision_and_survives_moves() {
    let app = app();
    let s = stack(&app, "ids");
    log_group(&Scope::new(&s, "A"), "BC");
    let moved = log_group(&Scope::new(&s, "AB"), "C");
    moved.override_logical_id("LegacyLogs");
    let assembly = synth(&app);
    assert_eq!(
        resource(&assembly, "ids", "LegacyLogs")["Metadata"]["aws:cdk:path"],
        "ids/AB/C"
    );
    assert!(template(&assembly, "ids")["Resources"].get("ABC").is_some());
}

#[test]
fn over_long_ids_are_rejected() {
    let app = app();
    let s = stack(&app, "ids");
    let mut scope = Scope::new(&s, "Level");
    for i in 0..30 {
        scope = Scope::new(&scope, &format!("NestedLevel{i}"));
    }
    log_group(&scope, "Logs");
    let err = synth_err(&app);
    assert!(
        err.problems[0]
            .message
            .contains("characters long, over CloudFormation's 255"),
        "{err}"
    );
    assert!(
        err.problems[0].path.starts_with("ids/Level/NestedLevel0/"),
        "{err}"
    );
}

#[test]
fn invalid_override_is_rejected() {
    let app = app();
    let s = stack(&app, "ids");
    log_group(&s, "Logs").override_logical_id("not-valid");
    let err = synth_err(&app);
    assert_eq!(
        err.problems[0].message,
        "logical id 'not-valid' is invalid: only letters and digits are allowed"
    );
}

#[test]
fn duplicate_construct_ids_are_rejected() {
    let app = app();
    let s = stack(&app, "ids");
    log_group(&s, "Logs");
    log_group(&s, "Logs");
    let err = synth_err(&app);
    assert!(
        err.mentions("there is already a construct with id 'Logs' in 'ids'"),
        "{err}"
    );
}
