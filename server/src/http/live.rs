//! The definitions in force in this process: the GraphQL schema and the service serving one
//! catalog, swapped as a whole when the definitions are reloaded. A request takes the current
//! generation once, at its start, and finishes on it even when a reload lands meanwhile.

use std::sync::{Arc, RwLock};

use async_graphql::dynamic::Schema;

use crate::graphql::{build_schema, ApiConfig};
use crate::service::Service;

/// One catalog's schema and the service over it.
pub struct Generation {
    pub schema: Schema,
    pub service: Service,
    /// The database's definitions version this generation serves (0: not recorded).
    pub version: i64,
}

/// The generation in force, replaceable while the server runs.
pub struct Live {
    current: RwLock<Arc<Generation>>,
    config: ApiConfig,
}

impl Live {
    /// Starts with `schema` over `service`.
    pub fn new(schema: Schema, service: Service, config: ApiConfig) -> Live {
        Live {
            current: RwLock::new(Arc::new(Generation {
                schema,
                service,
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

    /// Builds the schema for `service`'s catalog and puts both in force as definitions `version`.
    pub fn install(&self, service: Service, version: i64) -> Result<(), String> {
        let schema = build_schema(service.catalog(), Some(self.config.clone()))
            .map_err(|e| format!("cannot build the GraphQL schema: {e}"))?;
        let next = Arc::new(Generation {
            schema,
            service,
            version,
        });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = next;
        Ok(())
    }

    /// Changes the current generation in place: its version (recorded at start) or its
    /// service's settings (clock, export gate), before the server starts.
    pub fn update(&self, change: impl FnOnce(&mut Service, &mut i64)) {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        let (mut service, mut version) = (current.service.clone(), current.version);
        change(&mut service, &mut version);
        *current = Arc::new(Generation {
            schema: current.schema.clone(),
            service,
            version,
        });
    }

    /// Notes the definitions version the current generation serves (recorded at start).
    pub fn set_version(&self, version: i64) {
        self.update(|_, v| *v = version);
    }
}
