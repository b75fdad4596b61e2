//! People who look real: names drawn from the frequency of Chinese surnames, resident ID numbers
//! whose birth date, sex digit and check digit agree, and mobile numbers.

use chrono::{Datelike, NaiveDate};
use rand::seq::IndexedRandom;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::validate::formats::gb11643_check;

/// Surnames with their approximate share of the population in thousandths (2020 census order).
const SURNAMES: &[(&str, u32)] = &[
    ("王", 72),
    ("李", 71),
    ("张", 68),
    ("刘", 54),
    ("陈", 46),
    ("杨", 31),
    ("黄", 23),
    ("赵", 20),
    ("吴", 20),
    ("周", 19),
    ("徐", 15),
    ("孙", 14),
    ("马", 13),
    ("朱", 13),
    ("胡", 12),
    ("郭", 12),
    ("何", 11),
    ("林", 11),
    ("高", 11),
    ("罗", 10),
    ("郑", 9),
    ("梁", 9),
    ("谢", 7),
    ("宋", 7),
    ("唐", 7),
    ("许", 6),
    ("韩", 6),
    ("邓", 6),
    ("冯", 6),
    ("曹", 6),
    ("彭", 6),
    ("曾", 5),
    ("肖", 5),
    ("田", 5),
    ("董", 5),
    ("潘", 5),
    ("袁", 5),
    ("蔡", 4),
    ("蒋", 4),
    ("余", 4),
    ("于", 4),
    ("杜", 4),
    ("叶", 4),
    ("程", 4),
    ("魏", 4),
    ("苏", 4),
    ("吕", 4),
    ("丁", 3),
    ("任", 3),
    ("卢", 3),
    ("姚", 3),
    ("沈", 3),
    ("钟", 3),
    ("姜", 3),
    ("崔", 3),
    ("谭", 3),
    ("陆", 3),
    ("范", 3),
    ("汪", 3),
    ("廖", 3),
    ("石", 3),
    ("金", 3),
    ("贾", 3),
    ("夏", 2),
    ("韦", 2),
    ("付", 2),
    ("方", 2),
    ("邹", 2),
    ("熊", 2),
    ("白", 2),
    ("孟", 2),
    ("秦", 2),
    ("邱", 2),
    ("侯", 2),
    ("江", 2),
    ("尹", 2),
    ("薛", 2),
    ("闫", 2),
    ("段", 2),
    ("雷", 2),
    ("欧阳", 1),
    ("司马", 1),
    ("上官", 1),
    ("诸葛", 1),
];

const MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "博", "文", "毅", "航", "晨", "泽", "昊", "轩",
    "子", "志", "建", "国", "海", "峰", "龙", "东", "振", "嘉", "天", "一", "思", "家", "睿", "锦",
];
const FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧", "颖", "琳", "倩",
    "欣", "怡", "佳", "悦", "梦", "晓", "雨", "萱", "彤", "诗", "涵", "琪", "璐", "洁", "瑶", "思",
    "子", "嘉", "文", "欢", "莉", "红", "秀", "英", "梅", "蕾", "薇", "月", "晴", "可", "馨", "妍",
];

/// A person with consistent identity fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    /// GB/T 2261.1 code: "1" 男, "2" 女.
    pub gender: String,
    pub birth: NaiveDate,
    /// An 18-digit resident ID number with a valid check digit.
    pub id_no: String,
}

/// Draws a surname by frequency.
pub fn surname(rng: &mut ChaCha8Rng) -> &'static str {
    let total: u32 = SURNAMES.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (s, w) in SURNAMES {
        if pick < *w {
            return s;
        }
        pick -= w;
    }
    SURNAMES[0].0
}

/// A full name for the given sex ("1" or "2"), one or two given characters.
pub fn name(rng: &mut ChaCha8Rng, gender: &str) -> String {
    let pool = if gender == "2" { FEMALE } else { MALE };
    let mut out = surname(rng).to_owned();
    let count = if rng.random_bool(0.7) { 2 } else { 1 };
    for _ in 0..count {
        out.push_str(pool.choose(rng).copied().unwrap_or("明"));
    }
    out
}

/// A person born between the two dates, registered in `area` (a six-digit county code).
pub fn person(
    rng: &mut ChaCha8Rng,
    area: &str,
    born_from: NaiveDate,
    born_to: NaiveDate,
) -> Person {
    let gender = if rng.random_bool(0.5) { "1" } else { "2" };
    let span = (born_to - born_from).num_days().max(1);
    let birth = born_from + chrono::Duration::days(rng.random_range(0..span));
    Person {
        name: name(rng, gender),
        gender: gender.to_owned(),
        birth,
        id_no: id_number(rng, area, birth, gender),
    }
}

/// An ID number: area code, birth date, a sequence whose last digit is odd for men and even for
/// women, and the GB 11643 check digit.
pub fn id_number(rng: &mut ChaCha8Rng, area: &str, birth: NaiveDate, gender: &str) -> String {
    let seq = rng.random_range(0..50u32) * 2 + u32::from(gender == "1");
    let order = rng.random_range(0..10u32);
    let first17 = format!(
        "{area}{:04}{:02}{:02}{order}{seq:02}",
        birth.year(),
        birth.month(),
        birth.day()
    );
    let check = gb11643_check(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// A mainland mobile number.
pub fn mobile(rng: &mut ChaCha8Rng) -> String {
    const PREFIXES: &[&str] = &[
        "130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
        "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "185", "186", "187",
        "188", "189", "191", "198", "199",
    ];
    let prefix = PREFIXES.choose(rng).copied().unwrap_or("138");
    format!("{prefix}{:08}", rng.random_range(0..100_000_000u32))
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::validate::formats::{gb11643_birth_date, is_gb11643};

    #[test]
    fn id_numbers_agree_with_birth_date_and_sex() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let from = NaiveDate::from_ymd_opt(1990, 1, 1).expect("date");
        let to = NaiveDate::from_ymd_opt(2005, 12, 31).expect("date");
        for _ in 0..500 {
            let p = person(&mut rng, "410102", from, to);
            assert!(is_gb11643(&p.id_no), "{}", p.id_no);
            assert_eq!(gb11643_birth_date(&p.id_no), Some(p.birth));
            let sex_digit = p.id_no.as_bytes()[16] - b'0';
            assert_eq!(sex_digit % 2 == 1, p.gender == "1", "{}", p.id_no);
            assert!(p.name.chars().count() >= 2);
        }
    }
}
