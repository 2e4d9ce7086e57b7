//! Target-tracking autoscaling of a service's task count: on CPU, memory, requests per
//! target, or (for queue workers) backlog per task.

use rcdk::{Expr, Scope, fns};
use rcdk_l1::applicationautoscaling::scaling_policy::{
    CustomizedMetricSpecification, PredefinedMetricSpecification, TargetTrackingMetric,
    TargetTrackingMetricDataQuery, TargetTrackingMetricDimension, TargetTrackingMetricStat,
    TargetTrackingScalingPolicyConfiguration,
};
use rcdk_l1::applicationautoscaling::{
    CfnScalableTarget, CfnScalableTargetProps, CfnScalingPolicy, CfnScalingPolicyProps,
};

use crate::load_balancing::{ApplicationLoadBalancer, TargetGroup};
use crate::messaging::Queue;

/// The scalable target of a service; each `scale_on_*` adds a target-tracking policy.
#[derive(Debug, Clone)]
pub struct ServiceScaling {
    scope: Scope,
    target: CfnScalableTarget,
    cluster_name: Expr<String>,
    service_name: Expr<String>,
    /// The cluster's path when it publishes no Container Insights metrics.
    insights_off_in: Option<String>,
}

impl ServiceScaling {
    pub(super) fn new(
        parent: &Scope,
        cluster: Expr<String>,
        service: Expr<String>,
        min: u32,
        max: u32,
        insights_off_in: Option<String>,
    ) -> ServiceScaling {
        let scope = Scope::new(parent, "Scaling");
        if min > max {
            scope.add_error(format!("auto_scale: min {min} is above max {max}"));
        }
        if max == 0 {
            scope.add_error("auto_scale: max must be at least 1");
        }
        let target = CfnScalableTarget::new(
            &scope,
            "Target",
            CfnScalableTargetProps::new(
                i64::from(max),
                i64::from(min),
                fns::join("/", ["service".into(), cluster.clone(), service.clone()]),
                "ecs:service:DesiredCount",
                "ecs",
            ),
        );
        ServiceScaling {
            scope,
            target,
            cluster_name: cluster,
            service_name: service,
            insights_off_in,
        }
    }

    fn policy(
        &self,
        id: &str,
        metric: PredefinedMetricSpecification,
        target: f64,
    ) -> CfnScalingPolicy {
        self.tracking(id, Metric::Predefined(metric), target)
    }

    fn tracking(&self, id: &str, metric: Metric, target: f64) -> CfnScalingPolicy {
        if !(target > 0.0 && target.is_finite()) {
            self.scope.add_error(format!(
                "{id}: the target value {target} must be a positive number"
            ));
        }
        CfnScalingPolicy::new(
            &self.scope,
            id,
            CfnScalingPolicyProps {
                scaling_target_id: Some(self.target.ref_()),
                target_tracking_scaling_policy_configuration: Some(
                    TargetTrackingScalingPolicyConfiguration {
                        predefined_metric_specification: match &metric {
                            Metric::Predefined(m) => Some(m.clone()),
                            Metric::Customized(_) => None,
                        },
                        customized_metric_specification: match metric {
                            Metric::Customized(m) => Some(m),
                            Metric::Predefined(_) => None,
                        },
                        scale_in_cooldown: Some(300.into()),
                        scale_out_cooldown: Some(60.into()),
                        ..TargetTrackingScalingPolicyConfiguration::new(target)
                    },
                ),
                ..CfnScalingPolicyProps::new(
                    self.scope.aws().sub(format!(
                        "${{AWS::StackName}}-{}-{id}",
                        self.scope.parent().map(|p| p.id()).unwrap_or_default()
                    )),
                    "TargetTrackingScaling",
                )
            },
        )
    }

    fn percent(&self, id: &str, metric: &str, percent: f64) -> CfnScalingPolicy {
        if !(1.0..=100.0).contains(&percent) {
            self.scope.add_error(format!(
                "{id}: target utilization {percent}% is out of range 1 to 100"
            ));
        }
        self.policy(id, PredefinedMetricSpecification::new(metric), percent)
    }

    /// Keeps average CPU utilization near `percent`.
    pub fn scale_on_cpu(&self, percent: f64) -> CfnScalingPolicy {
        self.percent("CpuTracking", "ECSServiceAverageCPUUtilization", percent)
    }

    /// Keeps average memory utilization near `percent`.
    pub fn scale_on_memory(&self, percent: f64) -> CfnScalingPolicy {
        self.percent(
            "MemoryTracking",
            "ECSServiceAverageMemoryUtilization",
            percent,
        )
    }

    /// Keeps the load balancer's requests per target (per minute) near `requests`.
    pub fn scale_on_requests_per_target(
        &self,
        alb: &ApplicationLoadBalancer,
        target_group: &TargetGroup,
        requests: u32,
    ) -> CfnScalingPolicy {
        let label = fns::join("/", [alb.full_name(), target_group.full_name()]);
        self.policy(
            "RequestTracking",
            PredefinedMetricSpecification {
                resource_label: Some(label),
                ..PredefinedMetricSpecification::new("ALBRequestCountPerTarget")
            },
            f64::from(requests),
        )
    }

    /// Keeps the backlog per task (messages waiting in `queue` ÷ running tasks) near
    /// `messages_per_task`: the metric AWS recommends for queue workers, as metric math.
    /// Set it to what one task processes within the latency you accept. The running
    /// tasks come from Container Insights: a cluster with them disabled is refused.
    pub fn scale_on_backlog_per_task(
        &self,
        queue: &Queue,
        messages_per_task: u32,
    ) -> CfnScalingPolicy {
        super::task_count::refuse_without_insights(
            &self.scope,
            self.insights_off_in.as_deref(),
            "scale_on_backlog_per_task",
        );
        let stat =
            |id: &str, namespace: &str, name: &str, stat: &str, dims: Vec<(&str, Expr<String>)>| {
                TargetTrackingMetricDataQuery {
                    id: Some(id.into()),
                    return_data: Some(false.into()),
                    metric_stat: Some(TargetTrackingMetricStat {
                        stat: Some(stat.into()),
                        metric: Some(TargetTrackingMetric {
                            namespace: Some(namespace.into()),
                            metric_name: Some(name.into()),
                            dimensions: Some(
                                dims.into_iter()
                                    .map(|(n, v)| TargetTrackingMetricDimension {
                                        name: Some(n.into()),
                                        value: Some(v),
                                    })
                                    .collect(),
                            ),
                        }),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            };
        let backlog = stat(
            "backlog",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            "Sum",
            vec![("QueueName", queue.name())],
        );
        let tasks = stat(
            "tasks",
            "ECS/ContainerInsights",
            "RunningTaskCount",
            "Average",
            vec![
                ("ClusterName", self.cluster_name.clone()),
                ("ServiceName", self.service_name.clone()),
            ],
        );
        // With no task running, the whole backlog counts against the first one.
        let per_task = TargetTrackingMetricDataQuery {
            id: Some("perTask".into()),
            expression: Some("backlog / IF(tasks > 0, tasks, 1)".into()),
            label: Some("Messages per running task".into()),
            return_data: Some(true.into()),
            ..Default::default()
        };
        if messages_per_task == 0 {
            self.scope
                .add_error("scale_on_backlog_per_task: messages_per_task must be at least 1");
        }
        self.tracking(
            "BacklogTracking",
            Metric::Customized(CustomizedMetricSpecification {
                metrics: Some(vec![backlog, tasks, per_task]),
                ..Default::default()
            }),
            f64::from(messages_per_task),
        )
    }

    /// The `AWS::ApplicationAutoScaling::ScalableTarget` resource.
    pub fn target(&self) -> &CfnScalableTarget {
        &self.target
    }

    pub(super) fn scope(&self) -> &Scope {
        &self.scope
    }
}

/// What a target-tracking policy follows.
enum Metric {
    Predefined(PredefinedMetricSpecification),
    Customized(CustomizedMetricSpecification),
}
