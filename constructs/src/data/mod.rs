//! The data family: PostgreSQL on RDS.

#[rustfmt::skip]
mod postgres_catalog;
mod postgres;

pub use postgres::{
    PostgresInstance, PostgresInstanceProps, PostgresReadReplica, ReadReplicaProps, Rotation,
};
pub use postgres_catalog::{POSTGRES_INSTANCE_CLASSES, PostgresVersion};
