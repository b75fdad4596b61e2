//! The collection workflow: the submission state machine, progress and bulletins. Storage of
//! submissions, cycles and lock exceptions is in `store::workflow`; the GraphQL surface in
//! `graphql::workflow`.

pub mod progress;
pub mod workbook;

pub use crate::model::machine;
pub use crate::model::{apply, State, Step, StepError, Submission};
