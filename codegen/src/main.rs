//! `cargo run -p rcdk-codegen [-- --check]`: regenerates (or checks) the L1 crate, the
//! registry and the Postgres catalog.

use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = rcdk_codegen::workspace_root();
    let result = rcdk_codegen::schemas_dir(&root)
        .and_then(|dir| rcdk_codegen::load(&root, &dir))
        .and_then(|schemas| rcdk_codegen::generate(&schemas));
    let files = match result {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if check {
        let stale = rcdk_codegen::stale(&root, &files);
        if stale.is_empty() {
            println!("generated L1 code is up to date ({} files)", files.len());
            return ExitCode::SUCCESS;
        }
        eprintln!("error: stale generated files: {}", stale.join(", "));
        return ExitCode::FAILURE;
    }
    match rcdk_codegen::write(&root, &files) {
        Ok(()) => {
            println!(
                "wrote {} files (services in {})",
                files.len(),
                rcdk_codegen::PARTS_DIR
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
