//! Task definitions with an execution role scoped to exactly what the containers need
//! and an empty task role: [`TaskDefinition`] holds what Fargate and EC2 tasks share,
//! [`FargateTaskDefinition`] checks Fargate's sizes.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Deref;
use std::rc::Rc;

use rcdk::{Expr, Scope, fns};
use rcdk_l1::ecs::task_definition::{
    ContainerDefinition, HealthCheck, KeyValuePair, LogConfiguration, PortMapping, RuntimePlatform,
    Secret,
};
use rcdk_l1::ecs::{CfnTaskDefinition, CfnTaskDefinitionProps};

use super::container::ContainerProps;
use crate::iam::{PolicyStatement, Principal, Role, RoleProps};
use crate::logs::{LogGroup, LogGroupProps};
use crate::units::{Size, seconds};

/// Fargate's CPU units and the memory (MiB) each allows.
pub const FARGATE_SIZES: &[(u32, &[u32])] = &[
    (256, &[512, 1024, 2048]),
    (512, &[1024, 2048, 3072, 4096]),
    (1024, &[2048, 3072, 4096, 5120, 6144, 7168, 8192]),
    (
        2048,
        &[
            4096, 5120, 6144, 7168, 8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384,
        ],
    ),
    (
        4096,
        &[
            8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384, 17408, 18432, 19456,
            20480, 21504, 22528, 23552, 24576, 25600, 26624, 27648, 28672, 29696, 30720,
        ],
    ),
    (
        8192,
        &[
            16384, 20480, 24576, 28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440,
        ],
    ),
    (
        16384,
        &[
            32768, 40960, 49152, 57344, 65536, 73728, 81920, 90112, 98304, 106496, 114688, 122880,
        ],
    ),
];

/// Settings of a [`FargateTaskDefinition`].
#[derive(Debug, Clone)]
pub struct FargateTaskDefinitionProps {
    /// CPU units (1024 = one vCPU). Default: 256.
    pub cpu: u32,
    /// One of the sizes Fargate pairs with `cpu` ([`FARGATE_SIZES`]). Default: 512 MiB.
    pub memory: Size,
    /// Graviton (`ARM64`) instead of `X86_64`. Default: false.
    pub arm64: bool,
}

impl Default for FargateTaskDefinitionProps {
    fn default() -> Self {
        FargateTaskDefinitionProps {
            cpu: 256,
            memory: Size::mebibytes(512),
            arm64: false,
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct ContainerInfo {
    pub(super) name: String,
    port: Option<u16>,
    /// Where its logs go (a sidecar may write beside it).
    pub(super) logs: LogGroup,
}

/// What a Fargate or EC2 task definition shares: the roles, the containers and their
/// log groups.
#[derive(Debug, Clone)]
pub struct TaskDefinition {
    pub(super) scope: Scope,
    pub(super) definition: CfnTaskDefinition,
    execution_role: Role,
    task_role: Role,
    pub(super) containers: Rc<RefCell<Vec<ContainerInfo>>>,
    pub(super) dynamic_host_ports: bool,
    /// The task's memory, which is also each container's hard limit.
    memory_mib: Option<u32>,
}

impl Deref for TaskDefinition {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

/// How a [`TaskDefinition`] runs: what differs between Fargate and EC2.
pub(super) struct Placement {
    pub compatibility: &'static str,
    pub network_mode: &'static str,
    pub cpu: Option<u32>,
    pub memory_mib: Option<u32>,
    pub arm64: Option<bool>,
    /// Bridge mode: each container port gets a host port chosen by the instance
    /// (`HostPort: 0`), so several tasks share an instance.
    pub dynamic_host_ports: bool,
}

/// A Fargate task definition.
#[derive(Debug, Clone)]
pub struct FargateTaskDefinition {
    task: TaskDefinition,
}

impl Deref for FargateTaskDefinition {
    type Target = TaskDefinition;
    fn deref(&self) -> &TaskDefinition {
        &self.task
    }
}

/// A size in the MiB ECS counts in (saturating: a size that large is refused anyway).
pub(super) fn mebibytes(size: Size) -> u32 {
    u32::try_from(size.as_mebibytes()).unwrap_or(u32::MAX)
}

fn check_size(scope: &Scope, cpu: u32, memory: u32) {
    match FARGATE_SIZES.iter().find(|(c, _)| *c == cpu) {
        None => scope.add_error(format!(
            "cpu {cpu} is not a Fargate size; use one of {:?}",
            FARGATE_SIZES.iter().map(|(c, _)| c).collect::<Vec<_>>()
        )),
        Some((_, memories)) if !memories.contains(&memory) => scope.add_error(format!(
            "memory {} does not fit cpu {cpu} on Fargate; with cpu {cpu} use {} to {} MiB ({memories:?})",
            Size::mebibytes(u64::from(memory)),
            memories.first().copied().unwrap_or(0),
            memories.last().copied().unwrap_or(0),
        )),
        Some(_) => {}
    }
}

fn check_container(scope: &Scope, name: &str, props: &ContainerProps) {
    let mut problems = Vec::new();
    let name_ok = !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !name_ok {
        problems.push("the container name must be 1 to 255 letters, digits, '-' or '_'".to_owned());
    }
    for var in props.environment.keys().chain(props.secrets.keys()) {
        let ok = var
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            problems.push(format!("environment variable name '{var}' must be letters, digits and '_', not starting with a digit"));
        }
    }
    for var in props
        .environment
        .keys()
        .filter(|k| props.secrets.contains_key(*k))
    {
        problems.push(format!(
            "'{var}' is both in environment and in secrets; keep one"
        ));
    }
    if props.port_mappings.contains(&0) {
        problems.push("port_mappings: port 0 is not a port".to_owned());
    }
    if let Some(h) = &props.health_check {
        for (field, d, lo, hi) in [
            ("health_check.interval", h.interval, 5, 300),
            ("health_check.timeout", h.timeout, 2, 60),
            ("health_check.start_period", h.start_period, 0, 300),
        ] {
            problems.extend(seconds(field, d, lo, hi).1);
        }
        if !(1..=10).contains(&h.retries) {
            problems.push(format!(
                "health_check.retries {} is out of range 1 to 10",
                h.retries
            ));
        }
        if h.command.is_empty() {
            problems.push("health_check.command is empty".to_owned());
        }
    }
    for p in problems {
        scope.add_error(format!("container '{name}': {p}"));
    }
}

impl FargateTaskDefinition {
    /// Adds the task definition and its roles below `parent`; add containers with
    /// [`TaskDefinition::add_container`].
    pub fn new(
        parent: &Scope,
        id: &str,
        props: FargateTaskDefinitionProps,
    ) -> FargateTaskDefinition {
        let task = TaskDefinition::new(
            parent,
            id,
            Placement {
                compatibility: "FARGATE",
                network_mode: "awsvpc",
                cpu: Some(props.cpu),
                memory_mib: Some(mebibytes(props.memory)),
                arm64: Some(props.arm64),
                dynamic_host_ports: false,
            },
        );
        check_size(&task.scope, props.cpu, mebibytes(props.memory));
        FargateTaskDefinition { task }
    }
}

impl TaskDefinition {
    pub(super) fn new(parent: &Scope, id: &str, placement: Placement) -> TaskDefinition {
        let scope = Scope::new(parent, id);
        let execution_role = Role::new(
            &scope,
            "ExecutionRole",
            RoleProps {
                description: Some(format!(
                    "Starts the tasks of {}: pulls images, writes logs, reads secrets",
                    scope.path()
                )),
                ..RoleProps::new(Principal::service("ecs-tasks.amazonaws.com"))
            },
        );
        let task_role = Role::new(
            &scope,
            "TaskRole",
            RoleProps {
                description: Some(format!(
                    "Permissions of the application in {}",
                    scope.path()
                )),
                ..RoleProps::new(Principal::service("ecs-tasks.amazonaws.com"))
            },
        );
        let definition = CfnTaskDefinition::new(
            &scope,
            "Resource",
            CfnTaskDefinitionProps {
                family: Some(scope.aws().sub(format!("${{AWS::StackName}}-{id}"))),
                cpu: placement.cpu.map(|c| c.to_string().into()),
                memory: placement.memory_mib.map(|m| m.to_string().into()),
                network_mode: Some(placement.network_mode.into()),
                requires_compatibilities: Some(vec![placement.compatibility.to_owned()].into()),
                runtime_platform: placement.arm64.map(|arm64| RuntimePlatform {
                    cpu_architecture: Some(if arm64 { "ARM64" } else { "X86_64" }.into()),
                    operating_system_family: Some("LINUX".into()),
                }),
                execution_role_arn: Some(execution_role.arn()),
                task_role_arn: Some(task_role.arn()),
                container_definitions: Some(Vec::new()),
                ..Default::default()
            },
        );
        // A container without `user` runs as its image's USER, which the rule cannot read.
        crate::posture::waive_check_by_default_if(
            &definition,
            &["ecs_task_definition_nonroot_user_check"],
            "A container without ContainerProps.user runs as its image's USER (set in the Dockerfile), which this rule cannot see; give user (uid:gid) to pin a non-root user in the task definition",
            |resource| match resource.properties().get_path(&["ContainerDefinitions"]) {
                Some(rcdk::Value::List(containers)) => {
                    containers.iter().any(|c| c.get_path(&["User"]).is_none())
                }
                _ => false,
            },
        );
        TaskDefinition {
            scope,
            definition,
            execution_role,
            task_role,
            containers: Rc::default(),
            dynamic_host_ports: placement.dynamic_host_ports,
            memory_mib: placement.memory_mib,
        }
    }

    /// Adds a container with its own log group; the execution role gets exactly the
    /// permissions it needs (that log group, those secrets, that repository).
    pub fn add_container(&self, name: &str, props: ContainerProps) {
        self.add_container_logging_to(name, props, None);
    }

    /// [`Self::add_container`], writing into `shared` (another container's log group,
    /// under its own stream prefix) instead of a log group of its own.
    pub(super) fn add_container_logging_to(
        &self,
        name: &str,
        props: ContainerProps,
        shared: Option<LogGroup>,
    ) {
        check_container(&self.scope, name, &props);
        if self.containers.borrow().iter().any(|c| c.name == name) {
            self.scope
                .add_error(format!("container '{name}' is added twice"));
            return;
        }
        let logs = match shared {
            // The execution role may write to it already.
            Some(logs) => logs,
            None => {
                let logs = LogGroup::new(
                    &self.scope,
                    &format!("{}Logs", rcdk::naming::pascal_case(name)),
                    LogGroupProps {
                        retention_days: props.log_retention_days,
                        encryption_key: props.log_encryption_key.clone(),
                        ..LogGroupProps::default()
                    },
                );
                self.execution_role.add_to_policy(
                    PolicyStatement::allow()
                        .actions(["logs:CreateLogStream", "logs:PutLogEvents"])
                        .resource(logs.arn()),
                );
                logs
            }
        };
        for secret in props.secrets.values() {
            secret.secret.grant_read(&self.execution_role);
        }
        if let Some(repository) = props.image.repository_arn() {
            for statement in crate::ecr::pull_statements(repository) {
                self.execution_role.add_to_policy(statement);
            }
        }
        let definition = container_definition(
            name,
            &props,
            &logs,
            self.dynamic_host_ports,
            self.memory_mib,
        );
        self.definition
            .update_props(|p: &mut CfnTaskDefinitionProps| {
                p.container_definitions
                    .get_or_insert_with(Vec::new)
                    .push(definition);
            });
        self.containers.borrow_mut().push(ContainerInfo {
            name: name.to_owned(),
            port: props.port_mappings.first().copied(),
            logs,
        });
    }

    /// The task definition's ARN (what services and schedules run).
    pub fn arn(&self) -> Expr<String> {
        self.definition.ref_()
    }

    /// The `AWS::ECS::TaskDefinition` resource.
    pub fn resource(&self) -> &CfnTaskDefinition {
        &self.definition
    }

    /// The role ECS uses to start the tasks (pull the image, write logs, read secrets).
    pub fn execution_role(&self) -> &Role {
        &self.execution_role
    }

    /// The application's role: empty until something is granted to it.
    pub fn task_role(&self) -> &Role {
        &self.task_role
    }

    /// How many containers the task has.
    pub fn container_count(&self) -> usize {
        self.containers.borrow().len()
    }

    /// The first container with a port, and that port: what a load balancer targets.
    pub fn default_container(&self) -> Option<(String, u16)> {
        self.containers
            .borrow()
            .iter()
            .find_map(|c| c.port.map(|p| (c.name.clone(), p)))
    }
}

fn container_definition(
    name: &str,
    props: &ContainerProps,
    logs: &LogGroup,
    dynamic_host_ports: bool,
    memory_mib: Option<u32>,
) -> ContainerDefinition {
    let options = BTreeMap::from([
        ("awslogs-group".to_owned(), logs.name()),
        ("awslogs-region".to_owned(), fns::region()),
        ("awslogs-stream-prefix".to_owned(), Expr::from(name)),
    ]);
    ContainerDefinition {
        essential: Some(props.essential.into()),
        port_mappings: (!props.port_mappings.is_empty()).then(|| {
            props
                .port_mappings
                .iter()
                .map(|p| PortMapping {
                    container_port: Some(i64::from(*p).into()),
                    host_port: dynamic_host_ports.then(|| 0.into()),
                    protocol: Some("tcp".into()),
                    ..Default::default()
                })
                .collect()
        }),
        environment: (!props.environment.is_empty()).then(|| {
            props
                .environment
                .iter()
                .map(|(k, v)| KeyValuePair {
                    name: Some(k.as_str().into()),
                    value: Some(v.clone()),
                })
                .collect()
        }),
        secrets: (!props.secrets.is_empty()).then(|| {
            props
                .secrets
                .iter()
                .map(|(k, v)| Secret::new(k.as_str(), v.value_from()))
                .collect()
        }),
        health_check: props.health_check.as_ref().map(|h| HealthCheck {
            command: Some(h.command.clone().into()),
            interval: Some(h.interval.truncated_seconds().into()),
            timeout: Some(h.timeout.truncated_seconds().into()),
            retries: Some(i64::from(h.retries).into()),
            start_period: Some(h.start_period.truncated_seconds().into()),
        }),
        command: props.command.clone().map(Into::into),
        log_configuration: Some(LogConfiguration {
            options: Some(options),
            ..LogConfiguration::new("awslogs")
        }),
        readonly_root_filesystem: Some(props.readonly_root_filesystem.into()),
        // A hard limit per container (Control Tower CT.ECS.PR.7): a container that leaks
        // is killed at the task's size instead of starving its neighbours.
        memory: memory_mib.map(|m| i64::from(m).into()),
        user: props.user.as_deref().map(Into::into),
        ..ContainerDefinition::new(props.image.uri(), name)
    }
}

impl crate::iam::Grantable for TaskDefinition {
    fn grant_role(&self) -> &crate::iam::Role {
        self.task_role()
    }
}

impl crate::iam::Grantable for FargateTaskDefinition {
    fn grant_role(&self) -> &crate::iam::Role {
        self.task_role()
    }
}
