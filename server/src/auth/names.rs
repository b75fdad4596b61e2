//! The notice's initial password: surname pinyin, capitalised, `@`, staff number (张三 1111 →
//! `Zhang@1111`). Compound surnames and surnames read differently from the character's common
//! reading come from a table; the rest from the `pinyin` crate.

use pinyin::ToPinyin;

/// Two-character surnames, which the first character alone would misread.
const COMPOUND: &[(&str, &str)] = &[
    ("欧阳", "ouyang"),
    ("司马", "sima"),
    ("诸葛", "zhuge"),
    ("上官", "shangguan"),
    ("尉迟", "yuchi"),
    ("司徒", "situ"),
    ("东方", "dongfang"),
    ("皇甫", "huangfu"),
    ("令狐", "linghu"),
    ("公孙", "gongsun"),
    ("慕容", "murong"),
    ("长孙", "zhangsun"),
    ("宇文", "yuwen"),
    ("夏侯", "xiahou"),
    ("轩辕", "xuanyuan"),
    ("澹台", "tantai"),
    ("端木", "duanmu"),
    ("独孤", "dugu"),
    ("南宫", "nangong"),
    ("万俟", "moqi"),
];

/// Surnames read differently from the character's most common reading.
const POLYPHONIC: &[(char, &str)] = &[
    ('曾', "zeng"),
    ('单', "shan"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('朴', "piao"),
    ('查', "zha"),
    ('区', "ou"),
    ('盖', "ge"),
    ('乐', "yue"),
    ('翟', "zhai"),
    ('尉', "yu"),
    ('召', "shao"),
    ('缪', "miao"),
    ('覃', "qin"),
    ('隗', "wei"),
    ('秘', "bi"),
    ('繁', "po"),
    ('员', "yun"),
    ('种', "chong"),
    ('冼', "xian"),
    ('黑', "he"),
    ('宓', "fu"),
    ('折', "she"),
    ('那', "na"),
    ('长', "chang"),
    ('重', "chong"),
    ('沈', "shen"),
    ('华', "hua"),
    ('任', "ren"),
    ('曲', "qu"),
];

/// The pinyin of the surname at the start of `name`, lower case (`欧阳明` → `ouyang`).
pub fn surname_pinyin(name: &str) -> Option<String> {
    let name = name.trim();
    if let Some((_, p)) = COMPOUND.iter().find(|(s, _)| name.starts_with(s)) {
        return Some((*p).to_owned());
    }
    let first = name.chars().next()?;
    if let Some((_, p)) = POLYPHONIC.iter().find(|(c, _)| *c == first) {
        return Some((*p).to_owned());
    }
    first.to_pinyin().map(|p| p.plain().to_owned())
}

/// The initial password for a name (or a given pinyin) and staff number.
pub fn initial_password(name: &str, pinyin: Option<&str>, staff_no: &str) -> Option<String> {
    let p = match pinyin.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => p.to_lowercase(),
        None => surname_pinyin(name)?,
    };
    let mut chars = p.chars();
    let first = chars.next()?.to_ascii_uppercase();
    Some(format!("{first}{}@{staff_no}", chars.as_str()))
}

/// Checks a new password: at least 8 characters from 3 of upper case, lower case, digits and
/// symbols; not containing the staff number; not the initial password. `Err` is Chinese.
pub fn check_new_password(new: &str, staff_no: &str, initial: Option<&str>) -> Result<(), String> {
    if new.chars().count() < 8 {
        return Err("新密码至少 8 位".into());
    }
    let classes = [
        new.chars().any(|c| c.is_ascii_uppercase()),
        new.chars().any(|c| c.is_ascii_lowercase()),
        new.chars().any(|c| c.is_ascii_digit()),
        new.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() < 3 {
        return Err("新密码须包含大写字母、小写字母、数字、符号中的至少三类".into());
    }
    if !staff_no.is_empty() && new.contains(staff_no) {
        return Err("新密码不能包含工号".into());
    }
    if initial.is_some_and(|i| i == new) {
        return Err("新密码不能与初始密码相同".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_example_and_hard_surnames() {
        for (name, given, digits, want) in [
            ("张三", None, "1111", "Zhang@1111"),
            ("欧阳娜娜", None, "2001", "Ouyang@2001"),
            ("曾志", None, "7", "Zeng@7"),
            ("单田芳", None, "8", "Shan@8"),
            ("解晓东", None, "9", "Xie@9"),
            ("朴树", None, "3", "Piao@3"),
            ("李四", Some("LI"), "4", "Li@4"),
        ] {
            let got = initial_password(name, given, digits);
            assert_eq!(got.as_deref(), Some(want), "{name}");
        }
        assert_eq!(surname_pinyin("王五").as_deref(), Some("wang"));
    }

    #[test]
    fn new_passwords_follow_the_rules() {
        assert!(check_new_password("Abc12345", "1001", Some("Zhang@1001")).is_ok());
        assert!(
            check_new_password("abc12345", "1001", None).is_err(),
            "two classes"
        );
        assert!(
            check_new_password("Ab1!", "1001", None).is_err(),
            "too short"
        );
        assert!(
            check_new_password("Ab1001xyz", "1001", None).is_err(),
            "contains staff number"
        );
        assert!(
            check_new_password("Zhang@1001", "1002", Some("Zhang@1001")).is_err(),
            "the initial one"
        );
    }
}
