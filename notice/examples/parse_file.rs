//! Development aid: `cargo run -p gazette-notice --example parse_file -- [--json] FILE` cleans and
//! parses one file exactly like `gazette parse`, without building the whole workspace.

use gazette_notice::{CleanOptions, InputKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .ok_or("usage: parse_file [--json] FILE")?;
    let bytes = std::fs::read(path)?;
    let kind = if path.ends_with(".txt") {
        InputKind::Text
    } else {
        InputKind::Auto
    };
    let (_, notices) = gazette_notice::parse(
        &bytes,
        &CleanOptions {
            kind,
            ..CleanOptions::default()
        },
    )?;
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({ "notices": notices }))?
    );
    Ok(())
}
