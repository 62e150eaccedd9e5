//! floor serve PORT DB  — /hello, /select (pooled SQLite point read), /report (the same read of a
//! 33,431-byte row, the demo progress report's size), /insert (one row + 8 children in a tx)
use actix_web::{App, HttpResponse, HttpServer, web};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sql_types::{BigInt, Text};
use std::sync::atomic::{AtomicI64, Ordering};

type DbPool = Pool<ConnectionManager<SqliteConnection>>;
static NEXT: AtomicI64 = AtomicI64::new(1);

#[derive(Debug)]
struct Pragmas;
impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, c: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        use diesel::connection::SimpleConnection;
        c.batch_execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;")
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

#[derive(QueryableByName)]
struct Row { #[diesel(sql_type = Text)] body: String }
#[derive(QueryableByName)]
struct Id { #[diesel(sql_type = BigInt)] id: i64 }

async fn select(pool: web::Data<DbPool>) -> HttpResponse {
    let id = (NEXT.fetch_add(7919, Ordering::Relaxed) % 10_000) + 1;
    let r = web::block(move || {
        let mut c = pool.get().expect("pool");
        diesel::sql_query("SELECT body FROM item WHERE id = ?").bind::<BigInt, _>(id).get_result::<Row>(&mut c)
    }).await;
    match r { Ok(Ok(row)) => HttpResponse::Ok().body(row.body), _ => HttpResponse::InternalServerError().finish() }
}

/// The point read again, of a row as large as the demo portfolio's progress report: what sending
/// that many bytes costs on this stack, whatever computes them.
async fn report(pool: web::Data<DbPool>) -> HttpResponse {
    let id = (NEXT.fetch_add(7919, Ordering::Relaxed) % 100) + 1;
    let r = web::block(move || {
        let mut c = pool.get().expect("pool");
        diesel::sql_query("SELECT body FROM report WHERE id = ?").bind::<BigInt, _>(id).get_result::<Row>(&mut c)
    }).await;
    match r { Ok(Ok(row)) => HttpResponse::Ok().content_type("application/json").body(row.body), _ => HttpResponse::InternalServerError().finish() }
}

async fn insert(pool: web::Data<DbPool>) -> HttpResponse {
    let r = web::block(move || {
        let mut c = pool.get().expect("pool");
        c.immediate_transaction(|c| {
            let obs: Id = diesel::sql_query("INSERT INTO obs (body) VALUES ('observation') RETURNING id").get_result(c)?;
            for k in 0..8 {
                diesel::sql_query("INSERT INTO obs_criterion (obs_id, criterion) VALUES (?, ?)")
                    .bind::<BigInt, _>(obs.id).bind::<Text, _>(format!("1.{k}")).execute(c)?;
            }
            Ok::<_, diesel::result::Error>(())
        })
    }).await;
    match r { Ok(Ok(())) => HttpResponse::Created().finish(), Ok(Err(e)) => HttpResponse::InternalServerError().body(e.to_string()), Err(e) => HttpResponse::InternalServerError().body(e.to_string()) }
}

fn serve(port: u16, db: &str) -> std::io::Result<()> {
    let pool = Pool::builder().max_size(8).connection_customizer(Box::new(Pragmas))
        .build(ConnectionManager::<SqliteConnection>::new(db)).expect("pool");
    {
        let mut c = pool.get().expect("conn");
        diesel::sql_query("CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").execute(&mut c).unwrap();
        diesel::sql_query("CREATE TABLE IF NOT EXISTS obs (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").execute(&mut c).unwrap();
        diesel::sql_query("CREATE TABLE IF NOT EXISTS obs_criterion (obs_id INTEGER NOT NULL REFERENCES obs(id), criterion TEXT NOT NULL)").execute(&mut c).unwrap();
        diesel::sql_query("CREATE TABLE IF NOT EXISTS report (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").execute(&mut c).unwrap();
        diesel::sql_query("INSERT OR IGNORE INTO report (id, body) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 100) SELECT i, printf('%.*c', 33431, 'x') FROM n").execute(&mut c).unwrap();
        diesel::sql_query("INSERT OR IGNORE INTO item (id, body) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 10000) SELECT i, 'item ' || i FROM n").execute(&mut c).unwrap();
    }
    actix_web::rt::System::new().block_on(
        HttpServer::new(move || App::new().app_data(web::Data::new(pool.clone()))
            .route("/hello", web::get().to(|| async { "ok" }))
            .route("/select", web::get().to(select))
            .route("/report", web::get().to(report))
            .route("/insert", web::post().to(insert)))
        .bind(("127.0.0.1", port))?.run())
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    match a.get(1).map(String::as_str) {
        Some("serve") => serve(a[2].parse().expect("port"), &a[3]).expect("serve"),
        _ => eprintln!("usage: floor serve PORT DB"),
    }
}
