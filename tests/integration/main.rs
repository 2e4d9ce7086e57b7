//! rcdk's integration tests, one binary for the whole suite (modules by area).

mod aspects;
mod assembly;
mod cfn_lint;
mod cli;
mod cross_stack;
mod fixtures;
mod intrinsics;
mod limits;
mod logical_ids;
mod reference_app;
mod support;
mod tags;
