//! Templates named on the command line (`--template PATH…`) instead of an app: a file
//! (JSON, or YAML with CloudFormation's short forms; a golden snapshot too), or every
//! template under a folder. Each is one stack, named after its file, so `posture`, `cost`
//! and `diff` work on a repository of hand-written templates without an app.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value as J;

use super::{AssemblyStack, CliError};

/// Reads one template file; a golden snapshot (insta's `---` header) is read as its body.
pub fn read_template(path: &Path) -> Result<J, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| CliError::Config {
        path: path.into(),
        message: e.to_string(),
    })?;
    let body = match text.strip_prefix("---\n") {
        Some(rest) if rest.starts_with("source:") => {
            rest.split_once("\n---\n").map_or(rest, |(_, b)| b)
        }
        _ => &text,
    };
    let template = crate::diff::parse_template(body).map_err(|e| CliError::Config {
        path: path.into(),
        message: format!("not a JSON or YAML template: {e}"),
    })?;
    if !template.is_object() {
        return Err(CliError::Config {
            path: path.into(),
            message: format!(
                "not a CloudFormation template: a template is an object with a Resources section, this file holds {}",
                super::assembly::json_kind(&template)
            ),
        });
    }
    Ok(template)
}

/// Extensions of template files looked for in a folder.
const EXTENSIONS: [&str; 5] = ["json", "yaml", "yml", "template", "snap"];

/// The template files under `dir`, sorted; hidden entries and `node_modules` skipped.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let entries = std::fs::read_dir(dir).map_err(|e| CliError::Config {
        path: dir.into(),
        message: e.to_string(),
    })?;
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || name == "node_modules" {
            continue;
        }
        if path.is_dir() {
            files_under(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| EXTENSIONS.contains(&e.to_string_lossy().as_ref()))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// `network.template.json` → `network`; characters a stack name cannot hold become `-`.
fn stack_name_of(path: &Path) -> String {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = EXTENSIONS
        .iter()
        .chain(&["template"])
        .fold(file.as_str(), |s, ext| {
            s.strip_suffix(&format!(".{ext}")).unwrap_or(s)
        })
        .to_owned();
    let mut name: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    name = name.trim_matches('-').to_owned();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name = format!("t-{name}");
    }
    name.truncate(128);
    name
}

/// Each template as a stack; a folder gives every template under it. In a folder, a file
/// that is not a template (no `Resources` object) is skipped; named on its own, it is an
/// error. Two files with one name are told apart by their folders (`prod-app`, `dev-app`).
pub fn stacks(paths: &[PathBuf]) -> Result<Vec<AssemblyStack>, CliError> {
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            files_under(path, &mut found)?;
            files.extend(found.into_iter().map(|f| (f, false)));
        } else {
            files.push((path.clone(), true));
        }
    }
    let mut read: Vec<(PathBuf, J)> = Vec::new();
    for (path, named) in files {
        match read_template(&path) {
            Ok(t) if t.get("Resources").is_some_and(J::is_object) => read.push((path, t)),
            Ok(_) if !named => {}
            Ok(_) => {
                return Err(CliError::Config {
                    path,
                    message: "not a CloudFormation template: it has no Resources section".into(),
                });
            }
            Err(_) if !named => {}
            Err(e) => return Err(e),
        }
    }
    if read.is_empty() {
        return Err(CliError::Usage(format!(
            "no CloudFormation template in {} (looked for .json, .yaml, .yml, .template and .snap files with a Resources section)",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for (path, _) in &read {
        *names.entry(stack_name_of(path)).or_default() += 1;
    }
    let mut taken: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    Ok(read
        .into_iter()
        .map(|(path, template)| {
            let mut name = stack_name_of(&path);
            if names.get(&name).copied().unwrap_or(0) > 1
                && let Some(parent) = path.parent().and_then(Path::file_name)
            {
                name = stack_name_of(Path::new(&format!("{}-{name}", parent.to_string_lossy())));
            }
            let base = name.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}-{n}");
                n += 1;
            }
            let template_bytes = serde_json::to_string(&template).map_or(0, |t| t.len());
            AssemblyStack {
                artifact_id: name.clone(),
                stack_name: name.clone(),
                display_name: path.display().to_string(),
                environment: "aws://unknown-account/unknown-region".into(),
                template_path: path,
                template,
                template_bytes,
                dependencies: Vec::new(),
                termination_protection: false,
                tags: BTreeMap::new(),
                messages: Vec::new(),
                assets: Vec::new(),
                unpublishable_assets: Vec::new(),
                roles: Default::default(),
                stack_set: None,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_names_come_from_file_names() {
        assert_eq!(
            stack_name_of(Path::new("a/network.template.json")),
            "network"
        );
        assert_eq!(stack_name_of(Path::new("vpc_stack.yaml")), "vpc-stack");
        assert_eq!(stack_name_of(Path::new("2024 web.yml")), "t-2024-web");
        assert_eq!(stack_name_of(Path::new("dev-app.snap")), "dev-app");
    }
}
