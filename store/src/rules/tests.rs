//! The rules on an in-memory store: no database, just maps that plans are applied to.

use super::*;
use gazette_notice::{Issue, IssueStatus};
use std::convert::Infallible;

/// Every record a plan can write, in maps.
#[derive(Debug, Default)]
struct Memory {
    pages: BTreeMap<String, PageRecord>,
    notices: BTreeMap<String, StoredNotice>,
    versions: BTreeMap<(String, u64), StoredNotice>,
    withdrawn: BTreeMap<String, u64>,
    aliases: BTreeMap<String, String>,
    names: BTreeMap<String, String>,
    organisations: BTreeMap<String, OrganisationRecord>,
    changes: Vec<(String, u64, ChangeKind)>,
}

impl StoredReads for Memory {
    type Error = Infallible;
    fn page(&self, url: &str) -> Result<Option<PageRecord>, Infallible> {
        Ok(self.pages.get(url).cloned())
    }
    fn notice(&self, id: &str) -> Result<Option<StoredNotice>, Infallible> {
        Ok(self.notices.get(id).cloned())
    }
    fn withdrawn(&self, id: &str) -> Result<Option<u64>, Infallible> {
        Ok(self.withdrawn.get(id).copied())
    }
    fn alias(&self, derived: &str) -> Result<Option<String>, Infallible> {
        Ok(self.aliases.get(derived).cloned())
    }
    fn organisation_named(&self, folded: &str) -> Result<Option<String>, Infallible> {
        Ok(self.names.get(folded).cloned())
    }
    fn organisation(&self, id: &str) -> Result<Option<OrganisationRecord>, Infallible> {
        Ok(self.organisations.get(id).cloned())
    }
}

impl Memory {
    /// Gathers, plans and applies, as a backend does in one transaction.
    fn store(&mut self, page: PageRecord, notices: &[Notice]) -> PageOutcome {
        let Ok(stored) = gather(self, &page, notices);
        let plan = plan(&stored, page, notices);
        for op in plan.ops {
            match op {
                WriteOp::PutNotice(n) => {
                    self.notices.insert(n.id.clone(), n);
                }
                WriteOp::RemoveNotice(id) => {
                    self.notices.remove(&id);
                }
                WriteOp::PutNoticeVersion { version, record } => {
                    self.versions.insert((record.id.clone(), version), record);
                }
                // The fetch-time index is the backend's; nothing here reads it.
                WriteOp::IndexFetched { .. } | WriteOp::UnindexFetched { .. } => {}
                WriteOp::PutOrganisation(org) => {
                    self.organisations.insert(org.id.clone(), org);
                }
                WriteOp::RemoveOrganisation(id) => {
                    self.organisations.remove(&id);
                }
                WriteOp::NameOrganisation {
                    folded,
                    organisation_id,
                } => {
                    self.names.insert(folded, organisation_id);
                }
                WriteOp::UnnameOrganisation {
                    folded,
                    organisation_id,
                } => {
                    if self.names.get(&folded) == Some(&organisation_id) {
                        self.names.remove(&folded);
                    }
                }
                WriteOp::Alias { derived, id } => {
                    self.aliases.insert(derived, id);
                }
                WriteOp::Withdraw { id, version } => {
                    self.withdrawn.insert(id, version);
                }
                WriteOp::Unwithdraw(id) => {
                    self.withdrawn.remove(&id);
                }
                WriteOp::LogChange { id, version, kind } => self.changes.push((id, version, kind)),
            }
        }
        self.pages.insert(plan.page.url.clone(), plan.page);
        plan.outcome
    }
}

fn notice(org: &str, title: &str, status: IssueStatus) -> Notice {
    Notice {
        title: Some(title.into()),
        organisation: Some(org.into()),
        issues: vec![Issue {
            number: "1".into(),
            title: "整改台账不完整".into(),
            status,
            category_path: vec![],
        }],
        ..Notice::default()
    }
}

fn page(url: &str, sha: &str, at: i64) -> PageRecord {
    PageRecord {
        url: url.into(),
        content_sha256: sha.into(),
        fetched_at_ms: at,
        ..PageRecord::default()
    }
}

const ORG: &str = "中共北岭县委员会";

#[test]
fn a_new_notice_is_created_with_its_organisation_and_refreshed_without_a_change() {
    let mut memory = Memory::default();
    let first = notice(ORG, "关于巡察整改进展情况的通报", IssueStatus::Completed);
    let outcome = memory.store(page("http://a/1", "s1", 1), std::slice::from_ref(&first));
    let id = outcome.new_notices[0].clone();
    assert_eq!(memory.changes, [(id.clone(), 1, ChangeKind::Created)]);
    let org = memory.notices[&id].organisation_id.clone().expect("linked");
    assert_eq!(
        memory.organisations[&org].notice_ids,
        std::slice::from_ref(&id)
    );
    // The same notice from another URL: a refresh, found on both.
    let again = memory.store(page("http://b/1", "s2", 2), &[first]);
    assert_eq!(again.updated_notices, std::slice::from_ref(&id));
    assert_eq!(memory.changes.len(), 1, "no change logged for a refresh");
    assert_eq!(memory.notices[&id].found_on, ["http://a/1", "http://b/1"]);
}

#[test]
fn changed_content_makes_a_version_and_keeps_the_old_one() {
    let mut memory = Memory::default();
    let title = "关于巡察整改情况的通报";
    let outcome = memory.store(
        page("http://a/1", "s1", 1),
        &[notice(ORG, title, IssueStatus::InProgress)],
    );
    let id = outcome.new_notices[0].clone();
    memory.store(
        page("http://a/1", "s2", 2),
        &[notice(ORG, title, IssueStatus::Completed)],
    );
    assert_eq!(memory.notices[&id].version, 2);
    assert_eq!(
        memory.versions[&(id.clone(), 1)].notice.issues[0].status,
        IssueStatus::InProgress
    );
    assert_eq!(memory.changes.last(), Some(&(id, 2, ChangeKind::Updated)));
}

#[test]
fn a_corrected_title_continues_the_notice_under_its_old_id() {
    let mut memory = Memory::default();
    let outcome = memory.store(
        page("http://a/1", "s1", 1),
        &[notice(
            ORG,
            "关于巡查整改情况的通报",
            IssueStatus::Completed,
        )],
    );
    let id = outcome.new_notices[0].clone();
    let corrected = notice(ORG, "关于巡察整改情况的通报", IssueStatus::Completed);
    let edited = memory.store(
        page("http://a/1", "s2", 2),
        std::slice::from_ref(&corrected),
    );
    assert_eq!(
        edited.updated_notices,
        std::slice::from_ref(&id),
        "{edited:?}"
    );
    assert!(edited.withdrawn_notices.is_empty());
    assert_eq!(memory.notices[&id].version, 2);
    // The alias sends the corrected content found elsewhere to the same notice.
    let elsewhere = memory.store(page("http://b/1", "s2", 3), &[corrected]);
    assert_eq!(elsewhere.updated_notices, [id]);
}

#[test]
fn a_page_reused_for_another_organisation_withdraws_and_a_return_continues_versions() {
    let mut memory = Memory::default();
    let ours = notice(ORG, "关于巡察整改进展情况的通报", IssueStatus::Completed);
    let outcome = memory.store(page("http://a/1", "s1", 1), std::slice::from_ref(&ours));
    let id = outcome.new_notices[0].clone();
    let org = memory.notices[&id].organisation_id.clone().expect("linked");
    let theirs = notice(
        "中共南溪镇委员会",
        "关于巡察整改进展情况的通报",
        IssueStatus::Completed,
    );
    let reused = memory.store(page("http://a/1", "s2", 2), &[theirs]);
    assert_eq!(reused.withdrawn_notices, std::slice::from_ref(&id));
    assert!(!memory.notices.contains_key(&id));
    assert_eq!(memory.withdrawn[&id], 1);
    assert!(
        !memory.organisations.contains_key(&org),
        "an organisation left with no notice goes"
    );
    assert!(
        memory.names.values().all(|named| *named != org),
        "and no name leads to it any more: {:?}",
        memory.names
    );
    assert!(
        memory
            .changes
            .contains(&(id.clone(), 1, ChangeKind::Withdrawn))
    );
    let back = memory.store(page("http://c/1", "s1", 3), &[ours]);
    assert_eq!(back.new_notices, std::slice::from_ref(&id));
    assert!(
        memory.names.values().any(|named| *named == org),
        "names come back"
    );
    assert_eq!(memory.notices[&id].version, 2);
    assert!(!memory.withdrawn.contains_key(&id));
}

#[test]
fn content_without_notices_detaches_nothing() {
    let mut memory = Memory::default();
    let outcome = memory.store(
        page("http://a/1", "s1", 1),
        &[notice(
            ORG,
            "关于巡察整改情况的通报",
            IssueStatus::Completed,
        )],
    );
    let id = outcome.new_notices[0].clone();
    let error_page = memory.store(page("http://a/1", "s2", 2), &[]);
    assert_eq!(error_page, PageOutcome::default());
    assert_eq!(
        memory.pages["http://a/1"].notice_ids,
        std::slice::from_ref(&id)
    );
    assert!(memory.notices.contains_key(&id));
}

#[test]
fn the_plan_is_made_from_the_gathered_records_alone() {
    let mut memory = Memory::default();
    let first = notice(ORG, "关于巡察整改情况的通报", IssueStatus::Completed);
    memory.store(page("http://a/1", "s1", 1), std::slice::from_ref(&first));
    let next = page("http://a/1", "s2", 2);
    let Ok(stored) = gather(&memory, &next, std::slice::from_ref(&first));
    // Planning twice from the same records gives the same write: nothing else is consulted.
    assert_eq!(
        plan(&stored, next.clone(), std::slice::from_ref(&first)),
        plan(&stored, next, &[first])
    );
    assert_eq!(
        stored.previous.as_ref().map(|p| p.url.as_str()),
        Some("http://a/1")
    );
    assert_eq!(stored.notices.len(), 1);
    assert_eq!(stored.organisations.len(), 1);
}
