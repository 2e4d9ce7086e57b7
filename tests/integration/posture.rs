//! The security posture: checked directly over every reference template, and each
//! rule shown failing synthesis on a construct that breaks it.

use rcdk::{App, Stack};
use rcdk_constructs::load_balancing::{
    AlbProps, ApplicationLoadBalancer, HttpsListenerProps, ListenerAction,
};
use rcdk_constructs::posture::{self, Rule};
use rcdk_constructs::storage::{Bucket, BucketProps};
use rcdk_l1::ec2::security_group::Ingress;
use rcdk_l1::ec2::{CfnSecurityGroup, CfnSecurityGroupProps};
use rcdk_l1::iam::role::Policy;
use rcdk_l1::iam::{CfnRole, CfnRoleProps};
use rcdk_l1::logs::{CfnLogGroup, CfnLogGroupProps};
use rcdk_l1::policy::{PolicyDocument, PolicyStatement, Principal};
use rcdk_l1::rds::{CfnDbInstance, CfnDbInstanceProps};
use serde_json::{Value as J, json};

use crate::fixtures::{app, stack};
use crate::l2_fixtures::{self, CERTIFICATE};
use crate::reference_app::all_environments;
use crate::support::{resource, run_rcdk, synth, synth_err};

fn items(v: &J) -> Vec<&J> {
    match v {
        J::Array(a) => a.iter().collect(),
        J::Null => Vec::new(),
        other => vec![other],
    }
}

fn identity_statements(r: &J) -> Vec<&J> {
    let docs: Vec<&J> = match r["Type"].as_str() {
        Some("AWS::IAM::Role") => items(&r["Properties"]["Policies"])
            .into_iter()
            .map(|p| &p["PolicyDocument"])
            .collect(),
        Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy") => {
            vec![&r["Properties"]["PolicyDocument"]]
        }
        _ => Vec::new(),
    };
    docs.into_iter()
        .flat_map(|d| items(&d["Statement"]))
        .collect()
}

fn resource_statements(r: &J) -> Vec<&J> {
    let doc = match r["Type"].as_str() {
        Some("AWS::S3::BucketPolicy" | "AWS::SNS::TopicPolicy" | "AWS::SQS::QueuePolicy") => {
            &r["Properties"]["PolicyDocument"]
        }
        Some("AWS::KMS::Key") => &r["Properties"]["KeyPolicy"],
        _ => return Vec::new(),
    };
    items(&doc["Statement"])
}

#[test]
fn every_reference_template_meets_the_posture() {
    let assembly = all_environments();
    assert_eq!(assembly.stacks.len(), 30);
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for s in &assembly.stacks {
        let resources = s.template["Resources"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let public_lb_groups: Vec<J> = resources
            .values()
            .filter(|r| {
                r["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer"
                    && r["Properties"]["Scheme"] == "internet-facing"
            })
            .flat_map(|r| {
                items(&r["Properties"]["SecurityGroups"])
                    .into_iter()
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .collect();
        for (id, r) in &resources {
            let at = format!("{}/{id}", s.stack_name);
            let p = &r["Properties"];
            let ty = r["Type"].as_str().unwrap_or_default();
            *seen
                .entry(
                    match ty {
                        "AWS::EC2::SecurityGroup"
                        | "AWS::IAM::Role"
                        | "AWS::S3::Bucket"
                        | "AWS::Logs::LogGroup"
                        | "AWS::SNS::Topic"
                        | "AWS::SecretsManager::Secret"
                        | "AWS::RDS::DBInstance"
                        | "AWS::SQS::Queue"
                        | "AWS::ElastiCache::ReplicationGroup"
                        | "AWS::ECR::Repository"
                        | "AWS::ElasticLoadBalancingV2::Listener" => ty,
                        _ => "other",
                    }
                    .to_owned(),
                )
                .or_default() += 1;
            if ty == "AWS::EC2::SecurityGroup" {
                for rule in items(&p["SecurityGroupIngress"]) {
                    if rule["CidrIp"] == "0.0.0.0/0" || rule["CidrIpv6"] == "::/0" {
                        let group = json!({"Fn::GetAtt": [id, "GroupId"]});
                        assert!(
                            public_lb_groups.contains(&group),
                            "{at}: open ingress on a group that is not a public ALB's"
                        );
                        assert!(
                            [json!(80), json!(443)].contains(&rule["FromPort"])
                                && rule["FromPort"] == rule["ToPort"],
                            "{at}: {rule}"
                        );
                    }
                }
            }
            assert!(
                ty != "AWS::EC2::SecurityGroupIngress" || p.get("CidrIp").is_none(),
                "{at}: CIDR ingress resource"
            );
            for st in identity_statements(r)
                .into_iter()
                .chain(resource_statements(r))
            {
                if st["Effect"] == "Allow" {
                    assert!(
                        !items(&st["Action"]).contains(&&json!("*")),
                        "{at}: Action *"
                    );
                }
            }
            // Only actions that AWS documents without resource-level permissions may
            // be on "*": the registry login, X-Ray's trace upload, the deploy roles'
            // look-up of who imports an export and the drift roles' detection status;
            // and the drift roles' reads of resources whose names CloudFormation
            // chooses (waived, with the reason, on the role).
            for st in identity_statements(r) {
                if st["Sid"] == "ReadWhatDriftDetectionCompares" {
                    let waivers = r["Metadata"].to_string();
                    assert!(
                        waivers.contains("RCDK-IAM-WILDCARD-RESOURCE"),
                        "{at}: {waivers}"
                    );
                    continue;
                }
                if items(&st["Resource"]).contains(&&json!("*")) {
                    for action in items(&st["Action"]) {
                        assert!(
                            [
                                "cloudformation:ListImports",
                                "cloudformation:DescribeStackDriftDetectionStatus",
                                "ecr:GetAuthorizationToken",
                                "xray:PutTraceSegments",
                                "xray:PutTelemetryRecords",
                                "xray:GetSamplingRules",
                                "xray:GetSamplingTargets",
                                "xray:GetSamplingStatisticSummaries"
                            ]
                            .contains(&action.as_str().unwrap_or_default()),
                            "{at}: Resource * for {action}"
                        );
                    }
                }
            }
            // Trusts name who may assume: no `*`, and a web identity only for exact
            // subjects of one repository.
            for st in items(&p["AssumeRolePolicyDocument"]["Statement"]) {
                assert_ne!(st["Principal"], json!("*"), "{at}");
                assert_ne!(st["Principal"]["AWS"], json!("*"), "{at}");
                if st["Principal"].get("Federated").is_some() {
                    let subjects =
                        &st["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"];
                    let subjects = items(subjects);
                    assert!(!subjects.is_empty(), "{at}: no sub condition");
                    for sub in subjects {
                        let sub = sub.as_str().unwrap_or_default();
                        assert!(
                            sub.starts_with("repo:acme/rcdk-reference:environment:")
                                && !sub.contains('*'),
                            "{at}: {sub}"
                        );
                    }
                }
            }
            let encrypted = match ty {
                "AWS::S3::Bucket" => p.get("BucketEncryption").is_some(),
                "AWS::Logs::LogGroup" => p.get("KmsKeyId").is_some(),
                "AWS::SNS::Topic" => p.get("KmsMasterKeyId").is_some(),
                "AWS::SecretsManager::Secret" => p.get("KmsKeyId").is_some(),
                // A cross-region replica is encrypted as its source, with its region's key.
                "AWS::RDS::DBInstance" if p.get("SourceRegion").is_some() => {
                    p.get("KmsKeyId").is_some() && p.get("StorageEncrypted").is_none()
                }
                "AWS::RDS::DBInstance" => {
                    p["StorageEncrypted"] == true && p.get("KmsKeyId").is_some()
                }
                "AWS::SQS::Queue" => p.get("KmsMasterKeyId").is_some(),
                "AWS::ElastiCache::ReplicationGroup" => {
                    p["AtRestEncryptionEnabled"] == true
                        && p.get("KmsKeyId").is_some()
                        && p["TransitEncryptionEnabled"] == true
                }
                "AWS::ECR::Repository" => {
                    p["EncryptionConfiguration"]["EncryptionType"] == "KMS"
                        && p["ImageScanningConfiguration"]["ScanOnPush"] == true
                        && p["ImageTagMutability"] == "IMMUTABLE"
                }
                _ => true,
            };
            assert!(encrypted, "{at}: {ty} not encrypted");
            if ty == "AWS::RDS::DBInstance" {
                assert_eq!(p["PubliclyAccessible"], false, "{at}");
            }
            if ty == "AWS::ElasticLoadBalancingV2::Listener" && p["Protocol"] == "HTTPS" {
                assert_eq!(
                    p["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    "{at}"
                );
            }
            if ty == "AWS::ElasticLoadBalancingV2::LoadBalancer" && p["Scheme"] == "internet-facing"
            {
                let protected = resources.values().any(|a| {
                    a["Type"] == "AWS::WAFv2::WebACLAssociation"
                        && a["Properties"]["ResourceArn"] == json!({"Ref": id})
                });
                assert!(protected, "{at}: no WAF");
            }
        }
    }
    // The checks above saw every kind they check.
    for kind in [
        "AWS::EC2::SecurityGroup",
        "AWS::IAM::Role",
        "AWS::S3::Bucket",
        "AWS::Logs::LogGroup",
        "AWS::SNS::Topic",
        "AWS::SecretsManager::Secret",
        "AWS::RDS::DBInstance",
        "AWS::SQS::Queue",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::ECR::Repository",
        "AWS::ElasticLoadBalancingV2::Listener",
    ] {
        assert!(seen.get(kind).is_some_and(|n| *n >= 3), "{kind}: {seen:?}");
    }
}

fn guarded() -> (App, Stack) {
    let app = app();
    posture::enforce(&app);
    let s = stack(&app, "s");
    (app, s)
}

fn expect_violation(app: &App, path: &str, rule: Rule, message: &str) {
    let err = synth_err(app);
    let p = err
        .problems
        .iter()
        .find(|p| p.path == path && p.message.starts_with(&format!("[{}]", rule.id())))
        .unwrap_or_else(|| panic!("no {} problem at {path}:\n{err}", rule.id()));
    assert!(
        p.message.starts_with(&format!("[{}] {message}", rule.id())),
        "{}",
        p.message
    );
    assert!(
        p.message
            .contains(&format!("posture::suppress(&resource, Rule::{rule:?}")),
        "{}",
        p.message
    );
}

fn open_group(s: &Stack, port: i64) -> CfnSecurityGroup {
    CfnSecurityGroup::new(
        s,
        "Ssh",
        CfnSecurityGroupProps {
            vpc_id: Some("vpc-1".into()),
            security_group_ingress: Some(vec![Ingress {
                cidr_ip: Some("0.0.0.0/0".into()),
                from_port: Some(port.into()),
                to_port: Some(port.into()),
                ..Ingress::new("tcp")
            }]),
            ..CfnSecurityGroupProps::new("SSH from anywhere")
        },
    )
}

#[test]
fn open_ingress_fails_synthesis() {
    let (app, s) = guarded();
    open_group(&s, 22);
    expect_violation(
        &app,
        "s/Ssh",
        Rule::OpenIngress,
        "ingress from the whole internet on port 22",
    );
    // 443 from anywhere is only for a public load balancer's group.
    let (app, s) = guarded();
    open_group(&s, 443);
    expect_violation(
        &app,
        "s/Ssh",
        Rule::OpenIngress,
        "ingress from the whole internet on port 443",
    );
}

fn role_with(s: &Stack, action: &str, resource: &str) {
    let doc = PolicyDocument::new(vec![
        PolicyStatement::allow()
            .actions([action])
            .resource(resource),
    ]);
    CfnRole::new(
        s,
        "Role",
        CfnRoleProps {
            policies: Some(vec![Policy::new(doc, "Inline")]),
            ..CfnRoleProps::new(PolicyDocument::new(vec![
                PolicyStatement::allow()
                    .principal(Principal::service("lambda.amazonaws.com"))
                    .actions(["sts:AssumeRole"]),
            ]))
        },
    );
}

#[test]
fn wildcard_action_fails_synthesis() {
    let (app, s) = guarded();
    role_with(&s, "*", "arn:aws:s3:::bucket");
    expect_violation(
        &app,
        "s/Role",
        Rule::WildcardAction,
        "statement 1 of the inline policy 'Inline' allows every action (*)",
    );
}

#[test]
fn wildcard_resource_fails_synthesis() {
    let (app, s) = guarded();
    role_with(&s, "s3:GetObject", "*");
    expect_violation(
        &app,
        "s/Role",
        Rule::WildcardResource,
        "statement 1 of the inline policy 'Inline': allows s3:GetObject on every resource (*), though they take resource ARNs; name the resources (ARNs) the actions need",
    );
    let (app, s) = guarded();
    role_with(&s, "ecr:GetAuthorizationToken", "*");
    synth(&app);
}

#[test]
fn unencrypted_log_group_fails_synthesis() {
    let (app, s) = guarded();
    CfnLogGroup::new(
        &s,
        "Logs",
        CfnLogGroupProps {
            retention_in_days: Some(30.into()),
            ..Default::default()
        },
    );
    expect_violation(
        &app,
        "s/Logs",
        Rule::Unencrypted,
        "AWS::Logs::LogGroup is not encrypted at rest",
    );
}

#[test]
fn a_queue_is_encrypted_with_a_customer_key_or_sqs_managed_keys_but_not_neither() {
    use rcdk_l1::sqs::{CfnQueue, CfnQueueProps};
    let (app, s) = guarded();
    CfnQueue::new(
        &s,
        "SqsManaged",
        CfnQueueProps {
            sqs_managed_sse_enabled: Some(true.into()),
            ..Default::default()
        },
    );
    synth(&app);
    let (app, s) = guarded();
    CfnQueue::new(&s, "Plain", CfnQueueProps::default());
    expect_violation(
        &app,
        "s/Plain",
        Rule::Unencrypted,
        "AWS::SQS::Queue is not encrypted at rest; set KmsMasterKeyId (a customer-managed key) or SqsManagedSseEnabled",
    );
}

#[test]
fn public_database_fails_synthesis() {
    let (app, s) = guarded();
    CfnDbInstance::new(
        &s,
        "Db",
        CfnDbInstanceProps {
            engine: Some("postgres".into()),
            db_instance_class: Some("db.t4g.micro".into()),
            storage_encrypted: Some(true.into()),
            kms_key_id: Some("arn:aws:kms:us-east-1:123456789012:key/1".into()),
            publicly_accessible: Some(true.into()),
            ..Default::default()
        },
    );
    expect_violation(
        &app,
        "s/Db",
        Rule::PublicDatabase,
        "the database instance is not set PubliclyAccessible: false",
    );
}

fn public_alb(s: &Stack) -> ApplicationLoadBalancer {
    let vpc = l2_fixtures::dev_vpc(s);
    ApplicationLoadBalancer::new(
        s,
        "Lb",
        AlbProps {
            access_logs: None,
            ..AlbProps::new(&vpc)
        },
    )
}

#[test]
fn weak_tls_fails_synthesis() {
    let (app, s) = guarded();
    let alb = public_alb(&s);
    let listener = alb.add_https_listener(
        "Https",
        HttpsListenerProps {
            certificate_arn: Some(CERTIFICATE.into()),
            ..Default::default()
        },
    );
    // An override the construct's own check cannot see.
    listener.add_property_override("SslPolicy", "ELBSecurityPolicy-2016-08");
    rcdk_constructs::waf::WebAcl::new(&s, "Acl", Default::default()).associate(&alb);
    expect_violation(
        &app,
        "s/Lb/Https",
        Rule::WeakTls,
        "the HTTPS listener's SslPolicy ELBSecurityPolicy-2016-08 allows TLS below 1.2",
    );
}

#[test]
fn load_balancer_without_waf_fails_synthesis() {
    let (app, s) = guarded();
    let alb = public_alb(&s);
    alb.add_https_listener(
        "Https",
        HttpsListenerProps {
            certificate_arn: Some(CERTIFICATE.into()),
            default_action: ListenerAction::not_found(),
            ..Default::default()
        },
    );
    expect_violation(
        &app,
        "s/Lb/Resource",
        Rule::AlbWithoutWaf,
        "this internet-facing load balancer has no WAF web ACL",
    );
}

#[test]
fn suppression_needs_a_reason_and_records_it() {
    let (app, s) = guarded();
    let bucket = Bucket::new(&s, "Artifacts", BucketProps::default());
    let logs = CfnLogGroup::new(
        &s,
        "Logs",
        CfnLogGroupProps {
            retention_in_days: Some(30.into()),
            ..CfnLogGroupProps::default()
        },
    );
    posture::suppress(
        &logs,
        Rule::Unencrypted,
        "Holds only build timings, no user data; agreed in SEC-42",
    );
    let assembly = synth(&app);
    let metadata = &resource(&assembly, "s", "Logs")["Metadata"];
    assert_eq!(
        metadata[posture::SUPPRESSIONS_KEY],
        json!([{"Reason": "Holds only build timings, no user data; agreed in SEC-42", "Rule": "RCDK-ENCRYPTION-AT-REST"}])
    );
    // The same waiver for checkov, in its own format (Guard has no rule for log groups).
    assert_eq!(
        metadata["checkov"],
        json!({"skip": [{"id": "CKV_AWS_158", "comment": "Holds only build timings, no user data; agreed in SEC-42"}]})
    );
    assert!(metadata.get("guard").is_none());
    posture::suppress(&bucket, Rule::Unencrypted, "because");
    let err = synth_err(&app);
    assert_eq!(err.problems[0].path, "s/Artifacts");
    assert_eq!(
        err.problems[0].message,
        "suppressing RCDK-ENCRYPTION-AT-REST needs a written reason of at least 20 characters (why it is safe, who agreed)"
    );
    // A suppression covers one rule only.
    let (app, s) = guarded();
    let group = open_group(&s, 22);
    posture::suppress(
        &group,
        Rule::Unencrypted,
        "A reason long enough to be accepted",
    );
    expect_violation(
        &app,
        "s/Ssh",
        Rule::OpenIngress,
        "ingress from the whole internet",
    );
}

fn trusting(s: &Stack, trust: PolicyStatement) {
    CfnRole::new(
        s,
        "Role",
        CfnRoleProps::new(PolicyDocument::new(vec![trust])),
    );
}

#[test]
fn open_trusts_fail_synthesis() {
    let (app, s) = guarded();
    trusting(
        &s,
        PolicyStatement::allow()
            .principal(Principal::Anyone)
            .actions(["sts:AssumeRole"]),
    );
    expect_violation(
        &app,
        "s/Role",
        Rule::OpenTrust,
        "statement 1 of the trust policy lets any principal (*) assume the role",
    );
    // GitHub's provider without a sub condition: every repository on GitHub.
    let github = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    let (app, s) = guarded();
    trusting(
        &s,
        PolicyStatement::allow()
            .principal(Principal::federated(github))
            .actions(["sts:AssumeRoleWithWebIdentity"])
            .condition(
                rcdk_l1::policy::Operator::StringEquals,
                "token.actions.githubusercontent.com:aud",
                "sts.amazonaws.com",
            ),
    );
    expect_violation(
        &app,
        "s/Role",
        Rule::OpenTrust,
        "statement 1 of the trust policy lets every identity of the provider assume the role (no condition on its sub claim; for GitHub: every repository)",
    );
    let (app, s) = guarded();
    trusting(
        &s,
        PolicyStatement::allow()
            .principal(Principal::federated(github))
            .actions(["sts:AssumeRoleWithWebIdentity"])
            .condition(
                rcdk_l1::policy::Operator::StringLike,
                "token.actions.githubusercontent.com:sub",
                "repo:acme/*",
            ),
    );
    expect_violation(
        &app,
        "s/Role",
        Rule::OpenTrust,
        "statement 1 of the trust policy matches subjects by wildcard ([\"repo:acme/*\"])",
    );
    // Exact subjects pass.
    let (app, s) = guarded();
    trusting(
        &s,
        PolicyStatement::allow()
            .principal(Principal::federated(github))
            .actions(["sts:AssumeRoleWithWebIdentity"])
            .condition(
                rcdk_l1::policy::Operator::StringEquals,
                "token.actions.githubusercontent.com:sub",
                "repo:acme/web:environment:prod",
            ),
    );
    synth(&app);
}

#[test]
fn access_keys_passwords_and_user_policies_fail_synthesis() {
    use rcdk_l1::iam::user::LoginProfile;
    use rcdk_l1::iam::{CfnAccessKey, CfnAccessKeyProps, CfnUser, CfnUserProps};
    let (app, s) = guarded();
    CfnAccessKey::new(&s, "Key", CfnAccessKeyProps::new("ci"));
    expect_violation(
        &app,
        "s/Key",
        Rule::UserCredentials,
        "an access key is a long-lived credential",
    );
    let (app, s) = guarded();
    CfnUser::new(
        &s,
        "Bob",
        CfnUserProps {
            login_profile: Some(LoginProfile::new("Hunter2-Hunter2")),
            ..Default::default()
        },
    );
    expect_violation(
        &app,
        "s/Bob",
        Rule::UserCredentials,
        "the user's console password is in the template",
    );
    let (app, s) = guarded();
    CfnUser::new(
        &s,
        "Carol",
        CfnUserProps {
            managed_policy_arns: Some(
                vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".to_owned()].into(),
            ),
            ..Default::default()
        },
    );
    expect_violation(
        &app,
        "s/Carol",
        Rule::UserCredentials,
        "permissions are attached to the user; attach them to a group",
    );
}

#[test]
fn instances_need_imdsv2_no_public_ip_and_encrypted_volumes() {
    use rcdk_l1::ec2::launch_template::{
        BlockDeviceMapping, Ebs, LaunchTemplateData, MetadataOptions, NetworkInterface,
    };
    use rcdk_l1::ec2::{CfnLaunchTemplate, CfnLaunchTemplateProps};
    let template = |data: LaunchTemplateData| {
        let (app, s) = guarded();
        CfnLaunchTemplate::new(&s, "Template", CfnLaunchTemplateProps::new(data));
        app
    };
    let imds = || {
        Some(MetadataOptions {
            http_tokens: Some("required".into()),
            ..Default::default()
        })
    };
    expect_violation(
        &template(LaunchTemplateData::default()),
        "s/Template",
        Rule::Imdsv1,
        "the instance metadata service answers without a session token (IMDSv1)",
    );
    expect_violation(
        &template(LaunchTemplateData {
            metadata_options: imds(),
            network_interfaces: Some(vec![NetworkInterface {
                associate_public_ip_address: Some(true.into()),
                device_index: Some(0.into()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        "s/Template",
        Rule::PublicInstance,
        "a network interface gets a public IP address",
    );
    expect_violation(
        &template(LaunchTemplateData {
            metadata_options: imds(),
            block_device_mappings: Some(vec![BlockDeviceMapping {
                device_name: Some("/dev/xvda".into()),
                ebs: Some(Ebs {
                    encrypted: Some(true.into()),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        "s/Template",
        Rule::Unencrypted,
        "AWS::EC2::LaunchTemplate is not encrypted at rest",
    );
    synth(&template(LaunchTemplateData {
        metadata_options: imds(),
        ..Default::default()
    }));
}

/// Every L2 built with its defaults (and, for a public load balancer, the WAF it
/// needs) meets every posture rule: the README's examples synthesize under enforce.
#[test]
fn every_l2_with_its_defaults_meets_the_posture() {
    synth(&every_l2_with_its_defaults());
}

/// One app with every L2 built with its defaults, posture enforced (the scanners run
/// on it too).
pub(crate) fn every_l2_with_its_defaults() -> App {
    use rcdk_constructs::backup::{
        BackupPlan, BackupPlanProps, BackupRule, BackupVault, BackupVaultProps, RestoreTestOptions,
        RestoreTestingPlan, RestoreTestingPlanProps, Selection,
    };
    use rcdk_constructs::compute::{Code, Function, FunctionProps};
    use rcdk_constructs::containers::{
        Cluster, ClusterProps, ContainerImage, ContainerProps, Ec2Capacity, Ec2CapacityProps,
        FargateService, FargateServiceProps, FargateTaskDefinition, FargateTaskDefinitionProps,
    };
    use rcdk_constructs::data::{
        PostgresInstance, PostgresInstanceProps, RedisCluster, RedisClusterProps,
    };
    use rcdk_constructs::ecr::{Repository, RepositoryProps};
    use rcdk_constructs::kms::{Key, KeyProps};
    use rcdk_constructs::logs::{LogGroup, LogGroupProps};
    use rcdk_constructs::messaging::{Queue, QueueProps};
    use rcdk_constructs::monitoring::{AlarmTopic, AlarmTopicProps};
    use rcdk_constructs::network::{Vpc, VpcProps};
    use rcdk_constructs::waf::{WebAcl, WebAclProps};
    let (app, s) = guarded();
    let vpc = Vpc::new(&s, "Vpc", VpcProps::default());
    Bucket::new(&s, "Bucket", BucketProps::default());
    LogGroup::new(&s, "Logs", LogGroupProps::default());
    Queue::new(&s, "Queue", QueueProps::default());
    Key::new(&s, "Key", KeyProps::default());
    AlarmTopic::new(&s, "Topic", AlarmTopicProps::default());
    Repository::new(&s, "Repository", RepositoryProps::default());
    Function::new(
        &s,
        "Function",
        FunctionProps::new(
            "python3.13",
            "index.handler",
            Code::Inline("def handler(e, c): pass".into()),
        ),
    );
    let db = PostgresInstance::new(&s, "Database", PostgresInstanceProps::new(&vpc));
    // A database with its defaults is in a backup plan with its defaults, with restore tests.
    let plan = BackupPlan::new(
        &s,
        "Backups",
        BackupPlanProps {
            vault: BackupVault::new(&s, "Vault", BackupVaultProps::default()),
            rules: vec![BackupRule::daily(35), BackupRule::monthly(365)],
            name: None,
        },
    );
    plan.select("Database", Selection::database(&db));
    RestoreTestingPlan::new(
        &s,
        "RestoreTests",
        &plan,
        RestoreTestingPlanProps::default(),
    )
    .add_database("Database", &db, RestoreTestOptions::default());
    RedisCluster::new(&s, "Redis", RedisClusterProps::new(&vpc));
    let alb = ApplicationLoadBalancer::new(&s, "Alb", AlbProps::new(&vpc));
    alb.add_https_listener(
        "Https",
        HttpsListenerProps {
            certificate_arn: Some(CERTIFICATE.into()),
            default_action: ListenerAction::not_found(),
            ..HttpsListenerProps::default()
        },
    );
    WebAcl::new(&s, "Acl", WebAclProps::default()).associate(&alb);
    let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
    let task = FargateTaskDefinition::new(&s, "Task", FargateTaskDefinitionProps::default());
    task.add_container("app", ContainerProps::new(ContainerImage::ecr("app", "1")));
    FargateService::new(
        &s,
        "Service",
        FargateServiceProps::new(&cluster, &task, &vpc),
    );
    Ec2Capacity::new(
        &s,
        "Capacity",
        Ec2CapacityProps::new(&cluster, &vpc, &["m7g.large", "c7g.large"]),
    );
    app
}

/// Every rule names what it enforces elsewhere, and a waiver reaches every scanner that
/// has the check, in that scanner's format.
#[test]
fn rules_map_to_controls_and_one_waiver_reaches_every_scanner() {
    for rule in Rule::ALL {
        let ids = rule.scanner_ids(match rule {
            Rule::OpenIngress => "AWS::EC2::SecurityGroup",
            Rule::Unencrypted => "AWS::SQS::Queue",
            _ => "AWS::IAM::Role",
        });
        // Narrow egress is rcdk's own: no control or scanner asks for it. A policy's
        // validity against the IAM catalogue is what IAM Access Analyzer checks.
        assert!(
            !rule.controls().is_empty()
                || !ids.checkov.is_empty()
                || !ids.cfn_nag.is_empty()
                || rule.summary().contains("(Access Analyzer: ")
                || rule == Rule::WideEgress,
            "{rule:?} maps to nothing"
        );
    }
    assert_eq!(Rule::Imdsv1.controls(), ["EC2.8"]);
    assert_eq!(Rule::AlbWithoutWaf.controls(), ["ELB.16"]);
    let (app, s) = guarded();
    let group = open_group(&s, 80);
    let reason = "Port 80 only redirects to HTTPS; agreed in SEC-7";
    posture::suppress(&group, Rule::OpenIngress, reason);
    posture::suppress(&group, Rule::OpenIngress, reason);
    let assembly = synth(&app);
    let metadata = &resource(&assembly, "s", "Ssh")["Metadata"];
    assert_eq!(
        metadata["checkov"]["skip"],
        json!([
            {"id": "CKV_AWS_24", "comment": reason},
            {"id": "CKV_AWS_25", "comment": reason},
            {"id": "CKV_AWS_260", "comment": reason}
        ])
    );
    assert_eq!(
        metadata["guard"],
        json!({"SuppressedRules": ["vpc_sg_open_only_to_authorized_ports_check", "vpc_sg_restricted_common_ports_check"]})
    );
    // cdk-nag's format: its AwsSolutions id and the NIST, HIPAA and PCI packs' rules
    // that ask the same, each with the reason.
    assert_eq!(
        metadata["cdk_nag"]["rules_to_suppress"],
        json!([
            {"id": "AwsSolutions-EC23", "reason": reason},
            {"id": "NIST.800.53.R5-EC2RestrictedCommonPorts", "reason": reason},
            {"id": "HIPAA.Security-EC2RestrictedCommonPorts", "reason": reason},
            {"id": "PCI.DSS.321-EC2RestrictedCommonPorts", "reason": reason},
            {"id": "NIST.800.53.R5-EC2RestrictedSSH", "reason": reason},
            {"id": "HIPAA.Security-EC2RestrictedSSH", "reason": reason},
            {"id": "PCI.DSS.321-EC2RestrictedSSH", "reason": reason}
        ])
    );
    assert_eq!(
        metadata[posture::SUPPRESSIONS_KEY].as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn a_cdk_nag_check_is_waived_in_cdk_nags_format() {
    let (app, s) = guarded();
    let bucket = Bucket::new(&s, "Reports", BucketProps::default());
    let reason = "Reports are public by design and hold nothing private";
    posture::waive_check(
        &bucket,
        &[
            "AwsSolutions-S5",
            "NIST.800.53.R5-S3BucketReplicationEnabled",
        ],
        reason,
    );
    let assembly = synth(&app);
    let metadata = &resource(&assembly, "s", "Reports")["Metadata"];
    assert_eq!(
        metadata["cdk_nag"]["rules_to_suppress"],
        json!([
            {"id": "AwsSolutions-S5", "reason": reason},
            {"id": "NIST.800.53.R5-S3BucketReplicationEnabled", "reason": reason}
        ])
    );
    assert!(
        metadata
            .get("guard")
            .is_none_or(|g| !g.to_string().contains("AwsSolutions"))
    );
}

#[test]
fn a_scanner_check_no_rule_covers_is_waived_with_a_reason_in_its_format() {
    let (app, s) = guarded();
    let bucket = Bucket::new(&s, "Logs", BucketProps::default());
    posture::waive_check(
        &bucket,
        &["CKV_AWS_18", "s3_bucket_logging_enabled_check"],
        "Holds access logs; logging itself would loop",
    );
    let assembly = synth(&app);
    let metadata = &resource(&assembly, "s", "Logs")["Metadata"];
    assert_eq!(
        metadata["checkov"]["skip"],
        json!([{"id": "CKV_AWS_18", "comment": "Holds access logs; logging itself would loop"}])
    );
    // The app's waiver, then the bucket's default decisions (SSE-S3, no Object Lock,
    // no notifications, no lifecycle), each with its own reason.
    assert_eq!(
        metadata["guard"]["SuppressedRules"],
        json!([
            "s3_bucket_logging_enabled_check",
            "s3_bucket_default_encryption_kms_check",
            "s3_bucket_object_lock_enabled_check",
            "s3_event_notifications_enabled_check",
            "s3_lifecycle_policy_check",
            "s3_version_lifecycle_policy_check"
        ])
    );
    assert_eq!(
        metadata[posture::WAIVERS_KEY].as_array().map(Vec::len),
        Some(7)
    );
    let (app, s) = guarded();
    let bucket = Bucket::new(&s, "Logs", BucketProps::default());
    posture::waive_check(&bucket, &["CKV_AWS_18"], "because");
    assert_eq!(
        synth_err(&app).problems[0].message,
        "waiving CKV_AWS_18 needs a written reason of at least 20 characters (why it is safe, who agreed)"
    );
}

#[test]
fn every_key_lets_only_aws_services_create_grants() {
    let (app, s) = guarded();
    rcdk_constructs::kms::Key::new(&s, "Key", Default::default());
    let assembly = synth(&app);
    let statements = &resource(&assembly, "s", "Key")["Properties"]["KeyPolicy"]["Statement"];
    let deny = items(statements)
        .into_iter()
        .find(|st| st["Sid"] == "GrantsOnlyForAwsResources")
        .unwrap_or_else(|| panic!("no grant guard in {statements}"));
    // The shape Control Tower's CT.KMS.PR.3 asks for: a Deny to everyone unless the
    // grant is for an AWS resource or the caller is an AWS service.
    assert_eq!(
        deny,
        &json!({
            "Sid": "GrantsOnlyForAwsResources", "Effect": "Deny", "Principal": "*",
            "Action": "kms:CreateGrant", "Resource": "*",
            "Condition": {"BoolIfExists": {
                "kms:GrantIsForAWSResource": "false",
                "aws:PrincipalIsAWSService": "false"
            }}
        })
    );
}

/// A resource of `type_name` with `props`, in a guarded stack.
fn raw(s: &Stack, id: &str, type_name: &str, props: J) -> rcdk::CfnResource {
    rcdk::CfnResource::new(s, id, type_name, rcdk::Value::from(props))
}

#[test]
fn each_hardening_rule_fails_synthesis_on_the_resource_that_breaks_it() {
    let key = "arn:aws:kms:us-east-1:123456789012:key/1";
    let cases: Vec<(Rule, &str, J, &str)> = vec![
        (
            Rule::BucketPublicAccess,
            "AWS::S3::Bucket",
            json!({"BucketEncryption": {}}),
            "the bucket does not block public access",
        ),
        (
            Rule::BucketVersioning,
            "AWS::S3::Bucket",
            json!({"BucketEncryption": {}}),
            "the bucket is not versioned",
        ),
        (
            Rule::BucketTls,
            "AWS::S3::Bucket",
            json!({"BucketEncryption": {}}),
            "no bucket policy denies requests without TLS",
        ),
        (
            Rule::BucketAccessLogs,
            "AWS::S3::Bucket",
            json!({"BucketEncryption": {}}),
            "requests to the bucket are not logged",
        ),
        (
            Rule::AlbInvalidHeaders,
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            json!({"Scheme": "internal"}),
            "the load balancer passes HTTP headers with invalid characters",
        ),
        (
            Rule::AlbDeletionProtection,
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            json!({"Scheme": "internal"}),
            "the load balancer can be deleted",
        ),
        (
            Rule::AlbAccessLogs,
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            json!({"Scheme": "internal"}),
            "the load balancer keeps no access logs",
        ),
        (
            Rule::DatabaseBackups,
            "AWS::RDS::DBInstance",
            json!({"PubliclyAccessible": false, "StorageEncrypted": true, "KmsKeyId": key, "BackupRetentionPeriod": 3}),
            "the database keeps automated backups 3 days",
        ),
        (
            Rule::DatabaseIamAuth,
            "AWS::RDS::DBInstance",
            json!({"PubliclyAccessible": false, "StorageEncrypted": true, "KmsKeyId": key}),
            "the database takes no IAM authentication",
        ),
        (
            Rule::DatabaseMultiAz,
            "AWS::RDS::DBInstance",
            json!({"PubliclyAccessible": false, "StorageEncrypted": true, "KmsKeyId": key}),
            "the database runs in one Availability Zone",
        ),
        (
            Rule::DatabaseMinorUpgrades,
            "AWS::RDS::DBInstance",
            json!({"PubliclyAccessible": false, "StorageEncrypted": true, "KmsKeyId": key, "AutoMinorVersionUpgrade": false}),
            "the database takes no minor version upgrades",
        ),
        (
            Rule::DatabaseDeletionProtection,
            "AWS::RDS::DBInstance",
            json!({"PubliclyAccessible": false, "StorageEncrypted": true, "KmsKeyId": key}),
            "the database can be deleted",
        ),
        (
            Rule::LogRetention,
            "AWS::Logs::LogGroup",
            json!({"KmsKeyId": key}),
            "the log group keeps its events forever",
        ),
        (
            Rule::RepositoryScanOnPush,
            "AWS::ECR::Repository",
            json!({"ImageTagMutability": "IMMUTABLE"}),
            "images are not scanned",
        ),
        (
            Rule::RepositoryMutableTags,
            "AWS::ECR::Repository",
            json!({"ImageScanningConfiguration": {"ScanOnPush": true}}),
            "a pushed tag can be overwritten",
        ),
        (
            Rule::FunctionDeadLetter,
            "AWS::Lambda::Function",
            json!({"Role": "arn:aws:iam::123456789012:role/r"}),
            "asynchronous events that keep failing are dropped",
        ),
        (
            Rule::SecretRotation,
            "AWS::SecretsManager::Secret",
            json!({"KmsKeyId": key}),
            "the secret is never rotated",
        ),
        (
            Rule::KeyRotation,
            "AWS::KMS::Key",
            json!({"KeyPolicy": {}}),
            "the key is not rotated",
        ),
    ];
    for (rule, type_name, props, message) in cases {
        let (app, s) = guarded();
        raw(&s, "It", type_name, props);
        expect_violation(&app, "s/It", rule, message);
        // Each rule names what it enforces elsewhere, and the ids scanners give it.
        let ids = rule.scanner_ids(type_name);
        assert!(
            !ids.checkov.is_empty()
                || !ids.guard.is_empty()
                || matches!(rule, Rule::SecretRotation | Rule::WideEgress),
            "{rule:?} has no scanner id"
        );
    }
}

#[test]
fn a_bucket_that_receives_logs_needs_no_logs_of_its_own_and_defaults_log_to_their_own() {
    let (app, s) = guarded();
    // A default bucket logs to a bucket of its own, which (receiving logs) logs nowhere.
    Bucket::new(&s, "Reports", BucketProps::default());
    let assembly = synth(&app);
    let reports = &resource(&assembly, "s", "Reports")["Properties"];
    assert_eq!(
        reports["LoggingConfiguration"],
        json!({"DestinationBucketName": {"Ref": "ReportsAccessLogs"}, "LogFilePrefix": "Reports/"})
    );
    let logs = resource(&assembly, "s", "ReportsAccessLogs");
    assert!(logs["Properties"].get("LoggingConfiguration").is_none());
    assert_eq!(
        logs["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
            ["SSEAlgorithm"],
        "AES256",
        "S3 delivers access logs to SSE-S3 buckets only"
    );
    // A bucket nothing logs to, logging nowhere, is a finding.
    let (app, s) = guarded();
    Bucket::new(
        &s,
        "Quiet",
        BucketProps {
            access_logs: rcdk_constructs::storage::AccessLogging::Off,
            ..BucketProps::default()
        },
    );
    expect_violation(
        &app,
        "s/Quiet",
        Rule::BucketAccessLogs,
        "requests to the bucket are not logged",
    );
}

#[test]
fn an_environment_wide_suppression_covers_resources_made_after_it() {
    let (app, s) = guarded();
    // Suppressed first, as the reference app does for a disposable environment.
    posture::suppress_all(
        &s,
        "AWS::ECR::Repository",
        Rule::RepositoryMutableTags,
        "Development images are rebuilt on every push; nothing deploys a dev tag twice",
    );
    raw(
        &s,
        "Images",
        "AWS::ECR::Repository",
        json!({"ImageScanningConfiguration": {"ScanOnPush": true}}),
    );
    let assembly = synth(&app);
    let metadata = &resource(&assembly, "s", "Images")["Metadata"];
    assert_eq!(
        metadata[posture::SUPPRESSIONS_KEY][0]["Rule"],
        "RCDK-ECR-IMMUTABLE-TAGS"
    );
    assert_eq!(metadata["checkov"]["skip"][0]["id"], "CKV_AWS_51");
    assert_eq!(
        metadata["guard"]["SuppressedRules"],
        json!(["ecr_private_tag_immutability_enabled_check"])
    );
}

#[test]
fn rcdk_posture_reports_findings_waivers_and_rules_and_fails_on_a_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("cdk.out");
    let app = App::with_context(Default::default(), &out);
    // What `rcdk posture` sets: findings are recorded instead of failing synthesis.
    app.set_context(posture::REPORT_CONTEXT, json!(true));
    posture::enforce(&app);
    let s = stack(&app, "s");
    raw(
        &s,
        "Images",
        "AWS::ECR::Repository",
        json!({"ImageScanningConfiguration": {"ScanOnPush": true}}),
    );
    let key = rcdk_constructs::kms::Key::new(&s, "Key", Default::default());
    posture::waive_check(
        &key,
        &["CKV_AWS_33"],
        "A made-up check waived to show its reason in the report",
    );
    app.synth_to(&out).unwrap_or_else(|e| panic!("{e}"));
    let path = out.display().to_string();
    let (code, stdout, stderr) = run_rcdk(&["posture", "--app", &path]);
    assert_eq!(code, Some(1), "a finding fails: {stdout}{stderr}");
    assert!(
        stdout.contains("s: 35 rules, 1 finding, 1 waiver"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "FINDING RCDK-ECR-IMMUTABLE-TAGS s/Images (Images): a pushed tag can be overwritten"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "waived  CKV_AWS_33 s/Key (Key): A made-up check waived to show its reason in the report"
        ),
        "{stdout}"
    );
    let (_, stdout, _) = run_rcdk(&["posture", "--app", &path, "--format", "json"]);
    let j: J = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(j[0]["stack"], "s");
    assert_eq!(j[0]["findings"][0]["rule"], "RCDK-ECR-IMMUTABLE-TAGS");
    assert_eq!(j[0]["findings"][0]["path"], "s/Images");
    let rules = j[0]["rules"].as_array().map(Vec::len);
    assert_eq!(rules, Some(Rule::ALL.len()));
    let imdsv2 = j[0]["rules"]
        .as_array()
        .and_then(|l| l.iter().find(|r| r["Id"] == "RCDK-EC2-IMDSV2"))
        .expect("the IMDSv2 rule");
    assert_eq!(imdsv2["Controls"], json!(["EC2.8"]));
    let (_, stdout, _) = run_rcdk(&["posture", "--app", &path, "--format", "markdown"]);
    assert!(stdout.contains("| s | 35 | 1 | 1 |"), "{stdout}");
    assert!(
        stdout.contains("| s | RCDK-ECR-IMMUTABLE-TAGS | `s/Images (Images)` |"),
        "{stdout}"
    );
}

#[test]
fn rcdk_posture_checks_the_templates_of_an_app_that_does_not_enforce_the_posture() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("cdk.out");
    let app = App::with_context(Default::default(), &out);
    let s = stack(&app, "plain");
    Bucket::new(&s, "Reports", BucketProps::default());
    raw(&s, "Open", "AWS::ECR::Repository", json!({}));
    app.synth_to(&out).unwrap_or_else(|e| panic!("{e}"));
    // Synthesis did not check it; `rcdk posture` runs the rules on its template, with
    // the waivers the bucket's construct wrote.
    let (code, stdout, _) = run_rcdk(&["posture", "--app", &out.display().to_string()]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("plain: 35 rules checked on the template, 2 findings, 11 waivers"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FINDING RCDK-ECR-SCAN-ON-PUSH plain/Open (Open)"),
        "{stdout}"
    );
}

#[test]
fn a_cfn_lint_rule_is_waived_in_cfn_lints_own_metadata_and_cfn_lint_honours_it() {
    let lint = |waive: bool| {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = app();
        let s = stack(&a, "s");
        let topic = raw(&s, "Topic", "AWS::SNS::Topic", json!({}));
        let subscription = raw(
            &s,
            "Subscription",
            "AWS::SNS::Subscription",
            json!({"TopicArn": {"Ref": "Topic"}, "Protocol": "email", "Endpoint": "a@example.com"}),
        );
        // A DependsOn the Ref already implies: cfn-lint's W3005.
        subscription.add_depends_on(&topic);
        if waive {
            posture::waive_check(
                &subscription,
                &["W3005"],
                "Kept explicit so the order survives a refactor that drops the Ref",
            );
        }
        a.synth_to(dir.path()).expect("synth");
        let path = dir.path().join("s.template.json");
        let template: J =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("template")).expect("JSON");
        let out = std::process::Command::new(crate::support::cfn_lint())
            .arg(&path)
            .output()
            .expect("cfn-lint runs");
        (
            template["Resources"]["Subscription"]["Metadata"].clone(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (_, report) = lint(false);
    assert!(report.contains("W3005"), "{report}");
    let (metadata, report) = lint(true);
    assert_eq!(
        metadata["cfn-lint"],
        json!({"config": {"ignore_checks": ["W3005"]}})
    );
    assert_eq!(metadata[posture::WAIVERS_KEY][0]["Check"], "W3005");
    assert!(!report.contains("W3005"), "{report}");
}
