//! The network family: a VPC with subnet groups over several AZs, internet access,
//! NAT, flow logs and VPC endpoints.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::network::{NatStrategy, Vpc, VpcProps, AvailabilityZones, SubnetKind};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "network", StackProps::default());
//! // Production defaults: 3 AZs, public / private-with-egress / isolated subnets,
//! // one NAT gateway per AZ, flow logs, an S3 gateway endpoint.
//! let vpc = Vpc::new(&stack, "Vpc", VpcProps::default());
//! // A cheaper development network:
//! let dev = Vpc::new(&stack, "DevVpc", VpcProps {
//!     cidr: "10.1.0.0/16".into(),
//!     availability_zones: AvailabilityZones::Count(2),
//!     nat: NatStrategy::Single,
//!     ..VpcProps::default()
//! });
//! assert_eq!(dev.subnet_ids(SubnetKind::Isolated).len(), 2);
//! # let _ = vpc;
//! ```

pub mod cidr;
mod endpoints;
mod flow_logs;
mod lookup;
mod vpc;

pub use endpoints::{GatewayEndpoint, InterfaceEndpoint, endpoints_only_group};
pub use flow_logs::FlowLogsProps;
pub use lookup::VpcLookup;
pub use vpc::{AvailabilityZones, NatStrategy, Subnet, SubnetGroup, SubnetKind, Vpc, VpcProps};
