//! Who sets a service's task count: a fixed `desired_count`, or its autoscaling.
//!
//! CloudFormation applies a service's `DesiredCount` on every update, so a template that
//! writes it next to autoscaling resets the running count on each deploy (a new image
//! during a backlog would drop the workers to the template's number). With scaling, the
//! template leaves `DesiredCount` out: a new service starts with one task and scales to
//! the minimum, and a deploy keeps whatever count is running.

use std::cell::RefCell;
use std::rc::Rc;

use rcdk::{Expr, Scope};
use rcdk_l1::ecs::{CfnService, CfnServiceProps};

use super::cluster::{Cluster, ContainerInsights};
use super::scaling::ServiceScaling;

/// The tasks a service runs when nothing scales it.
pub(super) const DEFAULT_DESIRED_COUNT: u32 = 2;

/// A service's task count: the `desired_count` it was given and, once `auto_scale` was
/// called, its one scalable target (clones share it).
#[derive(Debug, Clone, Default)]
pub(super) struct TaskCount {
    given: Option<u32>,
    scaling: Rc<RefCell<Option<ServiceScaling>>>,
}

impl TaskCount {
    pub fn new(given: Option<u32>) -> TaskCount {
        TaskCount {
            given,
            scaling: Rc::default(),
        }
    }

    /// What the template writes before any scaling is added.
    pub fn initial(&self) -> i64 {
        i64::from(self.given.unwrap_or(DEFAULT_DESIRED_COUNT))
    }

    /// Makes autoscaling govern the count of `service`: `DesiredCount` leaves its
    /// template. A second call is an error and returns the first scalable target.
    pub fn auto_scale(
        &self,
        scope: &Scope,
        service: &CfnService,
        cluster: &Cluster,
        min: u32,
        max: u32,
    ) -> ServiceScaling {
        if let Some(existing) = self.scaling.borrow().as_ref() {
            scope.add_error(
                "auto_scale is called a second time; a service has one scalable target: add every policy to the ServiceScaling the first call returned",
            );
            return existing.clone();
        }
        if let Some(count) = self.given {
            scope.add_error(format!(
                "desired_count {count} is set, but auto_scale({min}, {max}) governs the task count; remove desired_count (CloudFormation would reset the running count to {count} on every deploy; the scaling minimum {min} governs instead)"
            ));
        }
        service.update_props(|p: &mut CfnServiceProps| p.desired_count = None);
        let scaling = ServiceScaling::new(
            scope,
            cluster.name(),
            service.attr_name(),
            min,
            max,
            insights_off(cluster),
        );
        *self.scaling.borrow_mut() = Some(scaling.clone());
        scaling
    }
}

/// The path of `cluster` when it publishes no Container Insights metrics.
fn insights_off(cluster: &Cluster) -> Option<String> {
    (cluster.container_insights() == ContainerInsights::Disabled).then(|| cluster.path())
}

/// Refuses, on `scope`, what reads Container Insights' `RunningTaskCount` of a cluster
/// (at `off_in`) that has them off: the metric would not exist and whatever watches it
/// would never act.
pub(super) fn refuse_without_insights(scope: &Scope, off_in: Option<&str>, what: &str) {
    if let Some(cluster) = off_in {
        scope.add_error(format!(
            "{what} reads Container Insights' RunningTaskCount, which the cluster {cluster} does not publish (container_insights: Disabled); set its container_insights to Enabled or Enhanced"
        ));
    }
}

/// A service's running-task metric, refused when its cluster has no Container Insights.
pub(super) fn running_tasks_metric(
    scope: &Scope,
    cluster: &Cluster,
    service: Expr<String>,
) -> crate::metrics::Metric {
    refuse_without_insights(
        scope,
        insights_off(cluster).as_deref(),
        "metric_running_tasks",
    );
    super::service::service_metrics(cluster, service).running_tasks
}
