//! A VPC that exists already (made by another team, Terraform or the console), looked up
//! at synthesis by the AWS CDK's `vpc-provider`: its id, CIDR block and subnet groups
//! are cached in `cdk.context.json` and the app places resources in it as in its own.
//!
//! ```
//! use rcdk::{App, Environment, Expr, Stack, StackProps};
//! use rcdk_constructs::network::{SubnetKind, Vpc, VpcLookup};
//! let key = "vpc-provider:account=123456789012:filter.tag:Name=shared:region=us-east-1:returnAsymmetricSubnets=true";
//! let cached = serde_json::json!({"vpcId": "vpc-0abc", "vpcCidrBlock": "10.9.0.0/16", "subnetGroups": [
//!     {"name": "Private", "type": "Private", "subnets": [
//!         {"subnetId": "subnet-a", "cidr": "10.9.0.0/20", "availabilityZone": "us-east-1a", "routeTableId": "rtb-a"},
//!         {"subnetId": "subnet-b", "cidr": "10.9.16.0/20", "availabilityZone": "us-east-1b", "routeTableId": "rtb-b"}]}]});
//! let app = App::with_context([(key.to_owned(), cached)].into(), "cdk.out");
//! let stack = Stack::new(&app, "web", StackProps {
//!     env: Environment::new("123456789012", "us-east-1"),
//!     ..Default::default()
//! });
//! let vpc = Vpc::from_lookup(&stack, "Shared", VpcLookup {
//!     vpc_name: Some("shared".into()),
//!     ..Default::default()
//! });
//! let ids: Vec<Expr<String>> = vec!["subnet-a".into(), "subnet-b".into()];
//! assert_eq!(vpc.subnet_ids(SubnetKind::PrivateWithEgress), ids);
//! assert_eq!(vpc.az_count(), 2);
//! assert!(!vpc.has_subnets(SubnetKind::Public));
//! ```

use std::collections::BTreeMap;

use rcdk::{Expr, Scope};
use serde_json::{Value as J, json};

use super::endpoints::InterfaceEndpoint;
use super::vpc::{Group, Subnet, SubnetGroup, SubnetKind, Vpc};

/// Which VPC [`Vpc::from_lookup`] finds: every field set must match, and exactly one VPC
/// of the stack's account and region may.
#[derive(Debug, Clone, Default)]
pub struct VpcLookup {
    /// The VPC's id (`vpc-…`).
    pub vpc_id: Option<String>,
    /// Its `Name` tag.
    pub vpc_name: Option<String>,
    /// Tags it carries, with these values.
    pub tags: BTreeMap<String, String>,
    /// The account's default VPC (`Some(true)`), or any but it (`Some(false)`).
    pub is_default: Option<bool>,
    /// The subnet tag whose value names a subnet's group; default `aws-cdk:subnet-name`
    /// (the AWS CDK's). Untagged subnets are grouped by kind: `Public`, `Private`, `Isolated`.
    pub subnet_group_name_tag: Option<String>,
    /// The interface endpoints the VPC has (a lookup cannot tell), so that constructs
    /// know their AWS traffic stays in the VPC.
    pub interface_endpoints: Vec<InterfaceEndpoint>,
}

impl VpcLookup {
    /// The AWS CDK's filter: EC2 `DescribeVpcs` filter names and values.
    fn filter(&self) -> BTreeMap<String, J> {
        let mut filter: BTreeMap<String, J> = self
            .tags
            .iter()
            .map(|(k, v)| (format!("tag:{k}"), json!(v)))
            .collect();
        if let Some(id) = &self.vpc_id {
            filter.insert("vpc-id".into(), json!(id));
        }
        if let Some(name) = &self.vpc_name {
            filter.insert("tag:Name".into(), json!(name));
        }
        if let Some(default) = self.is_default {
            filter.insert("isDefault".into(), json!(default.to_string()));
        }
        filter
    }
}

/// What synthesis uses until the lookup is answered (the AWS CDK's dummy VPC, in shape).
fn dummy() -> J {
    let group = |name: &str, prefix: &str| {
        json!({"name": name, "type": name, "subnets": [
            {"subnetId": format!("{prefix}-12345"), "cidr": "1.2.3.0/24", "availabilityZone": "dummy1a", "routeTableId": format!("rtb-{prefix}-12345")},
            {"subnetId": format!("{prefix}-67890"), "cidr": "1.2.4.0/24", "availabilityZone": "dummy1b", "routeTableId": format!("rtb-{prefix}-67890")},
        ]})
    };
    json!({
        "vpcId": "vpc-12345",
        "vpcCidrBlock": "1.2.3.4/5",
        "availabilityZones": [],
        "subnetGroups": [group("Public", "s"), group("Private", "p"), group("Isolated", "i")],
    })
}

/// A subnet group of a cached answer, as a [`Group`]; `None` when it is not one.
fn group(value: &J) -> Option<Group> {
    let kind = match value.get("type")?.as_str()? {
        "Public" => SubnetKind::Public,
        "Private" => SubnetKind::PrivateWithEgress,
        "Isolated" => SubnetKind::Isolated,
        _ => return None,
    };
    let subnets = value
        .get("subnets")?
        .as_array()?
        .iter()
        .map(|s| {
            let text = |k: &str| s.get(k).and_then(J::as_str);
            Some(Subnet {
                subnet_id: text("subnetId")?.into(),
                route_table_id: text("routeTableId")?.into(),
                availability_zone: text("availabilityZone")?.into(),
                cidr: text("cidr").unwrap_or_default().to_owned(),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let mask = subnets
        .first()
        .and_then(|s| s.cidr.split_once('/'))
        .and_then(|(_, m)| m.parse().ok())
        .unwrap_or(0);
    Some(Group {
        spec: SubnetGroup::new(value.get("name")?.as_str()?, kind, mask),
        subnets,
    })
}

impl Vpc {
    /// The VPC of the stack's account and region that `lookup` names, read at synthesis
    /// (the AWS CDK's `Vpc.fromLookup`): `rcdk synth` asks EC2 once and caches the
    /// answer in `cdk.context.json` (`rcdk context` lists it, `--reset` forgets it).
    /// Subnets are grouped by their group-name tag, else by kind: public (a route to an
    /// internet gateway or public IPs on launch), private with egress (another default
    /// route: NAT, a firewall, a transit gateway) or isolated (no default route).
    /// Nothing is added to the template; constructs place resources in its subnets.
    pub fn from_lookup(parent: &Scope, id: &str, lookup: VpcLookup) -> Vpc {
        let scope = Scope::new(parent, id);
        let filter = lookup.filter();
        if filter.is_empty() {
            scope.add_error(
                "VpcLookup: name the VPC by vpc_id, vpc_name, tags or is_default; an empty lookup would match every VPC of the account",
            );
        }
        let mut props = BTreeMap::from([
            ("filter".to_owned(), json!(filter)),
            ("returnAsymmetricSubnets".to_owned(), json!(true)),
        ]);
        if let Some(tag) = &lookup.subnet_group_name_tag {
            props.insert("subnetGroupNameTag".into(), json!(tag));
        }
        let what = format!("VPC {}", json!(filter));
        let found = rcdk::lookup::context_value(&scope, &what, "vpc-provider", props, dummy());
        let groups = found
            .get("subnetGroups")
            .and_then(J::as_array)
            .map(|gs| gs.iter().map(group).collect::<Option<Vec<_>>>());
        let (vpc_id, cidr, groups) = match (
            found.get("vpcId").and_then(J::as_str),
            found.get("vpcCidrBlock").and_then(J::as_str),
            groups,
        ) {
            (Some(id), Some(cidr), Some(Some(groups))) => (id.to_owned(), cidr.to_owned(), groups),
            _ => {
                scope.add_error(format!(
                    "cdk.context.json holds {found} for {what}, not a VPC with subnetGroups (the AWS CDK's returnAsymmetricSubnets answer); forget it (rcdk context --reset) to look it up again"
                ));
                ("vpc-12345".to_owned(), "1.2.3.4/5".to_owned(), Vec::new())
            }
        };
        // The AZs of the subnets, in order (the answer's own list is empty when
        // subnet groups are returned).
        let azs: std::collections::BTreeSet<String> = groups
            .iter()
            .flat_map(|g| &g.subnets)
            .filter_map(|s| s.availability_zone.as_literal_str().map(str::to_owned))
            .collect();
        Vpc {
            scope,
            vpc_id: vpc_id.as_str().into(),
            resource: None,
            cidr,
            azs: azs.into_iter().map(Expr::from).collect(),
            groups,
            interface_endpoints: lookup.interface_endpoints,
            // What a lookup cannot see, this construct did not make.
            gateway_endpoints: Vec::new(),
            endpoint_group: None,
        }
    }
}
