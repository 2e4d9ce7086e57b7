//! Security group rules between constructs, within a stack and across stacks.

use rcdk::Value;
use rcdk_constructs::connections::{HasConnections, Peer, Port, SecurityGroup, SecurityGroupProps};
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::l2_fixtures;
use crate::support::{synth, synth_err, template};

const RULE: &str = "DatabaseSecurityGroupFromServiceSecurityGroupTcp5432";
const EGRESS: &str = "ServiceSecurityGroupToDatabaseSecurityGroupTcp5432";

#[test]
fn cross_stack_rule_lands_in_the_consumer_stack_without_a_cycle() {
    // The service reads the database endpoint (service → data), so a rule that names the
    // service's group must live in the service stack, not in the data stack.
    let assembly = synth(&l2_fixtures::data_app(true));
    let data = template(&assembly, "data");
    let service = template(&assembly, "service");
    assert!(data["Resources"].get(RULE).is_none());
    let rule = &service["Resources"][RULE];
    assert_eq!(rule["Type"], "AWS::EC2::SecurityGroupIngress");
    assert_eq!(
        rule["Properties"],
        json!({
            "Description": "Postgres from the web service",
            "FromPort": 5432,
            "GroupId": {"Fn::ImportValue": "data:ExportsOutputFnGetAttDatabaseSecurityGroupGroupId"},
            "IpProtocol": "tcp",
            "SourceSecurityGroupId": {"Fn::GetAtt": ["ServiceSecurityGroup", "GroupId"]},
            "ToPort": 5432
        })
    );
    // The service's closed egress opens to exactly the database.
    let egress = &service["Resources"][EGRESS]["Properties"];
    assert_eq!(
        egress["GroupId"],
        json!({"Fn::GetAtt": ["ServiceSecurityGroup", "GroupId"]})
    );
    assert_eq!(
        egress["DestinationSecurityGroupId"],
        rule["Properties"]["GroupId"]
    );
    let deps = |name: &str| {
        assembly
            .stack(name)
            .map(|s| s.dependencies.clone())
            .unwrap_or_default()
    };
    assert!(
        !deps("data").contains(&"service".to_owned()),
        "data must not depend on service"
    );
    assert!(deps("service").contains(&"data".to_owned()));
}

#[test]
fn rule_follows_the_dependency_whichever_way_it_points() {
    // Here the database stack reads the service group (data → service): the rule moves
    // to the data stack.
    let app = app();
    let svc = stack(&app, "service");
    let sg = SecurityGroup::new(
        &svc,
        "ServiceSecurityGroup",
        SecurityGroupProps::new("vpc-1", "Web service tasks"),
    );
    let data = stack(&app, "data");
    let db = SecurityGroup::new(
        &data,
        "DatabaseSecurityGroup",
        SecurityGroupProps::new("vpc-1", "Database"),
    );
    rcdk::CfnResource::raw(
        &data,
        "AllowedClient",
        "AWS::SSM::Parameter",
        Value::object([
            ("Type", Value::from("String")),
            ("Value", Value::from(sg.group_id())),
        ]),
    );
    db.connections()
        .allow_from(&sg, Port::tcp(5432), "Postgres from the web service");
    let assembly = synth(&app);
    assert!(template(&assembly, "data")["Resources"].get(RULE).is_some());
    assert!(
        template(&assembly, "data")["Resources"]
            .get(EGRESS)
            .is_some()
    );
    assert!(
        template(&assembly, "service")["Resources"]
            .as_object()
            .is_some_and(|r| r.len() == 1)
    );
    assert_eq!(
        assembly.stack("data").map(|s| s.dependencies.clone()),
        Some(vec!["service".to_owned()])
    );
}

#[test]
fn rules_within_one_stack_are_separate_resources_added_once() {
    let app = app();
    let s = stack(&app, "s");
    let db = SecurityGroup::new(&s, "Db", SecurityGroupProps::new("vpc-1", "Database"));
    let web = SecurityGroup::new(
        &s,
        "Web",
        SecurityGroupProps {
            allow_all_outbound: true,
            ..SecurityGroupProps::new("vpc-1", "Web")
        },
    );
    db.connections()
        .allow_from(&web, Port::tcp(5432), "Postgres from web");
    web.connections()
        .allow_to(&db, Port::tcp(5432), "Postgres from web");
    let assembly = synth(&app);
    let resources = template(&assembly, "s")["Resources"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let ids: Vec<&String> = resources.keys().collect();
    // Web allows all outbound already, so no egress rule is added for it.
    assert_eq!(ids, ["Db", "DbFromWebTcp5432", "Web"]);
    assert_eq!(
        resources["Web"]["Properties"]["SecurityGroupEgress"],
        json!([{"CidrIp": "0.0.0.0/0", "Description": "Allow all outbound traffic", "IpProtocol": "-1"}])
    );
}

#[test]
fn groups_start_closed_and_peer_rules_are_inline_with_descriptions() {
    let app = app();
    let s = stack(&app, "s");
    let lb = SecurityGroup::new(&s, "Lb", SecurityGroupProps::new("vpc-1", "Load balancer"));
    let assembly = synth(&app);
    assert_eq!(
        template(&assembly, "s")["Resources"]["Lb"]["Properties"]["SecurityGroupEgress"],
        json!([{"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic", "FromPort": 252, "IpProtocol": "icmp", "ToPort": 86}])
    );
    lb.connections()
        .allow_from_peer(&Peer::any_ipv4(), Port::tcp(443), "HTTPS from the internet");
    lb.connections()
        .allow_from_peer(&Peer::any_ipv6(), Port::tcp(443), "HTTPS from the internet");
    lb.connections().allow_to_peer(
        &Peer::ipv4("10.0.0.0/16"),
        Port::tcp_range(1024, 65535),
        "Targets in the VPC",
    );
    let assembly = synth(&app);
    let p = &template(&assembly, "s")["Resources"]["Lb"]["Properties"];
    assert_eq!(
        p["SecurityGroupIngress"],
        json!([
            {"CidrIp": "0.0.0.0/0", "Description": "HTTPS from the internet", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443},
            {"CidrIpv6": "::/0", "Description": "HTTPS from the internet", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}
        ])
    );
    // The placeholder that kept the group closed is gone once a real egress rule exists.
    assert_eq!(
        p["SecurityGroupEgress"],
        json!([{"CidrIp": "10.0.0.0/16", "Description": "Targets in the VPC", "FromPort": 1024, "IpProtocol": "tcp", "ToPort": 65535}])
    );
}

#[test]
fn default_port_is_required_for_default_port_rules() {
    let app = app();
    let s = stack(&app, "s");
    let a = SecurityGroup::new(&s, "A", SecurityGroupProps::new("vpc-1", "A"));
    let b = SecurityGroup::new(&s, "B", SecurityGroupProps::new("vpc-1", "B"));
    a.connections().allow_default_port_from(&b, "anything");
    let err = synth_err(&app);
    assert_eq!(err.problems[0].path, "s/A");
    assert_eq!(
        err.problems[0].message,
        "allow_default_port_from: this construct has no default port; use allow_from with a Port"
    );
}

#[test]
fn port_descriptions() {
    assert_eq!(Port::tcp(5432).describe(), "tcp 5432");
    assert_eq!(Port::tcp_range(1024, 65535).describe(), "tcp 1024-65535");
    assert_eq!(Port::all_traffic().describe(), "all traffic");
}
