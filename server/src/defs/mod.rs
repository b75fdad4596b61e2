//! The definition layer: loads and validates table definitions (`table-defs/*.toml`), code lists
//! (`table-defs/codes/*.toml`) and units (`seeds/units.toml`) into a [`Catalog`].
//! It knows nothing of databases, GraphQL or HTTP, and is the only module that parses TOML.

mod codes;
mod consistency;
mod cycle;
mod dates;
mod fields;
pub mod gaoji;
mod hash;
mod indicators;
mod load;
mod locate;
mod model;
pub mod naming;
mod problem;
mod raw;
pub mod report;
pub mod rules;
mod toml_zh;
mod units;

pub use cycle::{load_cycle, CycleConfig, Phase, Task};
pub use dates::CycleDates;
pub use hash::{folder_hash, table_hash};
pub use indicators::{Breakdown, Indicator, KeyLabels, INDICATORS_FILE};
pub use load::{check_table_text, load_catalog, load_catalog_with};
pub use model::*;
pub use problem::{io_reason, line_of, Problem, Problems};
pub use rules::{Rule, RuleKind, RuleSeverity};
pub use units::load_units;
