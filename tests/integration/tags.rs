//! Tags: propagation to taggable resources, priority, include/exclude, formats.

use rcdk::{CfnResource, Scope, Stack, StackProps, TagProps, Tags, Value};
use rcdk_l1::CfnTag;
use rcdk_l1::autoscaling::{CfnAutoScalingGroup, CfnAutoScalingGroupProps};
use rcdk_l1::ec2::{CfnVpc, CfnVpcGatewayAttachment, CfnVpcGatewayAttachmentProps, CfnVpcProps};
use serde_json::json;

use crate::fixtures::{app, env, stack};
use crate::support::{resource, synth};

fn vpc(scope: &Scope, id: &str) -> CfnVpc {
    CfnVpc::new(
        scope,
        id,
        CfnVpcProps {
            cidr_block: Some("10.0.0.0/16".into()),
            ..Default::default()
        },
    )
}

#[test]
fn tags_reach_every_taggable_resource_below_the_scope_sorted_by_key() {
    let app = app();
    let s = stack(&app, "tags");
    let inner = Scope::new(&s, "Inner");
    let v = vpc(&inner, "Vpc");
    CfnVpcGatewayAttachment::new(
        &inner,
        "Attach",
        CfnVpcGatewayAttachmentProps::new(v.ref_()),
    );
    vpc(&s, "Outside");
    Tags::of(&app).add("Project", "p");
    Tags::of(&inner).add("Cost", "42");
    let assembly = synth(&app);
    assert_eq!(
        resource(&assembly, "tags", "InnerVpc")["Properties"]["Tags"],
        json!([{"Key": "Cost", "Value": "42"}, {"Key": "Project", "Value": "p"}])
    );
    assert_eq!(
        resource(&assembly, "tags", "Outside")["Properties"]["Tags"],
        json!([{"Key": "Project", "Value": "p"}])
    );
    // Not taggable per its schema: no Tags property appears.
    assert!(
        resource(&assembly, "tags", "InnerAttach")["Properties"]
            .get("Tags")
            .is_none()
    );
}

#[test]
fn deeper_scope_wins_at_equal_priority_and_higher_priority_wins_overall() {
    let app = app();
    let s = stack(&app, "tags");
    let team = Scope::new(&s, "Team");
    vpc(&team, "Vpc");
    Tags::of(&app).add("Owner", "platform");
    Tags::of(&team).add("Owner", "team");
    Tags::of(&app).add_with(
        "Tier",
        "gold",
        TagProps {
            priority: Some(300),
            ..Default::default()
        },
    );
    Tags::of(&team).add("Tier", "bronze");
    let assembly = synth(&app);
    assert_eq!(
        resource(&assembly, "tags", "TeamVpc")["Properties"]["Tags"],
        json!([{"Key": "Owner", "Value": "team"}, {"Key": "Tier", "Value": "gold"}])
    );
}

#[test]
fn scope_tags_override_props_tags_and_remove_deletes_them() {
    let app = app();
    let s = stack(&app, "tags");
    CfnVpc::new(
        &s,
        "Vpc",
        CfnVpcProps {
            cidr_block: Some("10.0.0.0/16".into()),
            tags: Some(vec![
                CfnTag::new("Name", "main"),
                CfnTag::new("Owner", "me"),
                CfnTag::new("Temp", "x"),
            ]),
            ..Default::default()
        },
    );
    Tags::of(&s).add("Owner", "platform");
    Tags::of(&s).remove("Temp");
    let assembly = synth(&app);
    assert_eq!(
        resource(&assembly, "tags", "Vpc")["Properties"]["Tags"],
        json!([{"Key": "Name", "Value": "main"}, {"Key": "Owner", "Value": "platform"}])
    );
}

#[test]
fn include_and_exclude_filter_by_resource_type() {
    let app = app();
    let s = stack(&app, "tags");
    vpc(&s, "Vpc");
    CfnResource::raw(
        &s,
        "Param",
        "AWS::SSM::Parameter",
        Value::object([("Type", Value::from("String")), ("Value", Value::from("v"))]),
    );
    Tags::of(&s).add_with(
        "OnlyParams",
        "yes",
        TagProps {
            include_resource_types: vec!["AWS::SSM::Parameter".into()],
            ..Default::default()
        },
    );
    Tags::of(&s).add_with(
        "NotParams",
        "yes",
        TagProps {
            exclude_resource_types: vec!["AWS::SSM::Parameter".into()],
            ..Default::default()
        },
    );
    let assembly = synth(&app);
    assert_eq!(
        resource(&assembly, "tags", "Vpc")["Properties"]["Tags"],
        json!([{"Key": "NotParams", "Value": "yes"}])
    );
    // SSM parameters take tags as a map, per their schema.
    assert_eq!(
        resource(&assembly, "tags", "Param")["Properties"]["Tags"],
        json!({"OnlyParams": "yes"})
    );
}

#[test]
fn auto_scaling_group_tags_carry_propagate_at_launch() {
    let app = app();
    let s = stack(&app, "tags");
    CfnAutoScalingGroup::new(
        &s,
        "Asg",
        CfnAutoScalingGroupProps {
            vpc_zone_identifier: Some(vec!["subnet-1"].into()),
            launch_template: None,
            ..CfnAutoScalingGroupProps::new("3", "1")
        },
    );
    Tags::of(&s).add("Project", "p");
    Tags::of(&s).add_with(
        "Internal",
        "x",
        TagProps {
            apply_to_launched_instances: Some(false),
            ..Default::default()
        },
    );
    let assembly = synth(&app);
    assert_eq!(
        resource(&assembly, "tags", "Asg")["Properties"]["Tags"],
        json!([
            {"Key": "Internal", "PropagateAtLaunch": false, "Value": "x"},
            {"Key": "Project", "PropagateAtLaunch": true, "Value": "p"}
        ])
    );
}

#[test]
fn stack_props_tags_tag_the_stack_and_its_resources() {
    let app = app();
    let s = Stack::new(
        &app,
        "tagged",
        StackProps {
            env: env(),
            tags: [("CostCode".to_owned(), "cc-1".to_owned())].into(),
            ..Default::default()
        },
    );
    vpc(&s, "Vpc");
    let assembly = synth(&app);
    assert_eq!(
        resource(&assembly, "tagged", "Vpc")["Properties"]["Tags"],
        json!([{"Key": "CostCode", "Value": "cc-1"}])
    );
    assert_eq!(
        assembly.manifest()["artifacts"]["tagged"]["properties"]["tags"],
        json!({"CostCode": "cc-1"})
    );
}

#[test]
fn reserved_tag_keys_are_rejected() {
    let app = app();
    let s = stack(&app, "tags");
    vpc(&s, "Vpc");
    Tags::of(&s).add("aws:owner", "x");
    let err = crate::support::synth_err(&app);
    assert!(
        err.mentions("tag key 'aws:owner' uses the reserved prefix 'aws:'"),
        "{err}"
    );
}
