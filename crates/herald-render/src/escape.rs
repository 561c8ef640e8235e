//! Publisher text made inert for each platform's markup: it shows as written and can neither
//! ping anyone nor inject formatting, links or tags. Only the subscription's own
//! `mention_on_failure` is ever passed through raw, by the renderers.

/// The markup a piece of text is placed into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Markup {
    /// No markup at all: Slack `plain_text`, usernames, the headline.
    Plain,
    /// Slack `mrkdwn` and the fallback `text`: only `&`, `<` and `>` are control characters.
    Slack,
    /// Discord markdown in embeds and content.
    Discord,
    /// Text shown without markup that a client might still scan for mentions (a Discord
    /// footer, a Teams fallback or summary): only `@` and `<` are broken up.
    Inert,
    /// Adaptive Card `TextBlock` and `FactSet` markdown.
    Teams,
    /// MessageCard text: markdown over HTML.
    MessageCard,
}

/// Zero-width space: breaks `@everyone`, `<@123>` and `<at>` apart without a visible trace.
const ZWSP: char = '\u{200B}';

impl Markup {
    pub(crate) fn escape(self, text: &str) -> String {
        let mut escaper = self.escaper();
        let mut out = String::with_capacity(text.len());
        text.chars().for_each(|c| escaper.push(c, &mut out));
        out
    }

    /// A streaming escaper, so `text::fit` can escape cluster by cluster and stop anywhere.
    pub(crate) fn escaper(self) -> Escaper {
        Escaper {
            markup: self,
            line_start: true,
        }
    }
}

/// Escapes one character at a time. Some markup (`# heading`, `- item`, `> quote`) only
/// counts at the start of a line, so the escaper remembers whether it is there.
pub(crate) struct Escaper {
    markup: Markup,
    line_start: bool,
}

impl Escaper {
    pub(crate) fn push(&mut self, c: char, out: &mut String) {
        let line_start = self.line_start;
        self.line_start = c == '\n' || (line_start && matches!(c, ' ' | '\t'));
        match self.markup {
            Markup::Plain => out.push(c),
            Markup::Slack => push_html(c, out),
            Markup::Discord => match c {
                '\\' | '*' | '_' | '~' | '|' | '`' | '[' | ']' => backslash(c, out),
                '>' | '#' | '-' | '+' if line_start => backslash(c, out),
                // `@everyone`, `@here`, `<@123>`, `<@&123>`, `<#123>`, `<t:…>`, `</cmd:…>`.
                '@' | '<' => {
                    out.push(c);
                    out.push(ZWSP);
                }
                _ => out.push(c),
            },
            Markup::Inert => match c {
                '@' | '<' => {
                    out.push(c);
                    out.push(ZWSP);
                }
                _ => out.push(c),
            },
            // Teams' card markdown has no reliable backslash escape (some clients show the
            // backslash), so nothing is escaped that is only formatting: a publisher's `*` may
            // embolden, never ping or link. Mentions (`<at>`) and links (`[text](url)`) are
            // broken up with an invisible space.
            Markup::Teams => match c {
                '<' | '[' => {
                    out.push(c);
                    out.push(ZWSP);
                }
                ']' => {
                    out.push(ZWSP);
                    out.push(c);
                    out.push(ZWSP);
                }
                // Markdown joins single line breaks; a paragraph break keeps the publisher's.
                '\n' => out.push_str("\n\n"),
                _ => out.push(c),
            },
            Markup::MessageCard => match c {
                '&' | '<' | '>' => push_html(c, out),
                '[' => {
                    out.push(c);
                    out.push(ZWSP);
                }
                ']' => {
                    out.push(ZWSP);
                    out.push(c);
                    out.push(ZWSP);
                }
                '\n' => out.push_str("\n\n"),
                _ => out.push(c),
            },
        }
    }
}

fn backslash(c: char, out: &mut String) {
    out.push('\\');
    out.push(c);
}

fn push_html(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        _ => out.push(c),
    }
}

#[cfg(test)]
mod tests;
