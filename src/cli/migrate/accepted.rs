//! What the IAM catalogue finds in a template's policies before it is migrated: the
//! migrated code accepts those findings as deployed (`posture::accept_as_deployed`, each
//! finding written above it), so the app synthesizes the template unchanged and every
//! synth lists what to narrow.

use std::collections::BTreeMap;

use serde_json::Value as J;

use crate::posture::FINDINGS_KEY;

/// Logical id → `RULE: problem` of each finding on it. A template that cannot be
/// included as written has none here (the migrated app's own synth then shows them).
pub fn policy_findings(stack_name: &str, template: &J) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let Ok(synthesized) =
        crate::cli::posture::synthesize_in_report_mode(stack_name, template.clone(), [], false)
    else {
        return out;
    };
    // Paths as the migrated stack will have them (no include scope).
    let included = format!("{stack_name}/Template/");
    let migrated = format!("{stack_name}/");
    for (id, r) in synthesized["Resources"].as_object().into_iter().flatten() {
        let findings: Vec<String> = r["Metadata"][FINDINGS_KEY]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                format!(
                    "{}: {}",
                    f["Rule"].as_str().unwrap_or("?"),
                    f["Problem"]
                        .as_str()
                        .unwrap_or("?")
                        .replace(&included, &migrated)
                )
            })
            .collect();
        if !findings.is_empty() {
            out.insert(id.clone(), findings);
        }
    }
    out
}
