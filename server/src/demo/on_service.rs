//! The demo college written into the database of a running service (`seed demo`,
//! `serve --demo`): the command line holds a service, never the store.

use super::{seed_demo, DemoError, DemoOptions, DemoReport};
use crate::authz::Action;
use crate::service::Service;

/// [`seed_demo`] into the database of `svc`, each unit filling what the policy in force gives it.
pub fn seed_college(
    svc: &Service,
    accounts_csv: Option<&str>,
    opts: DemoOptions,
) -> Result<DemoReport, DemoError> {
    let fill = svc
        .policy
        .current()
        .unit_codes(svc.catalog(), &svc.units, Action::Fill);
    seed_demo(svc.store(), &svc.units, &fill, accounts_csv, opts)
}
