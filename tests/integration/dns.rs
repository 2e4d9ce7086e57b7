//! DNS: alias records with failover and latency routing, health checks, certificates
//! validated in the zone; the cross-region replica's monitoring and the secret replica.

use rcdk_constructs::dns::{
    AliasRecord, AliasRecordProps, AliasTarget, Certificate, CertificateProps, FailoverRole,
    HealthCheck, HealthCheckProps, HostedZone, Routing,
};
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::support::{assert_cfn_lint_clean, resource, synth, synth_err};

const ZONE: &str = "Z0123456789ABCDEFGHIJ";

fn zone() -> HostedZone {
    HostedZone::from_attributes(ZONE, "example.com.")
}

#[test]
fn a_failover_pair_sends_traffic_to_the_secondary_when_the_primary_check_fails() {
    let a = app();
    let s = stack(&a, "dns");
    let check = HealthCheck::new(
        &s,
        "PrimaryHealth",
        HealthCheckProps::https("primary-1.us-east-1.elb.amazonaws.com", "/health"),
    );
    AliasRecord::new(
        &s,
        "Primary",
        AliasRecordProps {
            routing: Routing::Failover {
                role: FailoverRole::Primary,
                health_check: Some(check),
            },
            ipv6: true,
            ..AliasRecordProps::new(
                &zone(),
                "app",
                AliasTarget::new("primary-1.us-east-1.elb.amazonaws.com", "Z35SXDOTRQ7X7K"),
            )
        },
    );
    AliasRecord::new(
        &s,
        "Secondary",
        AliasRecordProps {
            routing: Routing::Failover {
                role: FailoverRole::Secondary,
                health_check: None,
            },
            ..AliasRecordProps::new(
                &zone(),
                "app",
                AliasTarget::new("standby-2.us-west-2.elb.amazonaws.com", "Z1H1FL5HABSF5"),
            )
        },
    );
    let assembly = synth(&a);
    assert_eq!(
        resource(&assembly, "dns", "PrimaryHealth")["Properties"]["HealthCheckConfig"],
        json!({"Type": "HTTPS", "FullyQualifiedDomainName": "primary-1.us-east-1.elb.amazonaws.com",
               "ResourcePath": "/health", "Port": 443, "RequestInterval": 30, "FailureThreshold": 3,
               "EnableSNI": true})
    );
    assert_eq!(
        resource(&assembly, "dns", "Primary")["Properties"],
        json!({"HostedZoneId": ZONE, "Name": "app.example.com.", "Type": "A", "Failover": "PRIMARY",
               "SetIdentifier": "app.example.com-primary", "HealthCheckId": {"Ref": "PrimaryHealth"},
               "AliasTarget": {"DNSName": "primary-1.us-east-1.elb.amazonaws.com", "HostedZoneId": "Z35SXDOTRQ7X7K",
                               "EvaluateTargetHealth": true}})
    );
    assert_eq!(
        resource(&assembly, "dns", "PrimaryIpv6")["Properties"]["Type"],
        "AAAA"
    );
    let secondary = &resource(&assembly, "dns", "Secondary")["Properties"];
    assert_eq!(secondary["Failover"], "SECONDARY");
    assert_eq!(secondary["SetIdentifier"], "app.example.com-secondary");
    assert!(secondary.get("HealthCheckId").is_none());
    let dir = tempfile::tempdir().expect("tempdir");
    a.synth_to(dir.path()).expect("synth");
    assert_cfn_lint_clean(&[dir.path().join("dns.template.json")]);
}

#[test]
fn latency_records_name_their_region_and_certificates_validate_in_the_zone() {
    let a = app();
    let s = stack(&a, "dns");
    for (id, region, target) in [
        ("East", "us-east-1", "east.elb.amazonaws.com"),
        ("West", "us-west-2", "west.elb.amazonaws.com"),
    ] {
        AliasRecord::new(
            &s,
            id,
            AliasRecordProps {
                routing: Routing::Latency {
                    region: region.into(),
                    health_check: None,
                },
                ..AliasRecordProps::new(&zone(), "api", AliasTarget::new(target, "Z1"))
            },
        );
    }
    let certificate = Certificate::new(
        &s,
        "Certificate",
        CertificateProps {
            domain_name: "app.example.com".into(),
            alternative_names: vec!["api.example.com".into()],
            zone: zone(),
        },
    );
    let _ = certificate.arn();
    let assembly = synth(&a);
    let west = &resource(&assembly, "dns", "West")["Properties"];
    assert_eq!(
        (&west["Region"], &west["SetIdentifier"]),
        (&json!("us-west-2"), &json!("api.example.com-us-west-2"))
    );
    assert_eq!(
        resource(&assembly, "dns", "Certificate")["Properties"],
        json!({"DomainName": "app.example.com", "SubjectAlternativeNames": ["api.example.com"],
               "ValidationMethod": "DNS", "KeyAlgorithm": "EC_prime256v1",
               "DomainValidationOptions": [
                   {"DomainName": "app.example.com", "HostedZoneId": ZONE},
                   {"DomainName": "api.example.com", "HostedZoneId": ZONE}]})
    );
}

#[test]
fn bad_dns_settings_name_the_fix() {
    let a = app();
    let s = stack(&a, "dns");
    AliasRecord::new(
        &s,
        "Primary",
        AliasRecordProps {
            routing: Routing::Failover {
                role: FailoverRole::Primary,
                health_check: None,
            },
            ..AliasRecordProps::new(
                &zone(),
                "app",
                AliasTarget::new("x.elb.amazonaws.com", "Z1"),
            )
        },
    );
    AliasRecord::new(
        &s,
        "Bad",
        AliasRecordProps::new(&zone(), "-bad-", AliasTarget::new("x", "Z1")),
    );
    HealthCheck::new(
        &s,
        "Check",
        HealthCheckProps {
            interval: rcdk_constructs::units::Duration::seconds(20),
            ..HealthCheckProps::https("x.example.com", "health")
        },
    );
    Certificate::new(
        &s,
        "Certificate",
        CertificateProps {
            domain_name: "app.other.org".into(),
            alternative_names: vec![],
            zone: zone(),
        },
    );
    let err = synth_err(&a).to_string();
    for needle in [
        "dns/Primary: a PRIMARY failover record needs a health check",
        "dns/Bad: '-bad-.example.com' is not a DNS name",
        "dns/Check: interval is 20 s; Route 53 checks every 10 s or 30 s",
        "dns/Check: path 'health' must start with /",
        "dns/Certificate: 'app.other.org' is not a name in the zone example.com",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

#[test]
fn a_cross_region_replica_is_monitored_and_its_clients_read_the_replicated_secret() {
    use rcdk::{App, Environment, Stack, StackProps};
    use rcdk_constructs::data::{
        PostgresInstance, PostgresInstanceProps, PostgresReadReplica, ReadReplicaProps,
    };
    let a = App::with_context(Default::default(), "cdk.out");
    let east = Stack::new(
        &a,
        "data",
        StackProps {
            env: Environment::new("123456789012", "us-east-1"),
            ..Default::default()
        },
    );
    let west = Stack::new(
        &a,
        "dr-data",
        StackProps {
            env: Environment::new("123456789012", "us-west-2"),
            cross_region_references: true,
            ..Default::default()
        },
    );
    let primary_vpc = crate::l2_fixtures::dev_vpc(&east);
    let db = PostgresInstance::new(
        &east,
        "Database",
        PostgresInstanceProps {
            secret_replica_regions: vec!["us-west-2".into()],
            ..PostgresInstanceProps::new(&primary_vpc)
        },
    );
    let dr_vpc = crate::l2_fixtures::dev_vpc(&west);
    let replica = PostgresReadReplica::cross_region(
        &west,
        "Replica",
        db.arn(),
        "us-east-1",
        &dr_vpc,
        ReadReplicaProps {
            deletion_protection: true,
            ..ReadReplicaProps::default()
        },
    );
    rcdk_l1::ssm::CfnParameter::new(
        &west,
        "SecretArn",
        rcdk_l1::ssm::CfnParameterProps::new("String", db.secret_replica_ref("us-west-2").arn),
    );
    let _ = replica.metric_replica_lag();
    let assembly = synth(&a);
    let secret = &resource(&assembly, "data", "DatabaseSecret")["Properties"];
    assert_eq!(secret["ReplicaRegions"], json!([{"Region": "us-west-2"}]));
    let r = &resource(&assembly, "dr-data", "Replica")["Properties"];
    assert_eq!(r["DeletionProtection"], true);
    assert_eq!(r["EnablePerformanceInsights"], true);
    assert_eq!(r["PerformanceInsightsRetentionPeriod"], 7);
    assert_eq!(
        r["PerformanceInsightsKMSKeyId"],
        json!({"Fn::GetAtt": ["ReplicaEncryptionKey", "Arn"]})
    );
    assert_eq!(r["MonitoringInterval"], 60);
    assert_eq!(
        r["MonitoringRoleArn"],
        json!({"Fn::GetAtt": ["ReplicaMonitoringRole", "Arn"]})
    );
    assert_eq!(r["SourceRegion"], "us-east-1");
    // The primary's ARN reaches the other region through SSM (known only at deploy).
    assert_eq!(
        r["SourceDBInstanceIdentifier"],
        json!({"Ref": "DataCrossRegionFnGetAttDatabaseDBInstanceArn"})
    );
    // The secret's ARN in us-west-2: the primary's with the region swapped, evaluated as
    // CloudFormation would with the value the SSM parameter carries.
    let value = &resource(&assembly, "dr-data", "SecretArn")["Properties"]["Value"];
    let primary =
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:data-Database-Secret-AbCdEf";
    assert_eq!(
        evaluate(value, "DataCrossRegionRefDatabaseSecret", primary),
        json!("arn:aws:secretsmanager:us-west-2:123456789012:secret:data-Database-Secret-AbCdEf")
    );
    // Two selects, not seven: every task that reads the secret repeats this expression.
    assert_eq!(
        value.to_string().matches("Fn::Select").count(),
        2,
        "{value}"
    );
}

/// `Ref`, `Fn::Join`, `Fn::Select` and `Fn::Split` evaluated as CloudFormation does,
/// with `reference` standing for `value`.
fn evaluate(v: &serde_json::Value, reference: &str, value: &str) -> serde_json::Value {
    use serde_json::Value as J;
    if let Some(items) = v.as_array() {
        return J::from(
            items
                .iter()
                .map(|x| evaluate(x, reference, value))
                .collect::<Vec<_>>(),
        );
    }
    let Some(map) = v.as_object() else {
        return v.clone();
    };
    let args = |key: &str| -> Vec<J> {
        map[key]
            .as_array()
            .map(|a| a.iter().map(|x| evaluate(x, reference, value)).collect())
            .unwrap_or_default()
    };
    if map.get("Ref").and_then(J::as_str) == Some(reference) {
        return J::from(value);
    }
    if map.contains_key("Fn::Split") {
        let a = args("Fn::Split");
        let sep = a[0].as_str().unwrap_or_default();
        return J::from(
            a[1].as_str()
                .unwrap_or_default()
                .split(sep)
                .map(J::from)
                .collect::<Vec<_>>(),
        );
    }
    if map.contains_key("Fn::Select") {
        let a = args("Fn::Select");
        let i = a[0].as_u64().unwrap_or_default() as usize;
        return a[1][i].clone();
    }
    if map.contains_key("Fn::Join") {
        let a = args("Fn::Join");
        let items: Vec<String> = a[1]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| x.as_str().unwrap_or_default().to_owned())
            .collect();
        return J::from(items.join(a[0].as_str().unwrap_or_default()));
    }
    v.clone()
}
