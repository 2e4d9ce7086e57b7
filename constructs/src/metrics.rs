//! CloudWatch metrics as data, produced by the constructs' metric helpers.

use rcdk::Expr;

/// How datapoints are aggregated over a period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    Average,
    Sum,
    Minimum,
    Maximum,
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

    pub fn is_percentile(self) -> bool {
        matches!(self, Statistic::Percentile(_))
    }
}

/// One CloudWatch metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub namespace: String,
    pub metric_name: String,
    /// Dimension name → value, in the order CloudWatch shows them.
    pub dimensions: Vec<(String, Expr<String>)>,
    pub statistic: Statistic,
    pub period_seconds: u32,
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
            period_seconds: 60,
            unit: None,
        }
    }

    pub fn with_statistic(mut self, statistic: Statistic) -> Metric {
        self.statistic = statistic;
        self
    }

    pub fn with_period(mut self, seconds: u32) -> Metric {
        self.period_seconds = seconds;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistic_names() {
        assert_eq!(Statistic::Percentile(99.0).name(), "p99");
        assert_eq!(Statistic::Percentile(99.9).name(), "p99.9");
        assert_eq!(Statistic::Average.name(), "Average");
    }
}
