//! Opaque random tokens: handed out once, stored only as SHA-256 hashes.

use base64::Engine;
use rand::RngExt;
use sha2::{Digest, Sha256};

/// A new random token (256 bits, URL-safe base64).
pub fn new_token() -> String {
    // rand's thread generator is a CSPRNG seeded from the operating system.
    let bytes: [u8; 32] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The hash under which a token is stored and looked up.
pub fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
