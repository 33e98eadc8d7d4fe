//! Page sizes and page tokens (AIP-158). Tokens are opaque to clients. Inside, a token carries
//! the listing it belongs to (a tag for the ordering and a hash of the filter), so a token used
//! with other parameters is refused instead of silently skipping notices, and a position in key
//! order, which stays valid while data changes.

use crate::error::ApiError;

/// Page size when the request leaves it at 0.
pub const DEFAULT_PAGE_SIZE: usize = 50;
/// Largest page size honoured; larger requests are clamped, as AIP-158 recommends.
pub const MAX_PAGE_SIZE: usize = 500;

/// The effective page size of a request.
pub fn page_size(requested: i32) -> Result<usize, ApiError> {
    match requested {
        0 => Ok(DEFAULT_PAGE_SIZE),
        n if n < 0 => Err(ApiError::invalid(
            "page_size",
            format!("must not be negative, got {n}"),
        )),
        n => Ok(usize::try_from(n)
            .unwrap_or(MAX_PAGE_SIZE)
            .min(MAX_PAGE_SIZE)),
    }
}

/// A stable 32-bit FNV-1a hash, to tie a token to the filter it was issued for.
fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// Encodes a position in the listing identified by `tag` and `filter`.
pub fn encode_token(tag: u8, filter: &str, position: &[u8]) -> String {
    let mut raw = vec![tag];
    raw.extend_from_slice(&fnv1a(filter.trim()).to_be_bytes());
    raw.extend_from_slice(position);
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes a token of the listing `tag`/`filter` back into its position; an empty token means
/// the first page.
pub fn decode_token(token: &str, tag: u8, filter: &str) -> Result<Option<Vec<u8>>, ApiError> {
    if token.is_empty() {
        return Ok(None);
    }
    let invalid = |why: &str| ApiError::invalid("page_token", why);
    if !token.len().is_multiple_of(2) || !token.is_ascii() {
        return Err(invalid("not a token returned by this service"));
    }
    let raw = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&token[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| invalid("not a token returned by this service"))?;
    let (header, position) = raw
        .split_at_checked(5)
        .ok_or_else(|| invalid("not a token returned by this service"))?;
    if header[0] != tag {
        return Err(invalid(
            "the token was issued for another listing or order_by",
        ));
    }
    if header[1..5] != fnv1a(filter.trim()).to_be_bytes() {
        return Err(invalid("the token was issued for another filter"));
    }
    Ok(Some(position.to_vec()))
}

/// Decodes a token whose position is a number (a version or an offset).
pub fn decode_number_token(token: &str, tag: u8, scope: &str) -> Result<Option<u64>, ApiError> {
    decode_token(token, tag, scope)?
        .map(|raw| {
            raw.try_into().map(u64::from_be_bytes).map_err(|_| {
                ApiError::invalid("page_token", "not a token returned by this service")
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_are_tied_to_their_listing() {
        let token = encode_token(3, "kind = \"巡察\"", &[0, 255, 7]);
        assert_eq!(
            decode_token(&token, 3, "kind = \"巡察\"").ok().flatten(),
            Some(vec![0, 255, 7])
        );
        assert!(decode_token(&token, 4, "kind = \"巡察\"").is_err());
        assert!(decode_token(&token, 3, "").is_err());
        for garbage in ["zz", "abc", "é1", "00"] {
            assert!(decode_token(garbage, 3, "").is_err(), "{garbage}");
        }
        assert!(matches!(decode_token("", 3, ""), Ok(None)));
    }

    #[test]
    fn page_sizes_default_and_clamp() {
        assert_eq!(page_size(0).ok(), Some(DEFAULT_PAGE_SIZE));
        assert_eq!(page_size(10_000).ok(), Some(MAX_PAGE_SIZE));
        assert!(page_size(-1).is_err());
    }
}
