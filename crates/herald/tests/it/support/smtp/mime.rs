//! Reading a received mail as a mail client would: unfolded headers, RFC 2047 words, the parts
//! of a multipart body in their transfer encodings.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

pub(super) fn header_in<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Splits an entity (with `\n` line endings) into its unfolded headers and its body.
pub(super) fn split_entity(entity: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = match entity.strip_prefix('\n') {
        Some(body) => ("", body),
        None => entity.split_once("\n\n").unwrap_or((entity, "")),
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        match headers.last_mut() {
            // A folded line continues the previous header (RFC 5322 2.2.3).
            Some((_, value)) if line.starts_with([' ', '\t']) => value.push_str(line),
            _ => {
                if let Some((name, value)) = line.split_once(':') {
                    headers.push((name.trim().to_owned(), value.to_owned()));
                }
            }
        }
    }
    for (_, value) in &mut headers {
        *value = value.trim().to_owned();
    }
    (headers, body)
}

/// The first part of `media_type` in this entity, searching nested multiparts, decoded.
pub(super) fn find_part(
    headers: &[(String, String)],
    body: &str,
    media_type: &str,
) -> Option<String> {
    let content_type = header_in(headers, "Content-Type").unwrap_or("text/plain");
    let (essence, parameters) = content_type.split_once(';').unwrap_or((content_type, ""));
    let essence = essence.trim().to_ascii_lowercase();
    if essence.starts_with("multipart/") {
        let boundary = parameters.split(';').find_map(|parameter| {
            let (name, value) = parameter.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| value.trim().trim_matches('"'))
        })?;
        let delimiter = format!("--{boundary}");
        let mut parts: Vec<Vec<&str>> = Vec::new();
        for line in body.split('\n') {
            let line_trimmed = line.trim_end();
            if line_trimmed == format!("{delimiter}--") {
                break;
            }
            if line_trimmed == delimiter {
                parts.push(Vec::new());
            } else if let Some(part) = parts.last_mut() {
                part.push(line);
            }
        }
        return parts.iter().find_map(|lines| {
            let part = lines.join("\n");
            let (headers, body) = split_entity(&part);
            find_part(&headers, body, media_type)
        });
    }
    if essence != media_type {
        return None;
    }
    let encoding = header_in(headers, "Content-Transfer-Encoding").unwrap_or("7bit");
    let bytes = match encoding.to_ascii_lowercase().as_str() {
        "quoted-printable" => decode_quoted_printable(body),
        "base64" => {
            let compact: String = body.split_whitespace().collect();
            BASE64.decode(compact).expect("a valid base64 body")
        }
        _ => body.as_bytes().to_vec(),
    };
    // The client encoded CRLF line endings; tests compare with `\n` text.
    Some(String::from_utf8_lossy(&bytes).replace("\r\n", "\n"))
}

/// Quoted-printable (RFC 2045 6.7): `=XX` bytes and `=` soft line breaks.
pub(super) fn decode_quoted_printable(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            let rest = &bytes[i + 1..];
            if rest.starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if rest.starts_with(b"\n") {
                i += 2;
                continue;
            }
            if rest.len() >= 2 && rest[..2].iter().all(u8::is_ascii_hexdigit) {
                let hex = std::str::from_utf8(&rest[..2]).expect("hex digits are ASCII");
                out.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`); other text stays.
pub(super) fn decode_encoded_words(value: &str) -> String {
    let mut out = Vec::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, candidate) = rest.split_at(start);
        match encoded_word(candidate) {
            Some((bytes, length)) => {
                // Whitespace between two encoded words is folding, not text (RFC 2047 6.2).
                if !(after_word && before.trim().is_empty()) {
                    out.extend_from_slice(before.as_bytes());
                }
                out.extend(bytes);
                rest = &candidate[length..];
                after_word = true;
            }
            None => {
                out.extend_from_slice(before.as_bytes());
                out.extend_from_slice(b"=?");
                rest = &candidate[2..];
                after_word = false;
            }
        }
    }
    out.extend_from_slice(rest.as_bytes());
    // Bytes are joined before UTF-8 decoding: an encoder may split a character across words.
    String::from_utf8_lossy(&out).into_owned()
}

/// The bytes of the encoded word `s` starts with, and its length.
pub(super) fn encoded_word(s: &str) -> Option<(Vec<u8>, usize)> {
    let mut fields = s.strip_prefix("=?")?.splitn(3, '?');
    let charset = fields.next()?;
    let encoding = fields.next()?;
    let tail = fields.next()?;
    let end = tail.find("?=")?;
    let text = &tail[..end];
    if text.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match encoding {
        "b" | "B" => BASE64.decode(text).ok()?,
        "q" | "Q" => decode_quoted_printable(&text.replace('_', " ")),
        _ => return None,
    };
    Some((bytes, 2 + charset.len() + 1 + encoding.len() + 1 + end + 2))
}
