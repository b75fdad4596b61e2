//! Named formats with check digits: 居民身份证号码 (GB 11643), 统一社会信用代码 (GB 32100), ISBN,
//! ISSN, and the simple shapes of phone numbers, e-mail addresses, URLs and area codes.
//! The check-digit functions are public so that the demo generator makes valid numbers.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use crate::defs::Format;

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The GB 11643 check character for the first 17 digits of an ID number.
pub fn gb11643_check(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(char::from(ID_CHECK[(sum % 11) as usize]))
}

/// The birth date encoded in an 18-digit ID number.
pub fn gb11643_birth_date(id: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(id.get(6..14)?, "%Y%m%d").ok()
}

/// True for an 18-character ID with a valid birth date and check digit (`x` accepted as `X`).
pub fn is_gb11643(id: &str) -> bool {
    id.len() == 18
        && gb11643_birth_date(id).is_some()
        && gb11643_check(&id[..17]).is_some_and(|c| id[17..].eq_ignore_ascii_case(&c.to_string()))
}

const USCC_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The GB 32100 check character for the first 17 characters of a unified social credit code.
pub fn gb32100_check(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(USCC_WEIGHTS) {
        sum += USCC_CHARS.find(c)? as u32 * w;
    }
    let check = (31 - sum % 31) % 31;
    USCC_CHARS.chars().nth(check as usize)
}

/// True for an 18-character code of the GB 32100 alphabet with a valid check character.
pub fn is_gb32100(code: &str) -> bool {
    code.len() == 18 && gb32100_check(&code[..17]).is_some_and(|c| code.ends_with(c))
}

/// The ISBN-13 check digit for its first 12 digits.
pub fn isbn13_check(first12: &str) -> Option<char> {
    if first12.len() != 12 || !first12.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first12
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    char::from_digit((10 - sum % 10) % 10, 10)
}

/// True for a valid ISBN-10 or ISBN-13 (hyphens and spaces ignored).
pub fn is_isbn(text: &str) -> bool {
    let s: String = text.chars().filter(|c| *c != '-' && *c != ' ').collect();
    match s.len() {
        13 => isbn13_check(&s[..12]).is_some_and(|c| s.ends_with(c)),
        10 => {
            let mut sum = 0;
            for (i, c) in s.chars().enumerate() {
                let d = match c {
                    '0'..='9' => c as u32 - '0' as u32,
                    'X' | 'x' if i == 9 => 10,
                    _ => return false,
                };
                sum += d * (10 - i as u32);
            }
            sum % 11 == 0
        }
        _ => false,
    }
}

/// True for a valid ISSN `NNNN-NNNC`.
pub fn is_issn(text: &str) -> bool {
    let s: String = text.chars().filter(|c| *c != '-').collect();
    if s.len() != 8 {
        return false;
    }
    let mut sum = 0;
    for (i, c) in s[..7].chars().enumerate() {
        let Some(d) = c.to_digit(10) else {
            return false;
        };
        sum += d * (8 - i as u32);
    }
    let check = (11 - sum % 11) % 11;
    let want = if check == 10 {
        'X'
    } else {
        char::from_digit(check, 10).unwrap_or('?')
    };
    s[7..].eq_ignore_ascii_case(&want.to_string())
}

static MOBILE: LazyLock<Regex> = LazyLock::new(|| regex(r"^1[3-9]\d{9}$"));
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$"));
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"));
static URL: LazyLock<Regex> = LazyLock::new(|| regex(r"^https?://[^\s/$.?#][^\s]*$"));
static AREA: LazyLock<Regex> = LazyLock::new(|| regex(r"^\d{6}$"));

fn regex(pattern: &str) -> Regex {
    // The patterns above are constants checked by this module's tests.
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("bad built-in pattern {pattern}: {e}"))
}

/// Checks `value` against a named format; `Err` carries the Chinese reason.
pub fn check_format(format: Format, value: &str) -> Result<(), &'static str> {
    let ok = match format {
        Format::Gb11643 => is_gb11643(value),
        Format::Gb32100 => is_gb32100(value),
        Format::Isbn => is_isbn(value),
        Format::Issn => is_issn(value),
        Format::Mobile => MOBILE.is_match(value),
        Format::Phone => PHONE.is_match(value),
        Format::Email => EMAIL.is_match(value),
        Format::Url => URL.is_match(value),
        Format::Gb2260 => AREA.is_match(value),
    };
    if ok {
        return Ok(());
    }
    Err(match format {
        Format::Gb11643 => "应为18位居民身份证号码，出生日期与校验位须正确",
        Format::Gb32100 => "应为18位统一社会信用代码，校验位须正确",
        Format::Isbn => "应为有效的ISBN（10位或13位，校验位须正确）",
        Format::Issn => "应为有效的ISSN（如 1234-5679）",
        Format::Mobile => "应为11位手机号码",
        Format::Phone => "应为电话号码（如 0371-12345678 或手机号）",
        Format::Email => "应为电子邮箱地址",
        Format::Url => "应为以 http:// 或 https:// 开头的网址",
        Format::Gb2260 => "应为6位行政区划代码",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_follow_gb11643() {
        // The standard's own example.
        assert_eq!(gb11643_check("11010519491231002"), Some('X'));
        assert!(is_gb11643("11010519491231002X"));
        assert!(is_gb11643("11010519491231002x"));
        assert!(!is_gb11643("110105194912310021"));
        assert!(!is_gb11643("11010519491331002X"), "month 13");
    }

    #[test]
    fn credit_codes_follow_gb32100() {
        let first = "91350100M000100Y4";
        let code = format!("{first}{}", gb32100_check(first).expect("check"));
        assert!(is_gb32100(&code));
        assert!(
            is_gb32100("91350100M000100Y43"),
            "the example usually cited for GB 32100"
        );
        assert!(!is_gb32100("91350100M000100Y44"));
        assert!(!is_gb32100("91350100M000100Y4"));
    }

    #[test]
    fn isbn_and_issn_check_digits() {
        assert!(is_isbn("978-7-04-050000-9") == (isbn13_check("978704050000") == Some('9')));
        assert!(is_isbn("9787111213826"));
        assert!(!is_isbn("9787111213827"));
        assert!(is_isbn("7-111-21382-X") == is_isbn("711121382X"));
        assert!(is_issn("0317-8471"));
        assert!(!is_issn("0317-8472"));
    }

    #[test]
    fn simple_shapes() {
        assert!(check_format(Format::Mobile, "13800138000").is_ok());
        assert!(check_format(Format::Phone, "0371-68765432").is_ok());
        assert!(check_format(Format::Email, "zlb@example.edu.cn").is_ok());
        assert!(check_format(Format::Url, "https://www.example.edu.cn/a").is_ok());
        assert!(check_format(Format::Url, "www.example.edu.cn").is_err());
    }
}
