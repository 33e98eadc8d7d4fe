//! How records are laid out on disk: a format byte, a CRC-32 of the payload, then the payload
//! as JSON. The checksum is verified on every read, so a damaged record is reported as
//! [`StoreError::Corrupt`] instead of being decoded into wrong data; `gazette verify` walks every
//! record the same way. JSON keeps records readable by `gazette export` and by hand, and lets
//! serde defaults absorb fields added by later versions.

use crate::error::{Result, StoreError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

/// Format tag of a checksummed JSON record (schema version 2 and later).
const FORMAT_JSON_CRC32: u8 = 1;
/// Bytes before the payload: the format tag and the little-endian CRC-32.
const HEADER_LEN: usize = 5;

/// Encodes a record with its checksum.
pub(crate) fn encode<T: Serialize>(tree: &'static str, value: &T) -> Result<Vec<u8>> {
    let payload = serde_json::to_vec(value).map_err(|source| StoreError::Codec { tree, source })?;
    Ok(frame(&payload))
}

/// Wraps an encoded payload in the record header.
pub(crate) fn frame(payload: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(HEADER_LEN + payload.len());
    raw.push(FORMAT_JSON_CRC32);
    raw.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    raw.extend_from_slice(payload);
    raw
}

/// The payload of a record after checking its header and checksum.
pub(crate) fn unframe<'a>(tree: &'static str, raw: &'a [u8]) -> Result<&'a [u8]> {
    let corrupt = |reason: &str| StoreError::Corrupt {
        tree,
        reason: reason.to_owned(),
    };
    let (&format, rest) = raw.split_first().ok_or_else(|| corrupt("empty record"))?;
    if format != FORMAT_JSON_CRC32 {
        return Err(corrupt("unknown record format"));
    }
    let (crc, payload) = rest
        .split_at_checked(4)
        .ok_or_else(|| corrupt("truncated header"))?;
    let expected = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
    if crc32fast::hash(payload) != expected {
        return Err(corrupt("checksum mismatch"));
    }
    Ok(payload)
}

/// Decodes a record, verifying its checksum.
pub(crate) fn decode<T: DeserializeOwned>(tree: &'static str, raw: &[u8]) -> Result<T> {
    let payload = unframe(tree, raw)?;
    serde_json::from_slice(payload).map_err(|source| StoreError::Codec { tree, source })
}

/// Inside a transaction our errors travel as aborts.
pub(crate) type TxResult<T> = std::result::Result<T, ConflictableTransactionError<StoreError>>;

/// Reads and decodes a record inside a transaction.
pub(crate) fn tx_get<T: DeserializeOwned>(
    tree: &TransactionalTree,
    name: &'static str,
    key: &[u8],
) -> TxResult<Option<T>> {
    match tree.get(key)? {
        Some(raw) => decode(name, &raw)
            .map(Some)
            .map_err(ConflictableTransactionError::Abort),
        None => Ok(None),
    }
}

/// Encodes and writes a record inside a transaction.
pub(crate) fn tx_put<T: Serialize>(
    tree: &TransactionalTree,
    name: &'static str,
    key: &[u8],
    value: &T,
) -> TxResult<()> {
    let raw = encode(name, value).map_err(ConflictableTransactionError::Abort)?;
    tree.insert(key, raw)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flipped_bit_is_detected() {
        let mut raw = encode("t", &vec!["整改", "通报"]).expect("encodes");
        assert_eq!(
            decode::<Vec<String>>("t", &raw).expect("decodes"),
            ["整改", "通报"]
        );
        let last = raw.len() - 2;
        raw[last] ^= 0x01;
        assert!(matches!(
            decode::<Vec<String>>("t", &raw),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(
            decode::<Vec<String>>("t", &[]),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(
            decode::<Vec<String>>("t", &[1, 0]),
            Err(StoreError::Corrupt { .. })
        ));
    }
}
