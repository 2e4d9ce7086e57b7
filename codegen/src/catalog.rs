//! The PostgreSQL catalog of RDS, from cfn-lint's RDS extension schemas: engine
//! versions that are not deprecated, and the instance classes offered for `postgres`.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;

use serde_json::Value as J;

/// Majors still in RDS standard support; older ones only run on paid extended support.
const OLDEST_MAJOR: u32 = 14;
/// The major the construct picks by default: the newest minor of it.
pub const RECOMMENDED_MAJOR: u32 = 17;
/// Previous-generation families: cfn-lint lists them for old engine versions, but no
/// PostgreSQL major from 13 on runs on them.
const PREVIOUS_GENERATION: &[&str] = &[
    "db.t1", "db.t2", "db.m1", "db.m2", "db.m3", "db.m4", "db.r3", "db.r4",
];

pub const OUTPUT: &str = "constructs/src/data/postgres_catalog.rs";

fn read(path: &Path) -> Result<J, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Every `then` (or `if`) enum of `field` under a condition on `Engine == postgres`.
fn postgres_enums(schema: &J, field: &str, in_if: bool, out: &mut BTreeSet<String>) {
    match schema {
        J::Object(m) => {
            let cond = m.get("if");
            let engine = cond
                .and_then(|c| c.pointer("/properties/Engine/const"))
                .and_then(J::as_str);
            if engine == Some("postgres") {
                let source = if in_if { cond } else { m.get("then") };
                let values = source
                    .and_then(|s| s.pointer(&format!("/properties/{field}/enum")))
                    .and_then(J::as_array);
                out.extend(
                    values
                        .into_iter()
                        .flatten()
                        .filter_map(J::as_str)
                        .map(str::to_owned),
                );
            }
            m.values()
                .for_each(|v| postgres_enums(v, field, in_if, out));
        }
        J::Array(items) => items
            .iter()
            .for_each(|v| postgres_enums(v, field, in_if, out)),
        _ => {}
    }
}

fn version_key(v: &str) -> Vec<u32> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

pub fn render(header: &str, schemas_dir: &Path, version: &str) -> Result<String, String> {
    let dir = schemas_dir.join("extensions/aws_rds_dbinstance");
    let mut all = BTreeSet::new();
    postgres_enums(
        &read(&dir.join("engine_version.json"))?,
        "EngineVersion",
        false,
        &mut all,
    );
    let mut deprecated = BTreeSet::new();
    postgres_enums(
        &read(&dir.join("engine_version_deprecated.json"))?,
        "EngineVersion",
        true,
        &mut deprecated,
    );
    let mut versions: Vec<String> = all
        .into_iter()
        .filter(|v| !deprecated.contains(v) && !v.contains("-rds."))
        .filter(|v| version_key(v).first().is_some_and(|m| *m >= OLDEST_MAJOR))
        .collect();
    versions.sort_by_key(|v| version_key(v));
    let recommended = versions
        .iter()
        .rfind(|v| version_key(v).first() == Some(&RECOMMENDED_MAJOR))
        .ok_or_else(|| {
            format!("no PostgreSQL {RECOMMENDED_MAJOR}.x in the cfn-lint {version} data")
        })?
        .clone();
    let mut classes = BTreeSet::new();
    postgres_enums(
        &read(&dir.join("dbinstanceclass_enum.json"))?,
        "DBInstanceClass",
        false,
        &mut classes,
    );
    classes.retain(|c| {
        c.rsplit_once('.')
            .is_none_or(|(family, _)| !PREVIOUS_GENERATION.contains(&family))
    });
    if classes.is_empty() || versions.is_empty() {
        return Err("the cfn-lint RDS data has no PostgreSQL versions or classes".into());
    }
    let variant = |v: &str| format!("V{}", v.replace('.', "_"));
    let mut out = String::from(header);
    let _ = writeln!(
        out,
        "//! PostgreSQL on RDS: supported engine versions and instance classes (from cfn-lint {version}).\n"
    );
    let _ = writeln!(
        out,
        "/// A PostgreSQL version RDS offers in standard support (major {OLDEST_MAJOR} and newer), not deprecated."
    );
    let _ = writeln!(
        out,
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]\npub enum PostgresVersion {{"
    );
    for v in &versions {
        let _ = writeln!(out, "    /// PostgreSQL {v}\n    {},", variant(v));
    }
    out.push_str("}\n\nimpl PostgresVersion {\n");
    let _ = writeln!(
        out,
        "    /// The default: the newest PostgreSQL {RECOMMENDED_MAJOR} minor."
    );
    let _ = writeln!(
        out,
        "    pub const RECOMMENDED: PostgresVersion = PostgresVersion::{};\n",
        variant(&recommended)
    );
    out.push_str("    /// Every version, oldest first.\n    pub const ALL: &'static [PostgresVersion] = &[\n");
    for v in &versions {
        let _ = writeln!(out, "        PostgresVersion::{},", variant(v));
    }
    out.push_str("    ];\n\n    /// The `EngineVersion` value.\n    pub fn as_str(self) -> &'static str {\n        match self {\n");
    for v in &versions {
        let _ = writeln!(
            out,
            "            PostgresVersion::{} => \"{v}\",",
            variant(v)
        );
    }
    out.push_str("        }\n    }\n\n    /// The major version (the parameter group family is `postgres{major}`).\n    pub fn major(self) -> u32 {\n        match self {\n");
    for v in &versions {
        let _ = writeln!(
            out,
            "            PostgresVersion::{} => {},",
            variant(v),
            version_key(v)[0]
        );
    }
    out.push_str("        }\n    }\n}\n\n");
    let _ = writeln!(
        out,
        "/// Current-generation instance classes RDS offers for PostgreSQL in at least one region, sorted."
    );
    out.push_str("pub const POSTGRES_INSTANCE_CLASSES: &[&str] = &[\n");
    for c in &classes {
        let _ = writeln!(out, "    \"{c}\",");
    }
    out.push_str("];\n");
    Ok(out)
}
