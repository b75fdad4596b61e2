//! The integration tests: one binary, one module per area. Storage tests run on SQLite, or on
//! PostgreSQL when TEST_DATABASE_URL is set.

#![expect(clippy::expect_used, reason = "a failed expectation is a failed test")]

mod accounts;
mod api;
mod api_surface;
mod backup_safety;
mod careful;
mod case_concurrency;
mod cases;
mod check_cli;
mod check_fixtures;
mod concurrency;
mod cycles;
mod db;
mod definitions;
mod demo;
mod deploy;
mod dump;
mod every_field;
mod excel;
mod excel_import;
mod excel_reading;
mod excel_rights;
mod excel_roundtrip;
mod gaoji;
mod indicators;
mod indicators_flow;
mod input_limits;
mod instances;
mod limits;
mod live;
mod lookup;
mod perf;
mod policy;
mod ready;
mod rights;
mod rules_api;
mod rules_demo;
mod rules_families;
mod shared_state;
mod site;
mod startup;
mod store_query;
mod store_rows;
mod store_schema;
mod support;
mod versions;
mod workflow;
mod yoy;
mod yoy_race;
