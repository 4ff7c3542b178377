//! One parser for every duration flag of the kit (`--timeout`, `--hold`,
//! `--duration`, …): decimal seconds, so `2`, `0.5` and `1e-3` all work, with
//! an optional unit `s` or `ms`. A bad value is one clear line from clap,
//! never a panic: `inf`, `NaN`, negative and absurdly large values are refused.

use std::time::Duration;

/// The longest duration any flag takes: one week, far beyond any lesson or benchmark.
pub const MAX_SECONDS: f64 = 7.0 * 24.0 * 3600.0;

/// A duration of zero or more seconds (clap `value_parser`).
pub fn seconds(text: &str) -> Result<Duration, String> {
    parse(text).map_err(|why| format!("{text:?} {why}; give seconds such as 2, 0.5 or 250ms"))
}

/// A duration of more than zero seconds (clap `value_parser`), for deadlines
/// where zero would mean "fail at once".
pub fn positive_seconds(text: &str) -> Result<Duration, String> {
    match parse(text) {
        Ok(d) if d.is_zero() => Err(format!("{text:?} is zero; give a time above 0, such as 5 or 0.5")),
        Ok(d) => Ok(d),
        Err(why) => Err(format!("{text:?} {why}; give seconds such as 2, 0.5 or 250ms")),
    }
}

fn parse(text: &str) -> Result<Duration, &'static str> {
    let t = text.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else {
        (t, 1.0)
    };
    let value: f64 = number.trim().parse().map_err(|_| "is not a number of seconds")?;
    if !value.is_finite() {
        return Err("is not a finite number of seconds");
    }
    let secs = value * scale;
    if secs < 0.0 {
        return Err("is negative");
    }
    if secs > MAX_SECONDS {
        return Err("is longer than a week");
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimal_and_unit_forms() {
        assert_eq!(seconds("2"), Ok(Duration::from_secs(2)));
        assert_eq!(seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(seconds("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(seconds("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(seconds("1e-3"), Ok(Duration::from_millis(1)));
        assert_eq!(seconds("0"), Ok(Duration::ZERO));
    }

    #[test]
    fn every_bad_value_is_a_message_never_a_panic() {
        let hostile = ["-1", "nan", "NaN", "inf", "-inf", "1e309", "-1e309", "18446744073709551615", "1e19"];
        for bad in hostile.into_iter().chain(["", "abc", "5 minutes", "-0.5ms", "\x1b[2J", "0x10"]) {
            let err = seconds(bad).unwrap_err();
            assert!(err.starts_with(&format!("{bad:?} ")), "{err}");
            assert!(err.contains("give seconds"), "{err}");
        }
    }

    #[test]
    fn a_deadline_cannot_be_zero() {
        for zero in ["0", "0ms", "0.0", "-0", "1e-400"] {
            assert!(positive_seconds(zero).unwrap_err().contains("is zero"), "{zero}");
        }
        assert!(positive_seconds("nan").unwrap_err().contains("give seconds"));
        assert_eq!(positive_seconds("0.1"), Ok(Duration::from_millis(100)));
    }
}
