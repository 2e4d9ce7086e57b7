//! Cross-stack references: exports, imports, dependencies, cycles, dangling references.

use rcdk::{App, CfnResource, Environment, Scope, Stack, StackProps, Value};
use rcdk_l1::ec2::{CfnSecurityGroup, CfnSecurityGroupProps, CfnVpc, CfnVpcProps};
use serde_json::json;

use crate::fixtures::{self, app, stack};
use crate::support::{resource, synth, synth_err, template};

fn vpc(scope: &Scope) -> CfnVpc {
    CfnVpc::new(
        scope,
        "Vpc",
        CfnVpcProps {
            cidr_block: Some("10.0.0.0/16".into()),
            ..Default::default()
        },
    )
}

fn sg_in(scope: &Scope, id: &str, vpc_id: rcdk::Expr<String>) -> CfnSecurityGroup {
    CfnSecurityGroup::new(
        scope,
        id,
        CfnSecurityGroupProps {
            vpc_id: Some(vpc_id),
            ..CfnSecurityGroupProps::new(id)
        },
    )
}

#[test]
fn references_become_exports_imports_and_a_dependency() {
    let assembly = synth(&fixtures::multi_stack_app());
    let outputs = &template(&assembly, "network")["Outputs"];
    assert_eq!(
        outputs["ExportsOutputRefVpc"],
        json!({"Value": {"Ref": "Vpc"}, "Export": {"Name": "network:ExportsOutputRefVpc"}})
    );
    assert_eq!(
        outputs["ExportsOutputFnGetAttVpcCidrBlock"],
        json!({"Value": {"Fn::GetAtt": ["Vpc", "CidrBlock"]}, "Export": {"Name": "network:ExportsOutputFnGetAttVpcCidrBlock"}})
    );
    // A list attribute is exported joined and imported split.
    assert_eq!(
        outputs["ExportsOutputFnGetAttVpcIpv6CidrBlocks"]["Value"],
        json!({"Fn::Join": ["||", {"Fn::GetAtt": ["Vpc", "Ipv6CidrBlocks"]}]})
    );
    let sg = resource(&assembly, "service", "Sg");
    assert_eq!(
        sg["Properties"]["VpcId"],
        json!({"Fn::ImportValue": "network:ExportsOutputRefVpc"})
    );
    assert_eq!(
        sg["Properties"]["SecurityGroupIngress"][1]["CidrIpv6"],
        json!({"Fn::Select": [0, {"Fn::Split": ["||", {"Fn::ImportValue": "network:ExportsOutputFnGetAttVpcIpv6CidrBlocks"}]}]})
    );
    assert_eq!(
        assembly.stack("service").map(|s| s.dependencies.clone()),
        Some(vec!["network".to_owned()])
    );
    let names: Vec<&str> = assembly
        .stacks
        .iter()
        .map(|s| s.stack_name.as_str())
        .collect();
    assert_eq!(names, ["network", "service"], "dependencies come first");
}

#[test]
fn a_reference_cycle_between_stacks_names_the_chain() {
    let app = app();
    let a = stack(&app, "stack-a");
    let b = stack(&app, "stack-b");
    let va = vpc(&a);
    let vb = vpc(&b);
    sg_in(&a, "UsesB", vb.ref_());
    sg_in(&b, "UsesA", va.ref_());
    let err = synth_err(&app);
    assert!(
        err.mentions("stacks depend on each other in a cycle: stack-a → stack-b → stack-a"),
        "{err}"
    );
}

#[test]
fn explicit_dependencies_join_the_cycle_check() {
    let app = app();
    let a = stack(&app, "a");
    let b = stack(&app, "b");
    let va = vpc(&a);
    vpc(&b);
    sg_in(&b, "UsesA", va.ref_());
    a.add_dependency(&b);
    let err = synth_err(&app);
    assert!(err.mentions("cycle: a → b → a"), "{err}");
}

#[test]
fn a_reference_to_a_removed_construct_is_dangling() {
    let app = app();
    let net = stack(&app, "net");
    let v = vpc(&net);
    sg_in(&net, "Sg", v.ref_());
    assert!(net.try_remove_child("Vpc"));
    let err = synth_err(&app);
    assert!(
        err.mentions("Ref refers to 'net/Vpc', which was removed from the tree"),
        "{err}"
    );
    assert_eq!(err.problems[0].path, "net/Sg");
    assert!(err.problems[0].message.ends_with("(at VpcId)"), "{err}");
}

#[test]
fn a_resource_outside_any_stack_is_an_error_and_so_are_references_to_it() {
    let app = app();
    let orphan = vpc(&app);
    let s = stack(&app, "s");
    sg_in(&s, "Sg", orphan.ref_());
    let err = synth_err(&app);
    assert!(
        err.mentions("resource 'Vpc' (AWS::EC2::VPC) is not inside a stack"),
        "{err}"
    );
    assert!(
        err.mentions("which is not in any stack (a dangling reference)"),
        "{err}"
    );
}

#[test]
fn a_reference_into_another_app_is_an_error() {
    let other = app();
    let o = stack(&other, "other");
    let foreign = vpc(&o);
    let app = app();
    let s = stack(&app, "s");
    sg_in(&s, "Sg", foreign.ref_());
    let err = synth_err(&app);
    assert!(
        err.mentions("refers to a construct of another app"),
        "{err}"
    );
}

/// `east` (123456789012, us-east-1) and `west` (210987654321, eu-west-1), which reads
/// deploy-time values across accounts through SSM when `west_opts_in`.
fn in_two_accounts(app: &App, west_opts_in: bool) -> (Stack, Stack) {
    let stack = |name: &str, account: &str, region: &str, opt_in: bool| {
        Stack::new(
            app,
            name,
            StackProps {
                env: Environment::new(account, region),
                cross_region_references: opt_in,
                ..Default::default()
            },
        )
    };
    (
        stack("east", "123456789012", "us-east-1", false),
        stack("west", "210987654321", "eu-west-1", west_opts_in),
    )
}

#[test]
fn references_across_accounts_are_rejected() {
    let app = App::with_context(Default::default(), "cdk.out");
    let (east, west) = in_two_accounts(&app, false);
    let v = vpc(&east);
    sg_in(&west, "Sg", v.ref_());
    let err = synth_err(&app);
    assert!(
        err.mentions(
            "crosses accounts (aws://123456789012/us-east-1 → aws://210987654321/eu-west-1) and its value is known only at deploy (the Ref of a AWS::EC2::VPC is assigned by CloudFormation); one account cannot read another's exports. Either give it a fixed name, so synthesis writes the value as text, or set cross_region_references: true in the StackProps of 'west': before 'west' deploys, rcdk deploy then reads the value from 'east' (through its account's lookup role) and writes it to the SSM parameter /rcdk/cross-region/east/CrossRegionRefVpc in west's account and region (or pass it as a template parameter, or share the resource through a resource policy naming that account)"
        ),
        "{err}"
    );
}

/// Opted in, a value known only at deploy reaches another account through SSM there:
/// the consumer reads an SSM-typed parameter, the producer publishes an output, and the
/// consumer's template tells rcdk deploy where to read it before the consumer deploys.
#[test]
fn a_deploy_time_value_crosses_accounts_through_ssm_in_the_consumers_account() {
    let app = App::with_context(Default::default(), "cdk.out");
    let (east, west) = in_two_accounts(&app, true);
    let v = vpc(&east);
    sg_in(&west, "Sg", v.ref_());
    let assembly = synth(&app);
    let consumer = template(&assembly, "west");
    assert_eq!(
        consumer["Parameters"]["EastCrossRegionRefVpc"]["Type"],
        "AWS::SSM::Parameter::Value<String>"
    );
    assert_eq!(
        consumer["Resources"]["Sg"]["Properties"]["VpcId"],
        json!({"Ref": "EastCrossRegionRefVpc"})
    );
    // What rcdk deploy reads (from east's account) before west deploys.
    assert_eq!(
        consumer["Metadata"]["rcdk:cross-account-values"],
        json!([{"Parameter": "/rcdk/cross-region/east/CrossRegionRefVpc", "Stack": "east",
                "Account": "123456789012", "Region": "us-east-1",
                "Output": "CrossRegionRefVpc", "List": false}])
    );
    let producer = template(&assembly, "east");
    assert_eq!(
        producer["Outputs"]["CrossRegionRefVpc"],
        json!({"Value": {"Ref": "Vpc"}}),
        "an output, not an export: no account imports another's"
    );
    assert!(
        producer.get("Metadata").is_none()
            || producer["Metadata"]
                .get("rcdk:cross-region-parameters")
                .is_none()
    );
}

#[test]
fn a_named_resource_of_another_account_is_referred_to_by_its_arn_as_text() {
    use rcdk_constructs::ecr::{Repository, RepositoryProps};
    let app = App::with_context(Default::default(), "cdk.out");
    let shared = Stack::new(
        &app,
        "images",
        StackProps {
            env: Environment::new("123456789012", "us-east-1"),
            ..Default::default()
        },
    );
    let dev = Stack::new(
        &app,
        "dev",
        StackProps {
            env: Environment::new("111111111111", "us-east-1"),
            ..Default::default()
        },
    );
    let repository = Repository::new(
        &shared,
        "Web",
        RepositoryProps {
            repository_name: Some("acme/web".into()),
            ..Default::default()
        },
    );
    rcdk_l1::sns::CfnTopic::new(
        &dev,
        "T",
        rcdk_l1::sns::CfnTopicProps {
            display_name: Some(repository.uri()),
            topic_name: Some(repository.arn()),
            ..Default::default()
        },
    );
    let assembly = synth(&app);
    let t = template(&assembly, "dev");
    assert_eq!(
        t["Resources"]["T"]["Properties"],
        serde_json::json!({
            "DisplayName": {"Fn::Sub": "123456789012.dkr.ecr.us-east-1.${AWS::URLSuffix}/acme/web"},
            "TopicName": {"Fn::Sub": "arn:${AWS::Partition}:ecr:us-east-1:123456789012:repository/acme/web"}
        })
    );
    // Nothing is exported from the other account, and the repository deploys first.
    assert!(template(&assembly, "images").get("Outputs").is_none());
    assert_eq!(
        assembly.stack("dev").map(|s| s.dependencies.clone()),
        Some(vec!["images".to_owned()])
    );
}

#[test]
fn conditions_cannot_be_used_from_another_stack() {
    let app = app();
    let a = stack(&app, "a");
    let b = stack(&app, "b");
    vpc(&a);
    let c = rcdk::CfnCondition::new(
        &a,
        "IsProd",
        rcdk::fns::equals(rcdk::fns::region(), "us-east-1"),
    );
    let r = CfnResource::raw(
        &b,
        "P",
        "AWS::SSM::Parameter",
        Value::object([("Type", Value::from("String")), ("Value", Value::from("x"))]),
    );
    r.set_condition(&c);
    let err = synth_err(&app);
    assert!(
        err.mentions(
            "condition 'a/IsProd' belongs to stack 'a'; it can only be used inside its own stack"
        ),
        "{err}"
    );
}

/// A rule that connects two stacks goes where it adds no cycle: here the service stack
/// already reads the data stack, so the rule cannot live in the data stack.
#[test]
fn a_floating_resource_lands_in_the_stack_that_avoids_a_cycle() {
    use rcdk_l1::ec2::{CfnSecurityGroupIngress, CfnSecurityGroupIngressProps};
    let app = app();
    let data = stack(&app, "data");
    let service = stack(&app, "service");
    let net = vpc(&data);
    let db_sg = sg_in(&data, "DbSg", net.ref_());
    let app_sg = sg_in(&service, "AppSg", net.ref_());
    let rule = CfnSecurityGroupIngressProps {
        group_id: Some(db_sg.attr_group_id()),
        source_security_group_id: Some(app_sg.attr_group_id()),
        from_port: Some(5432.into()),
        to_port: Some(5432.into()),
        description: Some("Postgres from the service".into()),
        ..CfnSecurityGroupIngressProps::new("tcp")
    };
    CfnResource::new_floating(
        &[&data, &service],
        "DbFromApp",
        CfnSecurityGroupIngress::TYPE_NAME,
        rule,
    );
    let assembly = synth(&app);
    let moved = resource(&assembly, "service", "DbFromApp");
    assert_eq!(moved["Metadata"]["aws:cdk:path"], "service/DbFromApp");
    assert_eq!(
        moved["Properties"]["GroupId"],
        json!({"Fn::ImportValue": "data:ExportsOutputFnGetAttDbSgGroupId"})
    );
    assert!(
        template(&assembly, "data")["Resources"]
            .get("DbFromApp")
            .is_none()
    );
    assert_eq!(
        assembly.stack("service").map(|s| s.dependencies.clone()),
        Some(vec!["data".to_owned()])
    );
}

#[test]
fn a_floating_resource_stays_home_when_that_is_fine() {
    use rcdk_l1::ec2::{CfnSecurityGroupIngress, CfnSecurityGroupIngressProps};
    let app = app();
    let a = stack(&app, "a");
    let b = stack(&app, "b");
    let va = vpc(&a);
    let vb = vpc(&b);
    let sa = sg_in(&a, "SgA", va.ref_());
    let sb = sg_in(&b, "SgB", vb.ref_());
    let rule = CfnSecurityGroupIngressProps {
        group_id: Some(sa.attr_group_id()),
        source_security_group_id: Some(sb.attr_group_id()),
        from_port: Some(443.into()),
        to_port: Some(443.into()),
        ..CfnSecurityGroupIngressProps::new("tcp")
    };
    CfnResource::new_floating(
        &[&a, &b],
        "AFromB",
        CfnSecurityGroupIngress::TYPE_NAME,
        rule,
    );
    let assembly = synth(&app);
    assert!(
        template(&assembly, "a")["Resources"]
            .get("AFromB")
            .is_some()
    );
}
