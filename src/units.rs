//! Small value types typed on the command line: a request rate (`125/min`) and a
//! duration (`500ms`, `10s`, `2m`). Parsed once here so every consumer gets a
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

/// A duration as typed by a user: `500ms`, `10s`, `2m`, `1h`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WallDuration(pub Duration);

impl FromStr for WallDuration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (num, unit) = s.split_at(split);
        let help = "write a number and a unit: 500ms, 10s, 2m, 1h";
        let n: u64 = num
            .parse()
            .map_err(|_| format!("`{s}` is not a duration: {help}"))?;
        let d = match unit {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" | "min" => Duration::from_secs(n.saturating_mul(60)),
            "h" => Duration::from_secs(n.saturating_mul(3600)),
            "" => return Err(format!("`{s}` has no unit: {help}")),
            other => return Err(format!("unknown unit `{other}` in `{s}`: {help}")),
        };
        if d.is_zero() {
            return Err(format!("`{s}` is zero: use a positive duration"));
        }
        Ok(WallDuration(d))
    }
}

impl fmt::Display for WallDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if !ms.is_multiple_of(1000) {
            write!(f, "{ms}ms")
        } else if !ms.is_multiple_of(60_000) || ms == 0 {
            write!(f, "{}s", ms / 1000)
        } else {
            write!(f, "{}m", ms / 60_000)
        }
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
        assert_eq!(
            "500ms".parse::<WallDuration>().unwrap().0,
            Duration::from_millis(500)
        );
        assert_eq!(
            "10s".parse::<WallDuration>().unwrap().0,
            Duration::from_secs(10)
        );
        assert_eq!(
            "2m".parse::<WallDuration>().unwrap().0,
            Duration::from_secs(120)
        );
        for bad in ["10", "s", "-1s", "1.5s", "0s", "3d"] {
            assert!(bad.parse::<WallDuration>().is_err(), "{bad}");
        }
        assert_eq!(WallDuration(Duration::from_secs(120)).to_string(), "2m");
        assert_eq!(
            WallDuration(Duration::from_millis(1500)).to_string(),
            "1500ms"
        );
    }
}
