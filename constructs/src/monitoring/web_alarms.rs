//! The RED (rate, errors, duration) and saturation alarms of a web tier: load
//! balancer, Fargate service, PostgreSQL database and WAF, each with a description of
//! what it means and where to look first, all notifying one topic.

use rcdk::Scope;

use super::alarm::{Alarm, AlarmProps, AlarmRule, Comparison, CompositeAlarm, Severity};
use super::dashboard::{Dashboard, Widget};
use super::topic::AlarmTopic;
use crate::containers::EcsService;
use crate::data::PostgresDatabase;
use crate::load_balancing::{ApplicationLoadBalancer, TargetGroup};
use crate::metrics::MathExpression;
use crate::units::{Duration, Size};
use crate::waf::WebAcl;

/// The watched parts of a web tier.
#[derive(Debug, Clone, Copy)]
pub struct WebTier<'a> {
    /// The load balancer in front of the service.
    pub load_balancer: &'a ApplicationLoadBalancer,
    /// The service's target group.
    pub target_group: &'a TargetGroup,
    /// The web service, Fargate or EC2.
    pub service: &'a dyn EcsService,
    /// The database, primary or replica.
    pub database: &'a dyn PostgresDatabase,
    /// The web ACL on the load balancer.
    pub web_acl: &'a WebAcl,
}

/// Alarm thresholds; tune them per environment.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmThresholds {
    /// The load balancer's p99 target response time. Default: 1.5 s.
    pub latency_p99: Duration,
    /// 5xx responses (load balancer and targets) as a percentage of requests. Default: 2.
    pub error_rate_percent: f64,
    /// Default: 1 (any unhealthy target).
    pub unhealthy_hosts: f64,
    /// Default: 80.
    pub service_cpu_percent: f64,
    /// Default: 80.
    pub service_memory_percent: f64,
    /// Default: 80.
    pub db_cpu_percent: f64,
    /// Default: 5 GiB.
    pub db_free_storage: Size,
    /// Default: 200.
    pub db_connections: f64,
    /// Default: 20 ms.
    pub db_read_latency: Duration,
    /// Default: 50 ms.
    pub db_write_latency: Duration,
    /// Blocked requests in five minutes. Default: 1000.
    pub waf_blocked_requests: f64,
}

impl Default for AlarmThresholds {
    fn default() -> Self {
        AlarmThresholds {
            latency_p99: Duration::millis(1500),
            error_rate_percent: 2.0,
            unhealthy_hosts: 1.0,
            service_cpu_percent: 80.0,
            service_memory_percent: 80.0,
            db_cpu_percent: 80.0,
            db_free_storage: Size::gibibytes(5),
            db_connections: 200.0,
            db_read_latency: Duration::millis(20),
            db_write_latency: Duration::millis(50),
            waf_blocked_requests: 1000.0,
        }
    }
}

/// The alarm set, a composite "web tier unhealthy" alarm and a dashboard.
#[derive(Debug, Clone)]
pub struct WebAlarms {
    alarms: Vec<Alarm>,
    composite: CompositeAlarm,
    dashboard: Dashboard,
}

struct Spec {
    id: &'static str,
    props: AlarmProps,
}

fn spec(
    id: &'static str,
    metric: impl Into<crate::metrics::AlarmMetric>,
    comparison: Comparison,
    threshold: f64,
    description: String,
) -> Spec {
    Spec {
        id,
        props: AlarmProps {
            description,
            ..AlarmProps::new(metric, comparison, threshold)
        },
    }
}

fn error_rate(alb: &ApplicationLoadBalancer) -> MathExpression {
    MathExpression::new(
        "IF(requests > 0, 100 * (FILL(targets, 0) + FILL(balancer, 0)) / requests, 0)",
        "5xx rate (%)",
        [
            ("requests", alb.metric_request_count()),
            ("targets", alb.metric_target_5xx()),
            ("balancer", alb.metric_elb_5xx()),
        ],
    )
}

fn specs(tier: &WebTier<'_>, t: &AlarmThresholds) -> Vec<Spec> {
    let alb = tier.load_balancer;
    let db = tier.database;
    let gib = 1024.0 * 1024.0 * 1024.0;
    vec![
        spec(
            "LatencyP99",
            alb.metric_target_response_time(99.0),
            Comparison::GreaterThan,
            t.latency_p99.as_secs_f64(),
            format!(
                "The slowest 1% of requests take over {}s at the load balancer: users wait. Look first at service CPU and memory, then database latency and connections, then the latest deployment.",
                t.latency_p99.as_secs_f64()
            ),
        ),
        spec(
            "ErrorRate",
            error_rate(alb),
            Comparison::GreaterThan,
            t.error_rate_percent,
            format!(
                "Over {}% of requests end in a 5xx: users see errors. Look first at the service's logs and unhealthy hosts (ELB 5xx means no healthy target), then the database.",
                t.error_rate_percent
            ),
        ),
        spec(
            "UnhealthyHosts",
            alb.metric_unhealthy_hosts(tier.target_group),
            Comparison::GreaterThanOrEqual,
            t.unhealthy_hosts,
            "Tasks fail the load balancer's health check. Look first at the stopped tasks' reason in ECS and the container logs, then at the health-check path.".to_owned(),
        ),
        spec(
            "ServiceCpu",
            tier.service.metric_cpu(),
            Comparison::GreaterThan,
            t.service_cpu_percent,
            format!(
                "Service CPU above {}%: requests queue and latency rises. Look first at whether autoscaling is at its maximum, then at traffic (request count) and recent deployments.",
                t.service_cpu_percent
            ),
        ),
        spec(
            "ServiceMemory",
            tier.service.metric_memory(),
            Comparison::GreaterThan,
            t.service_memory_percent,
            format!(
                "Service memory above {}%: tasks risk being killed out of memory. Look first at memory growth since the last deployment (a leak), then at the task size.",
                t.service_memory_percent
            ),
        ),
        spec(
            "DatabaseCpu",
            db.metric_cpu(),
            Comparison::GreaterThan,
            t.db_cpu_percent,
            format!(
                "Database CPU above {}%: queries slow down for everyone. Look first at Performance Insights' top SQL, then at connections and the instance class.",
                t.db_cpu_percent
            ),
        ),
        spec(
            "DatabaseFreeStorage",
            db.metric_free_storage(),
            Comparison::LessThan,
            t.db_free_storage.as_gibibytes_f64() * gib,
            format!(
                "Less than {} GiB of database storage free: writes fail when it runs out. Look first at whether storage autoscaling reached its ceiling, then at table and log growth.",
                t.db_free_storage.as_gibibytes_f64()
            ),
        ),
        spec(
            "DatabaseConnections",
            db.metric_connections(),
            Comparison::GreaterThan,
            t.db_connections,
            format!(
                "More than {} database connections: new connections will be refused. Look first at the service's task count and connection pool size, then at idle or stuck sessions.",
                t.db_connections
            ),
        ),
        spec(
            "DatabaseReadLatency",
            db.metric_read_latency(),
            Comparison::GreaterThan,
            t.db_read_latency.as_secs_f64(),
            format!(
                "Database reads take over {} ms: pages slow down. Look first at Performance Insights' waits, then at storage throughput and CPU.",
                t.db_read_latency.as_millis()
            ),
        ),
        spec(
            "DatabaseWriteLatency",
            db.metric_write_latency(),
            Comparison::GreaterThan,
            t.db_write_latency.as_secs_f64(),
            format!(
                "Database writes take over {} ms: requests that write slow down. Look first at storage throughput (gp3 IOPS) and locks in Performance Insights.",
                t.db_write_latency.as_millis()
            ),
        ),
        spec(
            "WafBlockedSpike",
            tier.web_acl.metric_blocked_requests().with_period(Duration::minutes(5)),
            Comparison::GreaterThan,
            t.waf_blocked_requests,
            format!(
                "WAF blocked over {} requests in five minutes: an attack, or a rule blocking real users. Look first at the sampled requests of the blocking rule, then at the rate limit.",
                t.waf_blocked_requests
            ),
        ),
    ]
}

impl WebAlarms {
    /// The alarms of `tier` with `thresholds`, notifying `topic`, and a dashboard of them.
    pub fn new(
        parent: &Scope,
        id: &str,
        tier: WebTier<'_>,
        thresholds: &AlarmThresholds,
        topic: &AlarmTopic,
    ) -> WebAlarms {
        let scope = Scope::new(parent, id);
        let mut alarms = Vec::new();
        for s in specs(&tier, thresholds) {
            let mut props = s.props;
            if s.id == "WafBlockedSpike" {
                // A spike is a single five-minute period.
                props.evaluation_periods = 1;
                props.datapoints_to_alarm = 1;
            }
            if s.id == "DatabaseFreeStorage" {
                // A full disk stops the database: page before it does.
                props.severity = Severity::Critical;
            }
            let alarm = Alarm::new(&scope, s.id, props);
            alarm.notify(topic);
            alarms.push(alarm);
        }
        let red: Vec<&Alarm> = alarms.iter().take(3).collect();
        // Users are affected: the one alarm that pages, whichever of the three fired.
        let composite = CompositeAlarm::critical(
            &scope,
            "WebTierUnhealthy",
            &AlarmRule::any_of(&red),
            "Users are affected: latency, errors or unhealthy hosts. Open the dashboard; the alarm that fired says where to look first.",
            topic,
        );
        let dashboard = Dashboard::new(&scope, "Dashboard");
        let all: Vec<&Alarm> = alarms.iter().collect();
        dashboard.add_row(vec![Widget::alarm_status("Alarms", &all)]);
        let alb = tier.load_balancer;
        dashboard.add_row(vec![
            Widget::graph("Requests", vec![alb.metric_request_count().into()]).with_size(8, 6),
            Widget::graph("5xx rate (%)", vec![error_rate(alb).into()])
                .with_threshold(thresholds.error_rate_percent, "alarm")
                .with_size(8, 6),
            Widget::graph(
                "Latency",
                vec![
                    alb.metric_target_response_time(50.0).into(),
                    alb.metric_target_response_time(90.0).into(),
                    alb.metric_target_response_time(99.0).into(),
                ],
            )
            .with_threshold(thresholds.latency_p99.as_secs_f64(), "p99 alarm")
            .with_size(8, 6),
        ]);
        dashboard.add_row(vec![
            Widget::graph(
                "Service CPU and memory (%)",
                vec![
                    tier.service.metric_cpu().into(),
                    tier.service.metric_memory().into(),
                ],
            ),
            Widget::single_value(
                "Running tasks",
                vec![tier.service.metric_running_tasks().into()],
            ),
            Widget::single_value(
                "Unhealthy hosts",
                vec![alb.metric_unhealthy_hosts(tier.target_group).into()],
            ),
        ]);
        let db = tier.database;
        dashboard.add_row(vec![
            Widget::graph("Database CPU (%)", vec![db.metric_cpu().into()]).with_size(8, 6),
            Widget::graph("Database connections", vec![db.metric_connections().into()])
                .with_size(8, 6),
            Widget::graph(
                "Database latency (s)",
                vec![
                    db.metric_read_latency().into(),
                    db.metric_write_latency().into(),
                ],
            )
            .with_size(8, 6),
        ]);
        dashboard.add_row(vec![
            Widget::graph(
                "WAF requests",
                vec![
                    tier.web_acl.metric_allowed_requests().into(),
                    tier.web_acl.metric_blocked_requests().into(),
                ],
            ),
            Widget::graph(
                "Database free storage (bytes)",
                vec![db.metric_free_storage().into()],
            ),
        ]);
        WebAlarms {
            alarms,
            composite,
            dashboard,
        }
    }

    /// The alarms.
    pub fn alarms(&self) -> &[Alarm] {
        &self.alarms
    }

    /// The composite alarm that pages: the user-facing ones together.
    pub fn composite(&self) -> &CompositeAlarm {
        &self.composite
    }

    /// The dashboard.
    pub fn dashboard(&self) -> &Dashboard {
        &self.dashboard
    }
}
