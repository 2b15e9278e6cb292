//! The human log format's field formatter: the text of tracing-subscriber's `DefaultFields`
//! without colours (`name=value`, space-separated, strings quoted as `{:?}` quotes them),
//! written with plain string writes. `DefaultFields` sends every field through nested
//! `format_args!` and a colour wrapper even when colours are off; the server formats the
//! request span's fields for every request (the fmt layer formats a span's fields when the
//! span opens) and the access line's ten fields for every request in the default
//! configuration, so that machinery was a tenth of a small request's instructions
//! (bench/LOGGING.md). `Debug` and `Display` values are written with one `{:?}`, as
//! `DefaultVisitor` writes them; the message, errors and strings that need escaping are
//! formatted by `DefaultVisitor` itself, so the text is the same byte for byte.

use std::fmt;

use tracing::field::{Field, Visit};
use tracing_subscriber::field::{MakeVisitor, VisitFmt, VisitOutput};
use tracing_subscriber::fmt::format::{DefaultVisitor, Writer};

/// Makes a [`PlainVisitor`] for each span or event (`fmt::layer().fmt_fields(PlainFields)`);
/// only for output without colours.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PlainFields;

impl<'a> MakeVisitor<Writer<'a>> for PlainFields {
    type Visitor = PlainVisitor<'a>;

    fn make_visitor(&self, target: Writer<'a>) -> PlainVisitor<'a> {
        PlainVisitor {
            writer: target,
            is_empty: true,
            result: Ok(()),
        }
    }
}

/// Writes one span's or event's fields.
#[derive(Debug)]
pub(crate) struct PlainVisitor<'a> {
    writer: Writer<'a>,
    is_empty: bool,
    result: fmt::Result,
}

impl PlainVisitor<'_> {
    /// Writes `name=` (after a separating space unless it is the first field) and then the
    /// value with `value`.
    fn field(&mut self, field: &Field, value: impl FnOnce(&mut Writer<'_>) -> fmt::Result) {
        let name = field.name();
        if self.result.is_err() || is_log_metadata(name) {
            return;
        }
        let name = name.strip_prefix("r#").unwrap_or(name);
        let separator = if self.is_empty { "" } else { " " };
        self.is_empty = false;
        self.result = self
            .writer
            .write_str(separator)
            .and_then(|()| self.writer.write_str(name))
            .and_then(|()| self.writer.write_char('='))
            .and_then(|()| value(&mut self.writer));
    }

    /// Formats the field as `DefaultVisitor` does.
    fn fallback(&mut self, field: &Field, record: impl FnOnce(&mut DefaultVisitor<'_>)) {
        if self.result.is_err() || is_log_metadata(field.name()) {
            return;
        }
        let mut visitor = DefaultVisitor::new(self.writer.by_ref(), self.is_empty);
        record(&mut visitor);
        self.result = visitor.finish();
        self.is_empty = false;
    }
}

/// The fields of an event bridged from the `log` crate that the line's metadata already
/// shows (`DefaultVisitor` skips them too).
fn is_log_metadata(name: &str) -> bool {
    name.starts_with("log.")
}

/// Whether `{:?}` writes `value` as itself between quotes: printable ASCII other than the
/// quote and the backslash.
fn quotes_verbatim(value: &str) -> bool {
    value
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
}

impl Visit for PlainVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" || !quotes_verbatim(value) {
            return self.fallback(field, |v| v.record_str(field, value));
        }
        self.field(field, |w| {
            w.write_char('"')?;
            w.write_str(value)?;
            w.write_char('"')
        });
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.field(field, |w| w.write_str(itoa::Buffer::new().format(value)));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.field(field, |w| w.write_str(itoa::Buffer::new().format(value)));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.field(field, |w| w.write_str(if value { "true" } else { "false" }));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.fallback(field, |v| v.record_error(field, value));
    }

    /// `Debug` and `Display` values (and floats, which arrive here) are written with `{:?}`
    /// as `DefaultVisitor` writes them; only the message goes through it, for its escaping.
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            return self.fallback(field, |v| v.record_debug(field, value));
        }
        self.field(field, |w| write!(w, "{value:?}"));
    }
}

impl VisitOutput<fmt::Result> for PlainVisitor<'_> {
    fn finish(self) -> fmt::Result {
        self.result
    }
}

impl VisitFmt for PlainVisitor<'_> {
    fn writer(&mut self) -> &mut dyn fmt::Write {
        &mut self.writer
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt;
    use tracing_subscriber::fmt::format::DefaultFields;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Spans and events with every kind of field the server logs, and some it does not.
    fn log_everything() {
        let client: Option<std::net::SocketAddr> = Some(([127, 0, 0, 1], 4321).into());
        let absent: Option<&str> = None;
        let span = tracing::info_span!(
            "request",
            id = "9f3-0",
            method = %http::Method::POST,
            path = %"/services/UserService",
            client = client.map(tracing::field::display),
        );
        let _entered = span.enter();
        let error = io::Error::other("disk full");
        tracing::info!(
            target: "soapstone::access",
            service = "UserService",
            operation = "GetUser",
            soap = Some("1.1"),
            status = 200u16,
            fault = absent,
            user = Some(String::from("alice")),
            duration_ms = 0.174,
            bytes_in = 448usize,
            bytes_out = 0u64,
            "request"
        );
        tracing::warn!(
            quoted = "say \"hi\"\\ \u{1b}[31m",
            unicode = "grüße",
            negative = -7i64,
            flag = true,
            r#type = "raw",
            error = &error as &(dyn std::error::Error + 'static),
            debug = ?vec![1, 2],
            "a message with \u{1b}[2J and {} arguments", 2
        );
        tracing::error!(answer = 42);
    }

    fn lines_of<N>(fields: N) -> String
    where
        N: for<'w> fmt::FormatFields<'w> + Send + Sync + 'static,
    {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::registry().with(
            fmt::layer()
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .without_time()
                .fmt_fields(fields),
        );
        tracing::subscriber::with_default(subscriber, log_everything);
        String::from_utf8(lines.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn lines_are_those_of_the_default_formatter() {
        let expected = lines_of(DefaultFields::new());
        assert_eq!(expected.lines().count(), 3, "{expected}");
        assert!(expected.contains("status=200 "), "{expected}");
        assert_eq!(lines_of(PlainFields), expected);
    }
}
