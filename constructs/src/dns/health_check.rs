//! Route 53 health checks of an HTTPS endpoint.

use std::ops::Deref;

use rcdk::{Expr, Scope};
use rcdk_l1::route53::health_check::HealthCheckConfig;
use rcdk_l1::route53::{CfnHealthCheck, CfnHealthCheckProps};

use crate::units::Duration;

/// Settings of a [`HealthCheck`].
#[derive(Debug, Clone)]
pub struct HealthCheckProps {
    /// The name checked (and sent as SNI), e.g. the load balancer's DNS name.
    pub domain_name: Expr<String>,
    /// The path checked (`/health`).
    pub path: String,
    /// Time between checks: 10 s or 30 s (what Route 53 offers). Default: 30 s.
    pub interval: Duration,
    /// Consecutive failures before unhealthy, 1 to 10. Default: 3.
    pub failure_threshold: u32,
    /// Default: 443.
    pub port: u16,
}

impl HealthCheckProps {
    /// HTTPS on `path` of `domain_name`, every 30 s, unhealthy after 3 failures.
    pub fn https(domain_name: impl Into<Expr<String>>, path: &str) -> HealthCheckProps {
        HealthCheckProps {
            domain_name: domain_name.into(),
            path: path.to_owned(),
            interval: Duration::seconds(30),
            failure_threshold: 3,
            port: 443,
        }
    }
}

/// An HTTPS health check from Route 53's checkers around the world.
#[derive(Debug, Clone)]
pub struct HealthCheck {
    check: CfnHealthCheck,
}

impl Deref for HealthCheck {
    type Target = CfnHealthCheck;
    fn deref(&self) -> &CfnHealthCheck {
        &self.check
    }
}

impl HealthCheck {
    /// Adds the health check below `scope`.
    pub fn new(scope: &Scope, id: &str, props: HealthCheckProps) -> HealthCheck {
        let check = CfnHealthCheck::new(
            scope,
            id,
            CfnHealthCheckProps::new(HealthCheckConfig {
                fully_qualified_domain_name: Some(props.domain_name.clone()),
                resource_path: Some(props.path.as_str().into()),
                port: Some(i64::from(props.port).into()),
                request_interval: Some(props.interval.truncated_seconds().into()),
                failure_threshold: Some(i64::from(props.failure_threshold).into()),
                enable_sni: Some(true.into()),
                ..HealthCheckConfig::new("HTTPS")
            }),
        );
        if ![Duration::seconds(10), Duration::seconds(30)].contains(&props.interval) {
            check.add_error(format!(
                "interval is {}; Route 53 checks every 10 s or 30 s",
                props.interval
            ));
        }
        if !(1..=10).contains(&props.failure_threshold) {
            check.add_error(format!(
                "failure_threshold {} is out of range 1 to 10",
                props.failure_threshold
            ));
        }
        if !props.path.starts_with('/') {
            check.add_error(format!("path '{}' must start with /", props.path));
        }
        HealthCheck { check }
    }

    /// The health check's id (what failover records take).
    pub fn health_check_id(&self) -> Expr<String> {
        self.check.ref_()
    }

    /// `HealthCheckStatus` (1 healthy, 0 not), in us-east-1 whatever the stack's region.
    pub fn metric_status(&self) -> crate::metrics::Metric {
        crate::metrics::Metric::new(
            "AWS/Route53",
            "HealthCheckStatus",
            vec![("HealthCheckId".into(), self.health_check_id())],
        )
        .with_statistic(crate::metrics::Statistic::Minimum)
        .with_period(Duration::minutes(1))
    }
}
