//! The colour of a mail's status band. White text sits on it, so the outcome's colour is
//! darkened just enough for that text to reach WCAG AA contrast (4.5:1): the band still says
//! the outcome at a glance, and the words on it read in light and dark mode alike.

/// `#RRGGBB` of `colour` (0xRRGGBB), darkened until white text on it reads.
pub(super) fn band(colour: u32) -> String {
    let mut rgb = channels(colour);
    // Each step keeps the hue and takes 5% off; black is reached long before the bound.
    for _ in 0..100 {
        if contrast_with_white(rgb) >= 4.5 {
            break;
        }
        rgb = rgb.map(|c| c * 0.95);
    }
    let [r, g, b] = rgb.map(|c| (c * 255.0).round() as u8);
    format!("#{r:02X}{g:02X}{b:02X}")
}

/// Red, green and blue in 0..=1.
fn channels(colour: u32) -> [f64; 3] {
    [16, 8, 0].map(|shift| f64::from((colour >> shift) & 0xFF) / 255.0)
}

/// WCAG 2 relative luminance.
fn luminance(rgb: [f64; 3]) -> f64 {
    let [r, g, b] = rgb.map(|c| {
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    });
    0.2126 * r + 0.7152 * g + 0.0722 * b
}

fn contrast_with_white(rgb: [f64; 3]) -> f64 {
    1.05 / (luminance(rgb) + 0.05)
}

#[cfg(test)]
mod tests;
