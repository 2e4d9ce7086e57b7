//! PostgreSQL on RDS with the production defaults: Multi-AZ, isolated subnets, storage
//! encrypted with a customer-managed key, generated credentials in Secrets Manager with
//! rotation, backups, deletion protection, snapshot on delete, Performance Insights,
//! enhanced monitoring, log exports, IAM authentication, TLS enforced.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::network::{Vpc, VpcProps};
//! use rcdk_constructs::data::{PostgresInstance, PostgresInstanceProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "data", StackProps::default());
//! let vpc = Vpc::new(&stack, "Vpc", VpcProps::default());
//! let db = PostgresInstance::new(&stack, "Database", PostgresInstanceProps {
//!     database_name: Some("app".into()),
//!     ..PostgresInstanceProps::new(&vpc)
//! });
//! let _endpoint = db.endpoint_address();
//! ```

use std::collections::BTreeMap;
use std::ops::Deref;

use rcdk::{Expr, RemovalPolicy, Scope, expr, fns};
use rcdk_l1::rds::{
    CfnDbInstance, CfnDbInstanceProps, CfnDbParameterGroup, CfnDbParameterGroupProps,
    CfnDbSubnetGroup, CfnDbSubnetGroupProps,
};
use rcdk_l1::secretsmanager::rotation_schedule::{HostedRotationLambda, RotationRules};
use rcdk_l1::secretsmanager::secret::{GenerateSecretString, ReplicaRegion};
use rcdk_l1::secretsmanager::{
    CfnRotationSchedule, CfnRotationScheduleProps, CfnSecret, CfnSecretProps,
    CfnSecretTargetAttachment, CfnSecretTargetAttachmentProps,
};

use super::postgres_catalog::{POSTGRES_INSTANCE_CLASSES, PostgresVersion};
use crate::connections::{
    Connections, HasConnections, Peer, Port, SecurityGroup, SecurityGroupProps,
};
use crate::iam::{Principal, Role, RoleProps, aws_managed_policy};
use crate::kms::{Key, KeyProps};
use crate::metrics::Metric;
use crate::network::{InterfaceEndpoint, SubnetKind, Vpc};
use crate::units::{Duration, Size, gibibytes_of};

/// Characters left out of generated passwords: those that break connection strings and shells.
const EXCLUDED_PASSWORD_CHARACTERS: &str = " %+~`#$&*()|[]{}:;<>?!'/@\"\\";
const MONITORING_INTERVALS: &[u32] = &[0, 1, 5, 10, 15, 30, 60];

/// Automatic rotation of the master password by the hosted rotation Lambda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// Default: 30.
    pub every_days: u32,
}

impl Default for Rotation {
    fn default() -> Self {
        Rotation { every_days: 30 }
    }
}

/// Settings of a [`PostgresInstance`]. `PostgresInstanceProps::new(&vpc)` gives the
/// production defaults.
#[derive(Debug, Clone)]
pub struct PostgresInstanceProps {
    /// The VPC the database's subnet group uses.
    pub vpc: Vpc,
    /// Default: isolated subnets.
    pub subnets: SubnetKind,
    /// Default: [`PostgresVersion::RECOMMENDED`].
    pub version: PostgresVersion,
    /// Default: `db.t4g.medium`.
    pub instance_class: String,
    /// Default: true.
    pub multi_az: bool,
    /// Default: 20.
    pub allocated_storage: Size,
    /// Storage autoscaling ceiling. Default: 100.
    pub max_allocated_storage: Option<Size>,
    /// A database created at launch. Default: none (only `postgres`).
    pub database_name: Option<String>,
    /// Default: `dbadmin`.
    pub master_username: String,
    /// Key for storage, Performance Insights and the secret. Default: a new key.
    pub encryption_key: Option<Key>,
    /// 0 to 35 days. Default: 7.
    pub backup_retention_days: u32,
    /// UTC, `hh24:mi-hh24:mi`. Default: `03:00-04:00`.
    pub backup_window: Option<String>,
    /// UTC, `ddd:hh24:mi-ddd:hh24:mi`. Default: `sun:04:30-sun:05:30`.
    pub maintenance_window: Option<String>,
    /// Default: true.
    pub deletion_protection: bool,
    /// Default: `Snapshot`.
    pub removal_policy: RemovalPolicy,
    /// Days of Performance Insights history: 7, or a multiple of 31 up to 731. `None`
    /// turns it off. Default: 7.
    pub performance_insights_retention_days: Option<u32>,
    /// Enhanced monitoring interval: zero (off), 1, 5, 10, 15, 30 or 60 s. Default: 1 min.
    pub monitoring_interval: Duration,
    /// Logs exported to CloudWatch. Default: `postgresql`, `upgrade`.
    pub log_exports: Vec<String>,
    /// Default: true.
    pub iam_authentication: bool,
    /// Parameter group settings. Default: `rds.force_ssl = 1`.
    pub parameters: BTreeMap<String, String>,
    /// Default: every 30 days.
    pub rotation: Option<Rotation>,
    /// Default: 5432.
    pub port: u16,
    /// Regions the credentials secret is replicated to (for a cross-region replica's
    /// clients), each encrypted there with Secrets Manager's key of that region.
    /// Default: none.
    pub secret_replica_regions: Vec<String>,
}

impl PostgresInstanceProps {
    /// A database in `vpc` with the production defaults.
    pub fn new(vpc: &Vpc) -> PostgresInstanceProps {
        PostgresInstanceProps {
            vpc: vpc.clone(),
            subnets: SubnetKind::Isolated,
            version: PostgresVersion::RECOMMENDED,
            instance_class: "db.t4g.medium".into(),
            multi_az: true,
            allocated_storage: Size::gibibytes(20),
            max_allocated_storage: Some(Size::gibibytes(100)),
            database_name: None,
            master_username: "dbadmin".into(),
            encryption_key: None,
            backup_retention_days: 7,
            backup_window: Some("03:00-04:00".into()),
            maintenance_window: Some("sun:04:30-sun:05:30".into()),
            deletion_protection: true,
            removal_policy: RemovalPolicy::Snapshot,
            performance_insights_retention_days: Some(7),
            monitoring_interval: Duration::minutes(1),
            log_exports: vec!["postgresql".into(), "upgrade".into()],
            iam_authentication: true,
            parameters: BTreeMap::from([("rds.force_ssl".to_owned(), "1".to_owned())]),
            rotation: Some(Rotation::default()),
            port: 5432,
            secret_replica_regions: Vec::new(),
        }
    }
}

/// A PostgreSQL RDS instance with its key, credentials, network and monitoring.
#[derive(Debug, Clone)]
pub struct PostgresInstance {
    scope: Scope,
    instance: CfnDbInstance,
    secret: CfnSecret,
    key: Key,
    security_group: SecurityGroup,
    parameter_group: CfnDbParameterGroup,
    subnet_group: CfnDbSubnetGroup,
    vpc_id: Expr<String>,
    backup_window: Option<String>,
    maintenance_window: Option<String>,
    monitoring_role: Option<Role>,
    port: u16,
    backup_retention_days: u32,
    performance_insights_retention_days: Option<u32>,
    monitoring_interval_seconds: u32,
    instance_class: String,
    master_username: String,
}

impl Deref for PostgresInstance {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

/// Families offered for PostgreSQL (`db.m7g`, …), for error messages.
fn families() -> String {
    let mut f: Vec<&str> = POSTGRES_INSTANCE_CLASSES
        .iter()
        .filter_map(|c| c.rsplit_once('.').map(|(f, _)| f))
        .collect();
    f.dedup();
    f.join(", ")
}

fn check_instance_class(scope: &Scope, class: &str) {
    if POSTGRES_INSTANCE_CLASSES.binary_search(&class).is_err() {
        scope.add_error(format!(
            "instance_class '{class}' is not offered for PostgreSQL on RDS; use a size of one of these families: {}",
            families()
        ));
    }
}

fn check_performance_insights(scope: &Scope, days: Option<u32>) {
    if let Some(d) = days
        && !(d == 7 || (d % 31 == 0 && (31..=731).contains(&d)))
    {
        scope.add_error(format!(
                "performance_insights_retention_days {d} is not allowed; use 7 or a multiple of 31 up to 731"
            ));
    }
}

/// The interval in the seconds RDS takes, refused unless it is one RDS offers.
fn check_monitoring(scope: &Scope, interval: Duration) -> u32 {
    let seconds = u32::try_from(interval.truncated_seconds()).unwrap_or(u32::MAX);
    if interval.whole_seconds().is_none() || !MONITORING_INTERVALS.contains(&seconds) {
        scope.add_error(format!(
            "monitoring_interval is {interval}; RDS monitors every 1, 5, 10, 15, 30 or 60 s (zero turns it off)"
        ));
    }
    seconds
}

/// Where the key, secret and rotation go when the database goes.
fn companion_policy(db: RemovalPolicy) -> RemovalPolicy {
    match db {
        RemovalPolicy::Destroy => RemovalPolicy::Destroy,
        // A snapshot is only useful with the key that encrypts it and the credentials.
        _ => RemovalPolicy::Retain,
    }
}

fn monitoring_role(scope: &Scope, interval: u32) -> Option<Role> {
    (interval > 0).then(|| {
        Role::new(
            scope,
            "MonitoringRole",
            RoleProps {
                description: Some("Publishes RDS enhanced monitoring metrics".into()),
                managed_policies: vec![aws_managed_policy(
                    "service-role/AmazonRDSEnhancedMonitoringRole",
                )],
                ..RoleProps::new(Principal::service("monitoring.rds.amazonaws.com"))
            },
        )
    })
}

fn subnet_group(scope: &Scope, vpc: &Vpc, kind: SubnetKind) -> CfnDbSubnetGroup {
    vpc.require_subnets(scope, kind);
    CfnDbSubnetGroup::new(
        scope,
        "SubnetGroup",
        CfnDbSubnetGroupProps::new(
            format!("Subnets of {}", scope.path()),
            Expr::unchecked(rcdk::Value::list(vpc.subnet_ids(kind))),
        ),
    )
}

impl PostgresInstance {
    /// Adds the instance, its key, secret and rotation, parameter group, security group and
    /// monitoring role below `parent`.
    pub fn new(parent: &Scope, id: &str, props: PostgresInstanceProps) -> PostgresInstance {
        let scope = Scope::new(parent, id);
        Self::validate(&scope, &props);
        let companion = companion_policy(props.removal_policy);
        let key = props.encryption_key.clone().unwrap_or_else(|| {
            Key::new(
                &scope,
                "EncryptionKey",
                KeyProps {
                    description: Some(format!(
                        "Encrypts {}: storage, backups, credentials",
                        scope.path()
                    )),
                    removal_policy: companion,
                    ..KeyProps::default()
                },
            )
        });
        let subnet_group = subnet_group(&scope, &props.vpc, props.subnets);
        let parameter_group = CfnDbParameterGroup::new(
            &scope,
            "ParameterGroup",
            CfnDbParameterGroupProps {
                parameters: Some(
                    props
                        .parameters
                        .iter()
                        .map(|(k, v)| (k.clone(), rcdk::Value::from(v.as_str())))
                        .collect::<BTreeMap<_, _>>()
                        .into(),
                ),
                ..CfnDbParameterGroupProps::new(
                    format!("Parameters of {}", scope.path()),
                    format!("postgres{}", props.version.major()),
                )
            },
        );
        let security_group = SecurityGroup::new(
            &scope,
            "SecurityGroup",
            SecurityGroupProps::new(props.vpc.vpc_id(), &format!("Database {}", scope.path())),
        );
        let template = serde_json::json!({"username": props.master_username}).to_string();
        let secret = CfnSecret::new(
            &scope,
            "Secret",
            CfnSecretProps {
                description: Some(format!("Master credentials of {}", scope.path()).into()),
                kms_key_id: Some(key.arn()),
                generate_secret_string: Some(GenerateSecretString {
                    secret_string_template: Some(template.into()),
                    generate_string_key: Some("password".into()),
                    password_length: Some(32.into()),
                    exclude_characters: Some(EXCLUDED_PASSWORD_CHARACTERS.into()),
                    ..Default::default()
                }),
                replica_regions: (!props.secret_replica_regions.is_empty()).then(|| {
                    props
                        .secret_replica_regions
                        .iter()
                        .map(|r| ReplicaRegion::new(r.as_str()))
                        .collect()
                }),
                ..Default::default()
            },
        );
        secret.apply_removal_policy(companion);
        let monitoring_seconds = check_monitoring(&scope, props.monitoring_interval);
        let monitoring_role = monitoring_role(&scope, monitoring_seconds);
        let pi = props.performance_insights_retention_days;
        let instance = CfnDbInstance::new(
            &scope,
            "Resource",
            CfnDbInstanceProps {
                engine: Some("postgres".into()),
                engine_version: Some(props.version.as_str().into()),
                db_instance_class: Some(props.instance_class.as_str().into()),
                db_name: props.database_name.as_deref().map(Into::into),
                master_username: Some(
                    expr::secrets_manager(secret.ref_())
                        .json_key("username")
                        .into(),
                ),
                master_user_password: Some(
                    expr::secrets_manager(secret.ref_())
                        .json_key("password")
                        .into(),
                ),
                port: Some(props.port.to_string().into()),
                multi_az: Some(props.multi_az.into()),
                db_subnet_group_name: Some(subnet_group.ref_()),
                vpc_security_groups: Some(vec![security_group.group_id()].into()),
                publicly_accessible: Some(false.into()),
                db_parameter_group_name: Some(parameter_group.ref_()),
                allocated_storage: Some(
                    gibibytes_of(&scope, "allocated_storage", props.allocated_storage)
                        .to_string()
                        .into(),
                ),
                max_allocated_storage: props
                    .max_allocated_storage
                    .map(|g| gibibytes_of(&scope, "max_allocated_storage", g).into()),
                storage_type: Some("gp3".into()),
                storage_encrypted: Some(true.into()),
                kms_key_id: Some(key.arn()),
                backup_retention_period: Some(i64::from(props.backup_retention_days).into()),
                preferred_backup_window: props.backup_window.as_deref().map(Into::into),
                preferred_maintenance_window: props.maintenance_window.as_deref().map(Into::into),
                deletion_protection: Some(props.deletion_protection.into()),
                copy_tags_to_snapshot: Some(true.into()),
                auto_minor_version_upgrade: Some(true.into()),
                enable_iam_database_authentication: Some(props.iam_authentication.into()),
                enable_cloudwatch_logs_exports: (!props.log_exports.is_empty())
                    .then(|| props.log_exports.clone().into()),
                enable_performance_insights: Some(pi.is_some().into()),
                performance_insights_retention_period: pi.map(|d| i64::from(d).into()),
                performance_insights_kms_key_id: pi.map(|_| key.arn()),
                monitoring_interval: Some(i64::from(monitoring_seconds).into()),
                monitoring_role_arn: monitoring_role.as_ref().map(Role::arn),
                ..Default::default()
            },
        );
        instance.apply_removal_policy(props.removal_policy);
        if props.port == 5432 {
            crate::posture::waive_check(
                &instance,
                &["rds_instance_no_default_ports_check", "AwsSolutions-RDS11"],
                "The database takes connections only from its clients' security groups in private subnets; a non-default port hides nothing from a scan inside the VPC and breaks every tool's default",
            );
        }
        let attachment = CfnSecretTargetAttachment::new(
            &scope,
            "SecretAttachment",
            CfnSecretTargetAttachmentProps::new(
                secret.ref_(),
                instance.ref_(),
                "AWS::RDS::DBInstance",
            ),
        );
        let db = PostgresInstance {
            scope,
            instance,
            secret,
            key,
            security_group,
            parameter_group,
            subnet_group,
            vpc_id: props.vpc.vpc_id(),
            backup_window: props.backup_window.clone(),
            maintenance_window: props.maintenance_window.clone(),
            monitoring_role,
            port: props.port,
            backup_retention_days: props.backup_retention_days,
            performance_insights_retention_days: pi,
            monitoring_interval_seconds: monitoring_seconds,
            instance_class: props.instance_class.clone(),
            master_username: props.master_username.clone(),
        };
        if let Some(rotation) = &props.rotation {
            db.add_rotation(&props.vpc, rotation, attachment.ref_());
        }
        db
    }

    fn validate(scope: &Scope, props: &PostgresInstanceProps) {
        if props.multi_az && props.vpc.az_count() < 2 {
            scope.add_error(format!(
                "multi_az needs subnets in at least two AZs, and the VPC has {}; add AZs or set multi_az to false",
                props.vpc.az_count()
            ));
        }
        if props.backup_retention_days > 35 {
            scope.add_error(format!(
                "backup_retention_days {} is out of range; RDS keeps automated backups 0 to 35 days",
                props.backup_retention_days
            ));
        }
        if !(Size::gibibytes(20)..=Size::gibibytes(65_536)).contains(&props.allocated_storage) {
            scope.add_error(format!(
                "allocated_storage is {}; gp3 storage is 20 GiB to 65536 GiB",
                props.allocated_storage
            ));
        }
        if let Some(max) = props.max_allocated_storage
            && max < props.allocated_storage
        {
            scope.add_error(format!(
                    "max_allocated_storage {max} is below allocated_storage {}; raise the ceiling or set it to None",
                    props.allocated_storage
                ));
        }
        check_instance_class(scope, &props.instance_class);
        check_performance_insights(scope, props.performance_insights_retention_days);
        if props.master_username.is_empty()
            || !props
                .master_username
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
        {
            scope.add_error("master_username must start with a letter");
        }
    }

    /// Rotation by the hosted Lambda (the template gets the Secrets Manager transform),
    /// running in the VPC with a route to Secrets Manager and access to the database.
    fn add_rotation(&self, vpc: &Vpc, rotation: &Rotation, secret_id: Expr<String>) {
        let scope = Scope::new(&self.scope, "Rotation");
        let subnets = if vpc.has_subnets(SubnetKind::PrivateWithEgress) {
            vpc.subnet_ids(SubnetKind::PrivateWithEgress)
        } else if vpc.has_interface_endpoint(InterfaceEndpoint::SecretsManager) {
            vpc.subnet_ids(SubnetKind::Isolated)
        } else {
            scope.add_error(
                "rotation needs a route to Secrets Manager: give the VPC private-with-egress subnets or the SecretsManager interface endpoint, or set rotation to None",
            );
            Vec::new()
        };
        if !(1..=1000).contains(&rotation.every_days) {
            scope.add_error(format!(
                "rotation every_days {} is out of range; use 1 to 1000",
                rotation.every_days
            ));
        }
        let sg = SecurityGroup::new(
            &scope,
            "SecurityGroup",
            SecurityGroupProps::new(
                vpc.vpc_id(),
                &format!("Secret rotation of {}", self.scope.path()),
            ),
        );
        self.connections()
            .allow_default_port_from(&sg, "Secret rotation Lambda");
        sg.connections().allow_to_peer(
            &Peer::any_ipv4(),
            Port::tcp(443),
            "Secrets Manager API over HTTPS",
        );
        CfnRotationSchedule::new(
            &scope,
            "Schedule",
            CfnRotationScheduleProps {
                hosted_rotation_lambda: Some(HostedRotationLambda {
                    kms_key_arn: Some(self.key.arn()),
                    vpc_security_group_ids: Some(sg.group_id()),
                    vpc_subnet_ids: Some(fns::join(",", subnets)),
                    exclude_characters: Some(EXCLUDED_PASSWORD_CHARACTERS.into()),
                    ..HostedRotationLambda::new("PostgreSQLSingleUser")
                }),
                rotation_rules: Some(RotationRules {
                    schedule_expression: Some(format!("rate({} days)", rotation.every_days).into()),
                    ..Default::default()
                }),
                ..CfnRotationScheduleProps::new(secret_id)
            },
        );
        if let Some(stack) = self.scope.stack() {
            stack.add_transform("AWS::SecretsManager-2020-07-23");
        }
    }

    /// The host clients connect to.
    pub fn endpoint_address(&self) -> Expr<String> {
        self.instance.attr_endpoint_address()
    }

    /// The port clients connect to.
    pub fn endpoint_port(&self) -> Expr<String> {
        self.instance.attr_endpoint_port()
    }

    /// The administrator's user name (the secret's `username`).
    pub fn master_username(&self) -> &str {
        &self.master_username
    }

    /// ARN of the secret holding `username` and `password` (JSON).
    pub fn secret_arn(&self) -> Expr<String> {
        self.secret.ref_()
    }

    /// The credentials secret and its key, for grants and container secrets.
    /// The credentials' replica in `region` (see `secret_replica_regions`): the same
    /// ARN with that region, encrypted there with Secrets Manager's own key.
    pub fn secret_replica_ref(&self, region: &str) -> crate::secrets::SecretRef {
        // arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX; the replica's ARN
        // is the primary's with the other region. Every task that reads the secret writes
        // this expression again, so it is kept short: with the primary's region known,
        // the ARN is cut once around `:REGION:` (two selects, not seven).
        let arn = self.secret_arn();
        let source_region = self.scope.stack().and_then(|s| s.region());
        let replica = match source_region {
            Some(source) => {
                let halves = fns::split(&format!(":{source}:"), arn);
                fns::join(
                    "",
                    [
                        fns::select(0, halves.clone()),
                        format!(":{region}:").into(),
                        fns::select(1, halves),
                    ],
                )
            }
            None => {
                let parts = fns::split(":", arn);
                let part = |i: i64| fns::select(i, parts.clone());
                fns::join(
                    ":",
                    [
                        part(0),
                        part(1),
                        part(2),
                        region.into(),
                        part(4),
                        part(5),
                        part(6),
                    ],
                )
            }
        };
        crate::secrets::SecretRef::new(replica, None)
    }

    /// The credentials with their key, for grants.
    pub fn secret_ref(&self) -> crate::secrets::SecretRef {
        crate::secrets::SecretRef::new(self.secret.ref_(), Some(self.key.arn()))
    }

    /// The `AWS::SecretsManager::Secret` holding the credentials.
    pub fn secret(&self) -> &CfnSecret {
        &self.secret
    }

    /// The key that encrypts the storage, Performance Insights and the secret.
    pub fn encryption_key(&self) -> &Key {
        &self.key
    }

    /// The `AWS::RDS::DBInstance` resource.
    pub fn instance(&self) -> &CfnDbInstance {
        &self.instance
    }

    /// The instance's ARN (what a cross-region replica names as its source).
    pub fn arn(&self) -> Expr<String> {
        self.instance.attr_db_instance_arn()
    }

    /// The `DBInstanceIdentifier` (what `Ref` returns).
    pub fn identifier(&self) -> Expr<String> {
        self.instance.ref_()
    }

    /// The instance class (`db.r7g.large`).
    pub fn instance_class(&self) -> &str {
        &self.instance_class
    }

    /// The name of the instance's DB subnet group.
    pub fn subnet_group_name(&self) -> Expr<String> {
        self.subnet_group.ref_()
    }

    /// `(what, window)`: the instance's automated backup and maintenance windows (UTC),
    /// when set, in which other snapshots should not start.
    pub fn busy_windows(&self) -> Vec<(String, String)> {
        [
            ("automated backup window", &self.backup_window),
            ("maintenance window", &self.maintenance_window),
        ]
        .into_iter()
        .filter_map(|(what, w)| w.clone().map(|w| (what.to_owned(), w)))
        .collect()
    }

    /// The id of the instance's VPC.
    pub fn vpc_id(&self) -> Expr<String> {
        self.vpc_id.clone()
    }

    /// `CPUUtilization` (percent).
    pub fn metric_cpu(&self) -> Metric {
        PostgresDatabase::metric_cpu(self)
    }

    /// `FreeStorageSpace` (bytes), minimum over the period.
    pub fn metric_free_storage(&self) -> Metric {
        PostgresDatabase::metric_free_storage(self)
    }

    /// `DatabaseConnections`, maximum over the period.
    pub fn metric_connections(&self) -> Metric {
        PostgresDatabase::metric_connections(self)
    }

    /// `ReadLatency` (seconds).
    pub fn metric_read_latency(&self) -> Metric {
        PostgresDatabase::metric_read_latency(self)
    }

    /// `WriteLatency` (seconds).
    pub fn metric_write_latency(&self) -> Metric {
        PostgresDatabase::metric_write_latency(self)
    }
}

/// What clients and alarms use of a PostgreSQL database, primary or replica: where it
/// is, the credentials, who may connect, and its metrics.
pub trait PostgresDatabase: HasConnections + std::fmt::Debug {
    /// The `DBInstanceIdentifier`.
    fn db_identifier(&self) -> Expr<String>;
    /// The host clients connect to.
    fn db_endpoint_address(&self) -> Expr<String>;
    /// The port clients connect to.
    fn db_endpoint_port(&self) -> Expr<String>;
    /// The credentials clients read.
    fn db_secret_ref(&self) -> crate::secrets::SecretRef;
    /// Clients sign in with an IAM token instead of the password (an RDS Proxy).
    fn iam_auth(&self) -> bool {
        false
    }
    /// Lets `grantee` sign in with an IAM token as the user of the credentials, where
    /// [`Self::iam_auth`].
    fn grant_iam_connect(&self, _grantee: &dyn crate::iam::Grantable) {}

    /// An `AWS/RDS` metric of this instance.
    fn metric(&self, name: &str) -> Metric {
        Metric::new(
            "AWS/RDS",
            name,
            vec![("DBInstanceIdentifier".into(), self.db_identifier())],
        )
    }
    /// `CPUUtilization`.
    fn metric_cpu(&self) -> Metric {
        self.metric("CPUUtilization")
    }
    /// `FreeStorageSpace` in bytes, minimum over the period.
    fn metric_free_storage(&self) -> Metric {
        self.metric("FreeStorageSpace")
            .with_statistic(crate::metrics::Statistic::Minimum)
    }
    /// `DatabaseConnections`.
    fn metric_connections(&self) -> Metric {
        self.metric("DatabaseConnections")
            .with_statistic(crate::metrics::Statistic::Maximum)
    }
    /// `ReadLatency` in seconds.
    fn metric_read_latency(&self) -> Metric {
        self.metric("ReadLatency")
    }
    /// `WriteLatency` in seconds.
    fn metric_write_latency(&self) -> Metric {
        self.metric("WriteLatency")
    }
}

impl PostgresDatabase for PostgresInstance {
    fn db_identifier(&self) -> Expr<String> {
        self.identifier()
    }
    fn db_endpoint_address(&self) -> Expr<String> {
        self.endpoint_address()
    }
    fn db_endpoint_port(&self) -> Expr<String> {
        self.endpoint_port()
    }
    fn db_secret_ref(&self) -> crate::secrets::SecretRef {
        self.secret_ref()
    }
}

impl PostgresDatabase for PostgresReadReplica {
    fn db_identifier(&self) -> Expr<String> {
        self.identifier()
    }
    fn db_endpoint_address(&self) -> Expr<String> {
        self.endpoint_address()
    }
    fn db_endpoint_port(&self) -> Expr<String> {
        self.endpoint_port()
    }
    fn db_secret_ref(&self) -> crate::secrets::SecretRef {
        match &self.credentials {
            Some(c) => c.clone(),
            None => {
                self.scope.add_error("the replica's clients need credentials: set ReadReplicaProps.credentials (for a cross-region replica, source.secret_replica_ref(region))");
                crate::secrets::SecretRef::new("", None)
            }
        }
    }
}

impl HasConnections for PostgresInstance {
    fn connections(&self) -> Connections {
        Connections::new(
            vec![self.security_group.clone()],
            Some(Port::tcp(self.port)),
        )
    }
}

/// Settings of a [`PostgresReadReplica`].
#[derive(Debug, Clone)]
pub struct ReadReplicaProps {
    /// Default: the source's class (same region) or `db.t4g.medium` (cross region).
    pub instance_class: Option<String>,
    /// Default: false.
    pub multi_az: bool,
    /// Default: `Snapshot`.
    pub removal_policy: Option<RemovalPolicy>,
    /// A cross-region replica's Performance Insights retention (7 is free). Default:
    /// 7 days; `None` turns it off. (A same-region replica follows its source.)
    pub performance_insights_days: Option<u32>,
    /// A cross-region replica's enhanced monitoring interval: zero (off), 1, 5, 10, 15,
    /// 30 or 60 s. Default: 1 min.
    pub monitoring_interval: Duration,
    /// Refuse to delete the replica (a promoted replica is the database). Default: false.
    pub deletion_protection: bool,
    /// The credentials the replica's clients read (a replica has its source's users).
    /// Default: the source's secret (same region); across regions, set it to
    /// `source.secret_replica_ref(region)`.
    pub credentials: Option<crate::secrets::SecretRef>,
}

impl Default for ReadReplicaProps {
    fn default() -> Self {
        ReadReplicaProps {
            instance_class: None,
            multi_az: false,
            removal_policy: None,
            performance_insights_days: Some(7),
            monitoring_interval: Duration::minutes(1),
            deletion_protection: false,
            credentials: None,
        }
    }
}

/// A read replica: in the source's region with [`PostgresReadReplica::new`], or in
/// this stack's region from a source instance ARN with [`PostgresReadReplica::cross_region`].
#[derive(Debug, Clone)]
pub struct PostgresReadReplica {
    scope: Scope,
    instance: CfnDbInstance,
    connections: Connections,
    credentials: Option<crate::secrets::SecretRef>,
}

impl Deref for PostgresReadReplica {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

impl PostgresReadReplica {
    /// A replica of `source` in the same region, sharing its security group.
    pub fn new(
        parent: &Scope,
        id: &str,
        source: &PostgresInstance,
        props: ReadReplicaProps,
    ) -> PostgresReadReplica {
        let scope = Scope::new(parent, id);
        if source.backup_retention_days == 0 {
            scope.add_error("a read replica needs automated backups on its source: set backup_retention_days to at least 1");
        }
        let class = props
            .instance_class
            .clone()
            .unwrap_or_else(|| source.instance_class.clone());
        check_instance_class(&scope, &class);
        let pi = source.performance_insights_retention_days;
        let instance = CfnDbInstance::new(
            &scope,
            "Resource",
            CfnDbInstanceProps {
                source_db_instance_identifier: Some(source.identifier()),
                db_instance_class: Some(class.as_str().into()),
                multi_az: Some(props.multi_az.into()),
                vpc_security_groups: Some(vec![source.security_group.group_id()].into()),
                publicly_accessible: Some(false.into()),
                db_parameter_group_name: Some(source.parameter_group.ref_()),
                copy_tags_to_snapshot: Some(true.into()),
                auto_minor_version_upgrade: Some(true.into()),
                enable_performance_insights: Some(pi.is_some().into()),
                performance_insights_retention_period: pi.map(|d| i64::from(d).into()),
                performance_insights_kms_key_id: pi.map(|_| source.key.arn()),
                monitoring_interval: Some(i64::from(source.monitoring_interval_seconds).into()),
                monitoring_role_arn: source.monitoring_role.as_ref().map(Role::arn),
                ..Default::default()
            },
        );
        instance.apply_removal_policy(props.removal_policy.unwrap_or(RemovalPolicy::Snapshot));
        PostgresReadReplica {
            scope,
            instance,
            connections: source.connections(),
            credentials: props.credentials.or_else(|| Some(source.secret_ref())),
        }
    }

    /// A replica in this stack's region of the instance `source_arn` in `source_region`,
    /// with its own subnet group, security group and key (KMS keys are regional).
    pub fn cross_region(
        parent: &Scope,
        id: &str,
        source_arn: impl Into<Expr<String>>,
        source_region: &str,
        vpc: &Vpc,
        props: ReadReplicaProps,
    ) -> PostgresReadReplica {
        let scope = Scope::new(parent, id);
        let class = props
            .instance_class
            .clone()
            .unwrap_or_else(|| "db.t4g.medium".into());
        check_instance_class(&scope, &class);
        let policy = props.removal_policy.unwrap_or(RemovalPolicy::Snapshot);
        let key = Key::new(
            &scope,
            "EncryptionKey",
            KeyProps {
                description: Some(format!("Encrypts the replica {}", scope.path())),
                removal_policy: companion_policy(policy),
                ..KeyProps::default()
            },
        );
        let subnet_group = subnet_group(&scope, vpc, SubnetKind::Isolated);
        let sg = SecurityGroup::new(
            &scope,
            "SecurityGroup",
            SecurityGroupProps::new(vpc.vpc_id(), &format!("Database {}", scope.path())),
        );
        let monitoring_seconds = check_monitoring(&scope, props.monitoring_interval);
        let monitoring = monitoring_role(&scope, monitoring_seconds);
        let pi = props.performance_insights_days;
        let instance = CfnDbInstance::new(
            &scope,
            "Resource",
            CfnDbInstanceProps {
                source_db_instance_identifier: Some(source_arn.into()),
                source_region: Some(source_region.into()),
                db_instance_class: Some(class.as_str().into()),
                multi_az: Some(props.multi_az.into()),
                db_subnet_group_name: Some(subnet_group.ref_()),
                vpc_security_groups: Some(vec![sg.group_id()].into()),
                publicly_accessible: Some(false.into()),
                // A replica of an encrypted source is encrypted (StorageEncrypted is not
                // allowed beside SourceDBInstanceIdentifier); across regions it names the
                // key of its own region.
                kms_key_id: Some(key.arn()),
                copy_tags_to_snapshot: Some(true.into()),
                auto_minor_version_upgrade: Some(true.into()),
                deletion_protection: Some(props.deletion_protection.into()),
                // Its clients sign in as their roles once it is promoted, as on the primary.
                enable_iam_database_authentication: Some(true.into()),
                enable_performance_insights: Some(pi.is_some().into()),
                performance_insights_retention_period: pi.map(|d| i64::from(d).into()),
                performance_insights_kms_key_id: pi.map(|_| key.arn()),
                monitoring_interval: Some(i64::from(monitoring_seconds).into()),
                monitoring_role_arn: monitoring.as_ref().map(Role::arn),
                ..Default::default()
            },
        );
        instance.apply_removal_policy(policy);
        crate::posture::waive_check(
            &instance,
            &["AwsSolutions-RDS11"],
            "A replica listens on its source's port; it takes connections only from its clients' security groups in private subnets, where a non-default port hides nothing from a scan",
        );
        crate::posture::waive_check(
            &instance,
            &["CKV_AWS_16", "AwsSolutions-RDS2"],
            "A replica of an encrypted source is encrypted, here with KmsKeyId of its region; CloudFormation refuses StorageEncrypted beside SourceDBInstanceIdentifier",
        );
        PostgresReadReplica {
            scope,
            instance,
            connections: Connections::new(vec![sg], Some(Port::tcp(5432))),
            credentials: props.credentials,
        }
    }

    /// The host clients of the replica connect to.
    pub fn endpoint_address(&self) -> Expr<String> {
        self.instance.attr_endpoint_address()
    }

    /// The port clients of the replica connect to.
    pub fn endpoint_port(&self) -> Expr<String> {
        self.instance.attr_endpoint_port()
    }

    /// The replica's `DBInstanceIdentifier`.
    pub fn identifier(&self) -> Expr<String> {
        self.instance.ref_()
    }

    /// The `AWS::RDS::DBInstance` resource.
    pub fn instance(&self) -> &CfnDbInstance {
        &self.instance
    }

    /// `ReplicaLag`: seconds the replica is behind its source (the data a promotion
    /// would lose), maximum over the minute.
    pub fn metric_replica_lag(&self) -> Metric {
        Metric::new(
            "AWS/RDS",
            "ReplicaLag",
            vec![("DBInstanceIdentifier".into(), self.identifier())],
        )
        .with_statistic(crate::metrics::Statistic::Maximum)
        .with_period(Duration::minutes(1))
    }
}

impl HasConnections for PostgresReadReplica {
    fn connections(&self) -> Connections {
        self.connections.clone()
    }
}
