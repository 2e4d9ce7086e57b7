//! Command-line definitions (clap), kept apart from what the commands do.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "rcdk",
    version,
    about = "Rust Cloud Development Kit: synthesize and ship CloudFormation"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every verb takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Command that runs the app (default: "app" in cdk.json), or a directory that
    /// already holds a cloud assembly.
    #[arg(long, global = true, value_name = "CMD")]
    pub app: Option<String>,
    /// Context value for the app (repeatable): -c env=prod.
    #[arg(short = 'c', long = "context", global = true, value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Where the cloud assembly is written (default: "output" in cdk.json, else cdk.out).
    #[arg(short = 'o', long, global = true, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the app's stacks with their dependencies.
    #[command(alias = "ls")]
    List(ListArgs),
    /// Synthesize the app into a cloud assembly and print a summary (or one template).
    Synth(SynthArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Stack names or glob patterns (dev-*); default: all.
    pub stacks: Vec<String>,
    /// Print JSON (name, environment, dependencies) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Stack names or glob patterns (dev-*); default: all. With exactly one stack
    /// selected, its template is printed to stdout.
    pub stacks: Vec<String>,
    /// Print the template as JSON.
    #[arg(long, conflicts_with = "yaml")]
    pub json: bool,
    /// Print the template as YAML (the default).
    #[arg(long)]
    pub yaml: bool,
    /// Do not print the template, only the summary.
    #[arg(short, long)]
    pub quiet: bool,
}
