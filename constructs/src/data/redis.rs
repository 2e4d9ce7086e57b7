//! Redis OSS or Valkey on ElastiCache (a replication group, cluster mode off) with the
//! production defaults: private subnets, a closed security group, encryption at rest with
//! a customer-managed key and in transit, an AUTH token generated into Secrets Manager
//! (never in a template), Multi-AZ with automatic failover whenever there is a replica,
//! snapshots, a maintenance window, and the slow log delivered to an encrypted log group.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::data::{CacheEngine, RedisCluster, RedisClusterProps};
//! use rcdk_constructs::network::{Vpc, VpcProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "data", StackProps::default());
//! let vpc = Vpc::new(&stack, "Vpc", VpcProps::default());
//! let cache = RedisCluster::new(&stack, "Cache", RedisClusterProps {
//!     replicas: 1,
//!     engine: CacheEngine::Valkey("8.1".into()),
//!     ..RedisClusterProps::new(&vpc)
//! });
//! # let _ = (cache.endpoint_address(), cache.metric_cpu());
//! ```

use rcdk::{Expr, RemovalPolicy, Scope, expr, fns};
use rcdk_l1::elasticache::replication_group::{
    CloudWatchLogsDestinationDetails, DestinationDetails, LogDeliveryConfigurationRequest,
};
use rcdk_l1::elasticache::{
    CfnReplicationGroup, CfnReplicationGroupProps, CfnSubnetGroup, CfnSubnetGroupProps,
};
use rcdk_l1::secretsmanager::secret::GenerateSecretString;
use rcdk_l1::secretsmanager::{CfnSecret, CfnSecretProps};

use super::cache_catalog::{REDIS_VERSIONS, VALKEY_VERSIONS};
use crate::connections::{Connections, HasConnections, Port, SecurityGroup, SecurityGroupProps};
use crate::kms::{Key, KeyProps};
use crate::logs::{LogGroup, LogGroupProps};
use crate::metrics::{Metric, Statistic};
use crate::network::{SubnetKind, Vpc};
use crate::secrets::SecretRef;

/// The engine and its version (one of the generated catalog's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheEngine {
    /// Redis OSS of this version (from [`REDIS_VERSIONS`](super::REDIS_VERSIONS)).
    Redis(String),
    /// Valkey of this version (from [`VALKEY_VERSIONS`](super::VALKEY_VERSIONS)).
    Valkey(String),
}

impl CacheEngine {
    fn parts(&self) -> (&'static str, &str, &'static [&'static str]) {
        match self {
            CacheEngine::Redis(v) => ("redis", v, REDIS_VERSIONS),
            CacheEngine::Valkey(v) => ("valkey", v, VALKEY_VERSIONS),
        }
    }
}

/// Settings of a [`RedisCluster`].
#[derive(Debug, Clone)]
pub struct RedisClusterProps {
    /// The VPC the cache's subnet group uses.
    pub vpc: Vpc,
    /// Default: private subnets (with egress), else isolated ones.
    pub subnets: SubnetKind,
    /// Default: Redis OSS 7.1.
    pub engine: CacheEngine,
    /// Default: `cache.t4g.micro`.
    pub node_type: String,
    /// Read replicas besides the primary; with one or more, the group is Multi-AZ and fails
    /// over automatically. Default: 1 (a lost node or AZ fails over instead of losing
    /// the cache); 0 for a single node where that is acceptable (development).
    pub replicas: u32,
    /// Default: a new customer-managed key (also for the token and the slow log).
    pub encryption_key: Option<Key>,
    /// Daily snapshots kept. Default: 7.
    pub snapshot_retention_days: u32,
    /// UTC. Default: `sun:05:00-sun:06:00`.
    pub maintenance_window: String,
    /// UTC, outside the maintenance window. Default: `03:00-04:00`.
    pub snapshot_window: String,
    /// Days the slow log is kept. Default: 365.
    pub slow_log_retention_days: u32,
    /// Default: `Snapshot`: a final snapshot on deletion.
    pub removal_policy: RemovalPolicy,
}

impl RedisClusterProps {
    /// A cache in `vpc` with the production defaults.
    pub fn new(vpc: &Vpc) -> RedisClusterProps {
        RedisClusterProps {
            vpc: vpc.clone(),
            subnets: if vpc.has_subnets(SubnetKind::PrivateWithEgress) {
                SubnetKind::PrivateWithEgress
            } else {
                SubnetKind::Isolated
            },
            engine: CacheEngine::Redis("7.1".into()),
            node_type: "cache.t4g.micro".into(),
            replicas: 1,
            encryption_key: None,
            snapshot_retention_days: 7,
            maintenance_window: "sun:05:00-sun:06:00".into(),
            snapshot_window: "03:00-04:00".into(),
            slow_log_retention_days: 365,
            removal_policy: RemovalPolicy::Snapshot,
        }
    }
}

const PORT: u16 = 6379;

/// A Redis OSS or Valkey replication group.
#[derive(Debug, Clone)]
pub struct RedisCluster {
    group: CfnReplicationGroup,
    security_group: SecurityGroup,
    token: SecretRef,
}

impl RedisCluster {
    /// Adds the replication group, its key, AUTH token, slow log and security group below `parent`.
    pub fn new(parent: &Scope, id: &str, props: RedisClusterProps) -> RedisCluster {
        let scope = Scope::new(parent, id);
        let (engine, version, catalog) = props.engine.parts();
        if !catalog.contains(&version) {
            scope.add_error(format!(
                "engine: {engine} {version} is not offered by ElastiCache; choose one of {}",
                catalog.join(", ")
            ));
        }
        props.vpc.require_subnets(&scope, props.subnets);
        if props.replicas > 5 {
            scope.add_error(format!(
                "replicas is {}; a replication group has at most 5 read replicas",
                props.replicas
            ));
        }
        if props.replicas > 0 && props.vpc.az_count() < 2 {
            scope.add_error(format!(
                "replicas is {} (Multi-AZ with failover), and the VPC has 1 AZ; add an AZ or set replicas to 0",
                props.replicas
            ));
        }
        if props.snapshot_retention_days > 35 {
            scope.add_error(format!(
                "snapshot_retention_days is {}; ElastiCache keeps 0 to 35",
                props.snapshot_retention_days
            ));
        }
        let key = props.encryption_key.clone().unwrap_or_else(|| {
            Key::new(
                &scope,
                "EncryptionKey",
                KeyProps {
                    description: Some(format!("Encrypts {}: data, token, slow log", scope.path())),
                    ..KeyProps::default()
                },
            )
        });
        let subnet_group = CfnSubnetGroup::new(
            &scope,
            "SubnetGroup",
            CfnSubnetGroupProps::new(
                format!("Subnets of {}", scope.path()),
                Expr::unchecked(rcdk::Value::list(props.vpc.subnet_ids(props.subnets))),
            ),
        );
        let security_group = SecurityGroup::new(
            &scope,
            "SecurityGroup",
            SecurityGroupProps::new(props.vpc.vpc_id(), &format!("Cache {}", scope.path())),
        );
        // ElastiCache takes 16 to 128 printable characters but not all punctuation.
        let secret = CfnSecret::new(
            &scope,
            "AuthToken",
            CfnSecretProps {
                description: Some(format!("AUTH token of {}", scope.path()).into()),
                kms_key_id: Some(key.arn()),
                generate_secret_string: Some(GenerateSecretString {
                    password_length: Some(64.into()),
                    exclude_punctuation: Some(true.into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
        );
        let slow_log = LogGroup::new(
            &scope,
            "SlowLog",
            LogGroupProps {
                retention_days: props.slow_log_retention_days,
                encryption_key: Some(key.clone()),
                ..LogGroupProps::default()
            },
        );
        let nodes = 1 + props.replicas;
        let multi_az = props.replicas > 0;
        let group = CfnReplicationGroup::new(
            &scope,
            "Resource",
            CfnReplicationGroupProps {
                engine: Some(engine.into()),
                engine_version: Some(version.to_owned().into()),
                cache_node_type: Some(props.node_type.clone().into()),
                num_cache_clusters: Some(i64::from(nodes).into()),
                automatic_failover_enabled: Some(multi_az.into()),
                multi_az_enabled: Some(multi_az.into()),
                cache_subnet_group_name: Some(subnet_group.ref_()),
                security_group_ids: Some(vec![security_group.group_id()].into()),
                port: Some(i64::from(PORT).into()),
                at_rest_encryption_enabled: Some(true.into()),
                kms_key_id: Some(key.arn()),
                transit_encryption_enabled: Some(true.into()),
                auth_token: Some(expr::secrets_manager(secret.ref_()).into()),
                auto_minor_version_upgrade: Some(true.into()),
                snapshot_retention_limit: Some(i64::from(props.snapshot_retention_days).into()),
                snapshot_window: Some(props.snapshot_window.clone().into()),
                preferred_maintenance_window: Some(props.maintenance_window.clone().into()),
                log_delivery_configurations: Some(vec![LogDeliveryConfigurationRequest::new(
                    DestinationDetails {
                        cloud_watch_logs_details: Some(CloudWatchLogsDestinationDetails::new(
                            slow_log.name(),
                        )),
                        kinesis_firehose_details: None,
                    },
                    "cloudwatch-logs",
                    "json",
                    "slow-log",
                )]),
                ..CfnReplicationGroupProps::new(format!("Cache {}", scope.path()))
            },
        );
        group.apply_removal_policy(props.removal_policy);
        crate::posture::suppress(
            &secret,
            crate::posture::Rule::SecretRotation,
            "ElastiCache has no managed rotation of AUTH tokens: a new one is set with modify-replication-group --auth-token-update-strategy ROTATE, not by a Secrets Manager schedule",
        );
        crate::posture::waive_check(
            &group,
            &["AwsSolutions-AEC5"],
            "Clients reach the cache only from the security groups it admits, in private subnets, with TLS and an AUTH token; a non-default port hides nothing from a scan inside the VPC",
        );
        crate::posture::waive_check(
            &group,
            &["elasticache_repl_grp_rbac_auth_enabled_check"],
            "Clients authenticate with an AUTH token kept in Secrets Manager, over TLS only; RBAC users would add per-user permissions for a cache one application uses",
        );
        RedisCluster {
            group,
            security_group,
            token: SecretRef::new(secret.ref_(), Some(key.arn())),
        }
    }

    /// The primary's address (TLS on port 6379).
    pub fn endpoint_address(&self) -> Expr<String> {
        self.group.attr_primary_end_point_address()
    }

    /// The readers' address (spreads reads over the replicas).
    pub fn reader_endpoint_address(&self) -> Expr<String> {
        self.group.attr_reader_end_point_address()
    }

    /// The AUTH token's secret, for `grant_read` to the roles of clients.
    pub fn auth_token(&self) -> &SecretRef {
        &self.token
    }

    /// The `AWS::ElastiCache::ReplicationGroup` resource.
    pub fn resource(&self) -> &CfnReplicationGroup {
        &self.group
    }

    /// A node's metric; node `n` is `{group}-00n` (the primary is 1 until a failover).
    fn metric(&self, name: &str, node: u32) -> Metric {
        let id = fns::join("", [self.group.ref_(), format!("-{node:03}").into()]);
        Metric::new("AWS/ElastiCache", name, vec![("CacheClusterId".into(), id)])
    }

    /// `EngineCPUUtilization` of the primary (%).
    pub fn metric_cpu(&self) -> Metric {
        self.metric("EngineCPUUtilization", 1)
    }

    /// `DatabaseMemoryUsagePercentage` of the primary.
    pub fn metric_memory(&self) -> Metric {
        self.metric("DatabaseMemoryUsagePercentage", 1)
    }

    /// `Evictions` on the primary, summed: keys dropped for want of memory.
    pub fn metric_evictions(&self) -> Metric {
        self.metric("Evictions", 1).with_statistic(Statistic::Sum)
    }

    /// `ReplicationLag` of the first replica (seconds), maximum.
    pub fn metric_replication_lag(&self) -> Metric {
        self.metric("ReplicationLag", 2)
            .with_statistic(Statistic::Maximum)
    }
}

impl HasConnections for RedisCluster {
    fn connections(&self) -> Connections {
        Connections::new(vec![self.security_group.clone()], Some(Port::tcp(PORT)))
    }
}
