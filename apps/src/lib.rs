//! The reference application. For now: per environment a network stack (VPC, public
//! and isolated subnets over two AZs, internet gateway) and an app stack (security
//! group and log group) that reads the network stack's VPC across stacks.

use rcdk::l1::ec2::security_group::Ingress;
use rcdk::l1::ec2::{
    CfnInternetGateway, CfnInternetGatewayProps, CfnRoute, CfnRouteProps, CfnRouteTable,
    CfnRouteTableProps, CfnSecurityGroup, CfnSecurityGroupProps, CfnSubnet, CfnSubnetProps,
    CfnSubnetRouteTableAssociation, CfnSubnetRouteTableAssociationProps, CfnVpc,
    CfnVpcGatewayAttachment, CfnVpcGatewayAttachmentProps, CfnVpcProps,
};
use rcdk::l1::logs::{CfnLogGroup, CfnLogGroupProps};
use rcdk::{
    App, CfnOutput, Environment, OutputProps, RemovalPolicy, Scope, Stack, StackProps, Tags, fns,
};

/// Environments the app knows, with their VPC CIDR.
pub const ENVIRONMENTS: &[(&str, &str)] = &[
    ("dev", "10.10.0.0/16"),
    ("staging", "10.20.0.0/16"),
    ("prod", "10.30.0.0/16"),
];

/// Which environments to build: context `env` is a name, a comma-separated list, or `all`
/// (default `all`).
pub fn selected_environments(app: &App) -> Result<Vec<(&'static str, &'static str)>, String> {
    let wanted = app.context_str("env").unwrap_or_else(|| "all".into());
    if wanted == "all" {
        return Ok(ENVIRONMENTS.to_vec());
    }
    wanted
        .split(',')
        .map(|name| {
            ENVIRONMENTS
                .iter()
                .copied()
                .find(|(n, _)| *n == name.trim())
                .ok_or_else(|| {
                    let known: Vec<&str> = ENVIRONMENTS.iter().map(|(n, _)| *n).collect();
                    format!(
                        "context env='{name}' is not an environment; use one of {} or all",
                        known.join(", ")
                    )
                })
        })
        .collect()
}

/// Handles the app stack needs from the network stack.
pub struct Network {
    pub vpc: CfnVpc,
}

pub fn build(app: &App) -> Result<(), String> {
    for (env, cidr) in selected_environments(app)? {
        let network = network_stack(app, env, cidr);
        app_stack(app, env, &network);
    }
    Tags::of(app).add("Project", "rcdk-reference");
    Tags::of(app).add("ManagedBy", "rcdk");
    Ok(())
}

fn stack(app: &App, name: String, env: &str, description: &str) -> Stack {
    let stack = Stack::new(
        app,
        &name,
        StackProps {
            env: Environment::new("123456789012", "us-east-1"),
            description: Some(description.to_owned()),
            ..Default::default()
        },
    );
    Tags::of(&stack).add("Environment", env);
    stack
}

fn network_stack(app: &App, env: &str, cidr: &str) -> Network {
    let stack = stack(
        app,
        format!("{env}-network"),
        env,
        "VPC, subnets and internet access",
    );
    let vpc = CfnVpc::new(
        &stack,
        "Vpc",
        CfnVpcProps {
            cidr_block: Some(cidr.into()),
            enable_dns_hostnames: Some(true.into()),
            enable_dns_support: Some(true.into()),
            ..Default::default()
        },
    );
    let igw = CfnInternetGateway::new(&vpc, "InternetGateway", CfnInternetGatewayProps::default());
    let attachment = CfnVpcGatewayAttachment::new(
        &vpc,
        "GatewayAttachment",
        CfnVpcGatewayAttachmentProps {
            internet_gateway_id: Some(igw.ref_()),
            ..CfnVpcGatewayAttachmentProps::new(vpc.ref_())
        },
    );
    // Four /20 blocks: public then isolated (no internet route), one per AZ.
    let blocks = fns::cidr(vpc.attr_cidr_block(), 4, 12);
    for az in 0..2u8 {
        let n = az + 1;
        let public = subnet(
            &vpc,
            &format!("PublicSubnet{n}"),
            &vpc,
            i64::from(az),
            &blocks,
            true,
        );
        let table = route_table(&public, &vpc);
        let route = CfnRoute::new(
            &public,
            "DefaultRoute",
            CfnRouteProps {
                destination_cidr_block: Some("0.0.0.0/0".into()),
                gateway_id: Some(igw.ref_()),
                ..CfnRouteProps::new(table.ref_())
            },
        );
        route.add_depends_on(&attachment);
        let isolated = subnet(
            &vpc,
            &format!("IsolatedSubnet{n}"),
            &vpc,
            i64::from(az) + 2,
            &blocks,
            false,
        );
        route_table(&isolated, &vpc);
    }
    Network { vpc }
}

/// AZs come from `Fn::GetAZs`, so the template needs no lookup and stays portable.
fn subnet(
    scope: &Scope,
    id: &str,
    vpc: &CfnVpc,
    block: i64,
    blocks: &rcdk::Expr<Vec<String>>,
    public: bool,
) -> CfnSubnet {
    let az = block % 2;
    CfnSubnet::new(
        scope,
        id,
        CfnSubnetProps {
            availability_zone: Some(fns::select(az, fns::get_azs())),
            cidr_block: Some(fns::select(block, blocks.clone())),
            map_public_ip_on_launch: Some(public.into()),
            ..CfnSubnetProps::new(vpc.ref_())
        },
    )
}

fn route_table(subnet: &CfnSubnet, vpc: &CfnVpc) -> CfnRouteTable {
    let table = CfnRouteTable::new(subnet, "RouteTable", CfnRouteTableProps::new(vpc.ref_()));
    CfnSubnetRouteTableAssociation::new(
        subnet,
        "RouteTableAssociation",
        CfnSubnetRouteTableAssociationProps::new(table.ref_(), subnet.ref_()),
    );
    table
}

fn app_stack(app: &App, env: &str, network: &Network) {
    let stack = stack(
        app,
        format!("{env}-app"),
        env,
        "Service security group and logs",
    );
    Tags::of(&stack).add("Service", "web");
    let sg = CfnSecurityGroup::new(
        &stack,
        "ServiceSecurityGroup",
        CfnSecurityGroupProps {
            vpc_id: Some(network.vpc.ref_()),
            security_group_ingress: Some(vec![Ingress {
                cidr_ip: Some(network.vpc.attr_cidr_block()),
                description: Some("HTTPS from inside the VPC".into()),
                from_port: Some(443.into()),
                to_port: Some(443.into()),
                ..Ingress::new("tcp")
            }]),
            ..CfnSecurityGroupProps::new("Web service tasks")
        },
    );
    let logs = CfnLogGroup::new(
        &stack,
        "ServiceLogs",
        CfnLogGroupProps {
            retention_in_days: Some(if env == "prod" { 365 } else { 30 }.into()),
            ..Default::default()
        },
    );
    logs.apply_removal_policy(if env == "prod" {
        RemovalPolicy::Retain
    } else {
        RemovalPolicy::Destroy
    });
    CfnOutput::new(
        &stack,
        "SecurityGroupId",
        OutputProps {
            description: Some("Security group of the web service".into()),
            ..OutputProps::new(sg.attr_group_id())
        },
    );
}
