//! The domain rules of storing a page, apart from any database: notice identity and aliases,
//! versions, `found_on`, withdrawal and organisations. [`gather`] reads, through
//! [`StoredReads`], what is stored for a page (its previous record, the notices it and its new
//! content name, their aliases and withdrawals, the organisations their names lead to);
//! [`plan`], a pure function of that [`StoredForPage`] and the newly parsed page, returns the
//! [`PageWritePlan`]: the ordered writes to make and what they did. A backend applies the plan
//! in one transaction (sled: [`crate::sled_store`]), gathering inside the same transaction so
//! that the plan is made from what the transaction sees.
//!
//! The rules (see also the README's API conventions):
//! - A notice's id comes from what it says ([`crate::identity::notice_id`]), through any alias
//!   left by an earlier succession.
//! - A derived id never seen before takes over the id of the notice the page's earlier content
//!   had at the same position, when that notice is gone from the new content, no other page
//!   carries it, and both belong to the same organisation: an edit, not a new notice. The new
//!   id becomes an alias of the old one.
//! - A notice whose content changed gets a new version (the old one is kept); the same notice
//!   seen again, or from another URL, is a refresh. A withdrawn notice that comes back
//!   continues its versions.
//! - A notice the page no longer carries is detached from it (and from the article pages the
//!   page was linked from); one left on no page is withdrawn. Content that yields no notice at
//!   all (an error page) detaches nothing.

use crate::identity::{fold_name, notice_id, organisation_id};
use crate::records::{ChangeKind, OrganisationRecord, PageOutcome, PageRecord, StoredNotice};
use gazette_notice::Notice;
use std::collections::BTreeMap;

/// Point reads of what is stored, in whatever transaction the backend runs.
pub trait StoredReads {
    /// The backend's error (a transaction conflict must travel through unchanged).
    type Error;
    /// The page stored under `url`.
    fn page(&self, url: &str) -> Result<Option<PageRecord>, Self::Error>;
    /// The notice `id`.
    fn notice(&self, id: &str) -> Result<Option<StoredNotice>, Self::Error>;
    /// The last version of the notice `id` if it is withdrawn.
    fn withdrawn(&self, id: &str) -> Result<Option<u64>, Self::Error>;
    /// The id that the derived id `derived` is an alias of.
    fn alias(&self, derived: &str) -> Result<Option<String>, Self::Error>;
    /// The organisation id a folded name or alias leads to.
    fn organisation_named(&self, folded: &str) -> Result<Option<String>, Self::Error>;
    /// The organisation `id`.
    fn organisation(&self, id: &str) -> Result<Option<OrganisationRecord>, Self::Error>;
}

/// What is stored for a page: every record [`plan`] may look at. A key missing from a map is
/// a record the store does not have.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredForPage {
    /// The page's previous record.
    pub previous: Option<PageRecord>,
    /// Notices by id: those the new content's ids resolve to and those the page named before.
    pub notices: BTreeMap<String, StoredNotice>,
    /// Withdrawn notices among those ids, with their last versions.
    pub withdrawn: BTreeMap<String, u64>,
    /// Aliases of the new content's derived ids.
    pub aliases: BTreeMap<String, String>,
    /// Organisation ids by folded name, for every name of the new notices.
    pub organisation_names: BTreeMap<String, String>,
    /// Organisations the new notices may belong to, and those of the notices named before.
    pub organisations: BTreeMap<String, OrganisationRecord>,
}

/// One write of a plan, applied in order.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    /// Store the notice record (replacing any with its id).
    PutNotice(StoredNotice),
    /// Remove the notice record `id`.
    RemoveNotice(String),
    /// Keep `record` as version `version` of its notice.
    PutNoticeVersion {
        /// The version it was (records of old builds say 0; the key uses this).
        version: u64,
        /// The record as it was.
        record: StoredNotice,
    },
    /// Add the notice to the fetch-time index.
    IndexFetched {
        /// Its fetch time.
        fetched_at_ms: i64,
        /// The notice.
        id: String,
    },
    /// Take the notice out of the fetch-time index.
    UnindexFetched {
        /// The fetch time it was indexed under.
        fetched_at_ms: i64,
        /// The notice.
        id: String,
    },
    /// Store the organisation record.
    PutOrganisation(OrganisationRecord),
    /// Remove the organisation `id` (it has no notice left).
    RemoveOrganisation(String),
    /// Remove the folded name if it still leads to the organisation (which is removed): a
    /// name claimed by another organisation meanwhile stays.
    UnnameOrganisation {
        /// The folded name or alias.
        folded: String,
        /// The organisation removed.
        organisation_id: String,
    },
    /// Let the folded name lead to the organisation.
    NameOrganisation {
        /// The folded name or alias.
        folded: String,
        /// The organisation.
        organisation_id: String,
    },
    /// Record `derived` as an alias of the notice `id`.
    Alias {
        /// The id derived from the new content.
        derived: String,
        /// The notice it continues.
        id: String,
    },
    /// Mark the notice withdrawn at its last version.
    Withdraw {
        /// The notice.
        id: String,
        /// Its last version.
        version: u64,
    },
    /// The notice is carried again: no longer withdrawn.
    Unwithdraw(String),
    /// Append to the change log (the backend gives the position).
    LogChange {
        /// The notice.
        id: String,
        /// Its version after the change.
        version: u64,
        /// What happened.
        kind: ChangeKind,
    },
}

/// What storing a page takes: the page record, an earlier record to keep, the ordered writes,
/// and the outcome to report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageWritePlan {
    /// The page's new record (with its notice ids).
    pub page: PageRecord,
    /// The previous record, when its content differs: kept as a page version.
    pub page_version: Option<PageRecord>,
    /// The writes, in order.
    pub ops: Vec<WriteOp>,
    /// What the write did.
    pub outcome: PageOutcome,
}

impl PageWritePlan {
    /// Ids of every notice record the plan writes or removes (cached copies must go).
    pub fn touched_notices(&self) -> impl Iterator<Item = &str> {
        self.ops.iter().filter_map(|op| match op {
            WriteOp::PutNotice(n) => Some(n.id.as_str()),
            WriteOp::RemoveNotice(id) => Some(id.as_str()),
            WriteOp::PutNoticeVersion { .. }
            | WriteOp::IndexFetched { .. }
            | WriteOp::UnindexFetched { .. }
            | WriteOp::PutOrganisation(_)
            | WriteOp::RemoveOrganisation(_)
            | WriteOp::UnnameOrganisation { .. }
            | WriteOp::NameOrganisation { .. }
            | WriteOp::Alias { .. }
            | WriteOp::Withdraw { .. }
            | WriteOp::Unwithdraw(_)
            | WriteOp::LogChange { .. } => None,
        })
    }
}

/// Names under which a notice's organisation may be looked up.
fn names_of(notice: &Notice) -> Vec<&str> {
    notice
        .organisation
        .iter()
        .chain(notice.organisation_aliases.iter())
        .map(String::as_str)
        .filter(|n| !n.trim().is_empty())
        .collect()
}

/// Reads everything [`plan`] needs for storing `notices` parsed from `page`.
pub fn gather<R: StoredReads>(
    reads: &R,
    page: &PageRecord,
    notices: &[Notice],
) -> Result<StoredForPage, R::Error> {
    let mut stored = StoredForPage {
        previous: reads.page(&page.url)?,
        ..StoredForPage::default()
    };
    let before: Vec<String> = stored
        .previous
        .as_ref()
        .map(|p| p.notice_ids.clone())
        .unwrap_or_default();
    let mut ids = before;
    for (index, notice) in notices.iter().enumerate() {
        let derived = notice_id(notice, &page.content_sha256, index);
        match reads.alias(&derived)? {
            Some(target) => {
                stored.aliases.insert(derived, target.clone());
                ids.push(target);
            }
            None => ids.push(derived),
        }
    }
    let mut organisation_ids = Vec::new();
    for id in ids {
        if stored.notices.contains_key(&id) || stored.withdrawn.contains_key(&id) {
            continue;
        }
        if let Some(notice) = reads.notice(&id)? {
            organisation_ids.extend(notice.organisation_id.clone());
            stored.notices.insert(id.clone(), notice);
        }
        if let Some(version) = reads.withdrawn(&id)? {
            stored.withdrawn.insert(id, version);
        }
    }
    for notice in notices {
        for name in names_of(notice) {
            let folded = fold_name(name);
            if let Some(org) = reads.organisation_named(&folded)? {
                organisation_ids.push(org.clone());
                stored.organisation_names.insert(folded, org);
            }
        }
        organisation_ids.extend(notice.organisation.as_deref().map(organisation_id));
    }
    for id in organisation_ids {
        if !stored.organisations.contains_key(&id)
            && let Some(org) = reads.organisation(&id)?
        {
            stored.organisations.insert(id, org);
        }
    }
    Ok(stored)
}

/// The records as the plan has written them so far (a transaction's view of its own writes).
struct Working<'a> {
    state: StoredForPage,
    page: &'a PageRecord,
    ops: Vec<WriteOp>,
}

/// The write that stores `notices` parsed from `page`, given what is stored for it.
pub fn plan(stored: &StoredForPage, page: PageRecord, notices: &[Notice]) -> PageWritePlan {
    let page_version = stored
        .previous
        .as_ref()
        .filter(|old| old.content_sha256 != page.content_sha256)
        .cloned();
    let before: Vec<String> = stored
        .previous
        .as_ref()
        .map(|p| p.notice_ids.clone())
        .unwrap_or_default();
    let mut w = Working {
        state: stored.clone(),
        page: &page,
        ops: Vec::new(),
    };
    let ids = w.identify(notices, &before);
    let mut outcome = PageOutcome::default();
    let text = page
        .clean
        .as_ref()
        .map(|c| c.text.clone())
        .unwrap_or_default();
    for (notice, id) in notices.iter().zip(&ids) {
        let org_id = notice
            .organisation
            .as_deref()
            .map(|full_name| w.link_organisation(notice, full_name, id));
        let previous = w.state.notices.get(id).cloned();
        let mut found_on = previous
            .as_ref()
            .map(StoredNotice::carriers)
            .unwrap_or_default();
        for carrier in std::iter::once(&page.url).chain(&page.linked_from) {
            if !found_on.contains(carrier) {
                found_on.push(carrier.clone());
            }
        }
        let mut record = StoredNotice {
            id: id.clone(),
            organisation_id: org_id,
            notice: notice.clone(),
            source_uri: page.url.clone(),
            found_on,
            fetched_at_ms: page.fetched_at_ms,
            content_sha256: page.content_sha256.clone(),
            text: text.clone(),
            version: 1,
        };
        let change = match &previous {
            None => {
                // A withdrawn notice that comes back continues its version history.
                if let Some(last) = w.state.withdrawn.remove(id) {
                    w.ops.push(WriteOp::Unwithdraw(id.clone()));
                    record.version = last.saturating_add(1);
                }
                outcome.new_notices.push(id.clone());
                Some(ChangeKind::Created)
            }
            Some(previous) => {
                w.ops.push(WriteOp::UnindexFetched {
                    fetched_at_ms: previous.fetched_at_ms,
                    id: id.clone(),
                });
                outcome.updated_notices.push(id.clone());
                let previous_version = previous.version.max(1);
                // Only a change of what the notice says makes a version; the same notice seen
                // again, or from another URL, is a refresh.
                if previous.notice != record.notice || previous.text != record.text {
                    w.ops.push(WriteOp::PutNoticeVersion {
                        version: previous_version,
                        record: previous.clone(),
                    });
                    record.version = previous_version + 1;
                    Some(ChangeKind::Updated)
                } else {
                    record.version = previous_version;
                    None
                }
            }
        };
        if let Some(kind) = change {
            w.ops.push(WriteOp::LogChange {
                id: id.clone(),
                version: record.version,
                kind,
            });
        }
        w.ops.push(WriteOp::IndexFetched {
            fetched_at_ms: record.fetched_at_ms,
            id: id.clone(),
        });
        w.state.notices.insert(id.clone(), record.clone());
        w.ops.push(WriteOp::PutNotice(record));
    }
    let notice_ids = if notices.is_empty() {
        // Content that yields no notice is more likely an error page than a retraction: the
        // page keeps its notices until content that does yield notices replaces them.
        before
    } else {
        for gone in before.iter().filter(|id| !ids.contains(id)) {
            // A document's article pages carried its notices only through it.
            let mut withdrawn = false;
            for carrier in std::iter::once(&page.url).chain(&page.linked_from) {
                withdrawn |= w.detach(gone, carrier);
            }
            if withdrawn {
                outcome.withdrawn_notices.push(gone.clone());
            }
        }
        ids
    };
    let ops = w.ops;
    PageWritePlan {
        page: PageRecord { notice_ids, ..page },
        page_version,
        ops,
        outcome,
    }
}

impl Working<'_> {
    /// The ids of the page's notices: derived, through aliases, with successions (see the
    /// module documentation).
    fn identify(&mut self, notices: &[Notice], before: &[String]) -> Vec<String> {
        let mut ids = Vec::with_capacity(notices.len());
        let mut unseen = Vec::with_capacity(notices.len());
        let mut derived_ids = Vec::with_capacity(notices.len());
        for (index, notice) in notices.iter().enumerate() {
            let derived = notice_id(notice, &self.page.content_sha256, index);
            let id = self
                .state
                .aliases
                .get(&derived)
                .cloned()
                .unwrap_or_else(|| derived.clone());
            let seen =
                self.state.notices.contains_key(&id) || self.state.withdrawn.contains_key(&id);
            unseen.push(!seen);
            ids.push(id);
            derived_ids.push(derived);
        }
        for (index, notice) in notices.iter().enumerate() {
            let Some(old) = before.get(index) else {
                continue;
            };
            if !unseen[index] || ids.contains(old) {
                continue;
            }
            let Some(predecessor) = self.state.notices.get(old) else {
                continue;
            };
            // A predecessor still carried by another page stays itself there; taking its id
            // here would make the two pages overwrite each other's version on every fetch.
            if predecessor.carriers().iter().any(|u| *u != self.page.url) {
                continue;
            }
            if self.same_organisation(predecessor, notice) {
                let derived = std::mem::replace(&mut ids[index], old.clone());
                self.state.aliases.insert(derived.clone(), old.clone());
                self.ops.push(WriteOp::Alias {
                    derived,
                    id: old.clone(),
                });
            }
        }
        ids
    }

    /// Whether `notice` belongs to `predecessor`'s organisation, or either names none (a
    /// parser that now finds the organisation, or no longer does, still parses the same
    /// notice). A page reused for another organisation's notice is not an edit.
    fn same_organisation(&self, predecessor: &StoredNotice, notice: &Notice) -> bool {
        let Some(org_id) = predecessor.organisation_id.as_deref() else {
            return true;
        };
        if notice.organisation.is_none() {
            return true;
        }
        names_of(notice)
            .into_iter()
            .find_map(|name| self.state.organisation_names.get(&fold_name(name)))
            .is_some_and(|known| known == org_id)
    }

    /// Links a notice to its organisation (found by any of its names, or new), recording the
    /// names it goes by; returns the organisation's id.
    fn link_organisation(&mut self, notice: &Notice, full_name: &str, id: &str) -> String {
        let names = names_of(notice);
        let org_id = names
            .iter()
            .find_map(|name| self.state.organisation_names.get(&fold_name(name)).cloned())
            .unwrap_or_else(|| organisation_id(full_name));
        let mut org = self
            .state
            .organisations
            .get(&org_id)
            .cloned()
            .unwrap_or_else(|| OrganisationRecord {
                id: org_id.clone(),
                ..Default::default()
            });
        org.display_name = full_name.to_owned();
        for name in &names {
            let folded = fold_name(name);
            if !self.state.organisation_names.contains_key(&folded) {
                self.state
                    .organisation_names
                    .insert(folded.clone(), org_id.clone());
                self.ops.push(WriteOp::NameOrganisation {
                    folded,
                    organisation_id: org_id.clone(),
                });
            }
            if *name != full_name && !org.aliases.iter().any(|a| a == name) {
                org.aliases.push((*name).to_owned());
            }
        }
        org.aliases.retain(|a| a != full_name);
        if !org.notice_ids.iter().any(|n| n == id) {
            org.notice_ids.push(id.to_owned());
        }
        self.state.organisations.insert(org_id.clone(), org.clone());
        self.ops.push(WriteOp::PutOrganisation(org));
        org_id
    }

    /// Takes the page `url` off the notice `id`'s carriers. A notice left with none is
    /// withdrawn: its record and index entry go, its last version joins its earlier ones, its
    /// organisation forgets it (and goes itself once it has no notice), and the change log
    /// says so. Returns whether it was withdrawn.
    fn detach(&mut self, id: &str, url: &str) -> bool {
        let Some(mut record) = self.state.notices.get(id).cloned() else {
            return false;
        };
        let carriers: Vec<String> = record.carriers().into_iter().filter(|u| u != url).collect();
        if let Some(first) = carriers.first() {
            if record.source_uri == url {
                record.source_uri = first.clone();
            }
            record.found_on = carriers;
            self.state.notices.insert(id.to_owned(), record.clone());
            self.ops.push(WriteOp::PutNotice(record));
            return false;
        }
        let version = record.version.max(1);
        self.state.notices.remove(id);
        self.state.withdrawn.insert(id.to_owned(), version);
        self.ops.push(WriteOp::RemoveNotice(id.to_owned()));
        self.ops.push(WriteOp::UnindexFetched {
            fetched_at_ms: record.fetched_at_ms,
            id: id.to_owned(),
        });
        let organisation = record.organisation_id.clone();
        self.ops.push(WriteOp::PutNoticeVersion { version, record });
        self.ops.push(WriteOp::Withdraw {
            id: id.to_owned(),
            version,
        });
        if let Some(org_id) = organisation
            && let Some(mut org) = self.state.organisations.get(&org_id).cloned()
        {
            org.notice_ids.retain(|n| n != id);
            if org.notice_ids.is_empty() {
                self.state.organisations.remove(&org_id);
                // Its names go with it, so that no name leads nowhere; they come back with
                // the organisation.
                for name in std::iter::once(&org.display_name).chain(&org.aliases) {
                    let folded = fold_name(name);
                    if self.state.organisation_names.get(&folded) == Some(&org_id) {
                        self.state.organisation_names.remove(&folded);
                    }
                    self.ops.push(WriteOp::UnnameOrganisation {
                        folded,
                        organisation_id: org_id.clone(),
                    });
                }
                self.ops.push(WriteOp::RemoveOrganisation(org_id));
            } else {
                self.state.organisations.insert(org_id, org.clone());
                self.ops.push(WriteOp::PutOrganisation(org));
            }
        }
        self.ops.push(WriteOp::LogChange {
            id: id.to_owned(),
            version,
            kind: ChangeKind::Withdrawn,
        });
        true
    }
}

#[cfg(test)]
mod tests;
