//! Alias records (A and AAAA) to a load balancer, with simple, failover or latency
//! routing.

use rcdk::{Expr, Scope};
use rcdk_l1::route53::record_set::AliasTarget as CfnAliasTarget;
use rcdk_l1::route53::{CfnRecordSet, CfnRecordSetProps};

use super::health_check::HealthCheck;
use super::zone::HostedZone;
use crate::load_balancing::ApplicationLoadBalancer;

/// What an alias record points at: a DNS name and the hosted zone it lives in.
#[derive(Debug, Clone)]
pub struct AliasTarget {
    /// The target's DNS name.
    pub dns_name: Expr<String>,
    /// The hosted zone id of the target's DNS name (a load balancer's canonical zone).
    pub hosted_zone_id: Expr<String>,
}

impl AliasTarget {
    /// An alias to `dns_name` in the zone `hosted_zone_id`.
    pub fn new(
        dns_name: impl Into<Expr<String>>,
        hosted_zone_id: impl Into<Expr<String>>,
    ) -> AliasTarget {
        AliasTarget {
            dns_name: dns_name.into(),
            hosted_zone_id: hosted_zone_id.into(),
        }
    }

    /// A load balancer (in any stack or region).
    pub fn load_balancer(lb: &ApplicationLoadBalancer) -> AliasTarget {
        AliasTarget::new(lb.dns_name(), lb.canonical_hosted_zone_id())
    }
}

/// Which record of a failover pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailoverRole {
    /// Answers while healthy.
    Primary,
    /// Answers when the primary is not healthy.
    Secondary,
}

/// How Route 53 chooses among records of one name.
#[derive(Debug, Clone, Default)]
pub enum Routing {
    /// One record.
    #[default]
    Simple,
    /// The primary while healthy, else the secondary. The primary needs a health check
    /// (an alias also follows its target's health).
    Failover {
        /// Primary or secondary.
        role: FailoverRole,
        /// What decides the record's health (required for the primary).
        health_check: Option<HealthCheck>,
    },
    /// The record of the region nearest (by latency) to the client.
    Latency {
        /// The region this record serves (`us-west-2`).
        region: String,
        /// What decides the record's health. Default: the target's own.
        health_check: Option<HealthCheck>,
    },
}

/// Settings of an [`AliasRecord`].
#[derive(Debug, Clone)]
pub struct AliasRecordProps {
    /// The zone the record goes in.
    pub zone: HostedZone,
    /// The name within the zone (`app`), or `""` for the apex.
    pub record_name: String,
    /// What the record points at.
    pub target: AliasTarget,
    /// How the record answers. Default: simple.
    pub routing: Routing,
    /// Also an AAAA record (the load balancer is dual-stack). Default: false.
    pub ipv6: bool,
}

impl AliasRecordProps {
    /// An alias named `record_name` in `zone` to `target`, simple routing.
    pub fn new(zone: &HostedZone, record_name: &str, target: AliasTarget) -> AliasRecordProps {
        AliasRecordProps {
            zone: zone.clone(),
            record_name: record_name.to_owned(),
            target,
            routing: Routing::Simple,
            ipv6: false,
        }
    }
}

/// An alias record set (A, and AAAA when asked).
#[derive(Debug, Clone)]
pub struct AliasRecord {
    records: Vec<CfnRecordSet>,
    fqdn: String,
}

impl AliasRecord {
    /// Adds the record (A, and AAAA with `ipv6`) below `scope`.
    pub fn new(scope: &Scope, id: &str, props: AliasRecordProps) -> AliasRecord {
        let fqdn = props.zone.fqdn(&props.record_name);
        let (failover, region, health_check, set_identifier) = match &props.routing {
            Routing::Simple => (None, None, None, None),
            Routing::Failover { role, health_check } => {
                let role = match role {
                    FailoverRole::Primary => "PRIMARY",
                    FailoverRole::Secondary => "SECONDARY",
                };
                (
                    Some(role),
                    None,
                    health_check.clone(),
                    Some(role.to_lowercase()),
                )
            }
            Routing::Latency {
                region,
                health_check,
            } => (
                None,
                Some(region.clone()),
                health_check.clone(),
                Some(region.clone()),
            ),
        };
        let types: &[&str] = if props.ipv6 { &["A", "AAAA"] } else { &["A"] };
        let records: Vec<CfnRecordSet> = types
            .iter()
            .map(|ty| {
                let record_id = if *ty == "A" {
                    id.to_owned()
                } else {
                    format!("{id}Ipv6")
                };
                CfnRecordSet::new(
                    scope,
                    &record_id,
                    CfnRecordSetProps {
                        hosted_zone_id: Some(props.zone.zone_id()),
                        alias_target: Some(CfnAliasTarget {
                            evaluate_target_health: Some(true.into()),
                            ..CfnAliasTarget::new(
                                props.target.dns_name.clone(),
                                props.target.hosted_zone_id.clone(),
                            )
                        }),
                        failover: failover.map(Into::into),
                        region: region.as_deref().map(Into::into),
                        set_identifier: set_identifier
                            .as_deref()
                            .map(|s| format!("{fqdn}-{s}").into()),
                        health_check_id: health_check.as_ref().map(HealthCheck::health_check_id),
                        ..CfnRecordSetProps::new(format!("{fqdn}."), *ty)
                    },
                )
            })
            .collect();
        let first = &records[0];
        if !super::valid_dns_name(&fqdn) {
            first.add_error(format!("'{fqdn}' is not a DNS name"));
        }
        if let Routing::Failover {
            role: FailoverRole::Primary,
            health_check: None,
        } = &props.routing
        {
            first.add_error("a PRIMARY failover record needs a health check: without one Route 53 fails over only when the load balancer has no healthy targets, not when the site is down; give health_check");
        }
        AliasRecord { records, fqdn }
    }

    /// The record's full name, without the final dot.
    pub fn fqdn(&self) -> &str {
        &self.fqdn
    }

    /// The record sets (A, and AAAA with `ipv6`).
    pub fn records(&self) -> &[CfnRecordSet] {
        &self.records
    }
}
