//! The README's construct-library example, compiled so it cannot rot:
//! `rcdk synth --app "cargo run -q -p rcdk-apps --example l2"`.

use rcdk::{App, Environment, Stack, StackProps};
use rcdk_constructs::connections::{HasConnections, Peer, Port, SecurityGroup, SecurityGroupProps};
use rcdk_constructs::data::{PostgresInstance, PostgresInstanceProps};
use rcdk_constructs::network::{AvailabilityZones, NatStrategy, Vpc, VpcProps};

fn main() -> std::process::ExitCode {
    rcdk::run(|app: &App| {
        // The defaults meet every posture rule: enforcing them costs nothing here.
        rcdk_constructs::posture::enforce(app);
        let env = Environment::new("123456789012", "us-east-1");
        let props = || StackProps {
            env: env.clone(),
            ..Default::default()
        };
        let network = Stack::new(app, "demo-network", props());
        let vpc = Vpc::new(
            &network,
            "Vpc",
            VpcProps {
                cidr: "10.20.0.0/16".into(),
                availability_zones: AvailabilityZones::Count(2),
                nat: NatStrategy::Single,
                ..VpcProps::default()
            },
        );
        // Multi-AZ, encrypted with its own key, credentials in Secrets Manager, rotated.
        let data = Stack::new(app, "demo-data", props());
        let db = PostgresInstance::new(
            &data,
            "Database",
            PostgresInstanceProps {
                database_name: Some("app".into()),
                ..PostgresInstanceProps::new(&vpc)
            },
        );
        let service = Stack::new(app, "demo-service", props());
        let tasks = SecurityGroup::new(
            &service,
            "Tasks",
            SecurityGroupProps::new(vpc.vpc_id(), "Service tasks"),
        );
        // The rule lands in whichever of the two stacks adds no dependency cycle.
        db.connections()
            .allow_default_port_from(&tasks, "Postgres from the service");
        tasks.connections().allow_to_peer(
            &Peer::ipv4(vpc.cidr_block()),
            Port::tcp(443),
            "HTTPS inside the VPC",
        );
        Ok(())
    })
}
