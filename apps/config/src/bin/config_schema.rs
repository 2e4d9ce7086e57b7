//! Writes the JSON Schema of the reference app's configuration:
//! `cargo run -p rcdk-apps-config --bin config-schema` (a test fails when it is stale).

use std::process::ExitCode;

fn main() -> ExitCode {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("environments.schema.json");
    match std::fs::write(&path, rcdk_apps_config::schema_json()) {
        Ok(()) => {
            println!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}
