//! The `soapstone` binary: parses the command line and runs the chosen command.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use soapstone::app::{AppConfig, build};
use soapstone::binding::{ServerOptions, serve};
use soapstone::cli::{Cli, Command, SeedArgs, ServeArgs, seconds};
use soapstone::db::{Database, DbOptions};
use soapstone::seed::{SeedCounts, seed};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Migrate(args) => Database::migrate(&args.db)
            .map(|version| {
                println!(
                    "database {} is at schema version {version}",
                    args.db.display()
                )
            })
            .map_err(|e| e.to_string()),
        Command::Serve(args) => run_server(args),
        Command::Seed(args) => run_seed(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("soapstone: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_seed(args: SeedArgs) -> Result<(), String> {
    let started = std::time::Instant::now();
    let counts = SeedCounts {
        users: args.users,
        products: args.products,
        orders: args.orders,
    };
    let seeded =
        seed(&args.db.db, counts, std::io::stderr().is_terminal()).map_err(|e| e.to_string())?;
    println!(
        "added {} users, {} products, {} orders with {} order lines to {} in {:.1} s",
        seeded.users,
        seeded.products,
        seeded.orders,
        seeded.order_lines,
        args.db.db.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn run_server(args: ServeArgs) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let mut db = DbOptions::new(&args.db.db);
        db.durability = args.durability.into();
        db.max_bytes = args.db_max_bytes;
        let mut config = AppConfig::new(db);
        config.bench = args.bench;
        config.deadline = seconds(args.request_timeout);
        config.requests.max_body = args.max_body;
        config.requests.max_in_flight = args.max_in_flight.max(1);
        config.requests.body_read_timeout = seconds(args.body_timeout);
        let options = ServerOptions {
            header_read_timeout: seconds(args.header_timeout),
            max_connections: args.max_connections.max(1),
            ..ServerOptions::default()
        };
        let app = build(&config).await.map_err(|e| e.to_string())?;
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        tracing::info!(db = %app.db.path().display(), "listening on http://{addr}");
        serve(listener, app.routes, options, shutdown_signal()).await;
        tracing::info!("stopped");
        Ok(())
    })
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot watch SIGTERM");
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutdown requested");
}
