//! ECS Service Connect: the namespace, its private CA under TLS, a server's named port,
//! timeouts and TLS, a client's join, the errors, and the reference app's web tier
//! calling the workers' internal API by name.

use rcdk::App;
use rcdk_constructs::containers::{
    Cluster, ClusterProps, ContainerImage, ContainerProps, FargateService, FargateServiceProps,
    FargateTaskDefinition, FargateTaskDefinitionProps, ServeProps, ServiceConnectNamespace,
    ServiceConnectNamespaceProps,
};
use rcdk_constructs::units::Duration;
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::l2_fixtures::dev_vpc;
use crate::support::{
    assert_cfn_lint_clean, reference_assembly, resource, synth, synth_err, template,
};

/// A worker serving `port_served` as `worker-api:8080`, and a web client, in one stack.
fn services(tls: bool, port_served: u16, dns_name: &str) -> App {
    let app = app();
    let s = stack(&app, "services");
    let vpc = dev_vpc(&s);
    let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
    let mesh = ServiceConnectNamespace::new(
        &s,
        "Internal",
        ServiceConnectNamespaceProps {
            tls,
            ..ServiceConnectNamespaceProps::new("prod.internal")
        },
    );
    let task = |id: &str| {
        let t = FargateTaskDefinition::new(&s, id, FargateTaskDefinitionProps::default());
        t.add_container(
            "app",
            ContainerProps {
                port_mappings: vec![8080],
                ..ContainerProps::new(ContainerImage::ecr("app", "1"))
            },
        );
        t
    };
    let worker = FargateService::new(
        &s,
        "Worker",
        FargateServiceProps::new(&cluster, &task("WorkerTask"), &vpc),
    );
    worker.service_connect(
        &mesh,
        Some(ServeProps {
            per_request_timeout: Duration::seconds(5),
            ..ServeProps {
                port: port_served,
                ..ServeProps::new(dns_name, 8080)
            }
        }),
    );
    let web = FargateService::new(
        &s,
        "Web",
        FargateServiceProps::new(&cluster, &task("WebTask"), &vpc),
    );
    web.service_connect(&mesh, None);
    app
}

#[test]
fn a_server_is_named_timed_and_encrypted_and_a_client_joins() {
    let assembly = synth(&services(true, 8080, "worker-api"));
    let ns = &resource(&assembly, "services", "Internal")["Properties"];
    assert_eq!(ns["Name"], "prod.internal");
    // Service Connect names ports: the served mapping carries its name and protocol.
    let worker_task = &resource(&assembly, "services", "WorkerTask")["Properties"];
    assert_eq!(
        worker_task["ContainerDefinitions"][0]["PortMappings"],
        json!([{"AppProtocol": "http", "ContainerPort": 8080, "Name": "app-8080", "Protocol": "tcp"}])
    );
    let web_task = &resource(&assembly, "services", "WebTask")["Properties"];
    assert_eq!(
        web_task["ContainerDefinitions"][0]["PortMappings"],
        json!([{"ContainerPort": 8080, "Protocol": "tcp"}]),
        "a client's ports are its own business"
    );
    let worker = resource(&assembly, "services", "WorkerService");
    assert_eq!(
        worker["Properties"]["ServiceConnectConfiguration"],
        json!({
            "Enabled": true,
            "Namespace": {"Fn::GetAtt": ["Internal", "Arn"]},
            "Services": [{
                "PortName": "app-8080",
                "DiscoveryName": "worker-api",
                "ClientAliases": [{"DnsName": "worker-api", "Port": 8080}],
                "Timeout": {"IdleTimeoutSeconds": 300, "PerRequestTimeoutSeconds": 5},
                "Tls": {
                    "IssuerCertificateAuthority": {
                        "AwsPcaAuthorityArn": {"Fn::GetAtt": ["InternalCertificateAuthority", "Arn"]}
                    },
                    "RoleArn": {"Fn::GetAtt": ["InternalTlsRole", "Arn"]}
                }
            }]
        })
    );
    // The CA issues nothing before it is activated.
    assert_eq!(worker["DependsOn"], json!(["InternalActivation"]));
    assert_eq!(
        resource(&assembly, "services", "WebService")["Properties"]["ServiceConnectConfiguration"],
        json!({"Enabled": true, "Namespace": {"Fn::GetAtt": ["Internal", "Arn"]}})
    );
    // A root CA in short-lived certificate mode, self-signed for ten years and activated.
    let ca = &resource(&assembly, "services", "InternalCertificateAuthority")["Properties"];
    assert_eq!(ca["Type"], "ROOT");
    assert_eq!(ca["UsageMode"], "SHORT_LIVED_CERTIFICATE");
    assert_eq!(ca["Subject"], json!({"CommonName": "prod.internal"}));
    let root = &resource(&assembly, "services", "InternalRootCertificate")["Properties"];
    assert_eq!(
        root["CertificateSigningRequest"],
        json!({"Fn::GetAtt": ["InternalCertificateAuthority", "CertificateSigningRequest"]})
    );
    assert_eq!(root["Validity"], json!({"Type": "YEARS", "Value": 10.0}));
    let activation = &resource(&assembly, "services", "InternalActivation")["Properties"];
    assert_eq!(activation["Status"], "ACTIVE");
    assert_eq!(
        activation["Certificate"],
        json!({"Fn::GetAtt": ["InternalRootCertificate", "Certificate"]})
    );
    let role = &resource(&assembly, "services", "InternalTlsRole")["Properties"];
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({"Service": "ecs.amazonaws.com"})
    );
    assert!(role["ManagedPolicyArns"].to_string().contains(
        "service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity"
    ));

    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("services.template.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(template(&assembly, "services")).expect("json"),
    )
    .expect("write");
    assert_cfn_lint_clean(&[path]);
}

#[test]
fn without_tls_there_is_no_ca_to_pay_for() {
    let assembly = synth(&services(false, 8080, "worker-api"));
    let t = template(&assembly, "services").to_string();
    assert!(!t.contains("AWS::ACMPCA"), "no CA without TLS");
    let worker = &resource(&assembly, "services", "WorkerService")["Properties"];
    assert!(
        worker["ServiceConnectConfiguration"]["Services"][0]
            .get("Tls")
            .is_none()
    );
}

#[test]
fn a_port_the_container_lacks_or_a_bad_name_is_refused() {
    let err = synth_err(&services(false, 9090, "worker-api"));
    assert!(
        err.to_string().contains(
            "service_connect: container 'app' has no port 9090; add it to its port_mappings"
        ),
        "{err}"
    );
    let err = synth_err(&services(false, 8080, "worker api"));
    assert!(
        err.to_string()
            .contains("dns_name 'worker api' is not a DNS name"),
        "{err}"
    );
}

#[test]
fn the_reference_web_tier_calls_the_workers_api_by_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let assembly = reference_assembly(tmp.path());
    for (env, tls) in [("staging", false), ("prod", true), ("prod-dr", true)] {
        let workers = format!("{env}-workers");
        let served = &resource(&assembly, &workers, "WorkerServiceService")["Properties"]["ServiceConnectConfiguration"]
            ["Services"][0];
        let alias = &served["ClientAliases"][0];
        // What the web tier is told is what the worker serves.
        let web_task = &resource(&assembly, &format!("{env}-app"), "WebTask")["Properties"];
        let url = web_task["ContainerDefinitions"][0]["Environment"]
            .as_array()
            .and_then(|e| e.iter().find(|v| v["Name"] == "WORKER_API_URL"))
            .map(|v| v["Value"].clone())
            .expect("WORKER_API_URL");
        assert_eq!(
            url,
            json!(format!(
                "http://{}:{}",
                alias["DnsName"].as_str().expect("name"),
                alias["Port"]
            )),
            "{env}"
        );
        assert_eq!(served.get("Tls").is_some(), tls, "{env}: TLS");
        // The workers' group admits the web tasks on that port.
        let app_template = template(&assembly, &format!("{env}-app")).to_string();
        assert!(
            app_template.contains("WebServiceSecurityGroupToWorkersSecurityGroupTcp8080")
                && app_template.contains("WorkersSecurityGroupFromWebServiceSecurityGroupTcp8080"),
            "{env}"
        );
    }
    // dev has no internal API: no namespace, no port.
    assert!(
        !template(&assembly, "dev-workers")
            .to_string()
            .contains("ServiceDiscovery")
    );
}
