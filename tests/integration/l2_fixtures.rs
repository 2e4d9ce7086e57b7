//! Apps built from the L2 constructs in dev-like and prod-like configurations.

use rcdk::{App, Stack};
use rcdk_constructs::connections::{HasConnections, SecurityGroup, SecurityGroupProps};
use rcdk_constructs::data::{
    PostgresInstance, PostgresInstanceProps, PostgresReadReplica, ReadReplicaProps,
};
use rcdk_constructs::network::{AvailabilityZones, InterfaceEndpoint, NatStrategy, Vpc, VpcProps};

use crate::fixtures::{app, stack};

/// A development network: two AZs, one NAT gateway, no interface endpoints.
pub fn dev_vpc(s: &Stack) -> Vpc {
    Vpc::new(
        s,
        "Vpc",
        VpcProps {
            cidr: "10.10.0.0/16".into(),
            availability_zones: AvailabilityZones::Count(2),
            nat: NatStrategy::Single,
            ..VpcProps::default()
        },
    )
}

/// A production network: the defaults (three AZs, NAT per AZ) plus interface endpoints.
pub fn prod_vpc(s: &Stack) -> Vpc {
    Vpc::new(
        s,
        "Vpc",
        VpcProps {
            cidr: "10.30.0.0/16".into(),
            interface_endpoints: vec![
                InterfaceEndpoint::EcrApi,
                InterfaceEndpoint::EcrDocker,
                InterfaceEndpoint::Logs,
                InterfaceEndpoint::SecretsManager,
            ],
            ..VpcProps::default()
        },
    )
}

pub fn network_app(prod: bool) -> App {
    let app = app();
    let s = stack(&app, "network");
    if prod {
        prod_vpc(&s)
    } else {
        dev_vpc(&s)
    };
    app
}

/// Network, data and service in three stacks: the service reads the database's
/// endpoint, and the database admits the service, with no dependency cycle.
pub fn data_app(prod: bool) -> App {
    let app = app();
    let net = stack(&app, "network");
    let vpc = if prod { prod_vpc(&net) } else { dev_vpc(&net) };
    let data = stack(&app, "data");
    let defaults = PostgresInstanceProps::new(&vpc);
    let db = PostgresInstance::new(
        &data,
        "Database",
        if prod {
            PostgresInstanceProps {
                instance_class: "db.r7g.large".into(),
                backup_retention_days: 30,
                max_allocated_storage_gb: Some(500),
                database_name: Some("app".into()),
                ..defaults
            }
        } else {
            PostgresInstanceProps {
                multi_az: false,
                deletion_protection: false,
                removal_policy: rcdk::RemovalPolicy::Destroy,
                database_name: Some("app".into()),
                ..defaults
            }
        },
    );
    if prod {
        PostgresReadReplica::new(&data, "Replica", &db, ReadReplicaProps::default());
    }
    let service = stack(&app, "service");
    let sg = SecurityGroup::new(
        &service,
        "ServiceSecurityGroup",
        SecurityGroupProps::new(vpc.vpc_id(), "Web service tasks"),
    );
    db.connections()
        .allow_default_port_from(&sg, "Postgres from the web service");
    // The service's configuration reads the endpoint from the data stack.
    rcdk::CfnResource::raw(
        &service,
        "DatabaseEndpointParameter",
        "AWS::SSM::Parameter",
        rcdk::Value::object([
            ("Type", rcdk::Value::from("String")),
            ("Value", rcdk::Value::from(db.endpoint_address())),
        ]),
    );
    app
}
