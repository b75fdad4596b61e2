//! Land, buildings and equipment from the bottom up: each training site (2.9.1) holds its large
//! equipment (2.9.5), the college's equipment total (1.1.5) holds the sites', and its
//! laboratory and training floor area (1.1.4) holds the sites' area, inside buildings sized for
//! its students (rules X11, X12). The library (1.1.6) is sized for the students too.

use std::collections::HashMap;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::consistent::{dec, int, set_ints, text};
use super::{t, Gen};
use crate::store::{Record, Value};

fn money(r: &mut Record, f: &str, d: Decimal) {
    r.insert(f.into(), Value::Decimal(d.round_dp(2)));
}

fn m2(n: i64) -> Decimal {
    Decimal::new(n * 100, 2)
}

impl Gen<'_> {
    /// 2.9.5 → 2.9.1 → 1.1.5 and 1.1.4.
    pub(super) fn facilities(&mut self, rng: &mut ChaCha8Rng) {
        let mut large: HashMap<String, (i64, Decimal)> = HashMap::new();
        for (_, r) in self.out.get_mut("2.9.5").into_iter().flatten() {
            let price = Decimal::new(rng.random_range(1_000..12_000), 2);
            money(r, "unit_price", price);
            let e = large.entry(text(r, "site_code").to_owned()).or_default();
            e.0 += 1;
            e.1 += price;
        }
        let c = self.college;
        let colleges: Vec<usize> = (0..c.orgs.len()).filter(|o| c.orgs[*o].college).collect();
        let (mut area, mut equip, mut fresh) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        for (i, (_, r)) in self.out.get_mut("2.9.1").into_iter().flatten().enumerate() {
            // A site belongs to a college and serves some of its majors.
            if let Some(&org) = colleges.get(i % colleges.len().max(1)) {
                r.insert("org_code".into(), t(&c.orgs[org].code));
                let majors: Vec<String> = c
                    .majors
                    .iter()
                    .filter(|m| m.org == org)
                    .skip(i / colleges.len().max(1) % 3)
                    .take(2)
                    .map(|m| m.code.clone())
                    .collect();
                if !majors.is_empty() {
                    r.insert("majors".into(), Value::List(majors));
                }
            }
            let (sets, held) = large.get(text(r, "site_code")).copied().unwrap_or_default();
            let value = held + Decimal::new(rng.random_range(2_000..40_000), 2);
            let new = (value * Decimal::new(rng.random_range(0..25), 2)).round_dp(2);
            money(r, "equip_value", value);
            money(r, "new_equip_value", new);
            let site_area = m2(rng.random_range(150..1_500));
            money(r, "area", site_area);
            set_ints(
                r,
                &[
                    ("large_equip_sets", sets),
                    ("equip_sets", sets + int(r, "equip_sets")),
                ],
            );
            area += site_area;
            equip += value;
            fresh += new;
        }
        let (count, worth) = large
            .values()
            .fold((0, Decimal::ZERO), |(n, v), (k, w)| (n + k, v + w));
        for (_, r) in self.out.get_mut("1.1.5").into_iter().flatten() {
            let total = (equip * Decimal::new(125, 2)).round_dp(2);
            money(r, "equip_value", total);
            money(r, "practice_value", equip);
            money(
                r,
                "new_value",
                fresh + Decimal::new(rng.random_range(1_000..50_000), 2),
            );
            money(r, "donated_value", (total * Decimal::new(3, 2)).round_dp(2));
            let extra = rng.random_range(0..20);
            set_ints(r, &[("large_count", count + extra)]);
            money(r, "large_value", worth + Decimal::from(extra * 15));
            if int(r, "tablets") > int(r, "computers") {
                set_ints(r, &[("tablets", int(r, "computers") / 10)]);
            }
        }
        let students = c.students.len() as i64;
        for (_, r) in self.out.get_mut("1.1.4").into_iter().flatten() {
            buildings(r, students, area);
        }
    }
}

impl Gen<'_> {
    /// 1.1.6 for the college's students: about 80 printed books a student (the national floor
    /// for 高职 is 60), a few percent of them new this year, a seat for every fifth student.
    /// Its own stream: the fix-ups after it draw what they drew before the library was sized.
    pub(super) fn library(&mut self) {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ 0x0001_1B2A_2023);
        let students = self.college.students.len().max(1) as i64;
        for (_, r) in self.out.get_mut("1.1.6").into_iter().flatten() {
            let books = students * rng.random_range(72..92);
            set_ints(
                r,
                &[
                    ("paper_books", books),
                    ("new_books", books * rng.random_range(30..55) / 1_000),
                    ("paper_journals", rng.random_range(280..520)),
                    ("ebooks", students * rng.random_range(60..110)),
                    ("ejournals", rng.random_range(8_000..15_000)),
                    ("databases", rng.random_range(12..30)),
                    ("reading_seats", students / 5 + rng.random_range(0..200)),
                    ("circulation", students * rng.random_range(3..7)),
                ],
            );
            money(
                r,
                "digital_gb",
                Decimal::from(rng.random_range(18_000..42_000)),
            );
            r.insert(
                "av_hours".into(),
                Value::Decimal(Decimal::new(rng.random_range(40_000..90_000), 1)),
            );
        }
    }
}

/// 1.1.4 for `students` students whose training sites take `sites` m²: every total the sum of
/// its parts, teaching space at least its listed rooms.
fn buildings(r: &mut Record, students: i64, sites: Decimal) {
    let labs = (sites * Decimal::new(125, 2)).round_dp(0);
    let rooms = [
        ("classrooms", m2(students * 3)),
        ("library", m2(students * 3 / 2)),
        ("labs_training", labs),
        ("research", m2(students / 4)),
        ("gym", m2(6_000 + students / 5)),
        ("hall", m2(2_500)),
    ];
    let mut teaching = Decimal::ZERO;
    for (f, v) in rooms {
        money(r, f, v);
        teaching += v;
    }
    let teaching = (teaching * Decimal::new(105, 2)).round_dp(0);
    let (dorm, canteen) = (m2(students * 7), m2(students * 8 / 5));
    let living = ((dorm + canteen) * Decimal::new(115, 2)).round_dp(0);
    let parts = [
        ("teaching_research", teaching),
        ("admin", m2(students * 6 / 5)),
        ("living", living),
        ("dorm", dorm),
        ("canteen", canteen),
        ("staff_housing", m2(8_000)),
        ("other", m2(3_000)),
    ];
    for (f, v) in parts {
        money(r, f, v);
    }
    let total: Decimal = [
        "teaching_research",
        "admin",
        "living",
        "staff_housing",
        "other",
    ]
    .iter()
    .map(|f| dec(r, f))
    .sum();
    let not_owned = (total * Decimal::new(4, 2)).round_dp(0);
    money(r, "bldg_total", total);
    money(r, "bldg_not_owned", not_owned);
    money(r, "bldg_owned", total - not_owned);
    let land = m2(students * 60);
    let land_not_owned = (land * Decimal::new(8, 2)).round_dp(0);
    money(r, "land_total", land);
    money(r, "land_owned", land - land_not_owned);
    money(r, "land_not_owned", land_not_owned);
    money(r, "green_area", (land * Decimal::new(35, 2)).round_dp(0));
    money(r, "sports_area", m2(students * 3));
}
