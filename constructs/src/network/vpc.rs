use std::ops::Deref;

use rcdk::{Expr, Scope, fns};
use rcdk_l1::CfnTag;
use rcdk_l1::ec2::{
    CfnEip, CfnEipProps, CfnInternetGateway, CfnInternetGatewayProps, CfnNatGateway,
    CfnNatGatewayProps, CfnRoute, CfnRouteProps, CfnRouteTable, CfnRouteTableProps, CfnSubnet,
    CfnSubnetProps, CfnSubnetRouteTableAssociation, CfnSubnetRouteTableAssociationProps, CfnVpc,
    CfnVpcGatewayAttachment, CfnVpcGatewayAttachmentProps, CfnVpcProps,
};

use super::cidr::{self, Ipv4Cidr, Request};
use super::endpoints::{self, GatewayEndpoint, InterfaceEndpoint};
use super::flow_logs::{self, FlowLogsProps};

/// What a subnet can reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubnetKind {
    /// Routes to the internet gateway (load balancers, NAT gateways).
    Public,
    /// Outbound internet through NAT, no inbound (services).
    PrivateWithEgress,
    /// No route outside the VPC (databases).
    Isolated,
}

/// A set of subnets of one kind, one per AZ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetGroup {
    /// PascalCase name, used in construct paths (`PublicSubnet1`).
    pub name: String,
    /// Public, private with egress, or isolated.
    pub kind: SubnetKind,
    /// Prefix length of each subnet, /16 to /28.
    pub mask: u8,
}

impl SubnetGroup {
    /// A group `name` of `kind` subnets with prefix length `mask`, one per AZ.
    pub fn new(name: &str, kind: SubnetKind, mask: u8) -> SubnetGroup {
        SubnetGroup {
            name: name.to_owned(),
            kind,
            mask,
        }
    }
}

/// How private subnets reach the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatStrategy {
    /// No NAT: only public and isolated subnets are allowed.
    None,
    /// One NAT gateway in the first AZ, shared (cheaper; an AZ outage cuts egress).
    Single,
    /// One NAT gateway per AZ (production).
    PerAz,
}

/// Which AZs the VPC spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AvailabilityZones {
    /// The first N AZs of the stack's region (`Fn::GetAZs` + `Fn::Select`), which
    /// needs no lookup and keeps the template portable.
    Count(usize),
    /// These AZs, by name.
    Named(Vec<String>),
}

/// Settings of a [`Vpc`]. The default is a production network.
#[derive(Debug, Clone)]
pub struct VpcProps {
    /// Default: `10.0.0.0/16`.
    pub cidr: String,
    /// Default: three AZs.
    pub availability_zones: AvailabilityZones,
    /// Default: `Public` /24, `Private` (with egress) /20, `Isolated` /24.
    pub subnet_groups: Vec<SubnetGroup>,
    /// Default: one NAT gateway per AZ.
    pub nat: NatStrategy,
    /// Default: on, kept a year (365 days), encrypted with the stack's key.
    pub flow_logs: Option<FlowLogsProps>,
    /// Gateway endpoint for S3 in the private and isolated route tables. Default: true.
    pub s3_gateway_endpoint: bool,
    /// Gateway endpoint for DynamoDB in the private and isolated route tables (free, as
    /// S3's). Default: false.
    pub dynamodb_gateway_endpoint: bool,
    /// Interface endpoints in the private (else isolated) subnets. Default: none.
    pub interface_endpoints: Vec<InterfaceEndpoint>,
}

impl Default for VpcProps {
    fn default() -> Self {
        VpcProps {
            cidr: "10.0.0.0/16".into(),
            availability_zones: AvailabilityZones::Count(3),
            subnet_groups: vec![
                SubnetGroup::new("Public", SubnetKind::Public, 24),
                SubnetGroup::new("Private", SubnetKind::PrivateWithEgress, 20),
                SubnetGroup::new("Isolated", SubnetKind::Isolated, 24),
            ],
            nat: NatStrategy::PerAz,
            flow_logs: Some(FlowLogsProps::default()),
            s3_gateway_endpoint: true,
            dynamodb_gateway_endpoint: false,
            interface_endpoints: Vec::new(),
        }
    }
}

impl VpcProps {
    /// The common VPC, as the AWS CDK's `new Vpc(this, 'Vpc', { maxAzs })`: public and
    /// private (with egress) subnets in `azs` AZs, one NAT gateway per AZ, flow logs and
    /// the S3 gateway endpoint; no isolated subnets.
    /// `Vpc::new(&stack, "Vpc", VpcProps::public_and_private(2))`.
    pub fn public_and_private(azs: usize) -> VpcProps {
        VpcProps {
            availability_zones: AvailabilityZones::Count(azs),
            subnet_groups: vec![
                SubnetGroup::new("Public", SubnetKind::Public, 24),
                SubnetGroup::new("Private", SubnetKind::PrivateWithEgress, 20),
            ],
            ..VpcProps::default()
        }
    }
}

/// One subnet and its route table.
#[derive(Debug, Clone)]
pub struct Subnet {
    /// The subnet's id (a `Ref` to the subnet this VPC made, or a looked-up `subnet-…`).
    pub subnet_id: Expr<String>,
    /// Its route table's id.
    pub route_table_id: Expr<String>,
    /// Its AZ.
    pub availability_zone: Expr<String>,
    /// The subnet's CIDR block (allocated at synthesis, or looked up).
    pub cidr: String,
}

#[derive(Debug, Clone)]
pub(super) struct Group {
    pub(super) spec: SubnetGroup,
    pub(super) subnets: Vec<Subnet>,
}

/// A VPC with its subnets, routes, gateways, flow logs and endpoints; or one that exists
/// already, looked up at synthesis ([`Vpc::from_lookup`]).
#[derive(Debug, Clone)]
pub struct Vpc {
    pub(super) scope: Scope,
    pub(super) vpc_id: Expr<String>,
    /// The VPC resource, when this construct made it.
    pub(super) resource: Option<CfnVpc>,
    pub(super) cidr: String,
    pub(super) azs: Vec<Expr<String>>,
    pub(super) groups: Vec<Group>,
    pub(super) interface_endpoints: Vec<InterfaceEndpoint>,
    /// The gateway endpoints this construct made.
    pub(super) gateway_endpoints: Vec<GatewayEndpoint>,
    /// The interface endpoints' security group, when this construct made them.
    pub(super) endpoint_group: Option<Expr<String>>,
}

impl Deref for Vpc {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

fn name_tag(scope: &Scope) -> Option<Vec<CfnTag>> {
    Some(vec![CfnTag::new("Name", scope.path())])
}

impl Vpc {
    /// Adds the VPC, its subnets, routes, gateways, flow logs and endpoints below `parent`.
    pub fn new(parent: &Scope, id: &str, props: VpcProps) -> Vpc {
        let scope = Scope::new(parent, id);
        let vpc_cidr = match props.cidr.parse::<Ipv4Cidr>() {
            Ok(c) => c,
            Err(e) => {
                scope.add_error(format!("cidr: {e}"));
                Ipv4Cidr::FALLBACK
            }
        };
        let azs: Vec<Expr<String>> = match &props.availability_zones {
            AvailabilityZones::Count(n) => (0..*n)
                .map(|i| fns::select(i as i64, fns::get_azs()))
                .collect(),
            AvailabilityZones::Named(names) => names.iter().map(|n| n.as_str().into()).collect(),
        };
        validate(&scope, &props, azs.len());
        let vpc = CfnVpc::new(
            &scope,
            "Resource",
            CfnVpcProps {
                cidr_block: Some(vpc_cidr.to_string().into()),
                enable_dns_hostnames: Some(true.into()),
                enable_dns_support: Some(true.into()),
                tags: name_tag(&scope),
                ..Default::default()
            },
        );
        let has_public = props
            .subnet_groups
            .iter()
            .any(|g| g.kind == SubnetKind::Public);
        let internet = has_public.then(|| {
            let igw = CfnInternetGateway::new(
                &scope,
                "InternetGateway",
                CfnInternetGatewayProps {
                    tags: name_tag(&scope),
                },
            );
            let attachment = CfnVpcGatewayAttachment::new(
                &scope,
                "GatewayAttachment",
                CfnVpcGatewayAttachmentProps {
                    internet_gateway_id: Some(igw.ref_()),
                    ..CfnVpcGatewayAttachmentProps::new(vpc.ref_())
                },
            );
            (igw, attachment)
        });
        let requests: Vec<Request> = props
            .subnet_groups
            .iter()
            .map(|g| Request {
                name: g.name.clone(),
                mask: g.mask,
                count: azs.len(),
            })
            .collect();
        let blocks = cidr::allocate(vpc_cidr, &requests).unwrap_or_else(|e| {
            scope.add_error(e);
            Vec::new()
        });
        let mut groups: Vec<Group> = Vec::new();
        let mut nat_gateways: Vec<CfnNatGateway> = Vec::new();
        for (spec, cidrs) in props.subnet_groups.iter().zip(blocks) {
            let mut subnets = Vec::new();
            for (i, (az, block)) in azs.iter().zip(cidrs).enumerate() {
                let subnet_scope = Scope::new(&scope, &format!("{}Subnet{}", spec.name, i + 1));
                let subnet = CfnSubnet::new(
                    &subnet_scope,
                    "Resource",
                    CfnSubnetProps {
                        availability_zone: Some(az.clone()),
                        cidr_block: Some(block.to_string().into()),
                        map_public_ip_on_launch: Some(false.into()),
                        tags: name_tag(&subnet_scope),
                        ..CfnSubnetProps::new(vpc.ref_())
                    },
                );
                let route_table = CfnRouteTable::new(
                    &subnet_scope,
                    "RouteTable",
                    CfnRouteTableProps {
                        tags: name_tag(&subnet_scope),
                        ..CfnRouteTableProps::new(vpc.ref_())
                    },
                );
                CfnSubnetRouteTableAssociation::new(
                    &subnet_scope,
                    "RouteTableAssociation",
                    CfnSubnetRouteTableAssociationProps::new(route_table.ref_(), subnet.ref_()),
                );
                match (spec.kind, &internet) {
                    (SubnetKind::Public, Some((igw, attachment))) => {
                        let route = CfnRoute::new(
                            &subnet_scope,
                            "DefaultRoute",
                            CfnRouteProps {
                                destination_cidr_block: Some("0.0.0.0/0".into()),
                                gateway_id: Some(igw.ref_()),
                                ..CfnRouteProps::new(route_table.ref_())
                            },
                        );
                        route.add_depends_on(attachment);
                        let wants_nat = match props.nat {
                            NatStrategy::PerAz => true,
                            NatStrategy::Single => i == 0,
                            NatStrategy::None => false,
                        };
                        // NAT gateways go in the first public group only.
                        let first_public =
                            !groups.iter().any(|g| g.spec.kind == SubnetKind::Public);
                        if wants_nat && first_public {
                            let eip = CfnEip::new(
                                &subnet_scope,
                                "Eip",
                                CfnEipProps {
                                    domain: Some("vpc".into()),
                                    tags: name_tag(&subnet_scope),
                                    ..Default::default()
                                },
                            );
                            eip.add_depends_on(attachment);
                            let nat = CfnNatGateway::new(
                                &subnet_scope,
                                "NatGateway",
                                CfnNatGatewayProps {
                                    allocation_id: Some(eip.attr_allocation_id()),
                                    tags: name_tag(&subnet_scope),
                                    subnet_id: Some(subnet.ref_()),
                                    ..Default::default()
                                },
                            );
                            nat_gateways.push(nat);
                        }
                    }
                    (SubnetKind::PrivateWithEgress, _) => {
                        let nat = nat_gateways.get(i).or_else(|| nat_gateways.first());
                        if let Some(nat) = nat {
                            CfnRoute::new(
                                &subnet_scope,
                                "DefaultRoute",
                                CfnRouteProps {
                                    destination_cidr_block: Some("0.0.0.0/0".into()),
                                    nat_gateway_id: Some(nat.ref_()),
                                    ..CfnRouteProps::new(route_table.ref_())
                                },
                            );
                        }
                    }
                    _ => {}
                }
                subnets.push(Subnet {
                    subnet_id: subnet.ref_(),
                    route_table_id: route_table.ref_(),
                    availability_zone: az.clone(),
                    cidr: block.to_string(),
                });
            }
            groups.push(Group {
                spec: spec.clone(),
                subnets,
            });
        }
        let mut this = Vpc {
            scope,
            vpc_id: vpc.ref_(),
            resource: Some(vpc),
            cidr: vpc_cidr.to_string(),
            azs,
            groups,
            interface_endpoints: props.interface_endpoints.clone(),
            gateway_endpoints: Vec::new(),
            endpoint_group: None,
        };
        if let Some(flow) = &props.flow_logs {
            flow_logs::add(&this.scope, this.vpc_id(), flow);
        }
        let tables: Vec<Expr<String>> = this
            .groups
            .iter()
            .filter(|g| g.spec.kind != SubnetKind::Public)
            .flat_map(|g| g.subnets.iter().map(|s| s.route_table_id.clone()))
            .collect();
        for (wanted, endpoint) in [
            (props.s3_gateway_endpoint, GatewayEndpoint::S3),
            (props.dynamodb_gateway_endpoint, GatewayEndpoint::DynamoDb),
        ] {
            if wanted && !tables.is_empty() {
                endpoints::gateway(&this.scope, endpoint, this.vpc_id(), tables.clone());
                this.gateway_endpoints.push(endpoint);
            }
        }
        if !props.interface_endpoints.is_empty() {
            let subnets = this.endpoint_subnets();
            if subnets.is_empty() {
                this.scope.add_error("interface endpoints need private or isolated subnets; add a subnet group for them");
            } else {
                let group = endpoints::interface(
                    &this.scope,
                    this.vpc_id(),
                    &this.cidr,
                    subnets,
                    &props.interface_endpoints,
                );
                this.endpoint_group = Some(group.group_id());
            }
        }
        this
    }

    /// Subnets for interface endpoints: the first private-with-egress group, else the first isolated one.
    fn endpoint_subnets(&self) -> Vec<Expr<String>> {
        [SubnetKind::PrivateWithEgress, SubnetKind::Isolated]
            .into_iter()
            .find_map(|k| self.groups.iter().find(|g| g.spec.kind == k))
            .map(|g| g.subnets.iter().map(|s| s.subnet_id.clone()).collect())
            .unwrap_or_default()
    }

    /// The VPC's id.
    pub fn vpc_id(&self) -> Expr<String> {
        self.vpc_id.clone()
    }

    /// The VPC's CIDR block (known at synthesis, so no cross-stack export is needed).
    pub fn cidr_block(&self) -> Expr<String> {
        self.cidr.as_str().into()
    }

    /// The VPC's AZs.
    pub fn availability_zones(&self) -> Vec<Expr<String>> {
        self.azs.clone()
    }

    /// How many AZs the VPC spans.
    pub fn az_count(&self) -> usize {
        self.azs.len()
    }

    /// The subnets of every group of `kind`, group by group.
    pub fn subnets(&self, kind: SubnetKind) -> Vec<Subnet> {
        self.groups
            .iter()
            .filter(|g| g.spec.kind == kind)
            .flat_map(|g| g.subnets.clone())
            .collect()
    }

    /// The ids of the subnets of `kind`, one per AZ.
    pub fn subnet_ids(&self, kind: SubnetKind) -> Vec<Expr<String>> {
        self.subnets(kind)
            .into_iter()
            .map(|s| s.subnet_id)
            .collect()
    }

    /// The subnets of the group named `name`.
    pub fn group_subnets(&self, name: &str) -> Option<Vec<Subnet>> {
        self.groups
            .iter()
            .find(|g| g.spec.name == name)
            .map(|g| g.subnets.clone())
    }

    /// Whether the VPC has subnets of `kind`.
    pub fn has_subnets(&self, kind: SubnetKind) -> bool {
        self.groups
            .iter()
            .any(|g| g.spec.kind == kind && !g.subnets.is_empty())
    }

    /// Records an error on `scope` (whose `subnets` setting chose `kind`) when the VPC
    /// has no such subnets.
    pub fn require_subnets(&self, scope: &Scope, kind: SubnetKind) {
        if !self.has_subnets(kind) {
            scope.add_error(format!(
                "subnets: the VPC has no {kind:?} subnets; add such a subnet group or choose another kind"
            ));
        }
    }

    /// Whether the VPC has `endpoint`.
    pub fn has_interface_endpoint(&self, endpoint: InterfaceEndpoint) -> bool {
        self.interface_endpoints.contains(&endpoint)
    }

    /// The interface endpoints this construct made.
    pub fn interface_endpoints(&self) -> &[InterfaceEndpoint] {
        &self.interface_endpoints
    }

    /// The gateway endpoints this construct made (their routes are in the private and
    /// isolated route tables).
    pub fn gateway_endpoints(&self) -> &[GatewayEndpoint] {
        &self.gateway_endpoints
    }

    /// The id of the interface endpoints' security group (they admit HTTPS from inside
    /// the VPC), when the VPC has interface endpoints.
    pub fn endpoint_security_group_id(&self) -> Option<Expr<String>> {
        self.endpoint_group.clone()
    }

    /// The L1 VPC resource (`None` for a looked-up VPC, which no stack of the app makes).
    pub fn resource(&self) -> Option<&CfnVpc> {
        self.resource.as_ref()
    }
}

fn validate(scope: &Scope, props: &VpcProps, az_count: usize) {
    if az_count == 0 {
        scope.add_error("availability_zones: a VPC needs at least one AZ");
    }
    if let AvailabilityZones::Count(n) = props.availability_zones
        && n > 6
    {
        scope.add_error(format!(
            "availability_zones: Count({n}) is more AZs than any region has; use at most 6"
        ));
    }
    let mut names = std::collections::BTreeSet::new();
    for g in &props.subnet_groups {
        let valid = g
            .name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase())
            && g.name.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid {
            scope.add_error(format!(
                "subnet group name '{}' must be PascalCase letters and digits",
                g.name
            ));
        }
        if !names.insert(&g.name) {
            scope.add_error(format!("subnet group name '{}' is used twice", g.name));
        }
    }
    let kinds = |k: SubnetKind| props.subnet_groups.iter().any(|g| g.kind == k);
    if kinds(SubnetKind::PrivateWithEgress) && props.nat == NatStrategy::None {
        scope.add_error(
            "private-with-egress subnets need NAT: set nat to NatStrategy::Single or PerAz, or make the group SubnetKind::Isolated",
        );
    }
    if props.nat != NatStrategy::None && !kinds(SubnetKind::Public) {
        scope.add_error("NAT gateways live in public subnets: add a public subnet group or set nat to NatStrategy::None");
    }
}
