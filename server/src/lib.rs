//! statusdata: collects, reviews, validates and reports a 高职院校's annual
//! 人才培养工作状态数据. The crate is a library so that tests and the `statusdata`
//! binary share one code path.

pub mod auth;
pub mod authz;
pub mod check;
pub mod defs;
/// The demo college generator (cargo feature `demo`, default; integration tests use it).
#[cfg(feature = "demo")]
pub mod demo;
pub mod docx;
pub mod graphql;
pub mod http;
pub mod indicators;
pub mod model;
pub mod service;
pub mod store;
pub mod validate;
pub mod version;
pub mod workflow;
pub mod xlsx;
