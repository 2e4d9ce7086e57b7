//! `{env}-data`: PostgreSQL with its key, credentials and rotation.

use rcdk::{App, RemovalPolicy};
use rcdk_constructs::data::{PostgresInstance, PostgresInstanceProps};
use rcdk_constructs::network::Vpc;

use crate::config::EnvironmentConfig;
use crate::env_stack;

pub fn build(app: &App, env: &str, settings: &EnvironmentConfig, vpc: &Vpc) -> PostgresInstance {
    let stack = env_stack(
        app,
        env,
        settings,
        "data",
        "PostgreSQL database and its credentials",
    );
    let db = &settings.database;
    PostgresInstance::new(
        &stack,
        "Database",
        PostgresInstanceProps {
            instance_class: db.instance_class.clone(),
            multi_az: db.multi_az,
            allocated_storage_gb: db.allocated_storage_gb,
            max_allocated_storage_gb: Some(db.max_storage_gb),
            backup_retention_days: db.backup_days,
            deletion_protection: settings.deletion_protection,
            // Production keeps a final snapshot; the other environments are disposable.
            removal_policy: if settings.deletion_protection {
                RemovalPolicy::Snapshot
            } else {
                RemovalPolicy::Destroy
            },
            database_name: Some("app".into()),
            ..PostgresInstanceProps::new(vpc)
        },
    )
}
