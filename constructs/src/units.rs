//! Times and sizes with their units, as construct props take them: never a bare number
//! whose unit a field name has to carry.
//!
//! ```
//! use rcdk_constructs::units::{Duration, Size};
//! assert_eq!(Duration::minutes(15).whole_seconds(), Some(900));
//! assert_eq!(Duration::millis(1500).whole_seconds(), None);
//! assert_eq!(Duration::days(14).to_string(), "14 days");
//! assert_eq!(Size::gibibytes(2).as_mebibytes(), 2048);
//! assert_eq!(Size::mebibytes(512).to_string(), "512 MiB");
//! ```
//!
//! Where CloudFormation takes whole seconds (or minutes, or GiB), a value with a
//! fraction is a synthesis error that names the field, as is one out of its range.

use std::fmt;

use rcdk::Scope;

/// A length of time: `Duration::seconds(30)`, `Duration::minutes(5)`, `Duration::hours(1)`,
/// `Duration::days(14)`, `Duration::millis(20)`. Exact to the millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration {
    millis: u64,
}

impl Duration {
    /// No time at all.
    pub const ZERO: Duration = Duration { millis: 0 };

    /// `n` milliseconds.
    pub const fn millis(n: u64) -> Duration {
        Duration { millis: n }
    }

    /// `n` seconds.
    pub const fn seconds(n: u64) -> Duration {
        Duration::millis(n.saturating_mul(1000))
    }

    /// `n` minutes.
    pub const fn minutes(n: u64) -> Duration {
        Duration::seconds(n.saturating_mul(60))
    }

    /// `n` hours.
    pub const fn hours(n: u64) -> Duration {
        Duration::minutes(n.saturating_mul(60))
    }

    /// `n` days (of 24 hours).
    pub const fn days(n: u64) -> Duration {
        Duration::hours(n.saturating_mul(24))
    }

    /// The length in milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.millis
    }

    /// Seconds, with their fraction (for thresholds CloudWatch compares in seconds).
    pub fn as_secs_f64(self) -> f64 {
        self.millis as f64 / 1000.0
    }

    /// Whole seconds, or `None` when there is a fraction of a second.
    pub const fn whole_seconds(self) -> Option<u64> {
        if self.millis.is_multiple_of(1000) {
            Some(self.millis / 1000)
        } else {
            None
        }
    }

    /// The whole seconds, a fraction dropped, for a value already checked with its field.
    pub(crate) fn truncated_seconds(self) -> i64 {
        i64::try_from(self.millis / 1000).unwrap_or(i64::MAX)
    }

    /// Whole minutes, or `None` when there is a fraction of a minute.
    pub const fn whole_minutes(self) -> Option<u64> {
        if self.millis.is_multiple_of(60_000) {
            Some(self.millis / 60_000)
        } else {
            None
        }
    }
}

impl fmt::Display for Duration {
    /// In the largest unit that says it exactly: `14 days`, `90 min`, `30 s`, `20 ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(u64, &str, &str); 4] = [
            (86_400_000, "day", "days"),
            (3_600_000, "h", "h"),
            (60_000, "min", "min"),
            (1000, "s", "s"),
        ];
        for (size, one, many) in UNITS {
            if self.millis >= size && self.millis.is_multiple_of(size) {
                let n = self.millis / size;
                return write!(f, "{n} {}", if n == 1 { one } else { many });
            }
        }
        write!(f, "{} ms", self.millis)
    }
}

impl From<std::time::Duration> for Duration {
    fn from(d: std::time::Duration) -> Duration {
        Duration::millis(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
}

/// A quantity of data: `Size::mebibytes(512)`, `Size::gibibytes(20)`. Exact to the MiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Size {
    mebibytes: u64,
}

impl Size {
    /// `n` MiB.
    pub const fn mebibytes(n: u64) -> Size {
        Size { mebibytes: n }
    }

    /// `n` GiB.
    pub const fn gibibytes(n: u64) -> Size {
        Size::mebibytes(n.saturating_mul(1024))
    }

    /// The size in MiB.
    pub const fn as_mebibytes(self) -> u64 {
        self.mebibytes
    }

    /// Whole GiB, or `None` when there is a fraction of a GiB.
    pub const fn whole_gibibytes(self) -> Option<u64> {
        if self.mebibytes.is_multiple_of(1024) {
            Some(self.mebibytes / 1024)
        } else {
            None
        }
    }

    /// GiB, with their fraction (for thresholds).
    pub fn as_gibibytes_f64(self) -> f64 {
        self.mebibytes as f64 / 1024.0
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mebibytes >= 1024 && self.mebibytes.is_multiple_of(1024) {
            write!(f, "{} GiB", self.mebibytes / 1024)
        } else {
            write!(f, "{} MiB", self.mebibytes)
        }
    }
}

/// `d` as the whole seconds CloudFormation takes for `field`, within `min..=max`
/// seconds; otherwise an error on `scope` naming the field (and the value returned is
/// the nearest one CloudFormation would take, so synthesis can report every error).
pub(crate) fn seconds_in(scope: &Scope, field: &str, d: Duration, min: u64, max: u64) -> i64 {
    let (value, problem) = seconds(field, d, min, max);
    if let Some(p) = problem {
        scope.add_error(p);
    }
    value
}

/// As [`seconds_in`], with the problem returned for the caller to report where it
/// belongs (on a resource made after the value is needed).
pub(crate) fn seconds(field: &str, d: Duration, min: u64, max: u64) -> (i64, Option<String>) {
    let Some(s) = d.whole_seconds() else {
        return (
            i64::try_from(d.as_millis() / 1000).unwrap_or(i64::MAX),
            Some(format!(
                "{field} is {d} ({} ms); CloudFormation takes whole seconds here",
                d.as_millis()
            )),
        );
    };
    let problem = (!(min..=max).contains(&s)).then(|| {
        format!(
            "{field} is {d}; it must be {} to {}",
            Duration::seconds(min),
            Duration::seconds(max)
        )
    });
    (i64::try_from(s).unwrap_or(i64::MAX), problem)
}

/// `size` as the whole MiB CloudFormation takes for `field`, within `min..=max` MiB.
pub(crate) fn mebibytes_in(scope: &Scope, field: &str, size: Size, min: u64, max: u64) -> i64 {
    let m = size.as_mebibytes();
    if !(min..=max).contains(&m) {
        scope.add_error(format!(
            "{field} is {size}; it must be {} to {}",
            Size::mebibytes(min),
            Size::mebibytes(max)
        ));
    }
    i64::try_from(m).unwrap_or(i64::MAX)
}

/// `size` as the whole GiB CloudFormation takes for `field`.
pub(crate) fn gibibytes_of(scope: &Scope, field: &str, size: Size) -> i64 {
    match size.whole_gibibytes() {
        Some(g) => i64::try_from(g).unwrap_or(i64::MAX),
        None => {
            scope.add_error(format!(
                "{field} is {size}; CloudFormation takes whole GiB here"
            ));
            i64::try_from(size.as_mebibytes() / 1024).unwrap_or(i64::MAX)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_say_what_they_are() {
        assert_eq!(Duration::minutes(90).to_string(), "90 min");
        assert_eq!(Duration::hours(1).to_string(), "1 h");
        assert_eq!(Duration::days(1).to_string(), "1 day");
        assert_eq!(Duration::seconds(45).to_string(), "45 s");
        assert_eq!(Duration::millis(20).to_string(), "20 ms");
        assert_eq!(Duration::ZERO.to_string(), "0 ms");
        assert_eq!(Duration::minutes(2).whole_minutes(), Some(2));
        assert_eq!(Duration::seconds(90).whole_minutes(), None);
        assert_eq!(Duration::millis(20).as_secs_f64(), 0.02);
        assert_eq!(Size::gibibytes(20).whole_gibibytes(), Some(20));
        assert_eq!(Size::mebibytes(1536).whole_gibibytes(), None);
        assert_eq!(Size::mebibytes(1536).to_string(), "1536 MiB");
        assert_eq!(
            Duration::from(std::time::Duration::from_secs(3)),
            Duration::seconds(3)
        );
    }
}
