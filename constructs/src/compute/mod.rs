//! Compute: Lambda functions.

#[rustfmt::skip]
mod lambda_runtimes;
mod function;

pub use function::{Architecture, Code, Function, FunctionProps, FunctionVpc, QueueSourceOptions};
pub use lambda_runtimes::LAMBDA_RUNTIMES;
