//! Two people on one 典型案例 at once: two saves with one version give one success and one
//! CONFLICT; a save racing a submit lands before it or is refused; two submits give one.

use std::sync::Arc;

use serde_json::{json, Value as Json};

use crate::cases::{draft, people, step, UPDATE};
use crate::site::{code, Site};

async fn both<F, G>(a: F, b: G) -> (Json, Json)
where
    F: std::future::Future<Output = Json> + Send + 'static,
    G: std::future::Future<Output = Json> + Send + 'static,
{
    let (a, b) = (tokio::spawn(a), tokio::spawn(b));
    (a.await.expect("task"), b.await.expect("task"))
}

async fn case(site: &Site, token: &str, id: &str) -> Json {
    let (r, _) = site
        .gql(
            Some(token),
            "query($id: ID!) { case(id: $id) { text state rowVersion } }",
            json!({ "id": id }),
        )
        .await;
    r["data"]["case"].clone()
}

fn save(
    site: &Arc<Site>,
    token: &str,
    id: &str,
    version: i64,
    text: &str,
) -> impl std::future::Future<Output = Json> + Send + 'static {
    let (site, token, id, text) = (
        site.clone(),
        token.to_owned(),
        id.to_owned(),
        text.to_owned(),
    );
    async move {
        site.gql(
            Some(&token),
            UPDATE,
            json!({ "id": id, "v": version, "p": { "text": text } }),
        )
        .await
        .0
    }
}

fn submit(
    site: &Arc<Site>,
    token: &str,
    id: &str,
) -> impl std::future::Future<Output = Json> + Send + 'static {
    let (site, token, id) = (site.clone(), token.to_owned(), id.to_owned());
    async move { step(&site, &token, "submitCase", &id).await }
}

fn count(site: &Site, id: &str, operation: &str) -> usize {
    let log = site
        .db
        .store
        .audit_log("cases", id.parse().ok())
        .expect("audit");
    log.iter().filter(|e| e.operation == operation).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_edits_and_two_submits_of_one_case_end_consistently() {
    let site = Arc::new(tokio::task::spawn_blocking(Site::new).await.expect("setup"));
    let t = people(&site).await;
    let (collector, head) = (t[0].clone(), t[1].clone());

    // Two saves with the same version: one wins, the other is told to refresh.
    let id = draft(&site, &collector, "并发修改").await;
    let (a, b) = both(
        save(&site, &collector, &id, 1, "甲的正文"),
        save(&site, &head, &id, 1, "乙的正文"),
    )
    .await;
    let ok: Vec<&Json> = [&a, &b]
        .into_iter()
        .filter(|r| r["data"]["updateCase"].is_object())
        .collect();
    let conflicts = [&a, &b]
        .into_iter()
        .filter(|r| code(r) == "CONFLICT")
        .count();
    assert_eq!(
        (ok.len(), conflicts),
        (1, 1),
        "one save and one CONFLICT: {a} {b}"
    );
    let now = case(&site, &collector, &id).await;
    assert_eq!(
        now["text"], ok[0]["data"]["updateCase"]["text"],
        "the winner's text stays"
    );
    assert_eq!(now["rowVersion"], 2);
    assert_eq!(count(&site, &id, "case.update"), 1);

    // A save racing a submit, a few times: the save lands wholly before the submit, or is
    // refused; never a submitted case with a text nobody saw submitted.
    for round in 0..4 {
        let id = draft(&site, &collector, &format!("并发提交 {round}")).await;
        let text = format!("提交前的修改 {round}");
        let (saved, submitted) = both(
            save(&site, &collector, &id, 1, &text),
            submit(&site, &collector, &id),
        )
        .await;
        assert_eq!(
            submitted["data"]["submitCase"]["state"], "submitted",
            "{submitted}"
        );
        let now = case(&site, &collector, &id).await;
        assert_eq!(now["state"], "submitted");
        if saved["data"]["updateCase"].is_object() {
            assert_eq!(
                now["text"],
                text.as_str(),
                "a save that succeeded is in the submitted case"
            );
            assert_eq!(count(&site, &id, "case.update"), 1);
        } else {
            assert_eq!(
                code(&saved),
                "LOCKED",
                "a save after the submit is refused: {saved}"
            );
            assert_eq!(now["text"], "第一段。\n第二段。");
            assert_eq!(count(&site, &id, "case.update"), 0);
        }
    }

    // Two submits at once: one moves the case, the other finds it already submitted.
    let id = draft(&site, &collector, "并发提交两次").await;
    let (a, b) = both(submit(&site, &collector, &id), submit(&site, &head, &id)).await;
    let ok = [&a, &b]
        .into_iter()
        .filter(|r| r["data"]["submitCase"]["state"] == "submitted")
        .count();
    let conflicts = [&a, &b]
        .into_iter()
        .filter(|r| code(r) == "CONFLICT")
        .count();
    assert_eq!((ok, conflicts), (1, 1), "{a} {b}");
    assert_eq!(count(&site, &id, "case.submit"), 1);
    assert_eq!(case(&site, &collector, &id).await["rowVersion"], 2);
}
