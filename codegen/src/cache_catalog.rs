//! The ElastiCache engine catalog, from cfn-lint's ElastiCache extension schema: the
//! Redis OSS and Valkey versions ElastiCache offers.

use std::fmt::Write;
use std::path::Path;

use serde_json::Value as J;

pub const OUTPUT: &str = "constructs/src/data/cache_catalog.rs";

/// The `EngineVersion` enum cfn-lint allows when `Engine` is `engine`.
fn versions(schema: &J, engine: &str) -> Vec<String> {
    let mut out: Vec<String> = schema["allOf"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|rule| rule["if"]["properties"]["Engine"]["const"] == engine)
        .flat_map(|rule| {
            rule["then"]["properties"]["EngineVersion"]["enum"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(J::as_str)
                .map(str::to_owned)
        })
        .collect();
    let key = |v: &String| -> Vec<u32> { v.split('.').filter_map(|p| p.parse().ok()).collect() };
    out.sort_by_key(key);
    out.dedup();
    out
}

pub fn render(header: &str, dir: &Path, version: &str) -> Result<String, String> {
    let path = dir.join("extensions/aws_elasticache_cachecluster/engine_version.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let schema: J = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = String::from(header);
    let _ = writeln!(
        out,
        "//! ElastiCache engine versions (from cfn-lint {version}).\n"
    );
    for (engine, name) in [("redis", "REDIS_VERSIONS"), ("valkey", "VALKEY_VERSIONS")] {
        let list = versions(&schema, engine);
        if list.is_empty() {
            return Err(format!(
                "the cfn-lint ElastiCache data has no {engine} versions"
            ));
        }
        let _ = writeln!(
            out,
            "/// `EngineVersion`s of engine `{engine}`, oldest first."
        );
        let _ = writeln!(out, "pub const {name}: &[&str] = &[");
        for v in list {
            let _ = writeln!(out, "    \"{v}\",");
        }
        out.push_str("];\n\n");
    }
    let trimmed = out.trim_end().to_owned() + "\n";
    Ok(trimmed)
}
