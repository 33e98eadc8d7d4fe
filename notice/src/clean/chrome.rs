//! Site chrome that survives main-content extraction or comes with plain-text copies of web
//! pages: toolbars (`字号 大 中 小 | 打印 | 关闭`), breadcrumbs (`当前位置：首页 > …`), view
//! counters, previous/next and related links, QR prompts, leave-site dialogs, editor bylines and
//! the footer of every Chinese government CMS (`主办… 版权所有 … ICP备 … 公网安备 … 网站标识码`).
//!
//! Every rule looks at one line and is deliberately narrow: a line is chrome only when it *starts*
//! with a chrome label, is *made of* chrome words, or is short and carries a footer registration
//! mark. Body sentences that merely mention 打印 or 技术支持 stay.

use super::shape::{compact, compact_str, is_space, is_wide, visible_prefix_end};
use regex::Regex;
use std::sync::LazyLock;

/// Words that make up toolbars, utility bars and footer link rows when they stand alone:
/// print/close/back-to-top, font size (字号 大 中 小 默认 超大 放大 缩小), share, read aloud,
/// site map / about / contact / statement / privacy / help, accessibility and elder modes,
/// simplified/traditional toggles, login/registration, home, previous/next, QR, app links and
/// the continue/cancel buttons of leave-site dialogs.
#[rustfmt::skip]
const CHROME_WORDS: &[&str] = &[
    "打印", "打印本页", "打印此页", "打印文章", "打印正文", "关闭", "关闭本页", "关闭窗口", "关闭页面", "返回顶部", "回到顶部", "顶部",
    "返回", "收藏", "加入收藏", "添加收藏", "添加收藏夹", "收藏本页", "设为首页", "分享", "分享到", "字号", "字体", "大", "中", "小",
    "大中小", "默认", "超大", "放大", "正常", "缩小", "朗读", "语音播报", "阅读", "纠错", "我要纠错", "网站纠错", "网站地图",
    "关于我们", "关于本网", "联系我们", "网站声明", "隐私安全", "隐私声明", "隐私政策", "网站帮助", "使用帮助", "帮助", "无障碍",
    "无障碍浏览", "网站无障碍", "无障碍阅读", "关怀版", "长者模式", "适老模式", "繁體", "繁体", "简体", "繁", "简", "繁简", "繁體版",
    "繁体版", "简体版", "切換到繁體", "切换到繁体", "EN", "English", "登录", "注册", "退出", "个人中心", "邮箱", "政务邮箱",
    "智能问答", "首页", "网站首页", "返回首页", "上一篇", "下一篇", "上一页", "下一页", "扫一扫", "微信", "微博", "QQ空间", "QQ",
    "手机版", "电脑版", "移动版", "客户端", "小程序", "搜索", "检索", "高级检索", "更多", "详细", "继续访问", "放弃", "取消", "确定",
    "X", "x", "×", "✖", "网站访问量", "访问量", "今日访问量", "总访问量", "RSS", "网站导航", "导航",
    "全部导航", "切换导航", "复制链接", "链接已复制", "已复制", "已收藏", "取消收藏", "点赞", "评论", "发表评论",
    "我要评论", "举报", "我要举报", "订阅", "关注", "在看", "赞",
];

/// Labels whose whole line is chrome when the line starts with them (optionally in brackets):
/// breadcrumbs (当前位置 and its variants), editor and reviewer bylines (责任编辑, 责编, 审核,
/// 校对), view counters (浏览次数, 访问量, 点击数, 阅读量), previous/next and related links
/// (上一篇, 相关链接, 相关解读, 关联稿件, 相关稿件, 推荐阅读), share and font-size bars, QR
/// prompts, link lists (友情链接) and footer fields (主办, 承办, 技术支持, 版权所有, 网站标识码,
/// 备案号, 中文域名), with the traditional-script forms of Taiwan and Hong Kong sites (目前位置,
/// 瀏覽次數, 相關連結, 版權所有).
#[rustfmt::skip]
const CHROME_LABELS: &[&str] = &[
    "当前位置", "您当前的位置", "您当前所在位置", "当前所在位置", "您的位置", "你的位置", "您现在的位置", "你现在的位置", "您所在的位置", "所在位置",
    "责任编辑", "责编", "编辑", "审核", "审校", "校对", "终审", "初审", "复审", "浏览次数", "浏览量", "访问量", "访问次数",
    "网站访问量", "点击数", "点击量", "点击次数", "阅读量", "阅读次数", "上一篇", "下一篇", "上一条", "下一条", "相关链接", "相关解读",
    "图文解读", "政策解读", "关联稿件", "相关稿件", "相关文章", "相关新闻", "相关阅读", "延伸阅读", "推荐阅读", "分享到", "分享", "字号",
    "字体", "扫一扫", "友情链接", "主办", "主办单位", "承办", "承办单位", "协办", "技术支持", "运行维护单位", "运维单位", "维护单位",
    "版权所有", "网站标识码", "政府网站标识码", "备案号", "备案序号", "公安备案号", "中文域名", "链接", "目前位置", "瀏覽次數", "點閱次數",
    "相關連結", "上一則", "下一則", "版權所有", "正在阅读", "阅读下一篇", "下一篇阅读",
];

/// Footer marks that make a short line chrome wherever they stand in it: copyright (版权所有,
/// ©, Copyright, "all rights reserved", 未经书面授权), ICP and public-security registrations
/// (ICP备, 公网安备), the government site code (网站标识码), the "open on your phone" QR prompt
/// and the leave-site dialog (即将离开…是否继续).
#[rustfmt::skip]
const FOOTER_MARKS: &[&str] = &[
    "版权所有", "版權所有", "ICP备", "ICP证", "公网安备", "网站标识码", "Copyright", "COPYRIGHT", "copyright", "©",
    "allrightsreserved", "AllRightsReserved", "未经书面授权", "手机打开当前页",
];

/// Any of [`FOOTER_MARKS`]: one pass over the line instead of one search per mark (this runs
/// on every line of every page).
static FOOTER_MARK: LazyLock<Regex> = LazyLock::new(|| {
    let marks: Vec<String> = FOOTER_MARKS.iter().map(|m| regex::escape(m)).collect();
    Regex::new(&marks.join("|")).expect("escaped footer marks form a valid regex")
});

/// Words without which neither a footer mark, a browser tip nor a leave-site dialog is on a
/// line: the footer marks and the first word of each pair.
static FOOTER_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    let words: Vec<String> = FOOTER_MARKS
        .iter()
        .chain([&BROWSER_TIP[0], &LEAVE_SITE[0]])
        .map(|m| regex::escape(m))
        .collect();
    Regex::new(&words.join("|")).expect("escaped footer words form a valid regex")
});

/// Footer field labels (主办, 承办) that count as footer marks only after a space or separator,
/// because `主办：… 承办：…` share one footer line; likewise 主办单位, 承办单位 and 技术支持 (which
/// prose may mention, `提供技术支持：`, but never after a space).
const FOOTER_FIELD_LABELS: &[&str] = &[
    "主办：",
    "主办:",
    "承办：",
    "承办:",
    "主办单位：",
    "主办单位:",
    "承办单位：",
    "承办单位:",
    "技术支持：",
    "技术支持:",
];

/// Any of [`FOOTER_FIELD_LABELS`], found in one pass (this runs on every line with a colon).
static FOOTER_FIELD_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    let labels: Vec<String> = FOOTER_FIELD_LABELS
        .iter()
        .map(|m| regex::escape(m))
        .collect();
    Regex::new(&labels.join("|")).expect("escaped footer field labels form a valid regex")
});

/// A leave-site dialog (`您访问的链接即将离开…网站，是否继续？ 继续访问 放弃`): both parts.
const LEAVE_SITE: [&str; 2] = ["即将离开", "继续"];

/// A browser recommendation of old portals (使用大于1366*768分辨率/IE10浏览器…最佳效果).
const BROWSER_TIP: [&str; 2] = ["分辨率", "浏览器"];

/// Breadcrumb separators that follow 首页 (home) in `首页 > 要闻 > 正文`.
const BREADCRUMB_SEPARATORS: [char; 5] = ['>', '＞', '»', '›', '→'];

/// 首页: "home", the first crumb of a breadcrumb trail.
const HOME: &str = "首页";

/// Day names of the header clock (`2023年10月11日 星期三`), which is the day a page was saved.
const WEEKDAY_PREFIXES: [&str; 3] = ["星期", "礼拜", "周"];

/// Prompts of "read the rest" expanders (`阅读剩余全文（45%）`, `展开全文`), which stand alone.
const EXPANDERS: &[&str] = &[
    "阅读剩余全文",
    "展开全文",
    "展开剩余",
    "点击阅读全文",
    "阅读全文",
    "查看全文",
    "点击查看全文",
];

/// 分享: "share", the word of share prompts (`分享让更多人看到`, `分享到朋友圈`).
const SHARE: &str = "分享";

/// Longest share prompt that starts with [`SHARE`], in characters.
const MAX_SHARE_PROMPT: usize = 12;

/// Words that, beside [`SHARE`] in a short line, make it a share prompt rather than prose:
/// WeChat moments and friends, the browser's share button, the top-right menu, QR codes.
const SHARE_CONTEXT: &[&str] = &[
    "朋友圈",
    "微信好友",
    "浏览器",
    "右上角",
    "扫一扫",
    "二维码",
    "微博",
    "好友",
];

/// Openers of subscription prompts: follow the official account / WeChat / Weibo, scan or
/// long-press the QR code to follow, click to subscribe.
const SUBSCRIBE_PREFIXES: &[&str] = &[
    "关注公众号",
    "关注微信",
    "关注官方",
    "关注我们",
    "关注本",
    "扫码关注",
    "扫描二维码关注",
    "长按识别",
    "长按二维码",
    "欢迎关注",
    "点击关注",
    "点击订阅",
    "立即订阅",
    "订阅号",
    "更多精彩",
    "点击右上角",
];

/// Longest subscription prompt, in characters.
const MAX_SUBSCRIBE_PROMPT: usize = 40;

/// 转载: "reprint". With one of [`REPRINT_TERMS`] in a short line it is a reprint notice
/// (`转载请注明出处`, `未经授权禁止转载`, `转载申请…请联系我们`).
const REPRINT: &str = "转载";

/// Terms of reprint notices: forbidden, credit the source, authorisation, application, must,
/// may not, infringement, copyright, original.
const REPRINT_TERMS: &[&str] = &[
    "禁止",
    "请注明",
    "注明出处",
    "注明来源",
    "授权",
    "申请",
    "须经",
    "不得",
    "侵权",
    "版权",
    "原创",
];

/// Longest reprint notice, in characters; no other widget line is longer (asserted below).
const MAX_REPRINT_NOTICE: usize = 80;

/// Words of reader polls and mood votes (`您此时的心情`, `新闻表情排行`, `读完这篇文章后，您心情如何`).
const POLL_MARKS: &[&str] = &["心情", "表情"];

/// Longest poll heading, in characters.
const MAX_POLL_HEADING: usize = 16;

// `is_widget_line` skips its short-line rules beyond the longest reprint notice.
const _: () = assert!(
    2 * MAX_SHARE_PROMPT <= MAX_REPRINT_NOTICE
        && MAX_SUBSCRIBE_PROMPT <= MAX_REPRINT_NOTICE
        && MAX_POLL_HEADING <= MAX_REPRINT_NOTICE
);

/// Openers and endings of ranking and recommendation list headings (`最热文章`, `热门排行`,
/// `新闻排行`, `点击排行榜`, `热点推荐`, `猜你喜欢`).
const RANKING_OPENERS: &[&str] = &[
    "最热", "热门", "热点", "精彩", "最新", "人气", "点击", "阅读", "新闻", "24小时", "一周",
    "本周", "今日", "视频", "图片",
];
const RANKING_ENDINGS: &[&str] = &[
    "文章",
    "新闻",
    "排行",
    "排行榜",
    "推荐",
    "图片",
    "视频",
    "专题",
    "点击",
    "榜",
];
/// Headings of recommendation lists that follow no opener/ending pattern.
const RECOMMENDATION_HEADINGS: &[&str] = &[
    "猜你喜欢",
    "为你推荐",
    "为您推荐",
    "相关推荐",
    "热门评论",
    "排行榜",
];

/// Longest ranking heading, in characters.
const MAX_RANKING_HEADING: usize = 8;

/// The longest line (in visible characters) that a footer mark or label alone may condemn.
const MAX_CHROME_LINE: usize = 200;

/// Separators inside toolbar and footer rows.
fn is_separator(c: char) -> bool {
    is_space(c)
        || matches!(
            c,
            '|' | '丨'
                | '｜'
                | '/'
                | '·'
                | '•'
                | '【'
                | '】'
                | '['
                | ']'
                | '（'
                | '）'
                | '('
                | ')'
                | '<'
                | '>'
                | '＞'
                | '»'
                | '›'
                | '「'
                | '」'
                | '-'
                | '—'
                | '_'
                | ','
                | '，'
                | '、'
        )
}

/// True when `line` is site chrome (see the module docs for the rules).
pub(crate) fn is_chrome_line(line: &str) -> bool {
    // Chrome lines are short; prose paragraphs skip every rule (a hot path: every block of a
    // page is scored).
    if line.len() > MAX_CHROME_LINE * 4 {
        return false;
    }
    // Removing all whitespace also undoes letter-spacing (`版 权 所 有`).
    let compact = compact_str(line);
    if compact.is_empty() {
        return false;
    }
    let len = compact.chars().count();
    if len <= MAX_CHROME_LINE
        && (starts_with_label(&compact, CHROME_LABELS) || has_footer_mark(line, &compact))
    {
        return true;
    }
    if len <= 18 && is_weekday_clock(&compact) {
        return true;
    }
    if is_breadcrumb(&compact) || is_pager(&compact) {
        return true;
    }
    if len <= MAX_CHROME_LINE && is_widget_line(&compact, len) {
        return true;
    }
    if is_bracketed_widgets(line) {
        return true;
    }
    // Table rows carry tabs between cells; a row of numbers is data, never a toolbar.
    !line.contains('\t') && is_toolbar(line)
}

/// Interaction widgets that are not toolbars of chrome words: read-more expanders, share and
/// subscription prompts, reprint notices, poll and ranking headings. Each is short and has its
/// own vocabulary; none ends a sentence the way body text does.
fn is_widget_line(compact: &str, len: usize) -> bool {
    let bare = compact.trim_start_matches(['【', '[', '（', '(']);
    let expander = EXPANDERS.iter().any(|e| {
        bare.strip_prefix(e).is_some_and(|rest| {
            rest.chars().all(|c| {
                c.is_ascii_digit()
                    || matches!(
                        c,
                        '%' | '（' | '）' | '(' | ')' | '】' | ']' | '>' | '»' | '.' | '…'
                    )
            })
        })
    });
    if expander || is_ranking_heading(bare) {
        return true;
    }
    // Every other widget is short (the longest, a reprint notice, has 80 characters).
    if len > MAX_REPRINT_NOTICE {
        return false;
    }
    let sentence = compact.contains('。');
    let share = (bare.starts_with(SHARE) && len <= MAX_SHARE_PROMPT && !sentence)
        || (len <= 2 * MAX_SHARE_PROMPT
            && !compact.contains(['，', '。'])
            && compact.contains(SHARE)
            && SHARE_CONTEXT.iter().any(|w| compact.contains(w)));
    let subscribe = len <= MAX_SUBSCRIBE_PROMPT
        && !sentence
        && SUBSCRIBE_PREFIXES.iter().any(|p| bare.starts_with(p));
    let reprint = len <= MAX_REPRINT_NOTICE
        && compact.contains(REPRINT)
        && REPRINT_TERMS.iter().any(|t| compact.contains(t));
    let poll =
        len <= MAX_POLL_HEADING && !sentence && POLL_MARKS.iter().any(|m| compact.contains(m));
    share || subscribe || reprint || poll
}

/// True for the heading of a reader poll or a ranking list, whose options, counts and rank
/// numbers follow on short lines of their own.
pub(crate) fn is_list_widget_heading(line: &str) -> bool {
    // This runs on every line, and both rules decide a long line by its first characters: a poll
    // heading is short, a ranking heading's head has at most eight. So only a prefix of the
    // compact form is built; the whole line is compacted only when opening brackets eat so much
    // of the prefix that the head might not fit in the rest.
    let (end, longer) = visible_prefix_end(line, WIDGET_HEADING_PREFIX);
    let prefix = compact_str(&line[..end]);
    if longer {
        let bare = prefix.trim_start_matches(['【', '[', '（', '(']);
        if bare.chars().count() > MAX_RANKING_HEADING {
            return is_ranking_heading(bare);
        }
        return is_ranking_heading(compact(line).trim_start_matches(['【', '[', '（', '(']));
    }
    let compact = prefix;
    let len = compact.chars().count();
    let bare = compact.trim_start_matches(['【', '[', '（', '(']);
    (len <= MAX_POLL_HEADING
        && !compact.contains('。')
        && POLL_MARKS.iter().any(|m| compact.contains(m)))
        || is_ranking_heading(bare)
}

/// Characters of a line's compact form that decide [`is_list_widget_heading`] when it is
/// longer: more than a poll heading has, with room for brackets before a ranking heading.
const WIDGET_HEADING_PREFIX: usize = MAX_POLL_HEADING + MAX_RANKING_HEADING + 8;

/// Longest option or count line under a poll or ranking heading (`高兴 12`, `10`).
pub(crate) const MAX_WIDGET_ITEM_CHARS: usize = 8;

/// A heading of a ranking or recommendation list (`最热文章`, `新闻排行 日/周`, `热点推荐更多>>`).
fn is_ranking_heading(bare: &str) -> bool {
    // A slice, not a copy: this runs on every line of every page.
    let head_end = bare
        .find(|c: char| {
            matches!(
                c,
                ' ' | '|' | '更' | '>' | '»' | '】' | ']' | '/' | '：' | ':'
            )
        })
        .unwrap_or(bare.len());
    let head = &bare[..head_end];
    if head.len() > MAX_RANKING_HEADING * 4 {
        return false;
    }
    let n = head.chars().count();
    (2..=MAX_RANKING_HEADING).contains(&n)
        && (RECOMMENDATION_HEADINGS.contains(&head)
            || head.ends_with("排行")
            || head.ends_with("排行榜")
            || (RANKING_OPENERS.iter().any(|o| head.starts_with(o))
                && RANKING_ENDINGS.iter().any(|e| head.ends_with(e))
                && n > 2))
}

/// A row of bracketed widgets (`【纠错】 【责任编辑:某某 】`, `[打印] [关闭]`): every bracketed part
/// is chrome on its own and nothing stands outside the brackets.
fn is_bracketed_widgets(line: &str) -> bool {
    let trimmed = line.trim_matches(is_space);
    if !trimmed.starts_with(['【', '[']) || trimmed.len() > MAX_CHROME_LINE * 4 {
        return false;
    }
    let mut parts = 0;
    for part in trimmed.split(['【', '】', '[', ']']) {
        let part = part.trim_matches(is_space);
        if part.is_empty() {
            continue;
        }
        parts += 1;
        let compact = compact(part);
        let chrome = CHROME_WORDS.contains(&compact.as_str())
            || starts_with_label(&compact, CHROME_LABELS)
            || is_widget_line(&compact, compact.chars().count());
        if !chrome {
            return false;
        }
    }
    parts > 0
}

/// True for a line that belongs to a site footer: a copyright, registration or host line.
pub(crate) fn is_footer_line(line: &str) -> bool {
    if line.len() > MAX_CHROME_LINE * 4 {
        return false;
    }
    let compact = compact_str(line);
    compact.chars().count() <= MAX_CHROME_LINE && has_footer_mark(line, &compact)
}

/// Collapses letter-spacing (`人 民 网 版 权 所 有`, `索 引 号`): runs of three or more
/// single-character words are joined, so that labels and footer marks match.
pub(crate) fn despace(line: &str) -> String {
    let words: Vec<&str> = line.split(is_space).filter(|w| !w.is_empty()).collect();
    // One wide character, possibly followed by a colon (`号：` ends a spaced-out label).
    let single = |w: &str| {
        let mut chars = w.trim_end_matches(['：', ':']).chars();
        matches!((chars.next(), chars.next()), (Some(c), None) if is_wide(c))
    };
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < words.len() {
        let run = words[i..].iter().take_while(|w| single(w)).count();
        if run >= 3 {
            out.push_str(&words[i..i + run].concat());
            i += run;
        } else {
            out.push_str(words[i]);
            i += 1;
        }
        if i < words.len() {
            out.push(' ');
        }
    }
    out
}

/// True when `compact` starts, after opening brackets, with one of `labels` followed by a colon
/// or by nothing at all.
pub(crate) fn starts_with_label(compact: &str, labels: &[&str]) -> bool {
    let body = compact.trim_start_matches(['（', '(', '【', '[', '〔']);
    // Comparing first bytes inline skips nearly every label without a call to `memcmp` (this
    // runs for every label on every line).
    let head = body.as_bytes();
    labels.iter().any(|label| {
        // Labels are mostly CJK, whose first bytes are few (E4–E9): the first character is
        // compared, byte by byte up to three.
        let label_head = &label.as_bytes()[..label.len().min(3)];
        let may_start =
            head.len() >= label_head.len() && label_head.iter().zip(head).all(|(a, b)| a == b);
        may_start
            && body.strip_prefix(label).is_some_and(|rest| {
                rest.is_empty()
                    || rest.starts_with(['：', ':'])
                    || rest.chars().all(|c| matches!(c, '）' | ')' | '】' | ']'))
            })
    })
}

fn has_footer_mark(line: &str, compact: &str) -> bool {
    // One pass tells nearly every line that none of the three rules below can hold.
    if FOOTER_CANDIDATE.is_match(compact)
        && (FOOTER_MARK.is_match(compact)
            || BROWSER_TIP.iter().all(|m| compact.contains(m))
            || LEAVE_SITE.iter().all(|m| compact.contains(m)))
    {
        return true;
    }
    // 主办：/承办： count at the start of the line or after a space or separator.
    // No label overlaps another or itself, so the matches of one pass are the occurrences
    // that searching for each label in turn would find.
    line.contains(['：', ':'])
        && FOOTER_FIELD_LABEL.find_iter(line).any(|m| {
            line[..m.start()]
                .chars()
                .next_back()
                .is_none_or(|c| is_separator(c) || c == '：')
        })
}

fn is_weekday_clock(compact: &str) -> bool {
    let Some(at) = WEEKDAY_PREFIXES.iter().find_map(|w| compact.find(w)) else {
        return false;
    };
    let date = &compact[..at];
    !date.is_empty()
        && date
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '年' | '月' | '日' | '-' | '/' | '.'))
}

fn is_breadcrumb(compact: &str) -> bool {
    compact.starts_with(HOME)
        && compact.chars().count() <= 80
        && compact.contains(BREADCRUMB_SEPARATORS)
}

/// A page switcher such as `【1】 【2】 【3】` or `[1][2]` or `1 2 3 下一页`.
fn is_pager(compact: &str) -> bool {
    let mut saw_digit = false;
    for c in compact.chars() {
        if c.is_ascii_digit() {
            saw_digit = true;
        } else if !matches!(c, '【' | '】' | '[' | ']') {
            return false;
        }
    }
    saw_digit && compact.starts_with(['【', '['])
}

/// True when every word of the line is a toolbar or footer-link word (`打印 | 关闭`,
/// `网站地图|关于我们|联系我们`, `字号：默认 大 超大`).
fn is_toolbar(line: &str) -> bool {
    let mut words = line
        .split(is_separator)
        .map(|w| w.trim_end_matches(['：', ':']))
        .filter(|w| !w.is_empty())
        .peekable();
    if words.peek().is_none() {
        // Only separators: a decorative rule such as `————` or `| |`.
        return line.chars().any(|c| c == '—' || c == '|');
    }
    words.all(|w| CHROME_WORDS.contains(&w) || is_toggle_word(w))
}

/// Script toggles such as `繁繁體版` (a doubled character left by a toggle widget).
fn is_toggle_word(word: &str) -> bool {
    word.ends_with('版')
        && word
            .chars()
            .all(|c| matches!(c, '繁' | '简' | '體' | '体' | '版'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolbars_and_footers_are_chrome() {
        for line in [
            "字号： 默认 大 超大 | 打印 | 关闭",
            "【 返回顶部 】 【 关闭本页 】",
            "网站地图 | 联系我们 | 网站声明 | 网站访问量：",
            "版权所有:某某区人民政府办公室 苏ICP备00000000号-2 公安备案号:3202 |",
            "技术支持:某某信息技术有限公司(http://www.example.com/)",
            "（责任编辑：某某）",
            "首页 > 要闻 > 正文",
            "2023年10月11日 星期三",
            "某 某 网 版 权 所 有 ，未 经 书 面 授 权 禁 止 使 用",
            "主办：某某县人民政府  承办：某某县人民政府办公室",
            "【1】 【2】 【3】",
            "繁繁體版 网站无障碍 关怀版",
            "【纠错】 【责任编辑:某某 】",
            "阅读剩余全文（35%）",
            "展开全文",
            "分享给更多的人",
            "请点击右上角分享到朋友圈",
            "关注公众号：某某清风",
            "长按识别二维码关注我们",
            "未经授权禁止转载",
            "转载请注明来源：某某网",
            "读完这篇文章后您的心情如何",
            "新闻表情排行 日/周",
            "最热文章",
            "热门排行",
            "点击排行榜",
            "热点推荐 更多>>",
            "猜你喜欢",
            "链接已复制",
        ] {
            assert!(is_chrome_line(line), "{line}");
        }
    }

    #[test]
    fn body_lines_stay() {
        for line in [
            "联系方式：电话0510-00000000；电子邮箱：abc@example.com。",
            "督促企业更换打印设备，关闭违规账户。",
            "中共某某区委员会",
            "2024年3月16日",
            "一、整改组织推进情况",
            "2021\t2022\t增长",
            "主要工业产品产量",
            "为企业提供技术支持，帮助解决困难。",
            "由市信息中心提供技术支持：负责平台运维。",
            "该同志即将离开原工作岗位。",
            "（三）热点问题",
            "分享经验做法，推动工作落实。",
            "关注群众反映强烈的突出问题，建立台账逐项整改。",
            "对转载、出租、出借资质证书的行为依法查处。",
            "【整改措施】加强监督检查",
            "热点问题整改情况",
            "排查整治群众身边的热点难点问题",
        ] {
            assert!(!is_chrome_line(line), "{line}");
        }
    }
}
