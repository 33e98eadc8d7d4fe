//! Page sizes and page tokens (AIP-158). Tokens are opaque to clients: the hex of a store
//! cursor, which names a position in key order and so stays valid while data changes.

use crate::error::ApiError;

/// Page size when the request leaves it at 0.
pub const DEFAULT_PAGE_SIZE: usize = 50;
/// Largest page size honoured; larger requests are clamped, as AIP-158 recommends.
pub const MAX_PAGE_SIZE: usize = 500;

/// The effective page size of a request.
pub fn page_size(requested: i32) -> Result<usize, ApiError> {
    match requested {
        0 => Ok(DEFAULT_PAGE_SIZE),
        n if n < 0 => Err(ApiError::InvalidArgument {
            field: "page_size",
            description: format!("must not be negative, got {n}"),
        }),
        n => Ok(usize::try_from(n)
            .unwrap_or(MAX_PAGE_SIZE)
            .min(MAX_PAGE_SIZE)),
    }
}

/// Encodes a store cursor as a page token.
pub fn encode_token(cursor: &[u8]) -> String {
    cursor.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes a page token back into a store cursor; an empty token means the first page.
pub fn decode_token(token: &str) -> Result<Option<Vec<u8>>, ApiError> {
    if token.is_empty() {
        return Ok(None);
    }
    let invalid = || ApiError::InvalidArgument {
        field: "page_token",
        description: "not a token returned by this service".into(),
    };
    if !token.len().is_multiple_of(2) || !token.is_ascii() {
        return Err(invalid());
    }
    (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&token[i..i + 2], 16).map_err(|_| invalid()))
        .collect::<Result<Vec<u8>, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_garbage_is_rejected() {
        let cursor = vec![0, 255, 16, 7];
        assert_eq!(
            decode_token(&encode_token(&cursor)).ok().flatten(),
            Some(cursor)
        );
        assert!(decode_token("zz").is_err());
        assert!(decode_token("abc").is_err());
        assert!(decode_token("é1").is_err());
        assert!(matches!(decode_token(""), Ok(None)));
    }

    #[test]
    fn page_sizes_default_and_clamp() {
        assert_eq!(page_size(0).ok(), Some(DEFAULT_PAGE_SIZE));
        assert_eq!(page_size(10_000).ok(), Some(MAX_PAGE_SIZE));
        assert!(page_size(-1).is_err());
    }
}
