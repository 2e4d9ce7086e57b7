//! CloudWatch metrics as data, produced by the constructs' metric helpers, and metric
//! math over them.
//!
//! ```
//! use rcdk_constructs::metrics::{MathExpression, Metric, Statistic};
//! use rcdk_constructs::units::Duration;
//! let errors = Metric::new("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", vec![])
//!     .with_statistic(Statistic::Sum);
//! let requests = Metric::new("AWS/ApplicationELB", "RequestCount", vec![])
//!     .with_statistic(Statistic::Sum)
//!     .with_period(Duration::minutes(5));
//! let rate = MathExpression::new("100 * errors / requests", "5xx rate (%)", [("errors", errors), ("requests", requests)]);
//! assert_eq!(rate.period, Duration::minutes(5));
//! ```

use std::collections::BTreeMap;

use rcdk::Expr;

use crate::units::Duration;

/// How datapoints are aggregated over a period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    /// The mean of the datapoints.
    Average,
    /// Their total.
    Sum,
    /// The smallest.
    Minimum,
    /// The largest.
    Maximum,
    /// How many there are.
    SampleCount,
    /// `pNN`, e.g. `Percentile(99.0)` → `p99`.
    Percentile(f64),
}

impl Statistic {
    /// The name CloudWatch uses (`Average`, `p99`, `p99.9`).
    pub fn name(self) -> String {
        match self {
            Statistic::Average => "Average".into(),
            Statistic::Sum => "Sum".into(),
            Statistic::Minimum => "Minimum".into(),
            Statistic::Maximum => "Maximum".into(),
            Statistic::SampleCount => "SampleCount".into(),
            Statistic::Percentile(p) => format!("p{p}"),
        }
    }

    /// Whether this is a percentile (an alarm writes it as `ExtendedStatistic`).
    pub fn is_percentile(self) -> bool {
        matches!(self, Statistic::Percentile(_))
    }

    /// Parses `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or `pNN` (0 < NN < 100).
    pub fn parse(name: &str) -> Result<Statistic, String> {
        let simple = match name {
            "Average" => Some(Statistic::Average),
            "Sum" => Some(Statistic::Sum),
            "Minimum" => Some(Statistic::Minimum),
            "Maximum" => Some(Statistic::Maximum),
            "SampleCount" => Some(Statistic::SampleCount),
            _ => None,
        };
        if let Some(s) = simple {
            return Ok(s);
        }
        match name.strip_prefix('p').map(str::parse::<f64>) {
            Some(Ok(p)) if p > 0.0 && p < 100.0 => Ok(Statistic::Percentile(p)),
            _ => Err(format!(
                "'{name}' is not a statistic; use Average, Sum, Minimum, Maximum, SampleCount or a percentile like p99"
            )),
        }
    }
}

/// One CloudWatch metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// The namespace (`AWS/ECS`).
    pub namespace: String,
    /// The metric's name (`CPUUtilization`).
    pub metric_name: String,
    /// Dimension name → value, in the order CloudWatch shows them.
    pub dimensions: Vec<(String, Expr<String>)>,
    /// How datapoints are aggregated. Default: average.
    pub statistic: Statistic,
    /// 10, 20 or 30 s, or whole minutes (what an alarm takes). Default: 1 min.
    pub period: Duration,
    /// The unit, when the metric has several.
    pub unit: Option<String>,
}

impl Metric {
    /// A metric averaged over one minute.
    pub fn new(
        namespace: &str,
        metric_name: &str,
        dimensions: Vec<(String, Expr<String>)>,
    ) -> Metric {
        Metric {
            namespace: namespace.to_owned(),
            metric_name: metric_name.to_owned(),
            dimensions,
            statistic: Statistic::Average,
            period: Duration::minutes(1),
            unit: None,
        }
    }

    /// The same metric, aggregated by `statistic`.
    pub fn with_statistic(mut self, statistic: Statistic) -> Metric {
        self.statistic = statistic;
        self
    }

    /// The same metric over `period`.
    pub fn with_period(mut self, period: Duration) -> Metric {
        self.period = period;
        self
    }

    /// The period in the whole seconds CloudWatch counts in.
    pub fn period_seconds(&self) -> u32 {
        u32::try_from(self.period.truncated_seconds()).unwrap_or(u32::MAX)
    }
}

/// Metric math over named metrics, e.g. the 5xx rate:
/// `MathExpression::new("100 * errors / requests", "5xx rate (%)", [("errors", e), ("requests", r)])`.
#[derive(Debug, Clone, PartialEq)]
pub struct MathExpression {
    /// The metric math expression over the metrics' ids.
    pub expression: String,
    /// What graphs and alarms call the result.
    pub label: String,
    /// Id (lower-case first letter) → metric.
    pub using: BTreeMap<String, Metric>,
    /// The longest period among the metrics used.
    pub period: Duration,
}

impl MathExpression {
    /// `expression` labelled `label` over `using` (id → metric); the period is the longest
    /// of theirs.
    pub fn new<const N: usize>(
        expression: &str,
        label: &str,
        using: [(&str, Metric); N],
    ) -> MathExpression {
        let period = using
            .iter()
            .map(|(_, m)| m.period)
            .max()
            .unwrap_or(Duration::minutes(1));
        MathExpression {
            expression: expression.to_owned(),
            label: label.to_owned(),
            using: using.into_iter().map(|(k, m)| (k.to_owned(), m)).collect(),
            period,
        }
    }

    /// Problems CloudWatch would reject: bad ids, ids the expression does not know,
    /// metrics with different periods.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for id in self.using.keys() {
            let ok = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                out.push(format!("metric id '{id}' must start with a lower-case letter and hold only letters, digits and '_'"));
            }
        }
        let words: Vec<&str> = self
            .expression
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .collect();
        for w in &words {
            if !self.using.contains_key(*w) {
                out.push(format!(
                    "expression '{}' uses '{w}', which is not one of its metrics {:?}",
                    self.expression,
                    self.using.keys().collect::<Vec<_>>()
                ));
            }
        }
        for id in self.using.keys() {
            if !words.contains(&id.as_str()) {
                out.push(format!(
                    "metric '{id}' is not used in expression '{}'",
                    self.expression
                ));
            }
        }
        if self.using.values().any(|m| m.period != self.period) {
            out.push("the metrics of one expression must share a period".to_owned());
        }
        out
    }
}

/// What an alarm or a graph watches: a metric or metric math.
#[derive(Debug, Clone, PartialEq)]
pub enum AlarmMetric {
    /// One metric.
    Metric(Metric),
    /// Metric math over several.
    Math(MathExpression),
}

impl From<Metric> for AlarmMetric {
    fn from(m: Metric) -> AlarmMetric {
        AlarmMetric::Metric(m)
    }
}

impl From<MathExpression> for AlarmMetric {
    fn from(m: MathExpression) -> AlarmMetric {
        AlarmMetric::Math(m)
    }
}

impl AlarmMetric {
    /// The period in whole seconds.
    pub fn period_seconds(&self) -> u32 {
        match self {
            AlarmMetric::Metric(m) => m.period_seconds(),
            AlarmMetric::Math(m) => u32::try_from(m.period.truncated_seconds()).unwrap_or(u32::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(name: &str) -> Metric {
        Metric::new("AWS/ApplicationELB", name, Vec::new()).with_statistic(Statistic::Sum)
    }

    #[test]
    fn percentiles_parse_and_print() {
        assert_eq!(Statistic::parse("p99"), Ok(Statistic::Percentile(99.0)));
        assert_eq!(
            Statistic::parse("p99.9").map(Statistic::name),
            Ok("p99.9".to_owned())
        );
        assert_eq!(Statistic::parse("Sum"), Ok(Statistic::Sum));
        for bad in ["p100", "p0", "pX", "avg"] {
            assert!(Statistic::parse(bad).is_err(), "{bad}");
        }
        assert!(Statistic::Percentile(50.0).is_percentile());
        assert!(!Statistic::Maximum.is_percentile());
    }

    #[test]
    fn math_expressions_check_their_ids() {
        let rate = MathExpression::new(
            "100 * errors / requests",
            "5xx rate",
            [("errors", metric("E")), ("requests", metric("R"))],
        );
        assert!(rate.problems().is_empty(), "{:?}", rate.problems());
        assert_eq!(rate.period, Duration::minutes(1));
        let unknown = MathExpression::new("100 * errors / total", "x", [("errors", metric("E"))]);
        assert_eq!(
            unknown.problems(),
            [
                "expression '100 * errors / total' uses 'total', which is not one of its metrics [\"errors\"]"
            ]
        );
        let unused = MathExpression::new(
            "a",
            "x",
            [
                ("a", metric("A")),
                (
                    "b",
                    metric("B").with_period(crate::units::Duration::minutes(5)),
                ),
            ],
        );
        assert_eq!(
            unused.problems(),
            [
                "metric 'b' is not used in expression 'a'",
                "the metrics of one expression must share a period"
            ]
        );
        let bad_id = MathExpression::new("Errors", "x", [("Errors", metric("E"))]);
        assert!(bad_id.problems()[0].contains("must start with a lower-case letter"));
    }

    #[test]
    fn statistic_names() {
        assert_eq!(Statistic::Percentile(99.0).name(), "p99");
        assert_eq!(Statistic::Percentile(99.9).name(), "p99.9");
        assert_eq!(Statistic::Average.name(), "Average");
    }
}
