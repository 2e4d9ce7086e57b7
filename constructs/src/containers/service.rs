//! The Fargate service.

use std::ops::Deref;

use rcdk::{Expr, Scope};
use rcdk_l1::ecs::service::{
    AwsVpcConfiguration, DeploymentCircuitBreaker, DeploymentConfiguration, LoadBalancer,
    NetworkConfiguration,
};
use rcdk_l1::ecs::{CfnService, CfnServiceProps};

use super::cluster::Cluster;
use super::scaling::ServiceScaling;
use super::task_count::{TaskCount, running_tasks_metric};
use super::task_definition::{FargateTaskDefinition, TaskDefinition};
use crate::connections::{Connections, HasConnections, Port, SecurityGroup};
use crate::load_balancing::{ApplicationLoadBalancer, TargetGroup};
use crate::metrics::{Metric, Statistic};
use crate::network::{SubnetKind, Vpc};
use crate::units::Duration;

/// Settings of a [`FargateService`]. `FargateServiceProps::new(…)` gives the
/// production defaults.
#[derive(Debug, Clone)]
pub struct FargateServiceProps {
    /// The cluster the service runs in.
    pub cluster: Cluster,
    /// What each task runs.
    pub task_definition: FargateTaskDefinition,
    /// The VPC whose subnets the tasks go into.
    pub vpc: Vpc,
    /// Default: private subnets with egress (no public IP either way).
    pub subnets: SubnetKind,
    /// The task count of a service that does not scale. Default: 2. Leave it `None` for
    /// a service with [`FargateService::auto_scale`]: the scaling then governs and the
    /// template has no `DesiredCount` (a deploy keeps the running count; a new service
    /// starts with one task and scales to the minimum); setting both is an error.
    pub desired_count: Option<u32>,
    /// Default: 100 (never below the desired count during a deployment).
    pub min_healthy_percent: u32,
    /// Default: 200.
    pub max_percent: u32,
    /// How long the service ignores failing load-balancer health checks after a task
    /// starts, whole seconds. Default: 1 min.
    pub health_check_grace_period: Duration,
    /// ECS Exec (a shell in running tasks). Default: false.
    pub enable_execute_command: bool,
    /// Share a security group with other services (one database rule admits them
    /// all). Default: a group of its own, with the egress [`FargateServiceProps::egress`]
    /// says (plus what its connections add) and no ingress.
    pub security_group: Option<SecurityGroup>,
    /// Where the service's own group lets its tasks reach AWS. Default: HTTPS anywhere.
    pub egress: TaskEgress,
}

/// Where a service's own security group lets its tasks reach AWS services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaskEgress {
    /// HTTPS anywhere (AWS APIs and registries through NAT, or the internet's).
    #[default]
    HttpsAnywhere,
    /// HTTPS only to the VPC's endpoints (its interface endpoints' group, its gateway
    /// endpoints' prefix lists): tasks that call only AWS services, no route to the
    /// internet ([`crate::network::endpoints_only_group`]).
    VpcEndpointsOnly,
}

impl TaskEgress {
    /// The service's own group, with this egress.
    pub(crate) fn group(self, scope: &Scope, vpc: &Vpc, description: &str) -> SecurityGroup {
        match self {
            TaskEgress::HttpsAnywhere => {
                SecurityGroup::https_egress(scope, "SecurityGroup", vpc.vpc_id(), description)
            }
            TaskEgress::VpcEndpointsOnly => {
                crate::network::endpoints_only_group(scope, "SecurityGroup", vpc, description)
            }
        }
    }
}

impl FargateServiceProps {
    /// A service of `task_definition` in `cluster`, with the production defaults.
    pub fn new(
        cluster: &Cluster,
        task_definition: &FargateTaskDefinition,
        vpc: &Vpc,
    ) -> FargateServiceProps {
        FargateServiceProps {
            cluster: cluster.clone(),
            task_definition: task_definition.clone(),
            vpc: vpc.clone(),
            subnets: SubnetKind::PrivateWithEgress,
            desired_count: None,
            min_healthy_percent: 100,
            max_percent: 200,
            health_check_grace_period: Duration::minutes(1),
            enable_execute_command: false,
            security_group: None,
            egress: TaskEgress::HttpsAnywhere,
        }
    }
}

/// A Fargate service with its own security group, a deployment circuit breaker that
/// rolls back, and no public IP.
#[derive(Debug, Clone)]
pub struct FargateService {
    scope: Scope,
    service: CfnService,
    cluster: Cluster,
    task_definition: FargateTaskDefinition,
    security_group: SecurityGroup,
    grace: Duration,
    count: TaskCount,
}

impl Deref for FargateService {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

fn validate(scope: &Scope, props: &FargateServiceProps) {
    validate_deployment(
        scope,
        props.min_healthy_percent,
        props.max_percent,
        props.health_check_grace_period,
    );
    props.vpc.require_subnets(scope, props.subnets);
    if props.task_definition.container_count() == 0 {
        scope.add_error("task_definition has no containers; add one with add_container before creating the service");
    }
}

impl FargateService {
    /// Adds the service and (unless one is given) its security group below `parent`.
    pub fn new(parent: &Scope, id: &str, props: FargateServiceProps) -> FargateService {
        let scope = Scope::new(parent, id);
        validate(&scope, &props);
        let security_group = props.security_group.clone().unwrap_or_else(|| {
            // Tasks pull images and call AWS APIs over HTTPS; the rest is what their
            // connections add.
            props
                .egress
                .group(&scope, &props.vpc, &format!("Tasks of {}", scope.path()))
        });
        let count = TaskCount::new(props.desired_count);
        let service = CfnService::new(
            &scope,
            "Service",
            CfnServiceProps {
                cluster: Some(props.cluster.name()),
                task_definition: Some(props.task_definition.arn()),
                launch_type: Some("FARGATE".into()),
                platform_version: Some("LATEST".into()),
                desired_count: Some(count.initial().into()),
                enable_execute_command: Some(props.enable_execute_command.into()),
                propagate_tags: Some("SERVICE".into()),
                enable_ecs_managed_tags: Some(true.into()),
                deployment_configuration: Some(deployment(
                    props.min_healthy_percent,
                    props.max_percent,
                )),
                network_configuration: Some(NetworkConfiguration {
                    awsvpc_configuration: Some(AwsVpcConfiguration {
                        assign_public_ip: Some("DISABLED".into()),
                        security_groups: Some(vec![security_group.group_id()].into()),
                        subnets: Some(Expr::unchecked(rcdk::Value::list(
                            props.vpc.subnet_ids(props.subnets),
                        ))),
                    }),
                }),
                ..Default::default()
            },
        );
        FargateService {
            scope,
            service,
            cluster: props.cluster,
            task_definition: props.task_definition,
            security_group,
            grace: props.health_check_grace_period,
            count,
        }
    }

    /// Registers the tasks' default container port with `target_group` and lets the
    /// load balancer reach it. The service waits for the listeners that forward to the
    /// group (ECS rejects a target group no load balancer uses).
    pub fn attach_to(&self, target_group: &TargetGroup, load_balancer: &ApplicationLoadBalancer) {
        let Some(port) = register_targets(
            &self.scope,
            &self.service,
            &self.task_definition,
            target_group,
            self.grace,
        ) else {
            return;
        };
        self.connections().allow_from(
            load_balancer,
            Port::tcp(port),
            &format!("Load balancer to {}", self.scope.path()),
        );
    }

    /// Autoscaling of the task count between `min` and `max`; add policies on the result.
    /// From then on the scaling governs the count: the template has no `DesiredCount`
    /// (see [`FargateServiceProps::desired_count`]). Call it once.
    pub fn auto_scale(&self, min: u32, max: u32) -> ServiceScaling {
        self.count
            .auto_scale(&self.scope, &self.service, &self.cluster, min, max)
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

    /// The service name (the `ServiceName` dimension).
    pub fn name(&self) -> Expr<String> {
        self.service.attr_name()
    }

    /// The service's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.service.ref_()
    }

    /// The `AWS::ECS::Service` resource.
    pub fn resource(&self) -> &CfnService {
        &self.service
    }

    /// The task definition.
    pub fn task_definition(&self) -> &FargateTaskDefinition {
        &self.task_definition
    }

    /// `CPUUtilization` of the service (percent of the reserved CPU).
    pub fn metric_cpu(&self) -> Metric {
        service_metrics(&self.cluster, self.name()).cpu
    }

    /// `MemoryUtilization` of the service (percent of the reserved memory).
    pub fn metric_memory(&self) -> Metric {
        service_metrics(&self.cluster, self.name()).memory
    }

    /// Container Insights' `RunningTaskCount`, minimum over the period (refused when the
    /// cluster has Container Insights disabled: the metric would not exist).
    pub fn metric_running_tasks(&self) -> Metric {
        running_tasks_metric(&self.scope, &self.cluster, self.name())
    }
}

/// Registers the task definition's default container with `target_group` on
/// `service`, and makes the service wait for the listeners that forward to the group
/// (ECS rejects a target group no load balancer uses). Returns the container port.
pub(super) fn register_targets(
    scope: &Scope,
    service: &CfnService,
    task_definition: &TaskDefinition,
    target_group: &TargetGroup,
    grace: Duration,
) -> Option<u16> {
    let Some((container, port)) = task_definition.default_container() else {
        scope.add_error("attach_to: the task definition has no container with a port mapping");
        return None;
    };
    if port != target_group.port() {
        scope.add_error(format!(
            "attach_to: the container '{container}' listens on {port} but the target group {} sends to {}; use the same port",
            target_group.path(),
            target_group.port()
        ));
    }
    // Built outside `update_props`, which holds the construct tree.
    let registration = LoadBalancer {
        container_name: Some(container.as_str().into()),
        container_port: Some(i64::from(port).into()),
        target_group_arn: Some(target_group.arn()),
        ..Default::default()
    };
    service.update_props(|p: &mut CfnServiceProps| {
        p.load_balancers
            .get_or_insert_with(Vec::new)
            .push(registration);
        p.health_check_grace_period_seconds = Some(grace.truncated_seconds().into());
    });
    let service_stack = scope.stack();
    for route in target_group.routes() {
        if route.stack() == service_stack {
            service.add_depends_on(&route);
        }
    }
    Some(port)
}

/// What every ECS service offers, Fargate or EC2: so an app (or `WebAlarms`) can hold
/// either.
pub trait EcsService: HasConnections + crate::iam::Grantable + std::fmt::Debug {
    /// Registers the default container with `target_group` and admits the load balancer.
    fn attach_to(&self, target_group: &TargetGroup, load_balancer: &ApplicationLoadBalancer);
    /// Autoscaling of the task count between `min` and `max`.
    fn auto_scale(&self, min: u32, max: u32) -> ServiceScaling;
    /// `CPUUtilization` of the service.
    fn metric_cpu(&self) -> Metric;
    /// `MemoryUtilization` of the service.
    fn metric_memory(&self) -> Metric;
    /// Container Insights' `RunningTaskCount` of the service.
    fn metric_running_tasks(&self) -> Metric;
    /// Joins a Service Connect namespace: calls its services by name, and with `serve`
    /// is called by name too (see [`ServiceConnectNamespace`](super::ServiceConnectNamespace)).
    fn service_connect(
        &self,
        namespace: &super::ServiceConnectNamespace,
        serve: Option<super::ServeProps>,
    );
}

/// `EcsService` by the service type's own methods of the same names.
macro_rules! ecs_service_by_inherent_methods {
    ($service:ty) => {
        impl $crate::containers::EcsService for $service {
            fn attach_to(
                &self,
                target_group: &$crate::load_balancing::TargetGroup,
                load_balancer: &$crate::load_balancing::ApplicationLoadBalancer,
            ) {
                <$service>::attach_to(self, target_group, load_balancer);
            }
            fn auto_scale(&self, min: u32, max: u32) -> $crate::containers::ServiceScaling {
                <$service>::auto_scale(self, min, max)
            }
            fn metric_cpu(&self) -> $crate::metrics::Metric {
                <$service>::metric_cpu(self)
            }
            fn metric_memory(&self) -> $crate::metrics::Metric {
                <$service>::metric_memory(self)
            }
            fn metric_running_tasks(&self) -> $crate::metrics::Metric {
                <$service>::metric_running_tasks(self)
            }
            fn service_connect(
                &self,
                namespace: &$crate::containers::ServiceConnectNamespace,
                serve: Option<$crate::containers::ServeProps>,
            ) {
                <$service>::service_connect(self, namespace, serve);
            }
        }
    };
}
pub(super) use ecs_service_by_inherent_methods;

ecs_service_by_inherent_methods!(FargateService);

/// The metrics every ECS service has, whatever runs it.
pub(super) struct ServiceMetrics {
    pub cpu: Metric,
    pub memory: Metric,
    pub running_tasks: Metric,
}

pub(super) fn service_metrics(cluster: &Cluster, service: Expr<String>) -> ServiceMetrics {
    let metric = |namespace: &str, name: &str, statistic: Statistic| {
        Metric::new(
            namespace,
            name,
            vec![
                ("ClusterName".into(), cluster.name()),
                ("ServiceName".into(), service.clone()),
            ],
        )
        .with_statistic(statistic)
    };
    ServiceMetrics {
        cpu: metric("AWS/ECS", "CPUUtilization", Statistic::Average),
        memory: metric("AWS/ECS", "MemoryUtilization", Statistic::Average),
        running_tasks: metric(
            "ECS/ContainerInsights",
            "RunningTaskCount",
            Statistic::Minimum,
        ),
    }
}

/// The deployment settings both kinds of service share: rolling, never below
/// `min_healthy_percent`, rolled back by the circuit breaker.
pub(super) fn deployment(min_healthy_percent: u32, max_percent: u32) -> DeploymentConfiguration {
    DeploymentConfiguration {
        deployment_circuit_breaker: Some(DeploymentCircuitBreaker::new(true, true)),
        minimum_healthy_percent: Some(i64::from(min_healthy_percent).into()),
        maximum_percent: Some(i64::from(max_percent).into()),
        ..Default::default()
    }
}

/// Checks the deployment percentages and grace period of a service.
pub(super) fn validate_deployment(scope: &Scope, min_healthy: u32, max: u32, grace: Duration) {
    if !(100..=400).contains(&max) {
        scope.add_error(format!("max_percent {max} is out of range 100 to 400"));
    }
    if min_healthy > 100 || min_healthy >= max {
        scope.add_error(format!(
            "min_healthy_percent {min_healthy} must be at most 100 and below max_percent {max}"
        ));
    }
    crate::units::seconds_in(scope, "health_check_grace_period", grace, 0, 2_147_483_647);
}

impl HasConnections for FargateService {
    fn connections(&self) -> Connections {
        Connections::new(
            vec![self.security_group.clone()],
            self.task_definition
                .default_container()
                .map(|(_, p)| Port::tcp(p)),
        )
    }
}

/// A grant to the service is a grant to its tasks' role.
impl crate::iam::Grantable for FargateService {
    fn grant_role(&self) -> &crate::iam::Role {
        self.task_definition.task_role()
    }
}
