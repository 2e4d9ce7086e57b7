//! A Route 53 public hosted zone.

use rcdk::{Expr, Scope};
use rcdk_l1::route53::{CfnHostedZone, CfnHostedZoneProps};

/// A hosted zone: its id and its domain name.
#[derive(Debug, Clone)]
pub struct HostedZone {
    id: Expr<String>,
    name: String,
}

impl HostedZone {
    /// Creates a public zone for `name` (then delegate to its name servers at the
    /// registrar).
    pub fn new(scope: &Scope, id: &str, name: &str) -> HostedZone {
        let zone = CfnHostedZone::new(
            scope,
            id,
            CfnHostedZoneProps {
                name: Some(name.into()),
                ..Default::default()
            },
        );
        if !super::valid_dns_name(name) {
            zone.add_error(format!("'{name}' is not a domain name"));
        }
        HostedZone {
            id: zone.ref_(),
            name: name.trim_end_matches('.').to_owned(),
        }
    }

    /// A zone that exists already, by its id (`Z…`) and domain name.
    pub fn from_attributes(zone_id: &str, name: &str) -> HostedZone {
        HostedZone {
            id: zone_id.into(),
            name: name.trim_end_matches('.').to_owned(),
        }
    }

    /// The public hosted zone of `domain_name` in the stack's account, looked up at
    /// synthesis and cached in `cdk.context.json` (the AWS CDK's `HostedZone.fromLookup`,
    /// its key and value): `rcdk` finds it with `ListHostedZonesByName`. Until then the
    /// zone id is `DUMMY`.
    pub fn from_lookup(scope: &Scope, domain_name: &str) -> HostedZone {
        let name = domain_name.trim_end_matches('.');
        let found = rcdk::lookup::context_value(
            scope,
            &format!("hosted zone {name}"),
            "hosted-zone",
            std::collections::BTreeMap::from([("domainName".to_owned(), serde_json::json!(name))]),
            serde_json::json!({"Id": "DUMMY", "Name": name}),
        );
        let id = found.get("Id").and_then(|v| v.as_str());
        let zone_name = found.get("Name").and_then(|v| v.as_str());
        match (id, zone_name) {
            (Some(id), Some(zone_name)) => {
                HostedZone::from_attributes(id.trim_start_matches("/hostedzone/"), zone_name)
            }
            _ => {
                scope.add_error(format!(
                    "cdk.context.json holds {found} for hosted zone {name}, not {{\"Id\", \"Name\"}}; forget it (rcdk context --reset) to look it up again"
                ));
                HostedZone::from_attributes("DUMMY", name)
            }
        }
    }

    /// The zone's id (`Z…`).
    pub fn zone_id(&self) -> Expr<String> {
        self.id.clone()
    }

    /// The domain name, without the final dot.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `sub.example.com` for `sub` (or the apex for `""`).
    pub fn fqdn(&self, record: &str) -> String {
        if record.is_empty() {
            self.name.clone()
        } else {
            format!("{record}.{}", self.name)
        }
    }
}
