use super::*;

#[test]
fn slack_escapes_its_three_control_characters() {
    assert_eq!(
        Markup::Slack.escape("<!here> & <@U1> *b*"),
        "&lt;!here&gt; &amp; &lt;@U1&gt; *b*"
    );
}

#[test]
fn plain_text_is_untouched() {
    assert_eq!(Markup::Plain.escape("<@1> *x*"), "<@1> *x*");
}

#[test]
fn discord_breaks_mentions_and_markdown() {
    let escaped = Markup::Discord.escape("@everyone @here <@123> <@&4> <#5> *b* _i_ [l](u)");
    for raw in ["@everyone", "@here", "<@", "<#", "*b*", "_i_", "[l]"] {
        assert!(!escaped.contains(raw), "{raw} survived in {escaped}");
    }
    assert_eq!(
        escaped.replace([ZWSP, '\\'], ""),
        "@everyone @here <@123> <@&4> <#5> *b* _i_ [l](u)"
    );
}

#[test]
fn line_start_markup_is_escaped_only_at_line_start() {
    assert_eq!(
        Markup::Discord.escape("# h\n  - item\na-b > c"),
        "\\# h\n  \\- item\na-b > c"
    );
    assert_eq!(Markup::Discord.escape("> quote"), "\\> quote");
}

#[test]
fn teams_breaks_at_tags_and_links_and_keeps_line_breaks() {
    let escaped = Markup::Teams.escape("<at>Ann</at> **x** [y](http://z)\nnext");
    assert!(!escaped.contains("<at>") && !escaped.contains("](http"));
    assert_eq!(
        escaped,
        "<\u{200B}at>Ann<\u{200B}/at> **x** [\u{200B}y\u{200B}]\u{200B}(http://z)\n\nnext"
    );
}

#[test]
fn message_cards_escape_html_and_markdown() {
    assert_eq!(
        Markup::MessageCard.escape("<b>&</b> *x* [y](z)"),
        "&lt;b&gt;&amp;&lt;/b&gt; *x* [\u{200B}y\u{200B}]\u{200B}(z)"
    );
}

#[test]
fn inert_text_only_breaks_mentions() {
    assert_eq!(Markup::Inert.escape("*a* <@1>"), "*a* <\u{200B}@\u{200B}1>");
}
