//! Keyset pagination for the SQLite repositories: one page of rows in a stable order (a sort
//! column, ties broken by the row id), after a cursor, with the count of every match read in
//! the same snapshot.

use rusqlite::types::Value;
use rusqlite::{Connection, Row};

use crate::common::{Cursor, CursorValue};

/// A listing: `SELECT {columns} FROM {from} {filter}` ordered by `sort`, then `id`.
pub struct Listing<'a> {
    /// Table and alias, e.g. `users u`.
    pub from: &'a str,
    pub columns: &'a str,
    /// ` WHERE …` (may be empty) and its parameters.
    pub filter: &'a str,
    pub values: Vec<Value>,
    /// The sort expression, e.g. `u.username` or `p.name COLLATE NOCASE`.
    pub sort: &'a str,
    /// The row id expression, e.g. `u.id`.
    pub id: &'a str,
    pub descending: bool,
}

/// The rows of one page (up to `limit + 1`, so the caller can tell whether more follow) and
/// the number of rows matching the filter.
pub fn page<T>(
    conn: &Connection,
    listing: Listing<'_>,
    after: Option<Cursor>,
    limit: usize,
    row: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<(Vec<T>, i64)> {
    let Listing {
        from,
        columns,
        filter,
        mut values,
        sort,
        id,
        descending,
    } = listing;
    let tx = conn.unchecked_transaction()?;
    let total: i64 = tx
        .prepare_cached(&format!("SELECT count(*) FROM {from}{filter}"))?
        .query_row(rusqlite::params_from_iter(values.iter()), |r| r.get(0))?;
    let (cmp, dir) = if descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let mut sql = format!("SELECT {columns} FROM {from}{filter}");
    if let Some(cursor) = after {
        sql.push_str(if filter.is_empty() {
            " WHERE "
        } else {
            " AND "
        });
        // Expanded rather than a row value, so that the sort expression's collation applies.
        sql.push_str(&format!(
            "({sort} {cmp} ? OR ({sort} = ? AND {id} {cmp} ?))"
        ));
        let value = match cursor.value {
            CursorValue::Int(i) => Value::Integer(i),
            CursorValue::Text(t) => Value::Text(t),
        };
        values.extend([value.clone(), value, Value::Integer(cursor.id)]);
    }
    sql.push_str(&format!(" ORDER BY {sort} {dir}, {id} {dir} LIMIT ?"));
    values.push(Value::Integer(i64::try_from(limit + 1).unwrap_or(i64::MAX)));
    let rows = tx
        .prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(values.iter()), row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    tx.commit()?;
    Ok((rows, total))
}
