//! `{primary}-dns` (in an organisation `dns-{primary}`, a shared-services stack): the
//! service's public name, failing over from the primary's load
//! balancer to its standby's when the primary's HTTPS health check fails (3 failures
//! 30 s apart). Deployed after both app stacks, in the account of the hosted zone (in an
//! organisation, shared services'): it reads their load balancers through SSM, which
//! rcdk deploy writes in this stack's account and region after each app stack deploys.

use rcdk::{App, Environment, Stack, StackProps, Tags};
use rcdk_constructs::dns::{
    AliasRecord, AliasRecordProps, AliasTarget, FailoverRole, HealthCheck, HealthCheckProps,
    HostedZone, Routing,
};
use rcdk_constructs::load_balancing::ApplicationLoadBalancer;

use crate::config::{DnsConfig, EnvironmentConfig};

pub fn build(
    app: &App,
    dns: &DnsConfig,
    (primary, settings): (&str, &EnvironmentConfig),
    (name, zone_account): (&str, &str),
    primary_lb: &ApplicationLoadBalancer,
    standby_lb: &ApplicationLoadBalancer,
) {
    let stack = Stack::new(
        app,
        name,
        StackProps {
            env: Environment::new(zone_account, settings.region.as_str()),
            description: Some(format!(
                "DNS failover of {}.{} between {primary} and its standby",
                dns.record, dns.zone_name
            )),
            termination_protection: settings.deletion_protection,
            cross_region_references: true,
            ..Default::default()
        },
    );
    Tags::of(&stack).add("Environment", primary);
    Tags::of(&stack).add("CostCode", settings.cost_code.as_str());
    let zone = HostedZone::from_attributes(&dns.zone_id, &dns.zone_name);
    let check = HealthCheck::new(
        &stack,
        "PrimaryHealth",
        HealthCheckProps::https(primary_lb.dns_name(), &dns.health_path),
    );
    AliasRecord::new(
        &stack,
        "Primary",
        AliasRecordProps {
            routing: Routing::Failover {
                role: FailoverRole::Primary,
                health_check: Some(check),
            },
            ..AliasRecordProps::new(&zone, &dns.record, AliasTarget::load_balancer(primary_lb))
        },
    );
    AliasRecord::new(
        &stack,
        "Standby",
        AliasRecordProps {
            routing: Routing::Failover {
                role: FailoverRole::Secondary,
                health_check: None,
            },
            ..AliasRecordProps::new(&zone, &dns.record, AliasTarget::load_balancer(standby_lb))
        },
    );
}
