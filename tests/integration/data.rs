//! The `PostgresInstance` construct: templates, credentials, replicas and validations.

use rcdk_constructs::data::{
    PostgresInstance, PostgresInstanceProps, PostgresReadReplica, PostgresVersion, ReadReplicaProps,
};
use rcdk_constructs::network::{
    AvailabilityZones, NatStrategy, SubnetGroup, SubnetKind, Vpc, VpcProps,
};
use rcdk_constructs::units::{Duration, Size};
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::l2_fixtures;
use crate::support::{resource, synth, synth_err, template};

#[test]
fn dev_and_prod_databases_match_their_snapshots() {
    for (name, prod) in [("data_dev", false), ("data_prod", true)] {
        let assembly = synth(&l2_fixtures::data_app(prod));
        insta::assert_json_snapshot!(name, template(&assembly, "data"));
    }
}

#[test]
fn instance_has_the_secure_production_defaults() {
    let assembly = synth(&l2_fixtures::data_app(true));
    let db = resource(&assembly, "data", "Database");
    let p = &db["Properties"];
    assert_eq!(p["Engine"], "postgres");
    assert_eq!(p["EngineVersion"], PostgresVersion::RECOMMENDED.as_str());
    assert_eq!(p["MultiAZ"], true);
    assert_eq!(p["PubliclyAccessible"], false);
    assert_eq!(p["StorageEncrypted"], true);
    assert_eq!(
        p["KmsKeyId"],
        json!({"Fn::GetAtt": ["DatabaseEncryptionKey", "Arn"]})
    );
    assert_eq!(p["PerformanceInsightsKMSKeyId"], p["KmsKeyId"]);
    assert_eq!(p["EnablePerformanceInsights"], true);
    assert_eq!(p["DeletionProtection"], true);
    assert_eq!(p["CopyTagsToSnapshot"], true);
    assert_eq!(p["EnableIAMDatabaseAuthentication"], true);
    assert_eq!(p["BackupRetentionPeriod"], 30);
    assert_eq!(p["MaxAllocatedStorage"], 500);
    assert_eq!(
        p["EnableCloudwatchLogsExports"],
        json!(["postgresql", "upgrade"])
    );
    assert_eq!(
        p["MonitoringRoleArn"],
        json!({"Fn::GetAtt": ["DatabaseMonitoringRole", "Arn"]})
    );
    assert_eq!(db["DeletionPolicy"], "Snapshot");
    assert_eq!(db["UpdateReplacePolicy"], "Snapshot");
    // The key and the credentials outlive the instance: a snapshot needs both.
    assert_eq!(
        resource(&assembly, "data", "DatabaseEncryptionKey")["DeletionPolicy"],
        "Retain"
    );
    assert_eq!(
        resource(&assembly, "data", "DatabaseSecret")["DeletionPolicy"],
        "Retain"
    );
    let params = &resource(&assembly, "data", "DatabaseParameterGroup")["Properties"];
    assert_eq!(
        params["Family"],
        format!("postgres{}", PostgresVersion::RECOMMENDED.major())
    );
    assert_eq!(params["Parameters"], json!({"rds.force_ssl": "1"}));
    // Isolated subnets of the network stack, imported.
    let subnets = &resource(&assembly, "data", "DatabaseSubnetGroup")["Properties"]["SubnetIds"];
    assert_eq!(subnets.as_array().map(Vec::len), Some(3));
    assert!(
        subnets[0]["Fn::ImportValue"]
            .as_str()
            .is_some_and(|s| s.contains("VpcIsolatedSubnet1")),
        "{subnets}"
    );
}

#[test]
fn template_never_contains_a_password() {
    let assembly = synth(&l2_fixtures::data_app(true));
    let t = template(&assembly, "data");
    let p = &t["Resources"]["Database"]["Properties"];
    assert_eq!(
        p["MasterUserPassword"],
        json!({"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": "DatabaseSecret"}, ":SecretString:password}}"]]})
    );
    assert_eq!(
        p["MasterUsername"],
        json!({"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": "DatabaseSecret"}, ":SecretString:username}}"]]})
    );
    let secret = &t["Resources"]["DatabaseSecret"]["Properties"];
    assert_eq!(
        secret["GenerateSecretString"]["SecretStringTemplate"],
        r#"{"username":"dbadmin"}"#
    );
    assert_eq!(
        secret["GenerateSecretString"]["GenerateStringKey"],
        "password"
    );
    assert_eq!(
        secret["KmsKeyId"],
        json!({"Fn::GetAtt": ["DatabaseEncryptionKey", "Arn"]})
    );
    assert!(secret.get("SecretString").is_none());
    let attachment = &t["Resources"]["DatabaseSecretAttachment"]["Properties"];
    assert_eq!(attachment["TargetId"], json!({"Ref": "Database"}));
    assert_eq!(attachment["TargetType"], "AWS::RDS::DBInstance");
}

#[test]
fn rotation_uses_the_hosted_lambda_in_the_vpc() {
    let assembly = synth(&l2_fixtures::data_app(false));
    let t = template(&assembly, "data");
    assert_eq!(t["Transform"], "AWS::SecretsManager-2020-07-23");
    let schedule = &t["Resources"]["DatabaseRotationSchedule"]["Properties"];
    assert_eq!(
        schedule["SecretId"],
        json!({"Ref": "DatabaseSecretAttachment"})
    );
    assert_eq!(
        schedule["RotationRules"]["ScheduleExpression"],
        "rate(30 days)"
    );
    let lambda = &schedule["HostedRotationLambda"];
    assert_eq!(lambda["RotationType"], "PostgreSQLSingleUser");
    assert_eq!(
        lambda["VpcSecurityGroupIds"],
        json!({"Fn::GetAtt": ["DatabaseRotationSecurityGroup", "GroupId"]})
    );
    // The Lambda reaches the database on its port, and Secrets Manager over HTTPS.
    let ingress = &t["Resources"]["DatabaseSecurityGroupFromDatabaseRotationSecurityGroupTcp5432"]
        ["Properties"];
    assert_eq!(
        ingress["SourceSecurityGroupId"],
        json!({"Fn::GetAtt": ["DatabaseRotationSecurityGroup", "GroupId"]})
    );
    assert_eq!(ingress["FromPort"], 5432);
    let egress =
        &t["Resources"]["DatabaseRotationSecurityGroup"]["Properties"]["SecurityGroupEgress"];
    assert_eq!(
        egress,
        &json!([{"CidrIp": "0.0.0.0/0", "Description": "Secrets Manager API over HTTPS", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}])
    );
}

#[test]
fn replica_shares_the_source_network_and_key() {
    let assembly = synth(&l2_fixtures::data_app(true));
    let replica = &resource(&assembly, "data", "Replica")["Properties"];
    assert_eq!(
        replica["SourceDBInstanceIdentifier"],
        json!({"Ref": "Database"})
    );
    assert_eq!(
        replica["VPCSecurityGroups"],
        json!([{"Fn::GetAtt": ["DatabaseSecurityGroup", "GroupId"]}])
    );
    assert_eq!(replica["PubliclyAccessible"], false);
    assert!(
        replica.get("MasterUserPassword").is_none(),
        "a replica takes the source's credentials"
    );
}

#[test]
fn cross_region_replica_has_its_own_key_and_network() {
    let app = app();
    let s = stack(&app, "replica");
    let vpc = l2_fixtures::dev_vpc(&s);
    let source = "arn:aws:rds:eu-west-1:123456789012:db:orders";
    PostgresReadReplica::cross_region(
        &s,
        "Replica",
        source,
        "eu-west-1",
        &vpc,
        ReadReplicaProps::default(),
    );
    let assembly = synth(&app);
    let p = &resource(&assembly, "replica", "Replica")["Properties"];
    assert_eq!(p["SourceDBInstanceIdentifier"], source);
    assert_eq!(p["SourceRegion"], "eu-west-1");
    assert_eq!(
        p["KmsKeyId"],
        json!({"Fn::GetAtt": ["ReplicaEncryptionKey", "Arn"]})
    );
    assert_eq!(p["DBSubnetGroupName"], json!({"Ref": "ReplicaSubnetGroup"}));
    // Encrypted as its source is; CloudFormation refuses StorageEncrypted beside a source.
    assert!(p.get("StorageEncrypted").is_none());
}

#[test]
fn metric_helpers_name_the_instance() {
    let app = app();
    let s = stack(&app, "data");
    let vpc = l2_fixtures::dev_vpc(&s);
    let db = PostgresInstance::new(&s, "Database", PostgresInstanceProps::new(&vpc));
    let cpu = db.metric_cpu();
    assert_eq!(
        (cpu.namespace.as_str(), cpu.metric_name.as_str()),
        ("AWS/RDS", "CPUUtilization")
    );
    assert_eq!(
        cpu.dimensions,
        vec![("DBInstanceIdentifier".to_owned(), db.identifier())]
    );
    assert_eq!(db.metric_free_storage().statistic.name(), "Minimum");
    assert_eq!(db.metric_connections().statistic.name(), "Maximum");
    assert_eq!(db.metric_read_latency().metric_name, "ReadLatency");
    assert_eq!(db.metric_write_latency().metric_name, "WriteLatency");
}

fn db_error(
    vpc_props: VpcProps,
    edit: impl FnOnce(&mut PostgresInstanceProps),
) -> rcdk::SynthError {
    let app = app();
    let s = stack(&app, "data");
    let vpc = Vpc::new(&s, "Vpc", vpc_props);
    let mut props = PostgresInstanceProps::new(&vpc);
    edit(&mut props);
    PostgresInstance::new(&s, "Database", props);
    synth_err(&app)
}

fn single_az() -> VpcProps {
    VpcProps {
        availability_zones: AvailabilityZones::Count(1),
        ..VpcProps::default()
    }
}

#[test]
fn multi_az_in_a_single_az_is_an_error() {
    let err = db_error(single_az(), |_| {});
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(err.problems[0].path, "data/Database");
    assert_eq!(
        err.problems[0].message,
        "multi_az needs subnets in at least two AZs, and the VPC has 1; add AZs or set multi_az to false"
    );
    // The same VPC is fine for a single-AZ instance.
    let app = app();
    let s = stack(&app, "data");
    let vpc = Vpc::new(&s, "Vpc", single_az());
    PostgresInstance::new(
        &s,
        "Database",
        PostgresInstanceProps {
            multi_az: false,
            ..PostgresInstanceProps::new(&vpc)
        },
    );
    synth(&app);
}

#[test]
fn database_settings_are_validated() {
    type Edit = Box<dyn FnOnce(&mut PostgresInstanceProps)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|p| p.backup_retention_days = 36),
            "backup_retention_days 36 is out of range; RDS keeps automated backups 0 to 35 days",
        ),
        (
            Box::new(|p| p.max_allocated_storage = Some(Size::gibibytes(10))),
            "max_allocated_storage 10 GiB is below allocated_storage 20 GiB; raise the ceiling or set it to None",
        ),
        (
            Box::new(|p| p.allocated_storage = Size::gibibytes(5)),
            "allocated_storage is 5 GiB; gp3 storage is 20 GiB to 65536 GiB",
        ),
        (
            Box::new(|p| p.instance_class = "db.t1.micro".into()),
            "instance_class 'db.t1.micro' is not offered for PostgreSQL on RDS; use a size of one of these families:",
        ),
        (
            Box::new(|p| p.performance_insights_retention_days = Some(30)),
            "performance_insights_retention_days 30 is not allowed; use 7 or a multiple of 31 up to 731",
        ),
        (
            Box::new(|p| p.monitoring_interval = Duration::seconds(2)),
            "monitoring_interval is 2 s; RDS monitors every 1, 5, 10, 15, 30 or 60 s (zero turns it off)",
        ),
        (
            Box::new(|p| p.master_username = "1admin".into()),
            "master_username must start with a letter",
        ),
        (
            Box::new(|p| p.subnets = SubnetKind::PrivateWithEgress),
            "subnets: the VPC has no PrivateWithEgress subnets",
        ),
        (
            Box::new(|p| p.rotation = Some(rcdk_constructs::data::Rotation { every_days: 0 })),
            "rotation every_days 0 is out of range; use 1 to 1000",
        ),
    ];
    let isolated_only = || VpcProps {
        subnet_groups: vec![SubnetGroup::new("Isolated", SubnetKind::Isolated, 24)],
        nat: NatStrategy::None,
        interface_endpoints: vec![rcdk_constructs::network::InterfaceEndpoint::SecretsManager],
        ..VpcProps::default()
    };
    for (edit, message) in cases {
        let err = db_error(isolated_only(), edit);
        assert!(err.mentions(message), "expected '{message}' in:\n{err}");
        assert!(
            err.problems
                .iter()
                .all(|p| p.path.starts_with("data/Database")),
            "{err}"
        );
    }
}

#[test]
fn rotation_without_a_route_to_secrets_manager_is_an_error() {
    let vpc = VpcProps {
        subnet_groups: vec![SubnetGroup::new("Isolated", SubnetKind::Isolated, 24)],
        nat: NatStrategy::None,
        ..VpcProps::default()
    };
    let err = db_error(vpc.clone(), |_| {});
    assert_eq!(err.problems[0].path, "data/Database/Rotation");
    assert!(
        err.mentions("rotation needs a route to Secrets Manager"),
        "{err}"
    );
    // Without rotation the same network is enough.
    let app = app();
    let s = stack(&app, "data");
    let v = Vpc::new(&s, "Vpc", vpc);
    PostgresInstance::new(
        &s,
        "Database",
        PostgresInstanceProps {
            rotation: None,
            ..PostgresInstanceProps::new(&v)
        },
    );
    let assembly = synth(&app);
    assert!(template(&assembly, "data").get("Transform").is_none());
}

#[test]
fn versions_are_current_and_ordered() {
    let all = PostgresVersion::ALL;
    assert!(all.windows(2).all(|w| w[0] < w[1]));
    assert!(
        all.iter().all(|v| v.major() >= 14),
        "no deprecated major versions"
    );
    assert!(all.contains(&PostgresVersion::RECOMMENDED));
}

/// An RDS Proxy: IAM authentication and TLS required, the database's secret read by a
/// role only RDS assumes, its own security group admitted by the database's, clients
/// granted `rds-db:connect` on exactly their user, priced by the instance's vCPUs.
#[test]
fn a_proxy_requires_iam_and_tls_reaches_the_database_through_its_own_group_and_is_priced() {
    use rcdk_constructs::data::{DatabaseProxy, DatabaseProxyProps, PostgresDatabase};
    use rcdk_constructs::iam::{Principal, Role, RoleProps};
    let app = app();
    let s = stack(&app, "data");
    let vpc = l2_fixtures::dev_vpc(&s);
    let db = PostgresInstance::new(
        &s,
        "Database",
        PostgresInstanceProps {
            instance_class: "db.r7g.xlarge".into(),
            ..PostgresInstanceProps::new(&vpc)
        },
    );
    let proxy = DatabaseProxy::new(&s, "Proxy", &db, DatabaseProxyProps::new(&vpc));
    let client = Role::new(
        &s,
        "Client",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    );
    assert!(proxy.iam_auth());
    proxy.grant_iam_connect(&client);
    let assembly = synth(&app);

    let p = &resource(&assembly, "data", "Proxy")["Properties"];
    assert_eq!(p["EngineFamily"], "POSTGRESQL");
    assert_eq!(p["RequireTLS"], true);
    assert_eq!(p["DBProxyName"], "data-proxy");
    assert_eq!(
        p["Auth"],
        json!([{
            "AuthScheme": "SECRETS",
            "ClientPasswordAuthType": "POSTGRES_SCRAM_SHA_256",
            "Description": "the database's credentials; clients use IAM",
            "IAMAuth": "REQUIRED",
            "SecretArn": {"Ref": "DatabaseSecret"}
        }])
    );
    assert_eq!(p["RoleArn"], json!({"Fn::GetAtt": ["ProxyRole", "Arn"]}));
    assert_eq!(
        p["VpcSecurityGroupIds"],
        json!([{"Fn::GetAtt": ["ProxySecurityGroup", "GroupId"]}])
    );
    let target = &resource(&assembly, "data", "ProxyTargetGroup")["Properties"];
    assert_eq!(target["DBProxyName"], json!({"Ref": "Proxy"}));
    assert_eq!(target["TargetGroupName"], "default");
    assert_eq!(
        target["DBInstanceIdentifiers"],
        json!([{"Ref": "Database"}])
    );
    assert_eq!(
        target["ConnectionPoolConfigurationInfo"]["MaxConnectionsPercent"],
        90
    );

    // Only RDS assumes the role, which reads exactly the database's secret.
    let role = &resource(&assembly, "data", "ProxyRole")["Properties"];
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({"Service": "rds.amazonaws.com"})
    );
    let policies = role["Policies"].to_string();
    assert!(
        policies.contains("secretsmanager:GetSecretValue")
            && policies.contains(r#"{"Ref":"DatabaseSecret"}"#)
            && policies.contains("kms:Decrypt"),
        "{policies}"
    );
    // The database admits the proxy's group on 5432; nothing else changed for clients.
    let ingress = template(&assembly, "data")["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::SecurityGroupIngress")
        .map(|r| r["Properties"].clone())
        .collect::<Vec<_>>();
    assert!(
        ingress.iter().any(|i| i["SourceSecurityGroupId"]
            == json!({"Fn::GetAtt": ["ProxySecurityGroup", "GroupId"]})
            && i["FromPort"] == 5432),
        "{ingress:#?}"
    );
    // Clients connect to the proxy as the user, with a token: rds-db:connect on it only.
    let client = resource(&assembly, "data", "Client")["Properties"]["Policies"].to_string();
    assert!(
        client.contains("rds-db:connect")
            && client.contains(":dbuser:")
            && client.contains(r#"{"Fn::GetAtt":["Proxy","DBProxyArn"]}"#)
            && client.contains("/dbadmin"),
        "{client}"
    );
    assert_eq!(
        format!("{:?}", proxy.db_endpoint_address()),
        format!("{:?}", proxy.endpoint()),
        "clients connect to the proxy"
    );

    // $0.015 per vCPU-hour: 4 vCPUs of db.r7g.xlarge, 730 hours.
    let cost = rcdk::cost::estimate("data", Some("us-east-1"), None, template(&assembly, "data"))
        .expect("priced");
    let line = cost
        .items
        .iter()
        .find(|i| i.logical_id == "ProxyTargetGroup")
        .expect("the proxy is priced");
    assert!(
        (line.monthly_usd - 4.0 * 730.0 * 0.015).abs() < 0.005,
        "{line:?}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    app.synth_to(dir.path()).expect("synth");
    crate::support::assert_cfn_lint_clean(&[dir.path().join("data.template.json")]);
}
