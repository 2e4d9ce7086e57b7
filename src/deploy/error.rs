//! Deploy errors: each says which stack and what to do.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum DeployError {
    #[error("{stack}: {operation} failed: {message}")]
    Api {
        stack: String,
        operation: &'static str,
        message: String,
    },
    #[error("{stack}: the stack is {status}; {advice}")]
    BadState {
        stack: String,
        status: String,
        advice: String,
    },
    #[error("{stack}: the change set failed: {reason}")]
    ChangeSetFailed { stack: String, reason: String },
    #[error("{stack}: deployment failed ({status}):\n{reasons}")]
    StackFailed {
        stack: String,
        status: String,
        reasons: String,
    },
    #[error("{stack}: {message}")]
    Refused { stack: String, message: String },
    #[error("interrupted: {0}")]
    Interrupted(String),
    #[error("{0}")]
    Other(String),
}
