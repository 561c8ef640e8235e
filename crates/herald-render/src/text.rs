//! Cutting text to a platform's limit without breaking what a reader sees: never inside a
//! character, nor inside an emoji sequence (ZWJ, variation selector, skin tone, keycap, flag)
//! or a letter and its combining accents, and always ending in "…" when something was cut.

use crate::escape::Markup;

pub(crate) const ELLIPSIS: &str = "…";

/// Length as the platforms count it. UTF-16 code units are never fewer than characters, so a
/// text within a limit by this count is within it whether the platform counts characters
/// (Discord's API) or UTF-16 units (JavaScript clients).
pub(crate) fn units(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// `text` escaped for `markup`, cut to at most `max` units with "…" at the end when too long.
/// Escaping happens before measuring, so an escape sequence (`&amp;`, `\*`) is never split.
pub(crate) fn fit(text: &str, max: usize, markup: Markup) -> String {
    fit_cut(text, max, markup).0
}

/// The same, for text that needs no escaping (Slack plain_text, usernames, the headline).
pub(crate) fn fit_plain(text: &str, max: usize) -> String {
    fit(text, max, Markup::Plain)
}

/// One piece of a text whose parts share one limit.
pub(crate) struct Piece<'a> {
    pub text: &'a str,
    pub markup: Markup,
    /// The most this piece may take, however much is left.
    pub cap: usize,
}

/// Below this much room a piece is left out rather than shown as a stub like "Acc…".
const MIN_CUT: usize = 16;

/// Fits pieces into `budget` units between them, in the order given: each takes what it needs,
/// up to its cap, of what the pieces before it left. Callers list pieces by how much they
/// matter, so the least telling is cut first. A piece left no room comes back empty.
pub(crate) fn share<const N: usize>(budget: usize, pieces: [Piece<'_>; N]) -> [String; N] {
    let mut left = budget;
    pieces.map(|piece| {
        let room = piece.cap.min(left);
        let (fitted, cut) = fit_cut(piece.text, room, piece.markup);
        if cut && room < MIN_CUT {
            return String::new();
        }
        left -= units(&fitted);
        fitted
    })
}

/// `fit`, and whether it had to cut.
fn fit_cut(text: &str, max: usize, markup: Markup) -> (String, bool) {
    let escaped = markup.escape(text);
    if units(&escaped) <= max {
        return (escaped, false);
    }
    if max == 0 {
        return (String::new(), true);
    }
    let mut escaper = markup.escaper();
    let mut out = String::new();
    let mut used = 0;
    let mut piece = String::new();
    for cluster in clusters(text) {
        piece.clear();
        cluster.chars().for_each(|c| escaper.push(c, &mut piece));
        let size = units(&piece);
        // One unit stays free for the ellipsis.
        if used + size + 1 > max {
            break;
        }
        out.push_str(&piece);
        used += size;
    }
    out.truncate(out.trim_end().len());
    out.push_str(ELLIPSIS);
    (out, true)
}

/// Splits `text` into what a reader sees as one symbol, closely enough for cutting: a
/// character with everything attached to it. A full grapheme segmentation would need the
/// Unicode tables; these rules cover emoji sequences and combining accents.
pub(crate) fn clusters(text: &str) -> Clusters<'_> {
    Clusters { rest: text }
}

pub(crate) struct Clusters<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Clusters<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let mut chars = self.rest.char_indices();
        let (_, first) = chars.next()?;
        let mut end = first.len_utf8();
        let mut previous = first;
        let mut regional_pairs = u32::from(is_regional(first));
        for (at, c) in chars {
            let joins = is_extender(c)
                || previous == ZWJ
                // Two regional indicators make one flag; a third starts the next flag.
                || (is_regional(c) && regional_pairs == 1);
            if !joins {
                break;
            }
            regional_pairs += u32::from(is_regional(c));
            end = at + c.len_utf8();
            previous = c;
        }
        let (cluster, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(cluster)
    }
}

const ZWJ: char = '\u{200D}';

/// Characters that attach to the one before them.
fn is_extender(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0300..=0x036F // combining diacritical marks
            | 0x1AB0..=0x1AFF
            | 0x1DC0..=0x1DFF
            | 0x200D // zero-width joiner
            | 0x20D0..=0x20FF // combining marks for symbols, the keycap
            | 0xFE00..=0xFE0F // variation selectors
            | 0xFE20..=0xFE2F
            | 0x1F3FB..=0x1F3FF // skin tones
            | 0xE0020..=0xE007F // tag sequences (subdivision flags)
            | 0xE0100..=0xE01EF
    )
}

fn is_regional(c: char) -> bool {
    matches!(u32::from(c), 0x1F1E6..=0x1F1FF)
}

#[cfg(test)]
mod tests;
