//! Reading IAM statements out of resource properties.

use crate::Value;

/// A boolean as templates write it: `true`, or `"true"` (CloudFormation reads both).
pub(super) fn flag(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Whether a boolean as templates write it is true.
pub(super) fn is_true(v: Option<&Value>) -> bool {
    flag(v) == Some(true)
}

/// A whole number as templates write it: `443`, or `"443"`.
pub(super) fn whole(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Int(i) => Some(*i),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// One statement and where it was found (for messages).
pub(super) struct Statement<'a> {
    pub place: String,
    pub value: &'a Value,
}

fn as_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::List(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

fn statements_of<'a>(document: Option<&'a Value>, place: &str, out: &mut Vec<Statement<'a>>) {
    let Some(list) = document.and_then(|d| d.get_path(&["Statement"])) else {
        return;
    };
    for (i, s) in as_list(list).into_iter().enumerate() {
        out.push(Statement {
            place: format!("statement {} of {place}", i + 1),
            value: s,
        });
    }
}

/// Types with inline policies (`Policies`); a role also has its trust policy.
const INLINE_POLICY_TYPES: &[&str] = &["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"];
/// Types that are one identity policy (`PolicyDocument`).
const POLICY_TYPES: &[&str] = &["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"];
/// A service control policy (`Content`), when its `Type` says so.
const ORGANIZATIONS_POLICY: &str = "AWS::Organizations::Policy";
/// Types with a resource policy, and the property that holds it.
const RESOURCE_POLICY_FIELDS: &[(&str, &str)] = &[
    ("AWS::S3::BucketPolicy", "PolicyDocument"),
    ("AWS::SNS::TopicPolicy", "PolicyDocument"),
    ("AWS::SQS::QueuePolicy", "PolicyDocument"),
    ("AWS::KMS::Key", "KeyPolicy"),
    ("AWS::SecretsManager::ResourcePolicy", "ResourcePolicy"),
    ("AWS::ECR::Repository", "RepositoryPolicyText"),
    ("AWS::Backup::BackupVault", "AccessPolicy"),
];

/// Whether resources of `type_name` may hold policy statements (the other functions
/// here find none in any other type).
pub(super) fn may_hold_policies(type_name: &str) -> bool {
    INLINE_POLICY_TYPES.contains(&type_name)
        || POLICY_TYPES.contains(&type_name)
        || type_name == ORGANIZATIONS_POLICY
        || RESOURCE_POLICY_FIELDS.iter().any(|(t, _)| *t == type_name)
}

/// Identity-policy statements (what a principal may do) of a resource.
pub(super) fn identity_statements<'a>(type_name: &str, props: &'a Value) -> Vec<Statement<'a>> {
    let mut out = Vec::new();
    match type_name {
        t if INLINE_POLICY_TYPES.contains(&t) => {
            if let Some(policies) = props.get_path(&["Policies"]) {
                for p in as_list(policies) {
                    let name = p
                        .get_path(&["PolicyName"])
                        .and_then(Value::as_str)
                        .unwrap_or("?");
                    statements_of(
                        p.get_path(&["PolicyDocument"]),
                        &format!("the inline policy '{name}'"),
                        &mut out,
                    );
                }
            }
        }
        t if POLICY_TYPES.contains(&t) => {
            statements_of(props.get_path(&["PolicyDocument"]), "the policy", &mut out);
        }
        // A service control policy limits what the accounts' principals may do (tag and
        // backup policies are other documents).
        ORGANIZATIONS_POLICY
            if props.get_path(&["Type"]).and_then(Value::as_str)
                == Some("SERVICE_CONTROL_POLICY") =>
        {
            statements_of(props.get_path(&["Content"]), "the policy", &mut out);
        }
        _ => {}
    }
    out
}

/// Resource-policy statements (who may use this resource) of a resource.
pub(super) fn resource_statements<'a>(type_name: &str, props: &'a Value) -> Vec<Statement<'a>> {
    let mut out = Vec::new();
    let Some((_, field)) = RESOURCE_POLICY_FIELDS.iter().find(|(t, _)| *t == type_name) else {
        return out;
    };
    statements_of(props.get_path(&[field]), "the resource policy", &mut out);
    out
}

/// Trust-policy statements (who may assume the role) of a role.
pub(super) fn trust_statements<'a>(type_name: &str, props: &'a Value) -> Vec<Statement<'a>> {
    let mut out = Vec::new();
    if type_name == "AWS::IAM::Role" {
        statements_of(
            props.get_path(&["AssumeRolePolicyDocument"]),
            "the trust policy",
            &mut out,
        );
    }
    out
}

pub(super) fn is_allow(statement: &Value) -> bool {
    statement.get_path(&["Effect"]).and_then(Value::as_str) == Some("Allow")
}

/// Literal actions of a statement (`NotAction` counts as every action).
pub(super) fn actions(statement: &Value) -> Vec<String> {
    if statement.get_path(&["NotAction"]).is_some() {
        return vec!["*".to_owned()];
    }
    statement
        .get_path(&["Action"])
        .map(as_list)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect()
}

pub(super) fn list(v: Option<&Value>) -> Vec<&Value> {
    v.map(as_list).unwrap_or_default()
}
