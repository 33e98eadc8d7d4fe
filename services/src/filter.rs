//! The notice filter: a small subset of AIP-160. A filter is terms `field op "value"` joined by
//! `AND`; values are double-quoted strings.
//!
//! | field | ops | meaning |
//! | --- | --- | --- |
//! | `organisation` | `=` | resource name, full name or alias |
//! | `kind`, `team` | `=` | inspection kind or team, exactly |
//! | `source` | `=` | the source URL starts with the value |
//! | `status` | `=` | at least one issue has this status (`completed`, `in_progress`, `not_stated`) |
//! | `text` | `:` | the title or cleaned text contains the value |
//! | `signed_on`, `published_at`, `fetched_at` | `=` `<` `<=` `>` `>=` | ISO-8601 date comparison |
//!
//! A month-only date (`2025-04`) compares as the first of the month; notices without the date
//! never match a date term.

use crate::error::{ApiError, quoted};
use gazette_notice::{IssueStatus, NoticeDate};
use gazette_store::StoredNotice;

/// A compiled filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoticeFilter {
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq)]
enum Term {
    /// Organisation id after resolution; `None` when the name is unknown (matches nothing).
    Organisation(Option<String>),
    Kind(String),
    Team(String),
    Source(String),
    Status(IssueStatus),
    Text(String),
    Date(DateField, Comparison, String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateField {
    SignedOn,
    PublishedAt,
    FetchedAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Operators, longest first so that `>=` is not read as `>`.
const OPERATORS: &[(&str, Option<Comparison>)] = &[
    (">=", Some(Comparison::Ge)),
    ("<=", Some(Comparison::Le)),
    ("=", Some(Comparison::Eq)),
    ("<", Some(Comparison::Lt)),
    (">", Some(Comparison::Gt)),
    (":", None),
];

fn invalid(description: String) -> ApiError {
    ApiError::invalid("filter", description)
}

/// Splits `field op "value"` at its operator.
fn split_term(term: &str) -> Result<(&str, &str, &str), ApiError> {
    let position = term
        .char_indices()
        .find(|&(_, c)| matches!(c, '=' | '<' | '>' | ':' | '"'))
        .map(|(i, _)| i)
        .filter(|&i| !term[i..].starts_with('"'))
        .ok_or_else(|| {
            invalid(format!(
                "expected field, operator and \"value\" in {}",
                quoted(term)
            ))
        })?;
    let (field, rest) = term.split_at(position);
    let (op, value) = OPERATORS
        .iter()
        .find_map(|(op, _)| rest.strip_prefix(op).map(|v| (*op, v)))
        .ok_or_else(|| invalid(format!("no operator in {}", quoted(term))))?;
    let value = value.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .filter(|v| !v.contains('"'))
        .ok_or_else(|| {
            invalid(format!(
                "value {} must be one double-quoted string",
                quoted(value)
            ))
        })?;
    Ok((field.trim(), op, value))
}

/// A date value as a comparable "YYYY-MM-DD" string.
fn date_value(field: &str, value: &str) -> Result<String, ApiError> {
    let date_part = value.split('T').next().unwrap_or(value);
    NoticeDate::parse_iso(date_part)
        .map(normalised)
        .ok_or_else(|| {
            invalid(format!(
                "{field} needs an ISO-8601 date such as \"2024-05-01\", got {}",
                quoted(value)
            ))
        })
}

fn normalised(date: NoticeDate) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year,
        date.month,
        date.day.unwrap_or(1)
    )
}

impl NoticeFilter {
    /// Parses `expression`; `resolve` maps an organisation name to its id.
    pub fn parse(
        expression: &str,
        resolve: impl Fn(&str) -> Result<Option<String>, ApiError>,
    ) -> Result<Self, ApiError> {
        let mut terms = Vec::new();
        let expression = expression.trim();
        if expression.is_empty() {
            return Ok(Self { terms });
        }
        for part in expression.split(" AND ") {
            let (field, op, value) = split_term(part.trim())?;
            let eq_only = |term: Term| {
                if op == "=" {
                    Ok(term)
                } else {
                    Err(invalid(format!("{field} takes only =, got {op}")))
                }
            };
            let term = match field {
                "organisation" | "organization" => {
                    let key = match value.strip_prefix("organisations/") {
                        // A resource name must carry an id of the form the store issues.
                        Some(id) if !crate::convert::is_organisation_id(id) => {
                            return Err(invalid(format!(
                                "organisation: expected organisations/{{id}} with a 12-digit lowercase hex id, got {}",
                                quoted(value)
                            )));
                        }
                        Some(id) => id,
                        None => value,
                    };
                    eq_only(Term::Organisation(resolve(key)?))?
                }
                "kind" | "inspection.kind" => eq_only(Term::Kind(value.to_owned()))?,
                "team" | "inspection.team" => eq_only(Term::Team(value.to_owned()))?,
                "source" | "source_uri" => eq_only(Term::Source(value.to_owned()))?,
                "status" => {
                    let status = match value {
                        "completed" | "ISSUE_STATUS_COMPLETED" => IssueStatus::Completed,
                        "in_progress" | "ISSUE_STATUS_IN_PROGRESS" => IssueStatus::InProgress,
                        "not_stated" | "ISSUE_STATUS_NOT_STATED" => IssueStatus::NotStated,
                        other => {
                            return Err(invalid(format!(
                                "status must be completed, in_progress or not_stated, got {}",
                                quoted(other)
                            )));
                        }
                    };
                    eq_only(Term::Status(status))?
                }
                "text" => {
                    if op != ":" {
                        return Err(invalid(format!("text takes only : (contains), got {op}")));
                    }
                    Term::Text(value.to_owned())
                }
                "signed_on" | "published_at" | "fetched_at" => {
                    let comparison = OPERATORS
                        .iter()
                        .find(|(o, _)| *o == op)
                        .and_then(|(_, c)| *c)
                        .ok_or_else(|| invalid(format!("{field} takes = < <= > >=, got {op}")))?;
                    let which = match field {
                        "signed_on" => DateField::SignedOn,
                        "published_at" => DateField::PublishedAt,
                        _ => DateField::FetchedAt,
                    };
                    Term::Date(which, comparison, date_value(field, value)?)
                }
                other => {
                    return Err(invalid(format!(
                        "unknown field {}; use organisation, kind, team, source, status, text, signed_on, published_at or fetched_at",
                        quoted(other)
                    )));
                }
            };
            terms.push(term);
        }
        Ok(Self { terms })
    }

    /// True when the filter has no term and so keeps every notice.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// True when `notice` satisfies every term.
    pub fn matches(&self, notice: &StoredNotice) -> bool {
        self.terms.iter().all(|term| term.matches(notice))
    }
}

impl Term {
    fn matches(&self, stored: &StoredNotice) -> bool {
        let n = &stored.notice;
        match self {
            Term::Organisation(id) => id.is_some() && stored.organisation_id == *id,
            Term::Kind(kind) => n.inspection.kind.as_deref() == Some(kind.as_str()),
            Term::Team(team) => n.inspection.team.as_deref() == Some(team.as_str()),
            Term::Source(prefix) => stored.source_uri.starts_with(prefix.as_str()),
            Term::Status(status) => n.issues.iter().any(|i| i.status == *status),
            Term::Text(needle) => {
                stored.text.contains(needle.as_str())
                    || n.title
                        .as_deref()
                        .is_some_and(|t| t.contains(needle.as_str()))
            }
            Term::Date(field, comparison, value) => {
                let have = match field {
                    DateField::SignedOn => n.signed_on.map(normalised),
                    DateField::PublishedAt => n.published_at.map(|p| normalised(p.date)),
                    DateField::FetchedAt => fetched_date(stored.fetched_at_ms),
                };
                have.is_some_and(|have| {
                    let order = have.as_str().cmp(value.as_str());
                    match comparison {
                        Comparison::Eq => order.is_eq(),
                        Comparison::Lt => order.is_lt(),
                        Comparison::Le => order.is_le(),
                        Comparison::Gt => order.is_gt(),
                        Comparison::Ge => order.is_ge(),
                    }
                })
            }
        }
    }
}

/// The UTC date of a fetch time, as "YYYY-MM-DD".
fn fetched_date(ms: i64) -> Option<String> {
    let at = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        at.year(),
        u8::from(at.month()),
        at.day()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gazette_notice::{Issue, Notice};

    /// The id of the sample notice's organisation.
    const ORG_ID: &str = "0123456789ab";

    fn known(name: &str) -> Result<Option<String>, ApiError> {
        Ok((name == "甲区委" || name == ORG_ID).then(|| ORG_ID.to_owned()))
    }

    fn sample() -> StoredNotice {
        StoredNotice {
            organisation_id: Some(ORG_ID.into()),
            source_uri: "https://site.example/xczg/1.html".into(),
            text: "关于优化营商环境的整改".into(),
            fetched_at_ms: 1_714_521_600_000, // 2024-05-01
            notice: Notice {
                signed_on: NoticeDate::ym(2025, 4),
                issues: vec![Issue {
                    status: IssueStatus::InProgress,
                    ..Issue::default()
                }],
                ..Notice::default()
            },
            ..StoredNotice::default()
        }
    }

    #[test]
    fn terms_combine_and_dates_compare() {
        let n = sample();
        let filter = |e: &str| NoticeFilter::parse(e, known).expect("valid filter");
        assert!(filter(r#"organisation = "甲区委" AND text : "营商环境""#).matches(&n));
        assert!(filter(r#"organisation = "organisations/0123456789ab""#).matches(&n));
        assert!(!filter(r#"organisation = "乙县委""#).matches(&n));
        assert!(filter(r#"signed_on >= "2025-04-01" AND signed_on < "2025-05-01""#).matches(&n));
        assert!(filter(r#"fetched_at = "2024-05-01""#).matches(&n));
        assert!(filter(r#"status = "in_progress""#).matches(&n));
        assert!(!filter(r#"status = "completed""#).matches(&n));
        assert!(filter(r#"source = "https://site.example/""#).matches(&n));
        assert!(!filter(r#"published_at > "2000-01-01""#).matches(&n));
    }

    #[test]
    fn malformed_filters_say_what_is_wrong() {
        for (expression, fragment) in [
            ("colour = \"red\"", "unknown field"),
            ("organisation = \"organisations/abc\"", "12-digit"),
            ("kind = 巡察", "double-quoted"),
            ("kind", "expected field"),
            ("text = \"x\"", "contains"),
            ("kind > \"巡察\"", "only ="),
            ("signed_on >= \"last week\"", "ISO-8601"),
            ("status = \"done\"", "status must be"),
        ] {
            let error = NoticeFilter::parse(expression, known)
                .expect_err(expression)
                .to_string();
            assert!(error.contains(fragment), "{expression}: {error}");
        }
        assert_eq!(
            NoticeFilter::parse("  ", known).expect("empty"),
            NoticeFilter::default()
        );
    }
}
