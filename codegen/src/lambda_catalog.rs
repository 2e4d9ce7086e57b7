//! Lambda runtimes and their deprecation dates, from cfn-lint's runtime lifecycle data.

use std::fmt::Write;
use std::path::Path;

use serde_json::Value as J;

pub const OUTPUT: &str = "constructs/src/compute/lambda_runtimes.rs";

pub fn render(header: &str, dir: &Path, version: &str) -> Result<String, String> {
    let path = dir.join("../AdditionalSpecs/LmbdRuntimeLifecycle.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let data: serde_json::Map<String, J> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if data.is_empty() {
        return Err("the cfn-lint Lambda runtime data is empty".into());
    }
    let quoted = |v: &J| {
        v.as_str()
            .map_or_else(|| "None".to_owned(), |s| format!("Some({s:?})"))
    };
    let mut out = String::from(header);
    let _ = writeln!(
        out,
        "//! Lambda runtimes and their lifecycle (from cfn-lint {version}).\n\n/// (runtime, deprecated on, successor), sorted by runtime.\npub const LAMBDA_RUNTIMES: &[(&str, Option<&str>, Option<&str>)] = &["
    );
    let mut names: Vec<&String> = data.keys().collect();
    names.sort();
    for name in names {
        let e = &data[name];
        let _ = writeln!(
            out,
            "    ({name:?}, {}, {}),",
            quoted(&e["deprecated"]),
            quoted(&e["successor"])
        );
    }
    out.push_str("];\n");
    Ok(out)
}
