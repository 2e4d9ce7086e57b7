//! `{env}-data`: PostgreSQL with its key, credentials and rotation (and, where set, the
//! RDS Proxy its clients connect through); for a standby
//! environment (`dr_of`), a cross-region read replica of its primary's database.

use rcdk::{App, RemovalPolicy};
use rcdk_constructs::data::{
    DatabaseProxy, DatabaseProxyProps, PostgresInstance, PostgresInstanceProps,
    PostgresReadReplica, ReadReplicaProps,
};
use rcdk_constructs::network::Vpc;
use rcdk_constructs::units::Size;

use crate::config::EnvironmentConfig;
use crate::env_stack;

/// The primary database, its credentials replicated to `standby_regions`; and with
/// `database.proxy`, the RDS Proxy its clients connect through.
pub fn build(
    app: &App,
    env: &str,
    settings: &EnvironmentConfig,
    vpc: &Vpc,
    standby_regions: Vec<String>,
) -> (PostgresInstance, Option<DatabaseProxy>) {
    let stack = env_stack(
        app,
        env,
        settings,
        "data",
        "PostgreSQL database and its credentials",
    );
    let db = &settings.database;
    let instance = PostgresInstance::new(
        &stack,
        "Database",
        PostgresInstanceProps {
            instance_class: db.instance_class.clone(),
            multi_az: db.multi_az,
            allocated_storage: Size::gibibytes(u64::from(db.allocated_storage_gb)),
            max_allocated_storage: Some(Size::gibibytes(u64::from(db.max_storage_gb))),
            backup_retention_days: db.backup_days,
            deletion_protection: settings.deletion_protection,
            // Production keeps a final snapshot; the other environments are disposable.
            removal_policy: if settings.deletion_protection {
                RemovalPolicy::Snapshot
            } else {
                RemovalPolicy::Destroy
            },
            database_name: Some("app".into()),
            secret_replica_regions: standby_regions,
            ..PostgresInstanceProps::new(vpc)
        },
    );
    if !db.multi_az {
        single_az(instance.instance(), env);
    }
    let proxy = db
        .proxy
        .then(|| DatabaseProxy::new(&stack, "Proxy", &instance, DatabaseProxyProps::new(vpc)));
    (instance, proxy)
}

/// A Single-AZ database is the environment's setting (`database.multi_az: false`).
fn single_az(instance: &rcdk_l1::rds::CfnDbInstance, env: &str) {
    rcdk_constructs::posture::suppress(
        instance,
        rcdk_constructs::posture::Rule::DatabaseMultiAz,
        &format!(
            "{env} runs its database in one AZ by its settings (database.multi_az: false): a standby or a disposable environment, not the primary of production"
        ),
    );
}

/// The standby's database: a replica of `primary` (in `primary_region`), promoted on
/// failover (docs/runbooks/dr-failover.md).
pub fn build_replica(
    app: &App,
    env: &str,
    settings: &EnvironmentConfig,
    vpc: &Vpc,
    primary: &PostgresInstance,
    primary_region: &str,
) -> PostgresReadReplica {
    let stack = env_stack(
        app,
        env,
        settings,
        "data",
        "Cross-region read replica of the primary database",
    );
    let db = &settings.database;
    let replica = PostgresReadReplica::cross_region(
        &stack,
        "Database",
        primary.arn(),
        primary_region,
        vpc,
        ReadReplicaProps {
            instance_class: Some(db.instance_class.clone()),
            multi_az: db.multi_az,
            deletion_protection: settings.deletion_protection,
            removal_policy: Some(if settings.deletion_protection {
                RemovalPolicy::Snapshot
            } else {
                RemovalPolicy::Destroy
            }),
            credentials: Some(primary.secret_replica_ref(&settings.region)),
            ..ReadReplicaProps::default()
        },
    );
    if !db.multi_az {
        single_az(replica.instance(), env);
    }
    replica
}
