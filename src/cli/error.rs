use std::path::PathBuf;

/// Errors of the command line, each saying what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("no cdk.json in {} and no --app given; run rcdk from the project root or pass --app CMD", dir.display())]
    NoApp { dir: PathBuf },
    #[error("{}: {message}", path.display())]
    Config { path: PathBuf, message: String },
    #[error("context argument '{0}' is not KEY=VALUE; write it as -c key=value")]
    BadContext(String),
    #[error("cannot start the app `{command}`: {source}")]
    AppSpawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot build the app `{command}`: {message}")]
    AppBuild { command: String, message: String },
    #[error("the app `{command}` failed ({status}); its errors are printed above")]
    AppFailed { command: String, status: String },
    #[error("the app `{command}` exited without writing a cloud assembly to {}; it must synthesize into $CDK_OUTDIR (rcdk::run or App::synth do)", outdir.display())]
    NoAssembly { command: String, outdir: PathBuf },
    #[error("cloud assembly {}: {message}", path.display())]
    Assembly { path: PathBuf, message: String },
    #[error("no stack matches '{pattern}'; the app has: {available}")]
    NoStackMatches { pattern: String, available: String },
    #[error("invalid stack pattern '{pattern}': {message}")]
    BadPattern { pattern: String, message: String },
    #[error("cannot write to stdout: {0}")]
    Output(#[source] std::io::Error),
    #[error(transparent)]
    Library(#[from] crate::Error),
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
