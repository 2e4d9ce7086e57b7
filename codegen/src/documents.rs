//! Properties the schemas type as free JSON but AWS documents a shape for: they get the
//! hand-written document types of `rcdk-l1` (`policy`, `documents`) instead of `Value`.

/// Last path segments that name an IAM policy document (identity, trust or resource
/// policy), wherever they are untyped in a schema.
const POLICY_PROPERTIES: &[&str] = &[
    "AccessPolicies",
    "AccessPolicy",
    "AssumeRolePolicyDocument",
    "DeliveryDestinationPolicy",
    "FileSystemPolicy",
    "InlinePolicy",
    "KeyPolicy",
    "ModelPackageGroupPolicy",
    "NamespaceResourcePolicy",
    "PermissionsPolicyDocument",
    "Policy",
    "PolicyDocument",
    "PolicyText",
    "RepositoryPolicyText",
    "ResourcePolicy",
    "ResourcePolicyDocument",
    "S3AccessPolicy",
];

/// Properties with such a name that hold another language (a network policy, Cedar, …).
const NOT_IAM: &[(&str, &str)] = &[(
    "AWS::NetworkManager::CoreNetwork",
    "/properties/PolicyDocument",
)];

/// One-off documents: (type, property path, Rust type).
const OTHERS: &[(&str, &str, &str)] = &[
    (
        "AWS::SQS::Queue",
        "/properties/RedrivePolicy",
        "crate::documents::RedrivePolicy",
    ),
    (
        "AWS::SQS::Queue",
        "/properties/RedriveAllowPolicy",
        "crate::documents::RedriveAllowPolicy",
    ),
    (
        "AWS::Events::Rule",
        "/properties/EventPattern",
        "crate::documents::EventPattern",
    ),
    (
        "AWS::Events::Archive",
        "/properties/EventPattern",
        "crate::documents::EventPattern",
    ),
];

/// The document type of an otherwise untyped property, if it has one.
pub fn document_type(type_name: &str, path: &str) -> Option<&'static str> {
    if let Some((_, _, ty)) = OTHERS
        .iter()
        .find(|(t, p, _)| *t == type_name && *p == path)
    {
        return Some(ty);
    }
    let last = path.rsplit('/').next().unwrap_or_default();
    let is_policy = POLICY_PROPERTIES.contains(&last)
        && !NOT_IAM.iter().any(|(t, p)| *t == type_name && *p == path)
        // Content of an Organizations policy is an SCP, in the IAM grammar.
        || (type_name.starts_with("AWS::Organizations::") && last == "Content");
    is_policy.then_some("crate::policy::PolicyDocument")
}
