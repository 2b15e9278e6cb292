//! Logging to stderr, as human-readable text or JSON lines, through an EnvFilter (`log_level`)
//! that can be replaced while the server runs; the server writes its lines from a background
//! thread (tracing-appender), off the request path.

use std::io::IsTerminal;

use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry, fmt, reload};

use crate::config::LogFormat;

/// Why a log filter cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("log_level {directives:?} is not a valid filter: {reason}")]
    Filter { directives: String, reason: String },
    #[error("the log filter cannot be replaced: {0}")]
    Replace(String),
}

/// The filter of `directives`: a level (`error` … `trace`) or EnvFilter directives such as
/// `info,soapstone::access=warn`.
pub fn filter(directives: &str) -> Result<EnvFilter, LogError> {
    let invalid = |reason: String| LogError::Filter {
        directives: directives.to_string(),
        reason,
    };
    if directives.trim().is_empty() {
        return Err(invalid("it is empty".into()));
    }
    EnvFilter::try_new(directives).map_err(|e| invalid(e.to_string()))
}

/// The filter of the installed logger, to replace it.
#[derive(Debug, Clone)]
pub struct LogFilter(reload::Handle<EnvFilter, Registry>);

impl LogFilter {
    /// Filters every later event with `next`.
    pub fn replace(&self, next: EnvFilter) -> Result<(), LogError> {
        self.0
            .reload(next)
            .map_err(|e| LogError::Replace(e.to_string()))
    }
}

/// Keeps the background log writer running; dropping it writes what is queued and stops it.
#[must_use = "dropping it stops the background log writer"]
pub struct LogFlush {
    _guard: Option<tracing_appender::non_blocking::WorkerGuard>,
}

/// Where log lines go: stderr from the thread that logs (short commands), or through a
/// bounded queue to a writer thread (the server), so that no request waits on stderr. The
/// queue blocks when full rather than dropping lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogWriter {
    Direct,
    Background,
}

/// Installs the process-wide logger: `format` lines on stderr, filtered by `filter`.
pub fn init(format: LogFormat, filter: EnvFilter, writer: LogWriter) -> (LogFilter, LogFlush) {
    let (filter, handle) = reload::Layer::new(filter);
    let logger = tracing_subscriber::registry().with(filter);
    let (sink, guard) = match writer {
        LogWriter::Direct => (BoxMakeWriter::new(std::io::stderr), None),
        LogWriter::Background => {
            let (sink, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .lossy(false)
                .finish(std::io::stderr());
            (BoxMakeWriter::new(sink), Some(guard))
        }
    };
    match format {
        LogFormat::Human => logger
            .with(
                fmt::layer()
                    .with_writer(sink)
                    .with_ansi(std::io::stderr().is_terminal()),
            )
            .init(),
        LogFormat::Json => logger
            .with(fmt::layer().json().flatten_event(true).with_writer(sink))
            .init(),
    }
    (LogFilter(handle), LogFlush { _guard: guard })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_or_say_why_not() {
        assert!(filter("info").is_ok());
        assert!(filter("info,soapstone::access=warn").is_ok());
        for bad in ["", "  ", "info,soapstone=loud"] {
            let e = filter(bad).unwrap_err().to_string();
            assert!(e.contains("log_level"), "{e}");
        }
    }
}
