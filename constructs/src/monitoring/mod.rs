//! The monitoring family: alarms over metrics and metric math, composite alarms, an
//! encrypted SNS topic for alarm notifications, dashboards built as typed data, and
//! the RED + saturation alarm sets of a web tier and of a worker tier.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::metrics::{Metric, Statistic};
//! use rcdk_constructs::monitoring::*;
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "monitoring", StackProps::default());
//! let topic = AlarmTopic::new(&stack, "Alarms", AlarmTopicProps {
//!     emails: vec!["oncall@example.com".into()],
//!     ..AlarmTopicProps::default()
//! });
//! let queue_depth = Metric::new("AWS/SQS", "ApproximateNumberOfMessagesVisible", vec![])
//!     .with_statistic(Statistic::Maximum);
//! let alarm = Alarm::new(&stack, "QueueBacklog", AlarmProps {
//!     description: "Messages wait in the queue: consumers are down or too slow. Look first at the consumer's errors.".into(),
//!     ..AlarmProps::new(queue_depth, Comparison::GreaterThan, 1000.0)
//! });
//! alarm.notify(&topic);
//! let dashboard = Dashboard::new(&stack, "Dashboard");
//! dashboard.add_row(vec![Widget::alarm_status("Alarms", &[&alarm])]);
//! ```

mod alarm;
#[cfg(feature = "containers")]
mod capacity_alarms;
mod dashboard;
mod sampling;
mod topic;
#[cfg(all(feature = "containers", feature = "data", feature = "waf"))]
mod web_alarms;
#[cfg(all(feature = "compute", feature = "data"))]
mod worker_alarms;

pub use alarm::{
    Alarm, AlarmProps, AlarmRule, Comparison, CompositeAlarm, Severity, TreatMissingData,
};
#[cfg(feature = "containers")]
pub use capacity_alarms::CapacityAlarms;
pub use dashboard::{Dashboard, Widget};
pub use sampling::{SamplingRule, SamplingRuleProps};
pub use topic::{AlarmTopic, AlarmTopicProps, Pager, PagerUrl};
#[cfg(all(feature = "containers", feature = "data", feature = "waf"))]
pub use web_alarms::{AlarmThresholds, WebAlarms, WebTier};
#[cfg(all(feature = "compute", feature = "data"))]
pub use worker_alarms::{WorkerAlarms, WorkerThresholds, WorkerTier};
