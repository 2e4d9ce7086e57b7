//! Tracing a task's containers to AWS X-Ray through the AWS Distro for OpenTelemetry
//! collector as a sidecar. Chosen over the X-Ray daemon: applications instrument with
//! OpenTelemetry (vendor-neutral SDKs in every language, the direction AWS's own SDKs
//! took) and send OTLP to the collector, which exports to X-Ray; the daemon only takes
//! the X-Ray SDKs' UDP segments. The collector is not essential: if it stops, the
//! application keeps serving and only its traces stop.

use rcdk::Expr;
use rcdk_l1::ecs::CfnTaskDefinitionProps;
use rcdk_l1::ecs::task_definition::{ContainerDependency, KeyValuePair};

use super::container::{ContainerImage, ContainerProps};
use super::task_definition::TaskDefinition;
use crate::iam::PolicyStatement;

/// The collector image, pinned (public ECR, no credentials needed to pull).
pub const ADOT_COLLECTOR_IMAGE: &str =
    "public.ecr.aws/aws-observability/aws-otel-collector:v0.45.1";
/// The sidecar's container name (and its host name in bridge mode, through a link).
pub const COLLECTOR: &str = "otel-collector";

/// What the collector's X-Ray exporter and the SDKs' remote sampling call, as AWS's
/// `AWSXrayWriteOnlyAccess` grants them: none of them takes a resource.
pub const XRAY_WRITE_ACTIONS: [&str; 5] = [
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
];

impl TaskDefinition {
    /// Traces the task's containers (add them first) to X-Ray as `service_name`: adds
    /// the collector sidecar (its built-in X-Ray configuration, OTLP on 4317/4318), points
    /// each container's OpenTelemetry SDK at it (`OTEL_EXPORTER_OTLP_ENDPOINT`,
    /// `OTEL_SERVICE_NAME`, X-Ray propagation, sampling by the account's X-Ray sampling
    /// rules), starts them after it, and gives the task role the X-Ray write actions.
    pub fn enable_tracing(&self, service_name: &str) {
        let apps: Vec<String> = self
            .containers
            .borrow()
            .iter()
            .map(|c| c.name.clone())
            .collect();
        // The collector writes beside the first application container: one log group
        // per task either way (a task of a 25-service stack adds no resource).
        let shared_logs = self.containers.borrow().first().map(|c| c.logs.clone());
        if apps.is_empty() {
            self.scope
                .add_error("enable_tracing: add the application's containers first");
            return;
        }
        if apps.iter().any(|c| c == COLLECTOR) {
            self.scope.add_error("enable_tracing is called twice");
            return;
        }
        self.add_container_logging_to(
            COLLECTOR,
            ContainerProps {
                command: Some(vec!["--config=/etc/ecs/ecs-xray.yaml".to_owned()]),
                essential: false,
                // The collector needs no privilege; the image's own non-root user.
                user: Some("10001:10001".to_owned()),
                ..ContainerProps::new(ContainerImage::Registry(ADOT_COLLECTOR_IMAGE.to_owned()))
            },
            shared_logs,
        );
        // In bridge mode each container has its own network: the link names the collector.
        let bridge = self.dynamic_host_ports;
        let endpoint = if bridge {
            format!("http://{COLLECTOR}:4317")
        } else {
            "http://localhost:4317".to_owned()
        };
        let variables = [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
            ("OTEL_SERVICE_NAME", service_name.to_owned()),
            ("OTEL_PROPAGATORS", "xray,tracecontext,baggage".to_owned()),
            ("OTEL_TRACES_SAMPLER", "xray".to_owned()),
        ];
        self.definition
            .update_props(|p: &mut CfnTaskDefinitionProps| {
                for def in p.container_definitions.iter_mut().flatten() {
                    let is_app = def
                        .name
                        .as_literal_str()
                        .is_some_and(|n| apps.iter().any(|a| a == n));
                    if !is_app {
                        continue;
                    }
                    let env = def.environment.get_or_insert_with(Vec::new);
                    for (name, value) in &variables {
                        env.push(KeyValuePair {
                            name: Some((*name).into()),
                            value: Some(Expr::from(value.as_str())),
                        });
                    }
                    def.depends_on
                        .get_or_insert_with(Vec::new)
                        .push(ContainerDependency {
                            container_name: Some(COLLECTOR.into()),
                            condition: Some("START".into()),
                        });
                    if bridge {
                        def.links = Some(Expr::unchecked(rcdk::Value::list([COLLECTOR])));
                    }
                }
            });
        self.task_role().add_to_policy(
            PolicyStatement::allow()
                .sid("WriteTracesToXRay")
                .actions(XRAY_WRITE_ACTIONS)
                .resource("*"),
        );
    }
}
