//! An indenting writer of Rust source, laid out the way rustfmt would for the shapes the
//! emitter writes.

/// The line width rustfmt keeps to.
const WIDTH: usize = 100;

/// The widest arguments of a call, or items of an array, rustfmt keeps on one line.
const CALL_WIDTH: usize = 60;

/// The widest struct literal body rustfmt keeps on one line.
pub const STRUCT_LITERAL_WIDTH: usize = 18;

/// Rust source being written, one line at a time.
#[derive(Debug, Default)]
pub struct Code {
    out: String,
    indent: usize,
}

impl Code {
    /// One line at the current indentation; an empty line for `""`.
    pub fn line(&mut self, text: &str) {
        if !text.is_empty() {
            self.out.push_str(&"    ".repeat(self.indent));
            self.out.push_str(text);
        }
        self.out.push('\n');
    }

    /// A line that opens a block.
    pub fn open(&mut self, text: &str) {
        self.line(text);
        self.indent += 1;
    }

    /// A line that closes a block.
    pub fn close(&mut self, text: &str) {
        self.indent -= 1;
        self.line(text);
    }

    /// Whether `text` fits on one line at the current indentation.
    pub fn fits(&self, text: &str) -> bool {
        self.indent * 4 + text.len() <= WIDTH
    }

    /// `head tail` on one line when it fits, else `tail` on the next line, indented: for
    /// `let x =` and its value, or a match arm and its expression.
    pub fn split(&mut self, head: &str, tail: &str) {
        let one = format!("{head} {tail}");
        if self.fits(&one) {
            self.line(&one);
        } else {
            self.open(head);
            self.line(tail);
            self.indent -= 1;
        }
    }

    /// A match arm `pattern => expression,`, as a block when it does not fit (rustfmt keeps
    /// one column free for arms).
    pub fn arm(&mut self, pattern: &str, expression: &str) {
        let one = format!("{pattern} => {expression},");
        if self.indent * 4 + one.len() < WIDTH {
            self.line(&one);
        } else {
            self.open(&format!("{pattern} => {{"));
            self.line(expression);
            self.close("}");
        }
    }

    /// A call statement `head(args)tail`, its arguments one per line when they are wider than
    /// rustfmt's 60 columns for a call or the line does not fit.
    pub fn call(&mut self, head: &str, args: &[String], tail: &str) {
        let joined = args.join(", ");
        let one = format!("{head}({joined}){tail}");
        if joined.len() <= CALL_WIDTH && self.fits(&one) {
            self.line(&one);
        } else {
            self.open(&format!("{head}("));
            for arg in args {
                self.line(&format!("{arg},"));
            }
            self.close(&format!("){tail}"));
        }
    }

    /// `field: &[items],`, the items one per line when they are wider than rustfmt's 60
    /// columns for an array.
    pub fn array(&mut self, field: &str, items: &[String]) {
        let joined = items.join(", ");
        let one = format!("{field}&[{joined}],");
        if joined.len() <= CALL_WIDTH && self.fits(&one) {
            self.line(&one);
        } else {
            self.open(&format!("{field}&["));
            for item in items {
                self.line(&format!("{item},"));
            }
            self.close("],");
        }
    }

    /// `field: Some("text"),` or `field: None,`, the literal on a line of its own when the
    /// line would be too wide.
    pub fn optional_str(&mut self, field: &str, text: Option<&str>) {
        match text {
            None => self.line(&format!("{field}: None,")),
            Some(text) => {
                let one = format!("{field}: Some({text:?}),");
                if self.fits(&one) {
                    self.line(&one);
                } else {
                    self.open(&format!("{field}: Some("));
                    self.line(&format!("{text:?},"));
                    self.close("),");
                }
            }
        }
    }

    /// `text` as `///` lines, wrapped to the width.
    pub fn doc(&mut self, text: &str) {
        let room = WIDTH.saturating_sub(self.indent * 4 + 4).max(40);
        let mut line = String::new();
        for word in text.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + word.len() > room {
                self.line(&format!("/// {line}"));
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        self.line(format!("/// {line}").trim_end());
    }

    /// Paragraphs of documentation, separated by empty `///` lines.
    pub fn docs(&mut self, paragraphs: &[String]) {
        for (i, paragraph) in paragraphs.iter().enumerate() {
            if i > 0 {
                self.line("///");
            }
            self.doc(paragraph);
        }
    }

    pub fn finish(self) -> String {
        self.out
    }
}
