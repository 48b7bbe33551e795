//! Kubernetes resource quantities (`128Mi`, `1.5G`, `500m`, `1e3`), as `resource.Quantity`
//! reads them, scaled to an integer unit and rounded up as Kubernetes rounds (`Value()`,
//! `ScaledValue()`).

/// `text` in units of 10^-`scale` (0: the value itself, e.g. bytes; 9: nano units, e.g. nano
/// CPUs), rounded up; `None` when it is not a quantity or does not fit an `i64`.
pub fn scaled(text: &str, scale: u32) -> Option<i64> {
    let text = text.trim();
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let number_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(number_end);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
        return None;
    }
    // More digits than an i64 holds cannot be a limit anyone means; bounding them also bounds
    // the arithmetic below.
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    if digits.len() > 30 {
        return None;
    }
    let mut mantissa: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    let mut exp10: i64 = -(fraction.len() as i64);
    let mut binary: u32 = 0;
    match suffix {
        "" => {}
        "Ki" => binary = 1,
        "Mi" => binary = 2,
        "Gi" => binary = 3,
        "Ti" => binary = 4,
        "Pi" => binary = 5,
        "Ei" => binary = 6,
        "n" => exp10 -= 9,
        "u" => exp10 -= 6,
        "m" => exp10 -= 3,
        "k" => exp10 += 3,
        "M" => exp10 += 6,
        "G" => exp10 += 9,
        "T" => exp10 += 12,
        "P" => exp10 += 15,
        "E" => exp10 += 18,
        exponent if exponent.starts_with(['e', 'E']) => {
            let e: i64 = exponent[1..].parse().ok()?;
            if e.abs() > 64 {
                return None;
            }
            exp10 += e;
        }
        _ => return None,
    }
    for _ in 0..binary {
        mantissa = mantissa.checked_mul(1024)?;
    }
    exp10 += i64::from(scale);
    if exp10 >= 0 {
        for _ in 0..exp10 {
            mantissa = mantissa.checked_mul(10)?;
        }
    } else {
        let divisor = 10i128.checked_pow(u32::try_from(-exp10).ok()?);
        mantissa = match divisor {
            Some(d) => (mantissa + d - 1) / d,
            // Smaller than any unit: rounds up to one unit when not zero.
            None => i128::from(mantissa != 0),
        };
    }
    let value = i64::try_from(mantissa).ok()?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::scaled;

    #[test]
    fn binary_decimal_milli_and_exponent_suffixes() {
        assert_eq!(scaled("128Mi", 0), Some(128 * 1024 * 1024));
        assert_eq!(scaled("1Ki", 0), Some(1024));
        assert_eq!(scaled("1.5Gi", 0), Some(1_610_612_736));
        assert_eq!(scaled("2Ti", 0), Some(2 * 1024_i64.pow(4)));
        assert_eq!(scaled("129M", 0), Some(129_000_000));
        assert_eq!(scaled("1k", 0), Some(1000));
        assert_eq!(scaled("3G", 0), Some(3_000_000_000));
        assert_eq!(scaled("1T", 0), Some(1_000_000_000_000));
        assert_eq!(scaled("129e6", 0), Some(129_000_000));
        assert_eq!(scaled("1E3", 0), Some(1000));
        assert_eq!(scaled("1E", 0), Some(1_000_000_000_000_000_000));
        assert_eq!(scaled("128974848", 0), Some(128_974_848));
        // Milli-bytes round up to whole bytes, as Quantity.Value() does.
        assert_eq!(scaled("1500m", 0), Some(2));
        assert_eq!(scaled("500m", 9), Some(500_000_000));
        assert_eq!(scaled("0.1", 9), Some(100_000_000));
        assert_eq!(scaled("2", 9), Some(2_000_000_000));
        assert_eq!(scaled(".5", 9), Some(500_000_000));
        assert_eq!(scaled("1n", 0), Some(1));
        assert_eq!(scaled("0", 0), Some(0));
    }

    #[test]
    fn malformed_or_huge_quantities_are_none() {
        for bad in [
            "",
            "Mi",
            "1.2.3",
            "12XB",
            "1e",
            "1ee2",
            "1e999",
            "9999999999999999999999Ei",
            "1 Gi",
            "-",
        ] {
            assert_eq!(scaled(bad, 0), None, "{bad}");
        }
    }
}
