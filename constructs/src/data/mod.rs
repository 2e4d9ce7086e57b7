//! The data family: PostgreSQL on RDS, Redis OSS and Valkey on ElastiCache.

#[rustfmt::skip]
mod cache_catalog;
#[rustfmt::skip]
mod postgres_catalog;
mod postgres;
mod redis;

pub use cache_catalog::{REDIS_VERSIONS, VALKEY_VERSIONS};
pub use postgres::{
    PostgresDatabase, PostgresInstance, PostgresInstanceProps, PostgresReadReplica,
    ReadReplicaProps, Rotation,
};
pub use postgres_catalog::{POSTGRES_INSTANCE_CLASSES, PostgresVersion};
pub use redis::{CacheEngine, RedisCluster, RedisClusterProps};
