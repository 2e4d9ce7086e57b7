//! The alarms of ECS capacity on EC2: instances in service below the group's desired
//! count (launches failing: capacity, quota, AMI or subnet trouble), the cluster's CPU
//! reservation near full (the next task may not place), and the capacity provider's
//! reservation above 100 % for long (tasks wait for instances the group cannot add).
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::containers::*;
//! use rcdk_constructs::monitoring::*;
//! use rcdk_constructs::network::{Vpc, VpcProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "workers", StackProps::default());
//! let vpc = Vpc::new(&stack, "Vpc", VpcProps::default());
//! let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
//! let capacity = Ec2Capacity::new(&stack, "Capacity", Ec2CapacityProps::new(&cluster, &vpc, &["m7g.large"]));
//! let topic = AlarmTopic::new(&stack, "Alarms", AlarmTopicProps::default());
//! let alarms = CapacityAlarms::new(&stack, "CapacityAlarms", &capacity, 90.0, &topic, None);
//! assert_eq!(alarms.alarms().len(), 3);
//! ```

use rcdk::Scope;

use super::alarm::{Alarm, AlarmProps, Comparison};
use super::dashboard::{Dashboard, Widget};
use super::topic::AlarmTopic;
use crate::containers::Ec2Capacity;
use crate::metrics::{MathExpression, Metric, Statistic};
use crate::units::Duration;

/// The alarms of an [`Ec2Capacity`].
#[derive(Debug, Clone)]
pub struct CapacityAlarms {
    alarms: Vec<Alarm>,
}

impl CapacityAlarms {
    /// The alarms, notifying `topic`; `cpu_reservation_percent` is the cluster's CPU
    /// reservation that alarms (90 is a common choice). With a dashboard, a row of graphs.
    pub fn new(
        parent: &Scope,
        id: &str,
        capacity: &Ec2Capacity,
        cpu_reservation_percent: f64,
        topic: &AlarmTopic,
        dashboard: Option<&Dashboard>,
    ) -> CapacityAlarms {
        let scope = Scope::new(parent, id);
        if !(1.0..=100.0).contains(&cpu_reservation_percent) {
            scope.add_error(format!(
                "cpu_reservation_percent {cpu_reservation_percent} is out of range 1 to 100"
            ));
        }
        let missing = MathExpression::new(
            "desired - inService",
            "Instances missing",
            [
                (
                    "desired",
                    capacity.metric_desired().with_period(Duration::minutes(5)),
                ),
                (
                    "inService",
                    capacity
                        .metric_in_service()
                        .with_period(Duration::minutes(5)),
                ),
            ],
        );
        let reservation = Metric::new(
            "AWS/ECS",
            "CPUReservation",
            vec![("ClusterName".into(), capacity.cluster().name())],
        )
        .with_statistic(Statistic::Average)
        .with_period(Duration::minutes(5));
        let provider = capacity
            .metric_reservation()
            .with_period(Duration::minutes(5));
        let specs = vec![
            (
                "InstancesBelowDesired",
                AlarmProps {
                    description: format!(
                        "The Auto Scaling group of {} has fewer instances in service than it wants for 15 minutes: launches fail. Look first at the group's activity history (insufficient capacity for the instance types, a quota, the AMI, the subnets), then add instance types.",
                        capacity.path()
                    ),
                    evaluation_periods: 3,
                    datapoints_to_alarm: 3,
                    ..AlarmProps::new(missing, Comparison::GreaterThan, 0.0)
                },
            ),
            (
                "ClusterCpuReservation",
                AlarmProps {
                    description: format!(
                        "Tasks reserve over {cpu_reservation_percent}% of the cluster's CPU: the next task may not place until an instance is added. Look first at the capacity provider's scaling (at its maximum?), then at task sizes."
                    ),
                    ..AlarmProps::new(
                        reservation,
                        Comparison::GreaterThan,
                        cpu_reservation_percent,
                    )
                },
            ),
            (
                "ProviderReservation",
                AlarmProps {
                    description: format!(
                        "The capacity provider of {} needs more instances than the group has, for 15 minutes: tasks wait in PROVISIONING. Look first at whether the group is at max_capacity, then at failed launches.",
                        capacity.path()
                    ),
                    evaluation_periods: 3,
                    datapoints_to_alarm: 3,
                    ..AlarmProps::new(provider.clone(), Comparison::GreaterThan, 100.0)
                },
            ),
        ];
        let alarms: Vec<Alarm> = specs
            .into_iter()
            .map(|(id, props)| {
                let alarm = Alarm::new(&scope, id, props);
                alarm.notify(topic);
                alarm
            })
            .collect();
        if let Some(dashboard) = dashboard {
            dashboard.add_row(vec![
                Widget::graph(
                    "Instances (desired, in service)",
                    vec![
                        capacity.metric_desired().into(),
                        capacity.metric_in_service().into(),
                    ],
                ),
                Widget::graph("Capacity provider reservation (%)", vec![provider.into()])
                    .with_threshold(100.0, "tasks wait"),
            ]);
        }
        CapacityAlarms { alarms }
    }

    /// The alarms.
    pub fn alarms(&self) -> &[Alarm] {
        &self.alarms
    }
}
