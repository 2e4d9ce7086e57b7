//! Container definitions: image, ports, environment, secrets, health check, logs.

use std::collections::BTreeMap;

use rcdk::{Expr, fns};

use crate::kms::Key;
use crate::secrets::SecretRef;
use crate::units::Duration;

/// Where a container image comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ContainerImage {
    /// A public image, e.g. `public.ecr.aws/nginx/nginx:1.27`.
    Registry(String),
    /// An image in an ECR repository of this account and region, by name; the execution
    /// role may pull from exactly that repository.
    Ecr {
        /// The repository's name.
        repository: String,
        /// The image tag.
        tag: String,
    },
    /// An image of a [`crate::ecr::Repository`] (`repository.image(tag)`), in this stack or
    /// another; the execution role may pull from exactly that repository.
    Repository {
        /// The repository's URI (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`).
        uri: Expr<String>,
        /// The repository's ARN, for the pull permission.
        arn: Expr<String>,
        /// The image tag.
        tag: String,
    },
}

impl ContainerImage {
    /// An image of the ECR repository `repository` in the stack's account and region.
    pub fn ecr(repository: &str, tag: &str) -> ContainerImage {
        ContainerImage::Ecr {
            repository: repository.to_owned(),
            tag: tag.to_owned(),
        }
    }

    pub(super) fn uri(&self) -> Expr<String> {
        match self {
            ContainerImage::Registry(uri) => uri.as_str().into(),
            ContainerImage::Ecr { repository, tag } => fns::sub(format!(
                "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{repository}:{tag}"
            )),
            ContainerImage::Repository { uri, tag, .. } => {
                fns::join("", [uri.clone(), format!(":{tag}").into()])
            }
        }
    }

    pub(super) fn repository_arn(&self) -> Option<Expr<String>> {
        match self {
            ContainerImage::Registry(_) => None,
            ContainerImage::Ecr { repository, .. } => Some(fns::sub(format!(
                "arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{repository}"
            ))),
            ContainerImage::Repository { arn, .. } => Some(arn.clone()),
        }
    }
}

/// A secret injected as an environment variable: the whole value, or one JSON key.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretValue {
    /// The secret.
    pub secret: SecretRef,
    /// The key of a JSON secret to pass; `None` passes the whole secret.
    pub json_key: Option<String>,
}

impl SecretValue {
    /// One key of a JSON secret (`{"password": …}`).
    pub fn json_key(secret: SecretRef, key: &str) -> SecretValue {
        SecretValue {
            secret,
            json_key: Some(key.to_owned()),
        }
    }

    /// The whole secret value.
    pub fn whole(secret: SecretRef) -> SecretValue {
        SecretValue {
            secret,
            json_key: None,
        }
    }

    /// The `ValueFrom` ECS takes: `ARN:KEY::` for one key.
    pub(super) fn value_from(&self) -> Expr<String> {
        match &self.json_key {
            Some(k) => fns::join("", [self.secret.arn.clone(), format!(":{k}::").into()]),
            None => self.secret.arn.clone(),
        }
    }
}

/// A command the container runs to report its health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerHealthCheck {
    /// e.g. `["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]`.
    pub command: Vec<String>,
    /// 5 s to 5 min, whole seconds. Default: 30 s.
    pub interval: Duration,
    /// 2 s to 1 min, whole seconds. Default: 5 s.
    pub timeout: Duration,
    /// 1 to 10. Default: 3.
    pub retries: u32,
    /// 0 to 5 min, whole seconds. Default: 10 s.
    pub start_period: Duration,
}

impl ContainerHealthCheck {
    /// `command` run by the shell (`CMD-SHELL`), with the other settings at their defaults.
    pub fn shell(command: &str) -> ContainerHealthCheck {
        ContainerHealthCheck {
            command: vec!["CMD-SHELL".into(), command.to_owned()],
            interval: Duration::seconds(30),
            timeout: Duration::seconds(5),
            retries: 3,
            start_period: Duration::seconds(10),
        }
    }
}

/// Settings of one container.
#[derive(Debug, Clone)]
pub struct ContainerProps {
    /// The image the container runs.
    pub image: ContainerImage,
    /// Container ports (TCP). The first is the one load balancers target.
    pub port_mappings: Vec<u16>,
    /// Plain values; use expressions for values known at deploy (an endpoint).
    pub environment: BTreeMap<String, Expr<String>>,
    /// Environment variable → secret.
    pub secrets: BTreeMap<String, SecretValue>,
    /// A command the container runs to report its health. Default: none (the load
    /// balancer's health check decides).
    pub health_check: Option<ContainerHealthCheck>,
    /// Overrides the image's `CMD`. Default: the image's.
    pub command: Option<Vec<String>>,
    /// Days the container logs are kept. Default: 365 (a year, as CIS and the AWS
    /// Control Tower rules ask).
    pub log_retention_days: u32,
    /// Encrypts the container's log group. Default: the stack's shared key
    /// ([`crate::kms::Key::of_stack`]).
    pub log_encryption_key: Option<Key>,
    /// Default: true (mount a volume for what the app must write).
    pub readonly_root_filesystem: bool,
    /// Run as this user (`uid`, `uid:gid`); `None` keeps the image's user.
    pub user: Option<String>,
    /// The task stops when this container stops. Default: true; a sidecar whose loss
    /// must not stop the application (a trace collector) is not essential.
    pub essential: bool,
}

impl ContainerProps {
    /// A container of `image` with the defaults: no ports, read-only root file system, logs
    /// kept a year under the stack's key.
    pub fn new(image: ContainerImage) -> ContainerProps {
        ContainerProps {
            image,
            port_mappings: Vec::new(),
            environment: BTreeMap::new(),
            secrets: BTreeMap::new(),
            health_check: None,
            command: None,
            log_retention_days: 365,
            log_encryption_key: None,
            readonly_root_filesystem: true,
            user: None,
            essential: true,
        }
    }
}
