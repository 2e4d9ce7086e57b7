//! Values that belong to a stack keep their meaning in the stack that uses them: a
//! `Fn::Sub` with `${AWS::StackName}` or `${AWS::Region}` built in one stack and rendered
//! in another, in the same and in different environments.

use rcdk::{App, CfnResource, Environment, Expr, Stack, StackProps, Value, fns};
use serde_json::{Value as J, json};

use crate::fixtures::app;
use crate::support::{synth, synth_err, template};

fn stack_in(app: &App, name: &str, env: Environment) -> Stack {
    Stack::new(
        app,
        name,
        StackProps {
            env,
            ..Default::default()
        },
    )
}

/// A parameter in `stack` whose value is `value`, to see how `value` renders there.
fn use_in(stack: &Stack, id: &str, value: Expr<String>) {
    CfnResource::raw(
        stack,
        id,
        "AWS::SSM::Parameter",
        Value::object([
            ("Type", Value::from("String")),
            ("Value", Value::from(&value)),
        ]),
    );
}

fn value_of(assembly: &rcdk::CloudAssembly, stack: &str, id: &str) -> J {
    template(assembly, stack)["Resources"][id]["Properties"]["Value"].clone()
}

fn east() -> Environment {
    Environment::new("111111111111", "us-east-1")
}

#[test]
fn a_stack_name_built_in_one_stack_is_that_stacks_name_everywhere() {
    let app = app();
    let producer = stack_in(&app, "prod-app", east());
    let consumer = stack_in(&app, "prod-monitoring", east());
    let name = producer.aws().sub("${AWS::StackName}-WebAcl");
    use_in(&producer, "Home", name.clone());
    use_in(&consumer, "Away", name);
    // The unscoped form means the consumer's stack, as CloudFormation reads it.
    use_in(&consumer, "Own", fns::sub("${AWS::StackName}-WebAcl"));
    let a = synth(&app);
    assert_eq!(
        value_of(&a, "prod-app", "Home"),
        json!({"Fn::Sub": "${AWS::StackName}-WebAcl"})
    );
    assert_eq!(
        value_of(&a, "prod-monitoring", "Away"),
        json!("prod-app-WebAcl")
    );
    assert_eq!(
        value_of(&a, "prod-monitoring", "Own"),
        json!({"Fn::Sub": "${AWS::StackName}-WebAcl"})
    );
    assert!(
        a.stack("prod-monitoring")
            .expect("stack")
            .dependencies
            .is_empty(),
        "a literal needs no export and no dependency"
    );
}

#[test]
fn a_region_keeps_its_meaning_within_and_across_environments() {
    let app = app();
    let producer = stack_in(&app, "primary", east());
    use_in(&producer, "Home", "x".into());
    let same = stack_in(&app, "same-env", east());
    let west = stack_in(&app, "dr", Environment::new("111111111111", "us-west-2"));
    let endpoint = producer
        .aws()
        .sub("logs.${AWS::Region}.${AWS::URLSuffix}/${AWS::StackName}");
    use_in(&same, "Endpoint", endpoint.clone());
    use_in(&west, "Endpoint", endpoint);
    use_in(&west, "Account", producer.aws().account_id());
    use_in(&west, "Partition", producer.aws().partition());
    let a = synth(&app);
    // Same account and region: the consumer's own pseudo parameters mean the same.
    assert_eq!(
        value_of(&a, "same-env", "Endpoint"),
        json!({"Fn::Sub": "logs.${AWS::Region}.${AWS::URLSuffix}/primary"})
    );
    // Another region: the producer's values, written out.
    assert_eq!(
        value_of(&a, "dr", "Endpoint"),
        json!("logs.us-east-1.amazonaws.com/primary")
    );
    assert_eq!(value_of(&a, "dr", "Account"), json!("111111111111"));
    assert_eq!(value_of(&a, "dr", "Partition"), json!("aws"));
}

#[test]
fn a_value_synthesis_cannot_know_is_exported_by_its_stack() {
    let app = app();
    let producer = stack_in(&app, "producer", east());
    use_in(&producer, "Home", "x".into());
    let consumer = stack_in(&app, "consumer", east());
    use_in(&consumer, "Id", producer.aws().stack_id());
    use_in(
        &consumer,
        "Tagged",
        producer.aws().sub("${AWS::StackId}/${AWS::StackName}"),
    );
    let a = synth(&app);
    assert_eq!(
        template(&a, "producer")["Outputs"]["ExportsOutputRefAWSStackId"],
        json!({"Value": {"Ref": "AWS::StackId"}, "Export": {"Name": "producer:ExportsOutputRefAWSStackId"}})
    );
    assert_eq!(
        value_of(&a, "consumer", "Id"),
        json!({"Fn::ImportValue": "producer:ExportsOutputRefAWSStackId"})
    );
    assert_eq!(
        value_of(&a, "consumer", "Tagged"),
        json!({"Fn::Sub": ["${AWSStackId}/producer", {"AWSStackId": {"Fn::ImportValue": "producer:ExportsOutputRefAWSStackId"}}]})
    );
    assert_eq!(
        a.stack("consumer").expect("stack").dependencies,
        ["producer"]
    );
}

#[test]
fn an_unknown_value_in_another_environment_is_an_error_not_the_consumers_value() {
    let app = app();
    let agnostic = stack_in(&app, "agnostic", Environment::default());
    let west = stack_in(&app, "west", Environment::new("111111111111", "us-west-2"));
    use_in(&west, "Region", agnostic.aws().sub("${AWS::Region}"));
    let err = synth_err(&app);
    assert!(
        err.mentions("a reference to 'agnostic' crosses environments (aws://unknown-account/unknown-region → aws://111111111111/us-west-2)"),
        "{err}"
    );
}
