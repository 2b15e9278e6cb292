//! Command-line interface: `serve`, `migrate`, `seed`, `backup`, `restore`, `config check`,
//! `user add`, `user digest-secret`, `user suspend`, `--version`. Every serve setting is optional here: unset ones come from the environment
//! (`SOAPSTONE_*`), then the configuration file, then the defaults (see `config`).

use std::path::PathBuf;

use clap::error::{ContextKind, ContextValue};
use clap::{CommandFactory, Parser, Subcommand};

use crate::config::Layer;

/// Soapstone: a SOAP 1.1/1.2 web service server, contract-first from WSDL.
#[derive(Debug, Parser)]
#[command(name = "soapstone", version, about, propagate_version = true)]
pub struct Cli {
    /// Configuration file (TOML; see README "Configuration").
    #[arg(long, global = true, env = "SOAPSTONE_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The command line, parsed; on a usage error, clap's message and exit status, with a
    /// value refused from the environment named by its variable rather than its flag.
    pub fn parse_or_exit() -> Cli {
        Cli::try_parse().unwrap_or_else(|error| match from_environment(&error) {
            Some((shown, variable)) => {
                let message = error.to_string().replace(
                    &format!("'{shown}'"),
                    &format!("environment variable {variable}"),
                );
                eprint!("{message}");
                std::process::exit(error.exit_code())
            }
            None => error.exit(),
        })
    }
}

/// The argument as clap shows it (`--max-body <MAX_BODY>`) and the environment variable
/// that `error`'s value came from, when it came from one: the flag is not on the command
/// line and its variable is set.
fn from_environment(error: &clap::Error) -> Option<(String, String)> {
    let Some(ContextValue::String(shown)) = error.get(ContextKind::InvalidArg) else {
        return None;
    };
    let flag = shown.split(' ').next()?;
    let long = flag.strip_prefix("--")?;
    let on_command_line = std::env::args_os().skip(1).any(|arg| {
        arg.to_str()
            .is_some_and(|a| a == flag || a.strip_prefix(flag).is_some_and(|r| r.starts_with('=')))
    });
    if on_command_line {
        return None;
    }
    let variable = variable_of(&Cli::command(), long)?;
    std::env::var_os(&variable)?;
    Some((shown.clone(), variable))
}

/// The environment variable of the flag `--long` in `command` or its subcommands.
fn variable_of(command: &clap::Command, long: &str) -> Option<String> {
    command
        .get_arguments()
        .find(|arg| arg.get_long() == Some(long))
        .and_then(|arg| arg.get_env())
        .map(|env| env.to_string_lossy().into_owned())
        .or_else(|| {
            command
                .get_subcommands()
                .find_map(|sub| variable_of(sub, long))
        })
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve every service over HTTP until SIGTERM or SIGINT; SIGHUP reloads the TLS
    /// certificate, the signature CA and the log level.
    Serve(SettingsArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate(DbArgs),
    /// Add realistic users, products and orders to the database (for demos and benchmarks).
    Seed(SeedArgs),
    /// Write a consistent copy of the database to a file, also while the server is serving.
    Backup(BackupArgs),
    /// Replace the database with a backup (stop the server first).
    Restore(RestoreArgs),
    /// Work with the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Manage user credentials from the command line (e.g. the first admin).
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user whose password is read from standard input (its first line).
    Add(UserAddArgs),
    /// Give a user a UsernameToken PasswordDigest secret, read from standard input (its
    /// first line), stored sealed under the secret key.
    DigestSecret(DigestSecretArgs),
    /// Suspend a user: its sessions end and no server authenticates it from then on
    /// (UpdateUser with status active lifts it).
    Suspend(SuspendArgs),
}

#[derive(Debug, clap::Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// A role of the user; repeat for several (admin, clerk, customer, auditor).
    #[arg(long = "role", required = true, value_parser = ["admin", "clerk", "customer", "auditor"])]
    pub roles: Vec<String>,
    /// The user's email [default: NAME@localhost.localdomain].
    #[arg(long)]
    pub email: Option<String>,
    /// The username.
    pub name: String,
}

#[derive(Debug, clap::Args)]
pub struct DigestSecretArgs {
    #[command(flatten)]
    pub db: CredentialDbArgs,
    /// Key sealing the secret: 64 hex digits (the server must be given the same).
    #[arg(long, env = "SOAPSTONE_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// The username.
    pub name: String,
}

#[derive(Debug, clap::Args)]
pub struct SuspendArgs {
    #[command(flatten)]
    pub db: CredentialDbArgs,
    /// The username.
    pub name: String,
}

/// The database, and the Redis of the servers on it, for commands that change credentials.
#[derive(Debug, clap::Args)]
pub struct CredentialDbArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The Redis the servers share (PostgreSQL), told of the change so that no server's
    /// credential cache serves the old credentials from then on [default: from the
    /// configuration, else none: the servers see the change within a second].
    #[arg(long, env = "SOAPSTONE_REDIS")]
    pub redis: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration (file, environment and flags merged), or say what is
    /// wrong with it and exit with status 2.
    Check(SettingsArgs),
}

/// The database, for commands that only need it.
#[derive(Debug, clap::Args)]
pub struct DbArgs {
    /// SQLite database file or postgres:// URL [default: from the configuration, else
    /// ./data/soapstone.db].
    #[arg(long, env = "SOAPSTONE_DB")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Users to add (about nine in ten are customers).
    #[arg(long, default_value_t = 0)]
    pub users: u64,
    /// Products to add.
    #[arg(long, default_value_t = 0)]
    pub products: u64,
    /// Orders to add (1 to 5 lines each, 3 on average), for the customers and products in the
    /// database.
    #[arg(long, default_value_t = 0)]
    pub orders: u64,
}

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The backup file to write (replaced if it exists).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The backup file to restore.
    #[arg(long)]
    pub from: PathBuf,
    /// Overwrite an existing database.
    #[arg(long)]
    pub force: bool,
}

/// Settings of `serve` (and `config check`); see README "Configuration" for each.
#[derive(Debug, Default, clap::Args)]
pub struct SettingsArgs {
    /// Address to listen on (port 0 picks a free port) [default: 127.0.0.1:8080].
    #[arg(long, env = "SOAPSTONE_LISTEN")]
    pub listen: Option<String>,
    /// SQLite database file, created with its folder on first run, or a
    /// postgres://user:password@host:port/dbname URL [default: ./data/soapstone.db].
    #[arg(long, env = "SOAPSTONE_DB")]
    pub db: Option<PathBuf>,
    /// full: acknowledged writes survive power loss; normal: survive a crash of the process,
    /// faster, may lose the last writes on power loss [default: full].
    #[arg(long, env = "SOAPSTONE_DURABILITY", value_parser = ["full", "normal"])]
    pub durability: Option<String>,
    /// Serve the benchmark contract (urn:bench) at /bench [default: true].
    #[arg(long, env = "SOAPSTONE_BENCH")]
    pub bench: Option<bool>,
    /// Serve the HTML service pages at /services, /services/<Service> and /bench; the
    /// contracts (?wsdl, ?xsd=) are served either way [default: true].
    #[arg(long, env = "SOAPSTONE_PAGES")]
    pub pages: Option<bool>,
    /// Log lines as human-readable text or JSON [default: human].
    #[arg(long, env = "SOAPSTONE_LOG_FORMAT", value_parser = ["human", "json"])]
    pub log_format: Option<String>,
    /// Log filter: a level (error, warn, info, debug, trace) or EnvFilter directives such as
    /// info,soapstone::access=warn [default: RUST_LOG, else info].
    #[arg(long, env = "SOAPSTONE_LOG_LEVEL")]
    pub log_level: Option<String>,
    /// Largest request body in bytes, after inflating gzip/deflate [default: 16777216].
    #[arg(long, env = "SOAPSTONE_MAX_BODY")]
    pub max_body: Option<usize>,
    /// Largest total size in bytes of an MTOM request's attachments (the envelope part has
    /// max-body) [default: 67108864].
    #[arg(long, env = "SOAPSTONE_MAX_ATTACHMENTS")]
    pub max_attachments: Option<usize>,
    /// Most attachments in an MTOM request [default: 16].
    #[arg(long, env = "SOAPSTONE_MAX_PARTS")]
    pub max_parts: Option<usize>,
    /// Open connections at once (503 with Retry-After beyond) [default: 1024].
    #[arg(long, env = "SOAPSTONE_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// SOAP requests handled at once (503 with Retry-After beyond) [default: 512].
    #[arg(long, env = "SOAPSTONE_MAX_IN_FLIGHT")]
    pub max_in_flight: Option<usize>,
    /// Seconds to send request headers; also the keep-alive idle time [default: 10].
    #[arg(long, env = "SOAPSTONE_HEADER_TIMEOUT")]
    pub header_timeout: Option<f64>,
    /// Seconds to send a request body (408 beyond) [default: 30].
    #[arg(long, env = "SOAPSTONE_BODY_TIMEOUT")]
    pub body_timeout: Option<f64>,
    /// Seconds an operation may run before the request gets a Server fault [default: 30].
    #[arg(long, env = "SOAPSTONE_REQUEST_TIMEOUT")]
    pub request_timeout: Option<f64>,
    /// Largest size the database may grow to, in bytes [default: unlimited].
    #[arg(long, env = "SOAPSTONE_DB_MAX_BYTES")]
    pub db_max_bytes: Option<u64>,
    /// SOAP requests per second allowed per client address; 0 for no limit [default: 0].
    #[arg(long, env = "SOAPSTONE_RATE_LIMIT")]
    pub rate_limit: Option<f64>,
    /// Requests a client may send at once before the rate applies [default: 50].
    #[arg(long, env = "SOAPSTONE_RATE_BURST")]
    pub rate_burst: Option<u32>,
    /// Smallest response compressed for clients that accept gzip/deflate [default: 1024].
    #[arg(long, env = "SOAPSTONE_COMPRESS_MIN_BYTES")]
    pub compress_min_bytes: Option<u16>,
    /// Key sealing UsernameToken digest secrets: 64 hex digits. Prefer the environment
    /// variable or the file over the flag, which other users can see [default: none, digest
    /// authentication off].
    #[arg(long, env = "SOAPSTONE_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Seconds a Login session lasts [default: 3600].
    #[arg(long, env = "SOAPSTONE_SESSION_TTL")]
    pub session_ttl: Option<f64>,
    /// SOAP requests per second allowed per authenticated user (bursts of --rate-burst); 0 for
    /// no limit [default: 0].
    #[arg(long, env = "SOAPSTONE_USER_RATE_LIMIT")]
    pub user_rate_limit: Option<f64>,
    /// Serve HTTPS with this PEM certificate chain (needs --tls-key).
    #[arg(long, env = "SOAPSTONE_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "SOAPSTONE_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// Require client certificates issued by these PEM CAs (mTLS); a certificate whose
    /// subject CN is a username authenticates that user.
    #[arg(long, env = "SOAPSTONE_TLS_CLIENT_CA")]
    pub tls_client_ca: Option<PathBuf>,
    /// Accept X.509 signed messages whose certificate chains to these PEM CAs; the subject
    /// CN is the username [default: none, signed messages refused].
    #[arg(long, env = "SOAPSTONE_SIGNATURE_CA")]
    pub signature_ca: Option<PathBuf>,
    /// Sign the responses to X.509 signed requests with this PEM certificate (needs
    /// --signature-key) [default: none, responses unsigned].
    #[arg(long, env = "SOAPSTONE_SIGNATURE_CERT")]
    pub signature_cert: Option<PathBuf>,
    /// The PEM RSA private key of --signature-cert.
    #[arg(long, env = "SOAPSTONE_SIGNATURE_KEY")]
    pub signature_key: Option<PathBuf>,
    /// Proxies (addresses or CIDR blocks, comma-separated) whose Forwarded / X-Forwarded-*
    /// headers are believed [default: none].
    #[arg(long, env = "SOAPSTONE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Option<Vec<String>>,
    /// The address served contracts name, e.g. https://soap.example.com [default: from Host].
    #[arg(long, env = "SOAPSTONE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Accept PasswordText and Login passwords over plain HTTP from other machines
    /// [default: false].
    #[arg(long, env = "SOAPSTONE_ALLOW_PLAINTEXT_PASSWORDS")]
    pub allow_plaintext_passwords: Option<bool>,
    /// Seconds a message's wsu:Created may be old, whatever its Expires says [default: 300].
    #[arg(long, env = "SOAPSTONE_TIMESTAMP_TTL")]
    pub timestamp_ttl: Option<f64>,
    /// Seconds a wsu:Created may be in the future [default: 60].
    #[arg(long, env = "SOAPSTONE_CLOCK_SKEW")]
    pub clock_skew: Option<f64>,
    /// Failed authentications in a row (per username, per client address) before further
    /// attempts wait out a backoff; 0 turns throttling off [default: 5].
    #[arg(long, env = "SOAPSTONE_AUTH_FAILURE_LIMIT")]
    pub auth_failure_limit: Option<u32>,
    /// Seconds of the first backoff, doubled with every further failure [default: 1].
    #[arg(long, env = "SOAPSTONE_AUTH_BACKOFF")]
    pub auth_backoff: Option<f64>,
    /// Longest backoff in seconds [default: 300].
    #[arg(long, env = "SOAPSTONE_AUTH_BACKOFF_MAX")]
    pub auth_backoff_max: Option<f64>,
    /// Redis shared by the nodes (product cache stamps, rate limits, failed-authentication
    /// counters, nonces), e.g. redis://127.0.0.1:6379/0 [default: none].
    #[arg(long, env = "SOAPSTONE_REDIS")]
    pub redis: Option<String>,
    /// OpenTelemetry collector to export request spans to over OTLP/HTTP, e.g.
    /// http://127.0.0.1:4318 (`/v1/traces` is added) [default: none, tracing off].
    #[arg(long, env = "SOAPSTONE_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
    /// PostgreSQL connections per node at most [default: 16].
    #[arg(long, env = "SOAPSTONE_DB_POOL_SIZE")]
    pub db_pool_size: Option<usize>,
    /// Seconds a request waits for a PostgreSQL connection before "storage unavailable"
    /// [default: 2].
    #[arg(long, env = "SOAPSTONE_DB_POOL_WAIT")]
    pub db_pool_wait: Option<f64>,
    /// 64 hexadecimal digits sealing page tokens; the same on every node [default: a key
    /// made once and kept in the database, which every node on it shares].
    #[arg(long, env = "SOAPSTONE_PAGE_TOKEN_KEY", hide_env_values = true)]
    pub page_token_key: Option<String>,
}

impl SettingsArgs {
    /// These flags (and environment variables) as a configuration layer.
    pub fn layer(&self) -> Layer {
        Layer {
            listen: self.listen.clone(),
            db: self.db.clone(),
            durability: self.durability.clone(),
            bench: self.bench,
            pages: self.pages,
            log_format: self.log_format.clone(),
            log_level: self.log_level.clone(),
            max_body: self.max_body,
            max_attachments: self.max_attachments,
            max_parts: self.max_parts,
            max_connections: self.max_connections,
            max_in_flight: self.max_in_flight,
            header_timeout: self.header_timeout,
            body_timeout: self.body_timeout,
            request_timeout: self.request_timeout,
            db_max_bytes: self.db_max_bytes,
            rate_limit: self.rate_limit,
            rate_burst: self.rate_burst,
            compress_min_bytes: self.compress_min_bytes,
            secret_key: self.secret_key.clone(),
            session_ttl: self.session_ttl,
            user_rate_limit: self.user_rate_limit,
            tls_cert: self.tls_cert.clone(),
            tls_key: self.tls_key.clone(),
            tls_client_ca: self.tls_client_ca.clone(),
            signature_ca: self.signature_ca.clone(),
            signature_cert: self.signature_cert.clone(),
            signature_key: self.signature_key.clone(),
            trusted_proxies: self.trusted_proxies.clone(),
            public_url: self.public_url.clone(),
            allow_plaintext_passwords: self.allow_plaintext_passwords,
            timestamp_ttl: self.timestamp_ttl,
            clock_skew: self.clock_skew,
            auth_failure_limit: self.auth_failure_limit,
            auth_backoff: self.auth_backoff,
            auth_backoff_max: self.auth_backoff_max,
            redis: self.redis.clone(),
            otlp_endpoint: self.otlp_endpoint.clone(),
            db_pool_size: self.db_pool_size,
            db_pool_wait: self.db_pool_wait,
            page_token_key: self.page_token_key.clone(),
        }
    }
}
