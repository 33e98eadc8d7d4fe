//! Domain errors of the API and their one mapping to gRPC status codes.

use gazette_store::StoreError;
use tonic_types::{ErrorDetails, StatusExt};

/// What a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A request field is malformed.
    #[error("invalid {field}: {description}")]
    InvalidArgument {
        /// The request field at fault.
        field: &'static str,
        /// What is wrong with it.
        description: String,
    },
    /// The named resource does not exist.
    #[error("{resource} not found")]
    NotFound {
        /// The resource name or lookup key as given.
        resource: String,
    },
    /// The named notice was withdrawn: no stored page carries it any more.
    #[error(
        "{resource} not found: withdrawn at version {version}, as no stored page carries it any more (ListNoticeVersions still lists it)"
    )]
    Withdrawn {
        /// The resource name as given.
        resource: String,
        /// Its last version.
        version: u64,
    },
    /// An admin call came without a bearer token.
    #[error("{0}")]
    Unauthenticated(String),
    /// An admin call came with a wrong token, or admin calls are disabled.
    #[error("{0}")]
    PermissionDenied(String),
    /// The call cannot run in the service's current state.
    #[error("{0}")]
    FailedPrecondition(String),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A blocking task panicked or was cancelled.
    #[error("background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl ApiError {
    /// An INVALID_ARGUMENT about `field`.
    pub fn invalid(field: &'static str, description: impl Into<String>) -> Self {
        Self::InvalidArgument {
            field,
            description: description.into(),
        }
    }
}

/// Longest user-supplied value, in characters, that an error quotes back.
pub const QUOTED_CHARS: usize = 64;

/// Longest error message or field description, in characters. A backstop behind [`quoted`]:
/// whatever a handler puts in an error, the `grpc-message` trailer stays small (grpc-core
/// clients refuse trailers of more than a few KB as RESOURCE_EXHAUSTED).
pub const MESSAGE_CHARS: usize = 512;

/// The ellipsis that marks a cut value.
const ELLIPSIS: char = '…';

/// `value` quoted for an error message, cut to [`QUOTED_CHARS`] characters with an ellipsis,
/// so that a client sending a 10 KB name does not get 10 KB back.
pub fn quoted(value: &str) -> String {
    format!("{:?}", cut(value, QUOTED_CHARS))
}

/// `text` cut to `limit` characters, the last replaced by an ellipsis when it was longer.
fn cut(text: &str, limit: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(limit) {
        None => std::borrow::Cow::Borrowed(text),
        Some(_) => {
            let keep: String = text.chars().take(limit.saturating_sub(1)).collect();
            std::borrow::Cow::Owned(format!("{keep}{ELLIPSIS}"))
        }
    }
}

/// A message capped at [`MESSAGE_CHARS`].
fn capped(message: String) -> String {
    match cut(&message, MESSAGE_CHARS) {
        std::borrow::Cow::Borrowed(_) => message,
        std::borrow::Cow::Owned(short) => short,
    }
}

impl From<ApiError> for tonic::Status {
    fn from(error: ApiError) -> Self {
        // Exhaustive on purpose: a new variant must choose its code here.
        match error {
            ApiError::InvalidArgument {
                field,
                ref description,
            } => {
                // google.rpc.BadRequest lets clients point at the field without parsing text.
                let details =
                    ErrorDetails::with_bad_request_violation(field, capped(description.clone()));
                tonic::Status::with_error_details(
                    tonic::Code::InvalidArgument,
                    capped(error.to_string()),
                    details,
                )
            }
            ApiError::NotFound { .. } | ApiError::Withdrawn { .. } => {
                tonic::Status::not_found(capped(error.to_string()))
            }
            ApiError::Unauthenticated(message) => tonic::Status::unauthenticated(capped(message)),
            ApiError::PermissionDenied(message) => {
                tonic::Status::permission_denied(capped(message))
            }
            ApiError::FailedPrecondition(message) => {
                tonic::Status::failed_precondition(capped(message))
            }
            ApiError::Store(StoreError::InvalidCursor) => {
                let details = ErrorDetails::with_bad_request_violation(
                    "page_token",
                    "not a token returned by this service",
                );
                tonic::Status::with_error_details(
                    tonic::Code::InvalidArgument,
                    "invalid page_token",
                    details,
                )
            }
            ApiError::Store(
                ref cause @ (StoreError::Corrupt { .. } | StoreError::Damaged { .. }),
            ) => {
                tracing::error!(error = %cause, "damaged record");
                tonic::Status::data_loss("a stored record is damaged; run gazette verify")
            }
            ApiError::Store(
                ref cause @ (StoreError::Backend(_)
                | StoreError::Codec { .. }
                | StoreError::SchemaTooNew { .. }
                | StoreError::Io(_)
                | StoreError::Import(_)
                | StoreError::BodyCodec(_)
                | StoreError::NoRun { .. }),
            ) => {
                tracing::error!(error = %cause, "store failure");
                tonic::Status::internal("internal storage error")
            }
            ApiError::Task(ref cause) => {
                tracing::error!(error = %cause, "handler task failed");
                tonic::Status::internal("internal error")
            }
        }
    }
}

/// Runs blocking store work off the async runtime and maps its error.
pub async fn blocking<T, F>(work: F) -> Result<T, tonic::Status>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let result = tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::from)?;
    result.map_err(tonic::Status::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_and_messages_are_cut() {
        assert_eq!(quoted("短"), "\"短\"");
        let long = "名".repeat(10_000);
        let q = quoted(&long);
        assert_eq!(q.chars().count(), QUOTED_CHARS + 2, "{q}");
        assert!(q.ends_with("…\""), "{q}");
        let exact = "x".repeat(QUOTED_CHARS);
        assert_eq!(quoted(&exact), format!("{exact:?}"));

        let status = tonic::Status::from(ApiError::NotFound {
            resource: "y".repeat(10_000),
        });
        assert!(
            status.message().chars().count() <= MESSAGE_CHARS,
            "{status:?}"
        );
        let status = tonic::Status::from(ApiError::invalid("name", "z".repeat(10_000)));
        assert!(status.message().chars().count() <= MESSAGE_CHARS);
        // The details repeat the message (google.rpc.Status) beside the field's description.
        assert!(
            status.details().len() < 3 * MESSAGE_CHARS,
            "{}",
            status.details().len()
        );
    }
}
