//! When a source runs next: every `interval`, or at the times of its `cron` expression read in
//! the source's time zone (`timezone`, Asia/Shanghai by default), so that "0 3 * * *" means
//! 03:00 where the publisher is, daylight saving included where the zone has it.

use crate::config::SourceConfig;
use crate::error::{Result, WorkerError};
use chrono::{DateTime, Utc};
use std::str::FromStr as _;
use std::time::Duration;

/// How long to wait when a cron expression has no next occurrence (an impossible date).
const NO_OCCURRENCE_RETRY: Duration = Duration::from_secs(24 * 3600);

/// A source's schedule.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// A fixed pause between runs.
    Every(Duration),
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
            None => Ok(Self::Every(source.interval)),
        }
    }

    /// How long from now until the next run.
    pub fn until_next(&self) -> Duration {
        let now = DateTime::from_timestamp_millis(crate::fetch::now_ms()).unwrap_or_default();
        self.wait_from(now)
    }

    /// How long from `now` until the next run.
    pub fn wait_from(&self, now: DateTime<Utc>) -> Duration {
        match self {
            Self::Every(interval) => *interval,
            Self::Cron { .. } => self
                .next_after(now)
                .and_then(|next| (next - now).to_std().ok())
                .unwrap_or(NO_OCCURRENCE_RETRY),
        }
    }

    /// When the next run is due, in milliseconds since the Unix epoch, for a run ending at
    /// `now_ms`: a cron time is the same on every replica (so that they claim the same run,
    /// see `Crawler::claim_run`); an interval counts from `now_ms`.
    pub fn next_due_ms(&self, now_ms: i64) -> i64 {
        let now = DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
        match self.next_after(now) {
            Some(next) => next.timestamp_millis(),
            None => now_ms
                .saturating_add(i64::try_from(self.wait_from(now).as_millis()).unwrap_or(i64::MAX)),
        }
    }

    /// The first cron time after `now` (`None` for an interval, or a cron that never fires).
    pub fn next_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Self::Every(_) => None,
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
        assert_eq!(every.until_next(), source.interval);
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
