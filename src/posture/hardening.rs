//! The rules scanners expect of each resource type rcdk generates: buckets, load
//! balancers, databases, log groups, repositories, functions, secrets and keys.

use crate::{CfnResource, Value};

use super::policy::{flag, is_true, list, whole};
use super::{Rule, report};

/// One resource as the checks see it.
pub(super) struct Subject<'a> {
    pub handle: &'a CfnResource,
    pub type_name: &'a str,
    pub props: &'a Value,
}

/// What other resources say about a resource: that it receives logs, is rotated.
#[derive(Default)]
pub(super) struct Context {
    /// `Ref`s of buckets that other resources deliver logs to.
    pub log_destinations: Vec<Value>,
    /// `Ref`s of secrets a rotation schedule rotates.
    pub rotated_secrets: Vec<Value>,
    /// `Ref`s of buckets a policy denies plain HTTP on.
    pub tls_only_buckets: Vec<Value>,
    /// Function names and ARNs an event invoke config gives an on-failure destination.
    pub functions_with_destination: Vec<Value>,
}

fn attribute<'a>(props: &'a Value, key: &str) -> Option<&'a Value> {
    list(props.get_path(&["LoadBalancerAttributes"]))
        .into_iter()
        .find(|a| a.get_path(&["Key"]).and_then(Value::as_str) == Some(key))
        .and_then(|a| a.get_path(&["Value"]))
}

/// Reads what each resource says about the others.
pub(super) fn context(subjects: &[Subject<'_>]) -> Context {
    let mut c = Context::default();
    for s in subjects {
        let p = s.props;
        match s.type_name {
            "AWS::S3::Bucket" => {
                if let Some(d) = p.get_path(&["LoggingConfiguration", "DestinationBucketName"]) {
                    c.log_destinations.push(d.clone());
                }
            }
            "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
                if let Some(b) = attribute(p, "access_logs.s3.bucket") {
                    c.log_destinations.push(b.clone());
                }
            }
            "AWS::CloudTrail::Trail" => {
                if let Some(b) = p.get_path(&["S3BucketName"]) {
                    c.log_destinations.push(b.clone());
                }
            }
            "AWS::EC2::FlowLog" => {
                if let Some(b) = p.get_path(&["LogDestination"]) {
                    c.log_destinations.push(b.clone());
                }
            }
            "AWS::SecretsManager::RotationSchedule" => {
                if let Some(id) = p.get_path(&["SecretId"]) {
                    c.rotated_secrets.push(id.clone());
                    // Named through its target attachment (whose Ref is the secret's).
                    let attachment = subjects.iter().find(|a| {
                        a.type_name == "AWS::SecretsManager::SecretTargetAttachment"
                            && Value::from(a.handle.ref_()) == *id
                    });
                    if let Some(secret) = attachment.and_then(|a| a.props.get_path(&["SecretId"])) {
                        c.rotated_secrets.push(secret.clone());
                    }
                }
            }
            "AWS::S3::BucketPolicy" => {
                let denies_http = list(p.get_path(&["PolicyDocument", "Statement"]))
                    .iter()
                    .any(|st| {
                        st.get_path(&["Effect"]).and_then(Value::as_str) == Some("Deny")
                            && st
                                .get_path(&["Condition", "Bool", "aws:SecureTransport"])
                                .and_then(Value::as_str)
                                == Some("false")
                    });
                if let (true, Some(b)) = (denies_http, p.get_path(&["Bucket"])) {
                    c.tls_only_buckets.push(b.clone());
                }
            }
            "AWS::Lambda::EventInvokeConfig" => {
                if p.get_path(&["DestinationConfig", "OnFailure", "Destination"])
                    .is_some()
                    && let Some(f) = p.get_path(&["FunctionName"])
                {
                    c.functions_with_destination.push(f.clone());
                }
            }
            _ => {}
        }
    }
    c
}

pub(super) fn check(s: &Subject<'_>, c: &Context) {
    let own_ref = Value::from(s.handle.ref_());
    let p = s.props;
    let fail = |rule, problem: &str, fix: &str| report(s.handle, rule, problem, fix);
    match s.type_name {
        "AWS::S3::Bucket" => {
            let blocked = [
                "BlockPublicAcls",
                "BlockPublicPolicy",
                "IgnorePublicAcls",
                "RestrictPublicBuckets",
            ]
            .iter()
            .all(|k| is_true(p.get_path(&["PublicAccessBlockConfiguration", k])));
            if !blocked {
                fail(
                    Rule::BucketPublicAccess,
                    "the bucket does not block public access (all four PublicAccessBlockConfiguration settings)",
                    "set all four to true (storage::Bucket does)",
                );
            }
            if p.get_path(&["VersioningConfiguration", "Status"])
                .and_then(Value::as_str)
                != Some("Enabled")
            {
                fail(
                    Rule::BucketVersioning,
                    "the bucket is not versioned: an overwrite or delete loses the object",
                    "set versioned: true and expire old versions with a lifecycle rule",
                );
            }
            if !c.tls_only_buckets.contains(&own_ref) {
                fail(
                    Rule::BucketTls,
                    "no bucket policy denies requests without TLS (aws:SecureTransport false)",
                    "add a Deny statement on aws:SecureTransport false (storage::Bucket does)",
                );
            }
            if p.get_path(&["LoggingConfiguration"]).is_none()
                && !c.log_destinations.contains(&own_ref)
            {
                fail(
                    Rule::BucketAccessLogs,
                    "requests to the bucket are not logged (S3 server access logging)",
                    "keep BucketProps.access_logs at its default (a log bucket of its own) or name one",
                );
            }
        }
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            let application = p
                .get_path(&["Type"])
                .and_then(Value::as_str)
                .unwrap_or("application")
                == "application";
            if application
                && !is_true(attribute(
                    p,
                    "routing.http.drop_invalid_header_fields.enabled",
                ))
            {
                fail(
                    Rule::AlbInvalidHeaders,
                    "the load balancer passes HTTP headers with invalid characters to its targets (request smuggling)",
                    "set the attribute routing.http.drop_invalid_header_fields.enabled to true",
                );
            }
            if !is_true(attribute(p, "deletion_protection.enabled")) {
                fail(
                    Rule::AlbDeletionProtection,
                    "the load balancer can be deleted by any stack update or console click",
                    "set deletion_protection: true",
                );
            }
            if !is_true(attribute(p, "access_logs.s3.enabled")) {
                fail(
                    Rule::AlbAccessLogs,
                    "the load balancer keeps no access logs",
                    "set access_logs (AlbProps, on by default)",
                );
            }
        }
        "AWS::RDS::DBInstance" => {
            let replica = p.get_path(&["SourceDBInstanceIdentifier"]).is_some();
            let backups = match p.get_path(&["BackupRetentionPeriod"]) {
                // RDS's default for an instance created by CloudFormation.
                None => 1,
                v => whole(v).unwrap_or(0),
            };
            if !replica && backups < 7 {
                fail(
                    Rule::DatabaseBackups,
                    &format!("the database keeps automated backups {backups} days"),
                    "set backup_retention_days to 7 or more",
                );
            }
            if !is_true(p.get_path(&["EnableIAMDatabaseAuthentication"])) {
                fail(
                    Rule::DatabaseIamAuth,
                    "the database takes no IAM authentication: every client needs the master password",
                    "set EnableIAMDatabaseAuthentication (iam_authentication: true)",
                );
            }
            if !is_true(p.get_path(&["MultiAZ"])) {
                fail(
                    Rule::DatabaseMultiAz,
                    "the database runs in one Availability Zone: losing the zone stops it",
                    "set multi_az: true",
                );
            }
            if flag(p.get_path(&["AutoMinorVersionUpgrade"])) == Some(false) {
                fail(
                    Rule::DatabaseMinorUpgrades,
                    "the database takes no minor version upgrades (security fixes)",
                    "leave AutoMinorVersionUpgrade on",
                );
            }
            if !is_true(p.get_path(&["DeletionProtection"])) {
                fail(
                    Rule::DatabaseDeletionProtection,
                    "the database can be deleted by a stack update or an API call",
                    "set deletion_protection: true",
                );
            }
        }
        "AWS::Logs::LogGroup" if p.get_path(&["RetentionInDays"]).is_none() => {
            fail(
                Rule::LogRetention,
                "the log group keeps its events forever (no RetentionInDays)",
                "set a retention (LogGroupProps.retention_days)",
            );
        }
        "AWS::ECR::Repository" => {
            if !is_true(p.get_path(&["ImageScanningConfiguration", "ScanOnPush"])) {
                fail(
                    Rule::RepositoryScanOnPush,
                    "images are not scanned for vulnerabilities when pushed",
                    "set ImageScanningConfiguration.ScanOnPush (ecr::Repository does)",
                );
            }
            if p.get_path(&["ImageTagMutability"]).and_then(Value::as_str) != Some("IMMUTABLE") {
                fail(
                    Rule::RepositoryMutableTags,
                    "a pushed tag can be overwritten: the image a deploy names may change under it",
                    "set ImageTagMutability to IMMUTABLE (ecr::Repository does)",
                );
            }
        }
        "AWS::Lambda::Function" => {
            let dlq = p.get_path(&["DeadLetterConfig", "TargetArn"]).is_some();
            let destination = c.functions_with_destination.contains(&own_ref)
                || c.functions_with_destination
                    .contains(&Value::from(s.handle.get_att::<String>("Arn")));
            if !dlq && !destination {
                fail(
                    Rule::FunctionDeadLetter,
                    "asynchronous events that keep failing are dropped (no dead-letter queue, no on-failure destination)",
                    "keep FunctionProps.dead_letter_queue at its default (a queue of its own) or name one",
                );
            }
        }
        "AWS::SecretsManager::Secret" if !c.rotated_secrets.contains(&own_ref) => {
            fail(
                Rule::SecretRotation,
                "the secret is never rotated (no AWS::SecretsManager::RotationSchedule)",
                "add a rotation schedule, or suppress with what rotates it",
            );
        }
        "AWS::EC2::SecurityGroup" | "AWS::EC2::SecurityGroupEgress" => {
            let rules = if s.type_name == "AWS::EC2::SecurityGroup" {
                list(p.get_path(&["SecurityGroupEgress"]))
            } else {
                vec![p]
            };
            let wide = rules.iter().any(|r| {
                let everything = matches!(
                    r.get_path(&["IpProtocol"]),
                    Some(Value::String(p)) if p == "-1"
                ) || matches!(r.get_path(&["IpProtocol"]), Some(Value::Int(-1)));
                let anywhere = ["CidrIp", "CidrIpv6"].iter().any(|k| {
                    matches!(
                        r.get_path(&[k]).and_then(Value::as_str),
                        Some("0.0.0.0/0" | "::/0")
                    )
                });
                everything && anywhere
            });
            if wide {
                fail(
                    Rule::WideEgress,
                    "the security group lets all traffic out to the whole internet",
                    "use SecurityGroup::https_egress (HTTPS out, plus what its connections add) or name the ports and peers",
                );
            }
        }
        "AWS::KMS::Key" => {
            let symmetric = p
                .get_path(&["KeySpec"])
                .and_then(Value::as_str)
                .unwrap_or("SYMMETRIC_DEFAULT")
                == "SYMMETRIC_DEFAULT";
            if symmetric && !is_true(p.get_path(&["EnableKeyRotation"])) {
                fail(
                    Rule::KeyRotation,
                    "the key is not rotated",
                    "set EnableKeyRotation (kms::Key does by default)",
                );
            }
        }
        _ => {}
    }
}
