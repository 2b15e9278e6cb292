//! Online backups with SQLite's backup API (a consistent copy while writes go on), and
//! restores that refuse to overwrite an existing database unless forced.

use std::path::Path;
use std::time::Duration;

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};

use super::{DbError, Durability, migrations, open_connection};

/// Copies the database at `db` to `out` (replacing it), page by page, letting writers in
/// between steps; the copy is of one moment. Returns the number of pages.
pub fn backup(db: &Path, out: &Path) -> Result<i64, DbError> {
    if !db.exists() {
        return Err(DbError::Open {
            path: db.display().to_string(),
            reason: "no such database".into(),
        });
    }
    let source = open_connection(db, Durability::Full)?;
    let tmp = out.with_extension("partial");
    let _ = std::fs::remove_file(&tmp);
    let mut target = Connection::open(&tmp)?;
    {
        let copy = Backup::new(&source, &mut target)?;
        copy.run_to_completion(256, Duration::from_millis(5), None)?;
    }
    let pages: i64 = target.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let check: String = target.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    drop(target);
    if check != "ok" {
        let _ = std::fs::remove_file(&tmp);
        return Err(DbError::Sqlite(format!(
            "the backup failed its check: {check}"
        )));
    }
    std::fs::rename(&tmp, out)
        .map_err(|e| DbError::Sqlite(format!("cannot write {}: {e}", out.display())))?;
    Ok(pages)
}

/// Replaces the database at `db` with the backup `from`. An existing database is only
/// replaced with `force` (stop the server first). The backup must be a Soapstone database.
pub fn restore(from: &Path, db: &Path, force: bool) -> Result<i64, DbError> {
    let source = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let check: String = source.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    let version: i64 = source.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if check != "ok" || version < 1 || version > migrations::latest() {
        return Err(DbError::Sqlite(format!(
            "{} is not a usable Soapstone backup (check: {check}, schema version {version})",
            from.display()
        )));
    }
    if db.exists() && !force {
        return Err(DbError::Sqlite(format!(
            "{} exists; stop the server and pass --force to replace it",
            db.display()
        )));
    }
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| DbError::Sqlite(e.to_string()))?;
    }
    let mut target = open_connection(db, Durability::Full)?;
    {
        let copy = Backup::new(&source, &mut target)?;
        copy.run_to_completion(256, Duration::from_millis(5), None)?;
    }
    Ok(target.query_row("PRAGMA page_count", [], |r| r.get(0))?)
}
