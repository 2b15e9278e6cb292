//! The HTML of the service pages: plain, server-rendered, styled and scripted inline (no
//! external resources).

use super::docs::ServiceDocs;
use super::samples::PASSWORD_PLACEHOLDER;
use crate::dispatch::OperationInfo;

/// One mounted service as the pages show it.
pub struct ServiceView<'a> {
    pub name: &'a str,
    pub path: &'a str,
    pub docs: &'a ServiceDocs,
    pub operations: Vec<&'a OperationInfo>,
}

/// Text escaped for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1d232b}\
h1,h2,h3{line-height:1.2}a{color:#0b5cad}code,pre,textarea{font:13px/1.4 ui-monospace,monospace}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d8dde3;padding:.4rem;text-align:left;vertical-align:top}\
section.op{border:1px solid #d8dde3;border-radius:6px;padding:0 1rem 1rem;margin:1.5rem 0}\
textarea{width:100%;min-height:22rem;box-sizing:border-box}pre.out{background:#f4f6f8;padding:.75rem;overflow:auto;min-height:2rem;white-space:pre-wrap}\
button{font:inherit;padding:.3rem 1rem}.muted{color:#5b6672}\
fieldset{border:1px solid #d8dde3;border-radius:6px}fieldset label{margin-right:1.5rem}input{font:inherit}";

const SCRIPT: &str = r#"
function esc(text, quotes) {
  const t = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return quotes ? t.replace(/"/g, '&quot;') : t;
}
function pretty(xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) return xml;
  const out = [];
  (function walk(node, depth) {
    const pad = '  '.repeat(depth);
    for (const child of node.childNodes) {
      if (child.nodeType === 3) { const t = child.nodeValue.trim(); if (t) out.push(pad + esc(t)); continue; }
      if (child.nodeType !== 1) continue;
      const attrs = Array.from(child.attributes).map(a => ` ${a.name}="${esc(a.value, true)}"`).join('');
      const kids = Array.from(child.childNodes);
      if (kids.length === 1 && kids[0].nodeType === 3) {
        out.push(`${pad}<${child.nodeName}${attrs}>${esc(kids[0].nodeValue)}</${child.nodeName}>`);
      } else if (!kids.length) {
        out.push(`${pad}<${child.nodeName}${attrs}/>`);
      } else {
        out.push(`${pad}<${child.nodeName}${attrs}>`); walk(child, depth + 1); out.push(`${pad}</${child.nodeName}>`);
      }
    }
  })(doc, 0);
  return out.join('\n');
}
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
function withCredentials(xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) return {xml};
  const token = doc.getElementsByTagNameNS(WSSE, 'UsernameToken')[0];
  const user = document.getElementById('wsse-username'), password = document.getElementById('wsse-password');
  if (!token || !user || !password) return {xml};
  if (!password.value) return {missing: `Type the password of "${user.value}" in the Password field above.`};
  for (const [local, value] of [['Username', user.value], ['Password', password.value]]) {
    const element = token.getElementsByTagNameNS(WSSE, local)[0];
    if (element) element.textContent = value;
  }
  return {xml: new XMLSerializer().serializeToString(doc)};
}
function version(op, v) {
  document.getElementById('req-' + op).value = document.getElementById('sample-' + v + '-' + op).value;
}
async function send(op, action) {
  const v = document.querySelector(`input[name="v-${op}"]:checked`).value;
  const headers = v === '1.2'
    ? {'Content-Type': `application/soap+xml; charset=utf-8; action="${action}"`}
    : {'Content-Type': 'text/xml; charset=utf-8', 'SOAPAction': `"${action}"`};
  const out = document.getElementById('res-' + op);
  const body = withCredentials(document.getElementById('req-' + op).value);
  if (body.missing) { out.textContent = body.missing; return; }
  out.textContent = 'Sending...';
  try {
    const response = await fetch(location.pathname, {method: 'POST', headers, body: body.xml});
    out.textContent = `HTTP ${response.status}\n\n` + pretty(await response.text());
  } catch (e) { out.textContent = 'Request failed: ' + e; }
}
"#;

/// The fields whose values Send puts in a sample's UsernameToken; the password starts empty.
fn credentials() -> String {
    format!(
        "<form id=\"credentials\" onsubmit=\"return false\"><fieldset><legend>WS-Security UsernameToken</legend>\
<label>Username <input id=\"wsse-username\" name=\"username\" value=\"admin\" autocomplete=\"username\"></label>\
<label>Password <input id=\"wsse-password\" name=\"password\" type=\"password\" placeholder=\"this user's password\" autocomplete=\"current-password\"></label>\
<p class=\"muted\">Send puts them in the sample's <code>wsse:UsernameToken</code> (as PasswordText) in place of \
<code>{}</code>; nothing is stored. Serve over HTTPS beyond your own machine.</p></fieldset></form>",
        escape(PASSWORD_PLACEHOLDER)
    )
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        escape(title)
    )
}

/// `GET /services`: every service.
pub fn index(base: &str, services: &[ServiceView<'_>]) -> String {
    let mut rows = String::new();
    for s in services {
        let endpoint = format!("{base}{}", s.path);
        let schemas: Vec<String> = s
            .docs
            .schemas
            .iter()
            .map(|f| format!("<a href=\"{0}?xsd={1}\">{1}</a>", escape(s.path), escape(f)))
            .collect();
        let operations: Vec<String> = s
            .operations
            .iter()
            .map(|o| format!("<a href=\"{}#{1}\">{1}</a>", escape(s.path), escape(o.name)))
            .collect();
        rows.push_str(&format!(
            "<tr><td><a href=\"{path}\"><strong>{name}</strong></a><div class=\"muted\">{summary}</div></td>\
             <td><code>{endpoint}</code></td><td><a href=\"{path}?wsdl\">WSDL</a> · <a href=\"{path}?wsdl&amp;soap=1.1\">SOAP 1.1 only</a><br>{schemas}</td>\
             <td>{operations}</td></tr>",
            path = escape(s.path),
            name = escape(s.name),
            summary = escape(&s.docs.summary),
            endpoint = escape(&endpoint),
            schemas = schemas.join(" · "),
            operations = operations.join(", "),
        ));
    }
    page(
        "Soapstone services",
        &format!(
            "<h1>Soapstone services</h1><p>Every endpoint speaks SOAP 1.1 and SOAP 1.2 on the same URL.</p>\
             <table><tr><th>Service</th><th>Endpoint</th><th>Contract</th><th>Operations</th></tr>{rows}</table>"
        ),
    )
}

/// `GET /services/<Service>`: the service's operations, samples, and a try-it form each.
pub fn service(
    base: &str,
    view: &ServiceView<'_>,
    sample: impl Fn(&str, &str) -> Option<String>,
) -> String {
    let mut ops = String::new();
    let mut secured = false;
    for op in &view.operations {
        let name = escape(op.name);
        let action = escape(op.action);
        let v11 = sample(op.name, "1.1").unwrap_or_default();
        let v12 = sample(op.name, "1.2").unwrap_or_default();
        secured |= v11.contains(PASSWORD_PLACEHOLDER) || v12.contains(PASSWORD_PLACEHOLDER);
        ops.push_str(&format!(
            "<section class=\"op\" id=\"{name}\"><h2>{name}</h2><p>{doc}</p>\
             <p class=\"muted\">SOAPAction <code>{action}</code> · request element <code>{{{ns}}}{name}</code></p>\
             <textarea hidden id=\"sample-1.1-{name}\">{v11e}</textarea><textarea hidden id=\"sample-1.2-{name}\">{v12e}</textarea>\
             <p><label><input type=\"radio\" name=\"v-{name}\" value=\"1.1\" checked onchange=\"version('{name}','1.1')\"> SOAP 1.1</label> \
             <label><input type=\"radio\" name=\"v-{name}\" value=\"1.2\" onchange=\"version('{name}','1.2')\"> SOAP 1.2</label></p>\
             <textarea id=\"req-{name}\" aria-label=\"{name} request\">{v11e}</textarea>\
             <p><button type=\"button\" id=\"send-{name}\" onclick=\"send('{name}', '{action}')\">Send</button></p>\
             <pre class=\"out\" id=\"res-{name}\" aria-live=\"polite\"></pre></section>",
            doc = escape(view.docs.operation(op.name)),
            ns = escape(op.namespace),
            v11e = escape(&v11),
            v12e = escape(&v12),
        ));
    }
    let path = escape(view.path);
    let schemas: Vec<String> = view
        .docs
        .schemas
        .iter()
        .map(|f| format!("<a href=\"{path}?xsd={0}\">{0}</a>", escape(f)))
        .collect();
    page(
        view.name,
        &format!(
            "<p><a href=\"/services\">All services</a></p><h1>{name}</h1><p>{summary}</p>\
             <p>Endpoint <code>{endpoint}</code> (SOAP 1.1 and 1.2) · <a href=\"{path}?wsdl\">WSDL</a> · \
             <a href=\"{path}?wsdl&amp;soap=1.1\">SOAP 1.1 only</a>{schemas}</p>\
             <p class=\"muted\">Each sample below can be edited and sent; the answer is shown as the server wrote it, indented.</p>\
             {credentials}{ops}<script>{SCRIPT}</script>",
            name = escape(view.name),
            summary = escape(&view.docs.summary),
            endpoint = escape(&format!("{base}{}", view.path)),
            credentials = if secured {
                credentials()
            } else {
                String::new()
            },
            schemas = if schemas.is_empty() {
                String::new()
            } else {
                format!(" · schemas {}", schemas.join(" · "))
            },
        ),
    )
}
