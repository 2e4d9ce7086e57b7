//! The data family: PostgreSQL on RDS, Redis OSS and Valkey on ElastiCache, private,
//! encrypted with keys of their own, reachable only through their `connections()`.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::connections::{HasConnections, SecurityGroup, SecurityGroupProps};
//! use rcdk_constructs::data::*;
//! use rcdk_constructs::network::{Vpc, VpcProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "data", StackProps::default());
//! let vpc = Vpc::new(&stack, "Vpc", VpcProps::default());
//! // Multi-AZ, credentials generated in Secrets Manager and rotated, deletion protected.
//! let db = PostgresInstance::new(&stack, "Database", PostgresInstanceProps::new(&vpc));
//! // One replica with automatic failover, TLS and an AUTH token.
//! let cache = RedisCluster::new(&stack, "Cache", RedisClusterProps::new(&vpc));
//! let app_tasks = SecurityGroup::new(&stack, "Tasks", SecurityGroupProps::new(vpc.vpc_id(), "App tasks"));
//! db.connections().allow_default_port_from(&app_tasks, "Postgres from the app");
//! cache.connections().allow_default_port_from(&app_tasks, "Redis from the app");
//! # let _ = (db.metric_cpu(), cache.metric_memory());
//! ```

#[rustfmt::skip]
mod cache_catalog;
#[rustfmt::skip]
mod postgres_catalog;
mod postgres;
mod proxy;
mod redis;

pub use cache_catalog::{REDIS_VERSIONS, VALKEY_VERSIONS};
pub use postgres::{
    PostgresDatabase, PostgresInstance, PostgresInstanceProps, PostgresReadReplica,
    ReadReplicaProps, Rotation,
};
pub use postgres_catalog::{POSTGRES_INSTANCE_CLASSES, PostgresVersion};
pub use proxy::{DatabaseProxy, DatabaseProxyProps};
pub use redis::{CacheEngine, RedisCluster, RedisClusterProps};
