//! Sample documents for the demo and the tests (feature `samples`): Chinese text in a PDF
//! written the way Word and WPS write it, through a Type0 font with 2-byte `Identity-H` codes
//! that only its `ToUnicode` CMap maps back to characters, no font file embedded. This is the
//! shape [`crate::document_text`] has to read, built with the crate it reads it with.

use lopdf::{Dictionary, Document, Object, Stream, dictionary};

/// The font of a sample PDF: codes 1, 2, … for the distinct characters of its text, in order
/// of appearance. A page's content stream shows text as `/F1` with the codes of [`Self::hex`].
#[derive(Debug, Clone)]
pub struct CjkPdf {
    chars: Vec<char>,
}

impl CjkPdf {
    /// The font for a PDF showing `lines`.
    pub fn new(lines: &[&str]) -> Self {
        let mut chars: Vec<char> = Vec::new();
        for c in lines.iter().flat_map(|l| l.chars()) {
            if !chars.contains(&c) {
                chars.push(c);
            }
        }
        Self { chars }
    }

    fn code(&self, c: char) -> usize {
        self.chars.iter().position(|&k| k == c).map_or(0, |i| i + 1)
    }

    /// The codes of `line` in hex, for a `<…> Tj` or `[<…>] TJ` operand.
    pub fn hex(&self, line: &str) -> String {
        line.chars()
            .map(|c| format!("{:04X}", self.code(c)))
            .collect()
    }

    /// The `ToUnicode` CMap from codes back to characters.
    fn cmap(&self) -> String {
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
             /CMapName /Gazette-UCS def /CMapType 2 def\n\
             1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
        );
        // At most 100 mappings per bfchar block (PDF 32000-1 §9.10.3).
        for block in self.chars.chunks(100) {
            cmap.push_str(&format!("{} beginbfchar\n", block.len()));
            for &c in block {
                let mut units = [0u16; 2];
                let utf16: String = c
                    .encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("{u:04X}"))
                    .collect();
                cmap.push_str(&format!("<{:04X}> <{utf16}>\n", self.code(c)));
            }
            cmap.push_str("endbfchar\n");
        }
        cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end\n");
        cmap
    }

    /// A PDF of A4 pages, one per content stream of `pages`.
    pub fn write(&self, pages: Vec<String>) -> Vec<u8> {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let to_unicode = doc.add_object(Stream::new(Dictionary::new(), self.cmap().into_bytes()));
        let descriptor = doc.add_object(dictionary! {
            "Type" => "FontDescriptor", "FontName" => "GazetteSong", "Flags" => 4,
            "FontBBox" => vec![0.into(), (-120).into(), 1000.into(), 880.into()],
            "ItalicAngle" => 0, "Ascent" => 880, "Descent" => -120, "CapHeight" => 700, "StemV" => 80,
        });
        let cid_font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "GazetteSong",
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("Identity"), "Supplement" => 0,
            },
            "FontDescriptor" => descriptor, "DW" => 1000,
        });
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "GazetteSong",
            "Encoding" => "Identity-H", "DescendantFonts" => vec![cid_font.into()],
            "ToUnicode" => to_unicode,
        });
        let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
        let mut kids: Vec<Object> = Vec::new();
        for content in pages {
            let contents = doc.add_object(Stream::new(Dictionary::new(), content.into_bytes()));
            let page = doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
                "Resources" => resources,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            });
            kids.push(page.into());
        }
        let count = i64::try_from(kids.len()).unwrap_or(i64::MAX);
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        doc.compress();
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes)
            .expect("writing a PDF into a Vec cannot fail");
        bytes
    }
}
