//! The integration tests: one binary, one module per area.

#![expect(clippy::expect_used, reason = "a failed expectation is a failed test")]

mod check_cli;
mod check_fixtures;
mod definitions;
mod policy;
mod support;
