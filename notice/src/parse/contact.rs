//! The feedback contact printed after 欢迎广大干部群众…监督: telephone numbers, e-mail addresses,
//! the postal address (after 邮政信箱 / 地址, up to ；) and the postcode. Newspaper columns split
//! these anywhere (`abc2020@` / `126.com`, a label on one line and its number on the next),
//! so the contact lines are read as one string.

use crate::model::Contact;
use regex::Regex;
use std::sync::LazyLock;

/// Labels that open the contact block: contact details, call, send mail, telephone, hotline,
/// mailbox, e-mail, address, postcode.
const CONTACT_LABELS: [&str; 10] = [
    "联系方式",
    "拨打",
    "发送邮件",
    "联系电话",
    "电话",
    "热线",
    "信箱",
    "邮箱",
    "地址",
    "邮编",
];

/// How many lines from the first label the block may run.
const BLOCK_LINES: usize = 6;

/// A mobile number (tried first: its first eight digits would read as a local number), a
/// landline with area code, a bare local number, or a five-digit service
/// hotline (12388 for reporting to the discipline inspection commission, 12380 for the
/// organisation department).
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"1[3-9]\d{9}|(?:[（(]?0\d{2,3}[）)]?\s*[-－—–]?\s*)?\d{7,8}(?:\s*(?:转|-)\s*\d{1,5})?|123\d{2}",
    )
    .expect("the phone pattern is a valid regex")
});

/// An e-mail address.
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+\-]+\s*[@＠]\s*[A-Za-z0-9\-]+(?:\s*\.\s*[A-Za-z0-9\-]+)*\s*\.\s*[A-Za-z]{2,}")
        .expect("the email pattern is a valid regex")
});

/// The postal address after its label, up to the next separator.
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:邮政信箱|通信地址|通讯地址|来信地址|邮寄地址|信访地址|联系地址|来信请寄|地址)\s*[:：]?\s*([^；;。\n]{4,80})")
        .expect("the address pattern is a valid regex")
});

/// A separator before the next contact item inside an address run (`…机关党委，邮编210008`).
static NEXT_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[，,]\s*(?:邮编|邮政编码|联系电话|电话|电子邮箱|邮箱|传真|联系人)")
        .expect("the next-item pattern is a valid regex")
});

/// The postcode.
static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:邮编|邮政编码)\s*[:：]?\s*(\d{6})")
        .expect("the postcode pattern is a valid regex")
});

/// The contact stated in `lines` (the notice body without its signature); `after` is the first
/// line past the issues, where the contact block is looked for first.
pub(crate) fn contact(lines: &[&str], after: usize) -> Contact {
    let has_label = |l: &&str| CONTACT_LABELS.iter().any(|w| l.contains(w));
    let start = lines
        .iter()
        .skip(after)
        .position(has_label)
        .map(|p| p + after)
        .or_else(|| lines.iter().position(has_label));
    let Some(start) = start else {
        return Contact::default();
    };
    // The block from the first label, and any later line with a label of its own (a second
    // block: a hotline or mailbox printed apart from the telephone).
    let window = start + BLOCK_LINES;
    let mut block = String::new();
    for (i, line) in lines.iter().enumerate().skip(start) {
        if i >= window && !has_label(line) {
            continue;
        }
        // Lines are paragraphs: an address ends with its line unless a label or a comma leaves
        // it open (`邮政信箱：` / `某市某路8号…`).
        if !block.is_empty() && !block.ends_with(OPEN_ENDS) {
            block.push('\n');
        }
        block.extend(line.chars().map(half_width));
    }
    read_block(&block)
}

/// Line endings that leave a contact item open on the next line.
const OPEN_ENDS: [char; 7] = ['：', ':', '，', ',', '、', '@', '-'];

/// Full-width ASCII forms (０５７１－８３１２, ＠) as ASCII, so numbers and e-mails read alike.
fn half_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' if c != '（' && c != '）' && c != '：' && c != '；' => {
            char::from_u32(c as u32 - 0xfee0).unwrap_or(c)
        }
        _ => c,
    }
}

/// Reads phones, e-mails, address and postcode from one contact block.
fn read_block(block: &str) -> Contact {
    let mut out = Contact::default();
    let mut email_spans = Vec::new();
    for m in EMAIL.find_iter(block) {
        email_spans.push(m.range());
        let email: String = m
            .as_str()
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if c == '＠' { '@' } else { c })
            .collect();
        // A paid copy masks the mailbox (XXXXX@163.com): no address is left to write to.
        let masked = email
            .split('@')
            .next()
            .is_some_and(|local| !local.is_empty() && local.chars().all(|c| c == 'X' || c == 'x'));
        if !masked && !out.emails.contains(&email) {
            out.emails.push(email);
        }
    }
    for m in PHONE.find_iter(block) {
        let inside_email = email_spans
            .iter()
            .any(|r| r.start <= m.start() && m.end() <= r.end);
        let before = block[..m.start()].chars().next_back();
        let after = block[m.end()..].chars().next();
        let glued =
            |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '@' || c == '.');
        // A number inside a street address (88号) or a postcode is not a phone.
        if inside_email || glued(before) || glued(after) || after == Some('号') {
            continue;
        }
        let phone = m.as_str().trim().to_owned();
        if !out.phones.contains(&phone) {
            out.phones.push(phone);
        }
    }
    if let Some(addr) = ADDRESS
        .captures(block)
        .and_then(|c| c.get(1))
        .map(|m| {
            let addr = m.as_str();
            let addr = NEXT_ITEM.find(addr).map_or(addr, |n| &addr[..n.start()]);
            addr.trim().trim_end_matches(['，', ',', '。'])
        })
        .filter(|a| !a.contains('@'))
    {
        out.address = Some(addr.to_owned());
    }
    out.postcode = POSTCODE
        .captures(block)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_owned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_block_split_across_lines() {
        let lines = [
            "欢迎监督。联系方式：电话0512-66668888；邮政信箱：",
            "某市某路8号某某委员会；电子邮箱：abc2021@",
            "163.com。",
        ];
        let got = contact(&lines, 0);
        assert_eq!(got.phones, ["0512-66668888"]);
        assert_eq!(got.emails, ["abc2021@163.com"]);
        assert_eq!(got.address.as_deref(), Some("某市某路8号某某委员会"));
    }

    #[test]
    fn a_masked_mailbox_is_no_email() {
        let got = contact(
            &["欢迎监督。电子邮箱：XXXXX@163.com；备用邮箱：ab12@126.com。"],
            0,
        );
        assert_eq!(got.emails, ["ab12@126.com"]);
    }

    #[test]
    fn postcode_stays_in_the_address_and_is_read_apart() {
        let got = contact(
            &["邮政信箱:某路9号某办(邮编:330100);邮箱12345678@qq.com。"],
            0,
        );
        assert_eq!(got.address.as_deref(), Some("某路9号某办(邮编:330100)"));
        assert_eq!(got.postcode.as_deref(), Some("330100"));
        assert!(got.phones.is_empty(), "{:?}", got.phones);
    }
}
