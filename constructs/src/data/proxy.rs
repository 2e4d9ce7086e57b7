//! RDS Proxy in front of a PostgreSQL instance: a pool of database connections that
//! many short-lived clients (tasks scaling out, functions) share, failing over with the
//! instance without clients reconnecting to a new address. Clients authenticate with
//! IAM (a token from the task or function role, no password in their environment) over
//! TLS, both required; the proxy reaches the database with the instance's secret, read
//! by a role only RDS of this account may assume. Its own security group is admitted by
//! the database's; clients are admitted by the proxy's (`connections()`, as everywhere).
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::network::{Vpc, VpcProps};
//! use rcdk_constructs::data::{DatabaseProxy, DatabaseProxyProps, PostgresInstance, PostgresInstanceProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "data", StackProps::default());
//! let vpc = Vpc::new(&stack, "Vpc", VpcProps::default());
//! let db = PostgresInstance::new(&stack, "Database", PostgresInstanceProps::new(&vpc));
//! let proxy = DatabaseProxy::new(&stack, "Proxy", &db, DatabaseProxyProps::new(&vpc));
//! let _host = proxy.endpoint();
//! ```

use std::ops::Deref;

use rcdk::{Expr, Scope, fns};
use rcdk_l1::rds::db_proxy::AuthFormat;
use rcdk_l1::rds::db_proxy_target_group::ConnectionPoolConfigurationInfoFormat;
use rcdk_l1::rds::{
    CfnDbProxy, CfnDbProxyProps, CfnDbProxyTargetGroup, CfnDbProxyTargetGroupProps,
};

use super::postgres::{PostgresDatabase, PostgresInstance};
use crate::connections::{Connections, HasConnections, Port, SecurityGroup, SecurityGroupProps};
use crate::iam::{Grantable, PolicyStatement, Principal, Role, RoleProps};
use crate::network::{SubnetKind, Vpc};
use crate::units::Duration;

/// PostgreSQL's port, which the proxy listens on too.
const PORT: u16 = 5432;

/// Settings of a [`DatabaseProxy`].
#[derive(Debug, Clone)]
pub struct DatabaseProxyProps {
    /// The VPC of the database.
    pub vpc: Vpc,
    /// Where the proxy's endpoints are. Default: private subnets with egress when the
    /// VPC has them (where the clients are), else isolated ones.
    pub subnets: SubnetKind,
    /// A client connection idle this long is closed. Default: 30 minutes (1 minute to 8 hours).
    pub idle_client_timeout: Duration,
    /// Share of the database's `max_connections` the pool may open. Default: 90 (room
    /// for an administrator and the rotation function).
    pub max_connections_percent: u32,
    /// How long a client waits for a pooled connection before an error. Default: 2 minutes.
    pub borrow_timeout: Duration,
}

impl DatabaseProxyProps {
    /// A proxy in `vpc` with the defaults above.
    pub fn new(vpc: &Vpc) -> DatabaseProxyProps {
        DatabaseProxyProps {
            vpc: vpc.clone(),
            subnets: if vpc.has_subnets(SubnetKind::PrivateWithEgress) {
                SubnetKind::PrivateWithEgress
            } else {
                SubnetKind::Isolated
            },
            idle_client_timeout: Duration::minutes(30),
            max_connections_percent: 90,
            borrow_timeout: Duration::minutes(2),
        }
    }
}

/// An RDS Proxy for a [`PostgresInstance`]; clients connect to it as to the database
/// ([`PostgresDatabase`]), authenticating with IAM.
#[derive(Debug, Clone)]
pub struct DatabaseProxy {
    scope: Scope,
    proxy: CfnDbProxy,
    target_group: CfnDbProxyTargetGroup,
    security_group: SecurityGroup,
    instance_identifier: Expr<String>,
    secret: crate::secrets::SecretRef,
    db_user: String,
}

impl Deref for DatabaseProxy {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

/// A proxy name RDS accepts, unique in the account and region as the stack's name is:
/// letters, digits and single hyphens, starting with a letter, at most 60 characters.
fn proxy_name(scope: &Scope) -> String {
    let raw = format!(
        "{}-{}",
        scope.stack().map(|s| s.stack_name()).unwrap_or_default(),
        scope.id()
    );
    let mut name = String::new();
    for c in raw.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '-'
        };
        if !(c == '-' && (name.is_empty() || name.ends_with('-'))) {
            name.push(c);
        }
    }
    let name = name.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
    let mut name: String = name.chars().take(60).collect();
    while name.ends_with('-') {
        name.pop();
    }
    if name.is_empty() {
        "proxy".to_owned()
    } else {
        name
    }
}

impl DatabaseProxy {
    /// Adds the proxy, its target group, role and security group below `parent`, in
    /// front of `database`.
    pub fn new(
        parent: &Scope,
        id: &str,
        database: &PostgresInstance,
        props: DatabaseProxyProps,
    ) -> DatabaseProxy {
        let scope = Scope::new(parent, id);
        let idle = props.idle_client_timeout.as_millis() / 1000;
        if !(60..=28_800).contains(&idle) {
            scope.add_error(format!(
                "idle_client_timeout is {idle} s; RDS Proxy takes 1 minute to 8 hours"
            ));
        }
        if !(1..=100).contains(&props.max_connections_percent) {
            scope.add_error(format!(
                "max_connections_percent is {}; use 1 to 100",
                props.max_connections_percent
            ));
        }
        let borrow = props.borrow_timeout.as_millis() / 1000;
        if borrow > 3_600 {
            scope.add_error(format!(
                "borrow_timeout is {borrow} s; RDS Proxy waits at most an hour"
            ));
        }
        props.vpc.require_subnets(&scope, props.subnets);
        let security_group = SecurityGroup::new(
            &scope,
            "SecurityGroup",
            SecurityGroupProps::new(props.vpc.vpc_id(), &format!("Proxy {}", scope.path())),
        );
        let proxy_connections =
            Connections::new(vec![security_group.clone()], Some(Port::tcp(PORT)));
        proxy_connections.allow_to_default_port(database, "Postgres from the proxy");
        let role = Role::new(
            &scope,
            "Role",
            RoleProps {
                description: Some(format!(
                    "RDS Proxy {} reads the database credentials",
                    scope.path()
                )),
                // RDS assumes the role a proxy names, and only this account's proxies can
                // name it (iam:PassRole); AWS documents the trust without conditions that
                // RDS may not send.
                trust_only_this_account: false,
                ..RoleProps::new(Principal::service("rds.amazonaws.com"))
            },
        );
        let secret = database.secret_ref();
        secret.grant_read(&role);
        let proxy = CfnDbProxy::new(
            &scope,
            "Resource",
            CfnDbProxyProps {
                auth: Some(vec![AuthFormat {
                    auth_scheme: Some("SECRETS".into()),
                    secret_arn: Some(database.secret_arn()),
                    iam_auth: Some("REQUIRED".into()),
                    client_password_auth_type: Some("POSTGRES_SCRAM_SHA_256".into()),
                    description: Some("the database's credentials; clients use IAM".into()),
                }]),
                require_tls: Some(true.into()),
                idle_client_timeout: Some(i64::try_from(idle).unwrap_or(i64::MAX).into()),
                debug_logging: Some(false.into()),
                vpc_security_group_ids: Some(Expr::unchecked(rcdk::Value::list([
                    security_group.group_id()
                ]))),
                ..CfnDbProxyProps::new(
                    proxy_name(&scope),
                    "POSTGRESQL",
                    role.arn(),
                    Expr::unchecked(rcdk::Value::list(props.vpc.subnet_ids(props.subnets))),
                )
            },
        );
        let target_group = CfnDbProxyTargetGroup::new(
            &scope,
            "TargetGroup",
            CfnDbProxyTargetGroupProps {
                db_instance_identifiers: Some(Expr::unchecked(rcdk::Value::list([
                    database.identifier()
                ]))),
                connection_pool_configuration_info: Some(ConnectionPoolConfigurationInfoFormat {
                    max_connections_percent: Some(i64::from(props.max_connections_percent).into()),
                    max_idle_connections_percent: Some(
                        i64::from(props.max_connections_percent / 2).into(),
                    ),
                    connection_borrow_timeout: Some(
                        i64::try_from(borrow).unwrap_or(i64::MAX).into(),
                    ),
                    ..Default::default()
                }),
                ..CfnDbProxyTargetGroupProps::new(proxy.ref_(), "default")
            },
        );
        DatabaseProxy {
            scope,
            proxy,
            target_group,
            security_group,
            instance_identifier: database.identifier(),
            secret,
            db_user: database.master_username().to_owned(),
        }
    }

    /// The host clients connect to.
    pub fn endpoint(&self) -> Expr<String> {
        self.proxy.attr_endpoint()
    }

    /// The proxy's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.proxy.attr_db_proxy_arn()
    }

    /// The `AWS::RDS::DBProxy` resource.
    pub fn resource(&self) -> &CfnDbProxy {
        &self.proxy
    }

    /// The `AWS::RDS::DBProxyTargetGroup` resource.
    pub fn target_group(&self) -> &CfnDbProxyTargetGroup {
        &self.target_group
    }

    /// Lets `grantee` connect through the proxy as the database user `db_user` with an
    /// IAM token (`rds-db:connect` on exactly that user of this proxy).
    pub fn grant_connect(&self, grantee: &(impl Grantable + ?Sized), db_user: &str) {
        // The proxy's resource id (`prx-…`) is the last field of its ARN.
        let resource_id = fns::select(6, fns::split(":", self.arn()));
        grantee.grant_role().add_to_policy(
            PolicyStatement::allow()
                .actions(["rds-db:connect"])
                .resource(fns::join(
                    "",
                    [
                        fns::sub(
                            "arn:${AWS::Partition}:rds-db:${AWS::Region}:${AWS::AccountId}:dbuser:",
                        ),
                        resource_id,
                        format!("/{db_user}").into(),
                    ],
                )),
        );
    }
}

impl HasConnections for DatabaseProxy {
    fn connections(&self) -> Connections {
        Connections::new(vec![self.security_group.clone()], Some(Port::tcp(PORT)))
    }
}

impl PostgresDatabase for DatabaseProxy {
    /// The instance behind the proxy: its metrics are the database's.
    fn db_identifier(&self) -> Expr<String> {
        self.instance_identifier.clone()
    }
    fn db_endpoint_address(&self) -> Expr<String> {
        self.endpoint()
    }
    fn db_endpoint_port(&self) -> Expr<String> {
        PORT.to_string().into()
    }
    /// The database's credentials: clients read the user name from it and sign in with
    /// an IAM token instead of the password.
    fn db_secret_ref(&self) -> crate::secrets::SecretRef {
        self.secret.clone()
    }
    fn iam_auth(&self) -> bool {
        true
    }
    /// As the user of the credentials (the instance's administrator).
    fn grant_iam_connect(&self, grantee: &dyn Grantable) {
        self.grant_connect(grantee, &self.db_user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_names_are_what_rds_accepts() {
        let app = rcdk::App::with_context(Default::default(), "cdk.out");
        let stack = rcdk::Stack::new(&app, "prod-data", rcdk::StackProps::default());
        assert_eq!(
            proxy_name(&Scope::new(&stack, "Database_Proxy")),
            "prod-data-database-proxy"
        );
        let long = "x".repeat(80);
        let name = proxy_name(&Scope::new(&stack, &long));
        assert_eq!(name.len(), 60);
        let odd = rcdk::Stack::new(&app, "9-lives", rcdk::StackProps::default());
        assert_eq!(proxy_name(&Scope::new(&odd, "Proxy")), "lives-proxy");
    }
}
