//! Task definitions and services on [`Ec2Capacity`]: bridge mode (dynamic host ports,
//! tasks share their instance's security group) or `awsvpc` (a network interface and a
//! security group per task), placed spread across AZs then bin-packed by memory.

use std::ops::Deref;

use rcdk::{Expr, Scope, Value};
use rcdk_l1::ecs::service::{
    AwsVpcConfiguration, CapacityProviderStrategyItem, NetworkConfiguration, PlacementStrategy,
};
use rcdk_l1::ecs::{CfnService, CfnServiceProps};

use super::ec2_capacity::Ec2Capacity;
use super::scaling::ServiceScaling;
use super::service::{
    TaskEgress, deployment, register_targets, service_metrics, validate_deployment,
};
use super::task_count::{TaskCount, running_tasks_metric};
use super::task_definition::{Placement, TaskDefinition, mebibytes};
use crate::connections::{Connections, HasConnections, Port, SecurityGroup};
use crate::load_balancing::{ApplicationLoadBalancer, TargetGroup, TargetType};
use crate::metrics::Metric;
use crate::network::{SubnetKind, Vpc};
use crate::units::{Duration, Size};

/// How an EC2 task is networked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetworkMode {
    /// Docker's bridge: container ports map to dynamic host ports (32768–65535), so
    /// many tasks share one instance behind an instance target group.
    #[default]
    Bridge,
    /// A network interface per task, with its own security group (IP targets).
    AwsVpc,
}

/// Settings of an [`Ec2TaskDefinition`].
#[derive(Debug, Clone)]
pub struct Ec2TaskDefinitionProps {
    /// `bridge` (dynamic host ports, the instance's group) or `awsvpc` (a network interface
    /// and group per task). Default: bridge.
    pub network_mode: NetworkMode,
    /// CPU units the task reserves (1024 = one vCPU). Default: 256.
    pub cpu: u32,
    /// Hard memory limit of the task, at least 6 MiB (Docker's minimum). Default: 512 MiB.
    pub memory: Size,
}

impl Default for Ec2TaskDefinitionProps {
    fn default() -> Self {
        Ec2TaskDefinitionProps {
            network_mode: NetworkMode::Bridge,
            cpu: 256,
            memory: Size::mebibytes(512),
        }
    }
}

/// A task definition for EC2 capacity.
#[derive(Debug, Clone)]
pub struct Ec2TaskDefinition {
    task: TaskDefinition,
    network_mode: NetworkMode,
    cpu: u32,
    memory_mib: u32,
}

impl Deref for Ec2TaskDefinition {
    type Target = TaskDefinition;
    fn deref(&self) -> &TaskDefinition {
        &self.task
    }
}

impl Ec2TaskDefinition {
    /// Adds the task definition and its roles below `parent`.
    pub fn new(parent: &Scope, id: &str, props: Ec2TaskDefinitionProps) -> Ec2TaskDefinition {
        let memory_mib = mebibytes(props.memory);
        let bridge = props.network_mode == NetworkMode::Bridge;
        let task = TaskDefinition::new(
            parent,
            id,
            Placement {
                compatibility: "EC2",
                network_mode: if bridge { "bridge" } else { "awsvpc" },
                cpu: Some(props.cpu),
                memory_mib: Some(memory_mib),
                // The instances' AMI decides the architecture.
                arm64: None,
                dynamic_host_ports: bridge,
            },
        );
        if !(128..=196_608).contains(&props.cpu) {
            task.add_error(format!(
                "cpu {} is out of range 128 to 196608 units",
                props.cpu
            ));
        }
        if memory_mib < 6 {
            task.add_error(format!(
                "memory is {}; it must be at least 6 MiB (Docker's minimum)",
                props.memory
            ));
        }
        Ec2TaskDefinition {
            task,
            network_mode: props.network_mode,
            cpu: props.cpu,
            memory_mib,
        }
    }

    /// How the tasks are networked.
    pub fn network_mode(&self) -> NetworkMode {
        self.network_mode
    }
}

/// Settings of an [`Ec2Service`].
#[derive(Debug, Clone)]
pub struct Ec2ServiceProps {
    /// The EC2 capacity the service places tasks on.
    pub capacity: Ec2Capacity,
    /// What each task runs.
    pub task_definition: Ec2TaskDefinition,
    /// For `awsvpc` tasks: their subnets (private) and security group's VPC.
    pub vpc: Vpc,
    /// The task count of a service that does not scale. Default: 2. Leave it `None` for
    /// a service with [`Ec2Service::auto_scale`]: the scaling then governs and the
    /// template has no `DesiredCount`; setting both is an error.
    pub desired_count: Option<u32>,
    /// Default: 100.
    pub min_healthy_percent: u32,
    /// Default: 200.
    pub max_percent: u32,
    /// How long failing load-balancer health checks are ignored after a task starts.
    /// Default: 1 min.
    pub health_check_grace_period: Duration,
    /// `awsvpc` tasks only: a security group to share (with other tasks of the same
    /// role). Default: a group of the service's own.
    pub security_group: Option<SecurityGroup>,
    /// `awsvpc` tasks only: where the service's own group lets them reach AWS (the
    /// instances' agent pulls images and secrets through the instances' group).
    /// Default: HTTPS anywhere.
    pub egress: TaskEgress,
}

impl Ec2ServiceProps {
    /// A service of `task_definition` on `capacity`, with the defaults.
    pub fn new(
        capacity: &Ec2Capacity,
        task_definition: &Ec2TaskDefinition,
        vpc: &Vpc,
    ) -> Ec2ServiceProps {
        Ec2ServiceProps {
            capacity: capacity.clone(),
            task_definition: task_definition.clone(),
            vpc: vpc.clone(),
            desired_count: None,
            min_healthy_percent: 100,
            max_percent: 200,
            health_check_grace_period: Duration::minutes(1),
            security_group: None,
            egress: TaskEgress::HttpsAnywhere,
        }
    }
}

/// An ECS service on EC2 capacity, with a deployment circuit breaker that rolls back.
#[derive(Debug, Clone)]
pub struct Ec2Service {
    scope: Scope,
    service: CfnService,
    capacity: Ec2Capacity,
    task_definition: Ec2TaskDefinition,
    /// `awsvpc` tasks' own group; bridge tasks use the instances'.
    security_group: Option<SecurityGroup>,
    grace: Duration,
    count: TaskCount,
}

impl Deref for Ec2Service {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

/// The task must fit on the smallest instance type, or it never places there.
fn check_fit(scope: &Scope, props: &Ec2ServiceProps) {
    let task = &props.task_definition;
    if let Some((instance, vcpus, memory)) = props.capacity.smallest_instance() {
        if task.memory_mib > memory {
            scope.add_error(format!(
                "the task needs {} MiB but a {instance} offers tasks about {memory} MiB (its memory less the OS's tenth and the agent's {} MiB); lower memory or use larger instance types",
                task.memory_mib,
                super::instance_types::RESERVED_MEMORY_MIB
            ));
        }
        if task.cpu > vcpus * 1024 {
            scope.add_error(format!(
                "the task reserves {} CPU units but a {instance} has {} ({vcpus} vCPUs)",
                task.cpu,
                vcpus * 1024
            ));
        }
    }
}

impl Ec2Service {
    /// Adds the service (and, for `awsvpc`, its security group) below `parent`.
    pub fn new(parent: &Scope, id: &str, props: Ec2ServiceProps) -> Ec2Service {
        let scope = Scope::new(parent, id);
        validate_deployment(
            &scope,
            props.min_healthy_percent,
            props.max_percent,
            props.health_check_grace_period,
        );
        check_fit(&scope, &props);
        if props.task_definition.container_count() == 0 {
            scope.add_error("task_definition has no containers; add one with add_container before creating the service");
        }
        let awsvpc = props.task_definition.network_mode == NetworkMode::AwsVpc;
        if !awsvpc && props.security_group.is_some() {
            scope.add_error("security_group is for awsvpc tasks; bridge-mode tasks use their instances' group (Ec2Capacity's connections)");
        }
        if awsvpc {
            props
                .vpc
                .require_subnets(&scope, SubnetKind::PrivateWithEgress);
        }
        let security_group = awsvpc.then(|| {
            props.security_group.clone().unwrap_or_else(|| {
                props
                    .egress
                    .group(&scope, &props.vpc, &format!("Tasks of {}", scope.path()))
            })
        });
        let cluster = props.capacity.cluster().clone();
        let count = TaskCount::new(props.desired_count);
        let service = CfnService::new(
            &scope,
            "Service",
            CfnServiceProps {
                cluster: Some(cluster.name()),
                task_definition: Some(props.task_definition.arn()),
                desired_count: Some(count.initial().into()),
                capacity_provider_strategy: Some(vec![CapacityProviderStrategyItem {
                    capacity_provider: Some(props.capacity.provider_name()),
                    weight: Some(1.into()),
                    base: Some(0.into()),
                }]),
                // Across AZs first (an AZ lost keeps the others' tasks), then as few
                // instances as memory allows (the rest can scale in).
                placement_strategies: Some(vec![
                    PlacementStrategy {
                        field: Some("attribute:ecs.availability-zone".into()),
                        ..PlacementStrategy::new("spread")
                    },
                    PlacementStrategy {
                        field: Some("memory".into()),
                        ..PlacementStrategy::new("binpack")
                    },
                ]),
                propagate_tags: Some("SERVICE".into()),
                enable_ecs_managed_tags: Some(true.into()),
                deployment_configuration: Some(deployment(
                    props.min_healthy_percent,
                    props.max_percent,
                )),
                network_configuration: security_group.as_ref().map(|sg| NetworkConfiguration {
                    awsvpc_configuration: Some(AwsVpcConfiguration {
                        assign_public_ip: Some("DISABLED".into()),
                        security_groups: Some(vec![sg.group_id()].into()),
                        subnets: Some(Expr::unchecked(Value::list(
                            props.vpc.subnet_ids(SubnetKind::PrivateWithEgress),
                        ))),
                    }),
                }),
                ..Default::default()
            },
        );
        // ECS refuses a strategy naming a provider the cluster does not have yet.
        if let Some(association) = cluster.capacity_providers() {
            service.add_depends_on(&association);
        }
        Ec2Service {
            scope,
            service,
            capacity: props.capacity,
            task_definition: props.task_definition,
            security_group,
            grace: props.health_check_grace_period,
            count,
        }
    }

    /// Registers the default container with `target_group` (instance targets in bridge
    /// mode, IP targets in `awsvpc`) and lets the load balancer reach it: in bridge mode
    /// the instances on the dynamic host ports 32768–65535 only.
    pub fn attach_to(&self, target_group: &TargetGroup, load_balancer: &ApplicationLoadBalancer) {
        let bridge = self.task_definition.network_mode == NetworkMode::Bridge;
        let wanted = if bridge {
            TargetType::Instance
        } else {
            TargetType::Ip
        };
        if target_group.target_type() != wanted {
            self.scope.add_error(format!(
                "attach_to: a {} task registers {wanted:?} targets, and {} takes {:?} targets; set target_type: TargetType::{wanted:?}",
                if bridge { "bridge-mode" } else { "awsvpc" },
                target_group.path(),
                target_group.target_type()
            ));
        }
        let Some(port) = register_targets(
            &self.scope,
            &self.service,
            &self.task_definition,
            target_group,
            self.grace,
        ) else {
            return;
        };
        let description = format!("Load balancer to {}", self.scope.path());
        if bridge {
            self.capacity.connections().allow_from(
                load_balancer,
                Port::tcp_range(32768, 65535),
                &description,
            );
        } else {
            self.connections()
                .allow_from(load_balancer, Port::tcp(port), &description);
        }
    }

    /// Autoscaling of the task count between `min` and `max`; add policies on the result.
    /// From then on the scaling governs the count: the template has no `DesiredCount`
    /// (see [`Ec2ServiceProps::desired_count`]). Call it once.
    pub fn auto_scale(&self, min: u32, max: u32) -> ServiceScaling {
        self.count.auto_scale(
            &self.scope,
            &self.service,
            self.capacity.cluster(),
            min,
            max,
        )
    }

    /// Joins a Service Connect namespace: calls its services by name, and with `serve`
    /// is called by name too (`http://DNS_NAME:PORT`, through the default container's
    /// port). Admit the clients with `connections()` as for any traffic.
    pub fn service_connect(
        &self,
        namespace: &super::ServiceConnectNamespace,
        serve: Option<super::ServeProps>,
    ) {
        super::service_connect::join(
            &self.scope,
            &self.service,
            &self.task_definition,
            namespace,
            serve,
        );
    }

    /// The service's name (the `ServiceName` dimension).
    pub fn name(&self) -> Expr<String> {
        self.service.attr_name()
    }

    /// The `AWS::ECS::Service` resource.
    pub fn resource(&self) -> &CfnService {
        &self.service
    }

    /// The task definition.
    pub fn task_definition(&self) -> &Ec2TaskDefinition {
        &self.task_definition
    }

    /// `CPUUtilization` of the service (percent of the reserved CPU).
    pub fn metric_cpu(&self) -> Metric {
        service_metrics(self.capacity.cluster(), self.name()).cpu
    }

    /// `MemoryUtilization` of the service (percent of the reserved memory).
    pub fn metric_memory(&self) -> Metric {
        service_metrics(self.capacity.cluster(), self.name()).memory
    }

    /// Container Insights' `RunningTaskCount` (refused when the cluster has them off).
    pub fn metric_running_tasks(&self) -> Metric {
        running_tasks_metric(&self.scope, self.capacity.cluster(), self.name())
    }
}

super::service::ecs_service_by_inherent_methods!(Ec2Service);

impl HasConnections for Ec2Service {
    fn connections(&self) -> Connections {
        let port = self
            .task_definition
            .default_container()
            .map(|(_, p)| Port::tcp(p));
        match &self.security_group {
            Some(sg) => Connections::new(vec![sg.clone()], port),
            // Bridge tasks speak from their instance.
            None => self.capacity.connections(),
        }
    }
}

impl crate::iam::Grantable for Ec2TaskDefinition {
    fn grant_role(&self) -> &crate::iam::Role {
        self.task_role()
    }
}

/// A grant to the service is a grant to its tasks' role.
impl crate::iam::Grantable for Ec2Service {
    fn grant_role(&self) -> &crate::iam::Role {
        self.task_definition.task_role()
    }
}
