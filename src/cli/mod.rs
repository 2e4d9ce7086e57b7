//! The `rcdk` command line. Arguments are parsed first ([`args`]), then resolved into
//! settings and acted on by one module per verb.

pub mod args;
mod assembly;
mod bootstrap;
mod build_cache;
mod cargo_app;
mod config;
mod cost;
mod deploy;
mod destroy;
mod diff;
mod doctor;
mod drift;
mod error;
mod gc;
mod import;
mod init;
mod list;
mod lookups;
mod migrate;
mod outputs_file;
mod posture;
mod prices;
mod refactor;
mod rollback;
mod runner;
mod select;
mod synth;
mod target;
mod templates;

pub use assembly::{AssemblyStack, read_assembly};
pub use error::{CliError, exit};
pub use select::select_stacks;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// Ends with `error`, rendered, and its exit code.
fn fail(error: &CliError) -> ExitCode {
    crate::error::render(error);
    ExitCode::from(error.exit_code())
}

/// Entry point of the `rcdk` binary. Exit codes: [`exit`].
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::List(a) => list::run(&cli.global, a),
        Command::Synth(a) => synth::run(&cli.global, a),
        Command::Diff(a) => {
            return match diff::run(&cli.global, a) {
                Ok(differs) if differs && a.fail => ExitCode::from(error::exit::FAILURE),
                Ok(_) => ExitCode::from(error::exit::OK),
                Err(e) => fail(&e),
            };
        }
        Command::Deploy(a) => deploy::run(&cli.global, a),
        Command::Drift(a) => {
            return match drift::run(&cli.global, a) {
                Ok(drifted) if drifted && a.fail => ExitCode::from(error::exit::FAILURE),
                Ok(_) => ExitCode::from(error::exit::OK),
                Err(e) => fail(&e),
            };
        }
        Command::Rollback(a) => rollback::run(&cli.global, a),
        Command::Gc(a) => gc::run(a),
        Command::Refactor(a) => refactor::run(&cli.global, a),
        Command::Cost(a) => cost::run(&cli.global, a),
        Command::Posture(a) => {
            return match posture::run(&cli.global, a) {
                Ok(true) => ExitCode::from(error::exit::OK),
                Ok(false) => ExitCode::from(error::exit::FAILURE),
                Err(e) => fail(&e),
            };
        }
        Command::Destroy(a) => destroy::run(&cli.global, a),
        Command::Bootstrap(a) => bootstrap::run(a),
        Command::Init(a) => init::run(a),
        Command::Migrate(a) => migrate::run(&cli.global, a),
        Command::Import(a) => import::run(&cli.global, a),
        Command::Context(a) => lookups::run(a),
        Command::Doctor(a) => {
            return match doctor::run(&cli.global, a) {
                Ok(true) => ExitCode::from(error::exit::OK),
                Ok(false) => ExitCode::from(error::exit::FAILURE),
                Err(e) => fail(&e),
            };
        }
        Command::Completions(a) => {
            use clap::CommandFactory;
            clap_complete::generate(a.shell, &mut Cli::command(), "rcdk", &mut std::io::stdout());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::from(error::exit::OK),
        Err(e) => fail(&e),
    }
}

/// The async runtime the AWS verbs run on (built only when they are used).
fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start the async runtime: {e}")))
}
