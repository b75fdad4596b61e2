//! Password hashing with argon2id (the `argon2` crate's recommended parameters).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngExt;

/// Hashes a password into a PHC string (algorithm, parameters, salt and hash).
pub fn hash_password(plain: &str) -> Result<String, String> {
    // rand's thread generator is a CSPRNG seeded from the operating system.
    let bytes: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&bytes).map_err(|e| format!("cannot make a salt: {e}"))?;
    Argon2::default()
        .hash_password(plain.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash password: {e}"))
}

/// True when `plain` matches the stored PHC string.
pub fn verify_password(plain: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(plain.as_bytes(), &h)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_password() {
        let h = hash_password("Zhang@1111").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Zhang@1111", &h));
        assert!(!verify_password("zhang@1111", &h));
    }
}
