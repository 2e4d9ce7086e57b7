//! CloudFormation quotas and naming rules, checked at synthesis.

use rcdk::{
    CfnOutput, CfnParameter, CfnResource, OutputProps, ParameterProps, Stack, StackProps, Value,
};

use crate::fixtures::{app, env, stack};
use crate::support::{synth, synth_err};

fn param(scope: &rcdk::Scope, id: &str, value: Value) -> CfnResource {
    CfnResource::raw(
        scope,
        id,
        "AWS::SSM::Parameter",
        Value::object([("Type", Value::from("String")), ("Value", value)]),
    )
}

#[test]
fn five_hundred_resources_pass_and_five_hundred_one_fail() {
    let app = app();
    let s = stack(&app, "big");
    for i in 0..500 {
        param(&s, &format!("P{i}"), Value::from("x"));
    }
    assert_eq!(
        synth(&app).stack("big").map(|s| s.resource_count()),
        Some(500)
    );
    param(&s, "OneTooMany", Value::from("x"));
    let err = synth_err(&app);
    assert_eq!(
        err.problems[0].message,
        "stack 'big' has 501 resources, over CloudFormation's limit of 500"
    );
    assert!(
        err.problems[0]
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("split the stack"))
    );
}

#[test]
fn outputs_and_parameters_are_limited_to_two_hundred() {
    let app = app();
    let s = stack(&app, "many");
    let r = param(&s, "P", Value::from("x"));
    for i in 0..201 {
        CfnOutput::new(&s, &format!("O{i}"), OutputProps::new(r.ref_()));
        let p = CfnParameter::string(&s, &format!("In{i}"), ParameterProps::default());
        param(&s, &format!("Uses{i}"), Value::from(p.value()));
    }
    let err = synth_err(&app);
    assert!(
        err.mentions("stack 'many' has 201 outputs, over CloudFormation's limit of 200"),
        "{err}"
    );
    assert!(
        err.mentions("stack 'many' has 201 parameters, over CloudFormation's limit of 200"),
        "{err}"
    );
}

#[test]
fn a_template_over_one_megabyte_is_rejected_and_over_51200_bytes_is_not_an_annotation() {
    let app = app();
    let s = stack(&app, "heavy");
    for i in 0..12 {
        param(&s, &format!("P{i}"), Value::from("v".repeat(4096)));
    }
    let assembly = synth(&app);
    let artifact = assembly.stack("heavy").expect("stack");
    assert!(artifact.template_json.len() > 51_200);
    // The inline limit is deploy's business (it says so for the stacks it deploys), not
    // a note every command repeats for every stack.
    assert!(
        artifact.annotations.is_empty(),
        "{:?}",
        artifact.annotations
    );
    for i in 12..260 {
        param(&s, &format!("P{i}"), Value::from("v".repeat(4096)));
    }
    let err = synth_err(&app);
    assert!(
        err.mentions("bytes as sent (compact JSON), over CloudFormation's limit of 1000000 bytes"),
        "{err}"
    );
}

#[test]
fn stack_names_are_validated_and_unique() {
    let app = app();
    for (id, name) in [
        ("a", "1st-stack"),
        ("b", "has_underscore"),
        ("c", "dup"),
        ("d", "dup"),
    ] {
        let s = Stack::new(
            &app,
            id,
            StackProps {
                stack_name: Some(name.into()),
                env: env(),
                ..Default::default()
            },
        );
        param(&s, "P", Value::from("x"));
    }
    let err = synth_err(&app);
    assert!(err.mentions("stack name '1st-stack' is invalid"), "{err}");
    assert!(
        err.mentions("stack name 'has_underscore' is invalid"),
        "{err}"
    );
    assert!(
        err.mentions("stack name 'dup' is also used by 'c'"),
        "{err}"
    );
}

#[test]
fn empty_stacks_and_empty_apps_are_errors() {
    let app = app();
    stack(&app, "empty");
    let err = synth_err(&app);
    assert!(
        err.mentions("stack has no resources; CloudFormation requires at least one"),
        "{err}"
    );
    let err = synth_err(&crate::fixtures::app());
    assert!(err.mentions("the app defines no stacks"), "{err}");
}

#[test]
fn nested_stacks_are_rejected() {
    let app = app();
    let outer = stack(&app, "outer");
    param(&outer, "P", Value::from("x"));
    let inner = rcdk::Stack::new(
        &outer,
        "inner",
        StackProps {
            env: env(),
            ..Default::default()
        },
    );
    param(&inner, "P", Value::from("x"));
    let err = synth_err(&app);
    assert!(
        err.mentions("a stack cannot be created inside another stack"),
        "{err}"
    );
}

#[test]
fn a_parameter_default_outside_its_allowed_values_is_rejected() {
    let app = app();
    let s = stack(&app, "params");
    let p = CfnParameter::integer(
        &s,
        "Days",
        ParameterProps {
            default: Some(14.into()),
            allowed_values: vec!["7".into(), "30".into()],
            ..Default::default()
        },
    );
    param(
        &s,
        "P",
        Value::from(rcdk::fns::join(
            ",",
            [rcdk::Expr::<String>::unchecked(p.value().into_value())],
        )),
    );
    let err = synth_err(&app);
    assert_eq!(err.problems[0].path, "params/Days");
    assert_eq!(
        err.problems[0].message,
        "default 14 of the parameter is not one of its allowed values [\"7\", \"30\"]"
    );
}

#[test]
fn mappings_are_limited_to_two_hundred() {
    let app = app();
    let s = stack(&app, "maps");
    for i in 0..201 {
        let m = rcdk::CfnMapping::new(
            &s,
            &format!("M{i}"),
            [("k".to_owned(), [("v".to_owned(), Value::from("x"))].into())].into(),
        );
        param(
            &s,
            &format!("Uses{i}"),
            Value::from(m.find::<String>("k", "v")),
        );
    }
    let err = synth_err(&app);
    assert!(
        err.mentions("stack 'maps' has 201 mappings, over CloudFormation's limit of 200"),
        "{err}"
    );
}

/// CloudFormation counts the bytes it receives, and deploy sends compact JSON: a
/// template whose readable form in cdk.out is over 1 MB but whose compact form is not
/// is accepted.
#[test]
fn the_size_limit_is_measured_on_the_compact_template() {
    let app = app();
    let s = stack(&app, "indented");
    // Deep lists: indentation makes the pretty form several times the compact one.
    let items = Value::list(
        (0..100_000)
            .map(|i| Value::from(i % 10))
            .collect::<Vec<_>>(),
    );
    CfnResource::raw(
        &s,
        "Wide",
        "AWS::SSM::Parameter",
        Value::object([("Type", Value::from("StringList")), ("Value", items)]),
    );
    let assembly = synth(&app);
    let artifact = assembly.stack("indented").expect("stack");
    let compact = serde_json::to_vec(&artifact.template).expect("json").len();
    assert!(
        artifact.template_json.len() > 1_000_000,
        "{}",
        artifact.template_json.len()
    );
    assert!(compact < 1_000_000, "{compact}");
}
