//! The `soapstone` binary: parses the command line, resolves the configuration, and runs the
//! chosen command.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use soapstone::app::{AppConfig, build};
use soapstone::binding::{ProxyTrust, ServerOptions, serve};
use soapstone::cli::{
    Cli, Command, ConfigCommand, CredentialDbArgs, DbArgs, SeedArgs, UserCommand,
};
use soapstone::common::Reloadable;
use soapstone::config::{Layer, LogFormat, Settings, read_file};
use soapstone::db::{DbOptions, backup, restore};
use soapstone::logging::{self, LogFilter, LogWriter};
use soapstone::pg::PgOptions;
use soapstone::reload::{self, Reloader};
use soapstone::security::signer::ResponseSigner;
use soapstone::security::{SecretKey, ThrottleConfig};
use soapstone::seed::{SeedCounts, seed};
use soapstone::storage::{Location, Storage};
use soapstone::user_commands::{add_user, read_secret_line, set_digest_secret, suspend_user};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse_or_exit();
    let file = match read_file(cli.config.as_deref()) {
        Ok(file) => file,
        Err(e) => return fail(&e.to_string(), 2),
    };
    let result = match cli.command {
        Command::Serve(args) => {
            let flags = args.layer();
            let settings = match Settings::from_layer(flags.clone().over(file)) {
                Ok(settings) => settings,
                Err(e) => return fail(&e.to_string(), 2),
            };
            let logger = logging::filter(&settings.log_level).and_then(|filter| {
                logging::init(
                    settings.log_format,
                    filter,
                    LogWriter::Background,
                    settings.otlp_endpoint.as_deref(),
                )
            });
            let (log, _flush) = match logger {
                Ok(logger) => logger,
                Err(e) => return fail(&e.to_string(), 2),
            };
            run_server(
                settings,
                Started {
                    file: cli.config,
                    flags,
                    log,
                },
            )
        }
        Command::Config(ConfigCommand::Check(args)) => {
            return match Settings::from_layer(args.layer().over(file)) {
                Ok(settings) => {
                    print!("{}", settings.to_toml());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e.to_string(), 2),
            };
        }
        Command::Migrate(args) => {
            init_logging(LogFormat::Human);
            let db = database(&args, &file);
            block_on(async { Storage::migrate(&db).await.map_err(|e| e.to_string()) })
                .map(|version| println!("database {db} is at schema version {version}"))
        }
        Command::User(UserCommand::Add(args)) => {
            init_logging(LogFormat::Human);
            let db = database(&args.db, &file);
            read_secret_line().and_then(|password| {
                block_on(add_user(&db, &args.name, args.email, &args.roles, password))
                    .map(|id| println!("created user {} (id {id}) in {db}", args.name))
            })
        }
        Command::User(UserCommand::DigestSecret(args)) => {
            init_logging(LogFormat::Human);
            let (db, redis) = credential_database(&args.db, &file);
            let key = args.secret_key.clone().or_else(|| file.secret_key.clone());
            match key.as_deref().map(SecretKey::from_hex) {
                None => Err(
                    "a secret key is needed: set SOAPSTONE_SECRET_KEY, secret_key in the \
                     configuration file, or --secret-key"
                        .to_string(),
                ),
                Some(Err(e)) => Err(e.to_string()),
                Some(Ok(key)) => read_secret_line().and_then(|secret| {
                    block_on(set_digest_secret(
                        &db,
                        redis.as_deref(),
                        &key,
                        &args.name,
                        &secret,
                    ))
                    .map(|()| println!("set the digest secret of {}", args.name))
                }),
            }
        }
        Command::User(UserCommand::Suspend(args)) => {
            init_logging(LogFormat::Human);
            let (db, redis) = credential_database(&args.db, &file);
            block_on(suspend_user(&db, redis.as_deref(), &args.name))
                .map(|()| println!("suspended {} in {db}", args.name))
        }
        Command::Seed(args) => {
            init_logging(LogFormat::Human);
            run_seed(&args, &file)
        }
        Command::Backup(args) => {
            init_logging(LogFormat::Human);
            sqlite_only(database(&args.db, &file), "pg_dump").and_then(|db| {
                backup(&db, &args.out)
                    .map(|pages| {
                        println!(
                            "backed up {} to {} ({pages} pages)",
                            db.display(),
                            args.out.display()
                        )
                    })
                    .map_err(|e| e.to_string())
            })
        }
        Command::Restore(args) => {
            init_logging(LogFormat::Human);
            sqlite_only(database(&args.db, &file), "pg_restore").and_then(|db| {
                restore(&args.from, &db, args.force)
                    .map(|pages| {
                        println!(
                            "restored {} from {} ({pages} pages)",
                            db.display(),
                            args.from.display()
                        )
                    })
                    .map_err(|e| e.to_string())
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message, 1),
    }
}

fn fail(message: &str, code: u8) -> ExitCode {
    eprintln!("soapstone: {message}");
    ExitCode::from(code)
}

/// The database: the flag or environment, else the configuration file, else the default.
fn database(args: &DbArgs, file: &Layer) -> Location {
    Location::of(
        &args
            .db
            .clone()
            .or_else(|| file.db.clone())
            .or_else(|| Layer::defaults().db)
            .unwrap_or_default(),
    )
}

/// The database of a command that changes credentials, and the Redis of its servers.
fn credential_database(args: &CredentialDbArgs, file: &Layer) -> (Location, Option<String>) {
    let redis = args.redis.clone().or_else(|| file.redis.clone());
    (database(&args.db, file), redis)
}

/// The SQLite file of `db`; for PostgreSQL, the error naming the tool that does the job.
fn sqlite_only(db: Location, tool: &str) -> Result<PathBuf, String> {
    match db {
        Location::Sqlite(path) => Ok(path),
        Location::Postgres(url) => Err(format!(
            "{} is a PostgreSQL database: use {tool}, PostgreSQL's own tool, which copies a \
             consistent snapshot while the nodes keep serving (README: Running more than one node)",
            soapstone::pg::redacted(&url)
        )),
    }
}

/// Logging for the commands other than `serve`: filtered by `RUST_LOG`, else `info`.
fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Written directly, so nothing is left to flush.
    let _ = logging::init(format, filter, LogWriter::Direct, None);
}

/// Runs `future` to completion on a small runtime of its own.
fn block_on<T>(future: impl std::future::Future<Output = Result<T, String>>) -> Result<T, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?
        .block_on(future)
}

fn run_seed(args: &SeedArgs, file: &Layer) -> Result<(), String> {
    let started = std::time::Instant::now();
    let counts = SeedCounts {
        users: args.users,
        products: args.products,
        orders: args.orders,
    };
    let db = database(&args.db, file);
    let progress = std::io::stderr().is_terminal();
    let seeded = block_on(async { seed(&db, counts, progress).await.map_err(|e| e.to_string()) })?;
    println!(
        "added {} users, {} products, {} orders with {} order lines to {} in {:.1} s",
        seeded.users,
        seeded.products,
        seeded.orders,
        seeded.order_lines,
        db,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// How `serve` was started: what a reload reads again, and the logger it may change.
struct Started {
    file: Option<PathBuf>,
    flags: Layer,
    log: LogFilter,
}

fn run_server(settings: Settings, started: Started) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let location = Location::of(&settings.db);
        let mut db = DbOptions::new(&settings.db);
        db.durability = settings.durability;
        db.max_bytes = settings.db_max_bytes;
        let mut config = AppConfig::new(db);
        if let Location::Postgres(url) = &location {
            config.postgres = Some(PgOptions {
                url: url.clone(),
                pool_size: settings.db_pool_size,
                wait: settings.db_pool_wait,
            });
        }
        config.redis = settings.redis.clone();
        config.page_token_key = settings.page_token_key.as_ref().map(SecretKey::bytes);
        config.bench = settings.bench;
        config.pages = settings.pages;
        config.deadline = settings.request_timeout;
        config.requests.max_body = settings.max_body;
        config.requests.max_attachments = settings.max_attachments as u64;
        config.requests.max_parts = settings.max_parts;
        config.requests.max_in_flight = settings.max_in_flight;
        config.requests.body_read_timeout = settings.body_timeout;
        config.requests.rate_limit = settings.rate_limit;
        config.requests.rate_burst = settings.rate_burst;
        config.security.secret_key = settings.secret_key.clone();
        config.security.session_ttl = settings.session_ttl;
        config.security.user_rate_limit = settings.user_rate_limit;
        config.security.user_rate_burst = settings.rate_burst;
        config.security.timestamp_ttl = settings.timestamp_ttl;
        config.security.clock_skew = settings.clock_skew;
        config.security.allow_plaintext_passwords = settings.allow_plaintext_passwords;
        config.security.throttle = ThrottleConfig {
            limit: settings.auth_failure_limit,
            backoff: settings.auth_backoff,
            max_backoff: settings.auth_backoff_max,
        };
        config.proxies = ProxyTrust::new(&settings.trusted_proxies, settings.public_url.clone())
            .map_err(|e| e.to_string())?;
        let signature_trust = Reloadable::new(
            reload::signature_trust(settings.signature_ca.as_deref()).map_err(|e| e.to_string())?,
        );
        config.security.signature_trust = signature_trust.clone();
        if let Some(files) = &settings.signature_signer {
            let read = |path: &std::path::Path| {
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
            };
            let signer = ResponseSigner::from_pem(&read(&files.cert)?, &read(&files.key)?)
                .map_err(|e| format!("{} / {}: {e}", files.cert.display(), files.key.display()))?;
            config.security.response_signer = Some(std::sync::Arc::new(signer));
        } else if settings.signature_ca.is_some() {
            tracing::warn!(
                "signed requests are accepted (signature_ca) but their responses go out unsigned: \
                 set signature_cert and signature_key to sign them"
            );
        }
        let options = ServerOptions {
            header_read_timeout: settings.header_timeout,
            max_connections: settings.max_connections,
            compress_min_bytes: settings.compress_min_bytes,
            tls: reload::tls(settings.tls.as_ref()).map_err(|e| e.to_string())?,
            ..ServerOptions::default()
        };
        reload_on_hangup(Reloader {
            file: started.file,
            flags: started.flags,
            running: settings.clone(),
            tls: options.tls.clone(),
            signature_trust,
            log: started.log,
        })?;
        let app = build(&config).await.map_err(|e| e.to_string())?;
        let listener = tokio::net::TcpListener::bind(settings.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", settings.listen))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let scheme = if options.tls.is_some() {
            "https"
        } else {
            "http"
        };
        tracing::info!(db = %location, "listening on {scheme}://{addr}");
        serve(listener, app.routes.clone(), options, shutdown_signal()).await;
        if !app.shutdown(std::time::Duration::from_secs(10)).await {
            tracing::warn!("the database writer did not close in time");
        }
        tracing::info!("stopped");
        Ok(())
    })
}

/// Reloads the configuration on every SIGHUP (unix), off the async threads; the handler is
/// installed before the database opens, so SIGHUP does not end the process once it is serving.
fn reload_on_hangup(reloader: Reloader) -> Result<(), String> {
    #[cfg(unix)]
    {
        let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            .map_err(|e| format!("cannot watch SIGHUP: {e}"))?;
        tokio::spawn(async move {
            let mut reloader = reloader;
            while hangup.recv().await.is_some() {
                tracing::info!("SIGHUP: reloading the configuration");
                let reloaded = tokio::task::spawn_blocking(move || {
                    reloader.reload();
                    reloader
                });
                match reloaded.await {
                    Ok(next) => reloader = next,
                    Err(e) => {
                        tracing::error!(error = %e, "the reload failed; SIGHUP is ignored from now on");
                        return;
                    }
                }
            }
        });
    }
    #[cfg(not(unix))]
    drop(reloader);
    Ok(())
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
