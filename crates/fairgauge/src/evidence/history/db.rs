//! Where the history lives and how it is spoken to: an embedded SQLite file (the default) or a
//! PostgreSQL server (`postgresql://…` or `postgres://…`, for teams), behind one small interface
//! — statements with `?1`-style parameters, rows of plain values, one writing transaction at a
//! time — so the schema, its migrations and every query are written once.
//!
//! The SQL the history uses is the common part of both dialects; the differences are kept here:
//! parameters (`?N` becomes `$N`), the schema version (SQLite's `PRAGMA user_version`, a
//! one-row `fairgauge_schema` table on PostgreSQL), the tables already there, a row's insertion
//! order (SQLite's `rowid`; a `rowid BIGSERIAL` column on PostgreSQL), and how writers queue
//! (SQLite's WAL and `BEGIN IMMEDIATE`; a transaction-scoped advisory lock on PostgreSQL).

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use rusqlite::OpenFlags;

pub use crate::io::source::is_postgres_url;

/// How long a connection to a PostgreSQL server may take before it is an error.
const PG_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The advisory lock every PostgreSQL writer of a history holds for its transaction (a fixed
/// number: `fairgauge` in ASCII, folded to 63 bits), so writers queue as SQLite's do.
const PG_WRITER_LOCK: i64 = 0x6661_6972_6761_7567 & i64::MAX;

/// A history's location: a file, or a PostgreSQL URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Location {
    /// An SQLite file.
    File(std::path::PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl Location {
    /// The location `path` names: a `postgresql://` or `postgres://` URL, else a file.
    pub(super) fn of(path: &Path) -> Location {
        match path.to_str() {
            Some(s) if is_postgres_url(s) => Location::Postgres(s.to_string()),
            _ => Location::File(path.to_path_buf()),
        }
    }
}

/// `path` as messages show it: a URL's password replaced by `***`.
pub fn shown(path: &Path) -> std::path::PathBuf {
    let s = path.to_string_lossy();
    if !is_postgres_url(&s) {
        return path.to_path_buf();
    }
    let (scheme, rest) = s.split_once("://").unwrap_or(("", &s));
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let redacted = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    format!("{scheme}://{redacted}{tail}").into()
}

/// A value a statement takes or a row gives.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Value {
        Value::Text(s.clone())
    }
}
impl From<i64> for Value {
    fn from(x: i64) -> Value {
        Value::Int(x)
    }
}
impl From<f64> for Value {
    fn from(x: f64) -> Value {
        Value::Real(x)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(x: Option<T>) -> Value {
        x.map_or(Value::Null, Into::into)
    }
}

/// A row of a query's answer.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row(Vec<Value>);

impl Row {
    fn at(&self, i: usize) -> std::result::Result<&Value, DbError> {
        self.0
            .get(i)
            .ok_or_else(|| DbError::Other(format!("a row has no column {i}")))
    }

    fn mismatch(&self, i: usize, want: &str) -> DbError {
        DbError::Other(format!("column {i} holds {:?}, expected {want}", self.0[i]))
    }

    /// Column `i` as text, or none.
    pub(super) fn opt_text(&self, i: usize) -> std::result::Result<Option<String>, DbError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s.clone())),
            _ => Err(self.mismatch(i, "text")),
        }
    }

    /// Column `i` as text.
    pub(super) fn text(&self, i: usize) -> std::result::Result<String, DbError> {
        self.opt_text(i)?.ok_or_else(|| self.mismatch(i, "text"))
    }

    /// Column `i` as an integer, or none.
    pub(super) fn opt_int(&self, i: usize) -> std::result::Result<Option<i64>, DbError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            Value::Int(x) => Ok(Some(*x)),
            _ => Err(self.mismatch(i, "an integer")),
        }
    }

    /// Column `i` as an integer.
    pub(super) fn int(&self, i: usize) -> std::result::Result<i64, DbError> {
        self.opt_int(i)?
            .ok_or_else(|| self.mismatch(i, "an integer"))
    }

    /// Column `i` as a real number (an integer one too), or none.
    pub(super) fn opt_real(&self, i: usize) -> std::result::Result<Option<f64>, DbError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            Value::Real(x) => Ok(Some(*x)),
            Value::Int(x) => Ok(Some(*x as f64)),
            _ => Err(self.mismatch(i, "a number")),
        }
    }
}

/// What went wrong talking to the database.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum DbError {
    /// A unique key was already there (a run recorded twice).
    Duplicate,
    /// Anything else, in the driver's words.
    Other(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Duplicate => f.write_str("a unique key is already recorded"),
            DbError::Other(m) => f.write_str(m),
        }
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(x: rusqlite::Error) -> DbError {
        match x {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                DbError::Duplicate
            }
            x => DbError::Other(x.to_string()),
        }
    }
}

impl From<postgres::Error> for DbError {
    fn from(x: postgres::Error) -> DbError {
        if x.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) {
            return DbError::Duplicate;
        }
        // The server's own message (`db error: ERROR: …` says little) with its detail.
        match x.as_db_error() {
            Some(e) => DbError::Other(match e.detail() {
                Some(d) => format!("{}: {d}", e.message()),
                None => e.message().to_string(),
            }),
            None => DbError::Other(match std::error::Error::source(&x) {
                Some(s) => format!("{x}: {s}"),
                None => x.to_string(),
            }),
        }
    }
}

pub(super) type DbResult<T> = std::result::Result<T, DbError>;

/// An open history database.
pub(super) enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres {
        client: Box<postgres::Client>,
        prepared: HashMap<String, postgres::Statement>,
    },
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Conn::Sqlite(_) => "Conn::Sqlite",
            Conn::Postgres { .. } => "Conn::Postgres",
        })
    }
}

impl Conn {
    /// Opens the SQLite file at `path` with `flags`, waiting up to a minute for other writers.
    pub(super) fn sqlite(path: &Path, flags: OpenFlags) -> DbResult<Conn> {
        let conn = rusqlite::Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(Duration::from_secs(60))?;
        Ok(Conn::Sqlite(conn))
    }

    /// Connects to the PostgreSQL server `url` names (TCP, with TLS as its `sslmode` asks, or
    /// a Unix socket), giving up after [`PG_CONNECT_TIMEOUT`].
    pub(super) fn postgres(url: &str) -> DbResult<Conn> {
        let super::tls::Target { mut config, tls } =
            super::tls::target(url).map_err(DbError::Other)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(PG_CONNECT_TIMEOUT);
        }
        config.application_name("fairgauge");
        let client = config.connect(tls)?;
        Ok(Conn::Postgres {
            client: Box::new(client),
            prepared: HashMap::new(),
        })
    }

    /// Runs statements without parameters (a schema, say).
    pub(super) fn batch(&mut self, sql: &str) -> DbResult<()> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Postgres { client, .. } => Ok(client.batch_execute(sql)?),
        }
    }

    /// Runs one statement with `params`; returns the rows it changed.
    pub(super) fn exec(&mut self, sql: &str, params: &[Value]) -> DbResult<u64> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                Ok(st.execute(rusqlite::params_from_iter(params.iter()))? as u64)
            }
            Conn::Postgres { client, prepared } => {
                let st = pg_prepare(client, prepared, sql)?;
                Ok(client.execute(&st, &pg_params(params))?)
            }
        }
    }

    /// The rows a query with `params` answers.
    pub(super) fn rows(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let width = st.column_count();
                let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    let row = (0..width)
                        .map(|i| sqlite_value(r.get_ref(i)?))
                        .collect::<DbResult<Vec<_>>>()?;
                    out.push(Row(row));
                }
                Ok(out)
            }
            Conn::Postgres { client, prepared } => {
                let st = pg_prepare(client, prepared, sql)?;
                let rows = client.query(&st, &pg_params(params))?;
                rows.iter()
                    .map(|r| (0..r.len()).map(|i| pg_value(r, i)).collect())
                    .map(|v: DbResult<Vec<Value>>| v.map(Row))
                    .collect()
            }
        }
    }

    /// The first row a query answers, if any.
    pub(super) fn row(&mut self, sql: &str, params: &[Value]) -> DbResult<Option<Row>> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }

    /// The number of tables there (SQLite's `sqlite_master`; PostgreSQL's current schema). On
    /// SQLite this is the first read, which fails on a file that is not a database.
    pub(super) fn tables(&mut self) -> DbResult<i64> {
        let sql = match self {
            Conn::Sqlite(_) => "SELECT count(*) FROM sqlite_master",
            Conn::Postgres { .. } => {
                "SELECT count(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema()"
            }
        };
        self.row(sql, &[])?.map_or(Ok(0), |r| r.int(0))
    }

    /// The schema version recorded (0: none).
    pub(super) fn version(&mut self) -> DbResult<i64> {
        let sql = match self {
            Conn::Sqlite(_) => "PRAGMA user_version",
            Conn::Postgres { .. } => {
                // The table's absence (a new database) is version 0, asked without an error.
                let known = self
                    .row(
                        "SELECT count(*) FROM information_schema.tables \
                         WHERE table_schema = current_schema() AND table_name = 'fairgauge_schema'",
                        &[],
                    )?
                    .map_or(Ok(0), |r| r.int(0))?;
                if known == 0 {
                    return Ok(0);
                }
                "SELECT max(version) FROM fairgauge_schema"
            }
        };
        Ok(self
            .row(sql, &[])?
            .map_or(Ok(None), |r| r.opt_int(0))?
            .unwrap_or(0))
    }

    /// Records the schema version (inside the writing transaction).
    pub(super) fn set_version(&mut self, version: i64) -> DbResult<()> {
        match self {
            Conn::Sqlite(c) => Ok(c.pragma_update(None, "user_version", version)?),
            Conn::Postgres { .. } => {
                self.batch(
                    "CREATE TABLE IF NOT EXISTS fairgauge_schema (version BIGINT NOT NULL)",
                )?;
                self.exec("DELETE FROM fairgauge_schema", &[])?;
                self.exec(
                    "INSERT INTO fairgauge_schema (version) VALUES (?1)",
                    &[Value::Int(version)],
                )?;
                Ok(())
            }
        }
    }

    /// Whether this is PostgreSQL (its schema is written in its own types).
    pub(super) fn is_postgres(&self) -> bool {
        matches!(self, Conn::Postgres { .. })
    }

    /// Runs `body` in one writing transaction, committed when it succeeds and rolled back when
    /// it fails: SQLite's `BEGIN IMMEDIATE` in WAL mode (a writer waits for the one before,
    /// readers go on), PostgreSQL's transaction holding the writers' advisory lock.
    pub(super) fn write<T>(
        &mut self,
        body: impl FnOnce(&mut Conn) -> std::result::Result<T, WriteError>,
    ) -> std::result::Result<T, WriteError> {
        match self {
            Conn::Sqlite(c) => {
                switch_to_wal(c).map_err(|x| WriteError::Begin(x.into()))?;
                self.batch("BEGIN IMMEDIATE").map_err(WriteError::Begin)?;
            }
            Conn::Postgres { .. } => {
                self.batch("BEGIN").map_err(WriteError::Begin)?;
                self.rows(
                    "SELECT pg_advisory_xact_lock(?1)",
                    &[Value::Int(PG_WRITER_LOCK)],
                )
                .map_err(WriteError::Begin)?;
            }
        }
        match body(self) {
            Ok(t) => {
                self.batch("COMMIT").map_err(WriteError::Commit)?;
                Ok(t)
            }
            Err(e) => {
                // The error that stopped the body is the one to tell; a failed rollback leaves
                // nothing either (the connection closes and the transaction with it).
                let _ = self.batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

/// Why a writing transaction failed.
#[derive(Debug)]
pub(super) enum WriteError {
    /// It could not start.
    Begin(DbError),
    /// A statement in it failed (what it was doing, and why).
    Step(&'static str, DbError),
    /// Something that is not the database's fault (a message to show as it is).
    Refused(String),
    /// It could not commit.
    Commit(DbError),
}

/// A step's error, saying what the step was doing.
pub(super) fn step(what: &'static str) -> impl Fn(DbError) -> WriteError {
    move |x| WriteError::Step(what, x)
}

fn sqlite_value(v: rusqlite::types::ValueRef<'_>) -> DbResult<Value> {
    use rusqlite::types::ValueRef as V;
    Ok(match v {
        V::Null => Value::Null,
        V::Integer(x) => Value::Int(x),
        V::Real(x) => Value::Real(x),
        V::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        V::Blob(_) => return Err(DbError::Other("a column holds a blob".into())),
    })
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value as V};
        Ok(ToSqlOutput::Owned(match self {
            Value::Null => V::Null,
            Value::Int(x) => V::Integer(*x),
            Value::Real(x) => V::Real(*x),
            Value::Text(s) => V::Text(s.clone()),
        }))
    }
}

/// `sql` with SQLite's `?N` parameters written as PostgreSQL's `$N`.
fn pg_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

fn pg_prepare(
    client: &mut postgres::Client,
    prepared: &mut HashMap<String, postgres::Statement>,
    sql: &str,
) -> DbResult<postgres::Statement> {
    if let Some(st) = prepared.get(sql) {
        return Ok(st.clone());
    }
    let st = client.prepare(&pg_sql(sql))?;
    prepared.insert(sql.to_string(), st.clone());
    Ok(st)
}

fn pg_params(params: &[Value]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|p| p as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

/// Column `i` of a PostgreSQL row as a plain value (the history's columns are `BIGINT`,
/// `DOUBLE PRECISION` and `TEXT`; counts are `BIGINT`).
fn pg_value(r: &postgres::Row, i: usize) -> DbResult<Value> {
    use postgres::types::Type;
    let ty = r.columns()[i].type_().clone();
    Ok(match ty {
        Type::INT8 => r.try_get::<_, Option<i64>>(i)?.into(),
        Type::INT4 => r.try_get::<_, Option<i32>>(i)?.map(i64::from).into(),
        Type::INT2 => r.try_get::<_, Option<i16>>(i)?.map(i64::from).into(),
        Type::BOOL => r.try_get::<_, Option<bool>>(i)?.map(i64::from).into(),
        Type::FLOAT8 => r.try_get::<_, Option<f64>>(i)?.into(),
        Type::FLOAT4 => r.try_get::<_, Option<f32>>(i)?.map(f64::from).into(),
        Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR => {
            r.try_get::<_, Option<String>>(i)?.into()
        }
        // `pg_advisory_xact_lock` answers `void`: nothing to read.
        Type::VOID => Value::Null,
        other => {
            return Err(DbError::Other(format!(
                "column {i} has type {other}, which the history does not use"
            )))
        }
    })
}

impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        use postgres::types::{IsNull, Type};
        match (self, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Int(x), &Type::INT8) => x.to_sql(ty, out),
            (Value::Int(x), &Type::INT4) => i32::try_from(*x)?.to_sql(ty, out),
            (Value::Int(x), &Type::FLOAT8) => (*x as f64).to_sql(ty, out),
            (Value::Real(x), &Type::FLOAT8) => x.to_sql(ty, out),
            (Value::Text(s), _) => s.as_str().to_sql(ty, out),
            (v, ty) => Err(format!("cannot write {v:?} as {ty}").into()),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// Puts an SQLite database in WAL mode (it stays so). The switch needs an exclusive lock, and
/// SQLite answers "busy" at once, without the busy timeout, when two new writers ask for it
/// together (each holds a shared lock and would wait for the other's); so a busy answer is
/// retried for up to a minute. Once one writer has switched, the others find WAL already set.
fn switch_to_wal(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Ok(_) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(f, m))
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                if std::time::Instant::now() >= deadline {
                    return Err(rusqlite::Error::SqliteFailure(f, m));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(x) => return Err(x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_renumbered_for_postgres() {
        assert_eq!(
            pg_sql("SELECT a FROM t WHERE b = ?1 AND (CAST(?2 AS TEXT) IS NULL OR c = ?2)"),
            "SELECT a FROM t WHERE b = $1 AND (CAST($2 AS TEXT) IS NULL OR c = $2)"
        );
        assert_eq!(pg_sql("SELECT '?' AS q"), "SELECT '?' AS q");
    }

    #[test]
    fn urls_are_told_from_files_and_shown_without_passwords() {
        let l = |s: &str| Location::of(Path::new(s));
        assert!(matches!(l("postgresql://u@h/db"), Location::Postgres(_)));
        assert!(matches!(l("POSTGRES://h/db"), Location::Postgres(_)));
        assert!(matches!(l("history.db"), Location::File(_)));
        assert!(matches!(l("./postgresql:/x"), Location::File(_)));
        let s = |x: &str| shown(Path::new(x)).to_string_lossy().into_owned();
        assert_eq!(
            s("postgresql://ana:s3cret@db.example:5432/fg?sslmode=disable"),
            "postgresql://ana:***@db.example:5432/fg?sslmode=disable"
        );
        assert_eq!(s("postgresql://ana@h/fg"), "postgresql://ana@h/fg");
        assert_eq!(s("postgres://h"), "postgres://h");
        assert_eq!(s("a/b.db"), "a/b.db");
    }
}
