//! ECS capacity on EC2: an Auto Scaling group of ECS-optimized Amazon Linux 2023
//! instances behind a capacity provider with managed scaling, managed termination
//! protection and managed draining (ECS drains an instance's tasks before the group
//! terminates it, through lifecycle hooks ECS manages, so no draining function of our
//! own is needed), attached to the cluster as its default strategy.
//!
//! ```
//! use rcdk::{App, Environment, Stack, StackProps};
//! use rcdk_constructs::containers::*;
//! use rcdk_constructs::network::{Vpc, VpcProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let env = Environment::new("123456789012", "us-east-1");
//! let stack = Stack::new(&app, "workers", StackProps { env, ..Default::default() });
//! let vpc = Vpc::new(&stack, "Vpc", VpcProps::default());
//! let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
//! let capacity = Ec2Capacity::new(&stack, "Capacity", Ec2CapacityProps {
//!     max_capacity: 6,
//!     spot_percent: 50,
//!     ..Ec2CapacityProps::new(&cluster, &vpc, &["m7g.large", "c7g.large"])
//! });
//! let task = Ec2TaskDefinition::new(&stack, "Task", Ec2TaskDefinitionProps::default());
//! task.add_container("worker", ContainerProps::new(ContainerImage::ecr("worker", "1.4.2")));
//! let service = Ec2Service::new(&stack, "Worker", Ec2ServiceProps::new(&capacity, &task, &vpc));
//! service.auto_scale(1, 10).scale_on_steps("Cpu", StepScaling::new(service.metric_cpu(), 75.0, 25.0));
//! assert!(app.synthesize().is_ok());
//! ```

use std::ops::Deref;

use rcdk::{CfnParameter, Expr, ParameterProps, Scope, Value, fns};
use rcdk_l1::autoscaling::auto_scaling_group::{
    InstancesDistribution, LaunchTemplate, LaunchTemplateOverrides, LaunchTemplateSpecification,
    MetricsCollection, MixedInstancesPolicy, TagProperty,
};
use rcdk_l1::autoscaling::{CfnAutoScalingGroup, CfnAutoScalingGroupProps};
use rcdk_l1::ec2::launch_template::{
    BlockDeviceMapping, Ebs, IamInstanceProfile, LaunchTemplateData, MetadataOptions, Monitoring,
    NetworkInterface,
};
use rcdk_l1::ec2::{CfnLaunchTemplate, CfnLaunchTemplateProps};
use rcdk_l1::ecs::capacity_provider::{AutoScalingGroupProvider, ManagedScaling};
use rcdk_l1::ecs::{CfnCapacityProvider, CfnCapacityProviderProps};
use rcdk_l1::iam::{CfnInstanceProfile, CfnInstanceProfileProps};

use super::cluster::Cluster;
use super::instance_types::{RESERVED_MEMORY_MIB, is_arm, size_of, task_memory_mib};
use crate::connections::{Connections, HasConnections, SecurityGroup};
use crate::iam::{Operator, PolicyStatement, Principal, Role, RoleProps, aws_managed_policy};
use crate::kms::Key;
use crate::metrics::{Metric, Statistic};
use crate::network::{SubnetKind, Vpc};
use crate::units::{Duration, Size, seconds};

/// Who may reach the instance metadata service (IMDSv2 is required either way).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum MetadataAccess {
    /// Hop limit 1: the instance (and the ECS agent) only. Tasks in bridge mode cannot
    /// read the instance role's credentials; they use their task role.
    #[default]
    InstanceOnly,
    /// Hop limit 2: containers too, which then can read the instance role. Say why.
    Containers {
        /// Why the containers need the instance's credentials (at least 20 characters).
        reason: String,
    },
}

/// ECS managed scaling of the group.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedScalingProps {
    /// Percent of the instances' capacity tasks should use (100: no spare instances).
    pub target_capacity_percent: u32,
    /// Fewest instances managed scaling adds or removes at once. Default: 1.
    pub min_step: u32,
    /// Most instances managed scaling adds or removes at once. Default: 10.
    pub max_step: u32,
    /// How long a new instance needs before it counts, up to 10 000 s. Default: 5 min.
    pub warmup: Duration,
}

impl Default for ManagedScalingProps {
    fn default() -> Self {
        ManagedScalingProps {
            target_capacity_percent: 100,
            min_step: 1,
            max_step: 10,
            warmup: Duration::minutes(5),
        }
    }
}

/// Settings of an [`Ec2Capacity`].
#[derive(Debug, Clone)]
pub struct Ec2CapacityProps {
    /// The cluster the instances join.
    pub cluster: Cluster,
    /// The VPC whose private subnets the instances run in.
    pub vpc: Vpc,
    /// Instance types the group may launch (mixed instances), all arm64 or all x86.
    pub instance_types: Vec<String>,
    /// Fewest instances.
    pub min_capacity: u32,
    /// Most instances.
    pub max_capacity: u32,
    /// Instances at creation. Default: none set (managed scaling decides; a fixed value
    /// would be reset by every deploy).
    pub desired_capacity: Option<u32>,
    /// Instances always on demand, before the spot share applies. Default: 0.
    pub on_demand_base: u32,
    /// Percent of the instances above the base that are spot. Default: 0.
    pub spot_percent: u32,
    /// Root volume (gp3, encrypted with `encryption_key`). Default: 30 GiB.
    pub root_volume: Size,
    /// Customer key of the volumes. Default: the stack's shared key ([`Key::of_stack`]).
    pub encryption_key: Option<Key>,
    /// Adds `AmazonSSMManagedInstanceCore` so Session Manager can reach the instances
    /// (no SSH, no inbound port). Default: false.
    pub ssm_session_manager: bool,
    /// Whether containers may reach the instance metadata (and the instance role). Default:
    /// the instance only.
    pub metadata_access: MetadataAccess,
    /// Default: on, target 100 %, steps 1 to 10.
    pub managed_scaling: Option<ManagedScalingProps>,
    /// Weight of this provider in the cluster's default strategy. Default: 1.
    pub default_weight: u32,
}

impl Ec2CapacityProps {
    /// Capacity for `cluster` in `vpc` on `instance_types` (the first is the one priced and
    /// the smallest decides which tasks fit), 1 to 4 instances, with the other defaults.
    pub fn new(cluster: &Cluster, vpc: &Vpc, instance_types: &[&str]) -> Ec2CapacityProps {
        Ec2CapacityProps {
            cluster: cluster.clone(),
            vpc: vpc.clone(),
            instance_types: instance_types.iter().map(|t| (*t).to_owned()).collect(),
            min_capacity: 1,
            max_capacity: 4,
            desired_capacity: None,
            on_demand_base: 0,
            spot_percent: 0,
            root_volume: Size::gibibytes(30),
            encryption_key: None,
            ssm_session_manager: false,
            metadata_access: MetadataAccess::InstanceOnly,
            managed_scaling: Some(ManagedScalingProps::default()),
            default_weight: 1,
        }
    }
}

/// EC2 instances for ECS tasks, as a capacity provider of the cluster.
#[derive(Debug, Clone)]
pub struct Ec2Capacity {
    scope: Scope,
    group: CfnAutoScalingGroup,
    provider: CfnCapacityProvider,
    cluster: Cluster,
    security_group: SecurityGroup,
    role: Role,
    instance_types: Vec<String>,
    managed_scaling: bool,
}

impl Deref for Ec2Capacity {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

fn validate(scope: &Scope, props: &Ec2CapacityProps) {
    let mut problems = Vec::new();
    if props.instance_types.is_empty() {
        problems.push("instance_types is empty: name at least one, e.g. m7g.large".to_owned());
    }
    for t in &props.instance_types {
        if size_of(t).is_none() {
            scope.add_warning(format!(
                "instance type '{t}': its size is not in rcdk's table, so task sizes are not checked against it"
            ));
        }
    }
    let arm: Vec<bool> = props.instance_types.iter().map(|t| is_arm(t)).collect();
    if arm.iter().any(|a| *a) && !arm.iter().all(|a| *a) {
        problems.push(format!(
            "instance_types {:?} mix arm64 and x86 instances; one AMI serves one architecture",
            props.instance_types
        ));
    }
    if props.max_capacity == 0 {
        problems.push("max_capacity must be at least 1".to_owned());
    }
    if props.min_capacity > props.max_capacity {
        problems.push(format!(
            "min_capacity {} is above max_capacity {}",
            props.min_capacity, props.max_capacity
        ));
    }
    if let Some(d) = props.desired_capacity {
        if d < props.min_capacity || d > props.max_capacity {
            problems.push(format!(
                "desired_capacity {d} is outside min_capacity {} to max_capacity {}",
                props.min_capacity, props.max_capacity
            ));
        }
        if props.managed_scaling.is_some() {
            scope.add_warning(format!(
                "desired_capacity {d} with managed scaling: every deploy resets the group to {d} until ECS scales it again; leave it unset"
            ));
        }
    }
    if props.spot_percent > 100 {
        problems.push(format!("spot_percent {} is above 100", props.spot_percent));
    }
    if props.on_demand_base > props.max_capacity {
        problems.push(format!(
            "on_demand_base {} is above max_capacity {}",
            props.on_demand_base, props.max_capacity
        ));
    }
    match props.root_volume.whole_gibibytes() {
        Some(g) if (8..=16_384).contains(&g) => {}
        _ => problems.push(format!(
            "root_volume is {}; it must be whole GiB from 8 GiB to 16384 GiB",
            props.root_volume
        )),
    }
    if let MetadataAccess::Containers { reason } = &props.metadata_access
        && reason.trim().chars().count() < 20
    {
        problems.push("metadata_access Containers lets every container read the instance role; give a reason of at least 20 characters".to_owned());
    }
    if let Some(m) = &props.managed_scaling {
        if !(1..=100).contains(&m.target_capacity_percent) {
            problems.push(format!(
                "managed_scaling.target_capacity_percent {} is out of range 1 to 100",
                m.target_capacity_percent
            ));
        }
        if m.min_step == 0 || m.min_step > m.max_step || m.max_step > 10_000 {
            problems.push(format!(
                "managed_scaling steps {} to {} must satisfy 1 <= min_step <= max_step <= 10000",
                m.min_step, m.max_step
            ));
        }
        problems.extend(seconds("managed_scaling.warmup", m.warmup, 0, 10_000).1);
    }
    for p in problems {
        scope.add_error(p);
    }
    props
        .vpc
        .require_subnets(scope, SubnetKind::PrivateWithEgress);
}

/// The key policy statements the Auto Scaling service-linked role needs to launch
/// instances with volumes encrypted by a customer key.
fn admit_auto_scaling(key: &Key) {
    let role = fns::sub(
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
    );
    key.grant_service(
        PolicyStatement::allow()
            .sid("AutoScalingUsesTheKeyForVolumes")
            .principal(Principal::Aws(role.clone()))
            .actions([
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey",
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
            ])
            .resource("*"),
    );
    key.grant_service(
        PolicyStatement::allow()
            .sid("AutoScalingGrantsTheKeyToEc2")
            .principal(Principal::Aws(role))
            .actions(["kms:CreateGrant"])
            .resource("*")
            .condition(Operator::Bool, "kms:GrantIsForAWSResource", "true"),
    );
}

impl Ec2Capacity {
    /// Adds the launch template, role, Auto Scaling group and capacity provider below `parent`.
    pub fn new(parent: &Scope, id: &str, props: Ec2CapacityProps) -> Ec2Capacity {
        let scope = Scope::new(parent, id);
        validate(&scope, &props);
        let arm64 = props.instance_types.first().is_some_and(|t| is_arm(t));
        let key = props
            .encryption_key
            .clone()
            .unwrap_or_else(|| Key::of_stack(&scope));
        admit_auto_scaling(&key);
        // The agent reaches ECS, ECR and SSM over HTTPS; bridge-mode tasks also what
        // their connections add.
        let security_group = SecurityGroup::https_egress(
            &scope,
            "SecurityGroup",
            props.vpc.vpc_id(),
            &format!("Container instances of {}", scope.path()),
        );
        let mut managed = vec![aws_managed_policy(
            "service-role/AmazonEC2ContainerServiceforEC2Role",
        )];
        if props.ssm_session_manager {
            managed.push(aws_managed_policy("AmazonSSMManagedInstanceCore"));
        }
        let role = Role::new(
            &scope,
            "InstanceRole",
            RoleProps {
                description: Some(format!(
                    "The ECS agent on the instances of {}",
                    scope.path()
                )),
                managed_policies: managed,
                // EC2 passes no aws:SourceAccount when it assumes an instance profile's
                // role; iam:PassRole (to launch with the profile) keeps it in the account.
                trust_only_this_account: false,
                ..RoleProps::new(Principal::service("ec2.amazonaws.com"))
            },
        );
        let profile = CfnInstanceProfile::new(
            &scope,
            "InstanceProfile",
            CfnInstanceProfileProps::new(Expr::unchecked(Value::list(vec![role.ref_()]))),
        );
        let path = if arm64 {
            "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"
        } else {
            "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
        };
        let ami = CfnParameter::of_type(
            &scope,
            "Ami",
            "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
            ParameterProps {
                description: Some(format!(
                    "The ECS-optimized Amazon Linux 2023 AMI of {}, resolved at each deploy",
                    scope.path()
                )),
                default: Some(Value::from(path)),
                ..ParameterProps::default()
            },
        );
        let spot = props.spot_percent > 0;
        let user_data = format!(
            "#!/bin/bash\ncat >> /etc/ecs/ecs.config <<'EOF'\nECS_CLUSTER=${{Cluster}}\nECS_RESERVED_MEMORY={RESERVED_MEMORY_MIB}\nECS_ENABLE_SPOT_INSTANCE_DRAINING={spot}\nECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM=ec2_instance\nEOF\n"
        );
        let hop_limit = match props.metadata_access {
            MetadataAccess::InstanceOnly => 1,
            MetadataAccess::Containers { .. } => 2,
        };
        let template = CfnLaunchTemplate::new(
            &scope,
            "LaunchTemplate",
            CfnLaunchTemplateProps::new(LaunchTemplateData {
                image_id: Some(ami.value()),
                instance_type: props.instance_types.first().map(|t| t.as_str().into()),
                iam_instance_profile: Some(IamInstanceProfile {
                    arn: Some(profile.attr_arn()),
                    ..Default::default()
                }),
                metadata_options: Some(MetadataOptions {
                    http_endpoint: Some("enabled".into()),
                    http_tokens: Some("required".into()),
                    http_put_response_hop_limit: Some(hop_limit.into()),
                    ..Default::default()
                }),
                monitoring: Some(Monitoring {
                    enabled: Some(true.into()),
                }),
                block_device_mappings: Some(vec![BlockDeviceMapping {
                    device_name: Some("/dev/xvda".into()),
                    ebs: Some(Ebs {
                        volume_type: Some("gp3".into()),
                        volume_size: Some(
                            i64::try_from(props.root_volume.whole_gibibytes().unwrap_or(30))
                                .unwrap_or(i64::MAX)
                                .into(),
                        ),
                        encrypted: Some(true.into()),
                        kms_key_id: Some(key.arn()),
                        delete_on_termination: Some(true.into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }]),
                network_interfaces: Some(vec![NetworkInterface {
                    device_index: Some(0.into()),
                    associate_public_ip_address: Some(false.into()),
                    groups: Some(vec![security_group.group_id()].into()),
                    delete_on_termination: Some(true.into()),
                    ..Default::default()
                }]),
                user_data: Some(fns::base64(fns::sub_with(
                    user_data,
                    [("Cluster", props.cluster.name())],
                ))),
                ..Default::default()
            }),
        );
        let group = CfnAutoScalingGroup::new(
            &scope,
            "Group",
            CfnAutoScalingGroupProps {
                vpc_zone_identifier: Some(Expr::unchecked(Value::list(
                    props.vpc.subnet_ids(SubnetKind::PrivateWithEgress),
                ))),
                desired_capacity: props.desired_capacity.map(|d| d.to_string().into()),
                mixed_instances_policy: Some(MixedInstancesPolicy {
                    instances_distribution: Some(InstancesDistribution {
                        on_demand_base_capacity: Some(i64::from(props.on_demand_base).into()),
                        on_demand_percentage_above_base_capacity: Some(
                            i64::from(100 - props.spot_percent.min(100)).into(),
                        ),
                        spot_allocation_strategy: spot.then(|| "price-capacity-optimized".into()),
                        ..Default::default()
                    }),
                    ..MixedInstancesPolicy::new(LaunchTemplate {
                        overrides: Some(
                            props
                                .instance_types
                                .iter()
                                .map(|t| LaunchTemplateOverrides {
                                    instance_type: Some(t.as_str().into()),
                                    ..Default::default()
                                })
                                .collect(),
                        ),
                        ..LaunchTemplate::new(LaunchTemplateSpecification {
                            launch_template_id: Some(template.ref_()),
                            ..LaunchTemplateSpecification::new(
                                template.attr_latest_version_number(),
                            )
                        })
                    })
                }),
                // Managed termination protection needs new instances protected; ECS
                // lifts the protection of an instance once it runs no task.
                new_instances_protected_from_scale_in: Some(props.managed_scaling.is_some().into()),
                capacity_rebalance: spot.then(|| true.into()),
                metrics_collection: Some(vec![MetricsCollection::new("1Minute")]),
                health_check_type: Some("EC2".into()),
                tags: Some(vec![TagProperty::new("Name", true, scope.path())]),
                ..CfnAutoScalingGroupProps::new(
                    props.max_capacity.to_string(),
                    props.min_capacity.to_string(),
                )
            },
        );
        crate::posture::waive_check(
            &group,
            &["AwsSolutions-AS3"],
            "ECS managed scaling launches and terminates these instances as tasks need them: a notice of every scaling event is routine noise, and a launch that fails leaves tasks unplaced, which the service's own metrics show",
        );
        if props.vpc.subnet_ids(SubnetKind::PrivateWithEgress).len() >= 2 {
            crate::posture::waive_check(
                &group,
                &["autoscaling_multiple_az_check"],
                "VPCZoneIdentifier names the VPC's private subnets, one in each of two or more Availability Zones; the rule reads only AvailabilityZones, which CloudFormation takes instead of subnets",
            );
        }
        let provider = CfnCapacityProvider::new(
            &scope,
            "CapacityProvider",
            CfnCapacityProviderProps {
                auto_scaling_group_provider: Some(AutoScalingGroupProvider {
                    managed_scaling: props.managed_scaling.as_ref().map(|m| ManagedScaling {
                        status: Some("ENABLED".into()),
                        target_capacity: Some(i64::from(m.target_capacity_percent).into()),
                        minimum_scaling_step_size: Some(i64::from(m.min_step).into()),
                        maximum_scaling_step_size: Some(i64::from(m.max_step).into()),
                        instance_warmup_period: Some(m.warmup.truncated_seconds().into()),
                    }),
                    managed_termination_protection: Some(
                        if props.managed_scaling.is_some() {
                            "ENABLED"
                        } else {
                            "DISABLED"
                        }
                        .into(),
                    ),
                    managed_draining: Some("ENABLED".into()),
                    ..AutoScalingGroupProvider::new(group.ref_())
                }),
                ..Default::default()
            },
        );
        props
            .cluster
            .add_capacity_provider(&scope, provider.ref_(), props.default_weight);
        Ec2Capacity {
            scope,
            group,
            provider,
            cluster: props.cluster,
            security_group,
            role,
            instance_types: props.instance_types,
            managed_scaling: props.managed_scaling.is_some(),
        }
    }

    /// The capacity provider's name (what a service's strategy names).
    pub fn provider_name(&self) -> Expr<String> {
        self.provider.ref_()
    }

    /// The cluster the capacity serves.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The Auto Scaling group's name.
    pub fn group_name(&self) -> Expr<String> {
        self.group.ref_()
    }

    /// The Auto Scaling group.
    pub fn group(&self) -> &CfnAutoScalingGroup {
        &self.group
    }

    /// The instances' role (the ECS agent's; tasks have their own).
    pub fn instance_role(&self) -> &Role {
        &self.role
    }

    /// The instance types, in order of preference.
    pub fn instance_types(&self) -> &[String] {
        &self.instance_types
    }

    /// Whether ECS scales the group (then the group takes no scaling policy of its own).
    pub fn has_managed_scaling(&self) -> bool {
        self.managed_scaling
    }

    /// vCPUs and memory tasks may use on the smallest instance type, when all are known.
    pub fn smallest_instance(&self) -> Option<(String, u32, u32)> {
        self.instance_types
            .iter()
            .map(|t| size_of(t).map(|(c, m)| (t.clone(), c, task_memory_mib(m))))
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .min_by_key(|(_, c, m)| (*m, *c))
    }

    fn group_metric(&self, name: &str) -> Metric {
        Metric::new(
            "AWS/AutoScaling",
            name,
            vec![("AutoScalingGroupName".into(), self.group_name())],
        )
        .with_statistic(Statistic::Minimum)
        .with_period(Duration::minutes(1))
    }

    /// `CPUUtilization` of the group's instances (average over the minute).
    pub fn metric_cpu(&self) -> Metric {
        Metric::new(
            "AWS/EC2",
            "CPUUtilization",
            vec![("AutoScalingGroupName".into(), self.group_name())],
        )
        .with_period(Duration::minutes(1))
    }

    /// Instances in service (minimum over the minute).
    pub fn metric_in_service(&self) -> Metric {
        self.group_metric("GroupInServiceInstances")
    }

    /// The group's desired capacity (maximum over the minute).
    pub fn metric_desired(&self) -> Metric {
        self.group_metric("GroupDesiredCapacity")
            .with_statistic(Statistic::Maximum)
    }

    /// `CapacityProviderReservation`: percent of the instances tasks need (above 100:
    /// tasks wait for instances).
    pub fn metric_reservation(&self) -> Metric {
        Metric::new(
            "AWS/ECS/ManagedScaling",
            "CapacityProviderReservation",
            vec![
                ("CapacityProviderName".into(), self.provider_name()),
                ("ClusterName".into(), self.cluster.name()),
            ],
        )
        .with_statistic(Statistic::Average)
        .with_period(Duration::minutes(1))
    }
}

impl HasConnections for Ec2Capacity {
    fn connections(&self) -> Connections {
        Connections::new(vec![self.security_group.clone()], None)
    }
}

impl crate::iam::Grantable for Ec2Capacity {
    fn grant_role(&self) -> &crate::iam::Role {
        self.instance_role()
    }
}
