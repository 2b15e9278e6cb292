//! Test support: runs the real `soapstone` binary on an ephemeral loopback port with a
//! temporary database, sends it HTTP requests, and checks responses with xmllint.
//!
//! The database is a SQLite file in the server's temporary folder, or, with
//! `SOAPSTONE_TEST_DB=postgres`, a fresh database per server in the PostgreSQL cluster at
//! `SOAPSTONE_TEST_PG` (a `postgres://user@host:port` URL of a superuser; scripts/test.sh
//! starts one), see [`Backend`].

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use soapstone::xml::{Event, XmlLimits, XmlReader};

pub const USERS_NS: &str = "http://soapstone.dev/schema/users/v1";
pub const COMMON_NS: &str = "http://soapstone.dev/schema/common/v1";
pub const CATALOG_NS: &str = "http://soapstone.dev/schema/catalog/v1";
pub const ORDERS_NS: &str = "http://soapstone.dev/schema/orders/v1";
pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
pub const SECURITY_NS: &str = "http://soapstone.dev/schema/security/v1";
pub const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
pub const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

/// The admin every test server is bootstrapped with (user id 1), its password and digest
/// secret, and the key the digest secret is sealed under.
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "soapstone-admin";
pub const ADMIN_DIGEST_SECRET: &str = "soapstone-digest";
pub const SECRET_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// A running server; stopped with SIGTERM when dropped.
pub struct Server {
    child: Option<Child>,
    /// Every line the server has written to stderr so far.
    pub logs: Arc<Mutex<Vec<String>>>,
    pub base: String,
    pub dir: tempfile::TempDir,
    /// The `--db` value: a SQLite path or a PostgreSQL URL.
    db: String,
    pub client: reqwest::Client,
}

impl Server {
    /// Starts a server on a fresh database.
    pub fn start() -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(dir)
    }

    /// Starts a server on a fresh database with extra `serve` arguments.
    pub fn start_with(args: &[&str]) -> Server {
        Self::launch(tempfile::tempdir().expect("temp dir"), args)
    }

    /// Starts a server on the database in `dir` (kept between restarts).
    pub fn start_in(dir: tempfile::TempDir) -> Server {
        Self::launch(dir, &[])
    }

    /// Starts a server on the database in `dir` with extra `serve` arguments.
    pub fn start_in_with(dir: tempfile::TempDir, args: &[&str]) -> Server {
        Self::launch(dir, args)
    }

    /// Starts a server on the existing database `db` (a `--db` value, e.g. one of
    /// [`pg_database`]'s, shared with other servers), with extra `serve` arguments. The
    /// database is left as it is when the server is dropped.
    pub fn start_on(db: &str, args: &[&str]) -> Server {
        Self::spawn(tempfile::tempdir().expect("temp dir"), db.to_string(), args)
    }

    fn launch(dir: tempfile::TempDir, args: &[&str]) -> Server {
        let db = Backend::current().database_in(dir.path());
        let _failed_start = pg::DropIfPanicking(pg::url_in(dir.path()));
        Self::spawn(dir, db, args)
    }

    fn spawn(dir: tempfile::TempDir, db: String, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_soapstone"))
            .args(["serve", "--listen", "127.0.0.1:0", "--db", &db])
            .args(args)
            .env("RUST_LOG", "info")
            .env("SOAPSTONE_SECRET_KEY", SECRET_KEY)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the soapstone binary starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = mpsc::channel();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let kept = logs.clone();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut kept) = kept.lock() {
                    kept.push(line.clone());
                }
                if !sent && let Some(at) = line.find("listening on http") {
                    let addr = line[at + "listening on ".len()..]
                        .split(|c: char| c.is_whitespace() || c == '"')
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    let _ = tx.send(addr);
                    sent = true;
                }
            }
        });
        let base = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(base) => base,
            Err(e) => {
                std::thread::sleep(Duration::from_millis(200));
                let log = logs.lock().map(|l| l.join("\n")).unwrap_or_default();
                panic!("the server did not report its address ({e}); its log:\n{log}");
            }
        };
        Server {
            child: Some(child),
            logs,
            base,
            dir,
            db,
            client: reqwest::Client::new(),
        }
    }

    /// The `--db` value this server runs on.
    pub fn db_url(&self) -> String {
        self.db.clone()
    }

    /// Ends the server with SIGKILL, as a crash would (no drain, no shutdown).
    pub fn kill(&self) {
        if let Some(child) = &self.child {
            let _ = Command::new("kill")
                .args(["-KILL", &child.id().to_string()])
                .status();
        }
    }

    /// Creates the customer `username`, as [`Server::create_user`], but `None` instead of a
    /// panic when no answer came (the server is gone).
    pub async fn try_create_user(&self, username: &str) -> Option<Reply> {
        let response = self
            .client
            .post(self.url("/services/UserService"))
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", format!("\"{}\"", action("CreateUser")))
            .body(env11(&create_user(
                username,
                &format!("{username}@example.com"),
                &["customer"],
            )))
            .send()
            .await
            .ok()?;
        Reply::read(response).await
    }

    /// The value of the sample `name` (a metric name with its labels, if any) in /metrics.
    pub async fn metric(&self, name: &str) -> f64 {
        let metrics = self.get("/metrics", &[]).await.body;
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no {name} in\n{metrics}"))
            .trim()
            .parse()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Sends SIGTERM and waits for the exit; returns the exit code and the data folder.
    pub fn stop(mut self) -> (Option<i32>, tempfile::TempDir) {
        let code = self.terminate();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().expect("temp dir"));
        (code, dir)
    }

    fn terminate(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        for _ in 0..200 {
            if let Ok(Some(status)) = child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    /// Calls `op` of `service` over SOAP 1.1; `inner` is the operation element's content,
    /// written with the prefix `p` for the service's schema namespace.
    pub async fn call(&self, service: Svc, op: &str, inner: &str) -> Reply {
        let (path, action_base, ns) = service.route();
        let body = env11(&format!(r#"<p:{op} xmlns:p="{ns}">{inner}</p:{op}>"#));
        let action = format!("\"{action_base}{op}\"");
        self.post(
            path,
            "text/xml; charset=utf-8",
            &[("SOAPAction", action.as_str())],
            &body,
        )
        .await
    }

    /// Creates the user `name` with `role` and `password` with the `user add` command, in
    /// this server's database from another process; its id.
    pub fn add_user(&self, name: &str, role: &str, password: &str) -> String {
        let (ok, out) = run_with_input(
            &["user", "add", "--db", &self.db, "--role", role, name],
            password,
        );
        assert!(ok, "user add: {out}");
        out.split("(id ")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .expect("the new user's id")
            .to_string()
    }

    /// An AuthService Login of `user` with `password` (checked); the session token.
    pub async fn login(&self, user: &str, password: &str) -> String {
        let reply = self
            .post(
                "/services/AuthService",
                "text/xml; charset=utf-8",
                &[],
                &env11_with(
                    "",
                    &format!(
                        r#"<s:Login xmlns:s="{SECURITY_NS}"><s:username>{user}</s:username><s:password>{password}</s:password></s:Login>"#
                    ),
                ),
            )
            .await;
        reply.assert_ok11();
        reply.text(SECURITY_NS, "sessionToken")
    }

    /// Creates a user over SOAP 1.1 and returns the reply (not yet checked).
    pub async fn create_user(&self, username: &str, email: &str, roles: &[&str]) -> Reply {
        self.soap11(
            Some(&action("CreateUser")),
            &env11(&create_user(username, email, roles)),
        )
        .await
    }

    /// POSTs a SOAP 1.1 request with a quoted SOAPAction (none when `action` is `None`).
    pub async fn soap11(&self, action: Option<&str>, body: &str) -> Reply {
        let mut request = self
            .client
            .post(self.url("/services/UserService"))
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(body.to_string());
        if let Some(action) = action {
            request = request.header("SOAPAction", format!("\"{action}\""));
        }
        Reply::from(request.send().await.expect("request sent")).await
    }

    /// POSTs a SOAP 1.2 request with the action in the Content-Type.
    pub async fn soap12(&self, action: Option<&str>, body: &str) -> Reply {
        let content_type = match action {
            Some(action) => format!("application/soap+xml; charset=utf-8; action=\"{action}\""),
            None => "application/soap+xml; charset=utf-8".to_string(),
        };
        self.post("/services/UserService", &content_type, &[], body)
            .await
    }

    pub async fn post(
        &self,
        path: &str,
        content_type: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        let mut request = self
            .client
            .post(self.url(path))
            .header("Content-Type", content_type)
            .body(body.to_string());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Reply::from(request.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path_and_query: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.client.get(self.url(path_and_query));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Reply::from(request.send().await.expect("request sent")).await
    }
}

impl Drop for Server {
    /// Stops the server and, on PostgreSQL, drops its database (unless [`Server::stop`] handed
    /// the folder naming it back to the test, for a restart).
    fn drop(&mut self) {
        self.terminate();
        if let Some(url) = pg::url_in(self.dir.path()) {
            pg::drop_database(&url);
        }
    }
}

/// The database backend of the test servers, chosen by `SOAPSTONE_TEST_DB`: `sqlite` (the
/// default) or `postgres`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A `soapstone.db` file in the server's folder.
    Sqlite,
    /// A database of its own in the `SOAPSTONE_TEST_PG` cluster, named in the server's
    /// folder (file `pg-url`) so that a restart in the same folder finds it again.
    Postgres,
}

impl Backend {
    /// The backend `SOAPSTONE_TEST_DB` names; panics on any other value.
    pub fn current() -> Backend {
        match std::env::var("SOAPSTONE_TEST_DB").as_deref() {
            Err(_) | Ok("" | "sqlite") => Backend::Sqlite,
            Ok("postgres") => Backend::Postgres,
            Ok(other) => panic!("SOAPSTONE_TEST_DB={other}: expected sqlite or postgres"),
        }
    }

    /// The `--db` value of the database kept in `dir`: made and bootstrapped with the admin
    /// the first time, the same one on every later start in `dir`.
    fn database_in(self, dir: &Path) -> String {
        match self {
            Backend::Sqlite => {
                let db = dir.join("soapstone.db");
                let db_arg = db.to_str().expect("a UTF-8 path").to_string();
                if !db.exists() {
                    bootstrap(&db_arg);
                }
                db_arg
            }
            Backend::Postgres => pg::url_in(dir).unwrap_or_else(|| {
                let url = pg::create_database();
                let _failed_bootstrap = pg::DropIfPanicking(Some(url.clone()));
                bootstrap(&url);
                std::fs::write(dir.join(pg::URL_FILE), &url).expect("pg-url written");
                url
            }),
        }
    }
}

/// A new database in the `SOAPSTONE_TEST_PG` cluster with the admin bootstrapped, for several
/// servers to share ([`Server::start_on`]); `None` when there is no cluster. It is left in the
/// (throwaway) cluster afterwards.
pub fn pg_database() -> Option<String> {
    std::env::var_os("SOAPSTONE_TEST_PG")?;
    let url = pg::create_database();
    let _failed_bootstrap = pg::DropIfPanicking(Some(url.clone()));
    bootstrap(&url);
    Some(url)
}

/// The Redis that `scripts/test.sh` starts (`SOAPSTONE_TEST_REDIS`), if any.
pub fn redis_url() -> Option<String> {
    std::env::var("SOAPSTONE_TEST_REDIS")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Whether the test servers run on SQLite. A test (or a part of one) that reads or checks the
/// SQLite file itself runs only then: on PostgreSQL this prints that `what` is skipped, and
/// why, and returns false.
pub fn sqlite_only(what: &str) -> bool {
    let sqlite = Backend::current() == Backend::Sqlite;
    if !sqlite {
        eprintln!(
            "skipped on PostgreSQL (SOAPSTONE_TEST_DB=postgres): {what} needs the SQLite file"
        );
    }
    sqlite
}

/// The PostgreSQL side of the harness: one database per server folder in the
/// `SOAPSTONE_TEST_PG` cluster.
mod pg {
    use std::path::Path;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};

    /// Drops the database it names when dropped while the thread panics: a server that fails
    /// to start leaves no database behind.
    pub struct DropIfPanicking(pub Option<String>);

    impl Drop for DropIfPanicking {
        fn drop(&mut self) {
            if let Some(url) = &self.0
                && std::thread::panicking()
            {
                drop_database(url);
            }
        }
    }

    /// The file in a server's folder that holds the URL of its database.
    pub const URL_FILE: &str = "pg-url";

    /// The URL of the database of the server folder `dir`, if it has one.
    pub fn url_in(dir: &Path) -> Option<String> {
        std::fs::read_to_string(dir.join(URL_FILE)).ok()
    }

    /// Creates an empty database with a name no other test (of this or another process)
    /// uses; its URL.
    pub fn create_database() -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let micros = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros())
            .unwrap_or_default();
        let name = format!(
            "t_{}_{}_{micros}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let cluster = cluster_url();
        admin(&cluster, format!("CREATE DATABASE {name}"));
        with_dbname(&cluster, &name)
    }

    /// Drops the database at `url` (the server using it has stopped). Failing to is only
    /// reported: the cluster is a throwaway one.
    pub fn drop_database(url: &str) {
        let Some(name) = dbname(url) else { return };
        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        if let Err(e) = run(&cluster_url(), sql) {
            eprintln!("could not drop the test database {name}: {e}");
        }
    }

    fn cluster_url() -> String {
        std::env::var("SOAPSTONE_TEST_PG").unwrap_or_else(|_| {
            panic!(
                "SOAPSTONE_TEST_DB=postgres needs SOAPSTONE_TEST_PG, the postgres:// URL of a \
                 superuser of a PostgreSQL cluster (scripts/test.sh starts one)"
            )
        })
    }

    fn admin(cluster: &str, sql: String) {
        if let Err(e) = run(cluster, sql.clone()) {
            panic!("{sql} on {cluster}: {e}");
        }
    }

    /// Runs `sql` on the maintenance database of the cluster at `cluster` (its own runtime,
    /// on a thread of its own: the tests call this from inside theirs).
    fn run(cluster: &str, sql: String) -> Result<(), String> {
        let mut config: tokio_postgres::Config = cluster
            .parse()
            .map_err(|e| format!("not a PostgreSQL URL: {e}"))?;
        config.dbname("postgres");
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let (client, connection) = config
                    .connect(tokio_postgres::NoTls)
                    .await
                    .map_err(|e| e.to_string())?;
                let connection = tokio::spawn(connection);
                let done = client.batch_execute(&sql).await.map_err(|e| e.to_string());
                drop(client);
                let _ = connection.await;
                done
            })
        })
        .join()
        .map_err(|_| "the PostgreSQL thread panicked".to_string())?
    }

    /// `url` with its database (the path, if any) replaced by `name`, its query kept.
    fn with_dbname(url: &str, name: &str) -> String {
        let (head, query) = url
            .split_once('?')
            .map_or((url, None), |(h, q)| (h, Some(q)));
        let authority = head.find("://").map_or(0, |at| at + 3);
        let base = head[authority..]
            .find('/')
            .map_or(head, |slash| &head[..authority + slash]);
        match query {
            Some(query) => format!("{base}/{name}?{query}"),
            None => format!("{base}/{name}"),
        }
    }

    /// The database named in the path of `url`.
    fn dbname(url: &str) -> Option<&str> {
        let head = url.split('?').next()?;
        let authority = head.find("://")? + 3;
        let path = &head[authority..];
        Some(&path[path.find('/')? + 1..]).filter(|name| !name.is_empty())
    }
}

/// The services, for [`Server::call`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Svc {
    Users,
    Catalog,
    Orders,
}

impl Svc {
    /// Endpoint path, SOAPAction base and schema namespace.
    pub fn route(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Svc::Users => (
                "/services/UserService",
                "http://soapstone.dev/users/",
                USERS_NS,
            ),
            Svc::Catalog => (
                "/services/CatalogService",
                "http://soapstone.dev/catalog/",
                CATALOG_NS,
            ),
            Svc::Orders => (
                "/services/OrderService",
                "http://soapstone.dev/orders/",
                ORDERS_NS,
            ),
        }
    }
}

/// An HTTP response, read whole.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub request_id: Option<String>,
    pub retry_after: Option<String>,
    pub body: String,
}

impl Reply {
    async fn from(response: reqwest::Response) -> Reply {
        Reply::read(response).await.expect("body read")
    }

    /// The reply, or `None` when the body could not be read whole.
    async fn read(response: reqwest::Response) -> Option<Reply> {
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header("content-type").unwrap_or_default();
        let request_id = header("x-request-id");
        let retry_after = header("retry-after");
        let body = response.text().await.ok()?;
        Some(Reply {
            status,
            content_type,
            request_id,
            retry_after,
            body,
        })
    }

    /// Text of every element `{ns}local`, in document order.
    pub fn texts(&self, ns: &str, local: &str) -> Vec<String> {
        texts(&self.body, ns, local)
    }

    /// Text of the only element `{ns}local`.
    pub fn text(&self, ns: &str, local: &str) -> String {
        let all = self.texts(ns, local);
        assert_eq!(all.len(), 1, "one {local} expected in {}", self.body);
        all.into_iter().next().unwrap_or_default()
    }

    /// Asserts a SOAP 1.1 success response that validates against the schemas.
    pub fn assert_ok11(&self) -> &Self {
        assert_eq!(self.status, 200, "{}", self.body);
        assert_eq!(self.content_type, "text/xml; charset=utf-8");
        validate(&self.body);
        self
    }

    /// Asserts a SOAP 1.2 success response that validates against the schemas.
    pub fn assert_ok12(&self) -> &Self {
        assert_eq!(self.status, 200, "{}", self.body);
        assert_eq!(self.content_type, "application/soap+xml; charset=utf-8");
        validate(&self.body);
        self
    }

    /// Asserts a SOAP 1.1 fault with `faultcode` `soap:<code>` that validates.
    pub fn assert_fault11(&self, code: &str) -> &Self {
        assert_eq!(self.status, 500, "{}", self.body);
        assert_eq!(self.content_type, "text/xml; charset=utf-8");
        assert_eq!(
            self.text("", "faultcode"),
            format!("soap:{code}"),
            "{}",
            self.body
        );
        self.assert_request_id_header();
        validate(&self.body);
        self
    }

    /// Every fault carries its request id in a `c:RequestId` header block, the same as the
    /// X-Request-Id response header.
    fn assert_request_id_header(&self) {
        let id = self.request_id.clone().expect("an X-Request-Id header");
        assert_eq!(
            self.texts(COMMON_NS, "RequestId"),
            vec![id],
            "{}",
            self.body
        );
    }

    /// Asserts a SOAP 1.2 fault with Code/Value `env:<code>` that validates and holds no
    /// whitespace text.
    pub fn assert_fault12(&self, code: &str) -> &Self {
        assert_eq!(self.status, 500, "{}", self.body);
        assert_eq!(self.content_type, "application/soap+xml; charset=utf-8");
        assert_eq!(
            self.texts(SOAP12, "Value")[0],
            format!("env:{code}"),
            "{}",
            self.body
        );
        assert!(
            self.body.contains(r#"<env:Text xml:lang="en">"#),
            "{}",
            self.body
        );
        self.assert_request_id_header();
        let fault = &self.body[self.body.find("<env:Fault>").expect("a Fault")..];
        assert!(
            !fault.contains(">\n") && !fault.contains("> <"),
            "{}",
            self.body
        );
        validate(&self.body);
        self
    }

    /// The fault reason (1.1 faultstring or 1.2 Reason/Text).
    pub fn reason(&self) -> String {
        let mut all = self.texts("", "faultstring");
        all.extend(self.texts(SOAP12, "Text"));
        all.into_iter().next().unwrap_or_default()
    }
}

/// Creates the admin (password and digest secret) with the `user` commands in the new database
/// `db` (the `--db` value: a SQLite path or a PostgreSQL URL).
pub fn bootstrap(db: &str) {
    let (ok, out) = run_with_input(
        &["user", "add", "--db", db, "--role", "admin", ADMIN],
        ADMIN_PASSWORD,
    );
    assert!(ok, "user add: {out}");
    let (ok, out) = run_with_input(
        &["user", "digest-secret", "--db", db, ADMIN],
        ADMIN_DIGEST_SECRET,
    );
    assert!(ok, "user digest-secret: {out}");
}

/// Runs the `soapstone` binary with `args` and `input` as its standard input (and the test
/// secret key in its environment); whether it succeeded, and stdout then stderr.
pub fn run_with_input(args: &[&str], input: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_soapstone"))
        .args(args)
        .env("SOAPSTONE_SECRET_KEY", SECRET_KEY)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    writeln!(stdin, "{input}").expect("stdin written");
    drop(stdin);
    let output = child.wait_with_output().expect("the binary ends");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Runs the `soapstone` binary with `args`; whether it succeeded, and stdout then stderr.
pub fn run(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_soapstone"))
        .args(args)
        .output()
        .expect("the binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Text of every element `{ns}local` in `xml`, read with the library's namespace-aware reader.
pub fn texts(xml: &str, ns: &str, local: &str) -> Vec<String> {
    let mut reader = XmlReader::new(xml.as_bytes(), XmlLimits::default()).expect("UTF-8");
    let mut out = Vec::new();
    let mut capture: Option<(usize, String)> = None;
    loop {
        match reader.next_event().expect("well-formed XML") {
            Event::Start(start) => {
                if capture.is_none() && start.is(ns, local) {
                    capture = Some((reader.depth(), String::new()));
                }
            }
            Event::Text(text) => {
                if let Some((_, buf)) = &mut capture {
                    buf.push_str(&text);
                }
            }
            Event::End => {
                if let Some((depth, _)) = &capture
                    && reader.depth() + 1 == *depth
                {
                    out.push(capture.take().map(|(_, t)| t).unwrap_or_default());
                }
            }
            Event::Eof => return out,
        }
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Validates a response document with xmllint against the envelope schemas and xsd/.
pub fn validate(xml: &str) {
    validate_with(xml, &repo_root().join("tests/schemas/all.xsd"));
}

/// Validates `xml` against `schema` with xmllint; panics with its message on failure.
pub fn validate_with(xml: &str, schema: &Path) {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), xml).expect("written");
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .arg(file.path())
        .output()
        .expect("xmllint runs (Debian package libxml2-utils)");
    assert!(
        output.status.success(),
        "schema validation failed:\n{}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A `wsse:Security` header block with a PasswordText UsernameToken.
pub fn wsse_text(user: &str, password: &str) -> String {
    format!(
        r#"<wsse:Security xmlns:wsse="{WSSE_NS}"><wsse:UsernameToken><wsse:Username>{user}</wsse:Username><wsse:Password>{password}</wsse:Password></wsse:UsernameToken></wsse:Security>"#
    )
}

/// A `s:SessionToken` header block.
pub fn session_header(token: &str) -> String {
    format!(r#"<s:SessionToken xmlns:s="{SECURITY_NS}">{token}</s:SessionToken>"#)
}

/// A SOAP 1.1 envelope around `body`, authenticated as the admin.
pub fn env11(body: &str) -> String {
    env11_with(&wsse_text(ADMIN, ADMIN_PASSWORD), body)
}

/// A SOAP 1.1 envelope with the header blocks `headers` around `body`.
pub fn env11_with(headers: &str, body: &str) -> String {
    format!(
        r#"<soap:Envelope xmlns:soap="{SOAP11}"><soap:Header>{headers}</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"#
    )
}

/// A SOAP 1.2 envelope around `body`, authenticated as the admin.
pub fn env12(body: &str) -> String {
    env12_with(&wsse_text(ADMIN, ADMIN_PASSWORD), body)
}

/// A SOAP 1.2 envelope with the header blocks `headers` around `body`.
pub fn env12_with(headers: &str, body: &str) -> String {
    format!(
        r#"<env:Envelope xmlns:env="{SOAP12}"><env:Header>{headers}</env:Header><env:Body>{body}</env:Body></env:Envelope>"#
    )
}

/// The SOAPAction of a UserService operation.
pub fn action(op: &str) -> String {
    format!("http://soapstone.dev/users/{op}")
}

/// A CreateUser request element.
pub fn create_user(username: &str, email: &str, roles: &[&str]) -> String {
    let roles: String = roles
        .iter()
        .map(|r| format!("<u:role>{r}</u:role>"))
        .collect();
    format!(
        r#"<u:CreateUser xmlns:u="{USERS_NS}"><u:username>{username}</u:username><u:email>{email}</u:email>{roles}</u:CreateUser>"#
    )
}

/// curl's status code and body for `args` against `url`.
pub fn curl(url: &str, args: &[&str]) -> (Option<u16>, String) {
    let out = Command::new("curl")
        .args(["-s", "-w", "\n%{http_code}"])
        .args(args)
        .arg(url)
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", ""));
    (code.parse().ok().filter(|c| *c != 0), body.to_string())
}

/// A fresh [`make_pki`] in a temporary folder.
pub struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    /// A CA, a server certificate for 127.0.0.1 and a client certificate for `client_cn`.
    pub fn new(client_cn: &str) -> Pki {
        let dir = tempfile::tempdir().expect("temp dir");
        make_pki(dir.path(), client_cn);
        Pki { dir }
    }

    /// The path of one of its files (`ca.pem`, `server.pem`, `client.key`, ...).
    pub fn file(&self, name: &str) -> String {
        self.dir
            .path()
            .join(name)
            .to_str()
            .expect("a UTF-8 path")
            .to_string()
    }
}

impl Server {
    /// Starts a server over HTTPS with `pki`'s server certificate; with
    /// `client_certificates`, it requires a client certificate issued by `pki`'s CA.
    pub fn start_https(pki: &Pki, client_certificates: bool) -> Server {
        let (cert, key, ca) = (
            pki.file("server.pem"),
            pki.file("server.key"),
            pki.file("ca.pem"),
        );
        let mut args = vec!["--tls-cert", &cert, "--tls-key", &key];
        if client_certificates {
            args.extend(["--tls-client-ca", &ca]);
        }
        Server::start_with(&args)
    }
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate for `client_cn`, made
/// with the openssl command.
pub fn make_pki(dir: &Path, client_cn: &str) {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("the openssl command runs");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Soapstone Test CA",
    ]);
    for (name, cn) in [("server", "127.0.0.1"), ("client", client_cn)] {
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={cn}"),
        ]);
        let mut args = vec![
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &format!("{name}.pem"),
            "-days",
            "2",
        ]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
        if name == "server" {
            args.extend(["-extfile".to_string(), "san.ext".to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        openssl(&args);
    }
}

/// Asserts a SOAP 1.1 fault whose faultcode is `wsse:<code>` (with the prefix declared on the
/// faultcode element); its reason.
#[track_caller]
pub fn assert_wsse(reply: &Reply, code: &str) -> String {
    assert_eq!(reply.status, 500, "{}", reply.body);
    assert_eq!(
        reply.text("", "faultcode"),
        format!("wsse:{code}"),
        "{}",
        reply.body
    );
    assert!(
        reply
            .body
            .contains(&format!(r#"<faultcode xmlns:wsse="{WSSE_NS}">"#)),
        "{}",
        reply.body
    );
    validate(&reply.body);
    reply.text("", "faultstring")
}

const DIGEST_TYPE: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";

/// `at` as an xs:dateTime (RFC 3339).
pub fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A PasswordDigest UsernameToken: Base64(SHA-1(nonce + created + secret)).
pub fn wsse_digest(user: &str, secret: &str, nonce: &[u8], created: &str) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    let mut input = nonce.to_vec();
    input.extend_from_slice(created.as_bytes());
    input.extend_from_slice(secret.as_bytes());
    let digest = STANDARD.encode(openssl::sha::sha1(&input));
    format!(
        r#"<wsse:Security xmlns:wsse="{WSSE_NS}" xmlns:wsu="{WSU_NS}"><wsse:UsernameToken><wsse:Username>{user}</wsse:Username><wsse:Password Type="{DIGEST_TYPE}">{digest}</wsse:Password><wsse:Nonce>{}</wsse:Nonce><wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"#,
        STANDARD.encode(nonce)
    )
}

/// A PasswordDigest UsernameToken with a new nonce, created now.
pub fn fresh_digest(user: &str, secret: &str) -> String {
    wsse_digest(
        user,
        secret,
        &fresh_nonce(),
        &rfc3339(time::OffsetDateTime::now_utc()),
    )
}

/// 16 random bytes.
pub fn fresh_nonce() -> Vec<u8> {
    let mut nonce = [0u8; 16];
    openssl::rand::rand_bytes(&mut nonce).unwrap();
    nonce.to_vec()
}
