//! Generates rcdk's L1 layer from the CloudFormation resource provider schemas that
//! ship in the PyPI package `cfn-lint` (pinned in `scripts/install-tools.sh`).
//!
//! Output, committed: one typed props struct per resource type of the schemas, with
//! nested property types and attribute handles, one module and cargo feature per
//! service, the services spread over the crates `l1/parts/part1` … (balanced by size, so
//! cargo compiles them in parallel) and re-exported by `rcdk-l1` (`l1/src/services.rs`,
//! `l1/Cargo.toml`); the list of fields the schemas give no shape
//! (`l1/JSON_FALLBACKS.md`); and in the core, a registry of every type (create-only
//! properties for replacement prediction, tagging, attributes).

mod cache_catalog;
mod catalog;
mod documents;
mod iam_catalog;
mod lambda_catalog;
mod model;
mod names;
mod registry;
mod render;
mod shapes;
pub mod types;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as J;

/// Where the generated service crates go, relative to the workspace root.
pub const PARTS_DIR: &str = "l1/parts";
/// How many crates the services are spread over: enough to keep two cores busy with
/// room to balance; each crate costs cargo a little.
pub const PARTS: usize = 4;
/// The L1 crate's manifest, with one feature per service.
pub const MANIFEST: &str = "l1/Cargo.toml";
/// The L1 crate's re-exports of the services.
pub const SERVICES: &str = "l1/src/services.rs";
/// Where earlier versions put the generated services (leftovers there are removed).
const OLD_OUTPUT_DIR: &str = "l1/src/generated";
/// The list of fields generated as untyped JSON.
pub const FALLBACKS: &str = "l1/JSON_FALLBACKS.md";

/// The loaded schemas: type name → resource schema.
pub struct Schemas {
    pub version: String,
    pub dir: PathBuf,
    pub types: BTreeMap<String, J>,
    /// Type name → the `Fn::GetAtt` names cfn-lint accepts (its own rules, which add
    /// writable properties for some types, e.g. `AWS::EC2::VPC.CidrBlock`).
    pub attributes: BTreeMap<String, Vec<String>>,
    /// Every IAM action of cfn-lint's catalogue (`AdditionalSpecs/Policies.json`, what its
    /// W3037 checks), lowercase `service:action`.
    pub iam_actions: std::collections::BTreeSet<String>,
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
    let policies: BTreeMap<String, J> =
        serde_json::from_str(&read(&dir.join("../AdditionalSpecs/Policies.json"))?)
            .map_err(|e| format!("AdditionalSpecs/Policies.json: {e}"))?;
    let iam_actions = policies
        .iter()
        .flat_map(|(service, spec)| {
            spec.get("Actions")
                .and_then(J::as_object)
                .into_iter()
                .flat_map(move |actions| actions.keys().map(move |a| format!("{service}:{a}")))
        })
        .map(|a| a.to_lowercase())
        .collect();
    Ok(Schemas {
        version,
        dir: dir.to_path_buf(),
        types,
        attributes,
        iam_actions,
    })
}

/// Generated files: path relative to the workspace root → contents.
pub fn generate(schemas: &Schemas) -> Result<BTreeMap<String, String>, String> {
    let mut by_service: BTreeMap<String, Vec<model::Resource>> = BTreeMap::new();
    for (type_name, schema) in &schemas.types {
        let attributes = schemas
            .attributes
            .get(type_name)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let resource = model::Resource::build(type_name, schema, attributes)?;
        by_service
            .entry(names::service_module(type_name))
            .or_default()
            .push(resource);
    }
    for wanted in types::DEFAULT_SERVICES {
        if !by_service.contains_key(*wanted) {
            return Err(format!("default service '{wanted}' has no resource types"));
        }
    }
    let header = format!(
        "// @generated by rcdk-codegen from the cfn-lint {} resource schemas. Do not edit;\n// run `cargo run -p rcdk-codegen` to regenerate.\n",
        schemas.version
    );
    let mut files = BTreeMap::new();
    let mut fallbacks = Vec::new();
    let mut bodies: BTreeMap<String, String> = BTreeMap::new();
    let mut shared_count = 0;
    for (service, resources) in &mut by_service {
        unique_modules(resources);
        let mut body = format!(
            "{header}//! L1 resources of the service `{service}` (cargo feature `{service}` of `rcdk-l1`).\n"
        );
        let shared = shared_structs(resources);
        for r in resources.iter() {
            body.push('\n');
            let mine = shared.get(&r.module).cloned().unwrap_or_default();
            shared_count += mine.len();
            body.push_str(&render::resource(r, &mine));
            fallbacks.extend(r.fallbacks.iter().cloned());
        }
        bodies.insert(service.clone(), body);
    }
    let services: Vec<(&String, &Vec<model::Resource>)> = by_service.iter().collect();
    files.insert(
        shapes::OUTPUT.to_owned(),
        shapes::render(&schemas.version, &services),
    );
    let parts = partition(&bodies, PARTS);
    let mut services_rs = format!(
        "{header}//! Every generated service, re-exported from the crate that holds it. Within a service,\n//! {shared_count} nested structs identical to one of an earlier resource module are defined once\n//! and re-exported.\n\n"
    );
    for (part, services) in parts.iter().enumerate() {
        let crate_dir = format!("{PARTS_DIR}/part{}", part + 1);
        let mut lib = format!(
            "{header}//! Generated L1 services of `rcdk-l1` (which re-exports them): one module per service, each behind the cargo feature of its name.\n\n#![allow(\n    clippy::too_many_arguments,\n    clippy::type_complexity,\n    clippy::large_enum_variant,\n    clippy::doc_lazy_continuation,\n    clippy::doc_overindented_list_items,\n    rustdoc::all\n)]\n\n#[macro_use]\nextern crate rcdk_l1_core;\n\n#[allow(unused_imports)]\nuse rcdk_l1_core::{{documents, policy, prelude}};\n\n"
        );
        for service in services {
            let _ = writeln!(
                lib,
                "#[cfg(feature = \"{service}\")]\n#[rustfmt::skip]\npub mod {service};"
            );
            let _ = writeln!(
                services_rs,
                "#[cfg(feature = \"{service}\")]\npub use rcdk_l1_part{}::{service};",
                part + 1
            );
            files.insert(
                format!("{crate_dir}/src/{service}.rs"),
                bodies[service].clone(),
            );
        }
        files.insert(format!("{crate_dir}/src/lib.rs"), lib);
        files.insert(
            format!("{crate_dir}/Cargo.toml"),
            part_manifest(&schemas.version, part + 1, services),
        );
    }
    files.insert(SERVICES.to_owned(), services_rs);
    files.insert(MANIFEST.to_owned(), manifest(&schemas.version, &parts));
    files.insert(
        FALLBACKS.to_owned(),
        fallback_report(&schemas.version, &fallbacks),
    );
    files.insert(
        registry::OUTPUT.to_owned(),
        registry::render(&header, schemas),
    );
    files.insert(
        catalog::OUTPUT.to_owned(),
        catalog::render(&header, &schemas.dir, &schemas.version)?,
    );
    files.insert(
        cache_catalog::OUTPUT.to_owned(),
        cache_catalog::render(&header, &schemas.dir, &schemas.version)?,
    );
    files.insert(
        iam_catalog::OUTPUT.to_owned(),
        iam_catalog::render(&workspace_root())?,
    );
    files.insert(
        lambda_catalog::OUTPUT.to_owned(),
        lambda_catalog::render(&header, &schemas.dir, &schemas.version)?,
    );
    Ok(files)
}

/// The names each struct of `ty` refers to.
fn referenced(ty: &model::Ty, out: &mut Vec<String>) {
    match ty {
        model::Ty::Struct(name) => out.push(name.clone()),
        model::Ty::List(inner) | model::Ty::Map(inner) => referenced(inner, out),
        _ => {}
    }
}

/// Nested structs defined identically in an earlier resource module of the same service,
/// by module → (struct name → the module that defines it). A struct is shared only when
/// every struct it refers to resolves to the same definition as in that module, so a
/// shared struct never mixes types of two modules.
fn shared_structs(resources: &[model::Resource]) -> BTreeMap<String, BTreeMap<String, String>> {
    // Rendered text → the module that defines it; (module, name) → defining module.
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    let mut defined_in: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for r in resources {
        let texts: BTreeMap<&str, String> = r
            .nested
            .iter()
            .map(|s| (s.name.as_str(), render::nested_struct(s)))
            .collect();
        let mut candidates: BTreeMap<String, String> = r
            .nested
            .iter()
            .filter_map(|s| {
                let origin = first.get(&texts[s.name.as_str()])?;
                Some((s.name.clone(), origin.clone()))
            })
            .collect();
        loop {
            let before = candidates.len();
            let snapshot = candidates.clone();
            candidates.retain(|name, origin| {
                let Some(s) = r.nested.iter().find(|s| &s.name == name) else {
                    return false;
                };
                let mut refs = Vec::new();
                for f in &s.fields {
                    referenced(&f.ty, &mut refs);
                }
                refs.iter().all(|n| {
                    let here = snapshot.get(n);
                    let there = defined_in.get(&(origin.clone(), n.clone()));
                    here.is_some() && here == there
                })
            });
            if candidates.len() == before {
                break;
            }
        }
        for s in &r.nested {
            let defining = candidates
                .get(&s.name)
                .cloned()
                .unwrap_or_else(|| r.module.clone());
            if !candidates.contains_key(&s.name) {
                first
                    .entry(texts[s.name.as_str()].clone())
                    .or_insert_with(|| r.module.clone());
            }
            defined_in.insert((r.module.clone(), s.name.clone()), defining);
        }
        out.insert(r.module.clone(), candidates);
    }
    out
}

/// Two types of one service whose modules would share a name get distinct ones.
fn unique_modules(resources: &mut [model::Resource]) {
    let mut seen = std::collections::BTreeSet::new();
    for r in resources.iter_mut() {
        let mut module = r.module.clone();
        let mut n = 2;
        while !seen.insert(module.clone()) {
            module = format!("{}{n}", r.module);
            n += 1;
        }
        r.module = module;
    }
}

/// Spreads the services over `n` crates of about equal size (largest first, each to the
/// smallest crate so far; ties by name), each crate's services in name order.
fn partition(bodies: &BTreeMap<String, String>, n: usize) -> Vec<Vec<String>> {
    let mut by_size: Vec<(&String, usize)> = bodies.iter().map(|(s, b)| (s, b.len())).collect();
    by_size.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut parts: Vec<(usize, Vec<String>)> = vec![(0, Vec::new()); n];
    for (service, size) in by_size {
        if let Some(smallest) = parts.iter_mut().min_by_key(|(total, _)| *total) {
            smallest.0 += size;
            smallest.1.push(service.clone());
        }
    }
    parts
        .into_iter()
        .map(|(_, mut services)| {
            services.sort();
            services
        })
        .collect()
}

const GENERATED_TOML: &str = "# @generated by rcdk-codegen from the cfn-lint {version} resource schemas. Do not edit;\n# run `cargo run -p rcdk-codegen` to regenerate.\n\n";

fn quoted<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `l1/parts/partN/Cargo.toml`: a feature per service it holds.
fn part_manifest(version: &str, part: usize, services: &[String]) -> String {
    let mut out = GENERATED_TOML.replace("{version}", version);
    let _ = write!(
        out,
        "[package]\nname = \"rcdk-l1-part{part}\"\ndescription = \"Generated L1 services of rcdk-l1 (use rcdk-l1, which re-exports them)\"\nversion.workspace = true\nedition.workspace = true\nrust-version.workspace = true\nlicense.workspace = true\n\n[dependencies]\nrcdk.workspace = true\nrcdk-l1-core = {{ path = \"../../core\" }}\n\n[features]\n"
    );
    for s in services {
        let _ = writeln!(out, "{s} = []");
    }
    out
}

/// `l1/Cargo.toml`: one feature per service, each turning on its crate and its module.
fn manifest(version: &str, parts: &[Vec<String>]) -> String {
    let mut out = GENERATED_TOML.replace("{version}", version);
    out.push_str("[package]\nname = \"rcdk-l1\"\ndescription = \"rcdk's L1 layer: a typed props struct for every CloudFormation resource type\"\nversion.workspace = true\nedition.workspace = true\nrust-version.workspace = true\nlicense.workspace = true\n\n[dependencies]\nrcdk.workspace = true\nrcdk-l1-core = { path = \"core\" }\n");
    for part in 1..=parts.len() {
        let _ = writeln!(
            out,
            "rcdk-l1-part{part} = {{ path = \"parts/part{part}\", optional = true }}"
        );
    }
    out.push_str("\n[features]\n# The services rcdk's L2 constructs use.\n");
    let _ = writeln!(
        out,
        "default = [{}]",
        quoted(types::DEFAULT_SERVICES.iter().copied())
    );
    let mut all: Vec<(&String, usize)> = parts
        .iter()
        .enumerate()
        .flat_map(|(i, services)| services.iter().map(move |s| (s, i + 1)))
        .collect();
    all.sort();
    let _ = writeln!(
        out,
        "{} = [{}]",
        types::ALL_SERVICES,
        quoted(all.iter().map(|(s, _)| s.as_str()))
    );
    for (s, part) in &all {
        let _ = writeln!(
            out,
            "{s} = [\"dep:rcdk-l1-part{part}\", \"rcdk-l1-part{part}/{s}\"]"
        );
    }
    out
}

/// The places where the schemas give no shape, so the generated field is untyped JSON.
fn fallback_report(version: &str, fallbacks: &[model::Fallback]) -> String {
    let mut out = format!(
        "<!-- @generated by rcdk-codegen from the cfn-lint {version} resource schemas. Do not edit. -->\n# Untyped (JSON) fields of the generated L1\n\nWhere a resource schema gives a property no shape (no type, several alternative types, a list of lists), the\ngenerated field is a `Value` (any JSON, intrinsics allowed) instead of a typed struct. {} fields in all:\n\n| type | property | why |\n| --- | --- | --- |\n",
        fallbacks.len()
    );
    for f in fallbacks {
        let _ = writeln!(out, "| `{}` | `{}` | {} |", f.type_name, f.path, f.why);
    }
    out
}

/// Files whose committed contents differ from `files` (or that are missing, or generated
/// files that are no longer produced).
pub fn stale(root: &Path, files: &BTreeMap<String, String>) -> Vec<String> {
    let mut out: Vec<String> = files
        .iter()
        .filter(|(path, contents)| {
            std::fs::read_to_string(root.join(path)).ok().as_ref() != Some(*contents)
        })
        .map(|(path, _)| path.clone())
        .collect();
    out.extend(leftovers(root, files));
    out
}

/// The folders generated files live in: every part crate's `src/` (and the old place).
fn generated_dirs(root: &Path) -> Vec<String> {
    let mut dirs = vec![OLD_OUTPUT_DIR.to_owned()];
    if let Ok(entries) = std::fs::read_dir(root.join(PARTS_DIR)) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            dirs.push(format!("{PARTS_DIR}/{name}"));
            dirs.push(format!("{PARTS_DIR}/{name}/src"));
        }
    }
    dirs.sort();
    dirs
}

/// Files in the output folders that an earlier run generated and this one does not.
fn leftovers(root: &Path, files: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for dir in generated_dirs(root) {
        let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let rel = format!("{dir}/{}", e.file_name().to_string_lossy());
            let generated = std::fs::read_to_string(e.path()).is_ok_and(|t| {
                t.starts_with("// @generated by rcdk-codegen")
                    || t.starts_with("# @generated by rcdk-codegen")
            });
            if generated && !files.contains_key(&rel) {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

/// Writes the generated files and removes the ones an earlier run generated that are no
/// longer produced; files it did not generate are left alone.
pub fn write(root: &Path, files: &BTreeMap<String, String>) -> Result<(), String> {
    for rel in leftovers(root, files) {
        std::fs::remove_file(root.join(&rel)).map_err(|e| format!("cannot remove {rel}: {e}"))?;
    }
    for (path, contents) in files {
        let target = root.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        if std::fs::read_to_string(&target).ok().as_ref() != Some(contents) {
            std::fs::write(&target, contents).map_err(|e| format!("cannot write {path}: {e}"))?;
        }
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
