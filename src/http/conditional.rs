//! Conditional GET for JSON that clients poll: a strong `ETag` over the body, and `304 Not
//! Modified` (no body) when the client's `If-None-Match` already names it; gzip of it for clients
//! that take gzip.

use actix_web::http::header::{self, AcceptEncoding, Encoding, EntityTag, Header, IfNoneMatch};
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;

use crate::http::ApiError;

/// The strong entity tag `tag` (a stored evaluation's, see [`crate::portfolio::stored::etag`]).
fn strong_tag(tag: &str) -> EntityTag {
    EntityTag::new_strong(tag.to_owned())
}

/// A stored JSON body, and how it is coded.
pub enum Body {
    /// The JSON as it is kept.
    Plain(Bytes),
    /// Gzip of the JSON as it is kept, for a client that accepts gzip.
    Gzip(Bytes),
    /// JSON kept as gzip alone, for a client that does not accept gzip: unpacked only when sent,
    /// not for a 304.
    Unpacked(Box<dyn FnOnce() -> Result<Bytes, ApiError>>),
}

/// What a request asks of JSON that clients poll: whether it takes gzip, and the tags it holds.
#[derive(Debug, Clone)]
pub struct Asked {
    gzip: bool,
    held: Option<IfNoneMatch>,
}

impl Asked {
    /// What `req` asks (its `Accept-Encoding` and `If-None-Match`).
    pub fn of(req: &HttpRequest) -> Self {
        // Most requests send no `If-None-Match`: nothing to parse then. An unreadable header is
        // as good as none: the answer is sent in full.
        let held = req
            .headers()
            .contains_key(header::IF_NONE_MATCH)
            .then(|| IfNoneMatch::parse(req).ok())
            .flatten();
        Self {
            gzip: accepts_gzip(req),
            held,
        }
    }

    /// Whether the client takes gzip.
    pub fn takes_gzip(&self) -> bool {
        self.gzip
    }

    /// The tag the client holds of the state tagged `tag`, in either coding (see
    /// [`stored_json`]); `None` when it holds neither.
    pub fn held(&self, tag: &str) -> Option<EntityTag> {
        let plain = strong_tag(tag);
        let gzip = gzip_tag(tag);
        match self.held.as_ref()? {
            IfNoneMatch::Any => Some(if self.gzip { gzip } else { plain }),
            IfNoneMatch::Items(tags) => {
                // The coding this client gets first, should it hold both.
                let (first, second) = if self.gzip {
                    (gzip, plain)
                } else {
                    (plain, gzip)
                };
                [first, second]
                    .into_iter()
                    .find(|held| tags.iter().any(|t| t.weak_eq(held)))
            }
        }
    }
}

/// The tag of the gzip coding of the state tagged `tag`.
fn gzip_tag(tag: &str) -> EntityTag {
    EntityTag::new_strong(format!("{tag}-gzip"))
}

/// Whether the request's `Accept-Encoding` takes gzip in preference to no coding (as browsers' and
/// HTTP libraries' do); without the header, no coding is sent.
fn accepts_gzip(req: &HttpRequest) -> bool {
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
/// 304 when the request's `If-None-Match` names the tag (`body` is then not used).
///
/// `no-cache` lets a client keep the answer but makes it ask again (cheaply) before using it. The
/// answer varies with `Accept-Encoding`, and its gzip coding carries its own tag (the stored one
/// with `-gzip`), as two codings of one state are two representations; either tag in
/// `If-None-Match` answers 304 (with the tag the client holds), since both name the same state.
pub fn stored_json(asked: &Asked, tag: &str, body: Body) -> Result<HttpResponse, ApiError> {
    let kept = |mut response: actix_web::HttpResponseBuilder| {
        response
            .insert_header((header::CACHE_CONTROL, "private, no-cache"))
            .insert_header((header::VARY, "Accept-Encoding"));
        response
    };
    if let Some(held) = asked.held(tag) {
        return Ok(kept(HttpResponse::NotModified())
            .insert_header(header::ETag(held))
            .finish());
    }
    let mut response = kept(HttpResponse::Ok());
    let bytes = match body {
        Body::Plain(bytes) => {
            response.insert_header(header::ETag(strong_tag(tag)));
            bytes
        }
        Body::Gzip(bytes) => {
            response
                .insert_header(header::ETag(gzip_tag(tag)))
                .insert_header((header::CONTENT_ENCODING, "gzip"));
            bytes
        }
        Body::Unpacked(unpack) => {
            response.insert_header(header::ETag(strong_tag(tag)));
            unpack()?
        }
    };
    Ok(response.content_type("application/json").body(bytes))
}
