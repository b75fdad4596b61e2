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
        if let Some(text) = self.formatted(rng, table, f, i) {
            return text;
        }
        if let Some(text) = self.personal(rng, table, n, label, i) {
            return text;
        }
        if let Some(text) = self.coded_or_named(rng, n, label, i) {
            return text;
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

    /// A value of the field's declared format (ID number, credit code, ISBN, phone, e-mail…).
    fn formatted(
        &self,
        rng: &mut ChaCha8Rng,
        table: &Table,
        f: &Field,
        i: usize,
    ) -> Option<String> {
        Some(match f.format? {
            Format::Gb11643 => {
                let area = self.college.county(rng);
                people::person(rng, &area, date(1965, 1, 1), date(2004, 12, 31)).id_no
            }
            Format::Gb32100 => self.uscc(rng),
            Format::Isbn => isbn(rng),
            Format::Issn => "1001-8794".to_owned(),
            Format::Mobile | Format::Phone => people::mobile(rng),
            Format::Email => format!("office{}@zysf.edu.cn", i + 1),
            Format::Url => format!("https://www.zysf.edu.cn/{}/{}", table.slug, i + 1),
            Format::Gb2260 => self.college.county(rng),
        })
    }

    /// Names, phone numbers, addresses, links and document numbers, told by the field's name or label.
    fn personal(
        &self,
        rng: &mut ChaCha8Rng,
        table: &Table,
        n: &str,
        label: &str,
        i: usize,
    ) -> Option<String> {
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
            return Some(people::name(rng, g));
        }
        if label.contains("电话")
            || label.contains("手机")
            || n.ends_with("phone")
            || n == "mobile"
            || n == "fax"
        {
            return Some(people::mobile(rng));
        }
        if n == "term" {
            return Some(format!("2022-2023-{}", 1 + i % 2));
        }
        if n.contains("uscc") {
            return Some(self.uscc(rng));
        }
        if n.contains("isbn") {
            return Some(isbn(rng));
        }
        if n == "id_no" {
            let area = self.college.county(rng);
            return Some(people::person(rng, &area, date(1965, 1, 1), date(2004, 12, 31)).id_no);
        }
        if n == "postcode" {
            return Some("450000".to_owned());
        }
        if n.contains("address") || n == "location" {
            return Some(format!(
                "河南省郑州市{}{}号",
                ROADS.choose(rng).copied().unwrap_or("文化路"),
                rng.random_range(1..300)
            ));
        }
        if n.contains("url") || n == "website" || n == "evidence" {
            return Some(format!("https://www.zysf.edu.cn/{}/{}", table.slug, i + 1));
        }
        if label.contains("文号") {
            return Some(format!(
                "豫教职成〔{}〕{}号",
                rng.random_range(2019..=2023),
                rng.random_range(10..400)
            ));
        }
        None
    }

    /// Codes and numbers, and the names of issuers, publishers, journals, partners and employers.
    fn coded_or_named(
        &self,
        rng: &mut ChaCha8Rng,
        n: &str,
        label: &str,
        i: usize,
    ) -> Option<String> {
        if n.ends_with("_no")
            || n.ends_with("_code")
            || label.contains("编号")
            || label.contains("代码")
            || label.contains("证号")
        {
            return Some(format!(
                "{}{:05}",
                n.chars().next().unwrap_or('N').to_ascii_uppercase(),
                i + 1
            ));
        }
        if n == "issuer"
            || n == "approver"
            || n == "organizer"
            || n == "organization"
            || n == "authority"
        {
            return Some(ISSUERS.choose(rng).copied().unwrap_or("教育部").to_owned());
        }
        if n == "publisher" {
            return Some(
                PUBLISHERS
                    .choose(rng)
                    .copied()
                    .unwrap_or("高等教育出版社")
                    .to_owned(),
            );
        }
        if n == "venue" || n == "media" {
            return Some(
                JOURNALS
                    .choose(rng)
                    .copied()
                    .unwrap_or("职教论坛")
                    .to_owned(),
            );
        }
        if n == "language" {
            return Some(LANGUAGES.choose(rng).copied().unwrap_or("英语").to_owned());
        }
        if n == "partner" || n == "adopter" || n == "host" {
            return Some(
                FOREIGN_PARTNERS
                    .choose(rng)
                    .copied()
                    .unwrap_or("新加坡南洋理工学院")
                    .to_owned(),
            );
        }
        if n.contains("employer")
            || n.contains("company")
            || n == "org"
            || n == "client_name"
            || n == "payer"
            || n == "payee"
        {
            return Some(
                self.college
                    .enterprises
                    .choose(rng)
                    .map(|e| e.name.clone())
                    .unwrap_or_default(),
            );
        }
        None
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
