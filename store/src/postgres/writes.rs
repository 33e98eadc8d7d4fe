//! Page writes on PostgreSQL: the rules ([`crate::rules`]) read what is stored through the
//! writing transaction ([`TxReads`]), and their plan is applied in the same transaction
//! ([`apply`]), after the `feed` row lock that serialises page writers (see the module above).

use super::{PgError, PgStore, change_kind_name, decode, encode, to_i64, to_u64};
use crate::records::{OrganisationRecord, PageOutcome, PageRecord, StoredNotice};
use crate::rules::{PageWritePlan, StoredReads, WriteOp};
use gazette_notice::Notice;
use postgres::Transaction;
use std::cell::RefCell;

/// Stores a page and its notices (and its compressed body) in one transaction.
pub(crate) fn record(
    store: &PgStore,
    page: &PageRecord,
    notices: &[Notice],
    compressed: Option<&[u8]>,
) -> crate::Result<PageOutcome> {
    let (outcome, last) =
        store.transaction(true, |tx| write_page(tx, page, notices, compressed))?;
    if let Some(last) = last {
        store.committed_through(last);
    }
    Ok(outcome)
}

/// Writes the page inside `tx` (which holds the feed lock); returns the outcome and the last
/// change-log position it used, if it logged any.
pub(crate) fn write_page(
    tx: &mut Transaction<'_>,
    page: &PageRecord,
    notices: &[Notice],
    compressed: Option<&[u8]>,
) -> Result<(PageOutcome, Option<u64>), PgError> {
    let mut page = page.clone();
    if let Some(body) = compressed {
        put_page_body(tx, &page.url, page.fetched_at_ms, body)?;
        page.body_stored = true;
    }
    let stored = {
        let reads = TxReads(RefCell::new(&mut *tx));
        crate::rules::gather(&reads, &page, notices)?
    };
    let plan = crate::rules::plan(&stored, page, notices);
    let last = apply(tx, &plan)?;
    Ok((plan.outcome, last))
}

/// The rules' reads inside a transaction.
struct TxReads<'a, 'b>(RefCell<&'a mut Transaction<'b>>);

impl TxReads<'_, '_> {
    fn record<T: serde::de::DeserializeOwned>(
        &self,
        tree: &'static str,
        sql: &str,
        key: &str,
    ) -> Result<Option<T>, PgError> {
        self.0
            .borrow_mut()
            .query_opt(sql, &[&key])?
            .map(|row| decode(tree, row.get::<_, &[u8]>(0)).map_err(PgError::from))
            .transpose()
    }

    fn text(&self, sql: &str, key: &str) -> Result<Option<String>, PgError> {
        Ok(self
            .0
            .borrow_mut()
            .query_opt(sql, &[&key])?
            .map(|row| row.get(0)))
    }
}

impl StoredReads for TxReads<'_, '_> {
    type Error = PgError;

    fn page(&self, url: &str) -> Result<Option<PageRecord>, PgError> {
        self.record("pages", "SELECT record FROM pages WHERE url = $1", url)
    }

    fn notice(&self, id: &str) -> Result<Option<StoredNotice>, PgError> {
        self.record("notices", "SELECT record FROM notices WHERE id = $1", id)
    }

    fn withdrawn(&self, id: &str) -> Result<Option<u64>, PgError> {
        Ok(self
            .0
            .borrow_mut()
            .query_opt(
                "SELECT version FROM withdrawn_notices WHERE id = $1",
                &[&id],
            )?
            .map(|row| to_u64(row.get(0))))
    }

    fn alias(&self, derived: &str) -> Result<Option<String>, PgError> {
        self.text("SELECT id FROM notice_aliases WHERE derived = $1", derived)
    }

    fn organisation_named(&self, folded: &str) -> Result<Option<String>, PgError> {
        self.text(
            "SELECT organisation_id FROM organisation_names WHERE folded = $1",
            folded,
        )
    }

    fn organisation(&self, id: &str) -> Result<Option<OrganisationRecord>, PgError> {
        self.record(
            "organisations",
            "SELECT record FROM organisations WHERE id = $1",
            id,
        )
    }
}

/// Stores (or replaces) a notice record with its sort-key columns.
pub(crate) fn put_notice(
    tx: &mut impl postgres::GenericClient,
    record: &StoredNotice,
) -> Result<(), PgError> {
    let published = record.notice.published_at.map(|p| p.to_string());
    let signed = record.notice.signed_on.map(|d| d.to_string());
    tx.execute(
        "INSERT INTO notices (id, fetched_at_ms, published_at, signed_on, record)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET fetched_at_ms = EXCLUDED.fetched_at_ms,
           published_at = EXCLUDED.published_at, signed_on = EXCLUDED.signed_on,
           record = EXCLUDED.record",
        &[
            &record.id,
            &record.fetched_at_ms,
            &published,
            &signed,
            &encode("notices", record)?,
        ],
    )?;
    Ok(())
}

pub(crate) fn put_page(
    tx: &mut impl postgres::GenericClient,
    page: &PageRecord,
) -> Result<(), PgError> {
    tx.execute(
        "INSERT INTO pages (url, record) VALUES ($1, $2)
         ON CONFLICT (url) DO UPDATE SET record = EXCLUDED.record",
        &[&page.url, &encode("pages", page)?],
    )?;
    Ok(())
}

/// Stores (or replaces) the compressed body of a page as fetched at `fetched_at_ms`.
pub(crate) fn put_page_body(
    tx: &mut impl postgres::GenericClient,
    url: &str,
    fetched_at_ms: i64,
    body: &[u8],
) -> Result<(), PgError> {
    tx.execute(
        "INSERT INTO page_bodies (url, fetched_at_ms, body) VALUES ($1, $2, $3)
         ON CONFLICT (url, fetched_at_ms) DO UPDATE SET body = EXCLUDED.body",
        &[&url, &fetched_at_ms, &body],
    )?;
    Ok(())
}

/// Stores (or replaces) an earlier record of a page, keyed by its fetch time.
pub(crate) fn put_page_version(
    tx: &mut impl postgres::GenericClient,
    old: &PageRecord,
) -> Result<(), PgError> {
    tx.execute(
        "INSERT INTO page_versions (url, fetched_at_ms, record) VALUES ($1, $2, $3)
         ON CONFLICT (url, fetched_at_ms) DO UPDATE SET record = EXCLUDED.record",
        &[&old.url, &old.fetched_at_ms, &encode("page_versions", old)?],
    )?;
    Ok(())
}

/// Stores (or replaces) version `version` of a notice.
pub(crate) fn put_notice_version(
    tx: &mut impl postgres::GenericClient,
    version: u64,
    record: &StoredNotice,
) -> Result<(), PgError> {
    tx.execute(
        "INSERT INTO notice_versions (id, version, record) VALUES ($1, $2, $3)
         ON CONFLICT (id, version) DO UPDATE SET record = EXCLUDED.record",
        &[
            &record.id,
            &to_i64(version),
            &encode("notice_versions", record)?,
        ],
    )?;
    Ok(())
}

/// Stores (or replaces) an organisation record.
pub(crate) fn put_organisation(
    tx: &mut impl postgres::GenericClient,
    org: &OrganisationRecord,
) -> Result<(), PgError> {
    tx.execute(
        "INSERT INTO organisations (id, record) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record",
        &[&org.id, &encode("organisations", org)?],
    )?;
    Ok(())
}

/// Points the folded name `folded` at an organisation (replacing what it pointed at).
pub(crate) fn name_organisation(
    tx: &mut impl postgres::GenericClient,
    folded: &str,
    organisation_id: &str,
) -> Result<(), PgError> {
    tx.execute(
        "INSERT INTO organisation_names (folded, organisation_id) VALUES ($1, $2)
         ON CONFLICT (folded) DO UPDATE SET organisation_id = EXCLUDED.organisation_id",
        &[&folded, &organisation_id],
    )?;
    Ok(())
}

/// Points the derived notice id `derived` at the notice `id` (replacing what it pointed at).
pub(crate) fn put_alias(
    tx: &mut impl postgres::GenericClient,
    derived: &str,
    id: &str,
) -> Result<(), PgError> {
    tx.execute(
        "INSERT INTO notice_aliases (derived, id) VALUES ($1, $2)
         ON CONFLICT (derived) DO UPDATE SET id = EXCLUDED.id",
        &[&derived, &id],
    )?;
    Ok(())
}

/// Marks notice `id` withdrawn at `version` (replacing an earlier mark).
pub(crate) fn put_withdrawn(
    tx: &mut impl postgres::GenericClient,
    id: &str,
    version: u64,
) -> Result<(), PgError> {
    tx.execute(
        "INSERT INTO withdrawn_notices (id, version) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version",
        &[&id, &to_i64(version)],
    )?;
    Ok(())
}

/// Applies a plan in order; returns the last change-log position it took, if any. The caller
/// holds the feed row lock, so the positions are the next ones in commit order.
fn apply(tx: &mut Transaction<'_>, plan: &PageWritePlan) -> Result<Option<u64>, PgError> {
    if let Some(old) = &plan.page_version {
        put_page_version(tx, old)?;
    }
    put_page(tx, &plan.page)?;
    let mut last = None;
    for op in &plan.ops {
        match op {
            WriteOp::PutNotice(record) => put_notice(tx, record)?,
            WriteOp::RemoveNotice(id) => {
                tx.execute("DELETE FROM notices WHERE id = $1", &[id])?;
            }
            WriteOp::PutNoticeVersion { version, record } => {
                put_notice_version(tx, *version, record)?;
            }
            // The fetch-time order is an index on the notices table itself.
            WriteOp::IndexFetched { .. } | WriteOp::UnindexFetched { .. } => {}
            WriteOp::PutOrganisation(org) => put_organisation(tx, org)?,
            WriteOp::RemoveOrganisation(id) => {
                tx.execute("DELETE FROM organisations WHERE id = $1", &[id])?;
            }
            WriteOp::UnnameOrganisation {
                folded,
                organisation_id,
            } => {
                tx.execute(
                    "DELETE FROM organisation_names WHERE folded = $1 AND organisation_id = $2",
                    &[folded, organisation_id],
                )?;
            }
            WriteOp::NameOrganisation {
                folded,
                organisation_id,
            } => name_organisation(tx, folded, organisation_id)?,
            WriteOp::Alias { derived, id } => put_alias(tx, derived, id)?,
            WriteOp::Withdraw { id, version } => put_withdrawn(tx, id, *version)?,
            WriteOp::Unwithdraw(id) => {
                tx.execute("DELETE FROM withdrawn_notices WHERE id = $1", &[id])?;
            }
            WriteOp::LogChange { id, version, kind } => {
                last = Some(log_change(tx, id, *version, change_kind_name(*kind))?);
            }
        }
    }
    if let Some(last) = last {
        tx.execute(
            "SELECT pg_notify($1, $2)",
            &[&super::feed::CHANNEL, &last.to_string()],
        )?;
    }
    Ok(last)
}

/// Takes the next change-log position (the caller holds the feed row) and logs the change.
pub(crate) fn log_change(
    tx: &mut Transaction<'_>,
    id: &str,
    version: u64,
    kind: &str,
) -> Result<u64, PgError> {
    let seq: i64 = tx
        .query_one(
            "UPDATE feed SET last = last + 1 WHERE id = 1 RETURNING last",
            &[],
        )?
        .get(0);
    tx.execute(
        "INSERT INTO changes (seq, notice_id, version, kind) VALUES ($1, $2, $3, $4)",
        &[&seq, &id, &to_i64(version), &kind],
    )?;
    Ok(to_u64(seq))
}
