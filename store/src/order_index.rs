//! sled's ordered indexes of notices, one per [`NoticeOrder`], so that every listing is a
//! cursor scan. Newest fetched first is the `notices_by_fetched` tree (see
//! [`crate::sled_store`]); the five other orders share the `notices_ordered` tree, each under
//! its own tag byte, with the notice id as the value:
//!
//! tag ‖ 0x00 ‖ key ‖ 0x00 ‖ id (ascending), tag ‖ 0x00 ‖ !key ‖ 0xFF ‖ id (descending:
//! every byte of the key inverted), or tag ‖ 0x01 ‖ id for a notice without the key, so that
//! bytewise order is [`NoticeOrder::compare`]: by key in the order's direction (a key sorts
//! before the longer keys it is a prefix of when ascending, after them when descending, as
//! the terminators make it), notices without one last, then by id. Keys are ISO dates and
//! digits, which contain neither 0x00 nor 0xFF.

use crate::NoticeOrder;
use crate::records::StoredNotice;

/// The tree of the orders other than newest fetched first.
pub(crate) const ORDERED_TREE: &str = "notices_ordered";

/// The orders kept in [`ORDERED_TREE`].
pub(crate) const ORDERED: [NoticeOrder; 5] = [
    NoticeOrder::FetchedAsc,
    NoticeOrder::PublishedDesc,
    NoticeOrder::PublishedAsc,
    NoticeOrder::SignedDesc,
    NoticeOrder::SignedAsc,
];

/// The tag byte of `order` in [`ORDERED_TREE`] (`None` for newest fetched first).
pub(crate) fn tag(order: NoticeOrder) -> Option<u8> {
    match order {
        NoticeOrder::FetchedDesc => None,
        NoticeOrder::FetchedAsc => Some(2),
        NoticeOrder::PublishedDesc => Some(3),
        NoticeOrder::PublishedAsc => Some(4),
        NoticeOrder::SignedDesc => Some(5),
        NoticeOrder::SignedAsc => Some(6),
    }
}

/// The index key of `notice` in `order` (also its listing cursor).
pub(crate) fn key(order: NoticeOrder, notice: &StoredNotice) -> Vec<u8> {
    let Some(tag) = tag(order) else {
        return crate::sled_store::fetched_key(notice.fetched_at_ms, &notice.id);
    };
    let mut key = vec![tag];
    match order.sort_key(notice) {
        Some(text) if order.descending() => {
            key.push(0);
            key.extend(text.bytes().map(|b| !b));
            key.push(0xFF);
        }
        Some(text) => {
            key.push(0);
            key.extend_from_slice(text.as_bytes());
            key.push(0);
        }
        None => key.push(1),
    }
    key.extend_from_slice(notice.id.as_bytes());
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use gazette_notice::{NoticeDate, NoticeDateTime};

    fn notice(id: &str, signed: Option<&str>, published: Option<&str>, at: i64) -> StoredNotice {
        let mut n = StoredNotice {
            id: id.into(),
            fetched_at_ms: at,
            ..StoredNotice::default()
        };
        n.notice.signed_on = signed.and_then(NoticeDate::parse_iso);
        n.notice.published_at = published.and_then(NoticeDateTime::parse_iso);
        n
    }

    #[test]
    fn byte_order_of_keys_is_the_orders_comparison() {
        let notices = [
            notice("a", Some("2024-03"), Some("2024-03-05T09:30"), 5),
            notice("b", Some("2024-03-01"), Some("2024-03-05"), 5),
            notice("c", Some("2024-03-01"), None, 100),
            notice("d", None, Some("2023-12-31T23:59"), 7),
            notice("e", Some("2023-11-30"), Some("2024-03-05T09:30"), 1),
            notice("f", None, None, 1_000_000),
        ];
        for order in NoticeOrder::ALL {
            let mut by_compare: Vec<&StoredNotice> = notices.iter().collect();
            by_compare.sort_by(|a, b| order.compare(a, b));
            let mut by_key: Vec<&StoredNotice> = notices.iter().collect();
            by_key.sort_by_key(|n| key(order, n));
            let ids = |v: &[&StoredNotice]| v.iter().map(|n| n.id.clone()).collect::<Vec<_>>();
            assert_eq!(ids(&by_key), ids(&by_compare), "{order:?}");
        }
    }
}
