//! One module per stack of an environment.

pub mod backup;
pub mod baseline;
pub mod data;
pub mod dns;
pub mod identity;
pub mod images;
pub mod monitoring;
pub mod network;
pub mod web;
pub mod worker_shards;
pub mod workers;

use rcdk::tree::stack_set::StackSetProps;
use rcdk::{App, Environment, RemovalPolicy, Stack, StackProps, Tags};
use rcdk_constructs::containers::{
    Cluster, Ec2Capacity, Ec2CapacityProps, Ec2TaskDefinition, FargateTaskDefinition,
    TaskDefinition,
};
use rcdk_constructs::kms::{Key, KeyProps};
use rcdk_constructs::network::Vpc;

use crate::config::Ec2Config;

/// A stack of the organisation's own accounts (shared services, security, management),
/// serving every environment: tagged `Environment: shared`, charged to `cost_code`, and
/// protected from deletion.
pub(crate) fn shared_stack(
    app: &App,
    name: &str,
    (account, region): (&str, &str),
    (description, cost_code): (String, &str),
    stack_set: Option<StackSetProps>,
) -> Stack {
    let stack = Stack::new(
        app,
        name,
        StackProps {
            env: Environment::new(account, region),
            description: Some(description),
            termination_protection: true,
            stack_set,
            ..Default::default()
        },
    );
    Tags::of(&stack).add("Environment", "shared");
    Tags::of(&stack).add("CostCode", cost_code);
    stack
}

/// The stack's key for its log groups (the posture rules want customer keys on logs).
pub(crate) fn logs_key(stack: &Stack, what: &str) -> Key {
    Key::new(
        stack,
        "LogsKey",
        KeyProps {
            description: Some(format!("Encrypts {what}")),
            removal_policy: RemovalPolicy::Retain,
            ..KeyProps::default()
        },
    )
}

/// Where a service's tasks run, with what they need there.
pub(crate) enum Placement {
    Fargate(FargateTaskDefinition),
    Ec2(Ec2Capacity, Ec2TaskDefinition),
}

impl Placement {
    pub fn task(&self) -> &TaskDefinition {
        match self {
            Placement::Fargate(t) => t,
            Placement::Ec2(_, t) => t,
        }
    }
}

/// EC2 capacity for a service of the environment, from its `ec2:` settings.
pub(crate) fn capacity(
    stack: &Stack,
    id: &str,
    cluster: &Cluster,
    vpc: &Vpc,
    ec2: &Ec2Config,
) -> Ec2Capacity {
    let types: Vec<&str> = ec2.instance_types.iter().map(String::as_str).collect();
    Ec2Capacity::new(
        stack,
        id,
        Ec2CapacityProps {
            min_capacity: ec2.min_instances,
            max_capacity: ec2.max_instances,
            on_demand_base: ec2.on_demand_base,
            spot_percent: ec2.spot_percent,
            ..Ec2CapacityProps::new(cluster, vpc, &types)
        },
    )
}
