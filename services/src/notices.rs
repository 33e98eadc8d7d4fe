//! `gazette.v1.NoticeService`.

use crate::convert;
use crate::error::ApiError;
use crate::filter::{self, FilterField};
use crate::paging;
use gazette_proto::pb;
use gazette_store::{NoticeStore, StoredNotice};
use std::sync::Arc;
use tonic::{Request, Response, Status};

/// Serves notices from a store.
#[derive(Clone)]
pub struct NoticeApi {
    store: Arc<dyn NoticeStore>,
}

impl NoticeApi {
    /// A service over `store`.
    pub fn new(store: Arc<dyn NoticeStore>) -> Self {
        Self { store }
    }

    fn get(&self, name: &str) -> Result<pb::GetNoticeResponse, ApiError> {
        let id = name
            .strip_prefix("notices/")
            .filter(|id| !id.is_empty())
            .ok_or_else(|| ApiError::InvalidArgument {
                field: "name",
                description: format!("expected notices/{{id}}, got {name:?}"),
            })?;
        let stored = self.store.notice(id)?.ok_or_else(|| ApiError::NotFound {
            resource: name.to_owned(),
        })?;
        Ok(pb::GetNoticeResponse {
            notice: Some(convert::notice(&stored)),
        })
    }

    fn list(&self, request: &pb::ListNoticesRequest) -> Result<pb::ListNoticesResponse, ApiError> {
        let limit = paging::page_size(request.page_size)?;
        let cursor = paging::decode_token(&request.page_token)?;
        match request.order_by.trim() {
            "" | "fetched_at desc" => {}
            other => {
                return Err(ApiError::InvalidArgument {
                    field: "order_by",
                    description: format!("unsupported ordering {other:?}; use \"fetched_at desc\""),
                });
            }
        }
        let mut organisation_ids = None;
        let mut kinds = Vec::new();
        let mut teams = Vec::new();
        for term in filter::parse(&request.filter)? {
            match term.field {
                FilterField::Organisation => {
                    let wanted = term
                        .value
                        .strip_prefix("organisations/")
                        .unwrap_or(&term.value);
                    let id = self.store.resolve_organisation(wanted)?.map(|o| o.id);
                    // An unknown organisation matches nothing rather than failing the call.
                    organisation_ids
                        .get_or_insert_with(Vec::new)
                        .push(id.unwrap_or_default());
                }
                FilterField::Kind => kinds.push(term.value),
                FilterField::Team => teams.push(term.value),
            }
        }
        let keep = |n: &StoredNotice| {
            organisation_ids.as_ref().is_none_or(|ids| {
                ids.iter()
                    .all(|id| n.organisation_id.as_deref() == Some(id.as_str()))
            }) && kinds
                .iter()
                .all(|k| n.notice.inspection.kind.as_deref() == Some(k.as_str()))
                && teams
                    .iter()
                    .all(|t| n.notice.inspection.team.as_deref() == Some(t.as_str()))
        };
        let slice = self.store.list_notices(cursor.as_deref(), limit, &keep)?;
        Ok(pb::ListNoticesResponse {
            notices: slice.notices.iter().map(convert::notice).collect(),
            next_page_token: slice
                .next_cursor
                .as_deref()
                .map(paging::encode_token)
                .unwrap_or_default(),
            total_size: i32::try_from(slice.total_matching).unwrap_or(i32::MAX),
        })
    }
}

#[tonic::async_trait]
impl pb::notice_service_server::NoticeService for NoticeApi {
    async fn get_notice(
        &self,
        request: Request<pb::GetNoticeRequest>,
    ) -> Result<Response<pb::GetNoticeResponse>, Status> {
        let api = self.clone();
        let name = request.into_inner().name;
        let response = tokio::task::spawn_blocking(move || api.get(&name))
            .await
            .map_err(ApiError::from)??;
        Ok(Response::new(response))
    }

    async fn list_notices(
        &self,
        request: Request<pb::ListNoticesRequest>,
    ) -> Result<Response<pb::ListNoticesResponse>, Status> {
        let api = self.clone();
        let request = request.into_inner();
        let response = tokio::task::spawn_blocking(move || api.list(&request))
            .await
            .map_err(ApiError::from)??;
        Ok(Response::new(response))
    }
}
