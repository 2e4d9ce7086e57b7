//! DNS with Route 53: a hosted zone (created, or imported by id and name), alias records
//! to load balancers with simple, failover (PRIMARY/SECONDARY) or latency routing,
//! HTTPS health checks of a load balancer's health path, and ACM certificates validated
//! through records in the zone.
//!
//! ```
//! use rcdk::{App, Environment, Stack, StackProps};
//! use rcdk_constructs::dns::*;
//! let app = App::with_context(Default::default(), "cdk.out");
//! let env = Environment::new("123456789012", "us-east-1");
//! let stack = Stack::new(&app, "dns", StackProps { env, ..Default::default() });
//! let zone = HostedZone::from_attributes("Z0123456789ABCDEFGHIJ", "example.com");
//! let check = HealthCheck::new(&stack, "PrimaryHealth", HealthCheckProps::https("app.example.com", "/health"));
//! AliasRecord::new(&stack, "Primary", AliasRecordProps {
//!     routing: Routing::Failover { role: FailoverRole::Primary, health_check: Some(check.clone()) },
//!     ..AliasRecordProps::new(&zone, "app", AliasTarget::new("primary-123.us-east-1.elb.amazonaws.com", "Z35SXDOTRQ7X7K"))
//! });
//! assert!(app.synthesize().is_ok());
//! ```

mod certificate;
mod health_check;
mod record;
mod zone;

pub use certificate::{Certificate, CertificateProps};
pub use health_check::{HealthCheck, HealthCheckProps};
pub use record::{AliasRecord, AliasRecordProps, AliasTarget, FailoverRole, Routing};
pub use zone::HostedZone;

/// Whether `name` is a DNS name: labels of letters, digits and `-`, not starting or
/// ending with `-`, 1 to 63 characters each, 253 in all.
pub(crate) fn valid_dns_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').enumerate().all(|(i, label)| {
            // A wildcard only as the first label.
            (i == 0 && label == "*")
                || (!label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        })
}
