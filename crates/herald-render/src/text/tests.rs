use super::*;

#[test]
fn units_count_utf16() {
    assert_eq!(units("abc"), 3);
    assert_eq!(units("é"), 1);
    assert_eq!(units("👍"), 2);
}

#[test]
fn short_text_is_only_escaped() {
    assert_eq!(fit("a & b", 100, Markup::Slack), "a &amp; b");
    assert_eq!(fit_plain("hello", 5), "hello");
}

#[test]
fn long_text_ends_in_an_ellipsis_within_the_limit() {
    let cut = fit_plain("hello world, how are you", 12);
    assert_eq!(cut, "hello world…");
    assert!(units(&cut) <= 12);
    assert_eq!(fit_plain("abc", 0), "");
    assert_eq!(fit_plain("abc", 1), "…");
}

#[test]
fn emoji_sequences_stay_whole() {
    let family = "👨\u{200D}👩\u{200D}👧\u{200D}👦";
    let text = format!("{family}🇩🇪🇫🇷❤\u{FE0F}👍🏽1\u{FE0F}\u{20E3}e\u{301}").repeat(5);
    let boundaries: Vec<usize> = clusters(&text)
        .scan(0, |at, cluster| {
            *at += cluster.len();
            Some(*at)
        })
        .collect();
    for max in 1..=units(&text) + 1 {
        let cut = fit_plain(&text, max);
        assert!(units(&cut) <= max, "{max}: {cut}");
        if cut == text {
            continue;
        }
        assert!(cut.ends_with(ELLIPSIS), "{max}: {cut}");
        let kept = cut.strip_suffix(ELLIPSIS).unwrap();
        assert!(text.starts_with(kept));
        assert!(
            kept.is_empty() || boundaries.contains(&kept.len()),
            "{max}: {kept}"
        );
    }
}

fn split(text: &str) -> Vec<&str> {
    clusters(text).collect()
}

#[test]
fn clusters_join_what_reads_as_one() {
    assert_eq!(split("ab"), ["a", "b"]);
    assert_eq!(
        split("👨\u{200D}👩\u{200D}👧x"),
        ["👨\u{200D}👩\u{200D}👧", "x"]
    );
    assert_eq!(split("🇩🇪🇫🇷🇮"), ["🇩🇪", "🇫🇷", "🇮"]);
    assert_eq!(split("1\u{FE0F}\u{20E3}👍🏽"), ["1\u{FE0F}\u{20E3}", "👍🏽"]);
    assert_eq!(split("e\u{301}a"), ["e\u{301}", "a"]);
}

#[test]
fn an_escape_is_never_split() {
    assert_eq!(fit("&&&&", 7, Markup::Slack), "&amp;…");
    assert_eq!(fit("****", 4, Markup::Discord), "\\*…");
}

#[test]
fn shared_budget_goes_to_the_first_pieces_first() {
    let piece = |text, cap| Piece {
        text,
        markup: Markup::Plain,
        cap,
    };
    let long = "x".repeat(100);
    let [first, second, third] = share(
        120,
        [piece(&long, 1000), piece("short", 1000), piece(&long, 1000)],
    );
    assert_eq!(first, long);
    assert_eq!(second, "short");
    // 15 units left: less than is worth showing of a cut piece.
    assert_eq!(third, "");
    let [capped, rest] = share(50, [piece(&long, 20), piece(&long, 1000)]);
    assert_eq!(units(&capped), 20);
    assert_eq!(units(&rest), 30);
    assert!(rest.ends_with(ELLIPSIS));
}
