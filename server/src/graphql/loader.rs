//! References resolve to the referenced row through a DataLoader: one query per referenced
//! table and cycle for a whole page, never one per row.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::{Request, ServerResult};

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::dynamic::{Field, FieldFuture, FieldValue, TypeRef};

use crate::authz::{Access, Action};
use crate::defs::{naming, Catalog, FieldType, Table};
use crate::model::Value;
use crate::service::budget::{self, Budget};
use crate::service::page::{self, Cells};
use crate::service::read::StoredRow;
use crate::service::Service;

/// What a reference points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RefKey {
    pub table: String,
    pub field: String,
    pub cycle: i32,
    pub value: String,
    /// The unit of the referencing row: where several units' rows share the key (each 院系
    /// numbers its own), the reference means that unit's row.
    pub unit: String,
}

/// Loads referenced rows in batches, within the caller's read scope.
pub struct RefLoader {
    pub svc: Service,
    pub access: Access,
    /// The request's time budget: the loader runs in tasks of its own, outside the request's.
    pub budget: Option<Arc<Budget>>,
}

impl RefLoader {
    /// The per-request loader.
    pub fn data_loader(svc: Service, access: Access) -> DataLoader<RefLoader> {
        let budget = budget::current();
        DataLoader::new(
            RefLoader {
                svc,
                access,
                budget,
            },
            tokio::spawn,
        )
    }
}

/// Gives every request that carries a caller its own reference loader, so that whoever executes
/// the schema (the HTTP endpoint, a test, a script) gets batched references without knowing of
/// the loader.
pub struct AttachLoader;

impl ExtensionFactory for AttachLoader {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AttachLoader)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for AttachLoader {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let of = |id: TypeId| request.data.get(&id);
        let access = of(TypeId::of::<Access>()).and_then(|a| a.downcast_ref::<Access>());
        let service = of(TypeId::of::<Service>()).and_then(|s| s.downcast_ref::<Service>());
        let loader = match (access, service) {
            (Some(a), Some(s)) => Some(RefLoader::data_loader(s.clone(), a.clone())),
            _ => None,
        };
        let request = match loader {
            Some(l) => request.data(l),
            None => request,
        };
        next.run(ctx, request).await
    }
}

impl Loader<RefKey> for RefLoader {
    type Value = StoredRow;
    type Error = String;

    async fn load(&self, keys: &[RefKey]) -> Result<HashMap<RefKey, StoredRow>, String> {
        let mut batches: HashMap<(String, String, i32), Vec<String>> = HashMap::new();
        for k in keys {
            batches
                .entry((k.table.clone(), k.field.clone(), k.cycle))
                .or_default()
                .push(k.value.clone());
        }
        let mut out = HashMap::new();
        for ((code, field, cycle), values) in batches {
            let (who, c, f) = (self.access.clone(), code.clone(), field.clone());
            let rows = self
                .svc
                .blocking_for(self.budget.clone(), move |svc| {
                    svc.referenced_rows(&who, &c, &f, cycle, values)
                })
                .await
                .map_err(|e| e.message)?;
            // Per key, the referencing unit's own row when there is one, else the first found.
            let mut found: HashMap<String, Vec<StoredRow>> = HashMap::new();
            for row in rows {
                if let Some(Value::Text(v)) = row.values.get(&field) {
                    found.entry(v.clone()).or_default().push(row);
                }
            }
            for k in keys
                .iter()
                .filter(|k| k.table == code && k.field == field && k.cycle == cycle)
            {
                let candidates = found.get(&k.value).map(Vec::as_slice).unwrap_or_default();
                let pick = candidates
                    .iter()
                    .find(|r| r.unit == k.unit)
                    .or_else(|| candidates.first());
                if let Some(row) = pick {
                    out.insert(k.clone(), row.clone());
                }
            }
        }
        Ok(out)
    }
}

/// `<field>Row`: the row a single-target reference points at.
pub fn ref_field(catalog: &Catalog, table: &Table, f: &crate::defs::Field) -> Option<Field> {
    let FieldType::Ref { targets } = &f.ty else {
        return None;
    };
    let [target] = targets.as_slice() else {
        return None;
    };
    let to = catalog.table_by_slug(&target.table)?.clone();
    let (code, to_field, name) = (to.code.clone(), target.field.clone(), f.name.clone());
    let cell = page::SYSTEM.len() + table.fields.iter().position(|g| g.name == f.name)?;
    let described = format!(
        "{} 所指的记录（{} {}）；未填或查不到时为空；无权查看该表时为空，并在此路径返回 FORBIDDEN 错误",
        f.label, to.code, to.name
    );
    let field = Field::new(
        format!("{}Row", naming::graphql_field(&f.name)),
        TypeRef::named(naming::type_name(&to.slug)),
        move |ctx| {
            let (code, to_field, name) = (code.clone(), to_field.clone(), name.clone());
            let to = to.clone();
            FieldFuture::new(async move {
                let Some((cycle, unit, value)) = ref_of(ctx.parent_value, &name, cell)? else {
                    return Ok(None);
                };
                // A caller who may not read the referenced table gets null with the reason at
                // this path, not a silent null that reads as "no such row".
                if let Ok(access) = ctx.data::<Access>() {
                    if let Err(e) = crate::service::guard(access, &to, Action::Read) {
                        let e = async_graphql::Error::from(e).into_server_error(ctx.item.pos);
                        ctx.add_error(ctx.set_error_path(e));
                        return Ok(None);
                    }
                }
                let loader = ctx.data::<DataLoader<RefLoader>>()?;
                let key = RefKey {
                    table: code,
                    field: to_field,
                    cycle,
                    value,
                    unit,
                };
                let found = loader
                    .load_one(key)
                    .await
                    .map_err(async_graphql::Error::new)?;
                Ok(found.map(FieldValue::owned_any))
            })
        },
    )
    .description(described);
    Some(field)
}

/// The cycle, unit and referenced key of a row (a page's cells or a stored row); `None` when the
/// reference is empty. A page always reads cycle and unit beside a selected reference.
fn ref_of(
    parent: &FieldValue<'_>,
    name: &str,
    cell: usize,
) -> async_graphql::Result<Option<(i32, String, String)>> {
    if let Some(c) = parent.downcast_ref::<Cells>() {
        let (Value::Int(cycle), Value::Text(unit), Value::Text(value)) =
            (c.get(page::CYCLE), c.get(page::UNIT), c.get(cell))
        else {
            return Ok(None);
        };
        let cycle = i32::try_from(*cycle)?;
        return Ok(Some((cycle, unit.clone(), value.clone())));
    }
    let row = parent.try_downcast_ref::<StoredRow>()?;
    Ok(match row.values.get(name) {
        Some(Value::Text(value)) => Some((row.cycle, row.unit.clone(), value.clone())),
        _ => None,
    })
}
