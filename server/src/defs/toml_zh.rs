//! Puts the TOML parser's and serde's English messages into Chinese, keeping the keys and values
//! they quote, so that `statusdata check` reads one language.

/// The Chinese form of one message of the `toml` crate (syntax) or of serde (shape).
pub fn toml_message(msg: &str) -> String {
    let msg = msg.trim();
    let first = msg.lines().next().unwrap_or_default().trim();
    if let Some(zh) = serde_shape(first) {
        return zh;
    }
    if let Some(zh) = SYNTAX.iter().find(|(en, _)| first.starts_with(en)) {
        return format!("TOML 语法错误：{}", zh.1);
    }
    match quoted(first).as_slice() {
        [] => "TOML 语法错误".into(),
        tokens => format!("TOML 语法错误（涉及 {}）", tokens.join("、")),
    }
}

/// serde's messages about a well-formed file of the wrong shape.
fn serde_shape(msg: &str) -> Option<String> {
    let (head, rest) = msg.split_once(", expected ").unwrap_or((msg, ""));
    let choices = choices(rest);
    let tokens = quoted(head);
    let first = tokens.first().cloned().unwrap_or_default();
    if head.starts_with("unknown field") {
        return Some(format!(
            "未知的键 {first}{}",
            with_list("可用的键", &choices)
        ));
    }
    if head.starts_with("unknown variant") {
        return Some(format!("未知的取值 {first}{}", with_list("可选", &choices)));
    }
    if head.starts_with("missing field") {
        return Some(format!("缺少 {first}"));
    }
    if head.starts_with("duplicate field") || head.starts_with("duplicate key") {
        return Some(match first.is_empty() {
            true => "键重复".into(),
            false => format!("键 {first} 重复"),
        });
    }
    if let Some(found) = head.strip_prefix("invalid type: ") {
        return Some(format!(
            "类型不对：这里是{}，应为{}",
            type_zh(found),
            type_zh(rest)
        ));
    }
    if let Some(found) = head.strip_prefix("invalid value: ") {
        return Some(format!(
            "取值不对：这里是{}，应为{}",
            type_zh(found),
            type_zh(rest)
        ));
    }
    None
}

/// The tokens serde lists after "expected one of"/"expected": `a`, `b` or `c`.
fn choices(rest: &str) -> Vec<String> {
    quoted(rest)
}

fn with_list(what: &str, items: &[String]) -> String {
    match items {
        [] => String::new(),
        items => format!("（{what}：{}）", items.join("、")),
    }
}

/// Every `back-quoted` token of the message, with its back quotes.
fn quoted(msg: &str) -> Vec<String> {
    msg.split('`')
        .enumerate()
        .filter(|(i, t)| i % 2 == 1 && !t.is_empty())
        .map(|(_, t)| format!("`{t}`"))
        .collect()
}

/// serde's names of value types ("a string", "integer `3`", "u32", "a sequence") in Chinese,
/// keeping any quoted value.
fn type_zh(text: &str) -> String {
    let t = text.trim();
    let value = quoted(t).into_iter().next().or_else(|| {
        t.split_once('"')
            .and_then(|(_, r)| r.rsplit_once('"'))
            .map(|(v, _)| format!("\"{v}\""))
    });
    let lower = t.to_ascii_lowercase();
    let name = TYPES
        .iter()
        .find(|(en, _)| lower.contains(en))
        .map_or("其他类型", |(_, zh)| zh);
    match value {
        Some(v) => format!("{name} {v}"),
        None => name.to_owned(),
    }
}

const TYPES: [(&str, &str); 14] = [
    ("string", "字符串"),
    ("char", "字符"),
    ("integer", "整数"),
    ("floating point", "小数"),
    ("float", "小数"),
    ("u8", "整数"),
    ("u16", "整数"),
    ("u32", "整数"),
    ("u64", "整数"),
    ("i64", "整数"),
    ("boolean", "布尔值"),
    ("sequence", "数组"),
    ("map", "表"),
    ("datetime", "日期时间"),
];

const SYNTAX: [(&str, &str); 24] = [
    ("key with no value", "键后缺少 `=` 和值"),
    ("missing value", "缺少值"),
    ("missing assignment", "键值之间缺少 `=`"),
    ("extra assignment", "多了一个 `=`"),
    ("extra `=`", "多了一个 `=`"),
    ("missing comma between array", "数组元素之间缺少逗号"),
    ("missing comma between key-value", "键值对之间缺少逗号"),
    ("extra comma", "多了一个逗号"),
    ("string values must be quoted", "字符串值须加引号"),
    ("unclosed array table", "数组表头缺少 `]]`"),
    ("unclosed table", "表头缺少 `]`"),
    ("unclosed inline table", "内联表缺少 `}`"),
    ("unclosed array", "数组缺少 `]`"),
    ("missing opening quote", "缺少开头的引号"),
    ("invalid basic string", "字符串无效（引号未闭合或转义有误）"),
    ("invalid literal string", "字符串无效（引号未闭合）"),
    ("invalid multi-line", "多行字符串无效"),
    (
        "invalid unquoted key",
        "键名无效（含空格或特殊字符时须加引号）",
    ),
    ("unquoted keys cannot be empty", "键名不能为空"),
    ("invalid key", "键名无效"),
    ("invalid date-time", "日期时间无效"),
    ("invalid", "值无效"),
    ("unexpected", "此处有多余的内容"),
    ("duplicate key", "键重复"),
];

#[cfg(test)]
mod tests {
    use super::toml_message;

    #[test]
    fn serde_messages_keep_their_keys() {
        assert_eq!(
            toml_message("unknown variant `basik`, expected one of `source`, `basic`, `special`"),
            "未知的取值 `basik`（可选：`source`、`basic`、`special`）"
        );
        assert_eq!(
            toml_message("unknown field `colour`, expected `code` or `name`"),
            "未知的键 `colour`（可用的键：`code`、`name`）"
        );
        assert_eq!(toml_message("missing field `slug`"), "缺少 `slug`");
        assert_eq!(
            toml_message("invalid type: string \"x\", expected u32"),
            "类型不对：这里是字符串 \"x\"，应为整数"
        );
    }

    #[test]
    fn syntax_errors_are_chinese() {
        assert_eq!(
            toml_message("key with no value, expected `=`"),
            "TOML 语法错误：键后缺少 `=` 和值"
        );
        assert_eq!(
            toml_message("something new `]`"),
            "TOML 语法错误（涉及 `]`）"
        );
    }
}
