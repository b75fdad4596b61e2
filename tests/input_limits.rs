//! GraphQL input within bounds: filter sizes, control characters, a length limit on every
//! textual field, and the lenient forms collectors type.

use serde_json::{json, Value as Json};
use statusdata::defs::{self, FieldType};

use crate::api::{code, Api};
use crate::support::project_paths;

fn problems(r: &Json) -> Vec<Json> {
    r["errors"][0]["extensions"]["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_in_lists_and_search_texts_are_bad_requests() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let many: Vec<String> = (0..40_000).map(|i| format!("S{i}")).collect();
    let q = "query($f: StudentFilter) { students(filter: $f) { totalCount } }";
    let r = api
        .gql(q, json!({ "f": { "studentNo": { "in": many } } }))
        .await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    assert!(r["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("最多 1000 个")));
    let r = api
        .gql(
            q,
            json!({ "f": { "name": { "contains": "长".repeat(500) } } }),
        )
        .await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    let r = api
        .gql(q, json!({ "f": { "studentNo": { "in": ["S1", "S2"] } } }))
        .await;
    assert_eq!(r["data"]["students"]["totalCount"], 0, "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn control_characters_and_overlong_values_are_refused_by_field() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let m = "mutation($i: CreateLeaderVisitInput!) { createLeaderVisit(input: $i, unit: \"cjrh\") { id } }";
    let input = json!({
        "visitor": "张\u{0007}三",
        "outcome": "第一行\n第二行",
        "uscc": "9".repeat(40_000),
    });
    let r = api.gql(m, json!({ "i": input })).await;
    assert_eq!(code(&r), "VALIDATION_FAILED", "{r}");
    let all = problems(&r);
    let rule = |field: &str| {
        all.iter()
            .filter(|p| p["field"] == field)
            .map(|p| p["rule"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    assert!(rule("visitor").contains(&"control".to_owned()), "{r}");
    // A line break is a control character too: only a text field may hold one.
    assert!(rule("outcome").contains(&"control".to_owned()), "{r}");
    assert!(rule("uscc").contains(&"max_len".to_owned()), "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn graphql_input_reads_the_forms_collectors_type() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let m = "mutation($i: CreateLeaderVisitInput!) { createLeaderVisit(input: $i, unit: \"cjrh\") { id } }";
    for date in ["2022年10月8日", "2022.10.8", "20221008", "２０２２/10/8"] {
        let r = api.gql(m, json!({ "i": { "visitDate": date } })).await;
        assert!(
            !problems(&r).iter().any(|p| p["field"] == "visitDate"),
            "{date}: {r}"
        );
    }
    let r = api
        .gql(m, json!({ "i": { "visitDate": "10/8/2022" } }))
        .await;
    let bad = problems(&r)
        .into_iter()
        .find(|p| p["field"] == "visitDate")
        .unwrap_or_default();
    assert!(
        bad["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("走访日期：") && m.contains("2003年6月11日")),
        "{r}"
    );
}

#[test]
fn every_textual_field_has_a_length_limit_an_excel_cell_can_hold() -> anyhow::Result<()> {
    let catalog = defs::load_catalog(&project_paths().defs)?;
    for t in &catalog.tables {
        for f in &t.fields {
            let textual = matches!(
                f.ty,
                FieldType::String
                    | FieldType::Text
                    | FieldType::Enum { .. }
                    | FieldType::MultiEnum { .. }
                    | FieldType::Ref { .. }
                    | FieldType::MultiRef { .. }
            );
            if textual {
                let max = f.max_len.unwrap_or(u32::MAX);
                assert!(max <= 32_767, "{} {}: {max}", t.code, f.name);
            }
        }
    }
    Ok(())
}
