//! Conditional GET for JSON that clients poll: a strong `ETag` over the body, and `304 Not
//! Modified` (no body) when the client's `If-None-Match` already names it.

use actix_web::http::header::{self, AcceptEncoding, Encoding, EntityTag, Header, IfNoneMatch};
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;

use crate::http::ApiError;

/// The strong entity tag `tag` (a stored evaluation's, see [`crate::portfolio::stored::etag`]).
pub fn strong_tag(tag: &str) -> EntityTag {
    EntityTag::new_strong(tag.to_owned())
}

/// A stored JSON body, and how it is coded.
pub enum Body {
    /// JSON kept as it is.
    Plain(Bytes),
    /// JSON kept as gzip, sent as it is to a client that accepts gzip.
    Gzip(Bytes),
    /// JSON kept as gzip, for a client that does not accept gzip: unpacked only when sent, not
    /// for a 304.
    Unpacked(Box<dyn FnOnce() -> Result<Bytes, ApiError>>),
}

/// Whether the request's `Accept-Encoding` takes gzip in preference to no coding (as browsers' and
/// HTTP libraries' do); without the header, no coding is sent.
pub fn accepts_gzip(req: &HttpRequest) -> bool {
    if !req.headers().contains_key(header::ACCEPT_ENCODING) {
        return false;
    }
    let supported = [Encoding::gzip(), Encoding::identity()];
    AcceptEncoding::parse(req)
        .ok()
        .and_then(|accepted| accepted.negotiate(supported.iter()))
        .is_some_and(|chosen| chosen == Encoding::gzip())
}

/// JSON kept with its tag: sent as it is (the body is not parsed, serialised or copied again), or
/// 304 when the request's `If-None-Match` names the tag.
///
/// `no-cache` lets a client keep the answer but makes it ask again (cheaply) before using it. A
/// body kept as gzip varies with `Accept-Encoding`, and its gzip coding carries its own tag (the
/// stored one with `-gzip`), as two codings of one state are two representations; either tag in
/// `If-None-Match` answers 304, since both name the same state.
pub fn stored_json(
    req: &HttpRequest,
    tag: EntityTag,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let gzip_tag = || EntityTag::new_strong(format!("{}-gzip", tag.tag()));
    // Most requests send no `If-None-Match`: nothing to parse then.
    let fresh = req.headers().contains_key(header::IF_NONE_MATCH)
        && match IfNoneMatch::parse(req) {
            Ok(IfNoneMatch::Any) => true,
            Ok(IfNoneMatch::Items(tags)) => {
                let gzipped = gzip_tag();
                tags.iter().any(|t| t.weak_eq(&tag) || t.weak_eq(&gzipped))
            }
            // An unreadable header is as good as none: answer in full.
            Err(_) => false,
        };
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response.insert_header((header::CACHE_CONTROL, "private, no-cache"));
    let bytes = match body {
        Body::Plain(bytes) => {
            response.insert_header(header::ETag(tag));
            bytes
        }
        Body::Gzip(bytes) => {
            response
                .insert_header(header::ETag(gzip_tag()))
                .insert_header((header::VARY, "Accept-Encoding"));
            if !fresh {
                response.insert_header((header::CONTENT_ENCODING, "gzip"));
            }
            bytes
        }
        Body::Unpacked(unpack) => {
            response
                .insert_header(header::ETag(tag))
                .insert_header((header::VARY, "Accept-Encoding"));
            if fresh { Bytes::new() } else { unpack()? }
        }
    };
    Ok(if fresh {
        response.finish()
    } else {
        response.content_type("application/json").body(bytes)
    })
}
