//! Attachments of a case, kept in the database: a size limit and a list of allowed types, each
//! file recognised by its first bytes (`infer`), never by its name alone. A refusal says in
//! Chinese what is wrong and stores nothing.

use sha2::{Digest, Sha256};

use super::super::{stamp, ApiError, ApiResult, Code, Service};
use super::{load, CaseOut};
use crate::authz::Access;
pub use crate::store::cases::Attachment;
use crate::store::cases::{self as cs, NewAttachment};

/// The most attachments one case carries.
pub const MAX_ATTACHMENTS: usize = 20;

/// What an attachment may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentLimits {
    /// The largest file, in bytes.
    pub max_bytes: usize,
    /// Allowed types by extension (lower case, `jpg` for JPEG).
    pub types: Vec<String>,
}

impl Default for AttachmentLimits {
    /// 10 MB; PDF, Word, Excel, JPEG and PNG.
    fn default() -> Self {
        AttachmentLimits {
            max_bytes: 10 << 20,
            types: ["pdf", "docx", "xlsx", "jpg", "png"]
                .map(str::to_owned)
                .to_vec(),
        }
    }
}

impl AttachmentLimits {
    /// Limits from a size in MB and a comma-separated list of extensions (`pdf,docx,png`).
    pub fn parse(max_mb: usize, types: &str) -> Result<AttachmentLimits, String> {
        let types: Vec<String> = types
            .split([',', ' ', '，'])
            .map(|t| normalise(t.trim().trim_start_matches('.')))
            .filter(|t| !t.is_empty())
            .collect();
        if types.is_empty() || max_mb == 0 {
            return Err("case attachments need a size above 0 MB and at least one type".into());
        }
        if let Some(bad) = types
            .iter()
            .find(|t| !t.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(format!("\"{bad}\" is not a file extension"));
        }
        Ok(AttachmentLimits {
            max_bytes: max_mb << 20,
            types,
        })
    }

    fn names(&self) -> String {
        self.types
            .iter()
            .map(|t| t.to_uppercase())
            .collect::<Vec<_>>()
            .join("、")
    }
}

fn normalise(ext: &str) -> String {
    match ext.to_ascii_lowercase().as_str() {
        "jpeg" | "jpe" => "jpg".into(),
        other => other.to_owned(),
    }
}

/// A size in words: `10 MB`, `512 KB`.
pub fn size_text(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        let mb = bytes as f64 / f64::from(1u32 << 20);
        format!("{} MB", (mb * 10.0).round() / 10.0)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// The file's name without folders or control characters, at most 200 characters.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    base.chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Checks a file against the limits: its clean name and media type, or why it is refused.
pub fn check_file(
    name: &str,
    bytes: &[u8],
    limits: &AttachmentLimits,
) -> Result<(String, String), String> {
    let name = clean_name(name);
    let shown = if name.is_empty() {
        "（无文件名）"
    } else {
        name.as_str()
    };
    if bytes.is_empty() {
        return Err(format!("附件“{shown}”是空文件"));
    }
    if bytes.len() > limits.max_bytes {
        return Err(format!(
            "附件“{shown}”大小为 {}，超过上限 {}，未保存",
            size_text(bytes.len()),
            size_text(limits.max_bytes)
        ));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| normalise(e))
        .unwrap_or_default();
    if !limits.types.contains(&ext) {
        let said = if ext.is_empty() {
            "没有扩展名的".to_owned()
        } else {
            format!(".{ext} ")
        };
        return Err(format!(
            "附件“{shown}”是{said}文件，不在允许的类型内：只能上传 {}，未保存",
            limits.names()
        ));
    }
    let found = infer::get(bytes);
    match found {
        Some(kind) if normalise(kind.extension()) == ext => Ok((name, kind.mime_type().to_owned())),
        Some(kind) => Err(format!(
            "附件“{shown}”的扩展名是 .{ext}，但文件内容是 {}（按文件头识别），可能是改了扩展名；请上传真正的 {} 文件，未保存",
            kind.extension().to_uppercase(),
            ext.to_uppercase()
        )),
        None => Err(format!(
            "附件“{shown}”的内容不是 {} 文件（按文件头无法识别），可能已损坏或改了扩展名，未保存",
            ext.to_uppercase()
        )),
    }
}

impl Service {
    /// Refuses early (before an upload is read) unless the caller may attach files to the case
    /// now; [`Service::add_case_attachment`] checks again in its transaction.
    pub fn authorize_case_attachment(&self, who: &Access, case_id: i64) -> ApiResult<()> {
        self.store.with_workflow(|conn| {
            let case = load(conn, who, case_id, false)?;
            self.check_editable(who, &case)
        })
    }

    /// Attaches a file to a draft or returned case: rights and state, then the file itself.
    pub fn add_case_attachment(
        &self,
        who: &Access,
        case_id: i64,
        file_name: &str,
        bytes: &[u8],
        limits: &AttachmentLimits,
    ) -> ApiResult<Attachment> {
        self.authorize_case_attachment(who, case_id)?;
        let (name, media_type) =
            check_file(file_name, bytes, limits).map_err(|m| ApiError::new(Code::BadRequest, m))?;
        let sha256: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let (at, actor) = (stamp(self.now()), who.principal.staff_no.clone());
        let id = self.store.write(|conn| {
            let case = load(conn, who, case_id, true)?;
            self.check_editable(who, &case)?;
            if cs::count_attachments(conn, case_id)? >= MAX_ATTACHMENTS {
                return Err(ApiError::new(
                    Code::BadRequest,
                    format!("每个案例最多 {MAX_ATTACHMENTS} 个附件，请先删除不需要的附件"),
                ));
            }
            let new = NewAttachment {
                case_id,
                file_name: &name,
                media_type: &media_type,
                sha256: &sha256,
                content: bytes,
            };
            let id = cs::insert_attachment(conn, &new, &at, &actor)?;
            cs::touch(conn, case_id, &at, &actor)?;
            let detail = serde_json::json!({ "attachment": id, "fileName": name, "mediaType": media_type, "size": bytes.len(), "sha256": sha256 });
            cs::audit_case(conn, &actor, case.cycle, case_id, "case.attach", None, Some(detail))?;
            Ok::<_, ApiError>(id)
        })?;
        self.store
            .with_workflow(|conn| cs::get_attachment(conn, id))?
            .ok_or_else(|| ApiError::internal("attachment vanished after insert"))
    }

    /// An attachment of a case the caller may see, with its content.
    pub fn case_attachment(&self, who: &Access, id: i64) -> ApiResult<(Attachment, Vec<u8>)> {
        self.store.with_workflow(|conn| {
            let missing = || {
                ApiError::new(
                    Code::NotFound,
                    format!("没有编号为 {id} 的附件，或不在您可查看的范围内"),
                )
            };
            let meta = cs::get_attachment(conn, id)?.ok_or_else(missing)?;
            load(conn, who, meta.case_id, false).map_err(|_| missing())?;
            let content = cs::attachment_content(conn, id)?.ok_or_else(missing)?;
            Ok((meta, content))
        })
    }

    /// Removes an attachment from a draft or returned case.
    pub fn delete_case_attachment(&self, who: &Access, id: i64) -> ApiResult<CaseOut> {
        let (at, actor) = (stamp(self.now()), who.principal.staff_no.clone());
        let case_id = self.store.write(|conn| {
            let missing = || ApiError::new(Code::NotFound, format!("没有编号为 {id} 的附件，或不在您可查看的范围内"));
            let meta = cs::get_attachment(conn, id)?.ok_or_else(missing)?;
            let case = load(conn, who, meta.case_id, true).map_err(|_| missing())?;
            self.check_editable(who, &case)?;
            cs::delete_attachment(conn, id)?;
            cs::touch(conn, case.id, &at, &actor)?;
            let before = serde_json::json!({ "attachment": id, "fileName": meta.file_name, "size": meta.size, "sha256": meta.sha256 });
            cs::audit_case(conn, &actor, case.cycle, case.id, "case.detach", Some(before), None)?;
            Ok::<_, ApiError>(case.id)
        })?;
        self.case_by_id(who, case_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_ten_megabytes_and_five_types() {
        let l = AttachmentLimits::default();
        assert_eq!(l.max_bytes, 10 * 1024 * 1024);
        assert_eq!(l.types, ["pdf", "docx", "xlsx", "jpg", "png"]);
        assert_eq!(
            AttachmentLimits::parse(2, "pdf, .JPEG").map(|l| l.types),
            Ok(vec!["pdf".to_owned(), "jpg".to_owned()])
        );
    }

    #[test]
    fn a_renamed_file_is_recognised_by_its_bytes() {
        let l = AttachmentLimits::default();
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert!(check_file("图.png", png, &l).is_ok());
        let e = check_file("报告.pdf", png, &l).expect_err("png named pdf");
        assert!(e.contains("PNG") && e.contains("未保存"), "{e}");
        let e = check_file("a.exe", b"MZ\x90\0", &l).expect_err("exe");
        assert!(
            e.contains(".exe") && e.contains("PDF、DOCX、XLSX、JPG、PNG"),
            "{e}"
        );
        let e = check_file("c:\\tmp\\说明.pdf", b"plain text", &l).expect_err("text named pdf");
        assert!(e.starts_with("附件“说明.pdf”"), "{e}");
    }
}
