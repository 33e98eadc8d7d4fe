//! The `gazette` command line: a thin layer that parses flags, sets up logging and calls the
//! library. See `gazette --help`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use gazette::app::{Application, shutdown_on_signals};
use gazette::commands;
use gazette::settings::Settings;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Crawl, clean, parse and serve Chinese inspection rectification notices.
#[derive(Debug, Parser)]
#[command(name = "gazette", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the gRPC server and the scheduled crawler on one store.
    Serve {
        /// Address for gRPC [default: 127.0.0.1:50051, or the config file's].
        #[arg(long)]
        grpc_addr: Option<SocketAddr>,
        /// Store directory [default: ./gazette-data, or the config file's].
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// TOML config with the sources to crawl.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Start a sample publication site on loopback, crawl it, and serve the result over gRPC.
    Demo {
        /// Address for gRPC.
        #[arg(long, default_value = "127.0.0.1:50051")]
        grpc_addr: SocketAddr,
        /// Store directory [default: a temporary directory].
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Crawl the configured sources: with --once, one run of each and a summary; without, on
    /// their schedules until Ctrl-C. An interrupted run resumes where it stopped.
    Crawl {
        /// TOML config with the sources to crawl.
        #[arg(long)]
        config: PathBuf,
        /// Store directory [default: the config file's].
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Only this source.
        #[arg(long)]
        source: Option<String>,
        /// One run of each source, then exit.
        #[arg(long)]
        once: bool,
    },
    /// Clean and parse one file (.html or .txt; charset detected) and print its notices.
    Parse {
        /// The file.
        file: PathBuf,
        /// Print `{"notices":[…]}` JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the cleaned main text of files.
    Clean {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write DIR/NAME.txt for each input instead of printing.
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GAZETTE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .context("writing to stdout")?;
    out.flush().context("writing to stdout")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { file, json } => {
            let notices = commands::parse_file(&file)?;
            let text = if json {
                commands::notices_json(&notices)? + "\n"
            } else {
                commands::notices_summary(&notices)
            };
            print(&text)
        }
        Command::Clean { files, out_dir } => {
            print(&commands::clean_files(&files, out_dir.as_deref())?)
        }
        Command::Serve {
            grpc_addr,
            data_dir,
            config,
        } => {
            init_logging();
            let mut settings = match &config {
                Some(path) => Settings::from_file(path)?,
                None => Settings::default(),
            };
            settings.grpc_addr = grpc_addr.unwrap_or(settings.grpc_addr);
            settings.data_dir = data_dir.unwrap_or(settings.data_dir);
            let app = Application::build(settings).await?;
            tracing::info!(addr = %app.grpc_addr()?, "serving gRPC");
            app.run(shutdown_on_signals(), true).await
        }
        Command::Demo {
            grpc_addr,
            data_dir,
        } => {
            init_logging();
            // Kept alive until the end of main so the temporary store outlives the server.
            let temp = tempfile::tempdir().context("creating a temporary data dir")?;
            let data_dir = data_dir.unwrap_or_else(|| temp.path().to_path_buf());
            let settings = Settings {
                grpc_addr,
                data_dir,
                ..Settings::default()
            };
            commands::demo(settings, shutdown_on_signals()).await
        }
        Command::Crawl {
            config,
            data_dir,
            source,
            once,
        } => {
            init_logging();
            let mut settings = Settings::from_file(&config)?;
            settings.data_dir = data_dir.unwrap_or(settings.data_dir);
            let sources: Vec<_> = settings
                .sources
                .iter()
                .filter(|s| source.as_ref().is_none_or(|name| &s.name == name))
                .cloned()
                .collect();
            anyhow::ensure!(!sources.is_empty(), "no source to crawl");
            let summary = commands::crawl(settings, sources, once, shutdown_on_signals()).await?;
            print(&summary)
        }
    }
}
