//! The documents of Automatic Persisted Queries (Apollo's protocol): a client sends the SHA-256
//! of its query instead of the text; the server runs the text it stored under that hash, or asks
//! for it (`PersistedQueryNotFound`). One cache per server, shared by every generation of the
//! definitions (a document is text; whether it still validates is the schema's business when it
//! runs), bounded in entries and bytes, the least recently used evicted first. An entry is the
//! place where parsed documents will be kept too, keyed by the same hash.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;
use sha2::{Digest, Sha256};

/// How many documents and how many bytes of them the cache holds (`serve` flags).
#[derive(Debug, Clone, Copy)]
pub struct CacheLimits {
    pub entries: usize,
    pub bytes: usize,
}

impl Default for CacheLimits {
    fn default() -> Self {
        CacheLimits {
            entries: 1000,
            bytes: 8 << 20,
        }
    }
}

/// One stored document.
#[derive(Debug, Clone)]
pub struct CachedDocument {
    /// The query text whose SHA-256 is the key.
    pub query: Arc<str>,
}

/// The documents by the hex SHA-256 of their text.
#[derive(Debug)]
pub struct DocumentCache {
    limits: CacheLimits,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    documents: LruCache<String, CachedDocument>,
    bytes: usize,
}

impl Default for DocumentCache {
    fn default() -> Self {
        DocumentCache::new(CacheLimits::default())
    }
}

impl DocumentCache {
    /// An empty cache within `limits` (at least one entry).
    pub fn new(limits: CacheLimits) -> DocumentCache {
        let entries = NonZeroUsize::new(limits.entries).unwrap_or(NonZeroUsize::MIN);
        DocumentCache {
            limits,
            inner: Mutex::new(Inner {
                documents: LruCache::new(entries),
                bytes: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves a consistent map: every change is one call.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The document stored under `hash` (lower-case hex), marked as recently used.
    pub fn get(&self, hash: &str) -> Option<CachedDocument> {
        self.lock().documents.get(hash).cloned()
    }

    /// Stores `query` under its hash; a document larger than the whole byte bound is not kept.
    pub fn insert(&self, hash: String, query: Arc<str>) {
        let size = hash.len() + query.len();
        if size > self.limits.bytes {
            return;
        }
        let mut inner = self.lock();
        if let Some((h, old)) = inner.documents.push(hash, CachedDocument { query }) {
            inner.bytes = inner.bytes.saturating_sub(h.len() + old.query.len());
        }
        inner.bytes += size;
        while inner.bytes > self.limits.bytes {
            match inner.documents.pop_lru() {
                Some((h, old)) => {
                    inner.bytes = inner.bytes.saturating_sub(h.len() + old.query.len());
                }
                None => break,
            }
        }
    }

    /// How many documents are stored.
    pub fn len(&self) -> usize {
        self.lock().documents.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The lower-case hex SHA-256 of a text, as Apollo's clients compute it.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_within_its_entries_and_bytes() {
        let by_entries = DocumentCache::new(CacheLimits {
            entries: 2,
            bytes: 1 << 20,
        });
        for q in ["{ a }", "{ b }", "{ c }"] {
            by_entries.insert(sha256_hex(q), q.into());
        }
        assert_eq!(by_entries.len(), 2);
        assert!(by_entries.get(&sha256_hex("{ a }")).is_none(), "oldest out");
        // Each small entry is 64 + 5 bytes; the large one 64 + 150.
        let by_bytes = DocumentCache::new(CacheLimits {
            entries: 10,
            bytes: 300,
        });
        for q in ["{ a }", "{ b }", "{ c }"] {
            by_bytes.insert(sha256_hex(q), q.into());
        }
        assert!(
            by_bytes.get(&sha256_hex("{ a }")).is_some(),
            "used: now newest"
        );
        let big = "x".repeat(150);
        by_bytes.insert(sha256_hex(&big), big.as_str().into());
        assert_eq!(by_bytes.len(), 2, "the byte bound evicts the least used");
        assert!(by_bytes.get(&sha256_hex("{ a }")).is_some());
        assert!(by_bytes.get(&sha256_hex("{ b }")).is_none());
        by_bytes.insert("h".into(), "y".repeat(500).into());
        assert!(
            by_bytes.get("h").is_none(),
            "larger than the bound: not kept"
        );
        assert_eq!(
            sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
