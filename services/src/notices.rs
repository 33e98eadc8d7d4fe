//! `gazette.v1.NoticeService`: get, list (filter, order, pages), versions, and the watch stream.

use crate::convert;
use crate::convert::View;
use crate::error::{ApiError, blocking, quoted};
use crate::filter::NoticeFilter;
use crate::paging;
use gazette_proto::pb;
use gazette_store::{ChangeFeed, ChangeKind, ChangeRecord, NoticeOrder, Store, StoredNotice};
use prost::Message;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

/// Serves notices from a store.
#[derive(Clone)]
pub struct NoticeApi {
    store: Arc<dyn Store>,
    shutdown: CancellationToken,
    /// Largest response the server will send; listings stop short of it.
    max_response_bytes: usize,
}

/// Room kept in a listing for everything but its notices (token, total, framing).
const LISTING_OVERHEAD_BYTES: usize = 1024;
/// A notice's field tag and length prefix in a listing: at most 1 + 10 bytes.
const NOTICE_FIELD_BYTES: usize = 11;
/// A version's wrapper around its notice: its own tag and length, and the version number.
const VERSION_WRAPPER_BYTES: usize = NOTICE_FIELD_BYTES + 11;

/// Orderings of ListNotices; the discriminant tags page tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    FetchedDesc = 1,
    FetchedAsc = 2,
    PublishedDesc = 3,
    PublishedAsc = 4,
    SignedDesc = 5,
    SignedAsc = 6,
}

impl Order {
    fn parse(order_by: &str) -> Result<Self, ApiError> {
        let words: Vec<&str> = order_by.split_whitespace().collect();
        let (field, desc) = match words.as_slice() {
            [] => return Ok(Self::FetchedDesc),
            [field] => (*field, *field == "fetched_at"),
            [field, "desc"] => (*field, true),
            [field, "asc"] => (*field, false),
            _ => ("", false),
        };
        Ok(match (field, desc) {
            ("fetched_at", true) => Self::FetchedDesc,
            ("fetched_at", false) => Self::FetchedAsc,
            ("published_at", true) => Self::PublishedDesc,
            ("published_at", false) => Self::PublishedAsc,
            ("signed_on", true) => Self::SignedDesc,
            ("signed_on", false) => Self::SignedAsc,
            _ => {
                return Err(ApiError::invalid(
                    "order_by",
                    format!(
                        "unsupported ordering {}; use fetched_at, published_at or signed_on, then asc or desc",
                        quoted(order_by)
                    ),
                ));
            }
        })
    }

    /// The store's ordering.
    fn store_order(self) -> NoticeOrder {
        match self {
            Self::FetchedDesc => NoticeOrder::FetchedDesc,
            Self::FetchedAsc => NoticeOrder::FetchedAsc,
            Self::PublishedDesc => NoticeOrder::PublishedDesc,
            Self::PublishedAsc => NoticeOrder::PublishedAsc,
            Self::SignedDesc => NoticeOrder::SignedDesc,
            Self::SignedAsc => NoticeOrder::SignedAsc,
        }
    }
}

/// Parses "notices/{id}"; a name whose id cannot be one the store issued is malformed.
fn notice_id(name: &str) -> Result<&str, ApiError> {
    name.strip_prefix("notices/")
        .filter(|id| convert::is_notice_id(id))
        .ok_or_else(|| {
            ApiError::invalid(
                "name",
                format!(
                    "expected notices/{{id}} with a 16-digit lowercase hex id, got {}",
                    quoted(name)
                ),
            )
        })
}

/// Resume tokens of WatchNotices: the hex of the store's lineage, then of the change-log
/// position, so that a token is only taken by the store (or a restore of it) that issued it.
fn encode_resume(feed_lineage: u64, seq: u64) -> String {
    format!("{feed_lineage:016x}{seq:016x}")
}

/// A decoded resume token: the lineage it names (none for the tokens of builds before
/// lineages, which are taken by any store) and the position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ResumeToken {
    lineage: Option<u64>,
    seq: u64,
}

fn decode_resume(token: &str) -> Result<Option<ResumeToken>, ApiError> {
    let invalid = || ApiError::invalid("resume_token", "not a token returned by WatchNotices");
    let hex = |digits: &str| u64::from_str_radix(digits, 16).map_err(|_| invalid());
    if !token.is_ascii() {
        return Err(invalid());
    }
    match token.len() {
        0 => Ok(None),
        16 => Ok(Some(ResumeToken {
            lineage: None,
            seq: hex(token)?,
        })),
        32 => Ok(Some(ResumeToken {
            lineage: Some(hex(&token[..16])?),
            seq: hex(&token[16..])?,
        })),
        _ => Err(invalid()),
    }
}

/// Checks a resume token against the store's change log: a token of another lineage, or one
/// past the end of the log, names a position this log never had, and resuming from it would
/// silently skip whatever this store logs up to there.
fn check_resume(token: ResumeToken, feed: ChangeFeed) -> Result<u64, ApiError> {
    if let Some(lineage) = token.lineage.filter(|l| *l != feed.lineage) {
        return Err(ApiError::invalid(
            "resume_token",
            format!(
                "issued by another store (lineage {lineage:016x}, this store is {:016x}); watch from the start with an empty token",
                feed.lineage
            ),
        ));
    }
    if token.seq > feed.durable_through {
        return Err(ApiError::invalid(
            "resume_token",
            format!(
                "position {} is past the end of this store's change log ({}); watch from the start with an empty token",
                token.seq, feed.durable_through
            ),
        ));
    }
    Ok(token.seq)
}

/// Changes read from the log per round trip of the watch loop.
const WATCH_BATCH: usize = 256;

impl NoticeApi {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            shutdown: CancellationToken::new(),
            max_response_bytes: usize::MAX,
        }
    }

    /// Keeps ListNotices responses within `bytes` (the server's message size limit) by
    /// returning fewer notices than asked, with a token for the rest.
    pub fn with_max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The protobuf forms of `notices`, as many as fit in a response (always at least one,
    /// so that a listing makes progress; a single notice over the limit is refused by the
    /// transport with RESOURCE_EXHAUSTED).
    /// `framing` is what each notice costs beyond its own encoding.
    fn fit<'a>(
        &self,
        notices: impl Iterator<Item = &'a StoredNotice>,
        view: View,
        framing: usize,
    ) -> Vec<pb::Notice> {
        let budget = self
            .max_response_bytes
            .saturating_sub(LISTING_OVERHEAD_BYTES);
        let mut used = 0usize;
        let mut out = Vec::new();
        for stored in notices {
            let notice = convert::notice_in(stored, view);
            used = used.saturating_add(notice.encoded_len() + framing);
            if used > budget && !out.is_empty() {
                break;
            }
            out.push(notice);
        }
        out
    }

    /// Ends watch streams when `shutdown` is cancelled, so server shutdown is not held up.
    pub fn with_shutdown(mut self, shutdown: CancellationToken) -> Self {
        self.shutdown = shutdown;
        self
    }

    fn filter(&self, expression: &str) -> Result<NoticeFilter, ApiError> {
        NoticeFilter::parse(expression, |name| {
            Ok(self.store.resolve_organisation(name)?.map(|o| o.id))
        })
    }

    fn get(&self, request: &pb::GetNoticeRequest) -> Result<pb::GetNoticeResponse, ApiError> {
        let id = notice_id(&request.name)?;
        let view = View::parse("view", request.view)?;
        let Some(stored) = self.store.notice(id)? else {
            return Err(match self.store.withdrawn_version(id)? {
                Some(version) => ApiError::Withdrawn {
                    resource: request.name.clone(),
                    version,
                },
                None => ApiError::NotFound {
                    resource: request.name.clone(),
                },
            });
        };
        Ok(pb::GetNoticeResponse {
            notice: Some(convert::notice_in(&stored, view)),
        })
    }

    fn list(&self, request: &pb::ListNoticesRequest) -> Result<pb::ListNoticesResponse, ApiError> {
        let limit = paging::page_size(request.page_size)?;
        let order = Order::parse(&request.order_by)?;
        let tag = order as u8;
        let position = paging::decode_token(&request.page_token, tag, &request.filter)?;
        let view = View::parse("view", request.view)?;
        let filter = self.filter(&request.filter)?;
        let matches = |n: &StoredNotice| filter.matches(n);
        // An empty filter lets the store skip decoding every notice just to count them.
        let keep: Option<&dyn Fn(&StoredNotice) -> bool> = if filter.is_empty() {
            None
        } else {
            Some(&matches)
        };
        // Every ordering is a scan of one of the store's ordered indexes from the cursor.
        let order = order.store_order();
        let slice = self
            .store
            .list_notices(order, position.as_deref(), limit, keep)?;
        let notices = self.fit(slice.notices.iter().map(|n| &**n), view, NOTICE_FIELD_BYTES);
        let next_cursor = match slice.notices.get(notices.len().wrapping_sub(1)) {
            Some(last) if notices.len() < slice.notices.len() => {
                Some(self.store.notice_cursor(order, last))
            }
            _ => slice.next_cursor,
        };
        Ok(pb::ListNoticesResponse {
            notices,
            next_page_token: next_cursor
                .map(|c| paging::encode_token(tag, &request.filter, &c))
                .unwrap_or_default(),
            total_size: i32::try_from(slice.total_matching).unwrap_or(i32::MAX),
        })
    }

    fn versions(
        &self,
        request: &pb::ListNoticeVersionsRequest,
    ) -> Result<pb::ListNoticeVersionsResponse, ApiError> {
        let id = notice_id(&request.name)?;
        let limit = paging::page_size(request.page_size)?;
        let view = View::parse("view", request.view)?;
        const TAG: u8 = 20;
        let below = paging::decode_number_token(&request.page_token, TAG, &request.name)?;
        let mut all = self.store.notice_versions(id)?;
        match self.store.notice(id)? {
            Some(current) => all.push(Arc::unwrap_or_clone(current)),
            // A withdrawn notice has only earlier versions, and they stay listable.
            None if all.is_empty() => {
                return Err(ApiError::NotFound {
                    resource: request.name.clone(),
                });
            }
            None => {}
        }
        all.reverse();
        let remaining: Vec<&StoredNotice> = all
            .iter()
            .filter(|n| below.is_none_or(|b| n.version.max(1) < b))
            .collect();
        let notices = self.fit(
            remaining.iter().take(limit).copied(),
            view,
            VERSION_WRAPPER_BYTES,
        );
        let next_page_token = match remaining.get(notices.len().wrapping_sub(1)) {
            Some(last) if remaining.len() > notices.len() => {
                paging::encode_token(TAG, &request.name, &last.version.max(1).to_be_bytes())
            }
            _ => String::new(),
        };
        Ok(pb::ListNoticeVersionsResponse {
            versions: remaining
                .iter()
                .zip(notices)
                .map(|(n, notice)| pb::NoticeVersion {
                    version: i64::try_from(n.version.max(1)).unwrap_or(i64::MAX),
                    notice: Some(notice),
                })
                .collect(),
            next_page_token,
        })
    }

    /// The notice as it was at `change`: the current record, or the stored earlier version.
    fn notice_at(&self, change: &ChangeRecord) -> Result<Option<StoredNotice>, ApiError> {
        Ok(self
            .store
            .notice_version(&change.notice_id, change.version)?)
    }
}

#[tonic::async_trait]
impl pb::notice_service_server::NoticeService for NoticeApi {
    async fn get_notice(
        &self,
        request: Request<pb::GetNoticeRequest>,
    ) -> Result<Response<pb::GetNoticeResponse>, Status> {
        // One point lookup and decode take microseconds: a hop to the blocking pool would cost
        // more than the work, so this one runs inline.
        self.get(&request.into_inner())
            .map(Response::new)
            .map_err(Status::from)
    }

    async fn list_notices(
        &self,
        request: Request<pb::ListNoticesRequest>,
    ) -> Result<Response<pb::ListNoticesResponse>, Status> {
        let api = self.clone();
        let request = request.into_inner();
        blocking(move || api.list(&request))
            .await
            .map(Response::new)
    }

    async fn list_notice_versions(
        &self,
        request: Request<pb::ListNoticeVersionsRequest>,
    ) -> Result<Response<pb::ListNoticeVersionsResponse>, Status> {
        let api = self.clone();
        let request = request.into_inner();
        blocking(move || api.versions(&request))
            .await
            .map(Response::new)
    }

    type WatchNoticesStream =
        tokio_stream::wrappers::ReceiverStream<Result<pb::WatchNoticesResponse, Status>>;

    async fn watch_notices(
        &self,
        request: Request<pb::WatchNoticesRequest>,
    ) -> Result<Response<Self::WatchNoticesStream>, Status> {
        let request = request.into_inner();
        let token = decode_resume(&request.resume_token).map_err(Status::from)?;
        let view = View::parse("view", request.view).map_err(Status::from)?;
        let api = self.clone();
        let expression = request.filter.clone();
        let filter = blocking(move || api.filter(&expression)).await?;
        // Subscribed before the token is checked and the log read, so that no change made
        // durable in between goes unnoticed.
        let mut durable = self.store.subscribe_changes();
        let feed = self.store.change_feed();
        let lineage = feed.lineage;
        let mut cursor = token
            .map(|t| check_resume(t, feed))
            .transpose()
            .map_err(Status::from)?;
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let api = self.clone();
        tokio::spawn(async move {
            loop {
                // Whatever is published from here on wakes the wait below.
                durable.borrow_and_update();
                let reader = api.clone();
                let batch = blocking(move || {
                    let changes = reader.store.changes_after(cursor, WATCH_BATCH)?;
                    changes
                        .into_iter()
                        .map(|c| reader.notice_at(&c).map(|n| (c, n)))
                        .collect::<Result<Vec<_>, ApiError>>()
                })
                .await;
                let batch = match batch {
                    Ok(batch) => batch,
                    Err(status) => {
                        let _ = tx.send(Err(status)).await;
                        return;
                    }
                };
                for (change, notice) in &batch {
                    cursor = Some(change.seq);
                    let Some(notice) = notice.as_ref().filter(|n| filter.matches(n)) else {
                        continue;
                    };
                    let message = pb::WatchNoticesResponse {
                        change_type: match change.kind {
                            ChangeKind::Created => pb::ChangeType::Created,
                            ChangeKind::Updated => pb::ChangeType::Updated,
                            ChangeKind::Withdrawn => pb::ChangeType::Withdrawn,
                        }
                        .into(),
                        notice: Some(convert::notice_in(notice, view)),
                        resume_token: encode_resume(lineage, change.seq),
                    };
                    if tx.send(Ok(message)).await.is_err() {
                        return; // the client went away
                    }
                }
                if !batch.is_empty() {
                    continue;
                }
                // Woken by the store when more of the log is on disk: no thread waits.
                tokio::select! {
                    biased;
                    _ = api.shutdown.cancelled() => return,
                    _ = tx.closed() => return,
                    changed = durable.changed() => {
                        if changed.is_err() {
                            return; // the store is gone
                        }
                    }
                }
            }
        });
        Ok(Response::new(tokio_stream::wrappers::ReceiverStream::new(
            rx,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orderings_parse_and_positions_round_trip() {
        assert_eq!(Order::parse("").ok(), Some(Order::FetchedDesc));
        assert_eq!(Order::parse("signed_on").ok(), Some(Order::SignedAsc));
        assert_eq!(
            Order::parse("published_at desc").ok(),
            Some(Order::PublishedDesc)
        );
        assert!(Order::parse("colour").is_err());
        assert!(Order::parse("signed_on sideways").is_err());
        let token = decode_resume(&encode_resume(7, 42)).ok().flatten();
        assert_eq!(
            token,
            Some(ResumeToken {
                lineage: Some(7),
                seq: 42
            })
        );
        assert!(decode_resume("42").is_err());
        assert!(decode_resume("zz00000000000000").is_err());
        // Tokens of builds before lineages: a position only.
        assert_eq!(
            decode_resume("000000000000002a").ok().flatten(),
            Some(ResumeToken {
                lineage: None,
                seq: 42
            })
        );
    }

    #[test]
    fn resume_tokens_of_another_lineage_or_past_the_end_are_refused() {
        let feed = ChangeFeed {
            lineage: 7,
            durable_through: 40,
        };
        let token = |lineage, seq| ResumeToken { lineage, seq };
        assert_eq!(check_resume(token(Some(7), 40), feed).ok(), Some(40));
        assert_eq!(check_resume(token(None, 3), feed).ok(), Some(3));
        for refused in [token(Some(8), 3), token(Some(7), 41), token(None, 41)] {
            let Err(ApiError::InvalidArgument { field, description }) = check_resume(refused, feed)
            else {
                panic!("{refused:?} accepted");
            };
            assert_eq!(field, "resume_token");
            assert!(description.contains("empty token"), "{description}");
        }
    }
}
