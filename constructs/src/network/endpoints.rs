use rcdk::{Expr, Scope, fns};
use rcdk_l1::ec2::{CfnVpcEndpoint, CfnVpcEndpointProps};

use crate::connections::{HasConnections, Peer, Port, SecurityGroup, SecurityGroupProps};

/// AWS services reached privately through an interface endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum InterfaceEndpoint {
    /// ECR API (`ecr.api`), for image metadata.
    EcrApi,
    /// ECR registry (`ecr.dkr`), for image layers (also needs the S3 gateway endpoint).
    EcrDocker,
    /// CloudWatch Logs.
    Logs,
    /// Secrets Manager.
    SecretsManager,
    /// KMS, for what a task or function decrypts itself (queue messages, data keys).
    Kms,
    /// SQS.
    Sqs,
    /// SNS.
    Sns,
    /// STS, for role sessions the code assumes.
    Sts,
    /// Systems Manager parameters.
    Ssm,
    /// CloudWatch metrics (`monitoring`).
    Monitoring,
    /// X-Ray, for traces sent by an SDK or a collector.
    XRay,
}

impl InterfaceEndpoint {
    /// What containers need to start and log: images (with the S3 gateway for their
    /// layers), logs and secrets.
    pub const CONTAINERS: &'static [InterfaceEndpoint] = &[
        InterfaceEndpoint::EcrApi,
        InterfaceEndpoint::EcrDocker,
        InterfaceEndpoint::Logs,
        InterfaceEndpoint::SecretsManager,
    ];

    /// What functions in a VPC commonly call: logs, secrets, KMS, queues, topics, STS,
    /// X-Ray.
    pub const FUNCTIONS: &'static [InterfaceEndpoint] = &[
        InterfaceEndpoint::Logs,
        InterfaceEndpoint::SecretsManager,
        InterfaceEndpoint::Kms,
        InterfaceEndpoint::Sqs,
        InterfaceEndpoint::Sns,
        InterfaceEndpoint::Sts,
        InterfaceEndpoint::XRay,
    ];

    fn service(self) -> &'static str {
        match self {
            InterfaceEndpoint::EcrApi => "ecr.api",
            InterfaceEndpoint::EcrDocker => "ecr.dkr",
            InterfaceEndpoint::Logs => "logs",
            InterfaceEndpoint::SecretsManager => "secretsmanager",
            InterfaceEndpoint::Kms => "kms",
            InterfaceEndpoint::Sqs => "sqs",
            InterfaceEndpoint::Sns => "sns",
            InterfaceEndpoint::Sts => "sts",
            InterfaceEndpoint::Ssm => "ssm",
            InterfaceEndpoint::Monitoring => "monitoring",
            InterfaceEndpoint::XRay => "xray",
        }
    }

    fn id(self) -> &'static str {
        match self {
            InterfaceEndpoint::EcrApi => "EcrApiEndpoint",
            InterfaceEndpoint::EcrDocker => "EcrDockerEndpoint",
            InterfaceEndpoint::Logs => "LogsEndpoint",
            InterfaceEndpoint::SecretsManager => "SecretsManagerEndpoint",
            InterfaceEndpoint::Kms => "KmsEndpoint",
            InterfaceEndpoint::Sqs => "SqsEndpoint",
            InterfaceEndpoint::Sns => "SnsEndpoint",
            InterfaceEndpoint::Sts => "StsEndpoint",
            InterfaceEndpoint::Ssm => "SsmEndpoint",
            InterfaceEndpoint::Monitoring => "MonitoringEndpoint",
            InterfaceEndpoint::XRay => "XRayEndpoint",
        }
    }
}

/// AWS services reached through a gateway endpoint: routes to the service's addresses
/// (its managed prefix list) in the subnets' route tables, free of charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GatewayEndpoint {
    /// S3 (also where ECR keeps image layers).
    S3,
    /// DynamoDB.
    DynamoDb,
}

impl GatewayEndpoint {
    fn service(self) -> &'static str {
        match self {
            GatewayEndpoint::S3 => "s3",
            GatewayEndpoint::DynamoDb => "dynamodb",
        }
    }

    fn id(self) -> &'static str {
        match self {
            GatewayEndpoint::S3 => "S3Endpoint",
            GatewayEndpoint::DynamoDb => "DynamoDbEndpoint",
        }
    }

    /// The name of the service's managed prefix list in `region`
    /// (`com.amazonaws.us-east-1.s3`), what a security group's egress names.
    pub fn prefix_list_name(self, region: &str) -> String {
        format!("com.amazonaws.{region}.{}", self.service())
    }
}

fn service_name(service: &str) -> Expr<String> {
    fns::sub(format!("com.amazonaws.${{AWS::Region}}.{service}"))
}

pub(super) fn gateway(
    scope: &Scope,
    endpoint: GatewayEndpoint,
    vpc_id: Expr<String>,
    route_tables: Vec<Expr<String>>,
) {
    CfnVpcEndpoint::new(
        scope,
        endpoint.id(),
        CfnVpcEndpointProps {
            vpc_endpoint_type: Some("Gateway".into()),
            route_table_ids: Some(Expr::unchecked(rcdk::Value::list(route_tables))),
            service_name: Some(service_name(endpoint.service())),
            ..CfnVpcEndpointProps::new(vpc_id)
        },
    );
}

pub(super) fn interface(
    scope: &Scope,
    vpc_id: Expr<String>,
    vpc_cidr: &str,
    subnets: Vec<Expr<String>>,
    services: &[InterfaceEndpoint],
) -> SecurityGroup {
    let sg = SecurityGroup::new(
        scope,
        "EndpointSecurityGroup",
        SecurityGroupProps::new(
            vpc_id.clone(),
            "Interface endpoints: HTTPS from inside the VPC",
        ),
    );
    sg.connections().allow_from_peer(
        &Peer::ipv4(vpc_cidr),
        Port::tcp(443),
        "HTTPS from inside the VPC",
    );
    for service in services {
        CfnVpcEndpoint::new(
            scope,
            service.id(),
            CfnVpcEndpointProps {
                vpc_endpoint_type: Some("Interface".into()),
                private_dns_enabled: Some(true.into()),
                security_group_ids: Some(vec![sg.group_id()].into()),
                subnet_ids: Some(Expr::unchecked(rcdk::Value::list(subnets.clone()))),
                service_name: Some(service_name(service.service())),
                ..CfnVpcEndpointProps::new(vpc_id.clone())
            },
        );
    }
    sg
}

/// A security group whose only egress is HTTPS to the VPC's endpoints: its interface
/// endpoints' group, and each gateway endpoint's prefix list (looked up at synthesis,
/// [`rcdk::lookup::prefix_list`]); plus what its connections add (the database's port,
/// the cache's). No route to the internet: what tasks and functions that only call AWS
/// services need. An error names the VPC when it has no endpoints to reach.
pub fn endpoints_only_group(
    scope: &Scope,
    id: &str,
    vpc: &super::Vpc,
    description: &str,
) -> SecurityGroup {
    let group = SecurityGroup::new(
        scope,
        id,
        SecurityGroupProps::new(vpc.vpc_id(), description),
    );
    match vpc.endpoint_security_group_id() {
        Some(endpoints) => group.add_egress_to_group(
            endpoints,
            &Port::tcp(443),
            &format!(
                "HTTPS to the VPC's interface endpoints ({})",
                vpc.interface_endpoints()
                    .iter()
                    .map(|e| e.service())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        None => scope.add_error(format!(
            "{id}: the VPC {} has no interface endpoints to reach AWS services through; give it VpcProps.interface_endpoints (InterfaceEndpoint::CONTAINERS for tasks), or let the group reach the internet (SecurityGroup::https_egress)",
            vpc.path()
        )),
    }
    let region = scope.stack().and_then(|s| s.region());
    for gateway in vpc.gateway_endpoints() {
        let Some(region) = &region else {
            scope.add_error(format!(
                "{id}: the egress to {}'s gateway endpoint names the service's prefix list, which differs by region: give the stack a concrete region",
                gateway.service()
            ));
            break;
        };
        let list = rcdk::lookup::prefix_list(scope, &gateway.prefix_list_name(region));
        group.add_inline_egress(
            &Peer::PrefixList(list.into()),
            &Port::tcp(443),
            &format!(
                "HTTPS to {} through the VPC's gateway endpoint",
                gateway.service()
            ),
        );
    }
    group
}
