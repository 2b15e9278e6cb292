//! Keyset pagination for the PostgreSQL repositories, in the same order and with the same
//! cursors as the SQLite ones: one page of rows ordered by a sort expression, ties broken by
//! the row id, after a cursor, with the count of every match read in the same snapshot.

use tokio_postgres::types::ToSql;
use tokio_postgres::{IsolationLevel, Row};

use super::DbError;

/// One query parameter.
pub type Param = Box<dyn ToSql + Sync + Send>;

/// The parameters of a query being written; [`Params::push`] gives the placeholder.
#[derive(Default)]
pub struct Params(Vec<Param>);

impl Params {
    /// Adds `value`; its placeholder (`$n`).
    pub fn push(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.0.push(Box::new(value));
        format!("${}", self.0.len())
    }

    /// Adds an already boxed value; its placeholder.
    pub fn push_boxed(&mut self, value: Param) -> String {
        self.0.push(value);
        format!("${}", self.0.len())
    }

    /// The values, as a query takes them.
    pub fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.0
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// A listing: `SELECT {columns} FROM {from} {filter}` ordered by `sort`, then `id`.
pub struct Listing<'a> {
    /// Table and alias, e.g. `users u`.
    pub from: &'a str,
    pub columns: &'a str,
    /// ` WHERE …` (may be empty), with its placeholders taken from `params`.
    pub filter: String,
    pub params: Params,
    /// The sort expression, e.g. `u.username` or `lower(p.name)`.
    pub sort: &'a str,
    /// The row id expression, e.g. `u.id`.
    pub id: &'a str,
    pub descending: bool,
}

/// The rows of one page (up to `limit + 1`, so the caller can tell whether more follow) and
/// the number of rows matching the filter. `after` is the cursor: the sort value (of the sort
/// expression's type) and the row id.
pub async fn page(
    client: &mut deadpool_postgres::Object,
    listing: Listing<'_>,
    after: Option<(Param, i64)>,
    limit: usize,
) -> Result<(Vec<Row>, i64), DbError> {
    let Listing {
        from,
        columns,
        filter,
        mut params,
        sort,
        id,
        descending,
    } = listing;
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let count_params = params.refs();
    let total: i64 = tx
        .query_one(
            &format!("SELECT count(*) FROM {from}{filter}"),
            &count_params,
        )
        .await?
        .get(0);
    drop(count_params);
    let (cmp, dir) = if descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let mut sql = format!("SELECT {columns} FROM {from}{filter}");
    if let Some((value, after_id)) = after {
        sql.push_str(if filter.is_empty() {
            " WHERE "
        } else {
            " AND "
        });
        let value = params.push_boxed(value);
        let after_id = params.push(after_id);
        sql.push_str(&format!("({sort}, {id}) {cmp} ({value}, {after_id})"));
    }
    let limit = params.push(i64::try_from(limit + 1).unwrap_or(i64::MAX));
    sql.push_str(&format!(" ORDER BY {sort} {dir}, {id} {dir} LIMIT {limit}"));
    let rows = tx.query(&sql, &params.refs()).await?;
    tx.commit().await?;
    Ok((rows, total))
}
