//! One module per stack of an environment.

pub mod data;
pub mod monitoring;
pub mod network;
pub mod web;
pub mod workers;
