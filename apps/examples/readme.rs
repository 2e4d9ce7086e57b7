//! The README's 20-line example, compiled so it cannot rot.

use rcdk::{App, Environment, Stack, StackProps, Tags};
use rcdk_l1::ec2::{CfnSecurityGroup, CfnSecurityGroupProps, CfnVpc, CfnVpcProps};

fn main() -> std::process::ExitCode {
    rcdk::run(|app: &App| {
        let env = Environment::new("123456789012", "us-east-1");
        let network = Stack::new(
            app,
            "dev-network",
            StackProps {
                env: env.clone(),
                ..Default::default()
            },
        );
        let vpc = CfnVpc::new(
            &network,
            "Vpc",
            CfnVpcProps {
                cidr_block: Some("10.0.0.0/16".into()),
                ..Default::default()
            },
        );
        let service = Stack::new(
            app,
            "dev-service",
            StackProps {
                env,
                ..Default::default()
            },
        );
        // A reference into another stack becomes an Export + Fn::ImportValue and a stack dependency.
        CfnSecurityGroup::new(
            &service,
            "Sg",
            CfnSecurityGroupProps {
                vpc_id: Some(vpc.ref_()),
                ..CfnSecurityGroupProps::new("Service tasks")
            },
        );
        Tags::of(app).add("Project", "demo");
        Ok(())
    })
}
