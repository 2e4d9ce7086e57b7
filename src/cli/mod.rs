//! The `rcdk` command line. Arguments are parsed first ([`args`]), then resolved into
//! settings and acted on by one module per verb.

pub mod args;
mod assembly;
mod config;
mod error;
mod list;
mod runner;
mod select;
mod synth;

pub use assembly::{AssemblyStack, read_assembly};
pub use error::CliError;
pub use select::select_stacks;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// Entry point of the `rcdk` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::List(a) => list::run(&cli.global, a),
        Command::Synth(a) => synth::run(&cli.global, a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            crate::error::render(&e);
            ExitCode::FAILURE
        }
    }
}
