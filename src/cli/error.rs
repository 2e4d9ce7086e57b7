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
    #[error("{0}")]
    Usage(String),
}
