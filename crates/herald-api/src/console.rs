//! The web console's static files (`console/app/`), embedded in the binary at build time and
//! served without a token: the page itself asks for one and calls `/v1` with it. Files are
//! looked up among the embedded keys only, so no path (`/console/../x`, encoded or not) can
//! reach the file system; an unknown one is a 404.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::ApiError;

#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/../../console/app"]
struct ConsoleFiles;

/// Only the console's own origin, nothing inline but styles. Inline styles are allowed because
/// the console shows mail and digest previews, whose HTML carries its own styles, in a
/// sandboxed `srcdoc` iframe; such a frame inherits this policy, so without `'unsafe-inline'`
/// for styles the previews would show unstyled. Scripts stay `'self'` only, and the sandbox
/// runs none in the preview.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    font-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; \
    frame-ancestors 'self'; form-action 'self'";

const INDEX: &str = "index.html";

/// `GET /`: the console's page.
pub async fn index(headers: HeaderMap) -> Response {
    serve(INDEX, &headers)
}

/// `GET /console/{path}`: one of the console's files.
pub async fn file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&path, &headers)
}

fn serve(path: &str, request: &HeaderMap) -> Response {
    let mut response = match ConsoleFiles::get(path) {
        None => ApiError::NotFound("console file").into_response(),
        Some(file) => {
            let etag = format!("\"{}\"", hex_of(&file.metadata.sha256_hash()));
            let unchanged = request
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
            let mut response = if unchanged {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                let mut response = file.data.into_owned().into_response();
                insert(
                    &mut response,
                    header::CONTENT_TYPE,
                    file.metadata.mimetype(),
                );
                response
            };
            insert(&mut response, header::ETAG, &etag);
            // The files are not fingerprinted: a browser must ask (cheaply, by ETag) every
            // time, or it would mix an old page with a new API after an upgrade.
            insert(&mut response, header::CACHE_CONTROL, "no-cache");
            response
        }
    };
    insert(
        &mut response,
        header::CONTENT_SECURITY_POLICY,
        CONTENT_SECURITY_POLICY,
    );
    insert(&mut response, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    insert(&mut response, header::REFERRER_POLICY, "no-referrer");
    response
}

fn insert(response: &mut Response, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
