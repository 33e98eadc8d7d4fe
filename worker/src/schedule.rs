//! When a source runs next: every `interval`, or at the times of its `cron` expression read in
//! the source's time zone (`timezone`, Asia/Shanghai by default), so that "0 3 * * *" means
//! 03:00 where the publisher is, daylight saving included where the zone has it.
//!
//! Both kinds give due times that every replica computes alike, because replicas on one
//! database claim a run by its due time and only equal due times make them claim the same
//! run: an interval's runs fall on the multiples of the interval counted from the Unix epoch,
//! shifted by a phase taken from the source's name (so that sources with the same interval do
//! not all start at once).

use crate::config::SourceConfig;
use crate::error::{Result, WorkerError};
use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};
use std::str::FromStr as _;
use std::time::Duration;

/// How long to wait when a cron expression has no next occurrence (an impossible date).
const NO_OCCURRENCE_RETRY: Duration = Duration::from_secs(24 * 3600);

/// A source's schedule.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// Runs every `interval`, at `phase` past each multiple of it since the Unix epoch.
    Every {
        /// The time between runs.
        interval: Duration,
        /// Where in each interval the run falls (less than `interval`).
        phase: Duration,
    },
    /// The times of a cron expression in a time zone.
    Cron {
        /// The expression.
        cron: Box<croner::Cron>,
        /// The zone its fields are read in.
        tz: chrono_tz::Tz,
    },
}

impl Schedule {
    /// The schedule of `source`: its `cron` if set, else its `interval`. Fails on a cron
    /// expression that does not parse or an unknown time zone (checked for every source, so
    /// that a typo is caught at config load even before a cron is added).
    pub fn of(source: &SourceConfig) -> Result<Self> {
        let tz = source.time_zone()?;
        match &source.cron {
            Some(expr) => croner::Cron::from_str(expr)
                .map(|cron| Self::Cron {
                    cron: Box::new(cron),
                    tz,
                })
                .map_err(|e| WorkerError::BadCron {
                    source_name: source.name.clone(),
                    cron: expr.clone(),
                    reason: e.to_string(),
                }),
            None => Ok(Self::every(source.interval, &source.name)),
        }
    }

    /// Runs every `interval`, at a phase taken from `name`: the same on every replica and for
    /// every restart, different for most pairs of names.
    pub fn every(interval: Duration, name: &str) -> Self {
        let digest = Sha256::digest(name.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let interval_ms = u64::try_from(interval.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let phase = Duration::from_millis(u64::from_be_bytes(first) % interval_ms);
        Self::Every { interval, phase }
    }

    /// How long from now until the next run.
    pub fn until_next(&self) -> Duration {
        let now = DateTime::from_timestamp_millis(gazette_store::now_ms()).unwrap_or_default();
        self.wait_from(now)
    }

    /// How long from `now` until the next run.
    pub fn wait_from(&self, now: DateTime<Utc>) -> Duration {
        match self {
            Self::Every { .. } => {
                let now_ms = now.timestamp_millis();
                let wait = self.next_due_ms(now_ms).saturating_sub(now_ms);
                Duration::from_millis(u64::try_from(wait).unwrap_or(0))
            }
            Self::Cron { .. } => self
                .next_after(now)
                .and_then(|next| (next - now).to_std().ok())
                .unwrap_or(NO_OCCURRENCE_RETRY),
        }
    }

    /// When the next run is due, in milliseconds since the Unix epoch: the first due time
    /// after `now_ms`, the same on every replica (so that they claim the same run, see
    /// `Crawler::claim_run`).
    pub fn next_due_ms(&self, now_ms: i64) -> i64 {
        match self {
            Self::Every { interval, phase } => {
                let interval = i64::try_from(interval.as_millis())
                    .unwrap_or(i64::MAX)
                    .max(1);
                let phase = i64::try_from(phase.as_millis()).unwrap_or(0);
                // The last due time at or before now, then the one after it.
                let last = (now_ms - phase).div_euclid(interval) * interval + phase;
                last.saturating_add(interval)
            }
            Self::Cron { .. } => {
                let now = DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
                match self.next_after(now) {
                    Some(next) => next.timestamp_millis(),
                    None => now_ms.saturating_add(
                        i64::try_from(NO_OCCURRENCE_RETRY.as_millis()).unwrap_or(i64::MAX),
                    ),
                }
            }
        }
    }

    /// The first cron time after `now` (`None` for an interval, or a cron that never fires).
    pub fn next_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Self::Every { .. } => None,
            Self::Cron { cron, tz } => cron
                .find_next_occurrence(&now.with_timezone(tz), false)
                .ok()
                .map(|next| next.with_timezone(&Utc)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339)
            .expect("valid instant")
            .with_timezone(&Utc)
    }

    fn cron(expr: &str, timezone: &str) -> Schedule {
        Schedule::of(&SourceConfig {
            cron: Some(expr.into()),
            timezone: timezone.into(),
            ..SourceConfig::default()
        })
        .expect("valid schedule")
    }

    #[test]
    fn interval_or_cron() {
        let mut source = SourceConfig::default();
        let every = Schedule::of(&source).expect("interval");
        assert!(every.until_next() <= source.interval);
        source.cron = Some("*/5 * * * *".into());
        let next = Schedule::of(&source).expect("cron").until_next();
        assert!(next <= Duration::from_secs(300), "{next:?}");
        source.cron = Some("not cron".into());
        assert!(Schedule::of(&source).is_err());
    }

    #[test]
    fn cron_fields_are_read_in_the_source_time_zone() {
        // 03:00 in Shanghai (UTC+8, the default) is 19:00 UTC the day before.
        let default = cron("0 3 * * *", "Asia/Shanghai");
        assert_eq!(
            default.next_after(at("2026-01-01T00:00:00Z")),
            Some(at("2026-01-01T19:00:00Z"))
        );
        assert_eq!(
            default.wait_from(at("2026-01-01T18:00:00Z")),
            Duration::from_secs(3600)
        );
        let utc = cron("0 3 * * *", "UTC");
        assert_eq!(
            utc.next_after(at("2026-01-01T00:00:00Z")),
            Some(at("2026-01-01T03:00:00Z"))
        );
        // New York moves to daylight time on 2026-03-08: 09:00 is 14:00 UTC before, 13:00 after.
        let new_york = cron("0 9 * * *", "America/New_York");
        assert_eq!(
            new_york.next_after(at("2026-03-07T12:00:00Z")),
            Some(at("2026-03-07T14:00:00Z"))
        );
        assert_eq!(
            new_york.next_after(at("2026-03-07T15:00:00Z")),
            Some(at("2026-03-08T13:00:00Z"))
        );
    }

    #[test]
    fn interval_due_times_are_the_same_on_every_replica() {
        let hour = Duration::from_secs(3600);
        let schedule = Schedule::every(hour, "city-jw");
        let hour_ms = 3_600_000;
        let start = at("2026-05-01T08:00:00Z").timestamp_millis();
        let due = schedule.next_due_ms(start);
        assert!(due > start && due <= start + hour_ms, "{due} after {start}");
        // Replicas that finish their runs at any other time before that due time agree on it,
        // and the one after it is an interval later.
        for later_ms in [1, 59_000, due - start - 1] {
            assert_eq!(schedule.next_due_ms(start + later_ms), due);
        }
        assert_eq!(schedule.next_due_ms(due), due + hour_ms);
        assert_eq!(
            schedule.wait_from(DateTime::from_timestamp_millis(start).expect("instant")),
            Duration::from_millis(u64::try_from(due - start).expect("positive"))
        );
        // The phase comes from the name: the same for the same name, elsewhere for another.
        assert_eq!(Schedule::every(hour, "city-jw").next_due_ms(start), due);
        let others: std::collections::HashSet<i64> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|name| Schedule::every(hour, name).next_due_ms(start))
            .collect();
        assert!(others.len() > 1, "{others:?}");
    }

    #[test]
    fn an_unknown_time_zone_is_refused_even_without_a_cron() {
        let source = SourceConfig {
            name: "s".into(),
            timezone: "Asia/Peking".into(),
            ..SourceConfig::default()
        };
        let error = Schedule::of(&source).expect_err("unknown zone");
        assert!(matches!(error, WorkerError::BadTimeZone { .. }), "{error}");
        assert!(error.to_string().contains("Asia/Peking"), "{error}");
    }
}
