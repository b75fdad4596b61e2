//! Accounts and credentials. Passwords are stored only as argon2id hashes.

pub mod password;
