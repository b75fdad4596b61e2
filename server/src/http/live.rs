//! The definitions in force in this process: the GraphQL schema and the store serving one
//! catalog, swapped as a whole when the definitions are reloaded. A request takes the current
//! generation once, at its start, and finishes on it even when a reload lands meanwhile.

use std::sync::{Arc, RwLock};

use async_graphql::dynamic::Schema;

use crate::graphql::{build_schema, ApiConfig};
use crate::store::Store;

/// One catalog's schema and store.
pub struct Generation {
    pub schema: Schema,
    pub store: Store,
    /// The database's definitions version this generation serves (0: not recorded).
    pub version: i64,
}

/// The generation in force, replaceable while the server runs.
pub struct Live {
    current: RwLock<Arc<Generation>>,
    config: ApiConfig,
}

impl Live {
    /// Starts with `schema` over `store`.
    pub fn new(schema: Schema, store: Store, config: ApiConfig) -> Live {
        Live {
            current: RwLock::new(Arc::new(Generation {
                schema,
                store,
                version: 0,
            })),
            config,
        }
    }

    /// The generation in force now.
    pub fn current(&self) -> Arc<Generation> {
        self.current
            .read()
            .map(|g| g.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Builds the schema for `store`'s catalog and puts both in force as definitions `version`.
    pub fn install(&self, store: &Store, version: i64) -> Result<(), String> {
        let schema = build_schema(store.catalog(), Some(self.config.clone()))
            .map_err(|e| format!("cannot build the GraphQL schema: {e}"))?;
        let next = Arc::new(Generation {
            schema,
            store: store.clone(),
            version,
        });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = next;
        Ok(())
    }

    /// Notes the definitions version the current generation serves (recorded at start).
    pub fn set_version(&self, version: i64) {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        let g = Generation {
            schema: current.schema.clone(),
            store: current.store.clone(),
            version,
        };
        *current = Arc::new(g);
    }
}
