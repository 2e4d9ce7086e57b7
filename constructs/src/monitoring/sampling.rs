//! X-Ray sampling rules: how many requests of a service are traced. Traced services
//! (`TaskDefinition::enable_tracing`, functions with tracing) ask X-Ray for the rules, so
//! a rate changes with a deploy of the rule, not of the services.

use rcdk::Scope;
use rcdk_l1::xray::sampling_rule::SamplingRule as Rule;
use rcdk_l1::xray::{CfnSamplingRule, CfnSamplingRuleProps};

/// Settings of a [`SamplingRule`].
#[derive(Debug, Clone)]
pub struct SamplingRuleProps {
    /// The services it applies to (`OTEL_SERVICE_NAME`), `*` wildcards allowed (`prod-*`).
    pub service_name: String,
    /// Share of requests traced beyond the reservoir, 0 to 1. Default: 0.05.
    pub fixed_rate: f64,
    /// Requests per second traced before the rate applies (so a quiet service still
    /// shows traces). Default: 1.
    pub reservoir_size: u32,
    /// Lower numbers are matched first, 1 to 9999. Default: 1000.
    pub priority: u32,
    /// The URL paths it applies to. Default: `*`.
    pub url_path: String,
}

impl SamplingRuleProps {
    /// A rule for `service_name` with the defaults above.
    pub fn new(service_name: &str) -> SamplingRuleProps {
        SamplingRuleProps {
            service_name: service_name.to_owned(),
            fixed_rate: 0.05,
            reservoir_size: 1,
            priority: 1000,
            url_path: "*".to_owned(),
        }
    }
}

/// An `AWS::XRay::SamplingRule`, named after its stack and id (names are per account
/// and region, at most 32 characters).
#[derive(Debug, Clone)]
pub struct SamplingRule {
    rule: CfnSamplingRule,
}

impl std::ops::Deref for SamplingRule {
    type Target = CfnSamplingRule;
    fn deref(&self) -> &CfnSamplingRule {
        &self.rule
    }
}

/// A rule name X-Ray accepts: letters, digits, `-` and `_`, at most 32 characters.
fn rule_name(scope: &Scope, id: &str) -> String {
    let raw = format!(
        "{}-{id}",
        scope.stack().map(|s| s.stack_name()).unwrap_or_default()
    );
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(32)
        .collect()
}

impl SamplingRule {
    /// Adds the rule below `scope`.
    pub fn new(scope: &Scope, id: &str, props: SamplingRuleProps) -> SamplingRule {
        let name = rule_name(scope, id);
        let rule = CfnSamplingRule::new(
            scope,
            id,
            CfnSamplingRuleProps {
                sampling_rule: Some(Rule {
                    rule_name: Some(name.as_str().into()),
                    version: Some(1.into()),
                    ..Rule::new(
                        props.fixed_rate,
                        "*",
                        "*",
                        i64::from(props.priority),
                        i64::from(props.reservoir_size),
                        "*",
                        props.service_name.as_str(),
                        "*",
                        props.url_path.as_str(),
                    )
                }),
                ..Default::default()
            },
        );
        if !(0.0..=1.0).contains(&props.fixed_rate) {
            rule.add_error(format!(
                "fixed_rate is {}; it is a share of requests, 0 to 1 (0.05 is 5%)",
                props.fixed_rate
            ));
        }
        if !(1..=9999).contains(&props.priority) {
            rule.add_error(format!("priority is {}; use 1 to 9999", props.priority));
        }
        if props.service_name.is_empty() || props.service_name.len() > 64 {
            rule.add_error("service_name: 1 to 64 characters (`*` wildcards allowed)");
        }
        SamplingRule { rule }
    }
}
