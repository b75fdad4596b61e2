//! Every field of every table reads through GraphQL on the demo college, including multi-valued
//! fields whose stored value is empty (NULL, or an empty string left by another tool).

use diesel::RunQueryDsl;
use serde_json::json;
use statusdata::defs::{naming, FieldType};

use crate::api::Api;

#[tokio::test(flavor = "multi_thread")]
async fn every_table_lists_with_every_field_selected() {
    let api = tokio::task::spawn_blocking(Api::with_demo)
        .await
        .expect("setup");
    let catalog = api.db.store.catalog().clone();
    let mut emptied = 0;
    for table in &catalog.tables {
        let sql_table = naming::sql_table(&table.slug);
        for field in &table.fields {
            if !matches!(
                field.ty,
                FieldType::MultiEnum { .. } | FieldType::MultiRef { .. }
            ) {
                continue;
            }
            let column = &field.name;
            let (a, b) = (
                format!("UPDATE \"{sql_table}\" SET \"{column}\" = NULL WHERE id = (SELECT MIN(id) FROM \"{sql_table}\")"),
                format!("UPDATE \"{sql_table}\" SET \"{column}\" = '' WHERE id = (SELECT MAX(id) FROM \"{sql_table}\")"),
            );
            let mut conn = api.db.store.conn().expect("conn");
            diesel::sql_query(a).execute(&mut *conn).expect("set NULL");
            diesel::sql_query(b).execute(&mut *conn).expect("set ''");
            emptied += 1;
        }
    }
    assert!(emptied > 0, "the catalog has multi-valued fields");
    for table in &catalog.tables {
        let fields: Vec<String> = table
            .fields
            .iter()
            .map(|f| naming::graphql_field(&f.name))
            .collect();
        let query = format!(
            "{{ {}(first: 1000) {{ totalCount nodes {{ id unit rowVersion {} }} }} }}",
            naming::list_field(&table.slug),
            fields.join(" ")
        );
        let r = api.gql(&query, json!({})).await;
        assert!(
            r["errors"].is_null(),
            "{} {}: {}",
            table.code,
            table.name,
            r["errors"]
        );
        let nodes = r["data"][naming::list_field(&table.slug)]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for node in &nodes {
            for f in table.fields.iter().filter(|f| {
                matches!(
                    f.ty,
                    FieldType::MultiEnum { .. } | FieldType::MultiRef { .. }
                )
            }) {
                let v = &node[naming::graphql_field(&f.name)];
                assert!(
                    v.is_array(),
                    "{} {} reads as a list: {v}",
                    table.code,
                    f.name
                );
            }
        }
    }
}
