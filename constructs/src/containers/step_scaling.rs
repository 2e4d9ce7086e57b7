//! Step scaling on CloudWatch alarms, for a service's task count and for an Auto
//! Scaling group without ECS managed scaling: one step out when the metric is at or
//! above a threshold, one step in when it is at or below another, then a cooldown.

use rcdk::{Expr, Scope};
use rcdk_l1::applicationautoscaling::scaling_policy::{
    StepAdjustment as ServiceStep, StepScalingPolicyConfiguration,
};
use rcdk_l1::applicationautoscaling::{CfnScalingPolicy, CfnScalingPolicyProps};
use rcdk_l1::autoscaling::scaling_policy::StepAdjustment as GroupStep;
use rcdk_l1::autoscaling::{
    CfnScalingPolicy as CfnGroupScalingPolicy, CfnScalingPolicyProps as CfnGroupScalingPolicyProps,
};

use super::ec2_capacity::Ec2Capacity;
use super::scaling::ServiceScaling;
use crate::metrics::Metric;
use crate::monitoring::{Alarm, AlarmProps, Comparison};
use crate::units::Duration;

/// A step-scaling rule: `+step` when `metric` ≥ `scale_out_at`, `-step` when it is
/// ≤ `scale_in_at`, over `evaluation_periods` periods, then `cooldown`.
#[derive(Debug, Clone)]
pub struct StepScaling {
    /// The metric the two alarms watch.
    pub metric: Metric,
    /// Add `step` at or above this value.
    pub scale_out_at: f64,
    /// Remove `step` at or below this value (below `scale_out_at`).
    pub scale_in_at: f64,
    /// Tasks or instances added or removed per step. Default: 1.
    pub step: u32,
    /// How long after a step before the next, up to a day, whole seconds. Default: 5 min.
    pub cooldown: Duration,
    /// Periods the metric must stay beyond a threshold. Default: 3.
    pub evaluation_periods: u32,
}

impl StepScaling {
    /// Steps on `metric`: out at `scale_out_at`, in at `scale_in_at`, one at a time, 5 min
    /// apart, after 3 periods.
    pub fn new(metric: Metric, scale_out_at: f64, scale_in_at: f64) -> StepScaling {
        StepScaling {
            metric,
            scale_out_at,
            scale_in_at,
            step: 1,
            cooldown: Duration::minutes(5),
            evaluation_periods: 3,
        }
    }
}

fn validate(scope: &Scope, id: &str, s: &StepScaling) {
    // NaN thresholds compare as neither, and are refused too.
    if s.scale_in_at.partial_cmp(&s.scale_out_at) != Some(std::cmp::Ordering::Less) {
        scope.add_error(format!(
            "{id}: scale_in_at {} must be below scale_out_at {} (else the two alarms fight)",
            s.scale_in_at, s.scale_out_at
        ));
    }
    if s.step == 0 {
        scope.add_error(format!("{id}: step must be at least 1"));
    }
    crate::units::seconds_in(scope, &format!("{id}: cooldown"), s.cooldown, 0, 86_400);
}

/// The two alarms that run the policies: `(scale out, scale in)`.
fn alarms(
    scope: &Scope,
    id: &str,
    s: &StepScaling,
    out: Expr<String>,
    inward: Expr<String>,
) -> (Alarm, Alarm) {
    let alarm = |suffix: &str, comparison, threshold: f64, verb: &str, policy: Expr<String>| {
        let a = Alarm::new(
            scope,
            &format!("{id}{suffix}Alarm"),
            AlarmProps {
                evaluation_periods: s.evaluation_periods,
                datapoints_to_alarm: s.evaluation_periods,
                description: format!(
                    "{} {} {threshold} for {} periods: {verb} {} (step scaling {id})",
                    s.metric.metric_name,
                    if suffix == "High" { "≥" } else { "≤" },
                    s.evaluation_periods,
                    s.step
                ),
                ..AlarmProps::new(s.metric.clone(), comparison, threshold)
            },
        );
        a.add_alarm_action(policy);
        a
    };
    (
        alarm(
            "High",
            Comparison::GreaterThanOrEqual,
            s.scale_out_at,
            "add",
            out,
        ),
        alarm(
            "Low",
            Comparison::LessThanOrEqual,
            s.scale_in_at,
            "remove",
            inward,
        ),
    )
}

impl ServiceScaling {
    /// Step scaling of the task count on `rule`'s metric, beside any target tracking.
    pub fn scale_on_steps(&self, id: &str, rule: StepScaling) -> (Alarm, Alarm) {
        let scope = self.scope();
        validate(scope, id, &rule);
        let policy = |suffix: &str, step: ServiceStep| {
            CfnScalingPolicy::new(
                scope,
                &format!("{id}{suffix}"),
                CfnScalingPolicyProps {
                    scaling_target_id: Some(self.target().ref_()),
                    step_scaling_policy_configuration: Some(StepScalingPolicyConfiguration {
                        adjustment_type: Some("ChangeInCapacity".into()),
                        cooldown: Some(rule.cooldown.truncated_seconds().into()),
                        metric_aggregation_type: Some("Average".into()),
                        step_adjustments: Some(vec![step]),
                        ..Default::default()
                    }),
                    ..CfnScalingPolicyProps::new(
                        scope.aws().sub(format!(
                            "${{AWS::StackName}}-{}-{id}{suffix}",
                            scope.parent().map(|p| p.id()).unwrap_or_default()
                        )),
                        "StepScaling",
                    )
                },
            )
        };
        let step = i64::from(rule.step);
        let out = policy(
            "Out",
            ServiceStep {
                metric_interval_lower_bound: Some(0.0.into()),
                ..ServiceStep::new(step)
            },
        );
        let inward = policy(
            "In",
            ServiceStep {
                metric_interval_upper_bound: Some(0.0.into()),
                ..ServiceStep::new(-step)
            },
        );
        alarms(scope, id, &rule, out.ref_(), inward.ref_())
    }
}

impl Ec2Capacity {
    /// Step scaling of the instance count, for a group ECS does not scale
    /// (`managed_scaling: None`): with managed scaling, ECS owns the group's size.
    pub fn scale_on_steps(&self, id: &str, rule: StepScaling) -> (Alarm, Alarm) {
        validate(self, id, &rule);
        if self.has_managed_scaling() {
            self.add_error(format!(
                "{id}: ECS managed scaling sizes this group; step scaling would fight it. Set managed_scaling: None to scale the group on alarms"
            ));
        }
        let policy = |suffix: &str, step: GroupStep| {
            CfnGroupScalingPolicy::new(
                self,
                &format!("{id}{suffix}"),
                CfnGroupScalingPolicyProps {
                    policy_type: Some("StepScaling".into()),
                    adjustment_type: Some("ChangeInCapacity".into()),
                    metric_aggregation_type: Some("Average".into()),
                    estimated_instance_warmup: Some(rule.cooldown.truncated_seconds().into()),
                    step_adjustments: Some(vec![step]),
                    ..CfnGroupScalingPolicyProps::new(self.group_name())
                },
            )
        };
        let step = i64::from(rule.step);
        let out = policy(
            "Out",
            GroupStep {
                metric_interval_lower_bound: Some(0.0.into()),
                ..GroupStep::new(step)
            },
        );
        let inward = policy(
            "In",
            GroupStep {
                metric_interval_upper_bound: Some(0.0.into()),
                ..GroupStep::new(-step)
            },
        );
        alarms(self, id, &rule, out.ref_(), inward.ref_())
    }
}
