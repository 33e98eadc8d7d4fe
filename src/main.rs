//! The `gazette` command line: a thin layer that parses flags, sets up logging and calls the
//! library. See `gazette --help`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use gazette::app::{Application, shutdown_on_signals};
use gazette::commands;
use gazette::settings::Settings;
use gazette::telemetry::{LogFormat, init_logging};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Crawl, clean, parse and serve Chinese inspection rectification notices.
#[derive(Debug, Parser)]
#[command(name = "gazette", version, about)]
struct Cli {
    /// Log line format on stderr (the filter comes from GAZETTE_LOG, default "info").
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
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
        #[arg(long, conflicts_with = "store")]
        data_dir: Option<PathBuf>,
        /// The store: a directory or a database URL [default: the config file's `[store] url`,
        /// else the data directory].
        #[arg(long)]
        store: Option<String>,
        /// TOML config with the sources to crawl.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Address of the Prometheus /metrics listener [default: none, or the config file's].
        #[arg(long)]
        metrics_addr: Option<SocketAddr>,
        /// Bearer token for admin calls (CrawlService) [default: the config file's, or
        /// GAZETTE_ADMIN_TOKEN; admin calls are refused without one].
        #[arg(long)]
        admin_token: Option<String>,
    },
    /// Start a sample publication site on loopback, crawl it, and serve the result over gRPC.
    Demo {
        /// Address for gRPC.
        #[arg(long, default_value = "127.0.0.1:50051")]
        grpc_addr: SocketAddr,
        /// Store directory [default: a temporary directory].
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Address of the Prometheus /metrics listener [default: none].
        #[arg(long)]
        metrics_addr: Option<SocketAddr>,
        /// Bearer token for admin calls (CrawlService); the demo prints it in its hints.
        #[arg(long, default_value = commands::DEMO_ADMIN_TOKEN)]
        admin_token: String,
    },
    /// Crawl the configured sources: with --once, one run of each and a summary; without, on
    /// their schedules until Ctrl-C. An interrupted run resumes where it stopped.
    Crawl {
        /// TOML config with the sources to crawl.
        #[arg(long)]
        config: PathBuf,
        /// Store directory [default: the config file's].
        #[arg(long, conflicts_with = "store")]
        data_dir: Option<PathBuf>,
        /// The store: a directory or a database URL [default: the config file's].
        #[arg(long)]
        store: Option<String>,
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
        #[arg(long, conflicts_with = "explain")]
        json: bool,
        /// Print each notice's outline: every section, item and issue with its role (measures,
        /// issue category, issue, plan…) and the evidence for it.
        #[arg(long)]
        explain: bool,
    },
    /// Write every page, notice and organisation as JSON Lines (a backup), streaming.
    Export {
        /// Store directory or database URL [default: ./gazette-data, or GAZETTE_DATA_DIR].
        #[arg(long = "data-dir", visible_alias = "store")]
        data_dir: Option<String>,
        /// Output file [default: stdout].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Read an export into the store, created if the directory does not exist (records with the
    /// same keys are replaced).
    Import {
        /// The export file.
        file: PathBuf,
        /// Store directory or database URL [default: ./gazette-data, or GAZETTE_DATA_DIR].
        #[arg(long = "data-dir", visible_alias = "store")]
        data_dir: Option<String>,
    },
    /// Check every record's checksum and every index entry; exit 1 if anything is damaged.
    Verify {
        /// Store directory or database URL [default: ./gazette-data, or GAZETTE_DATA_DIR].
        #[arg(long = "data-dir", visible_alias = "store")]
        data_dir: Option<String>,
    },
    /// Copy every record of one store into another, empty one (any backend to any other:
    /// a data directory or a database URL), then check that both hold as many records of
    /// each kind and print the counts. The source must not be written meanwhile.
    Migrate {
        /// The store to copy: a data directory or a database URL.
        #[arg(long)]
        from: String,
        /// The store to fill: a new or empty data directory, or an empty database.
        #[arg(long)]
        to: String,
    },
    /// Check configuration.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Ask a running server's gRPC health service whether it is serving (exit 0 if so); for
    /// container health checks.
    Healthcheck {
        /// The server's gRPC address.
        #[arg(long, default_value = "127.0.0.1:50051")]
        grpc_addr: SocketAddr,
    },
    /// Print the cleaned main text of files.
    Clean {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write a new DIR/NAME.txt for each input instead of printing (NAME-2.txt and so on
        /// when the name is taken: nothing is overwritten), and print which input went where.
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigAction {
    /// Load FILE with the environment overrides, validate it, and print the effective settings.
    Check {
        /// The TOML file.
        file: PathBuf,
    },
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
        Command::Parse {
            file,
            json,
            explain,
        } => {
            if explain {
                return print(&commands::explain_file(&file)?);
            }
            let notices = commands::parse_file(&file)?;
            let text = if json {
                commands::notices_json(&notices)? + "\n"
            } else {
                commands::notices_summary(&notices)
            };
            print(&text)
        }
        Command::Config {
            action: ConfigAction::Check { file },
        } => {
            let settings = Settings::load(Some(&file))?;
            if let Some(tls) = &settings.tls {
                // Parse the certificate and key as `serve` will, so a bad one fails here too.
                gazette::server::tls_server(tls)?;
            }
            print(&format!(
                "{} is valid: {} source(s)\n{settings:#?}\n",
                file.display(),
                settings.sources.len()
            ))
        }
        Command::Export { data_dir, out } => {
            eprintln!("{}", commands::export(data_dir.as_deref(), out.as_deref())?);
            Ok(())
        }
        Command::Import { file, data_dir } => {
            println!("{}", commands::import(&file, data_dir.as_deref())?);
            Ok(())
        }
        Command::Migrate { from, to } => print(&commands::migrate(&from, &to)?),
        Command::Verify { data_dir } => {
            let (report, sound) = commands::verify(data_dir.as_deref())?;
            print(&report)?;
            if sound { Ok(()) } else { std::process::exit(1) }
        }
        Command::Healthcheck { grpc_addr } => commands::healthcheck(grpc_addr).await,
        Command::Clean { files, out_dir } => {
            print(&commands::clean_files(&files, out_dir.as_deref())?)
        }
        Command::Serve {
            grpc_addr,
            data_dir,
            store,
            config,
            metrics_addr,
            admin_token,
        } => {
            init_logging(cli.log_format);
            let cancel = shutdown_on_signals()?;
            let mut settings = Settings::load(config.as_deref())?;
            settings.grpc_addr = grpc_addr.unwrap_or(settings.grpc_addr);
            settings.data_dir = data_dir.unwrap_or(settings.data_dir);
            if let Some(store) = store {
                settings.use_store(gazette::stores::StoreLocation::parse(&store));
            }
            settings.metrics_addr = metrics_addr.or(settings.metrics_addr);
            if let Some(token) = admin_token {
                settings.admin_token = Some(gazette::settings::Secret::new(token));
            }
            // `run` logs "serving" only once all setup has succeeded.
            Application::build(settings).await?.run(cancel, true).await
        }
        Command::Demo {
            grpc_addr,
            data_dir,
            metrics_addr,
            admin_token,
        } => {
            init_logging(cli.log_format);
            // Kept alive until the end of main so the temporary store outlives the server.
            let temp = tempfile::tempdir().context("creating a temporary data dir")?;
            let data_dir = data_dir.unwrap_or_else(|| temp.path().to_path_buf());
            let settings = Settings {
                grpc_addr,
                data_dir,
                metrics_addr,
                admin_token: Some(gazette::settings::Secret::new(admin_token)),
                ..Settings::default()
            };
            commands::demo(settings, shutdown_on_signals()?).await
        }
        Command::Crawl {
            config,
            data_dir,
            store,
            source,
            once,
        } => {
            init_logging(cli.log_format);
            let mut settings = Settings::load(Some(&config))?;
            settings.data_dir = data_dir.unwrap_or(settings.data_dir);
            if let Some(store) = store {
                settings.use_store(gazette::stores::StoreLocation::parse(&store));
            }
            let sources: Vec<_> = settings
                .sources
                .iter()
                .filter(|s| source.as_ref().is_none_or(|name| &s.name == name))
                .cloned()
                .collect();
            anyhow::ensure!(!sources.is_empty(), "no source to crawl");
            let summary = commands::crawl(settings, sources, once, shutdown_on_signals()?).await?;
            print(&summary)
        }
    }
}
