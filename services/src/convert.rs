//! Domain model to protobuf messages. Absent values become empty strings or unset optionals,
//! as the proto documents.

use gazette_notice::{IssueStatus, NoticeDate, ReportedFigures};
use gazette_proto::pb;
use gazette_store::{OrganisationRecord, StoredNotice};

/// Resource name of a notice id.
pub fn notice_name(id: &str) -> String {
    format!("notices/{id}")
}

/// Resource name of an organisation id.
pub fn organisation_name(id: &str) -> String {
    format!("organisations/{id}")
}

/// Hex digits of a notice id (`gazette_store::identity::notice_id`).
const NOTICE_ID_HEX: usize = 16;
/// Hex digits of an organisation id (`gazette_store::identity::organisation_id`).
const ORGANISATION_ID_HEX: usize = 12;

/// True for `len` lowercase hex digits, the form of every id the store issues. A name of any
/// other form names nothing that could exist: INVALID_ARGUMENT, not NOT_FOUND.
fn is_hex_id(id: &str, len: usize) -> bool {
    id.len() == len && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// True when `id` has the form of a notice id.
pub fn is_notice_id(id: &str) -> bool {
    is_hex_id(id, NOTICE_ID_HEX)
}

/// True when `id` has the form of an organisation id.
pub fn is_organisation_id(id: &str) -> bool {
    is_hex_id(id, ORGANISATION_ID_HEX)
}

fn date(d: Option<NoticeDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// The protobuf status of a domain status.
pub fn issue_status(status: IssueStatus) -> pb::IssueStatus {
    match status {
        IssueStatus::Completed => pb::IssueStatus::Completed,
        IssueStatus::InProgress => pb::IssueStatus::InProgress,
        IssueStatus::NotStated => pb::IssueStatus::NotStated,
    }
}

/// The protobuf form of reported figures.
pub fn reported(r: &ReportedFigures) -> pb::ReportedFigures {
    pb::ReportedFigures {
        problems_total: r.problems_total,
        problems_completed: r.problems_completed,
        problems_in_progress: r.problems_in_progress,
        problems_not_completed: r.problems_not_completed,
        measures_total: r.measures_total,
        measures_completed: r.measures_completed,
        aspects_total: r.aspects_total,
        rules_made: r.rules_made,
        people_held_accountable: r.people_held_accountable,
        completion_rate_percent: r.completion_rate_percent,
        money_recovered_yuan: r.money_recovered_yuan,
    }
}

/// The protobuf form of an inspection.
pub fn inspection(i: &gazette_notice::Inspection) -> pb::Inspection {
    pb::Inspection {
        team: i.team.clone().unwrap_or_default(),
        kind: i.kind.clone().unwrap_or_default(),
        start: date(i.start),
        end: date(i.end),
        feedback_on: date(i.feedback_on),
    }
}

/// The protobuf form of an issue.
pub fn issue(i: &gazette_notice::Issue) -> pb::Issue {
    pb::Issue {
        number: i.number.clone(),
        title: i.title.clone(),
        status: issue_status(i.status).into(),
        category_path: i.category_path.clone(),
    }
}

/// How much of a notice to return (the API's `NoticeView`, resolved).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum View {
    /// Every field but the text.
    Basic,
    /// Every field.
    #[default]
    Full,
}

impl View {
    /// The view a request asked for; unset means full. `field` names it in the error.
    pub fn parse(field: &'static str, value: i32) -> Result<Self, crate::error::ApiError> {
        match pb::NoticeView::try_from(value) {
            Ok(pb::NoticeView::Unspecified | pb::NoticeView::Full) => Ok(Self::Full),
            Ok(pb::NoticeView::Basic) => Ok(Self::Basic),
            Err(_) => Err(crate::error::ApiError::invalid(
                field,
                format!("unknown notice view {value}"),
            )),
        }
    }
}

/// The protobuf form of a stored notice.
pub fn notice(stored: &StoredNotice) -> pb::Notice {
    notice_in(stored, View::Full)
}

/// The protobuf form of a stored notice in `view`.
pub fn notice_in(stored: &StoredNotice, view: View) -> pb::Notice {
    let n = &stored.notice;
    pb::Notice {
        name: notice_name(&stored.id),
        title: n.title.clone().unwrap_or_default(),
        organisation: stored
            .organisation_id
            .as_deref()
            .map(organisation_name)
            .unwrap_or_default(),
        organisation_display_name: n.organisation.clone().unwrap_or_default(),
        organisation_aliases: n.organisation_aliases.clone(),
        inspection: Some(inspection(&n.inspection)),
        reported: Some(reported(&n.reported)),
        issues: n.issues.iter().map(issue).collect(),
        signed_by: n.signed_by.clone().unwrap_or_default(),
        signed_on: date(n.signed_on),
        published_at: n.published_at.map(|p| p.to_string()).unwrap_or_default(),
        contact: Some(pb::Contact {
            phones: n.contact.phones.clone(),
            emails: n.contact.emails.clone(),
            address: n.contact.address.clone().unwrap_or_default(),
            postcode: n.contact.postcode.clone().unwrap_or_default(),
        }),
        fragment: Some(pb::Fragment {
            continued_from_page: n
                .fragment
                .continued_from_page
                .and_then(|p| i32::try_from(p).ok()),
            continues_on_page: n
                .fragment
                .continues_on_page
                .and_then(|p| i32::try_from(p).ok()),
        }),
        warnings: n.warnings.clone(),
        source_uri: stored.source_uri.clone(),
        fetched_at: Some(timestamp(stored.fetched_at_ms)),
        content_sha256: stored.content_sha256.clone(),
        text: match view {
            View::Full => stored.text.clone(),
            View::Basic => String::new(),
        },
        multi_unit_report: n.multi_unit_report,
        version: i64::try_from(stored.version.max(1)).unwrap_or(i64::MAX),
        found_on: stored.carriers(),
    }
}

/// A protobuf timestamp from milliseconds since the epoch.
pub fn timestamp(ms: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
}

/// The protobuf form of an organisation.
pub fn organisation(org: &OrganisationRecord) -> pb::Organisation {
    pb::Organisation {
        name: organisation_name(&org.id),
        display_name: org.display_name.clone(),
        aliases: org.aliases.clone(),
        notice_count: i32::try_from(org.notice_ids.len()).unwrap_or(i32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_the_store_issues_are_well_formed_and_others_are_not() {
        let notice = gazette_notice::Notice {
            title: Some("关于巡察整改进展情况的通报".into()),
            ..gazette_notice::Notice::default()
        };
        let id = gazette_store::identity::notice_id(&notice, "ab", 0);
        assert!(is_notice_id(&id), "{id}");
        let id = gazette_store::identity::organisation_id("中共某某区委");
        assert!(is_organisation_id(&id), "{id}");
        for bad in [
            "",
            "x",
            "0000",
            "0123456789ABCDEF",
            "0123456789abcdeg",
            "../etc",
            "a/b",
        ] {
            assert!(!is_notice_id(bad) && !is_organisation_id(bad), "{bad}");
        }
        assert!(!is_notice_id("0123456789ab") && !is_organisation_id("0123456789abcdef"));
    }
}
