//! Stable identities. A notice's id comes from what it says, not where it was found, so the same
//! notice fetched twice, or from two URLs, is one notice. Names are compared after folding the
//! differences that publishers introduce: full-width forms, whitespace, and 党 printed as "D"
//! in anonymised copies.

use gazette_notice::Notice;
use sha2::{Digest, Sha256};

/// Hex digits kept from the SHA-256 for notice ids (64 bits: collisions are negligible at the
/// scale of all notices ever published).
const NOTICE_ID_HEX: usize = 16;
/// Hex digits kept for organisation ids.
const ORGANISATION_ID_HEX: usize = 12;

/// The id of `notice`, the `index`-th notice of a page whose raw bytes hash to `page_sha256`.
/// The page hash and index are only used when the notice names neither organisation nor title.
pub fn notice_id(notice: &Notice, page_sha256: &str, index: usize) -> String {
    let mut hasher = Sha256::new();
    let org = notice
        .organisation
        .as_deref()
        .map(fold_name)
        .unwrap_or_default();
    let title = notice.title.as_deref().map(fold_name).unwrap_or_default();
    if org.is_empty() && title.is_empty() {
        hasher.update(page_sha256.as_bytes());
        hasher.update(index.to_le_bytes());
    }
    for part in [
        org,
        title,
        notice
            .inspection
            .kind
            .as_deref()
            .map(fold_name)
            .unwrap_or_default(),
        notice
            .inspection
            .team
            .as_deref()
            .map(fold_name)
            .unwrap_or_default(),
        notice.signed_on.map(|d| d.to_string()).unwrap_or_default(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    // A newspaper page may carry two parts of one notice; the continuation marker tells
    // them apart.
    hasher.update(format!("{:?}", notice.fragment).as_bytes());
    hex::encode(hasher.finalize())[..NOTICE_ID_HEX].to_owned()
}

/// The id of an organisation from its full name.
pub fn organisation_id(full_name: &str) -> String {
    let digest = Sha256::digest(fold_name(full_name).as_bytes());
    hex::encode(digest)[..ORGANISATION_ID_HEX].to_owned()
}

/// Hex SHA-256 of raw bytes.
pub fn content_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Folds a name for comparison: full-width ASCII to half-width, whitespace and quotes removed,
/// and an ASCII "D" standing between CJK characters read as 党 (anonymised copies print
/// "D工委" for 党工委).
pub fn fold_name(name: &str) -> String {
    let chars: Vec<char> = name
        .chars()
        .filter(|c| !c.is_whitespace() && !"“”‘’\"'「」".contains(*c))
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .collect();
    let is_cjk = |c: Option<&char>| c.is_some_and(|c| ('\u{4E00}'..='\u{9FFF}').contains(c));
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let neighbour_cjk =
                is_cjk(i.checked_sub(1).and_then(|j| chars.get(j))) || is_cjk(chars.get(i + 1));
            if c == 'D' && neighbour_cjk { '党' } else { c }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_equates_anonymised_and_full_width_names() {
        assert_eq!(
            fold_name("XX经济开发区D工委"),
            fold_name("XX经济开发区党工委")
        );
        assert_eq!(fold_name("ＡＢ 区委"), "AB区委");
        assert_eq!(
            organisation_id("中共某区委员会"),
            organisation_id("中共某区委员会 ")
        );
    }

    #[test]
    fn notice_id_ignores_where_the_notice_was_found() {
        let notice = Notice {
            organisation: Some("中共某区委员会".into()),
            ..Notice::default()
        };
        assert_eq!(notice_id(&notice, "aaa", 0), notice_id(&notice, "bbb", 3));
        let anonymous = Notice::default();
        assert_ne!(
            notice_id(&anonymous, "aaa", 0),
            notice_id(&anonymous, "aaa", 1)
        );
    }
}
