//! Paywall markers and promotional footers of document-sharing copies. Sites that resell
//! government documents wrap the paid part in `##paidbegin##` … `##paidend##` and append a block
//! of adverts for their material library, memberships, customer service and ghost-writing.

use super::shape::compact;
use std::borrow::Cow;

/// Paywall markers of document-sharing sites, removed wherever they stand (even mid-word).
pub(crate) const PAYWALL_MARKERS: [&str; 4] = [
    "##paidbegin##",
    "##paidend##",
    "##PAIDBEGIN##",
    "##PAIDEND##",
];

/// Words of the promotional lines that follow a shared document: material library (素材库),
/// membership (会员), customer service (客服), ghost-writing (代笔), WeChat official accounts
/// (公众号, 微信号), cloud drive (网盘), download offers (下载), shop links (淘宝).
const AD_WORDS: [&str; 11] = [
    "素材库",
    "会员",
    "客服",
    "代笔",
    "公众号",
    "微信号",
    "加微信",
    "网盘",
    "下载",
    "淘宝",
    "VIP",
];

/// 附件: "attachment", the label of attachment lines.
const ATTACHMENT: &str = "附件";

/// Removes the paywall markers from one line.
pub(crate) fn strip_paywall(line: &str) -> Cow<'_, str> {
    if !line.contains("##") {
        return Cow::Borrowed(line);
    }
    let mut out = line.to_owned();
    for marker in PAYWALL_MARKERS {
        out = out.replace(marker, "");
    }
    Cow::Owned(out)
}

/// True for a promotional line: it names the material library in brackets (`【…素材库】`) or
/// carries an advert word.
fn is_advert(line: &str) -> bool {
    let compact = compact(line);
    // An attachment line (`附件：材料下载`) is part of the notice.
    if compact.starts_with(ATTACHMENT) {
        return false;
    }
    AD_WORDS.iter().any(|w| compact.contains(w)) || compact.eq_ignore_ascii_case("svip")
}

/// Drops the trailing block of adverts (and blank lines among them) from `lines`. Only a block
/// at the very end goes: the same words inside the body are left alone.
pub(crate) fn drop_trailing_adverts(lines: &mut Vec<String>) {
    while let Some(last) = lines.last() {
        if last.trim().is_empty() || is_advert(last) {
            lines.pop();
        } else {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_ads_go_body_stays() {
        let mut lines: Vec<String> = [
            "欢迎加入会员的同志参加学习。",
            "中共某某工作委员会",
            "2023年5月11日",
            "",
            "【某某素材库】——每天更新材料，会员群同步更新",
            "添加客服：abc",
            "",
        ]
        .map(String::from)
        .into();
        drop_trailing_adverts(&mut lines);
        assert_eq!(lines.len(), 3);
        assert_eq!(strip_paywall("的整##paidbegin##改"), "的整改");
    }
}
