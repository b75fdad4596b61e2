//! The one rounding rule. Decimals are exact: values are stored and summed as scaled integers,
//! and the rule language's `+ - *` stay exact (a product carries the sum of its operands'
//! scales). A figure is rounded only where it is shown at a declared precision — a core
//! indicator at its `decimals`, a change or difference in per cent at one decimal, an average
//! at its field's scale + 4 — and then half away from zero (四舍五入: 2.345 → 2.35,
//! −2.345 → −2.35). A division is rounded once, from the exact quotient.

use rust_decimal::{Decimal, RoundingStrategy};

/// `d` rounded half away from zero to `decimals` places (trailing zeros kept to that scale).
pub fn round(d: Decimal, decimals: u32) -> Decimal {
    let mut r = d.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(decimals);
    r
}

/// `num ÷ den` rounded half away from zero to `decimals` places, from the exact quotient;
/// `None` when `den` is zero.
pub fn divide(num: Decimal, den: Decimal, decimals: u32) -> Option<Decimal> {
    if den.is_zero() {
        return None;
    }
    // num = a·10^−sa, den = b·10^−sb: the quotient at `decimals` places is
    // a·10^(sb+decimals) ÷ (b·10^sa), an integer division with its remainder at hand.
    let exact = || -> Option<Decimal> {
        let pow = |e: u32| 10_i128.checked_pow(e);
        let n = num
            .mantissa()
            .checked_mul(pow(den.scale().checked_add(decimals)?)?)?;
        let d = den.mantissa().checked_mul(pow(num.scale())?)?;
        let (q, r) = (n / d, n % d);
        let away = r.unsigned_abs().checked_mul(2)? >= d.unsigned_abs();
        let q = if away { q + n.signum() * d.signum() } else { q };
        Decimal::try_from_i128_with_scale(q, decimals).ok()
    };
    // Beyond i128 (never with the collection's magnitudes), the 28 digits of rust_decimal.
    Some(exact().unwrap_or_else(|| round(num / den, decimals)))
}

/// The change from `previous` to `value` in per cent of `previous`, one decimal; `None` for a
/// zero base.
pub fn change_percent(value: Decimal, previous: Decimal) -> Option<Decimal> {
    divide((value - previous) * Decimal::ONE_HUNDRED, previous, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn halves_round_away_from_zero_at_the_declared_precision() {
        assert_eq!(round(d("2.345"), 2).to_string(), "2.35");
        assert_eq!(round(d("-2.345"), 2).to_string(), "-2.35");
        assert_eq!(round(d("2.344"), 2).to_string(), "2.34");
        assert_eq!(round(d("0.125"), 2).to_string(), "0.13", "not to even");
        assert_eq!(round(d("7"), 1).to_string(), "7.0");
    }

    #[test]
    fn a_division_rounds_once_from_the_exact_quotient() {
        assert_eq!(divide(d("1"), d("8"), 2), Some(d("0.13")));
        assert_eq!(divide(d("-1"), d("8"), 2), Some(d("-0.13")));
        assert_eq!(divide(d("1"), d("-8"), 2), Some(d("-0.13")));
        assert_eq!(divide(d("1"), d("32"), 4), Some(d("0.0313")));
        assert_eq!(divide(d("2"), d("3"), 2), Some(d("0.67")));
        assert_eq!(divide(d("10.5"), d("0.25"), 0), Some(d("42")));
        assert_eq!(divide(d("1"), d("0"), 2), None);
        // 0.004999…(28 digits) would round up if rounded twice; once, it is 0.00.
        let third = d("0.0149999999999999999999999999");
        assert_eq!(divide(third, d("3"), 2), Some(d("0.00")));
    }

    #[test]
    fn change_is_a_signed_percent_of_the_previous_value() {
        assert_eq!(
            change_percent(Decimal::from(1300), Decimal::from(1000)),
            Some(d("30.0"))
        );
        assert_eq!(change_percent(d("1"), d("3")), Some(d("-66.7")));
        assert_eq!(change_percent(Decimal::from(5), Decimal::ZERO), None);
    }
}
