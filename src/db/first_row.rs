//! `LIMIT 1` written into the SQL instead of bound.
//!
//! Diesel's `.first()` binds the limit as a parameter. Since 3.47, SQLite reads a bound LIMIT while
//! planning and marks the statement to be compiled again whenever that parameter is bound anew —
//! and diesel binds every parameter on every execution, so each `.first()` recompiled its SQL
//! (callgrind: 390,000 of the 1,000,000 instructions of a progress read). `.first_row()` runs
//! the same query with the literal `LIMIT 1`, so the cached statement is reused as it is.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::methods::LoadQuery;
use diesel::{QueryResult, RunQueryDsl};

/// `query LIMIT 1`, the 1 in the SQL text.
#[derive(Debug, Clone, Copy, QueryId)]
pub struct LimitOne<Q>(Q);

impl<Q: Query> Query for LimitOne<Q> {
    type SqlType = Q::SqlType;
}

impl<Q: QueryFragment<DB>, DB: Backend> QueryFragment<DB> for LimitOne<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(" LIMIT 1");
        Ok(())
    }
}

impl<Q, Conn> RunQueryDsl<Conn> for LimitOne<Q> {}

/// `.first_row(conn)`: what diesel's `.first(conn)` answers (the first row, or
/// `Error::NotFound`), without the recompilation a bound limit causes on SQLite. For queries
/// without a limit or `FOR UPDATE` of their own.
pub trait FirstRow: Query + Sized {
    /// The first row the query returns.
    fn first_row<'q, U, Conn>(self, conn: &mut Conn) -> QueryResult<U>
    where
        LimitOne<Self>: LoadQuery<'q, Conn, U>,
    {
        LimitOne(self).get_result(conn)
    }
}

impl<Q: Query> FirstRow for Q {}
