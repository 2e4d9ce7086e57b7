//! Compute: Lambda functions with their own log group, a role with only what they are
//! granted, X-Ray, a dead-letter queue, and (optionally) a place in the VPC.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::compute::{Code, Function, FunctionProps};
//! use rcdk_constructs::messaging::{Queue, QueueProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "jobs", StackProps::default());
//! let jobs = Queue::new(&stack, "Jobs", QueueProps::default());
//! let sync = Function::new(&stack, "Sync", FunctionProps {
//!     environment: rcdk_constructs::vars! { "JOBS_QUEUE_URL" => jobs.url() },
//!     reserved_concurrency: Some(1),
//!     ..FunctionProps::new("python3.13", "index.handler", Code::Inline("def handler(e, c): pass".into()))
//! });
//! jobs.grant_send(&sync); // grants take the construct: its role gets the statement
//! # let _ = sync.metric_errors();
//! ```

#[rustfmt::skip]
mod lambda_runtimes;
mod function;

pub use function::{Architecture, Code, Function, FunctionProps, FunctionVpc, QueueSourceOptions};
pub use lambda_runtimes::LAMBDA_RUNTIMES;
