//! Generates rcdk's L1 layer from the CloudFormation resource provider schemas that
//! ship in the PyPI package `cfn-lint` (pinned in `scripts/install-tools.sh`).
//!
//! Output, committed under `src/l1/generated/`: one typed props struct per resource
//! type in [`types::GENERATED_TYPES`] with nested property types and attribute handles,
//! and a registry of every type in the schemas (create-only properties for replacement
//! prediction, tagging, attributes).

mod catalog;
mod model;
mod names;
mod registry;
mod render;
pub mod types;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as J;

/// Where the generated files go, relative to the workspace root.
pub const OUTPUT_DIR: &str = "src/l1/generated";

/// The loaded schemas: type name → resource schema.
pub struct Schemas {
    pub version: String,
    pub dir: PathBuf,
    pub types: BTreeMap<String, J>,
    /// Type name → the `Fn::GetAtt` names cfn-lint accepts (its own rules, which add
    /// writable properties for some types, e.g. `AWS::EC2::VPC.CidrBlock`).
    pub attributes: BTreeMap<String, Vec<String>>,
}

const GETATTS_SCRIPT: &str = r#"
import json, sys
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m
types = json.load(open(sys.argv[1]))
out = {t: sorted(m.get_resource_schema("us-east-1", t).get_atts.keys()) for t in sorted(types)}
print(json.dumps(out))
"#;

/// Asks the pinned cfn-lint which attributes each type has.
fn getatts(root: &Path, dir: &Path) -> Result<BTreeMap<String, Vec<String>>, String> {
    let python = root.join(".tools/venv/bin/python");
    let out = Command::new(&python)
        .args(["-c", GETATTS_SCRIPT])
        .arg(dir.join("providers/us-east-1.json"))
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(format!(
            "cfn-lint attribute listing failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let all: BTreeMap<String, Vec<String>> = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("cfn-lint attribute listing: {e}"))?;
    // Pattern entries (e.g. `Outputs\..*`) and tag lists are not attributes one reads by name.
    Ok(all
        .into_iter()
        .map(|(t, names)| {
            let names = names
                .into_iter()
                .filter(|n| n != "Tags" && !n.contains(['\\', '*']))
                .collect();
            (t, names)
        })
        .collect())
}

/// Installs the pinned tools (idempotent) and returns the schema directory of cfn-lint.
pub fn schemas_dir(root: &Path) -> Result<PathBuf, String> {
    let script = root.join("scripts/install-tools.sh");
    let status = Command::new("bash")
        .arg(&script)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !status.success() {
        return Err(format!("{} failed ({status})", script.display()));
    }
    let python = root.join(".tools/venv/bin/python");
    let out = Command::new(&python)
        .args([
            "-c",
            "import cfnlint, os; print(os.path.dirname(cfnlint.__file__))",
        ])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(format!(
            "cfn-lint is not importable: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("data/schemas");
    Ok(dir)
}

pub fn load(root: &Path, dir: &Path) -> Result<Schemas, String> {
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
    };
    let version_py = read(&dir.join("../../version.py"))?;
    let version = version_py
        .lines()
        .find(|l| l.starts_with("__version__"))
        .and_then(|l| l.split(['"', '\'']).nth(1))
        .ok_or_else(|| "cannot find __version__ in cfnlint/version.py".to_owned())?
        .to_owned();
    let providers: BTreeMap<String, String> =
        serde_json::from_str(&read(&dir.join("providers/us-east-1.json"))?)
            .map_err(|e| format!("providers/us-east-1.json: {e}"))?;
    let mut types = BTreeMap::new();
    for (type_name, file) in providers {
        let path = dir.join("resources").join(format!("{file}.json"));
        let schema: J =
            serde_json::from_str(&read(&path)?).map_err(|e| format!("{}: {e}", path.display()))?;
        types.insert(type_name, schema);
    }
    let attributes = getatts(root, dir)?;
    Ok(Schemas {
        version,
        dir: dir.to_path_buf(),
        types,
        attributes,
    })
}

/// Generated files: path relative to the workspace root → contents.
pub fn generate(schemas: &Schemas) -> Result<BTreeMap<String, String>, String> {
    let mut by_service: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for type_name in types::GENERATED_TYPES {
        let schema = schemas.types.get(*type_name).ok_or_else(|| {
            format!(
                "{type_name} is not in the cfn-lint {} schemas",
                schemas.version
            )
        })?;
        let attributes = schemas
            .attributes
            .get(*type_name)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let resource = model::Resource::build(type_name, schema, attributes)?;
        let service = type_name.split("::").nth(1).unwrap_or_default();
        by_service
            .entry(names::service_module(service))
            .or_default()
            .push(render::resource(&resource));
    }
    let header = format!(
        "// @generated by rcdk-codegen from the cfn-lint {} resource schemas. Do not edit;\n// run `cargo run -p rcdk-codegen` to regenerate.\n",
        schemas.version
    );
    let mut files = BTreeMap::new();
    let mut mod_rs = format!(
        "{header}//! Generated L1 resources, one module per service.\n\n#![allow(clippy::too_many_arguments, clippy::large_enum_variant, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items, rustdoc::all)]\n\npub mod registry;\n"
    );
    for (service, modules) in &by_service {
        mod_rs.push_str(&format!("pub mod {service};\n"));
        let mut body = format!("{header}//! L1 resources of the service `{service}`.\n");
        for m in modules {
            body.push('\n');
            body.push_str(m);
        }
        files.insert(format!("{OUTPUT_DIR}/{service}.rs"), body);
    }
    files.insert(format!("{OUTPUT_DIR}/mod.rs"), mod_rs);
    files.insert(
        format!("{OUTPUT_DIR}/registry.rs"),
        registry::render(&header, schemas),
    );
    files.insert(
        catalog::OUTPUT.to_owned(),
        catalog::render(&header, &schemas.dir, &schemas.version)?,
    );
    Ok(files)
}

/// Files whose committed contents differ from `files` (or that are missing or extra).
pub fn stale(root: &Path, files: &BTreeMap<String, String>) -> Vec<String> {
    let mut out: Vec<String> = files
        .iter()
        .filter(|(path, contents)| {
            std::fs::read_to_string(root.join(path)).ok().as_ref() != Some(*contents)
        })
        .map(|(path, _)| path.clone())
        .collect();
    if let Ok(entries) = std::fs::read_dir(root.join(OUTPUT_DIR)) {
        for e in entries.flatten() {
            let rel = format!("{OUTPUT_DIR}/{}", e.file_name().to_string_lossy());
            if !files.contains_key(&rel) {
                out.push(rel);
            }
        }
    }
    out
}

pub fn write(root: &Path, files: &BTreeMap<String, String>) -> Result<(), String> {
    let dir = root.join(OUTPUT_DIR);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
    }
    for (path, contents) in files {
        let target = root.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&target, contents).map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    Ok(())
}

/// The workspace root (this crate lives in `codegen/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed L1 code must be what the pinned schemas generate.
    #[test]
    fn generated_code_is_fresh() {
        let root = workspace_root();
        let dir =
            schemas_dir(&root).expect("the pinned cfn-lint installs (scripts/install-tools.sh)");
        let schemas = load(&root, &dir).expect("schemas load");
        let files = generate(&schemas).expect("generation succeeds");
        let stale = stale(&root, &files);
        assert!(
            stale.is_empty(),
            "generated L1 code is stale: {stale:?}; run `cargo run -p rcdk-codegen` and commit"
        );
    }
}
