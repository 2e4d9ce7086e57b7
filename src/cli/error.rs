use std::path::PathBuf;

/// Errors of the command line, each saying what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// No `cdk.json` and no `--app`.
    #[error("no cdk.json in {} and no --app given; run rcdk from the project root or pass --app CMD", dir.display())]
    NoApp {
        /// Where rcdk looked.
        dir: PathBuf,
    },
    /// A configuration file (or one a flag names) is wrong.
    #[error("{}: {message}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong and the fix.
        message: String,
    },
    /// A `-c` argument without `=`.
    #[error("context argument '{0}' is not KEY=VALUE; write it as -c key=value")]
    BadContext(String),
    /// The app's command could not start.
    #[error("cannot start the app `{command}`: {source}")]
    AppSpawn {
        /// The command.
        command: String,
        /// Why it could not start.
        #[source]
        source: std::io::Error,
    },
    /// A `cargo run` app did not build.
    #[error("cannot build the app `{command}`: {message}")]
    AppBuild {
        /// The command.
        command: String,
        /// What cargo said.
        message: String,
    },
    /// The app exited with an error (its own messages are above).
    #[error("the app `{command}` failed ({status}); its errors are printed above")]
    AppFailed {
        /// The command.
        command: String,
        /// Its exit code or signal.
        status: String,
    },
    /// The app exited without writing an assembly.
    #[error("the app `{command}` exited without writing a cloud assembly to {}; it must synthesize into $CDK_OUTDIR (rcdk::run or App::synth do)", outdir.display())]
    NoAssembly {
        /// The command.
        command: String,
        /// Where the assembly was expected.
        outdir: PathBuf,
    },
    /// A cloud assembly that cannot be read.
    #[error("cloud assembly {}: {message}", path.display())]
    Assembly {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A stack argument that matches nothing.
    #[error("no stack matches '{pattern}'; the app has: {available}")]
    NoStackMatches {
        /// The pattern given.
        pattern: String,
        /// The stacks there are.
        available: String,
    },
    /// A stack argument that is not a glob pattern.
    #[error("invalid stack pattern '{pattern}': {message}")]
    BadPattern {
        /// The pattern given.
        pattern: String,
        /// Why it is not one.
        message: String,
    },
    /// Standard output is gone.
    #[error("cannot write to stdout: {0}")]
    Output(#[source] std::io::Error),
    /// Synthesis refused the app (construct paths and fixes).
    #[error(transparent)]
    Library(#[from] crate::Error),
    /// A deploy, destroy or bootstrap failed (the stack and the fix).
    #[error(transparent)]
    Deploy(#[from] crate::deploy::DeployError),
    /// The arguments or the request were refused before anything ran.
    #[error("{0}")]
    Usage(String),
    /// The operation ran and did not succeed (stacks that did not deploy, a cost that
    /// cannot be estimated).
    #[error("{0}")]
    Failed(String),
}

/// `rcdk`'s exit codes, the same for every verb.
pub mod exit {
    /// Done; for `diff --fail` and `posture`, nothing found.
    pub const OK: u8 = 0;
    /// The operation ran and failed; `diff --fail` found differences; `posture` found a
    /// finding.
    pub const FAILURE: u8 = 1;
    /// Refused before anything ran: the arguments or the configuration (cdk.json, a
    /// file named by a flag, stack patterns).
    pub const USAGE: u8 = 2;
    /// Interrupted (Ctrl-C or a hang-up of the terminal), like a shell's 128 + SIGINT.
    pub const INTERRUPTED: u8 = 130;
}

impl CliError {
    /// The exit code this error ends `rcdk` with (see [`exit`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Deploy(crate::deploy::DeployError::Interrupted(_)) => exit::INTERRUPTED,
            CliError::Usage(_)
            | CliError::BadContext(_)
            | CliError::NoApp { .. }
            | CliError::Config { .. }
            | CliError::NoStackMatches { .. }
            | CliError::BadPattern { .. } => exit::USAGE,
            _ => exit::FAILURE,
        }
    }
}
