//! Deploy errors: each says which stack and what to do.

use thiserror::Error;

/// Why a deployment, destroy or bootstrap did not succeed.
#[derive(Debug, Error)]
pub enum DeployError {
    /// A call to AWS failed.
    #[error("{stack}: {operation} failed: {message}")]
    Api {
        /// The stack it was for.
        stack: String,
        /// The API operation.
        operation: &'static str,
        /// What AWS (or the network) said.
        message: String,
    },
    /// The stack is in a state no deployment can start from.
    #[error("{stack}: the stack is {status}; {advice}")]
    BadState {
        /// The stack.
        stack: String,
        /// Its CloudFormation status.
        status: String,
        /// What to do.
        advice: String,
    },
    /// CloudFormation could not make the change set.
    #[error("{stack}: the change set failed: {reason}")]
    ChangeSetFailed {
        /// The stack.
        stack: String,
        /// CloudFormation's reason.
        reason: String,
    },
    /// The change set ran and the stack did not reach a complete state.
    #[error("{stack}: deployment failed ({status}):\n{reasons}")]
    StackFailed {
        /// The stack.
        stack: String,
        /// The status it ended in.
        status: String,
        /// The resources that caused it, one a line, and what became of the stack.
        reasons: String,
    },
    /// A guard (approval, a stateful replacement, protection, importers, another
    /// account) stopped it before anything changed.
    #[error("{stack}: {message}")]
    Refused {
        /// The stack (or stacks).
        stack: String,
        /// Why, and the fix.
        message: String,
    },
    /// Ctrl-C or a hang-up; what may be left is said before.
    #[error("interrupted: {0}")]
    Interrupted(String),
    /// Anything else, said in full.
    #[error("{0}")]
    Other(String),
}
