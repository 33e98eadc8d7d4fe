//! What robots.txt says for our User-Agent, parsed with `texting_robots`, and the limits
//! RFC 9309 sets on fetching it. When it is fetched and what an error answer means is
//! [`crate::politeness`]'s business.

/// How much of a robots.txt is read: RFC 9309 (2.5) asks crawlers to parse at least 500 KiB;
/// what follows is ignored.
pub const MAX_ROBOTS_BYTES: usize = 500 * 1024;

/// Redirects of robots.txt followed: RFC 9309 (2.3.1.2) asks for at least five; after more the
/// file counts as unavailable (everything allowed).
pub const MAX_ROBOTS_REDIRECTS: usize = 5;

/// The rules robots.txt sets for our User-Agent.
#[derive(Debug, Default)]
pub struct RobotsRules {
    /// The parsed rules; `None` allows everything (no usable robots.txt).
    robot: Option<texting_robots::Robot>,
}

impl RobotsRules {
    /// Everything allowed: no robots.txt, or one that cannot be read.
    pub fn allow_all() -> Self {
        Self::default()
    }

    /// The rules of a robots.txt body for the product token `agent`. An unparsable file is
    /// treated as absent, as crawlers commonly do.
    pub fn parse(agent: &str, body: &[u8]) -> Self {
        Self {
            robot: texting_robots::Robot::new(agent, body).ok(),
        }
    }

    /// Whether `url` may be fetched.
    pub fn allowed(&self, url: &str) -> bool {
        self.robot.as_ref().is_none_or(|r| r.allowed(url))
    }

    /// The sitemaps robots.txt lists.
    pub fn sitemaps(&self) -> Vec<String> {
        self.robot
            .as_ref()
            .map(|r| r.sitemaps.clone())
            .unwrap_or_default()
    }

    /// The Crawl-delay in seconds, if one is set.
    pub fn crawl_delay(&self) -> Option<f32> {
        self.robot.as_ref().and_then(|r| r.delay)
    }
}

/// The product token robots.txt groups name ("gazette"), from a full User-Agent header.
pub(crate) fn product_token(user_agent: &str) -> &str {
    user_agent.split(['/', ' ']).next().unwrap_or_default()
}
