//! Conditional GET for JSON that clients poll: a strong `ETag` over the body, and `304 Not
//! Modified` (no body) when the client's `If-None-Match` already names it.

use actix_web::http::header::{self, EntityTag, Header, IfNoneMatch};
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;

/// The strong entity tag `tag` (a stored evaluation's, see [`crate::portfolio::stored::etag`]).
pub fn strong_tag(tag: &str) -> EntityTag {
    EntityTag::new_strong(tag.to_owned())
}

/// JSON kept with its tag: sent as it is (the body is not parsed, serialised or copied again), or
/// 304 when the request's `If-None-Match` names the tag.
///
/// `no-cache` lets a client keep the answer but makes it ask again (cheaply) before using it.
pub fn stored_json(req: &HttpRequest, tag: EntityTag, body: Bytes) -> HttpResponse {
    // Most requests send no `If-None-Match`: nothing to parse then.
    let fresh = req.headers().contains_key(header::IF_NONE_MATCH)
        && match IfNoneMatch::parse(req) {
            Ok(IfNoneMatch::Any) => true,
            Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&tag)),
            // An unreadable header is as good as none: answer in full.
            Err(_) => false,
        };
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header(header::ETag(tag))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"));
    if fresh {
        response.finish()
    } else {
        response.content_type("application/json").body(body)
    }
}
