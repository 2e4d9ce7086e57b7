//! The rules, run once over every resource below the scope `enforce` was given.

use crate::expr::Intrinsic;
use crate::{CfnResource, Scope, Value};

use super::policy::{
    actions, flag, identity_statements, is_allow, is_true, list, resource_statements, whole,
};
use super::{Rule, backups, hardening, report};

/// Whether an ELB security policy's minimum protocol is TLS 1.2 or 1.3: names like
/// `ELBSecurityPolicy-TLS13-1-2-…`, `ELBSecurityPolicy-TLS-1-2-…`, `ELBSecurityPolicy-FS-1-2-…`.
pub fn is_modern_tls_policy(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("ELBSecurityPolicy-") else {
        return false;
    };
    ["TLS13-", "TLS-", "FS-"].iter().any(|family| {
        rest.strip_prefix(family)
            .is_some_and(|v| v.starts_with("1-2-") || v.starts_with("1-3-"))
    })
}

const PUBLIC_PORTS: [i64; 2] = [80, 443];

struct Resource {
    handle: CfnResource,
    type_name: String,
    props: Value,
}

/// What the checks of one resource need to know about the others.
pub(super) struct Prepared {
    /// `Ref`s of internet-facing application load balancers.
    public_lbs: Vec<Value>,
    /// Security groups of those load balancers.
    public_lb_groups: Vec<Value>,
    /// Load balancers a WAF web ACL is associated with.
    waf_protected: Vec<Value>,
    hardening: hardening::Context,
    /// What the app's AWS Backup selections name.
    backups: backups::Selections,
}

fn resource_of(handle: CfnResource) -> Resource {
    Resource {
        type_name: handle.resource_type(),
        props: handle.properties(),
        handle,
    }
}

/// Reads every resource at or below `root` once, before the resources are checked.
pub(super) fn prepare(root: &Scope) -> Prepared {
    let resources: Vec<Resource> = std::iter::once(root.clone())
        .chain(root.descendants())
        .filter_map(|s| s.as_resource())
        .map(resource_of)
        .collect();
    let public: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.type_name == "AWS::ElasticLoadBalancingV2::LoadBalancer")
        .filter(|r| {
            r.props
                .get_path(&["Scheme"])
                .and_then(Value::as_str)
                .unwrap_or("internet-facing")
                == "internet-facing"
        })
        .filter(|r| {
            r.props
                .get_path(&["Type"])
                .and_then(Value::as_str)
                .unwrap_or("application")
                == "application"
        })
        .collect();
    let subjects: Vec<hardening::Subject<'_>> = resources
        .iter()
        .map(|r| hardening::Subject {
            handle: &r.handle,
            type_name: &r.type_name,
            props: &r.props,
        })
        .collect();
    Prepared {
        public_lbs: public
            .iter()
            .map(|lb| Value::from(lb.handle.ref_()))
            .collect(),
        public_lb_groups: public
            .iter()
            .flat_map(|lb| list(lb.props.get_path(&["SecurityGroups"])))
            .map(group_id)
            .collect(),
        waf_protected: resources
            .iter()
            .filter(|r| r.type_name == "AWS::WAFv2::WebACLAssociation")
            .filter_map(|r| r.props.get_path(&["ResourceArn"]).cloned())
            .collect(),
        hardening: hardening::context(&subjects),
        backups: backups::selections(resources.iter().map(|r| (r.type_name.as_str(), &r.props))),
    }
}

/// Checks one resource. Run on each resource's own visit, so suppressions that
/// other aspects add (posture::suppress_all) are in place first.
pub(super) fn check(handle: CfnResource, prepared: &Prepared) {
    let r = resource_of(handle);
    hardening::check(
        &hardening::Subject {
            handle: &r.handle,
            type_name: &r.type_name,
            props: &r.props,
        },
        &prepared.hardening,
    );
    check_iam(&r);
    check_encryption(&r);
    check_ingress(&r, &prepared.public_lb_groups);
    check_database(&r);
    check_listener(&r, &prepared.public_lbs);
    check_trust(&r);
    check_user(&r);
    check_instance(&r);
    backups::check(&r.handle, &r.type_name, &r.props, &prepared.backups);
    let lb_ref = Value::from(r.handle.ref_());
    if prepared.public_lbs.contains(&lb_ref) && !prepared.waf_protected.contains(&lb_ref) {
        report(
            &r.handle,
            Rule::AlbWithoutWaf,
            "this internet-facing load balancer has no WAF web ACL",
            "create a waf::WebAcl and call associate(&load_balancer)",
        );
    }
}

fn check_iam(r: &Resource) {
    let identity = identity_statements(&r.type_name, &r.props);
    let resource_policy = resource_statements(&r.type_name, &r.props);
    for s in identity
        .iter()
        .chain(resource_policy.iter())
        .filter(|s| is_allow(s.value))
    {
        let acts = actions(s.value);
        if acts.iter().any(|a| a == "*" || a == "*:*") {
            report(
                &r.handle,
                Rule::WildcardAction,
                &format!("{} allows every action (*)", s.place),
                "list the actions it needs",
            );
        }
    }
}

fn has(props: &Value, path: &[&str]) -> bool {
    props.get_path(path).is_some_and(|v| !v.is_null())
}

fn check_encryption(r: &Resource) {
    let p = &r.props;
    let missing = match r.type_name.as_str() {
        "AWS::S3::Bucket" => {
            (!has(p, &["BucketEncryption"])).then_some("BucketEncryption (SSE-S3 or SSE-KMS)")
        }
        "AWS::SNS::Topic" => {
            (!has(p, &["KmsMasterKeyId"])).then_some("KmsMasterKeyId (a customer-managed key)")
        }
        // SSE-SQS is encryption at rest too (what AWS Security Hub's SQS.1 checks),
        // like SSE-S3 for buckets; the template must say which.
        "AWS::SQS::Queue" => (!has(p, &["KmsMasterKeyId"])
            && !is_true(p.get_path(&["SqsManagedSseEnabled"])))
        .then_some("KmsMasterKeyId (a customer-managed key) or SqsManagedSseEnabled"),
        "AWS::SecretsManager::Secret" => {
            (!has(p, &["KmsKeyId"])).then_some("KmsKeyId (a customer-managed key)")
        }
        "AWS::Logs::LogGroup" => (!has(p, &["KmsKeyId"]))
            .then_some("KmsKeyId (a customer-managed key; LogGroupProps.encryption_key)"),
        "AWS::RDS::DBInstance" => {
            // A replica is encrypted as its source is; across regions it names the key
            // of its region (and may not say StorageEncrypted).
            let replica = has(p, &["SourceDBInstanceIdentifier"]);
            let cross_region = replica && has(p, &["SourceRegion"]);
            let encrypted = is_true(p.get_path(&["StorageEncrypted"])) && has(p, &["KmsKeyId"]);
            if cross_region {
                (!has(p, &["KmsKeyId"]))
                    .then_some("KmsKeyId (a customer-managed key of the replica's region)")
            } else {
                (!replica && !encrypted)
                    .then_some("StorageEncrypted with KmsKeyId (a customer-managed key)")
            }
        }
        "AWS::ElastiCache::ReplicationGroup" => {
            (!is_true(p.get_path(&["AtRestEncryptionEnabled"])))
                .then_some("AtRestEncryptionEnabled")
        }
        "AWS::EC2::Volume" => (!is_true(p.get_path(&["Encrypted"])) || !has(p, &["KmsKeyId"]))
            .then_some("Encrypted with KmsKeyId (a customer-managed key)"),
        "AWS::EC2::LaunchTemplate" | "AWS::EC2::Instance" => {
            let mappings = if r.type_name == "AWS::EC2::Instance" {
                list(p.get_path(&["BlockDeviceMappings"]))
            } else {
                list(p.get_path(&["LaunchTemplateData", "BlockDeviceMappings"]))
            };
            let plain = mappings.iter().any(|m| {
                m.get_path(&["Ebs"]).is_some()
                    && (!is_true(m.get_path(&["Ebs", "Encrypted"]))
                        || !has(m, &["Ebs", "KmsKeyId"]))
            });
            plain.then_some(
                "Ebs.Encrypted with Ebs.KmsKeyId (a customer-managed key) on every block device",
            )
        }
        _ => None,
    };
    if let Some(what) = missing {
        report(
            &r.handle,
            Rule::Unencrypted,
            &format!("{} is not encrypted at rest", r.type_name),
            &format!("set {what}"),
        );
    }
}

fn open_rule(rule: &Value) -> bool {
    ["CidrIp", "CidrIpv6"].iter().any(|k| {
        matches!(
            rule.get_path(&[k]).and_then(Value::as_str),
            Some("0.0.0.0/0" | "::/0")
        )
    })
}

fn public_port_only(rule: &Value) -> bool {
    let port = |k: &str| whole(rule.get_path(&[k]));
    rule.get_path(&["IpProtocol"]).and_then(Value::as_str) == Some("tcp")
        && port("FromPort").is_some_and(|p| PUBLIC_PORTS.contains(&p))
        && port("FromPort") == port("ToPort")
}

/// A security group as a rule or a load balancer names it: `Ref` of a VPC security group
/// is its id, as `Fn::GetAtt [Group, GroupId]` is; both read as the latter.
fn group_id(v: &Value) -> Value {
    match v {
        Value::Intrinsic(i) => match i.as_ref() {
            Intrinsic::Ref(target) => Value::intrinsic(Intrinsic::GetAtt {
                target: *target,
                attribute: "GroupId".into(),
                is_list: false,
            }),
            _ => v.clone(),
        },
        _ => v.clone(),
    }
}

fn check_ingress(r: &Resource, public_lb_groups: &[Value]) {
    let (rules, group): (Vec<&Value>, Option<Value>) = match r.type_name.as_str() {
        "AWS::EC2::SecurityGroup" => (
            list(r.props.get_path(&["SecurityGroupIngress"])),
            Some(Value::from(r.handle.get_att::<String>("GroupId"))),
        ),
        "AWS::EC2::SecurityGroupIngress" => {
            (vec![&r.props], r.props.get_path(&["GroupId"]).map(group_id))
        }
        _ => return,
    };
    for rule in rules.into_iter().filter(|rule| open_rule(rule)) {
        let allowed =
            public_port_only(rule) && group.as_ref().is_some_and(|g| public_lb_groups.contains(g));
        if !allowed {
            let port = match rule.get_path(&["FromPort"]) {
                None => "all ports".to_owned(),
                Some(p) => match whole(Some(p)) {
                    Some(-1) => "all ports".to_owned(),
                    Some(n) => format!("port {n}"),
                    None => format!("port {p:?}"),
                },
            };
            report(
                &r.handle,
                Rule::OpenIngress,
                &format!("ingress from the whole internet on {port}"),
                "admit a security group or a private CIDR instead; only an internet-facing load balancer may take 80/443 from anywhere",
            );
        }
    }
}

fn check_database(r: &Resource) {
    if r.type_name == "AWS::RDS::DBInstance"
        && flag(r.props.get_path(&["PubliclyAccessible"])) != Some(false)
    {
        report(
            &r.handle,
            Rule::PublicDatabase,
            "the database instance is not set PubliclyAccessible: false",
            "set PubliclyAccessible to false",
        );
    }
}

fn check_listener(r: &Resource, public_lbs: &[Value]) {
    if r.type_name != "AWS::ElasticLoadBalancingV2::Listener" {
        return;
    }
    let protocol = r
        .props
        .get_path(&["Protocol"])
        .and_then(Value::as_str)
        .unwrap_or("");
    match protocol {
        "HTTPS" => {
            let policy = r.props.get_path(&["SslPolicy"]).and_then(Value::as_str);
            if !policy.is_some_and(is_modern_tls_policy) {
                report(
                    &r.handle,
                    Rule::WeakTls,
                    &match policy {
                        Some(p) => format!("the HTTPS listener's SslPolicy {p} allows TLS below 1.2"),
                        None => "the HTTPS listener names no SslPolicy, and ELB's default allows TLS below 1.2".to_owned(),
                    },
                    "use ELBSecurityPolicy-TLS13-1-2-2021-06",
                );
            }
        }
        "HTTP" => {
            let lb = r.props.get_path(&["LoadBalancerArn"]);
            let public = lb.is_some_and(|lb| public_lbs.contains(lb));
            let redirects = list(r.props.get_path(&["DefaultActions"])).iter().all(|a| {
                a.get_path(&["Type"]).and_then(Value::as_str) == Some("redirect")
                    && a.get_path(&["RedirectConfig", "Protocol"])
                        .and_then(Value::as_str)
                        == Some("HTTPS")
            });
            if public && !redirects {
                report(
                    &r.handle,
                    Rule::WeakTls,
                    "plain HTTP on an internet-facing load balancer does not redirect to HTTPS",
                    "serve HTTPS and use add_http_redirect for port 80",
                );
            }
        }
        _ => {}
    }
}

/// Whether a principal is everyone: `"*"` or `{"AWS": "*"}`.
fn anyone(principal: Option<&Value>) -> bool {
    match principal {
        Some(Value::String(s)) => s == "*",
        Some(p) => list(p.get_path(&["AWS"]))
            .iter()
            .any(|a| a.as_str() == Some("*")),
        None => false,
    }
}

/// The values of condition keys ending in `:sub`, under any operator.
fn subject_values(statement: &Value) -> Option<Vec<&Value>> {
    let Some(Value::Map(operators)) = statement.get_path(&["Condition"]) else {
        return None;
    };
    let mut found = None;
    for keys in operators.values() {
        if let Value::Map(keys) = keys {
            for (key, values) in keys {
                if key.ends_with(":sub") {
                    found
                        .get_or_insert_with(Vec::new)
                        .extend(list(Some(values)));
                }
            }
        }
    }
    found
}

fn check_trust(r: &Resource) {
    if r.type_name != "AWS::IAM::Role" {
        return;
    }
    let statements = list(r.props.get_path(&["AssumeRolePolicyDocument", "Statement"]));
    for (i, s) in statements.iter().enumerate().filter(|(_, s)| is_allow(s)) {
        let n = i + 1;
        if anyone(s.get_path(&["Principal"])) {
            report(
                &r.handle,
                Rule::OpenTrust,
                &format!(
                    "statement {n} of the trust policy lets any principal (*) assume the role"
                ),
                "name the account, service or identity provider that may",
            );
        }
        let web_identity = actions(s)
            .iter()
            .any(|a| a == "sts:AssumeRoleWithWebIdentity" || a == "*");
        if !web_identity || s.get_path(&["Principal", "Federated"]).is_none() {
            continue;
        }
        match subject_values(s) {
            None => report(
                &r.handle,
                Rule::OpenTrust,
                &format!(
                    "statement {n} of the trust policy lets every identity of the provider assume the role (no condition on its sub claim; for GitHub: every repository)"
                ),
                "add a StringEquals condition on the provider's :sub (e.g. repo:OWNER/NAME:environment:prod)",
            ),
            Some(values) => {
                let wild: Vec<&str> = values
                    .iter()
                    .filter_map(|v| v.as_str())
                    .filter(|v| v.contains('*'))
                    .collect();
                if !wild.is_empty() {
                    report(
                        &r.handle,
                        Rule::OpenTrust,
                        &format!(
                            "statement {n} of the trust policy matches subjects by wildcard ({wild:?}): every matching branch or environment may assume the role"
                        ),
                        "name the exact subjects",
                    );
                }
            }
        }
    }
}

fn check_user(r: &Resource) {
    match r.type_name.as_str() {
        "AWS::IAM::AccessKey" => report(
            &r.handle,
            Rule::UserCredentials,
            "an access key is a long-lived credential, and its secret lands in the stack's state",
            "let people sign in (SSO or a password set out of band) and machines assume roles (GithubDeployRole for CI)",
        ),
        "AWS::IAM::User" => {
            if has(&r.props, &["LoginProfile"]) {
                report(
                    &r.handle,
                    Rule::UserCredentials,
                    "the user's console password is in the template, readable by everyone who reads it",
                    "remove LoginProfile; an administrator sets the first password out of band, to be changed at first sign-in",
                );
            }
            if has(&r.props, &["Policies"]) || has(&r.props, &["ManagedPolicyArns"]) {
                report(
                    &r.handle,
                    Rule::UserCredentials,
                    "permissions are attached to the user",
                    "attach them to a group (iam::Group) and add the user to it",
                );
            }
        }
        _ => {}
    }
}

/// Instances and launch templates: IMDSv2 only, no public address.
fn check_instance(r: &Resource) {
    let data = match r.type_name.as_str() {
        "AWS::EC2::LaunchTemplate" => r.props.get_path(&["LaunchTemplateData"]),
        "AWS::EC2::Instance" => Some(&r.props),
        _ => return,
    };
    let Some(data) = data else {
        return;
    };
    if data
        .get_path(&["MetadataOptions", "HttpTokens"])
        .and_then(Value::as_str)
        != Some("required")
    {
        report(
            &r.handle,
            Rule::Imdsv1,
            "the instance metadata service answers without a session token (IMDSv1), which SSRF in any process can read the role's credentials through",
            "set MetadataOptions.HttpTokens to required (Ec2Capacity does)",
        );
    }
    let public = list(data.get_path(&["NetworkInterfaces"]))
        .iter()
        .any(|n| is_true(n.get_path(&["AssociatePublicIpAddress"])));
    if public {
        report(
            &r.handle,
            Rule::PublicInstance,
            "a network interface gets a public IP address: the instance is reachable from the internet wherever its security group allows",
            "set AssociatePublicIpAddress to false and reach the internet through NAT",
        );
    }
}
