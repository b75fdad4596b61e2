//! 典型案例 over HTTP: a case with figures and an attachment goes from draft through a return to
//! acceptance and into the annual report's .docx; bad attachments are refused with a Chinese
//! message and store nothing; another unit can neither read nor touch a draft.

use std::io::Read;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value as Json};
use tower::ServiceExt;

use crate::site::{code, Site};

pub const PASSWORD: &str = "Right#2023";
const BOUNDARY: &str = "----statusdata-case-test";

/// A small but real PDF (what `infer` recognises by its first bytes).
pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

pub const CREATE: &str = "mutation($i: CaseInput!) { createCase(cycle: 2023, input: $i) { id rowVersion state unitName figures { indicator table rowId source label value } } }";
pub const UPDATE: &str = "mutation($id: ID!, $v: Int!, $p: CaseInput!) { updateCase(id: $id, rowVersion: $v, patch: $p) { rowVersion text state } }";
const STEP: &str = "mutation($id: ID!) { %s(id: $id) { state comment rowVersion } }";
const REVIEW: &str = "mutation($id: ID!, $d: ReviewDecision!, $c: String) { reviewCase(id: $id, decision: $d, comment: $c) { state comment approvedBy } }";
const GET: &str = "query($id: ID!) { case(id: $id) { id title state rowVersion attachments { id fileName size mediaType } } }";

/// Accounts: jdgc collector c1 and head h1, 质量部 q1, xxgc collector c2, a leader l1.
pub async fn people(site: &Site) -> Vec<String> {
    let mut tokens = Vec::new();
    for (no, unit, role) in [
        ("c1", "jdgc", "collector"),
        ("h1", "jdgc", "head"),
        ("q1", "zlb", "quality_admin"),
        ("c2", "xxgc", "collector"),
        ("l1", "zwb", "leader"),
    ] {
        site.account(no, "测试", unit, role, PASSWORD, false);
        tokens.push(site.token(no, PASSWORD).await);
    }
    tokens
}

/// Posts `bytes` as the multipart field `file` named `name`.
pub async fn upload(
    site: &Site,
    token: &str,
    case: &str,
    name: &str,
    bytes: &[u8],
) -> (StatusCode, Json) {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let request = Request::post(format!("/cases/{case}/attachments"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body))
        .expect("request");
    let response = site.app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Json::Null))
}

pub async fn get(site: &Site, token: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let request = Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let response = site.app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .expect("body");
    (status, bytes.to_vec())
}

pub async fn step(site: &Site, token: &str, name: &str, id: &str) -> Json {
    site.gql(Some(token), &STEP.replace("%s", name), json!({ "id": id }))
        .await
        .0
}

/// A new draft case of c1's unit; its id.
pub async fn draft(site: &Site, token: &str, title: &str) -> String {
    let input = json!({ "theme": "技能大赛", "title": title, "text": "第一段。\n第二段。" });
    let (r, _) = site.gql(Some(token), CREATE, json!({ "i": input })).await;
    r["data"]["createCase"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("create: {r}"))
        .to_owned()
}

/// The text of a .docx (its paragraphs' runs, tags removed).
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document.xml")
        .read_to_string(&mut xml)
        .expect("read");
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.replace("</w:p>", "\n").chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_case_with_an_attachment_goes_through_review_and_acceptance_into_the_report() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("setup");
    let t = people(&site).await;
    let (collector, head, quality) = (&t[0], &t[1], &t[2]);
    // A row of jdgc's own to quote.
    let post = json!({ "teacherNo": "T00001", "org": "全国机械行业职业教育教学指导委员会", "post": "委员", "kind": "01", "level": "02", "startYm": "2022-10" });
    let (r, _) = site
        .gql(
            Some(collector),
            "mutation($i: CreateExternalPostInput!) { createExternalPost(input: $i) { id } }",
            json!({ "i": post }),
        )
        .await;
    let row = r["data"]["createExternalPost"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_owned();
    let bad = json!({ "theme": "校园文化", "title": " ", "text": "正文" });
    let (r, _) = site.gql(Some(collector), CREATE, json!({ "i": bad })).await;
    assert_eq!(code(&r), "VALIDATION_FAILED", "{r}");
    let problems = r["errors"][0]["extensions"]["problems"].to_string();
    assert!(
        problems.contains("主题：应为 教学改革") && problems.contains("标题：不能为空"),
        "{problems}"
    );
    let unknown = json!({ "theme": "校企合作", "title": "标题", "text": "正文",
        "figures": [{ "indicator": "no_such_indicator", "label": "某指标", "value": "1" }] });
    let (r, _) = site
        .gql(Some(collector), CREATE, json!({ "i": unknown }))
        .await;
    assert_eq!(code(&r), "VALIDATION_FAILED", "{r}");
    assert!(
        r["errors"][0]["extensions"]["problems"]
            .to_string()
            .contains("没有编号为 no_such_indicator 的核心指标"),
        "an indicator the indicators file does not define is refused: {r}"
    );
    // What the form shows names the 表号 and 行号 in words, not the API's field names.
    let unlinked = json!({ "theme": "校企合作", "title": "标题", "text": "正文",
        "figures": [{ "label": "某指标", "value": "1" }, { "table": "2.15.5", "label": "某行", "value": "1" }] });
    let (r, _) = site
        .gql(Some(collector), CREATE, json!({ "i": unlinked }))
        .await;
    let problems = r["errors"][0]["extensions"]["problems"].to_string();
    assert!(
        problems.contains("请填写关联的核心指标编号，或数据表的表号与行号")
            && problems.contains("请填写“2.15.5")
            && !problems.contains("rowId")
            && !problems.contains("indicator"),
        "{problems}"
    );
    let input = json!({
        "theme": "校企合作",
        "title": "“校中厂”共建智能制造产业学院",
        "text": "学院与本地龙头企业共建智能制造产业学院。\n三年来共同开发课程 12 门，学生实习 600 余人次。",
        "figures": [
            { "indicator": "double_qualified_ratio", "label": "双师型教师比例", "value": "68.5%" },
            { "table": "2.15.5", "rowId": row, "label": "行业兼职", "value": "全国行指委委员" },
        ],
    });
    let (r, _) = site
        .gql(Some(collector), CREATE, json!({ "i": input }))
        .await;
    let case = &r["data"]["createCase"];
    assert_eq!(case["state"], "draft", "{r}");
    assert_eq!(case["unitName"], "机电工程学院");
    assert!(
        case["figures"][1]["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("2.15.5 ")),
        "{r}"
    );
    // An indicator is named as people read it, not by its id.
    assert_eq!(
        case["figures"][0]["source"], "核心指标：双师型教师比例",
        "{r}"
    );
    let id = case["id"].as_str().expect("id").to_owned();
    let (status, body) = upload(&site, collector, &id, "校企合作协议.pdf", PDF).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let attachment = body["attachment"]["id"]
        .as_str()
        .expect("attachment id")
        .to_owned();
    assert_eq!(
        step(&site, collector, "submitCase", &id).await["data"]["submitCase"]["state"],
        "submitted"
    );
    let (r, _) = site
        .gql(
            Some(collector),
            UPDATE,
            json!({ "id": id, "v": 3, "p": { "title": "改" } }),
        )
        .await;
    assert_eq!(code(&r), "LOCKED", "no edits once submitted: {r}");
    let (status, _) = upload(&site, collector, &id, "b.pdf", PDF).await;
    assert_eq!(status, StatusCode::LOCKED);
    let review = |token: &str, d: &str, c: Option<&str>| {
        let (token, d, c) = (token.to_owned(), d.to_owned(), c.map(str::to_owned));
        let (site, id) = (&site, id.clone());
        async move {
            site.gql(Some(&token), REVIEW, json!({ "id": id, "d": d, "c": c }))
                .await
                .0
        }
    };
    assert_eq!(
        code(&review(collector, "APPROVE", None).await),
        "FORBIDDEN",
        "a collector does not review"
    );
    assert_eq!(
        code(&review(head, "RETURN", None).await),
        "BAD_REQUEST",
        "a return needs a reason"
    );
    let r = review(head, "RETURN", Some("请补充合作成效的数据")).await;
    assert_eq!(r["data"]["reviewCase"]["state"], "returned", "{r}");
    let (r, _) = site.gql(Some(quality), GET, json!({ "id": id })).await;
    let version = r["data"]["case"]["rowVersion"].as_i64().expect("version");
    let patch = json!({ "text": "学院与本地龙头企业共建智能制造产业学院。\n三年来共同开发课程 12 门，订单班就业率 98%。" });
    let (r, _) = site
        .gql(
            Some(collector),
            UPDATE,
            json!({ "id": id, "v": version, "p": patch }),
        )
        .await;
    assert_eq!(
        r["data"]["updateCase"]["state"], "returned",
        "editable after a return: {r}"
    );
    step(&site, collector, "submitCase", &id).await;
    assert_eq!(
        review(head, "APPROVE", None).await["data"]["reviewCase"]["state"],
        "approved"
    );
    assert_eq!(
        code(&step(&site, head, "acceptCase", &id).await),
        "FORBIDDEN",
        "only 质量部 accepts"
    );
    assert_eq!(
        step(&site, quality, "acceptCase", &id).await["data"]["acceptCase"]["state"],
        "accepted"
    );
    let (r, _) = site
        .gql(
            Some(collector),
            UPDATE,
            json!({ "id": id, "v": version + 4, "p": { "title": "改" } }),
        )
        .await;
    assert_eq!(code(&r), "LOCKED", "locked after acceptance: {r}");
    // A draft of another case stays out of the report.
    draft(&site, collector, "尚未验收的技能大赛案例").await;
    let (status, bytes) = get(&site, quality, "/export/2023/cases.docx").await;
    assert_eq!(status, StatusCode::OK);
    let text = docx_text(&bytes);
    for expected in [
        "2023 年度质量年度报告 · 典型案例",
        "校企合作",
        "案例1：“校中厂”共建智能制造产业学院",
        "撰写单位：机电工程学院",
        "订单班就业率 98%",
        "双师型教师比例：68.5%（核心指标：双师型教师比例）",
        "行业兼职：全国行指委委员（数据来源 2.15.5 ",
        "附件：校企合作协议.pdf",
    ] {
        assert!(
            text.contains(expected),
            "the report lacks {expected:?}:\n{text}"
        );
    }
    assert!(!text.contains("尚未验收"), "only accepted cases: {text}");
    let (status, content) = get(&site, quality, &format!("/cases/attachments/{attachment}")).await;
    assert_eq!((status, content.as_slice()), (StatusCode::OK, PDF));
    let id_num: i64 = id.parse().expect("numeric id");
    let log = site
        .db
        .store
        .audit_log("cases", Some(id_num))
        .expect("audit");
    let ops: Vec<&str> = log.iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(
        ops,
        [
            "case.create",
            "case.attach",
            "case.submit",
            "case.return",
            "case.update",
            "case.submit",
            "case.approve",
            "case.accept"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_or_disallowed_attachment_is_refused_and_nothing_is_stored() {
    let site =
        tokio::task::spawn_blocking(|| Site::with_state(|s| s.case_limits.max_bytes = 64 << 10))
            .await
            .expect("setup");
    let t = people(&site).await;
    let id = draft(&site, &t[0], "技能大赛获奖").await;
    let mut big = PDF.to_vec();
    big.resize(100 << 10, b' ');
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let huge = vec![b'%'; 400 << 10];
    let cases: [(&str, &[u8], &str); 5] = [
        ("获奖证书.pdf", &big, "大小为 100 KB，超过上限 64 KB"),
        ("获奖证书.pdf", &huge, "附件过大（上限 64 KB）"),
        (
            "setup.exe",
            b"MZ\x90\0\x03\0\0\0",
            "不在允许的类型内：只能上传 PDF、DOCX、XLSX、JPG、PNG",
        ),
        ("照片.pdf", png, "文件内容是 PNG"),
        ("空.pdf", b"", "是空文件"),
    ];
    for (name, bytes, says) in cases {
        let (status, body) = upload(&site, &t[0], &id, name, bytes).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {body}");
        assert_eq!(body["code"], "BAD_REQUEST");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{name}: {message}");
    }
    let (r, _) = site.gql(Some(&t[0]), GET, json!({ "id": id })).await;
    assert_eq!(
        r["data"]["case"]["attachments"],
        json!([]),
        "nothing stored: {r}"
    );
    assert_eq!(r["data"]["case"]["rowVersion"], 1, "the case is unchanged");
    let log = site
        .db
        .store
        .audit_log("cases", id.parse().ok())
        .expect("audit");
    assert!(log.iter().all(|e| e.operation != "case.attach"));
    // The same file with its own name is taken.
    let (status, body) = upload(&site, &t[0], &id, "照片.png", png).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["attachment"]["mediaType"], "image/png");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_collector_of_another_unit_cannot_read_or_edit_a_draft() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("setup");
    let t = people(&site).await;
    let (owner, quality, other, leader) = (&t[0], &t[2], &t[3], &t[4]);
    let id = draft(&site, owner, "机电学院的草稿").await;
    let (_, body) = upload(&site, owner, &id, "a.pdf", PDF).await;
    let attachment = body["attachment"]["id"]
        .as_str()
        .expect("attachment")
        .to_owned();
    let (r, _) = site.gql(Some(other), GET, json!({ "id": id })).await;
    assert_eq!(code(&r), "NOT_FOUND", "{r}");
    let (r, _) = site
        .gql(Some(other), "{ cases(cycle: 2023) { id } }", json!({}))
        .await;
    assert_eq!(r["data"]["cases"], json!([]), "{r}");
    let (r, _) = site
        .gql(
            Some(other),
            "{ cases(cycle: 2023, unit: \"jdgc\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["cases"], json!([]), "{r}");
    let (r, _) = site
        .gql(
            Some(other),
            UPDATE,
            json!({ "id": id, "v": 1, "p": { "title": "改" } }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND", "{r}");
    for name in ["submitCase", "deleteCase"] {
        let query = if name == "deleteCase" {
            "mutation($id: ID!) { deleteCase(id: $id) }".to_owned()
        } else {
            STEP.replace("%s", name)
        };
        let (r, _) = site.gql(Some(other), &query, json!({ "id": id })).await;
        assert_eq!(code(&r), "NOT_FOUND", "{name}: {r}");
    }
    assert_eq!(
        upload(&site, other, &id, "b.pdf", PDF).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&site, other, &format!("/cases/attachments/{attachment}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // 质量部 and leaders read every unit's cases; a leader writes none.
    for token in [quality, leader] {
        let (r, _) = site.gql(Some(token), GET, json!({ "id": id })).await;
        assert_eq!(r["data"]["case"]["title"], "机电学院的草稿", "{r}");
    }
    let (r, _) = site
        .gql(
            Some(leader),
            CREATE,
            json!({ "i": { "theme": "社会服务", "title": "t", "text": "x" } }),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
    let (r, _) = site
        .gql(
            Some(quality),
            "{ cases(cycle: 2023, unit: \"机电工程学院\") { title } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r["data"]["cases"],
        json!([{ "title": "机电学院的草稿" }]),
        "{r}"
    );
    let (r, _) = site
        .gql(
            Some(quality),
            "{ cases(cycle: 2023, state: \"done\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    let (r, _) = site.gql(Some(owner), GET, json!({ "id": id })).await;
    assert_eq!(
        (
            r["data"]["case"]["state"].clone(),
            r["data"]["case"]["rowVersion"].clone()
        ),
        (json!("draft"), json!(2)),
        "untouched: {r}"
    );
}
