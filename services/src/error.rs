//! Domain errors of the API and their one mapping to gRPC status codes.

use gazette_store::StoreError;

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
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A blocking task panicked or was cancelled.
    #[error("background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl From<ApiError> for tonic::Status {
    fn from(error: ApiError) -> Self {
        // Exhaustive on purpose: a new variant must choose its code here.
        match error {
            ApiError::InvalidArgument { .. } => tonic::Status::invalid_argument(error.to_string()),
            ApiError::NotFound { .. } => tonic::Status::not_found(error.to_string()),
            ApiError::Store(StoreError::InvalidCursor) => {
                tonic::Status::invalid_argument("invalid page_token")
            }
            ApiError::Store(ref cause @ StoreError::Corrupt { .. }) => {
                tracing::error!(error = %cause, "damaged record");
                tonic::Status::data_loss("a stored record is damaged; run gazette verify")
            }
            ApiError::Store(
                ref cause @ (StoreError::Sled(_)
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
