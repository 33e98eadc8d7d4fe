//! Bearer-token check for admin calls. Reads may stay open on a trusted network; the binary
//! decides per service whether to attach this interceptor.

use tonic::{Request, Status};

/// A tonic interceptor that admits requests carrying `authorization: Bearer <token>`.
#[derive(Clone)]
pub struct BearerAuth {
    token: Option<String>,
}

impl std::fmt::Debug for BearerAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a secret: never print it.
        f.debug_struct("BearerAuth")
            .field("configured", &self.token.is_some())
            .finish()
    }
}

impl BearerAuth {
    /// Admits requests with `token`; with `None` every request is refused, so that admin calls
    /// are off until an operator sets a token.
    pub fn new(token: Option<String>) -> Self {
        Self {
            token: token.filter(|t| !t.is_empty()),
        }
    }

    /// Checks one request.
    pub fn check<T>(&self, request: Request<T>) -> Result<Request<T>, Status> {
        let Some(expected) = &self.token else {
            return Err(Status::permission_denied(
                "admin calls are disabled: no admin token is configured",
            ));
        };
        let header = request.metadata().get("authorization").ok_or_else(|| {
            Status::unauthenticated("admin calls need an authorization: Bearer <token> header")
        })?;
        let given = header
            .to_str()
            .ok()
            .and_then(bearer_credentials)
            .ok_or_else(|| {
                Status::unauthenticated("the authorization header must be Bearer <token>")
            })?;
        if constant_time_eq(given.trim().as_bytes(), expected.as_bytes()) {
            Ok(request)
        } else {
            Err(Status::permission_denied("the admin token is not valid"))
        }
    }
}

impl tonic::service::Interceptor for BearerAuth {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        self.check(request)
    }
}

/// The credentials of a `Bearer` authorization value. RFC 7235 §2.1 makes the auth-scheme
/// case-insensitive (`Bearer`, `bearer`, `BEARER`) and separates it from the credentials by
/// one or more spaces.
fn bearer_credentials(value: &str) -> Option<&str> {
    let (scheme, credentials) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credentials.trim_start_matches(' '))
}

/// Compares without an early exit, so response time does not reveal how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(header: Option<&str>) -> Request<()> {
        let mut request = Request::new(());
        if let Some(value) = header {
            request
                .metadata_mut()
                .insert("authorization", value.parse().expect("ascii header"));
        }
        request
    }

    #[test]
    fn tokens_are_checked() {
        let auth = BearerAuth::new(Some("s3cret".into()));
        assert!(auth.check(request(Some("Bearer s3cret"))).is_ok());
        assert_eq!(
            auth.check(request(None)).expect_err("missing").code(),
            tonic::Code::Unauthenticated
        );
        assert_eq!(
            auth.check(request(Some("Bearer nope")))
                .expect_err("wrong")
                .code(),
            tonic::Code::PermissionDenied
        );
        assert_eq!(
            auth.check(request(Some("s3cret")))
                .expect_err("no scheme")
                .code(),
            tonic::Code::Unauthenticated
        );
        for spelling in [
            "bearer s3cret",
            "BEARER s3cret",
            "BeArEr s3cret",
            "Bearer   s3cret",
        ] {
            assert!(auth.check(request(Some(spelling))).is_ok(), "{spelling}");
        }
        for not_bearer in ["Basic s3cret", "Bearers3cret", "Bear s3cret", "Bearer"] {
            assert_eq!(
                auth.check(request(Some(not_bearer)))
                    .expect_err(not_bearer)
                    .code(),
                tonic::Code::Unauthenticated,
                "{not_bearer}"
            );
        }
        let off = BearerAuth::new(None);
        assert_eq!(
            off.check(request(Some("Bearer x")))
                .expect_err("off")
                .code(),
            tonic::Code::PermissionDenied
        );
        assert!(!format!("{auth:?}").contains("s3cret"));
    }
}
