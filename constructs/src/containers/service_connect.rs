//! ECS Service Connect: services call each other by name (`http://worker-api:8080`)
//! through a proxy ECS adds to each task. The proxy spreads requests over the server's
//! tasks, retries a request that failed on one task on another, and stops sending to a
//! task that keeps failing (outlier detection): its own behaviour, which ECS does not let
//! a template tune. Its timeouts are tunable, and set here. With TLS, traffic between the
//! proxies is encrypted with certificates AWS Private CA issues and rotates (a CA in
//! short-lived certificate mode, made with the namespace). App Mesh, which did this
//! before, is being retired.
//!
//! A client only resolves a server's name if its tasks started after the server joined:
//! deploy servers first (the reference app's worker tier deploys before its web tier).
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::containers::{
//!     Cluster, ClusterProps, ContainerImage, ContainerProps, FargateService,
//!     FargateServiceProps, FargateTaskDefinition, FargateTaskDefinitionProps, ServeProps,
//!     ServiceConnectNamespace, ServiceConnectNamespaceProps,
//! };
//! use rcdk_constructs::network::{Vpc, VpcProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "services", StackProps::default());
//! let vpc = Vpc::new(&stack, "Vpc", VpcProps::default());
//! let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
//! let mesh = ServiceConnectNamespace::new(&stack, "Internal", ServiceConnectNamespaceProps::new("prod.internal"));
//! let task = |id: &str| {
//!     let t = FargateTaskDefinition::new(&stack, id, FargateTaskDefinitionProps::default());
//!     t.add_container("app", ContainerProps { port_mappings: vec![8080], ..ContainerProps::new(ContainerImage::ecr("app", "1")) });
//!     t
//! };
//! let worker = FargateService::new(&stack, "Worker", FargateServiceProps::new(&cluster, &task("WorkerTask"), &vpc));
//! worker.service_connect(&mesh, Some(ServeProps::new("worker-api", 8080)));
//! let web = FargateService::new(&stack, "Web", FargateServiceProps::new(&cluster, &task("WebTask"), &vpc));
//! web.service_connect(&mesh, None);
//! ```

use std::ops::Deref;

use rcdk::{Expr, Scope, fns};
use rcdk_l1::acmpca::certificate::Validity;
use rcdk_l1::acmpca::certificate_authority::Subject;
use rcdk_l1::acmpca::{
    CfnCertificate, CfnCertificateAuthority, CfnCertificateAuthorityActivation,
    CfnCertificateAuthorityActivationProps, CfnCertificateAuthorityProps, CfnCertificateProps,
};
use rcdk_l1::ecs::service::{
    ServiceConnectClientAlias, ServiceConnectConfiguration, ServiceConnectService,
    ServiceConnectTlsCertificateAuthority, ServiceConnectTlsConfiguration, TimeoutConfiguration,
};
use rcdk_l1::ecs::{CfnService, CfnServiceProps, CfnTaskDefinitionProps};
use rcdk_l1::servicediscovery::{CfnHttpNamespace, CfnHttpNamespaceProps};

use super::TaskDefinition;
use crate::iam::{Principal, Role, RoleProps, aws_managed_policy};
use crate::units::Duration;

/// Settings of a [`ServiceConnectNamespace`].
#[derive(Debug, Clone)]
pub struct ServiceConnectNamespaceProps {
    /// The Cloud Map namespace's name (`prod.internal`), unique in the account and region.
    pub name: String,
    /// Encrypt traffic between the services' proxies with TLS, from a private CA made
    /// here (AWS Private CA, short-lived certificate mode: $50 a month, and each task's
    /// certificate). Default: false.
    pub tls: bool,
}

impl ServiceConnectNamespaceProps {
    /// A namespace named `name`, without TLS.
    pub fn new(name: &str) -> ServiceConnectNamespaceProps {
        ServiceConnectNamespaceProps {
            name: name.to_owned(),
            tls: false,
        }
    }
}

/// The private CA of a namespace with TLS, and the role ECS issues certificates with.
#[derive(Debug, Clone)]
struct PrivateCa {
    authority: CfnCertificateAuthority,
    activation: CfnCertificateAuthorityActivation,
    role: Role,
}

/// A Service Connect namespace (a Cloud Map HTTP namespace), with its CA under TLS.
#[derive(Debug, Clone)]
pub struct ServiceConnectNamespace {
    scope: Scope,
    namespace: CfnHttpNamespace,
    name: String,
    ca: Option<PrivateCa>,
}

impl Deref for ServiceConnectNamespace {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

impl ServiceConnectNamespace {
    /// Adds the namespace (and with TLS, its CA, root certificate and ECS's role).
    pub fn new(
        parent: &Scope,
        id: &str,
        props: ServiceConnectNamespaceProps,
    ) -> ServiceConnectNamespace {
        let scope = Scope::new(parent, id);
        let valid = !props.name.is_empty()
            && props.name.len() <= 1024
            && props
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
        if !valid {
            scope.add_error(format!(
                "namespace name '{}' is not letters, digits, '-', '_' and '.'",
                props.name
            ));
        }
        let namespace = CfnHttpNamespace::new(
            &scope,
            "Resource",
            CfnHttpNamespaceProps {
                description: Some(format!("Service Connect names of {}", scope.path()).into()),
                ..CfnHttpNamespaceProps::new(props.name.as_str())
            },
        );
        let ca = props.tls.then(|| private_ca(&scope, &props.name));
        ServiceConnectNamespace {
            scope,
            namespace,
            name: props.name,
            ca,
        }
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace's ARN (what services name).
    pub fn arn(&self) -> Expr<String> {
        self.namespace.attr_arn()
    }

    /// Whether traffic between the proxies is encrypted.
    pub fn tls(&self) -> bool {
        self.ca.is_some()
    }

    /// The private CA's ARN, under TLS.
    pub fn certificate_authority_arn(&self) -> Option<Expr<String>> {
        self.ca.as_ref().map(|c| c.authority.attr_arn())
    }
}

/// A root CA in short-lived certificate mode (the mode Service Connect's rotating
/// certificates need, at an eighth of a general-purpose CA's price), its self-signed
/// certificate, its activation, and the role ECS issues task certificates with.
fn private_ca(scope: &Scope, name: &str) -> PrivateCa {
    let signing = "SHA256WITHECDSA";
    let authority = CfnCertificateAuthority::new(
        scope,
        "CertificateAuthority",
        CfnCertificateAuthorityProps {
            usage_mode: Some("SHORT_LIVED_CERTIFICATE".into()),
            ..CfnCertificateAuthorityProps::new(
                "EC_prime256v1",
                signing,
                Subject {
                    common_name: Some(name.into()),
                    ..Default::default()
                },
                "ROOT",
            )
        },
    );
    let certificate = CfnCertificate::new(
        scope,
        "RootCertificate",
        CfnCertificateProps {
            template_arn: Some(fns::sub(
                "arn:${AWS::Partition}:acm-pca:::template/RootCACertificate/V1",
            )),
            ..CfnCertificateProps::new(
                authority.attr_arn(),
                authority.attr_certificate_signing_request(),
                signing,
                Validity::new("YEARS", 10.0),
            )
        },
    );
    let activation = CfnCertificateAuthorityActivation::new(
        scope,
        "Activation",
        CfnCertificateAuthorityActivationProps {
            status: Some("ACTIVE".into()),
            ..CfnCertificateAuthorityActivationProps::new(
                certificate.attr_certificate(),
                authority.attr_arn(),
            )
        },
    );
    let role = Role::new(
        scope,
        "TlsRole",
        RoleProps {
            description: Some(format!(
                "ECS issues Service Connect certificates of {name} from its private CA"
            )),
            managed_policies: vec![aws_managed_policy(
                "service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity",
            )],
            ..RoleProps::new(Principal::service("ecs.amazonaws.com"))
        },
    );
    PrivateCa {
        authority,
        activation,
        role,
    }
}

/// A service that clients reach by name.
#[derive(Debug, Clone)]
pub struct ServeProps {
    /// The name clients call (`worker-api`): `http://worker-api:PORT`.
    pub dns_name: String,
    /// The container port served (one of the default container's `port_mappings`), which
    /// clients also call.
    pub port: u16,
    /// A request unanswered this long fails (0 turns the limit off). Default: 15 s.
    pub per_request_timeout: Duration,
    /// A connection idle this long is closed. Default: 5 minutes.
    pub idle_timeout: Duration,
}

impl ServeProps {
    /// Clients call `http://dns_name:port`, the defaults above.
    pub fn new(dns_name: &str, port: u16) -> ServeProps {
        ServeProps {
            dns_name: dns_name.to_owned(),
            port,
            per_request_timeout: Duration::seconds(15),
            idle_timeout: Duration::minutes(5),
        }
    }
}

/// Joins `service` (running `task`) to `namespace`: as a client, and with `serve` as a
/// server too. Used by the Fargate and EC2 services' `service_connect`.
pub(super) fn join(
    scope: &Scope,
    service: &CfnService,
    task: &TaskDefinition,
    namespace: &ServiceConnectNamespace,
    serve: Option<ServeProps>,
) {
    let mut configuration = ServiceConnectConfiguration {
        namespace: Some(namespace.arn()),
        ..ServiceConnectConfiguration::new(true)
    };
    if let Some(serve) = serve {
        let Some((container, _)) = task.default_container() else {
            scope.add_error("service_connect: the task's default container has no port to serve");
            return;
        };
        let name_ok = !serve.dns_name.is_empty()
            && serve
                .dns_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if !name_ok {
            scope.add_error(format!(
                "service_connect: dns_name '{}' is not a DNS name (letters, digits, '-', '.')",
                serve.dns_name
            ));
        }
        let port_name = format!("{container}-{}", serve.port);
        if !name_port(task, &container, serve.port, &port_name) {
            scope.add_error(format!(
                "service_connect: container '{container}' has no port {}; add it to its port_mappings",
                serve.port
            ));
        }
        let seconds = |d: Duration| (d.as_millis() / 1000) as i64;
        let mut served = ServiceConnectService {
            discovery_name: Some(serve.dns_name.as_str().into()),
            client_aliases: Some(vec![ServiceConnectClientAlias {
                dns_name: Some(serve.dns_name.as_str().into()),
                ..ServiceConnectClientAlias::new(i64::from(serve.port))
            }]),
            timeout: Some(TimeoutConfiguration {
                per_request_timeout_seconds: Some(seconds(serve.per_request_timeout).into()),
                idle_timeout_seconds: Some(seconds(serve.idle_timeout).into()),
            }),
            ..ServiceConnectService::new(port_name.as_str())
        };
        if let Some(ca) = &namespace.ca {
            served.tls = Some(ServiceConnectTlsConfiguration {
                role_arn: Some(ca.role.arn()),
                ..ServiceConnectTlsConfiguration::new(ServiceConnectTlsCertificateAuthority {
                    aws_pca_authority_arn: Some(ca.authority.attr_arn()),
                })
            });
            // The CA issues nothing before it is active.
            service.add_depends_on(&ca.activation);
        }
        configuration.services = Some(vec![served]);
    }
    service.update_props(|p: &mut CfnServiceProps| {
        p.service_connect_configuration = Some(configuration);
    });
}

/// Names the mapping of `port` in `container` (Service Connect refers to ports by name)
/// and marks it HTTP; false when the container has no such port.
fn name_port(task: &TaskDefinition, container: &str, port: u16, name: &str) -> bool {
    let mut found = false;
    task.resource()
        .update_props(|p: &mut CfnTaskDefinitionProps| {
            for c in p.container_definitions.iter_mut().flatten() {
                if c.name.as_literal_str() != Some(container) {
                    continue;
                }
                for m in c.port_mappings.iter_mut().flatten() {
                    let number = m.container_port.as_ref().map(Expr::as_value);
                    if number == Some(&rcdk::Value::Int(i64::from(port))) {
                        m.name = Some(name.into());
                        m.app_protocol = Some("http".into());
                        found = true;
                    }
                }
            }
        });
    found
}
