//! The `grpc-timeout` request header (gRPC over HTTP/2), read the same way by the server's
//! deadline layer and by handlers that bound their own work by the caller's deadline.

use std::time::Duration;

/// Parses a `grpc-timeout` header value: one to eight ASCII digits and a unit (H M S m u n).
/// Anything else is `None`, so that a malformed header is ignored, as tonic does.
pub fn grpc_timeout(value: &str) -> Option<Duration> {
    let (digits, unit) = value.split_at_checked(value.len().checked_sub(1)?)?;
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeouts_parse() {
        assert_eq!(grpc_timeout("100m"), Some(Duration::from_millis(100)));
        assert_eq!(grpc_timeout("2S"), Some(Duration::from_secs(2)));
        assert_eq!(grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(grpc_timeout("5n"), Some(Duration::from_nanos(5)));
        for bad in ["", "m", "100", "123456789S", "1x", "-1S", "+1S", "１S"] {
            assert_eq!(grpc_timeout(bad), None, "{bad}");
        }
    }
}
