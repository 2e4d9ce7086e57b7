//! rcdk's integration tests, one binary for the whole suite (modules by area).

mod aspects;
mod assembly;
mod cfn_lint;
mod cli;
mod config;
mod connections;
mod cross_stack;
mod data;
mod diff;
mod e2e;
mod fault_proxy;
mod fixtures;
mod intrinsics;
mod l2_fixtures;
mod limits;
mod local_endpoint;
mod logical_ids;
mod monitoring;
mod network;
mod outdir;
mod posture;
pub mod reference_app;
mod support;
mod tags;
mod web;
mod yaml;
