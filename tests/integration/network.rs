//! The `Vpc` construct: subnets, routes, NAT, flow logs, endpoints, and its errors.

use rcdk_constructs::network::{
    AvailabilityZones, NatStrategy, SubnetGroup, SubnetKind, Vpc, VpcProps,
};
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::l2_fixtures;
use crate::support::{resources_of_type, synth, synth_err, template};

#[test]
fn dev_and_prod_networks_match_their_snapshots() {
    for (name, prod) in [("network_dev", false), ("network_prod", true)] {
        let assembly = synth(&l2_fixtures::network_app(prod));
        insta::assert_json_snapshot!(name, template(&assembly, "network"));
    }
}

#[test]
fn dev_network_shares_one_nat_and_prod_has_one_per_az() {
    let dev = synth(&l2_fixtures::network_app(false));
    let t = template(&dev, "network");
    assert_eq!(resources_of_type(t, "AWS::EC2::NatGateway").len(), 1);
    assert_eq!(resources_of_type(t, "AWS::EC2::Subnet").len(), 6);
    for az in 1..=2 {
        let route = &t["Resources"][format!("VpcPrivateSubnet{az}DefaultRoute")]["Properties"];
        assert_eq!(
            route["NatGatewayId"],
            json!({"Ref": "VpcPublicSubnet1NatGateway"})
        );
    }
    let prod = synth(&l2_fixtures::network_app(true));
    let t = template(&prod, "network");
    assert_eq!(resources_of_type(t, "AWS::EC2::NatGateway").len(), 3);
    for az in 1..=3 {
        let route = &t["Resources"][format!("VpcPrivateSubnet{az}DefaultRoute")]["Properties"];
        assert_eq!(
            route["NatGatewayId"],
            json!({"Ref": format!("VpcPublicSubnet{az}NatGateway")}),
            "same-AZ NAT"
        );
    }
    // Isolated subnets have no default route at all.
    assert!(
        t["Resources"]
            .get("VpcIsolatedSubnet1DefaultRoute")
            .is_none()
    );
}

#[test]
fn subnets_get_non_overlapping_cidrs_and_selected_azs() {
    let assembly = synth(&l2_fixtures::network_app(true));
    let t = template(&assembly, "network");
    let cidr = |id: &str| t["Resources"][id]["Properties"]["CidrBlock"].clone();
    assert_eq!(cidr("VpcPublicSubnet1"), "10.30.0.0/24");
    assert_eq!(cidr("VpcPublicSubnet3"), "10.30.2.0/24");
    assert_eq!(cidr("VpcPrivateSubnet1"), "10.30.16.0/20");
    assert_eq!(cidr("VpcIsolatedSubnet3"), "10.30.66.0/24");
    assert_eq!(
        t["Resources"]["VpcPrivateSubnet2"]["Properties"]["AvailabilityZone"],
        json!({"Fn::Select": [1, {"Fn::GetAZs": ""}]})
    );
    assert_eq!(
        t["Resources"]["VpcPublicSubnet1"]["Properties"]["MapPublicIpOnLaunch"],
        json!(false)
    );
}

#[test]
fn named_availability_zones_are_used_as_given() {
    let app = app();
    let s = stack(&app, "network");
    let vpc = Vpc::new(
        &s,
        "Vpc",
        VpcProps {
            availability_zones: AvailabilityZones::Named(vec![
                "eu-west-1a".into(),
                "eu-west-1b".into(),
            ]),
            ..VpcProps::default()
        },
    );
    assert_eq!(
        vpc.availability_zones(),
        vec!["eu-west-1a".into(), "eu-west-1b".into()]
    );
    let assembly = synth(&app);
    assert_eq!(
        template(&assembly, "network")["Resources"]["VpcIsolatedSubnet2"]["Properties"]["AvailabilityZone"],
        "eu-west-1b"
    );
}

#[test]
fn flow_log_role_is_scoped_to_its_log_group() {
    let assembly = synth(&l2_fixtures::network_app(false));
    let t = template(&assembly, "network");
    let role = &t["Resources"]["VpcFlowLogsRole"]["Properties"];
    assert_eq!(
        role["Policies"][0]["PolicyDocument"]["Statement"],
        json!([{
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": {"Fn::GetAtt": ["VpcFlowLogsLogGroup", "Arn"]}
        }])
    );
    let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(
        trust["Principal"],
        json!({"Service": "vpc-flow-logs.amazonaws.com"})
    );
    assert_eq!(
        trust["Condition"],
        json!({"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}})
    );
    let flow = &t["Resources"]["VpcFlowLogs"]["Properties"];
    assert_eq!(flow["ResourceType"], "VPC");
    assert_eq!(flow["LogGroupName"], json!({"Ref": "VpcFlowLogsLogGroup"}));
    assert_eq!(
        t["Resources"]["VpcFlowLogsLogGroup"]["Properties"]["RetentionInDays"],
        365
    );
}

#[test]
fn endpoints_serve_private_route_tables_and_admit_only_the_vpc() {
    let assembly = synth(&l2_fixtures::network_app(true));
    let t = template(&assembly, "network");
    let s3 = &t["Resources"]["VpcS3Endpoint"]["Properties"];
    let tables = s3["RouteTableIds"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        tables.len(),
        6,
        "private and isolated route tables, not public ones"
    );
    assert!(!tables.contains(&json!({"Ref": "VpcPublicSubnet1RouteTable"})));
    assert_eq!(resources_of_type(t, "AWS::EC2::VPCEndpoint").len(), 5);
    let sg = &t["Resources"]["VpcEndpointSecurityGroup"]["Properties"];
    assert_eq!(
        sg["SecurityGroupIngress"],
        json!([{"CidrIp": "10.30.0.0/16", "Description": "HTTPS from inside the VPC", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}])
    );
    let ecr = &t["Resources"]["VpcEcrDockerEndpoint"]["Properties"];
    assert_eq!(
        ecr["ServiceName"],
        json!({"Fn::Sub": "com.amazonaws.${AWS::Region}.ecr.dkr"})
    );
    assert_eq!(ecr["SubnetIds"][0], json!({"Ref": "VpcPrivateSubnet1"}));
}

#[test]
fn handles_expose_ids_by_kind() {
    let app = app();
    let s = stack(&app, "network");
    let vpc = l2_fixtures::dev_vpc(&s);
    assert_eq!(vpc.subnet_ids(SubnetKind::Public).len(), 2);
    assert_eq!(
        vpc.subnets(SubnetKind::PrivateWithEgress)[1].cidr,
        "10.10.32.0/20"
    );
    assert_eq!(vpc.cidr_block(), "10.10.0.0/16".into());
    assert_eq!(vpc.az_count(), 2);
    assert!(vpc.group_subnets("Isolated").is_some());
}

fn vpc_error(props: VpcProps) -> rcdk::SynthError {
    let app = app();
    let s = stack(&app, "network");
    Vpc::new(&s, "Vpc", props);
    synth_err(&app)
}

#[test]
fn subnets_that_do_not_fit_are_a_clear_error() {
    let err = vpc_error(VpcProps {
        cidr: "10.0.0.0/19".into(),
        ..VpcProps::default()
    });
    assert_eq!(err.problems[0].path, "network/Vpc");
    assert_eq!(
        err.problems[0].message,
        "subnet group 'Private' (3 × /20) does not fit in the VPC 10.0.0.0/19: the subnet groups need 13824 addresses, the VPC has 8192; use a larger VPC CIDR or smaller subnets (a larger mask number)"
    );
    let err = vpc_error(VpcProps {
        cidr: "10.0.0.0/22".into(),
        ..VpcProps::default()
    });
    assert_eq!(
        err.problems[0].message,
        "subnet group 'Private' asks for /20 subnets, larger than the VPC 10.0.0.0/22; use a larger mask number"
    );
}

#[test]
fn network_settings_are_validated() {
    let cases: Vec<(VpcProps, &str)> = vec![
        (
            VpcProps {
                cidr: "10.0.0.1/16".into(),
                ..VpcProps::default()
            },
            "cidr: '10.0.0.1/16' has host bits set",
        ),
        (
            VpcProps {
                nat: NatStrategy::None,
                ..VpcProps::default()
            },
            "private-with-egress subnets need NAT",
        ),
        (
            VpcProps {
                subnet_groups: vec![SubnetGroup::new(
                    "Private",
                    SubnetKind::PrivateWithEgress,
                    20,
                )],
                ..VpcProps::default()
            },
            "NAT gateways live in public subnets",
        ),
        (
            VpcProps {
                subnet_groups: vec![
                    SubnetGroup::new("Data", SubnetKind::Isolated, 24),
                    SubnetGroup::new("Data", SubnetKind::Isolated, 24),
                ],
                nat: NatStrategy::None,
                ..VpcProps::default()
            },
            "subnet group name 'Data' is used twice",
        ),
        (
            VpcProps {
                flow_logs: Some(rcdk_constructs::network::FlowLogsProps {
                    retention_days: 10,
                    ..Default::default()
                }),
                ..VpcProps::default()
            },
            "retention_days of 10 days is not a value CloudWatch Logs accepts",
        ),
        (
            VpcProps {
                availability_zones: AvailabilityZones::Count(0),
                ..VpcProps::default()
            },
            "a VPC needs at least one AZ",
        ),
    ];
    for (props, message) in cases {
        let err = vpc_error(props);
        assert!(err.mentions(message), "expected '{message}' in:\n{err}");
    }
}

/// The common VPC in one line: public and private subnets in two AZs, no isolated ones.
#[test]
fn the_common_vpc_in_one_line() {
    use rcdk_constructs::network::{Vpc, VpcProps};
    let a = crate::fixtures::app();
    let s = crate::fixtures::stack(&a, "network");
    Vpc::new(&s, "Vpc", VpcProps::public_and_private(2));
    let assembly = crate::support::synth(&a);
    let t = crate::support::template(&assembly, "network");
    let subnets: Vec<&String> = crate::support::resources_of_type(t, "AWS::EC2::Subnet")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        subnets,
        [
            "VpcPrivateSubnet1",
            "VpcPrivateSubnet2",
            "VpcPublicSubnet1",
            "VpcPublicSubnet2"
        ],
        "{subnets:?}"
    );
    assert_eq!(
        crate::support::resources_of_type(t, "AWS::EC2::NatGateway").len(),
        2
    );
}

/// What a task that calls only AWS services needs: HTTPS to the VPC's interface
/// endpoints' group and to each gateway endpoint's prefix list, and nothing else; the
/// prefix lists' ids are looked up (a deploy-time value no template function gives).
#[test]
fn a_group_can_reach_aws_only_through_the_vpcs_endpoints() {
    use rcdk_constructs::network::{InterfaceEndpoint, endpoints_only_group};
    let s3 = "prefix-list:account=123456789012:prefixListName=com.amazonaws.us-east-1.s3:region=us-east-1";
    let dynamodb = "prefix-list:account=123456789012:prefixListName=com.amazonaws.us-east-1.dynamodb:region=us-east-1";
    let cached = rcdk::App::with_context(
        [
            (s3.to_owned(), json!("pl-63a5400a")),
            (dynamodb.to_owned(), json!("pl-02cd2c6b")),
        ]
        .into(),
        "cdk.out",
    );
    let s = stack(&cached, "network");
    let vpc = Vpc::new(
        &s,
        "Vpc",
        VpcProps {
            dynamodb_gateway_endpoint: true,
            interface_endpoints: InterfaceEndpoint::CONTAINERS.to_vec(),
            ..VpcProps::default()
        },
    );
    endpoints_only_group(&s, "Tasks", &vpc, "Tasks that call only AWS services");
    let assembly = synth(&cached);
    let t = template(&assembly, "network");
    assert_eq!(
        t["Resources"]["Tasks"]["Properties"]["SecurityGroupEgress"],
        json!([
            {"Description": "HTTPS to the VPC's interface endpoints (ecr.api, ecr.dkr, logs, secretsmanager)",
             "DestinationSecurityGroupId": {"Fn::GetAtt": ["VpcEndpointSecurityGroup", "GroupId"]},
             "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443},
            {"Description": "HTTPS to s3 through the VPC's gateway endpoint",
             "DestinationPrefixListId": "pl-63a5400a", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443},
            {"Description": "HTTPS to dynamodb through the VPC's gateway endpoint",
             "DestinationPrefixListId": "pl-02cd2c6b", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}
        ])
    );
    let dynamo = &t["Resources"]["VpcDynamoDbEndpoint"]["Properties"];
    assert_eq!(dynamo["VpcEndpointType"], "Gateway");
    assert_eq!(
        dynamo["ServiceName"],
        json!({"Fn::Sub": "com.amazonaws.${AWS::Region}.dynamodb"})
    );
    // Gateway endpoints are free; the interface ones are priced per AZ.
    assert!(assembly.missing.is_empty());

    // Without cached ids the lookups are recorded and the template holds a placeholder.
    let fresh = app();
    let s = stack(&fresh, "network");
    let vpc = Vpc::new(
        &s,
        "Vpc",
        VpcProps {
            interface_endpoints: InterfaceEndpoint::CONTAINERS.to_vec(),
            ..VpcProps::default()
        },
    );
    endpoints_only_group(&s, "Tasks", &vpc, "Tasks");
    let assembly = synth(&fresh);
    let keys: Vec<&str> = assembly.missing.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, [s3]);

    // A VPC without interface endpoints has nothing to reach AWS through.
    let bare = app();
    let s = stack(&bare, "network");
    let vpc = Vpc::new(&s, "Vpc", VpcProps::default());
    endpoints_only_group(&s, "Tasks", &vpc, "Tasks");
    let err = synth_err(&bare).to_string();
    assert!(
        err.contains("Tasks: the VPC network/Vpc has no interface endpoints to reach AWS services through; give it VpcProps.interface_endpoints"),
        "{err}"
    );
}
