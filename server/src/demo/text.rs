//! Text values that look like what a collector would type: names, phone and ID numbers, credit
//! codes, ISBNs, addresses, names of things; then fitted to the field's pattern and length.

//! generators pass the values that must agree with other tables; this fills in the rest.

use rand::seq::IndexedRandom;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::date;
use super::generic::Filler;
use super::people;
use super::words::*;
use crate::defs::{Field, FieldType, Format, Table};
use crate::store::Value;
use crate::validate::formats::{gb32100_check, isbn13_check};

impl Filler<'_> {
    pub(super) fn text(
        &mut self,
        rng: &mut ChaCha8Rng,
        table: &Table,
        f: &Field,
        i: usize,
    ) -> Value {
        let raw = self.raw_text(rng, table, f, i);
        Value::Text(self.conform(rng, f, raw))
    }

    fn raw_text(&self, rng: &mut ChaCha8Rng, table: &Table, f: &Field, i: usize) -> String {
        let (n, label) = (f.name.as_str(), f.label.as_str());
        match f.format {
            Some(Format::Gb11643) => {
                let area = self.college.county(rng);
                return people::person(rng, &area, date(1965, 1, 1), date(2004, 12, 31)).id_no;
            }
            Some(Format::Gb32100) => return self.uscc(rng),
            Some(Format::Isbn) => return isbn(rng),
            Some(Format::Issn) => return "1001-8794".to_owned(),
            Some(Format::Mobile | Format::Phone) => return people::mobile(rng),
            Some(Format::Email) => return format!("office{}@zysf.edu.cn", i + 1),
            Some(Format::Url) => {
                return format!("https://www.zysf.edu.cn/{}/{}", table.slug, i + 1)
            }
            Some(Format::Gb2260) => return self.college.county(rng),
            None => {}
        }
        if label.contains("姓名")
            || matches!(
                n,
                "visitor"
                    | "contact"
                    | "ent_mentor"
                    | "chief_editor"
                    | "party_secretary"
                    | "president"
                    | "keeper"
                    | "editors"
            )
        {
            let g = if rng.random_bool(0.5) { "1" } else { "2" };
            return people::name(rng, g);
        }
        if label.contains("电话")
            || label.contains("手机")
            || n.ends_with("phone")
            || n == "mobile"
            || n == "fax"
        {
            return people::mobile(rng);
        }
        if n == "term" {
            return format!("2022-2023-{}", 1 + i % 2);
        }
        if n.contains("uscc") {
            return self.uscc(rng);
        }
        if n.contains("isbn") {
            return isbn(rng);
        }
        if n == "id_no" {
            let area = self.college.county(rng);
            return people::person(rng, &area, date(1965, 1, 1), date(2004, 12, 31)).id_no;
        }
        if n == "postcode" {
            return "450000".to_owned();
        }
        if n.contains("address") || n == "location" {
            return format!(
                "河南省郑州市{}{}号",
                ROADS.choose(rng).copied().unwrap_or("文化路"),
                rng.random_range(1..300)
            );
        }
        if n.contains("url") || n == "website" || n == "evidence" {
            return format!("https://www.zysf.edu.cn/{}/{}", table.slug, i + 1);
        }
        if label.contains("文号") {
            return format!(
                "豫教职成〔{}〕{}号",
                rng.random_range(2019..=2023),
                rng.random_range(10..400)
            );
        }
        if n.ends_with("_no")
            || n.ends_with("_code")
            || label.contains("编号")
            || label.contains("代码")
            || label.contains("证号")
        {
            return format!(
                "{}{:05}",
                n.chars().next().unwrap_or('N').to_ascii_uppercase(),
                i + 1
            );
        }
        if n == "issuer"
            || n == "approver"
            || n == "organizer"
            || n == "organization"
            || n == "authority"
        {
            return ISSUERS.choose(rng).copied().unwrap_or("教育部").to_owned();
        }
        if n == "publisher" {
            return PUBLISHERS
                .choose(rng)
                .copied()
                .unwrap_or("高等教育出版社")
                .to_owned();
        }
        if n == "venue" || n == "media" {
            return JOURNALS
                .choose(rng)
                .copied()
                .unwrap_or("职教论坛")
                .to_owned();
        }
        if n == "language" {
            return LANGUAGES.choose(rng).copied().unwrap_or("英语").to_owned();
        }
        if n == "partner" || n == "adopter" || n == "host" {
            return FOREIGN_PARTNERS
                .choose(rng)
                .copied()
                .unwrap_or("新加坡南洋理工学院")
                .to_owned();
        }
        if n.contains("employer")
            || n.contains("company")
            || n == "org"
            || n == "client_name"
            || n == "payer"
            || n == "payee"
        {
            return self
                .college
                .enterprises
                .choose(rng)
                .map(|e| e.name.clone())
                .unwrap_or_default();
        }
        if f.ty == FieldType::Text
            || n.contains("remark")
            || n.contains("note")
            || n.contains("summary")
            || n.contains("outcome")
        {
            return format!(
                "{}{}",
                TOPICS.choose(rng).copied().unwrap_or(""),
                SENTENCES.choose(rng).copied().unwrap_or("")
            );
        }
        let stem = label.trim_end_matches("名称").trim_end_matches("（校内）");
        format!(
            "{}{}{}",
            TOPICS.choose(rng).copied().unwrap_or("职业教育"),
            stem,
            i + 1
        )
    }

    /// Makes text fit the field's pattern and length.
    fn conform(&mut self, rng: &mut ChaCha8Rng, f: &Field, mut text: String) -> String {
        if let Some(re) = &f.pattern {
            if !re.is_match(&text) {
                // Definitions anchor their patterns; the generator wants the body, with ASCII digits
                // rather than any Unicode digit `\d` would allow.
                let body = re
                    .as_str()
                    .trim_start_matches('^')
                    .trim_end_matches('$')
                    .replace("\\d", "[0-9]");
                let gen = self
                    .regexes
                    .entry(re.as_str().to_owned())
                    .or_insert_with(|| rand_regex::Regex::compile(&body, 6).ok());
                if let Some(g) = gen {
                    text = rng.sample::<String, _>(&*g);
                }
            }
        }
        if let Some(max) = f.max_len {
            text = text.chars().take(max as usize).collect();
        }
        text
    }

    fn uscc(&self, rng: &mut ChaCha8Rng) -> String {
        let body: String = (0..9)
            .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
            .collect();
        let first17 = format!("12{}{}", self.college.county(rng), body);
        format!("{first17}{}", gb32100_check(&first17).unwrap_or('0'))
    }
}

/// A Chinese ISBN-13 (978-7-…) with a valid check digit.
pub fn isbn(rng: &mut ChaCha8Rng) -> String {
    let first12 = format!("9787{:08}", rng.random_range(0..100_000_000u32));
    format!("{first12}{}", isbn13_check(&first12).unwrap_or('0'))
}
