//! `gazette.v1.OrganisationService`: organisations, their issue status and their issues.

use crate::convert;
use crate::error::{ApiError, blocking, quoted};
use crate::paging;
use gazette_notice::IssueStatus;
use gazette_proto::pb;
use gazette_store::{OrganisationRecord, Store, StoredNotice};
use std::sync::Arc;
use tonic::{Request, Response, Status};

/// Page-token tag of ListOrganisations.
const ORGANISATIONS_TAG: u8 = 30;
/// Page-token tag of ListIssues.
const ISSUES_TAG: u8 = 31;

/// Serves organisations and their issue status from a store.
#[derive(Clone)]
pub struct OrganisationApi {
    store: Arc<dyn Store>,
}

/// Counts of issues by status.
#[derive(Debug, Default, Clone, Copy)]
struct StatusCounts {
    total: i32,
    completed: i32,
    in_progress: i32,
    not_stated: i32,
}

impl StatusCounts {
    fn of(notice: &StoredNotice) -> Self {
        let mut counts = Self::default();
        for issue in &notice.notice.issues {
            counts.total += 1;
            match issue.status {
                IssueStatus::Completed => counts.completed += 1,
                IssueStatus::InProgress => counts.in_progress += 1,
                IssueStatus::NotStated => counts.not_stated += 1,
            }
        }
        counts
    }
}

impl OrganisationApi {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Resolves a resource name, full name or alias given in request field `field`.
    fn resolve(&self, field: &'static str, wanted: &str) -> Result<OrganisationRecord, ApiError> {
        let wanted = wanted.trim();
        if wanted.is_empty() {
            return Err(ApiError::invalid(
                field,
                "give a resource name (organisations/{id}), a full name or an alias",
            ));
        }
        let key = match wanted.strip_prefix("organisations/") {
            // A resource name must carry an id of the form the store issues.
            Some(id) if !convert::is_organisation_id(id) => {
                return Err(ApiError::invalid(
                    field,
                    format!(
                        "expected organisations/{{id}} with a 12-digit lowercase hex id, got {}",
                        quoted(wanted)
                    ),
                ));
            }
            Some(id) => id,
            None => wanted,
        };
        self.store
            .resolve_organisation(key)?
            .ok_or_else(|| ApiError::NotFound {
                resource: format!("organisation {}", quoted(wanted)),
            })
    }

    /// The organisation's notices, newest first (by signing date, then fetch time).
    fn notices_of(&self, org: &OrganisationRecord) -> Result<Vec<Arc<StoredNotice>>, ApiError> {
        let mut notices = self.store.notices(&org.notice_ids)?;
        notices.sort_by(|a, b| {
            (b.notice.signed_on, b.fetched_at_ms, &b.id).cmp(&(
                a.notice.signed_on,
                a.fetched_at_ms,
                &a.id,
            ))
        });
        Ok(notices)
    }

    fn list(
        &self,
        request: &pb::ListOrganisationsRequest,
    ) -> Result<pb::ListOrganisationsResponse, ApiError> {
        let limit = paging::page_size(request.page_size)?;
        let after = paging::decode_token(&request.page_token, ORGANISATIONS_TAG, "")?
            .map(|raw| {
                String::from_utf8(raw).map_err(|_| {
                    ApiError::invalid("page_token", "not a token returned by this service")
                })
            })
            .transpose()?;
        // One extra tells whether another page follows.
        let mut orgs = self.store.organisations(after.as_deref(), limit + 1)?;
        let next_page_token = if orgs.len() > limit {
            orgs.truncate(limit);
            orgs.last()
                .map(|o| paging::encode_token(ORGANISATIONS_TAG, "", o.id.as_bytes()))
                .unwrap_or_default()
        } else {
            String::new()
        };
        Ok(pb::ListOrganisationsResponse {
            organisations: orgs.iter().map(convert::organisation).collect(),
            next_page_token,
        })
    }

    fn get(
        &self,
        request: &pb::GetOrganisationRequest,
    ) -> Result<pb::GetOrganisationResponse, ApiError> {
        let org = self.resolve("name", &request.name)?;
        Ok(pb::GetOrganisationResponse {
            organisation: Some(convert::organisation(&org)),
        })
    }

    fn issue_status(
        &self,
        request: &pb::GetIssueStatusRequest,
    ) -> Result<pb::GetIssueStatusResponse, ApiError> {
        let org = self.resolve("organisation", &request.organisation)?;
        let notices = self.notices_of(&org)?;
        let mut response = pb::GetIssueStatusResponse {
            organisation: Some(convert::organisation(&org)),
            latest_notice: notices
                .first()
                .map(|n| convert::notice_name(&n.id))
                .unwrap_or_default(),
            reported: notices
                .first()
                .map(|n| convert::reported(&n.notice.reported)),
            ..Default::default()
        };
        for n in &notices {
            let counts = StatusCounts::of(n);
            response.issues_total += counts.total;
            response.completed += counts.completed;
            response.in_progress += counts.in_progress;
            response.not_stated += counts.not_stated;
            response.notices.push(convert::notice_name(&n.id));
            response.warnings.extend(n.notice.warnings.iter().cloned());
            response.history.push(pb::InspectionRound {
                notice: convert::notice_name(&n.id),
                inspection: Some(convert::inspection(&n.notice.inspection)),
                signed_on: n
                    .notice
                    .signed_on
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                issues_total: counts.total,
                completed: counts.completed,
                in_progress: counts.in_progress,
                not_stated: counts.not_stated,
                reported: Some(convert::reported(&n.notice.reported)),
                warnings: n.notice.warnings.clone(),
            });
        }
        Ok(response)
    }

    fn issues(&self, request: &pb::ListIssuesRequest) -> Result<pb::ListIssuesResponse, ApiError> {
        let org = self.resolve("organisation", &request.organisation)?;
        let limit = paging::page_size(request.page_size)?;
        let wanted = match pb::IssueStatus::try_from(request.status) {
            Ok(pb::IssueStatus::Unspecified) => None,
            Ok(pb::IssueStatus::Completed) => Some(IssueStatus::Completed),
            Ok(pb::IssueStatus::InProgress) => Some(IssueStatus::InProgress),
            Ok(pb::IssueStatus::NotStated) => Some(IssueStatus::NotStated),
            Err(_) => {
                return Err(ApiError::invalid(
                    "status",
                    format!("unknown issue status {}", request.status),
                ));
            }
        };
        // The token is an offset into this organisation's ordered issues, tied to the request.
        let scope = format!("{}|{}", org.id, request.status);
        let skip =
            paging::decode_number_token(&request.page_token, ISSUES_TAG, &scope)?.unwrap_or(0);
        let notices = self.notices_of(&org)?;
        let matching: Vec<pb::IssueRecord> = notices
            .iter()
            .flat_map(|n| {
                n.notice
                    .issues
                    .iter()
                    .enumerate()
                    .map(move |(index, issue)| (n, index, issue))
            })
            .filter(|(_, _, issue)| wanted.is_none_or(|w| issue.status == w))
            .map(|(n, index, issue)| pb::IssueRecord {
                issue: Some(convert::issue(issue)),
                notice: convert::notice_name(&n.id),
                index: i32::try_from(index).unwrap_or(i32::MAX),
                signed_on: n
                    .notice
                    .signed_on
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            })
            .collect();
        let start = usize::try_from(skip)
            .unwrap_or(usize::MAX)
            .min(matching.len());
        let end = (start + limit).min(matching.len());
        let next_page_token = if end < matching.len() {
            paging::encode_token(ISSUES_TAG, &scope, &(end as u64).to_be_bytes())
        } else {
            String::new()
        };
        Ok(pb::ListIssuesResponse {
            total_size: i32::try_from(matching.len()).unwrap_or(i32::MAX),
            issues: matching[start..end].to_vec(),
            next_page_token,
        })
    }
}

#[tonic::async_trait]
impl pb::organisation_service_server::OrganisationService for OrganisationApi {
    async fn list_organisations(
        &self,
        request: Request<pb::ListOrganisationsRequest>,
    ) -> Result<Response<pb::ListOrganisationsResponse>, Status> {
        let (api, request) = (self.clone(), request.into_inner());
        blocking(move || api.list(&request))
            .await
            .map(Response::new)
    }

    async fn get_organisation(
        &self,
        request: Request<pb::GetOrganisationRequest>,
    ) -> Result<Response<pb::GetOrganisationResponse>, Status> {
        let (api, request) = (self.clone(), request.into_inner());
        blocking(move || api.get(&request)).await.map(Response::new)
    }

    async fn get_issue_status(
        &self,
        request: Request<pb::GetIssueStatusRequest>,
    ) -> Result<Response<pb::GetIssueStatusResponse>, Status> {
        // Point lookups of one organisation and its notices, which the store keeps decoded:
        // microseconds, less than a hop to the blocking pool would cost.
        self.issue_status(&request.into_inner())
            .map(Response::new)
            .map_err(Status::from)
    }

    async fn list_issues(
        &self,
        request: Request<pb::ListIssuesRequest>,
    ) -> Result<Response<pb::ListIssuesResponse>, Status> {
        let (api, request) = (self.clone(), request.into_inner());
        blocking(move || api.issues(&request))
            .await
            .map(Response::new)
    }
}
