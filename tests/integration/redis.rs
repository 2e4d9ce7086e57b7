//! The `RedisCluster` L2: encryption everywhere, a generated AUTH token that no template
//! holds, Multi-AZ failover exactly when there is a replica, closed connections, metrics,
//! validations, cfn-lint.

use rcdk_constructs::connections::{HasConnections, SecurityGroup, SecurityGroupProps};
use rcdk_constructs::data::{CacheEngine, RedisCluster, RedisClusterProps};
use rcdk_constructs::network::{AvailabilityZones, NatStrategy, Vpc, VpcProps};
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::support::{assert_cfn_lint_clean, resource, synth, synth_err, template};

fn vpc(s: &rcdk::Stack, azs: usize) -> Vpc {
    Vpc::new(
        s,
        "Vpc",
        VpcProps {
            availability_zones: AvailabilityZones::Count(azs),
            nat: NatStrategy::Single,
            ..VpcProps::default()
        },
    )
}

#[test]
fn a_replicated_cache_is_encrypted_multi_az_and_closed() {
    let a = app();
    let s = stack(&a, "data");
    let v = vpc(&s, 2);
    let cache = RedisCluster::new(
        &s,
        "Cache",
        RedisClusterProps {
            replicas: 1,
            ..RedisClusterProps::new(&v)
        },
    );
    let web = SecurityGroup::new(&s, "Web", SecurityGroupProps::new(v.vpc_id(), "Web tasks"));
    cache
        .connections()
        .allow_default_port_from(&web, "Redis from the web tier");
    let assembly = synth(&a);
    let r = resource(&assembly, "data", "Cache");
    assert_eq!(r["DeletionPolicy"], "Snapshot");
    let p = &r["Properties"];
    for (key, want) in [
        ("Engine", json!("redis")),
        ("EngineVersion", json!("7.1")),
        ("NumCacheClusters", json!(2)),
        ("AutomaticFailoverEnabled", json!(true)),
        ("MultiAZEnabled", json!(true)),
        ("AtRestEncryptionEnabled", json!(true)),
        ("TransitEncryptionEnabled", json!(true)),
        (
            "KmsKeyId",
            json!({"Fn::GetAtt": ["CacheEncryptionKey", "Arn"]}),
        ),
        (
            "AuthToken",
            json!({"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": "CacheAuthToken"}, ":SecretString}}"]]}),
        ),
        ("SnapshotRetentionLimit", json!(7)),
        ("PreferredMaintenanceWindow", json!("sun:05:00-sun:06:00")),
        ("Port", json!(6379)),
    ] {
        assert_eq!(p[key], want, "{key}");
    }
    assert_eq!(
        p["LogDeliveryConfigurations"],
        json!([{"DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": {"Ref": "CacheSlowLog"}}},
                "DestinationType": "cloudwatch-logs", "LogFormat": "json", "LogType": "slow-log"}])
    );
    // Private subnets, and the only way in is the web tier's rule on 6379.
    let subnets = &resource(&assembly, "data", "CacheSubnetGroup")["Properties"]["SubnetIds"];
    assert_eq!(subnets.as_array().map(Vec::len), Some(2));
    assert!(subnets.to_string().contains("Private"), "{subnets}");
    let t = template(&assembly, "data");
    let rules: Vec<&serde_json::Value> = t["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::SecurityGroupIngress")
        .collect();
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(rules[0]["Properties"]["FromPort"], 6379);
    assert_eq!(
        rules[0]["Properties"]["GroupId"],
        json!({"Fn::GetAtt": ["CacheSecurityGroup", "GroupId"]})
    );
    // No token is written anywhere: only the secret's generator settings.
    let secret = &resource(&assembly, "data", "CacheAuthToken")["Properties"];
    assert_eq!(
        secret["GenerateSecretString"],
        json!({"ExcludePunctuation": true, "PasswordLength": 64})
    );
    let dir = tempfile::tempdir().expect("tempdir");
    a.synth_to(dir.path()).expect("synth");
    assert_cfn_lint_clean(&[dir.path().join("data.template.json")]);
}

#[test]
fn a_single_node_has_no_failover_and_metrics_name_the_nodes() {
    let a = app();
    let s = stack(&a, "data");
    let v = vpc(&s, 1);
    let cache = RedisCluster::new(
        &s,
        "Cache",
        RedisClusterProps {
            engine: CacheEngine::Valkey("8.1".into()),
            replicas: 0,
            ..RedisClusterProps::new(&v)
        },
    );
    let assembly = synth(&a);
    let p = &resource(&assembly, "data", "Cache")["Properties"];
    assert_eq!(
        (p["Engine"].clone(), p["NumCacheClusters"].clone()),
        (json!("valkey"), json!(1))
    );
    assert_eq!(
        (
            p["AutomaticFailoverEnabled"].clone(),
            p["MultiAZEnabled"].clone()
        ),
        (json!(false), json!(false))
    );
    let cpu = cache.metric_cpu();
    assert_eq!(
        (cpu.namespace.as_str(), cpu.metric_name.as_str()),
        ("AWS/ElastiCache", "EngineCPUUtilization")
    );
    assert_eq!(cpu.dimensions[0].0, "CacheClusterId");
    assert_eq!(
        cache.metric_memory().metric_name,
        "DatabaseMemoryUsagePercentage"
    );
    assert_eq!(cache.metric_evictions().metric_name, "Evictions");
    assert_eq!(cache.metric_replication_lag().metric_name, "ReplicationLag");
}

#[test]
fn mistakes_name_the_cache_and_the_fix() {
    let a = app();
    let s = stack(&a, "data");
    let v = vpc(&s, 1);
    RedisCluster::new(
        &s,
        "Cache",
        RedisClusterProps {
            engine: CacheEngine::Redis("3.2".into()),
            replicas: 1,
            snapshot_retention_days: 40,
            ..RedisClusterProps::new(&v)
        },
    );
    let err = synth_err(&a).to_string();
    for needle in [
        "data/Cache: engine: redis 3.2 is not offered by ElastiCache; choose one of 4.0.10, 5.0.6, 6.0, 6.2, 7.0, 7.1",
        "data/Cache: replicas is 1 (Multi-AZ with failover), and the VPC has 1 AZ; add an AZ or set replicas to 0",
        "data/Cache: snapshot_retention_days is 40; ElastiCache keeps 0 to 35",
    ] {
        assert!(err.contains(needle), "missing '{needle}' in {err}");
    }
}
