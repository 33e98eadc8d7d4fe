//! The cleaner over the project's own fixture pages (`tests/fixtures/pages`, written by
//! `make_pages.py` in the encodings they declare or lie about): must-contain and must-not-contain
//! phrases, title, publication date and encoding per page, and snapshots of the cleaned text.
//! The shared corpus's gold checks are in `clean_gold.rs`.

mod support;

use gazette_notice::{CleanDocument, CleanOptions, InputKind, PageMarkerKind};
use std::path::Path;

/// What one fixture must yield.
struct Case {
    file: &'static str,
    encoding: &'static str,
    title: Option<&'static str>,
    published: Option<&'static str>,
    must_contain: &'static [&'static str],
    must_not_contain: &'static [&'static str],
}

/// Body phrases every fictional notice page carries (see `make_pages.py`).
const NOTICE_BODY: &[&str] = &[
    "一、履行整改主体责任情况",
    "（一）强化组织领导。",
    "1．关于“惠农资金监管不够到位”问题的整改。",
    "整改措施及成效：完成4个基层党支部换届选举",
    "诚请社会各界对本单位整改工作予以监督",
];

/// Chrome every CMS-style page carries in some form.
const COMMON_CHROME: &[&str] = &[
    "首页",
    "打印",
    "关闭",
    "版权所有",
    "ICP备",
    "网站标识码",
    "扫一扫",
    "政府信息公开专栏",
    "不应出现的脚本文字",
];

const CASES: &[Case] = &[
    Case {
        file: "trs_utf8.html",
        encoding: "UTF-8",
        title: Some("中共青禾县农业农村局党组关于巡察整改进展情况的通报"),
        published: Some("2023-09-18"),
        must_contain: &[
            "电子邮箱：qh@example.com。",
            "中共青禾县农业农村局党组",
            "2023年9月15日",
        ],
        must_not_contain: &[
            "当前位置",
            "字号",
            "分享到",
            "相关链接",
            "召开巡察工作动员部署会",
            "发布时间",
            "门户网站",
            "无障碍",
        ],
    },
    Case {
        file: "trs_gbk.html",
        encoding: "gb18030",
        title: Some("中共临川区市场监督管理局党组关于巡察整改进展情况的通报"),
        published: Some("2023-09-18"),
        must_contain: &["中共临川区市场监督管理局党组"],
        must_not_contain: &["当前位置", "字号", "分享到", "相关链接"],
    },
    Case {
        file: "hanweb_gb2312.html",
        encoding: "gb18030",
        title: Some("中共白石镇财政所党组关于巡察整改进展情况的通报"),
        published: Some("2024-01-11"),
        must_contain: &["中共白石镇财政所党组", "2024年1月10日"],
        must_not_contain: &[
            "浏览次数",
            "信息来源",
            "责任编辑",
            "上一篇",
            "下一篇",
            "技术支持",
            "安全隐私",
            "备案号",
        ],
    },
    Case {
        file: "hanweb_attachment_utf8.html",
        encoding: "UTF-8",
        title: Some("中共青禾县交通运输局党组关于巡察整改进展情况的通报"),
        published: Some("2024-01-11"),
        must_contain: &["附件：整改任务清单.pdf"],
        must_not_contain: &["上一篇", "召开党风廉政建设工作会议", "责任编辑"],
    },
    Case {
        file: "vsb_table_gb18030.html",
        encoding: "gb18030",
        title: Some("中共临川区卫生健康委员会党组关于巡察整改进展情况的通报"),
        published: Some("2023-12-02"),
        must_contain: &["班子成员𠮷某某等", "2023年12月1日"],
        must_not_contain: &[
            "添加收藏夹",
            "设为首页",
            "机构职能",
            "省纪委监委",
            "浏览次数",
            "主办单位",
            "文化路1号",
            "邮编",
            "0000-7654321",
            "巡察工作-",
        ],
    },
    Case {
        file: "ucap_utf8.html",
        encoding: "UTF-8",
        title: Some("中共青禾县统计局党组关于巡察整改进展情况的通报"),
        published: Some("2024-03-21"),
        must_contain: &["中共青禾县统计局党组", "2024年3月20日"],
        must_not_contain: &[
            "星期一",
            "繁體",
            "网站无障碍",
            "您当前的位置",
            "索引号",
            "索 引 号",
            "2024-0012345",
            "发布机构",
            "公开方式",
            "公开时限",
            "访问量",
            "关联稿件",
            "图文解读",
            "返回顶部",
            "关闭本页",
            "网站帮助",
            "主办：",
            "承办：",
            "中文域名",
            "技术支持",
            "即将离开",
            "继续访问",
        ],
    },
    Case {
        file: "ucap_gb18030.html",
        encoding: "gb18030",
        title: Some("中共白石镇住房和城乡建设局党组关于巡察整改进展情况的通报"),
        published: Some("2024-03-21"),
        must_contain: &["中共白石镇住房和城乡建设局党组"],
        must_not_contain: &["索引号", "访问量", "关联稿件", "即将离开"],
    },
    Case {
        file: "wechat_utf8.html",
        encoding: "UTF-8",
        title: Some("中共临川区教育局党组关于巡察整改进展情况的通报"),
        published: None,
        must_contain: &["2024年5月6日"],
        must_not_contain: &[
            "微信扫一扫",
            "关注该公众号",
            "阅读原文",
            "在看",
            "脚本中的正文副本",
            "清风临川区",
        ],
    },
    Case {
        file: "epaper_utf8.html",
        encoding: "UTF-8",
        title: Some("中共白石镇人民政府党组关于巡察整改进展情况的通报"),
        published: None,
        must_contain: &["根据白石镇委统一部署", "2024年6月28日"],
        must_not_contain: &[
            "上接第",
            "下转第",
            "第01版",
            "上一版",
            "PDF下载",
            "本版新闻",
            "全面推进基层治理现代化",
            "某某日报",
        ],
    },
    Case {
        file: "people_style_utf8.html",
        encoding: "UTF-8",
        title: Some("中共青禾县文化广电旅游局党组关于巡察整改进展情况的通报"),
        published: Some("2024-07-03"),
        must_contain: &["2024年7月2日"],
        must_not_contain: &[
            "登录",
            "分享到",
            "责编",
            "客户端下载",
            "热点排行",
            "老旧小区",
            "版 权 所 有",
            "Copyright",
            "来源：",
        ],
    },
    Case {
        file: "data_table_utf8.html",
        encoding: "UTF-8",
        title: Some("中共临川区自然资源局党组关于巡察整改进展情况的通报"),
        published: Some("2024-08-09"),
        must_contain: &[
            "序号\t问题类别\t问题数\t已完成\t推进中",
            "2\t作风建设\t7\t7\t0",
            "整改问题统计如下：",
        ],
        must_not_contain: &["廉政动态", "热门文章", "警示教育月", "字号", "技术支持"],
    },
    Case {
        file: "task_table_utf8.html",
        encoding: "UTF-8",
        title: Some("中共青禾县发展和改革局党组关于巡察整改进展情况的通报"),
        published: Some("2024-10-14"),
        // One line per row, cells in order, one tab between cells; the 责任单位 cell spanning
        // two rows is repeated in the second, and an empty last cell keeps its tab.
        must_contain: &[
            "\n序号\t反馈问题\t整改措施\t责任单位\t完成时限\t整改进展\n",
            "\n1\t学习贯彻上级决策部署不够深入，理论学习走过场，学用结合不紧密\t1.组织全体党员干部",
            "形成学习、研讨、整改、提升的工作闭环。\t办公室 人事股\t2024年6月\t已完成\n",
            "业务能力和风险意识。\t办公室 人事股\t长期坚持\t\n",
            "\n3\t专项资金拨付进度缓慢，资金使用效益不高\t建立项目资金拨付台账",
            "防止问题反弹。\t计划财务股\t2024年12月\t推进中\n",
        ],
        must_not_contain: &["\n整改措施\n", "\n办公室\n"],
    },
    Case {
        file: "layout_grid_gbk.html",
        encoding: "gb18030",
        title: Some("中共白石镇农业服务中心党组关于巡察整改进展情况的通报"),
        published: None,
        must_contain: &["中共白石镇农业服务中心党组", "\n2024年11月5日"],
        must_not_contain: &["\t", "政务公开", "巡察工作\n"],
    },
    // Widgets and title markup of portals the cleaner had not seen (one cause per page).
    Case {
        file: "widgets_xinhua_utf8.html",
        encoding: "UTF-8",
        title: Some("中共青禾县水务局党组关于巡察整改进展情况的通报"),
        published: Some("2024-02-21"),
        must_contain: &["中共青禾县水务局党组\n2024年2月20日"],
        must_not_contain: &["纠错", "周某某", "阅读剩余全文", "62%", "收藏"],
    },
    Case {
        file: "share_prompts_gb2312.html",
        encoding: "gb18030",
        title: Some("中共临川区退役军人事务局党组关于巡察整改进展情况的通报"),
        published: Some("2024-03-13"),
        must_contain: &["中共临川区退役军人事务局党组\n2024年3月12日"],
        must_not_contain: &[
            "关注公众号",
            "分享让身边的人看到",
            "扫码关注",
            "右上角",
            "链接已复制",
        ],
    },
    Case {
        file: "reprint_notice_utf8.html",
        encoding: "UTF-8",
        title: Some("中共白石镇卫生院党组关于巡察整改进展情况的通报"),
        published: Some("2024-04-09"),
        must_contain: &["中共白石镇卫生院党组\n2024年4月8日"],
        must_not_contain: &["转载", "授权", "0000-7788990"],
    },
    Case {
        file: "mood_poll_utf8.html",
        encoding: "UTF-8",
        title: Some("中共青禾县商务局党组关于巡察整改进展情况的通报"),
        published: None,
        must_contain: &["中共青禾县商务局党组\n2024年5月15日"],
        must_not_contain: &["心情", "高兴", "感动", "愤怒", "同情", "\n12\n"],
    },
    Case {
        file: "ranking_list_gbk.html",
        encoding: "gb18030",
        title: Some("中共临川区城市管理局党组关于巡察整改进展情况的通报"),
        published: None,
        must_contain: &["中共临川区城市管理局党组\n2024年6月3日"],
        must_not_contain: &["点击排行", "热门文章", "廉政提醒"],
    },
    Case {
        file: "meta_markup_title_utf8.html",
        encoding: "UTF-8",
        title: Some("中共白石镇规划所党组关于巡察整改进展情况的通报——持续推动整改工作走深走实"),
        published: Some("2024-07-10"),
        must_contain: &["中共白石镇规划所党组\n2024年7月9日"],
        must_not_contain: &["<div>", "div&gt;", "\n——持续推动"],
    },
    Case {
        file: "kicker_title_utf8.html",
        encoding: "UTF-8",
        title: Some("中共青禾县民政局党组关于巡察整改进展情况的通报"),
        published: None,
        must_contain: &["中共青禾县民政局党组\n2024年8月19日"],
        must_not_contain: &["<br", "融媒体中心\n"],
    },
    Case {
        file: "printed_title_gb18030.html",
        encoding: "gb18030",
        title: Some("中共临川区人力资源和社会保障局党组关于巡察整改进展情况的通报"),
        published: Some("2024-09-25"),
        must_contain: &["9月20日，巡察整改推进会在县行政中心召开。某某供图"],
        must_not_contain: &["新闻频道", "发稿时间"],
    },
    Case {
        file: "teaser_cards_utf8.html",
        encoding: "UTF-8",
        title: Some("中共白石镇农业农村办党组关于巡察整改进展情况的通报"),
        published: None,
        must_contain: &["中共白石镇农业农村办党组\n2024年10月28日"],
        must_not_contain: &[
            "推荐阅读",
            "秋收秋种",
            "乡村振兴新画卷",
            "右上角",
            "朋友圈",
            "2024-01-11",
        ],
    },
    Case {
        file: "sitename_title_utf8.html",
        encoding: "UTF-8",
        title: Some("中共青禾县医疗保障局党组关于巡察整改进展情况的通报"),
        published: Some("2024-09-10"),
        must_contain: &["中共青禾县医疗保障局党组", "2024年9月9日"],
        must_not_contain: &["人民政府网", "政务服务", "来源："],
    },
    Case {
        file: "big5_page.html",
        encoding: "Big5",
        title: Some("關於巡察整改進展情況的通報"),
        published: Some("2024-02-01"),
        must_contain: &[
            "追回溢領款項新臺幣四十二萬元。",
            "聯絡電話：(00)1234-5678。",
            "某某縣政府農業處",
            "2024年1月30日",
        ],
        must_not_contain: &["最新消息", "目前位置", "發布日期", "版權所有", "中正路"],
    },
    Case {
        file: "lie_gb2312_is_utf8.html",
        encoding: "UTF-8",
        title: Some("中共青禾县林业局党组关于巡察整改进展情况的通报"),
        published: Some("2023-09-18"),
        must_contain: &["中共青禾县林业局党组"],
        must_not_contain: &["当前位置", "相关链接"],
    },
    Case {
        file: "lie_utf8_is_gbk.html",
        encoding: "gb18030",
        title: Some("中共临川区审计局党组关于巡察整改进展情况的通报"),
        published: Some("2024-01-11"),
        must_contain: &["中共临川区审计局党组"],
        must_not_contain: &["上一篇", "浏览次数"],
    },
    Case {
        file: "undeclared_gbk.html",
        encoding: "gb18030",
        title: Some("中共白石镇司法所党组关于巡察整改进展情况的通报"),
        published: Some("2024-01-11"),
        must_contain: &["中共白石镇司法所党组"],
        must_not_contain: &["上一篇", "浏览次数"],
    },
];

fn page_path(file: &str) -> std::path::PathBuf {
    support::fixtures_dir().join("pages").join(file)
}

fn clean_file(path: &Path) -> CleanDocument {
    let bytes = std::fs::read(path).expect("fixture is readable");
    let kind = if path.extension().is_some_and(|e| e == "txt") {
        InputKind::Text
    } else {
        InputKind::Auto
    };
    let options = CleanOptions {
        kind,
        ..CleanOptions::default()
    };
    gazette_notice::clean(&bytes, &options).expect("fixture cleans")
}

fn iso(doc: &CleanDocument) -> Option<String> {
    doc.metadata.published_at.map(|p| {
        let d = p.date;
        format!("{:04}-{:02}-{:02}", d.year, d.month, d.day.unwrap_or(1))
    })
}

#[test]
fn fixture_pages_keep_body_and_drop_chrome() {
    let mut failures = Vec::new();
    for case in CASES {
        let doc = clean_file(&page_path(case.file));
        let text = &doc.text;
        if doc.encoding != case.encoding {
            failures.push(format!(
                "{}: encoding {} != {}",
                case.file, doc.encoding, case.encoding
            ));
        }
        if let Some(title) = case.title
            && (doc.title.as_deref() != Some(title) || text.lines().next() != Some(title))
        {
            failures.push(format!("{}: title {:?}", case.file, doc.title));
        }
        if iso(&doc).as_deref() != case.published {
            failures.push(format!("{}: published {:?}", case.file, iso(&doc)));
        }
        let is_cms_notice = case.file != "big5_page.html";
        let must: Vec<&str> = case
            .must_contain
            .iter()
            .chain(if is_cms_notice { NOTICE_BODY } else { &[] })
            .copied()
            .collect();
        for phrase in must {
            if !text.contains(phrase) {
                failures.push(format!("{}: missing {phrase}", case.file));
            }
        }
        for junk in case.must_not_contain.iter().chain(COMMON_CHROME) {
            if text.contains(junk) {
                failures.push(format!("{}: leaked {junk}", case.file));
            }
        }
        if text.contains('\u{fffd}') {
            failures.push(format!("{}: mojibake", case.file));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn epaper_markers_point_into_the_final_text() {
    let doc = clean_file(&page_path("epaper_utf8.html"));
    let kinds: Vec<_> = doc.page_markers.iter().map(|m| (m.kind, m.page)).collect();
    assert_eq!(
        kinds,
        [
            (PageMarkerKind::ContinuedFrom, 3),
            (PageMarkerKind::ContinuesOn, 6)
        ]
    );
    assert!(doc.text[doc.page_markers[0].offset..].starts_with("根据白石镇委统一部署"));
    assert!(doc.text[..doc.page_markers[1].offset].ends_with("电子邮箱：qh@example.com。"));
}

#[test]
fn wrapped_newspaper_text_reflows_and_lifts_markers() {
    let doc = clean_file(&page_path("newspaper_wrapped.txt"));
    let lines: Vec<&str> = doc.text.lines().collect();
    assert!(lines[0].starts_with("整改工作的各项要求，党组坚持把巡察整改作为重大政治任务"));
    assert!(
        lines[0].ends_with("确保各项整改任务落到实处。"),
        "{}",
        lines[0]
    );
    assert!(lines.contains(&"3、关于“项目建设推进不够有力”问题的整改。"));
    assert!(lines.contains(&"已采取的措施和阶段成效："));
    assert!(lines.contains(&"中共白石镇委员会"));
    assert!(!doc.text.contains("版"), "{}", doc.text);
    let markers: Vec<_> = doc
        .page_markers
        .iter()
        .map(|m| (m.kind, m.page, m.offset))
        .collect();
    assert_eq!(markers[0], (PageMarkerKind::ContinuedFrom, 5, 0));
    assert_eq!(markers[1].1, 8);
    assert!(doc.text[..markers[1].2].ends_with("2024年4月18日"));
}

#[test]
fn paid_copy_loses_paywall_and_adverts() {
    let doc = clean_file(&page_path("paid_copy.txt"));
    assert_eq!(
        doc.title.as_deref(),
        Some("中共临川区文化旅游局党组关于巡察整改进展情况的通报")
    );
    assert!(
        doc.text
            .contains("1.关于“文旅项目资金使用不规范”问题的整改")
    );
    assert!(doc.text.trim_end().ends_with("2023年11月2日"));
    for junk in ["##paid", "素材库", "代笔", "会员", "客服", "abc123"] {
        assert!(!doc.text.contains(junk), "{junk}");
    }
}

#[test]
fn web_copy_loses_footer_keeps_contacts() {
    let doc = clean_file(&page_path("web_copy_footer.txt"));
    assert!(
        doc.text
            .contains("联系电话：0000-1357924；地址：青禾县滨河路2号。")
    );
    assert!(doc.text.trim_end().ends_with("2024年3月1日"));
    for junk in [
        "网站地图",
        "版权所有",
        "ICP备",
        "公安备案号",
        "技术支持",
        "2024-03-05 10:20",
    ] {
        assert!(!doc.text.contains(junk), "{junk}");
    }
    assert_eq!(iso(&doc).as_deref(), Some("2024-03-05"));
}

#[test]
fn content_selector_overrides_detection() {
    let bytes = std::fs::read(page_path("trs_utf8.html")).expect("fixture is readable");
    let options = CleanOptions {
        content_selector: Some("div.related".into()),
        ..CleanOptions::default()
    };
    let doc = gazette_notice::clean(&bytes, &options).expect("cleans");
    assert!(doc.text.contains("召开巡察工作动员部署会"), "{}", doc.text);
    assert!(!doc.text.contains("强化组织领导"));
    let bad = CleanOptions {
        content_selector: Some("div[".into()),
        ..CleanOptions::default()
    };
    assert!(gazette_notice::clean(&bytes, &bad).is_err());
}

#[test]
fn snapshots_of_cleaned_fixtures() {
    let dir = support::fixtures_dir().join("pages");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".html") || n.ends_with(".txt"))
        .collect();
    names.sort();
    assert!(names.len() >= 14, "{names:?}");
    for name in names {
        let doc = clean_file(&dir.join(&name));
        let markers: Vec<String> = doc
            .page_markers
            .iter()
            .map(|m| format!("{:?} {} @{}", m.kind, m.page, m.offset))
            .collect();
        let snapshot = format!(
            "encoding: {}\ntitle: {:?}\npublished: {:?}\nsource: {:?}\nattachments: {:?}\nmarkers: {:?}\n---\n{}",
            doc.encoding,
            doc.title,
            iso(&doc),
            doc.metadata.source,
            doc.metadata.attachments,
            markers,
            doc.text
        );
        insta::assert_snapshot!(format!("clean_pages__{}", name.replace('.', "_")), snapshot);
    }
}

#[test]
fn documents_that_are_not_text_are_refused_with_their_format() {
    use gazette_notice::{DocumentFormat, NoticeError};
    let mut docx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00".to_vec();
    docx.extend_from_slice(&[0; 16]);
    docx.extend_from_slice(&17u16.to_le_bytes());
    docx.extend_from_slice(&[0, 0]);
    docx.extend_from_slice(b"word/document.xml");
    docx.extend_from_slice(&[0x9c, 0x01, 0xff, 0x00, 0x13, 0x07]);
    let mut x: u32 = 7;
    let noise: Vec<u8> = (0..2048)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            x.to_be_bytes()[0]
        })
        .collect();
    let cases: [(&[u8], DocumentFormat); 4] = [
        (
            b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n4 0 obj\n<</Length 5>>stream\n",
            DocumentFormat::Pdf,
        ),
        (&docx, DocumentFormat::Docx),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00",
            DocumentFormat::Doc,
        ),
        (&noise, DocumentFormat::Binary),
    ];
    for (bytes, format) in cases {
        for kind in [InputKind::Auto, InputKind::Html, InputKind::Text] {
            let options = CleanOptions {
                kind,
                ..CleanOptions::default()
            };
            match gazette_notice::clean(bytes, &options) {
                Err(NoticeError::UnsupportedFormat(found)) => assert_eq!(found, format),
                other => panic!("{format}: {other:?}"),
            }
        }
        let message = NoticeError::UnsupportedFormat(format).to_string();
        assert!(message.starts_with("unsupported_format: "), "{message}");
        assert!(message.contains(format.name()), "{message}");
    }
}
