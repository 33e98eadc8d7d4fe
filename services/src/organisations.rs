//! `gazette.v1.OrganisationService`.

use crate::convert;
use crate::error::ApiError;
use crate::paging;
use gazette_notice::IssueStatus;
use gazette_proto::pb;
use gazette_store::{NoticeStore, StoredNotice};
use std::sync::Arc;
use tonic::{Request, Response, Status};

/// Serves organisations and their issue status from a store.
#[derive(Clone)]
pub struct OrganisationApi {
    store: Arc<dyn NoticeStore>,
}

impl OrganisationApi {
    /// A service over `store`.
    pub fn new(store: Arc<dyn NoticeStore>) -> Self {
        Self { store }
    }

    fn list(
        &self,
        request: &pb::ListOrganisationsRequest,
    ) -> Result<pb::ListOrganisationsResponse, ApiError> {
        let limit = paging::page_size(request.page_size)?;
        let after = paging::decode_token(&request.page_token)?
            .map(|c| {
                String::from_utf8(c).map_err(|_| ApiError::InvalidArgument {
                    field: "page_token",
                    description: "not a token returned by this service".into(),
                })
            })
            .transpose()?;
        // One extra tells whether another page follows.
        let mut orgs = self.store.organisations(after.as_deref(), limit + 1)?;
        let next_page_token = if orgs.len() > limit {
            orgs.truncate(limit);
            orgs.last()
                .map(|o| paging::encode_token(o.id.as_bytes()))
                .unwrap_or_default()
        } else {
            String::new()
        };
        Ok(pb::ListOrganisationsResponse {
            organisations: orgs.iter().map(convert::organisation).collect(),
            next_page_token,
        })
    }

    fn issue_status(
        &self,
        request: &pb::GetIssueStatusRequest,
    ) -> Result<pb::GetIssueStatusResponse, ApiError> {
        let wanted = request.organisation.trim();
        if wanted.is_empty() {
            return Err(ApiError::InvalidArgument {
                field: "organisation",
                description: "give a resource name (organisations/{id}) or a name".into(),
            });
        }
        let key = wanted.strip_prefix("organisations/").unwrap_or(wanted);
        let org = self
            .store
            .resolve_organisation(key)?
            .ok_or_else(|| ApiError::NotFound {
                resource: format!("organisation {wanted:?}"),
            })?;
        let mut notices: Vec<StoredNotice> = Vec::new();
        for id in &org.notice_ids {
            if let Some(n) = self.store.notice(id)? {
                notices.push(n);
            }
        }
        notices.sort_by_key(|n| std::cmp::Reverse((n.notice.signed_on, n.fetched_at_ms)));
        let mut response = pb::GetIssueStatusResponse {
            organisation: Some(convert::organisation(&org)),
            ..Default::default()
        };
        for n in &notices {
            for issue in &n.notice.issues {
                response.issues_total += 1;
                match issue.status {
                    IssueStatus::Completed => response.completed += 1,
                    IssueStatus::InProgress => response.in_progress += 1,
                    IssueStatus::NotStated => response.not_stated += 1,
                }
            }
            response.notices.push(convert::notice_name(&n.id));
            response.warnings.extend(n.notice.warnings.iter().cloned());
        }
        response.reported = notices
            .first()
            .map(|n| convert::reported(&n.notice.reported));
        Ok(response)
    }
}

#[tonic::async_trait]
impl pb::organisation_service_server::OrganisationService for OrganisationApi {
    async fn list_organisations(
        &self,
        request: Request<pb::ListOrganisationsRequest>,
    ) -> Result<Response<pb::ListOrganisationsResponse>, Status> {
        let api = self.clone();
        let request = request.into_inner();
        let response = tokio::task::spawn_blocking(move || api.list(&request))
            .await
            .map_err(ApiError::from)??;
        Ok(Response::new(response))
    }

    async fn get_issue_status(
        &self,
        request: Request<pb::GetIssueStatusRequest>,
    ) -> Result<Response<pb::GetIssueStatusResponse>, Status> {
        let api = self.clone();
        let request = request.into_inner();
        let response = tokio::task::spawn_blocking(move || api.issue_status(&request))
            .await
            .map_err(ApiError::from)??;
        Ok(Response::new(response))
    }
}
