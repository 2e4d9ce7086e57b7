//! Readable, stable logical ids: PascalCase of the construct path below the stack.

/// Path components that name "the" resource of a construct and are left out of the
/// id, so `Vpc/Resource` is `Vpc`, as in the AWS CDK.
const HIDDEN: [&str; 2] = ["Resource", "Default"];

pub(crate) const MAX_LENGTH: usize = 255;

/// `["Vpc", "PublicSubnet1", "RouteTable"]` → `VpcPublicSubnet1RouteTable`.
pub fn from_components(components: &[&str]) -> String {
    let mut kept: Vec<&str> = components
        .iter()
        .copied()
        .filter(|c| !HIDDEN.contains(c))
        .collect();
    if kept.is_empty() {
        kept = components.to_vec();
    }
    kept.dedup();
    kept.iter().map(|c| pascal_case(c)).collect()
}

/// `dev-network` → `DevNetwork`; characters CloudFormation rejects are dropped.
pub fn pascal_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper_next = true;
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            if upper_next {
                out.push(ch.to_ascii_uppercase());
            } else {
                out.push(ch);
            }
            upper_next = false;
        } else {
            upper_next = true;
        }
    }
    out
}

pub(crate) fn is_valid(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_LENGTH && id.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_components_become_pascal_case() {
        assert_eq!(
            from_components(&["Vpc", "PublicSubnet1", "RouteTable"]),
            "VpcPublicSubnet1RouteTable"
        );
        assert_eq!(
            from_components(&["web-service", "task_def"]),
            "WebServiceTaskDef"
        );
    }

    #[test]
    fn resource_and_default_components_are_hidden() {
        assert_eq!(from_components(&["Vpc", "Resource"]), "Vpc");
        assert_eq!(from_components(&["Db", "Default", "Secret"]), "DbSecret");
        assert_eq!(from_components(&["Resource"]), "Resource");
    }

    #[test]
    fn repeated_components_collapse() {
        assert_eq!(from_components(&["Bucket", "Bucket"]), "Bucket");
    }

    #[test]
    fn validity() {
        assert!(is_valid("Vpc1"));
        assert!(!is_valid("Vpc-1"));
        assert!(!is_valid(""));
        assert!(!is_valid(&"A".repeat(256)));
    }
}
