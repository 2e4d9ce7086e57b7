//! The containers family: an ECS cluster, Fargate task definitions with
//! least-privilege roles, and Fargate services with load balancing and autoscaling.
//!
//! ```
//! use rcdk::{App, Environment, Stack, StackProps};
//! use rcdk_constructs::containers::*;
//! use rcdk_constructs::network::{Vpc, VpcProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let env = Environment::new("123456789012", "us-east-1");
//! let stack = Stack::new(&app, "app", StackProps { env, ..Default::default() });
//! let vpc = Vpc::new(&stack, "Vpc", VpcProps::public_and_private(2));
//! let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
//! let task = FargateTaskDefinition::new(&stack, "Task", FargateTaskDefinitionProps { cpu: 512, memory: rcdk_constructs::units::Size::gibibytes(1), ..Default::default() });
//! task.add_container("web", ContainerProps {
//!     port_mappings: vec![8080],
//!     environment: rcdk_constructs::vars! { "LOG_LEVEL" => "info" },
//!     ..ContainerProps::new(ContainerImage::ecr("web", "1.4.2"))
//! });
//! let service = FargateService::new(&stack, "Service", FargateServiceProps::new(&cluster, &task, &vpc));
//! // The scaling governs the task count: the template writes no DesiredCount.
//! service.auto_scale(2, 10).scale_on_cpu(60.0);
//! ```

mod cluster;
mod container;
mod ec2_capacity;
mod ec2_service;
mod instance_types;
mod scaling;
mod service;
mod service_connect;
mod step_scaling;
mod task_count;
mod task_definition;
mod tracing;

pub use cluster::{Cluster, ClusterProps, ContainerInsights};
pub use container::{ContainerHealthCheck, ContainerImage, ContainerProps, SecretValue};
pub use ec2_capacity::{Ec2Capacity, Ec2CapacityProps, ManagedScalingProps, MetadataAccess};
pub use ec2_service::{
    Ec2Service, Ec2ServiceProps, Ec2TaskDefinition, Ec2TaskDefinitionProps, NetworkMode,
};
pub use instance_types::{size_of as instance_size, task_memory_mib};
pub use scaling::ServiceScaling;
pub use service::{EcsService, FargateService, FargateServiceProps, TaskEgress};
pub use service_connect::{ServeProps, ServiceConnectNamespace, ServiceConnectNamespaceProps};
pub use step_scaling::StepScaling;
pub use task_definition::{
    FARGATE_SIZES, FargateTaskDefinition, FargateTaskDefinitionProps, TaskDefinition,
};
pub use tracing::{ADOT_COLLECTOR_IMAGE, COLLECTOR, XRAY_WRITE_ACTIONS};
