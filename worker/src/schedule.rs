//! When a source runs next: every `interval`, or at the times of its `cron` expression (UTC).

use crate::config::SourceConfig;
use crate::error::{Result, WorkerError};
use std::str::FromStr as _;
use std::time::Duration;

/// A source's schedule.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// A fixed pause between runs.
    Every(Duration),
    /// The times of a cron expression.
    Cron(Box<croner::Cron>),
}

impl Schedule {
    /// The schedule of `source`: its `cron` if set, else its `interval`.
    pub fn of(source: &SourceConfig) -> Result<Self> {
        match &source.cron {
            Some(expr) => croner::Cron::from_str(expr)
                .map(|c| Self::Cron(Box::new(c)))
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
        match self {
            Self::Every(interval) => *interval,
            Self::Cron(cron) => {
                let now_ms = crate::fetch::now_ms();
                let Some(now) = chrono::DateTime::from_timestamp_millis(now_ms) else {
                    return Duration::from_secs(3600);
                };
                cron.find_next_occurrence(&now, false)
                    .ok()
                    .and_then(|next| (next - now).to_std().ok())
                    // No next occurrence (an impossible date): check again in a day.
                    .unwrap_or(Duration::from_secs(24 * 3600))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
