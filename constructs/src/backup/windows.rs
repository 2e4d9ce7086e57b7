//! When a backup rule starts, against the windows in which a resource is busy with its
//! own work (an RDS instance's automated backup and maintenance windows): AWS Backup
//! asks that its jobs not start inside them, where a snapshot waits or fails.

const DAY: u32 = 24 * 60;
const WEEK: u32 = 7 * DAY;
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// `[start, end)` in minutes of the week (Sunday 00:00 UTC is 0); `end` may pass `WEEK`.
type Span = (u32, u32);

fn clock(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn weekday_clock(text: &str) -> Option<u32> {
    let (day, time) = text.split_once(':')?;
    let day = DAYS.iter().position(|d| d.eq_ignore_ascii_case(day))? as u32;
    Some(day * DAY + clock(time)?)
}

/// The spans of an RDS window: daily `hh:mm-hh:mm` or weekly `ddd:hh:mm-ddd:hh:mm`.
pub(super) fn busy_spans(window: &str) -> Option<Vec<Span>> {
    let (from, to) = window.split_once('-')?;
    if let (Some(a), Some(b)) = (clock(from), clock(to)) {
        let len = (b + DAY - a) % DAY;
        return Some((0..7).map(|d| (d * DAY + a, d * DAY + a + len)).collect());
    }
    let (a, b) = (weekday_clock(from)?, weekday_clock(to)?);
    Some(vec![(a, a + (b + WEEK - a) % WEEK)])
}

/// The spans in which a rule on `schedule` (`cron(M H dom month dow year)`) may start,
/// `start_window` minutes each; `None` when the expression is not a fixed time of day.
pub(super) fn start_spans(schedule: &str, start_window: u32) -> Option<Vec<Span>> {
    let fields: Vec<&str> = schedule
        .strip_prefix("cron(")?
        .strip_suffix(')')?
        .split_whitespace()
        .collect();
    let [minute, hour, _dom, _month, dow, ..] = fields.as_slice() else {
        return None;
    };
    let at: u32 = hour.parse::<u32>().ok()? * 60 + minute.parse::<u32>().ok()?;
    // A day of the month falls on any weekday; `?`/`*` is every day.
    let days: Vec<u32> = match dow.parse::<u32>() {
        Ok(d) if (1..=7).contains(&d) => vec![d - 1],
        _ => (0..7).collect(),
    };
    Some(
        days.into_iter()
            .map(|d| (d * DAY + at, d * DAY + at + start_window))
            .collect(),
    )
}

/// Whether two sets of spans meet, the week wrapping around.
pub(super) fn overlap(a: &[Span], b: &[Span]) -> bool {
    let shifted = |(s, e): Span| [(s, e), (s + WEEK, e + WEEK)];
    a.iter().any(|&x| {
        b.iter().any(|&y| {
            shifted(x)
                .iter()
                .any(|&(s1, e1)| shifted(y).iter().any(|&(s2, e2)| s1 < e2 && s2 < e1))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_daily_backup_at_five_meets_a_sunday_maintenance_until_half_past_five() {
        let daily_5 = start_spans("cron(0 5 * * ? *)", 60).expect("fixed");
        let daily_6 = start_spans("cron(0 6 * * ? *)", 60).expect("fixed");
        let maintenance = busy_spans("sun:04:30-sun:05:30").expect("weekly");
        let rds_backup = busy_spans("03:00-04:00").expect("daily");
        assert!(overlap(&daily_5, &maintenance));
        assert!(!overlap(&daily_6, &maintenance));
        assert!(!overlap(&daily_5, &rds_backup));
        assert!(overlap(
            &start_spans("cron(30 3 * * ? *)", 60).expect("x"),
            &rds_backup
        ));
        // Saturday 23:30 for an hour runs into a Sunday-midnight window.
        let late = start_spans("cron(30 23 ? * 7 *)", 60).expect("weekly");
        assert!(overlap(
            &late,
            &busy_spans("sun:00:00-sun:00:30").expect("w")
        ));
        // A window across midnight.
        assert!(overlap(&daily_5, &busy_spans("23:00-05:30").expect("d")));
        assert_eq!(start_spans("rate(1 day)", 60), None);
        assert_eq!(busy_spans("someday"), None);
    }
}
