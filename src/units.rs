//! Small value types typed on the command line: a request rate (`125/min`) and a
//! duration (`500ms`, `1.5s`, `5m30s`). Parsed once here so every consumer gets a
//! validated value.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A request budget: at most `count` requests in any window of length `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per: Duration,
}

impl Rate {
    pub const fn per_minute(count: u32) -> Self {
        Self {
            count,
            per: Duration::from_mins(1),
        }
    }

    /// The average spacing between requests the budget allows.
    pub fn spacing(&self) -> Duration {
        self.per / self.count.max(1)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Exact for every rate the command line can express; other windows (only
        // built in code, e.g. the embedded emulator's scaled budget) say their length.
        if self.per == Duration::from_secs(1) {
            write!(f, "{}/s", self.count)
        } else if self.per == Duration::from_mins(1) {
            write!(f, "{}/min", self.count)
        } else {
            write!(f, "{} per {:?}", self.count, self.per)
        }
    }
}

impl FromStr for Rate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (n, per) = match s.split_once('/') {
            None => (s, Duration::from_mins(1)),
            Some((n, "min" | "m")) => (n, Duration::from_mins(1)),
            Some((n, "s" | "sec")) => (n, Duration::from_secs(1)),
            Some((_, unit)) => {
                return Err(format!(
                    "unknown rate unit `{unit}`: write N/min or N/s (e.g. 125/min)"
                ));
            }
        };
        let count: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a rate: write N/min or N/s (e.g. 125/min)"))?;
        if count == 0 {
            return Err("a rate of 0 would never send a request: use at least 1".to_owned());
        }
        Ok(Rate { count, per })
    }
}

/// A duration as typed by a user: a number and a unit (`500ms`, `10s`, `2m`, `1h`),
/// a decimal one (`0.5s`, `1.5m`), or several, largest unit first (`5m30s`,
/// `1h30m`). Units: `ms`, `s`, `m` (or `min`), `h`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WallDuration(pub Duration);

/// The units of a duration, largest first, with their length in nanoseconds.
const UNITS: &[(&str, u128)] = &[
    ("h", 3_600_000_000_000),
    ("min", 60_000_000_000),
    ("m", 60_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
];

impl FromStr for WallDuration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WallDuration::parse_at_most(s, None)
    }
}

impl WallDuration {
    /// A duration no longer than `max` (when given): a longer one, however long, is
    /// refused with the bound (`` `99999999999999999h` is too long: at most 168h``)
    /// rather than overflowing anything later (docs/commands.md §3).
    pub(crate) fn parse_at_most(s: &str, max: Option<Duration>) -> Result<Self, String> {
        let s = s.trim();
        let help = "write a number and a unit: 500ms, 10s, 1.5s, 2m, 5m30s, 1h";
        if s.is_empty() {
            return Err(format!("an empty duration: {help}"));
        }
        let mut rest = s;
        let mut nanos: u128 = 0;
        // Index into UNITS of the last unit read: each part must use a smaller one.
        let mut last: Option<usize> = None;
        while !rest.is_empty() {
            let num_len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let (num, tail) = rest.split_at(num_len);
            let unit_len = tail
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(tail.len());
            let (unit, tail) = tail.split_at(unit_len);
            if num.is_empty() {
                return Err(format!("`{s}` is not a duration: {help}"));
            }
            if unit.is_empty() && tail.starts_with(char::is_whitespace) {
                return Err(format!(
                    "`{s}`: write the unit right after the number, without a space: {help}"
                ));
            }
            if unit.is_empty() {
                return Err(format!("`{s}` has no unit after `{num}`: {help}"));
            }
            let Some(index) = UNITS.iter().position(|(u, _)| *u == unit) else {
                let meant = match unit.to_ascii_lowercase().as_str() {
                    "ms" | "millisecond" | "milliseconds" | "msec" | "msecs" => Some("ms"),
                    "s" | "sec" | "secs" | "second" | "seconds" => Some("s"),
                    "m" | "mins" | "minute" | "minutes" => Some("m"),
                    "h" | "hr" | "hrs" | "hour" | "hours" | "d" | "day" | "days" => Some("h"),
                    _ => None,
                };
                return Err(match meant {
                    Some(u) => format!(
                        "unknown unit `{unit}` in `{s}`: use `{u}` (e.g. 500ms, 10s, 1.5s, 2m, 5m30s, 1h, 24h)"
                    ),
                    None => format!("unknown unit `{unit}` in `{s}`: {help}"),
                });
            };
            let rank = UNITS[index].1;
            if last.is_some_and(|l| UNITS[l].1 <= rank) {
                return Err(format!(
                    "`{s}` repeats a unit or puts a smaller one first: write the largest first, e.g. 5m30s"
                ));
            }
            last = Some(index);
            nanos = part_nanos(num, rank)
                .and_then(|n| nanos.checked_add(n))
                .ok_or_else(|| format!("`{s}` is not a duration: {help}"))?;
            rest = tail;
        }
        if nanos == 0 {
            return Err(format!("`{s}` is zero: use a positive duration"));
        }
        if let Some(max) = max.filter(|m| nanos > m.as_nanos()) {
            return Err(format!("`{s}` is too long: at most {}", WallDuration(max)));
        }
        let secs = u64::try_from(nanos / 1_000_000_000)
            .map_err(|_| format!("`{s}` is too long a duration"))?;
        // The remainder is below one second, so it fits a u32.
        let sub = u32::try_from(nanos % 1_000_000_000).unwrap_or(0);
        Ok(WallDuration(Duration::new(secs, sub)))
    }
}

/// `num` (digits, at most one `.`) times `unit` nanoseconds, exactly; `None` when it
/// is not a number or is absurdly large.
fn part_nanos(num: &str, unit: u128) -> Option<u128> {
    let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
    if (whole.is_empty() && frac.is_empty()) || frac.contains('.') || frac.len() > 9 {
        return None;
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut total = whole.checked_mul(unit)?;
    if !frac.is_empty() {
        let digits: u128 = frac.parse().ok()?;
        let scale = 10u128.pow(u32::try_from(frac.len()).ok()?);
        total = total.checked_add(digits.checked_mul(unit)? / scale)?;
    }
    Some(total)
}

impl fmt::Display for WallDuration {
    /// For people: `750ms`, `1.5s`, `15m`, `5m30s`, `1h30m`. From a minute up the
    /// time is rounded to the second (a measured `900.002 s` is `15m`), below a minute
    /// to a tenth of a second, below a second to the millisecond.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms < 1000 {
            return write!(f, "{ms}ms");
        }
        if ms < 60_000 {
            let tenths = (ms + 50) / 100;
            return if tenths.is_multiple_of(10) {
                write!(f, "{}s", tenths / 10)
            } else {
                write!(f, "{}.{}s", tenths / 10, tenths % 10)
            };
        }
        let secs = (ms + 500) / 1000;
        let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 {
            write!(f, "{s}s")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!("125/min".parse::<Rate>().unwrap(), Rate::per_minute(125));
        assert_eq!("60".parse::<Rate>().unwrap(), Rate::per_minute(60));
        assert_eq!(
            "10/s".parse::<Rate>().unwrap(),
            Rate {
                count: 10,
                per: Duration::from_secs(1)
            }
        );
        assert!("0/min".parse::<Rate>().is_err());
        assert!("5/hour".parse::<Rate>().is_err());
        assert!("fast".parse::<Rate>().is_err());
        assert_eq!(Rate::per_minute(60).spacing(), Duration::from_secs(1));
        for text in ["125/min", "10/s"] {
            assert_eq!(text.parse::<Rate>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn durations() {
        let ms = |n| Duration::from_millis(n);
        for (text, want) in [
            ("500ms", ms(500)),
            ("10s", ms(10_000)),
            ("2m", ms(120_000)),
            ("2min", ms(120_000)),
            ("1h", ms(3_600_000)),
            ("0.5s", ms(500)),
            (".5s", ms(500)),
            ("1.5m", ms(90_000)),
            ("5m30s", ms(330_000)),
            ("1h30m", ms(5_400_000)),
            ("1h2m3s4ms", ms(3_723_004)),
            (" 2m ", ms(120_000)),
        ] {
            assert_eq!(text.parse::<WallDuration>().unwrap().0, want, "{text}");
        }
        for bad in [
            "10",
            "s",
            "-1s",
            "0s",
            "3d",
            "",
            "1.5",
            "1..5s",
            "5s5m",
            "5m5m",
            "5 m",
            "0.0000000001s",
            "99999999999999999999999999999999999999h",
        ] {
            assert!(bad.parse::<WallDuration>().is_err(), "{bad}");
        }
        let err = |text: &str| text.parse::<WallDuration>().unwrap_err();
        assert!(err("0.5").contains("no unit after `0.5`"));
        assert!(err("5 minutes").contains("without a space"));
        assert!(err("5minutes").starts_with("unknown unit `minutes` in `5minutes`: use `m` ("));
        assert!(err("2S").contains("use `s`"));
    }

    #[test]
    fn durations_print_for_people() {
        let show = |ms| WallDuration(Duration::from_millis(ms)).to_string();
        assert_eq!(show(750), "750ms");
        assert_eq!(show(1000), "1s");
        assert_eq!(show(1500), "1.5s");
        assert_eq!(show(59_960), "60s");
        assert_eq!(show(120_000), "2m");
        assert_eq!(show(900_002), "15m");
        assert_eq!(show(330_000), "5m30s");
        assert_eq!(show(5_400_000), "1h30m");
        for text in ["500ms", "1.5s", "10s", "5m30s", "1h", "1h30m"] {
            assert_eq!(text.parse::<WallDuration>().unwrap().to_string(), text);
        }
    }
}
