use rcdk::{Expr, Scope, fns};
use rcdk_l1::ec2::{CfnVpcEndpoint, CfnVpcEndpointProps};

use crate::connections::{HasConnections, Peer, Port, SecurityGroup, SecurityGroupProps};

/// AWS services reached privately through an interface endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterfaceEndpoint {
    /// ECR API (`ecr.api`), for image metadata.
    EcrApi,
    /// ECR registry (`ecr.dkr`), for image layers (also needs the S3 gateway endpoint).
    EcrDocker,
    /// CloudWatch Logs.
    Logs,
    /// Secrets Manager.
    SecretsManager,
}

impl InterfaceEndpoint {
    fn service(self) -> &'static str {
        match self {
            InterfaceEndpoint::EcrApi => "ecr.api",
            InterfaceEndpoint::EcrDocker => "ecr.dkr",
            InterfaceEndpoint::Logs => "logs",
            InterfaceEndpoint::SecretsManager => "secretsmanager",
        }
    }

    fn id(self) -> &'static str {
        match self {
            InterfaceEndpoint::EcrApi => "EcrApiEndpoint",
            InterfaceEndpoint::EcrDocker => "EcrDockerEndpoint",
            InterfaceEndpoint::Logs => "LogsEndpoint",
            InterfaceEndpoint::SecretsManager => "SecretsManagerEndpoint",
        }
    }
}

fn service_name(service: &str) -> Expr<String> {
    fns::sub(format!("com.amazonaws.${{AWS::Region}}.{service}"))
}

pub(super) fn s3_gateway(scope: &Scope, vpc_id: Expr<String>, route_tables: Vec<Expr<String>>) {
    CfnVpcEndpoint::new(
        scope,
        "S3Endpoint",
        CfnVpcEndpointProps {
            vpc_endpoint_type: Some("Gateway".into()),
            route_table_ids: Some(Expr::unchecked(rcdk::Value::list(route_tables))),
            service_name: Some(service_name("s3")),
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
) {
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
}
