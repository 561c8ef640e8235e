use herald_domain::Outcome;

use super::*;
use crate::style;

fn parse(hex: &str) -> u32 {
    u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap()
}

#[test]
fn white_text_reads_on_every_outcome_band() {
    for outcome in [
        Outcome::Success,
        Outcome::Failure,
        Outcome::Warning,
        Outcome::Started,
        Outcome::Info,
    ] {
        let band = band(style::colour(outcome));
        let contrast = contrast_with_white(channels(parse(&band)));
        assert!(contrast >= 4.5, "{outcome:?}: {band} has {contrast:.2}");
    }
}

#[test]
fn a_dark_enough_colour_is_kept() {
    assert_eq!(band(0x0969DA), "#0969DA");
    assert_eq!(band(0x000000), "#000000");
}

#[test]
fn a_light_colour_keeps_its_hue() {
    let band = parse(&band(0xE0_1E_5A));
    let [r, g, b] = channels(band);
    assert!(r > g && r > b, "{band:06X} is no longer red");
}
