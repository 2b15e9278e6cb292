//! Command-line interface: `serve`, `migrate`, `seed`, `--version`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::db::Durability;

/// Soapstone: a SOAP 1.1/1.2 web service server, contract-first from WSDL.
#[derive(Debug, Parser)]
#[command(name = "soapstone", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve every service over HTTP until SIGTERM or SIGINT.
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate(DbArgs),
    /// Add realistic users, products and orders to the database (for demos and benchmarks).
    Seed(SeedArgs),
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
pub struct DbArgs {
    /// SQLite database file; created with its folder on first run.
    #[arg(long, env = "SOAPSTONE_DB", default_value = "./data/soapstone.db")]
    pub db: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "SOAPSTONE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub db: DbArgs,
    /// full: every acknowledged write survives power loss; normal: survives a crash of the
    /// process, faster, may lose the last writes on power loss.
    #[arg(long, env = "SOAPSTONE_DURABILITY", value_enum, default_value_t = DurabilityArg::Full)]
    pub durability: DurabilityArg,
    /// Serve the benchmark contract (urn:bench) at /bench.
    #[arg(long, env = "SOAPSTONE_BENCH", default_value_t = true, action = clap::ArgAction::Set)]
    pub bench: bool,
    /// Largest request body in bytes, after inflating gzip/deflate (413 beyond).
    #[arg(long, env = "SOAPSTONE_MAX_BODY", default_value_t = 16 * 1024 * 1024)]
    pub max_body: usize,
    /// Open connections at once (503 with Retry-After beyond).
    #[arg(long, env = "SOAPSTONE_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// SOAP requests handled at once (503 with Retry-After beyond).
    #[arg(long, env = "SOAPSTONE_MAX_IN_FLIGHT", default_value_t = 512)]
    pub max_in_flight: usize,
    /// Seconds a client may take to send request headers; also the keep-alive idle time.
    #[arg(long, env = "SOAPSTONE_HEADER_TIMEOUT", default_value_t = 10.0)]
    pub header_timeout: f64,
    /// Seconds a client may take to send a request body (408 beyond).
    #[arg(long, env = "SOAPSTONE_BODY_TIMEOUT", default_value_t = 30.0)]
    pub body_timeout: f64,
    /// Seconds an operation may run before the request gets a Server fault.
    #[arg(long, env = "SOAPSTONE_REQUEST_TIMEOUT", default_value_t = 30.0)]
    pub request_timeout: f64,
    /// Largest size the database may grow to, in bytes (writes beyond get a Server fault).
    #[arg(long, env = "SOAPSTONE_DB_MAX_BYTES")]
    pub db_max_bytes: Option<u64>,
}

/// A positive number of seconds as a duration (at least a millisecond).
pub fn seconds(value: f64) -> std::time::Duration {
    std::time::Duration::from_secs_f64(value.clamp(0.001, 1e9))
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DurabilityArg {
    Full,
    Normal,
}

impl From<DurabilityArg> for Durability {
    fn from(arg: DurabilityArg) -> Self {
        match arg {
            DurabilityArg::Full => Durability::Full,
            DurabilityArg::Normal => Durability::Normal,
        }
    }
}
