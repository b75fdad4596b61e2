//! Accounts and credentials: the notice's initial passwords, argon2id hashes, password rules,
//! session and API tokens (stored only as hashes), login with lockout.

pub mod cache;
pub mod import;
pub mod names;
pub mod password;
pub mod service;
pub mod token;
