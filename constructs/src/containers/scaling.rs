//! Target-tracking autoscaling of a service's task count.

use rcdk::{Expr, Scope, fns};
use rcdk_l1::applicationautoscaling::scaling_policy::{
    PredefinedMetricSpecification, TargetTrackingScalingPolicyConfiguration,
};
use rcdk_l1::applicationautoscaling::{
    CfnScalableTarget, CfnScalableTargetProps, CfnScalingPolicy, CfnScalingPolicyProps,
};

use crate::load_balancing::{ApplicationLoadBalancer, TargetGroup};

/// The scalable target of a service; each `scale_on_*` adds a target-tracking policy.
#[derive(Debug, Clone)]
pub struct ServiceScaling {
    scope: Scope,
    target: CfnScalableTarget,
}

impl ServiceScaling {
    pub(super) fn new(
        parent: &Scope,
        cluster: Expr<String>,
        service: Expr<String>,
        min: u32,
        max: u32,
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
                fns::join("/", ["service".into(), cluster, service]),
                "ecs:service:DesiredCount",
                "ecs",
            ),
        );
        ServiceScaling { scope, target }
    }

    fn policy(
        &self,
        id: &str,
        metric: PredefinedMetricSpecification,
        target: f64,
    ) -> CfnScalingPolicy {
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
                        predefined_metric_specification: Some(metric),
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

    pub fn target(&self) -> &CfnScalableTarget {
        &self.target
    }
}
