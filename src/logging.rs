//! Logging to stderr, as human-readable text or JSON lines, through an EnvFilter (`log_level`)
//! that can be replaced while the server runs; the server writes its lines from a background
//! thread (tracing-appender), off the request path; beside it, optionally, the OpenTelemetry
//! span exporter ([`crate::telemetry`]). Human lines have tracing-subscriber's text; without
//! colours (not a terminal) they are formatted by [`fields`] and timestamped by [`clock`],
//! which write that text with less work per line.

mod clock;
mod fields;

use std::io::IsTerminal;

use tracing_subscriber::Layer;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry, fmt, reload};

use crate::config::LogFormat;
use crate::telemetry::{self, Telemetry, TelemetryError};

/// Why a log filter cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("log_level {directives:?} is not a valid filter: {reason}")]
    Filter { directives: String, reason: String },
    #[error("the log filter cannot be replaced: {0}")]
    Replace(String),
    #[error(transparent)]
    Telemetry(#[from] TelemetryError),
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

/// Keeps the background log writer and the span exporter running; dropping it writes and
/// exports what is queued and stops them.
#[must_use = "dropping it stops the background log writer"]
pub struct LogFlush {
    // Dropped first: the exporter's last warnings still reach the log writer.
    _telemetry: Option<Telemetry>,
    _guard: Option<tracing_appender::non_blocking::WorkerGuard>,
}

/// Where log lines go: stderr from the thread that logs (short commands), or through a
/// bounded queue to a writer thread (the server), so that no request waits on stderr. The
/// queue blocks when full rather than dropping lines. The writer thread buffers what it takes
/// off the queue and flushes whenever the queue is empty (tracing-appender's worker does), so
/// under load many lines go out in one write and no line waits longer than the queue's drain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogWriter {
    Direct,
    Background,
}

/// Installs the process-wide logger: `format` lines on stderr, filtered by `filter`, and,
/// when `otlp_endpoint` is set, the OpenTelemetry span exporter beside it (with a filter of
/// its own, so that `log_level` does not decide which spans are exported).
pub fn init(
    format: LogFormat,
    filter: EnvFilter,
    writer: LogWriter,
    otlp_endpoint: Option<&str>,
) -> Result<(LogFilter, LogFlush), LogError> {
    let (filter, handle) = reload::Layer::new(filter);
    let (sink, guard) = match writer {
        LogWriter::Direct => (BoxMakeWriter::new(std::io::stderr), None),
        LogWriter::Background => {
            let (sink, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .lossy(false)
                .finish(std::io::BufWriter::with_capacity(
                    64 * 1024,
                    std::io::stderr(),
                ));
            (BoxMakeWriter::new(sink), Some(guard))
        }
    };
    let lines: Box<dyn Layer<Registry> + Send + Sync> = match format {
        LogFormat::Human if std::io::stderr().is_terminal() => fmt::layer()
            .with_writer(sink)
            .with_timer(clock::UtcMicros)
            .with_filter(filter)
            .boxed(),
        LogFormat::Human => fmt::layer()
            .with_writer(sink)
            .with_ansi(false)
            .fmt_fields(fields::PlainFields)
            .with_timer(clock::UtcMicros)
            .with_filter(filter)
            .boxed(),
        LogFormat::Json => fmt::layer()
            .json()
            .flatten_event(true)
            .with_writer(sink)
            .with_filter(filter)
            .boxed(),
    };
    let mut layers = vec![lines];
    let telemetry = match otlp_endpoint {
        Some(endpoint) => {
            let (spans, telemetry) = telemetry::exporter(endpoint)?;
            layers.push(spans);
            Some(telemetry)
        }
        None => None,
    };
    tracing_subscriber::registry().with(layers).init();
    Ok((
        LogFilter(handle),
        LogFlush {
            _telemetry: telemetry,
            _guard: guard,
        },
    ))
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
