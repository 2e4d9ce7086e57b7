//! `{env}-network`: the VPC over the configured AZs with public, private and isolated
//! subnets, NAT, encrypted flow logs and the VPC endpoints the tasks use.

use rcdk::App;
use rcdk_constructs::network::{
    AvailabilityZones, FlowLogsProps, InterfaceEndpoint, NatStrategy, Vpc, VpcProps,
};

use crate::config::{EnvironmentConfig, Nat};
use crate::env_stack;

pub fn build(app: &App, env: &str, settings: &EnvironmentConfig) -> Vpc {
    let stack = env_stack(
        app,
        env,
        settings,
        "network",
        "VPC, subnets, NAT, flow logs and endpoints",
    );
    let logs_key = super::logs_key(&stack, &format!("the flow logs of {env}"));
    Vpc::new(
        &stack,
        "Vpc",
        VpcProps {
            cidr: settings.cidr.clone(),
            availability_zones: AvailabilityZones::Named(settings.availability_zones.clone()),
            nat: match settings.nat {
                Nat::Single => NatStrategy::Single,
                Nat::PerAz => NatStrategy::PerAz,
            },
            flow_logs: Some(FlowLogsProps {
                retention_days: settings.log_retention_days,
                encryption_key: Some(logs_key),
                ..FlowLogsProps::default()
            }),
            // What the services call, so that their tasks reach AWS only through the
            // VPC (TaskEgress::VpcEndpointsOnly): images, logs and secrets, the jobs
            // queue, and traces.
            interface_endpoints: [
                InterfaceEndpoint::CONTAINERS,
                &[InterfaceEndpoint::Sqs, InterfaceEndpoint::XRay],
            ]
            .concat(),
            ..VpcProps::default()
        },
    )
}
