//! Makes generic rows honour the quality rules their tables carry (totals that are the sum of
//! their parts, counts in order), so that validation finds only the rows broken on purpose. Uses
//! no randomness: the rest of the generator's stream stays as it was.

use rust_decimal::Decimal;

use super::Gen;
use crate::store::{Record, Value};

fn int(r: &Record, f: &str) -> i64 {
    match r.get(f) {
        Some(Value::Int(n)) => *n,
        _ => 0,
    }
}

fn dec(r: &Record, f: &str) -> Decimal {
    match r.get(f) {
        Some(Value::Decimal(d)) => *d,
        _ => Decimal::ZERO,
    }
}

impl Gen<'_> {
    /// Fixes up the generic tables whose rules relate their own fields (rules X11, X20).
    pub(super) fn make_consistent(&mut self) {
        for (_, r) in self.out.get_mut("1.1.4").into_iter().flatten() {
            for (total, a, b) in [
                ("land_total", "land_owned", "land_not_owned"),
                ("bldg_total", "bldg_owned", "bldg_not_owned"),
            ] {
                let sum = dec(r, a) + dec(r, b);
                r.insert(total.into(), Value::Decimal(sum));
            }
        }
        for (_, r) in self.out.get_mut("2.16.3").into_iter().flatten() {
            let mut n = [
                int(r, "certified"),
                int(r, "examinees"),
                int(r, "registered"),
            ];
            n.sort_unstable();
            for (f, v) in ["certified", "examinees", "registered"].into_iter().zip(n) {
                r.insert(f.into(), Value::Int(v));
            }
        }
    }
}
