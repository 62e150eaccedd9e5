//! How the route table is registered: a tree of scopes by path segment, and the fallback for
//! paths no route takes.

use actix_web::web;

use super::{ROUTES, Registrar};
use crate::http::pages;

/// Registers `routes` (each with its pattern relative to this level, in table order) as a tree of
/// scopes by path segment, so that a request is matched against a handful of patterns at each
/// level instead of trying the whole table in order (actix tries resources one by one, and each
/// dynamic pattern is a regex).
///
/// A scope that matches a path's prefix answers for it: actix does not go on to the scope's
/// siblings when nothing inside matches (it answers with the default service). So a segment gets
/// its own scope only where no route outside it can match a path it takes: when every segment at
/// this level is literal (distinct literals never match the same path), or when there is one
/// segment, literal or not (the routes that end here match only the empty rest, which no scope
/// takes). Otherwise this level's routes are registered one by one in table order, as before.
/// Either way every request reaches the route the flat table gave it, and paths no route takes
/// still reach the fallback, which answers 404 or 405 from [`ROUTES`].
pub(super) fn register_level(cfg: &mut web::ServiceConfig, routes: Vec<(&'static str, Registrar)>) {
    // Groups by first segment, in the order each first appears; the routes that end here (an
    // empty rest) stay apart.
    let mut groups: Vec<(&'static str, Vec<(&'static str, Registrar)>)> = Vec::new();
    let mut ends_here = Vec::new();
    for (path, registrar) in &routes {
        let Some(rest) = path.strip_prefix('/') else {
            ends_here.push((*path, *registrar));
            continue;
        };
        let (segment, below) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        match groups.iter_mut().find(|(seen, _)| *seen == segment) {
            Some((_, members)) => members.push((below, *registrar)),
            None => groups.push((segment, vec![(below, *registrar)])),
        }
    }
    let dynamic = groups
        .iter()
        .filter(|(segment, _)| segment.contains('{'))
        .count();
    if dynamic > 0 && groups.len() > 1 {
        for (path, registrar) in routes {
            registrar(cfg, path);
        }
        return;
    }
    for (path, registrar) in ends_here {
        registrar(cfg, path);
    }
    for (segment, members) in groups {
        match members.as_slice() {
            [(below, registrar)] => registrar(cfg, &format!("/{segment}{below}")),
            _ => {
                cfg.service(
                    web::scope(&format!("/{segment}"))
                        .configure(move |inner| register_level(inner, members)),
                );
            }
        }
    }
}

/// A known path asked with a method it does not take is 405 with the methods it does take
/// (`Allow`); an unknown path is not found.
pub(super) async fn fallback(
    req: actix_web::HttpRequest,
    state: web::Data<crate::http::AppState>,
) -> Result<actix_web::HttpResponse, crate::http::ApiError> {
    let allowed = allowed_methods(req.path());
    if !allowed.is_empty() {
        return Err(crate::http::ApiError::MethodNotAllowed(allowed));
    }
    pages::not_found(req, state).await
}

/// The methods the route table serves at `path`.
pub fn allowed_methods(path: &str) -> Vec<&'static str> {
    static PATTERNS: std::sync::OnceLock<Vec<(&'static str, actix_web::dev::ResourceDef)>> =
        std::sync::OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        ROUTES
            .iter()
            .map(|(method, pattern)| (*method, actix_web::dev::ResourceDef::new(*pattern)))
            .collect()
    });
    let mut allowed: Vec<&'static str> = patterns
        .iter()
        .filter(|(_, def)| def.is_match(path))
        .map(|(method, _)| *method)
        .collect();
    allowed.dedup();
    allowed
}
