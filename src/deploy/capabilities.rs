//! Capabilities a template needs, read from the template itself.

use aws_sdk_cloudformation::types::Capability;
use serde_json::Value as J;

/// IAM resources need `CAPABILITY_IAM`, named ones `CAPABILITY_NAMED_IAM`, macros and
/// transforms `CAPABILITY_AUTO_EXPAND`.
pub fn capabilities_for(template: &J) -> Vec<Capability> {
    let mut iam = false;
    let mut named = false;
    for r in template
        .get("Resources")
        .and_then(J::as_object)
        .into_iter()
        .flat_map(|m| m.values())
    {
        let ty = r.get("Type").and_then(J::as_str).unwrap_or_default();
        if ty.starts_with("AWS::IAM::") {
            iam = true;
            let p = r.get("Properties");
            let name_fields = [
                "RoleName",
                "UserName",
                "GroupName",
                "ManagedPolicyName",
                "InstanceProfileName",
            ];
            if name_fields
                .iter()
                .any(|f| p.and_then(|p| p.get(*f)).is_some())
            {
                named = true;
            }
        }
    }
    let mut out = Vec::new();
    if named {
        out.push(Capability::CapabilityNamedIam);
    } else if iam {
        out.push(Capability::CapabilityIam);
    }
    if template.get("Transform").is_some() {
        out.push(Capability::CapabilityAutoExpand);
    }
    out
}
