//! Plain data shared by every layer: field values, a cycle's dates, the submission state
//! machine and the one rounding rule of decimals (`decimal`). Nothing here reads a database, a file or a request; `store`, `validate`,
//! `workflow`, `service` and the faces all build on it.

mod case;
pub mod decimal;
pub mod machine;
mod value;

pub use crate::defs::CycleDates;
pub use case::CASE_THEMES;
pub use machine::{apply, State, Step, StepError, Submission};
pub use value::{Record, Value};
