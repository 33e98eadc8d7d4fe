//! Development aid: `cargo run -p gazette-notice --example clean_file -- FILE` prints the cleaned
//! text exactly like `gazette clean`, without building the whole workspace.

use gazette_notice::{CleanOptions, InputKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: clean_file FILE")?;
    let bytes = std::fs::read(&path)?;
    let kind = if path.ends_with(".txt") {
        InputKind::Text
    } else {
        InputKind::Auto
    };
    let doc = gazette_notice::clean(
        &bytes,
        &CleanOptions {
            kind,
            ..CleanOptions::default()
        },
    )?;
    print!("{}", doc.text);
    Ok(())
}
