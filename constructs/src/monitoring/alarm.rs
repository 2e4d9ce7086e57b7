//! Alarms over a metric or metric math, and composite alarms over alarms.

use std::ops::Deref;

use rcdk::{Expr, Scope, fns};
use rcdk_l1::cloudwatch::alarm::{Dimension, Metric as CfnMetric, MetricDataQuery, MetricStat};
use rcdk_l1::cloudwatch::{CfnAlarm, CfnAlarmProps, CfnCompositeAlarm, CfnCompositeAlarmProps};

use super::topic::AlarmTopic;
use crate::metrics::{AlarmMetric, Metric};

/// How the metric is compared with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Above the threshold.
    GreaterThan,
    /// At or above the threshold.
    GreaterThanOrEqual,
    /// Below the threshold.
    LessThan,
    /// At or below the threshold.
    LessThanOrEqual,
}

impl Comparison {
    fn cfn(self) -> &'static str {
        match self {
            Comparison::GreaterThan => "GreaterThanThreshold",
            Comparison::GreaterThanOrEqual => "GreaterThanOrEqualToThreshold",
            Comparison::LessThan => "LessThanThreshold",
            Comparison::LessThanOrEqual => "LessThanOrEqualToThreshold",
        }
    }
}

/// What a period without data counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TreatMissingData {
    /// A period without data counts as breaching (for metrics that must always report).
    Breaching,
    /// Default: no traffic is not an incident.
    #[default]
    NotBreaching,
    /// Keep the current state.
    Ignore,
    /// The alarm goes to INSUFFICIENT_DATA.
    Missing,
}

impl TreatMissingData {
    fn cfn(self) -> &'static str {
        match self {
            TreatMissingData::Breaching => "breaching",
            TreatMissingData::NotBreaching => "notBreaching",
            TreatMissingData::Ignore => "ignore",
            TreatMissingData::Missing => "missing",
        }
    }
}

/// Who an alarm reaches through its [`AlarmTopic`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Severity {
    /// Someone looks during working hours: e-mail (the topic's subscribers).
    #[default]
    Warning,
    /// Users are affected, or work is being lost: the on-call is paged (the topic's
    /// pagers) as well as e-mailed.
    Critical,
}

/// Settings of an [`Alarm`]. `AlarmProps::new(metric, comparison, threshold)` fills
/// the rest; a description is required.
#[derive(Debug, Clone)]
pub struct AlarmProps {
    /// What is watched.
    pub metric: AlarmMetric,
    /// How the value compares with `threshold` in breach.
    pub comparison: Comparison,
    /// The value that breaches.
    pub threshold: f64,
    /// Periods looked at. Default: 5.
    pub evaluation_periods: u32,
    /// Breaching periods among them that raise the alarm. Default: 3.
    pub datapoints_to_alarm: u32,
    /// What a period without data counts as. Default: not breaching.
    pub treat_missing_data: TreatMissingData,
    /// What the alarm means and what to look at first. Required.
    pub description: String,
    /// Default: a warning (e-mail only).
    pub severity: Severity,
}

impl AlarmProps {
    /// An alarm on `metric` breaching `comparison` `threshold`, 3 of 5 periods, with a
    /// description to write.
    pub fn new(
        metric: impl Into<AlarmMetric>,
        comparison: Comparison,
        threshold: f64,
    ) -> AlarmProps {
        AlarmProps {
            metric: metric.into(),
            comparison,
            threshold,
            evaluation_periods: 5,
            datapoints_to_alarm: 3,
            treat_missing_data: TreatMissingData::NotBreaching,
            description: String::new(),
            severity: Severity::Warning,
        }
    }
}

/// A CloudWatch alarm.
#[derive(Debug, Clone)]
pub struct Alarm {
    alarm: CfnAlarm,
    severity: Severity,
}

impl Deref for Alarm {
    type Target = CfnAlarm;
    fn deref(&self) -> &CfnAlarm {
        &self.alarm
    }
}

fn dimensions(m: &Metric) -> Option<Vec<Dimension>> {
    (!m.dimensions.is_empty()).then(|| {
        m.dimensions
            .iter()
            .map(|(k, v)| Dimension::new(k.as_str(), v.clone()))
            .collect()
    })
}

fn query(id: &str, m: &Metric, return_data: bool) -> MetricDataQuery {
    MetricDataQuery {
        metric_stat: Some(MetricStat {
            unit: m.unit.as_deref().map(Into::into),
            ..MetricStat::new(
                CfnMetric {
                    dimensions: dimensions(m),
                    metric_name: Some(m.metric_name.as_str().into()),
                    namespace: Some(m.namespace.as_str().into()),
                },
                i64::from(m.period_seconds()),
                m.statistic.name(),
            )
        }),
        return_data: Some(return_data.into()),
        ..MetricDataQuery::new(id)
    }
}

fn check_period(scope: &Scope, seconds: u32) {
    if !(matches!(seconds, 10 | 20 | 30) || (seconds >= 60 && seconds.is_multiple_of(60))) {
        scope.add_error(format!(
            "period {seconds}s is not allowed; use 10, 20, 30 or a multiple of 60 seconds"
        ));
    }
}

impl Alarm {
    /// Adds the alarm below `scope`.
    pub fn new(scope: &Scope, id: &str, props: AlarmProps) -> Alarm {
        let mut problems = Vec::new();
        if props.description.trim().is_empty() {
            problems.push(
                "description is empty; say what the alarm means and what to look at first"
                    .to_owned(),
            );
        }
        if props.evaluation_periods == 0
            || props.datapoints_to_alarm == 0
            || props.datapoints_to_alarm > props.evaluation_periods
        {
            problems.push(format!(
                "datapoints_to_alarm {} must be 1 to evaluation_periods {}",
                props.datapoints_to_alarm, props.evaluation_periods
            ));
        }
        if props.evaluation_periods * props.metric.period_seconds() > 86_400 {
            problems.push("evaluation_periods × period exceeds one day".to_owned());
        }
        if !props.threshold.is_finite() {
            problems.push(format!("threshold {} is not a number", props.threshold));
        }
        let mut cfn = CfnAlarmProps {
            alarm_description: Some(props.description.as_str().into()),
            comparison_operator: Some(props.comparison.cfn().into()),
            threshold: Some(props.threshold.into()),
            evaluation_periods: Some(i64::from(props.evaluation_periods).into()),
            datapoints_to_alarm: Some(i64::from(props.datapoints_to_alarm).into()),
            treat_missing_data: Some(props.treat_missing_data.cfn().into()),
            ..Default::default()
        };
        match &props.metric {
            AlarmMetric::Metric(m) => {
                cfn.namespace = Some(m.namespace.as_str().into());
                cfn.metric_name = Some(m.metric_name.as_str().into());
                cfn.dimensions = dimensions(m);
                cfn.period = Some(i64::from(m.period_seconds()).into());
                cfn.unit = m.unit.as_deref().map(Into::into);
                // Percentiles go to ExtendedStatistic, the others to Statistic.
                if m.statistic.is_percentile() {
                    cfn.extended_statistic = Some(m.statistic.name().into());
                } else {
                    cfn.statistic = Some(m.statistic.name().into());
                }
            }
            AlarmMetric::Math(e) => {
                problems.extend(e.problems());
                let mut queries = vec![MetricDataQuery {
                    expression: Some(e.expression.as_str().into()),
                    label: Some(e.label.as_str().into()),
                    return_data: Some(true.into()),
                    ..MetricDataQuery::new("expr")
                }];
                queries.extend(e.using.iter().map(|(k, m)| query(k, m, false)));
                cfn.metrics = Some(queries);
            }
        }
        let alarm = CfnAlarm::new(scope, id, cfn);
        check_period(&alarm, props.metric.period_seconds());
        for p in problems {
            alarm.add_error(p);
        }
        Alarm {
            alarm,
            severity: props.severity,
        }
    }

    /// Notifies `topic` when the alarm fires and when it recovers; a critical alarm also
    /// its paging topic (the recovery resolves the page).
    pub fn notify(&self, topic: &AlarmTopic) {
        let arns = notified(topic, self.severity);
        self.alarm.update_props(|p: &mut CfnAlarmProps| {
            for arn in &arns {
                add_action(&mut p.alarm_actions, arn);
                add_action(&mut p.ok_actions, arn);
            }
        });
    }

    /// How far the alarm reaches.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Runs `arn` (a scaling policy, a topic) when the alarm fires.
    pub fn add_alarm_action(&self, arn: Expr<String>) {
        self.alarm.update_props(|p: &mut CfnAlarmProps| {
            add_action(&mut p.alarm_actions, &arn);
        });
    }

    /// The alarm's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.alarm.attr_arn()
    }

    /// The alarm name (what `Ref` returns).
    pub fn name(&self) -> Expr<String> {
        self.alarm.ref_()
    }

    /// Whether the alarm has at least one alarm action.
    pub fn has_action(&self) -> bool {
        self.alarm
            .properties()
            .get_path(&["AlarmActions"])
            .is_some_and(|v| !v.is_null())
    }

    /// The alarm's description.
    pub fn description(&self) -> String {
        self.alarm
            .properties()
            .get_path(&["AlarmDescription"])
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// A rule over alarms for a [`CompositeAlarm`].
#[derive(Debug, Clone)]
pub enum AlarmRule {
    /// `ALARM("name")`.
    Alarm(Alarm),
    /// Any of the rules.
    AnyOf(Vec<AlarmRule>),
    /// All of the rules.
    AllOf(Vec<AlarmRule>),
    /// The rule does not hold.
    Not(Box<AlarmRule>),
}

impl AlarmRule {
    /// ALARM of any of `alarms`.
    pub fn any_of(alarms: &[&Alarm]) -> AlarmRule {
        AlarmRule::AnyOf(
            alarms
                .iter()
                .map(|a| AlarmRule::Alarm((*a).clone()))
                .collect(),
        )
    }

    /// ALARM of all of `alarms`.
    pub fn all_of(alarms: &[&Alarm]) -> AlarmRule {
        AlarmRule::AllOf(
            alarms
                .iter()
                .map(|a| AlarmRule::Alarm((*a).clone()))
                .collect(),
        )
    }

    /// The rule as `Fn::Join` parts (alarm names are only known at deploy).
    fn parts(&self, out: &mut Vec<Expr<String>>) {
        let group = |items: &[AlarmRule], op: &str, out: &mut Vec<Expr<String>>| {
            out.push("(".into());
            for (i, r) in items.iter().enumerate() {
                if i > 0 {
                    out.push(format!(" {op} ").into());
                }
                r.parts(out);
            }
            out.push(")".into());
        };
        match self {
            AlarmRule::Alarm(a) => {
                out.push("ALARM(\"".into());
                out.push(a.name());
                out.push("\")".into());
            }
            AlarmRule::AnyOf(items) => group(items, "OR", out),
            AlarmRule::AllOf(items) => group(items, "AND", out),
            AlarmRule::Not(r) => {
                out.push("NOT ".into());
                r.parts(out);
            }
        }
    }

    fn expr(&self) -> Expr<String> {
        let mut parts = Vec::new();
        self.parts(&mut parts);
        fns::join("", parts)
    }
}

/// An alarm that fires on a rule over other alarms (e.g. "any of the web tier's").
#[derive(Debug, Clone)]
pub struct CompositeAlarm {
    alarm: CfnCompositeAlarm,
}

impl Deref for CompositeAlarm {
    type Target = CfnCompositeAlarm;
    fn deref(&self) -> &CfnCompositeAlarm {
        &self.alarm
    }
}

/// The topics an alarm of `severity` notifies through `topic`.
fn notified(topic: &AlarmTopic, severity: Severity) -> Vec<Expr<String>> {
    let mut arns = vec![topic.arn()];
    if severity == Severity::Critical {
        arns.extend(topic.paging_arn());
    }
    arns
}

impl CompositeAlarm {
    /// A composite alarm on `rule`, a warning (e-mail) when it notifies `topic`.
    pub fn new(
        scope: &Scope,
        id: &str,
        rule: &AlarmRule,
        description: &str,
        topic: Option<&AlarmTopic>,
    ) -> CompositeAlarm {
        Self::with_severity(scope, id, rule, description, topic, Severity::Warning)
    }

    /// A composite alarm on `rule` that pages through `topic`'s pagers too (a summary
    /// such as "users are affected" pages once instead of once per alarm).
    pub fn critical(
        scope: &Scope,
        id: &str,
        rule: &AlarmRule,
        description: &str,
        topic: &AlarmTopic,
    ) -> CompositeAlarm {
        Self::with_severity(
            scope,
            id,
            rule,
            description,
            Some(topic),
            Severity::Critical,
        )
    }

    fn with_severity(
        scope: &Scope,
        id: &str,
        rule: &AlarmRule,
        description: &str,
        topic: Option<&AlarmTopic>,
        severity: Severity,
    ) -> CompositeAlarm {
        let actions = topic.map(|t| Expr::unchecked(rcdk::Value::list(notified(t, severity))));
        let alarm = CfnCompositeAlarm::new(
            scope,
            id,
            CfnCompositeAlarmProps {
                alarm_description: Some(description.into()),
                alarm_actions: actions.clone(),
                ok_actions: actions,
                ..CfnCompositeAlarmProps::new(rule.expr())
            },
        );
        if description.trim().is_empty() {
            alarm.add_error(
                "description is empty; say what the alarm means and what to look at first",
            );
        }
        CompositeAlarm { alarm }
    }

    /// The composite alarm's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.alarm.attr_arn()
    }
}

/// Adds `arn` to an alarm's action list once.
fn add_action(list: &mut Option<Expr<Vec<String>>>, arn: &Expr<String>) {
    let mut arns = match list.take() {
        Some(e) => match e.into_value() {
            rcdk::Value::List(items) => items,
            other => vec![other],
        },
        None => Vec::new(),
    };
    let v = rcdk::Value::from(arn.clone());
    if !arns.contains(&v) {
        arns.push(v);
    }
    *list = Some(Expr::unchecked(rcdk::Value::List(arns)));
}
