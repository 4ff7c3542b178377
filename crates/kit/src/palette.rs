//! The kit's colours, readable on a black and on a white terminal: each named ink
//! ([`Ink`]) is an xterm 256-colour value chosen for the background ([`Theme`]), with a
//! WCAG contrast ratio of at least 4.5:1 against it (the tests compute it), instead of
//! the 16 basic colours whose yellow and cyan are faint on white.
//!
//! The theme comes from `--theme`, else from `COLORFGBG` (set by rxvt, Konsole, iTerm2
//! and others: `15;0` is light text on black), else [`Theme::Both`], whose inks keep at
//! least 3:1 on either background — WCAG 2's minimum for bold and large text, which the
//! kit's coloured tags are — because a wrong guess must not leave a student unable to read.

use std::sync::atomic::{AtomicU8, Ordering};

use colored::{Color, ColoredString, Colorize};

/// The background the colours are for.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// From COLORFGBG when the terminal sets it, else colours readable on both.
    #[default]
    Auto,
    /// A dark background (light text).
    Dark,
    /// A light background (dark text), as many classroom projectors and some students use.
    Light,
    /// Unknown: colours of at least 3:1 on black and on white.
    #[value(skip)]
    Both,
}

/// A colour the kit paints with, named for its hue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ink {
    Red,
    Yellow,
    Green,
    Cyan,
    Blue,
    Magenta,
}

impl Ink {
    pub const ALL: [Ink; 6] = [Ink::Red, Ink::Yellow, Ink::Green, Ink::Cyan, Ink::Blue, Ink::Magenta];

    /// The xterm 256-colour index of this ink in `theme` (16 + 36·r + 6·g + b on the cube
    /// whose levels are 0, 95, 135, 175, 215, 255).
    pub fn code(self, theme: Theme) -> u8 {
        match (theme, self) {
            (Theme::Dark, Ink::Red) => 203,                   // #ff5f5f
            (Theme::Dark, Ink::Yellow) => 220,                // #ffd700
            (Theme::Dark, Ink::Green) => 78,                  // #5fd787
            (Theme::Dark, Ink::Cyan) => 80,                   // #5fd7d7
            (Theme::Dark, Ink::Blue) => 75,                   // #5fafff
            (Theme::Dark, Ink::Magenta) => 170,               // #d75fd7
            (Theme::Light, Ink::Red) => 160,                  // #d70000
            (Theme::Light, Ink::Yellow) => 130, // #af5f00, the brown that yellow becomes on white
            (Theme::Light, Ink::Green) => 28,   // #008700
            (Theme::Light, Ink::Cyan) => 24,    // #005f87
            (Theme::Light, Ink::Blue) => 26,    // #005fd7
            (Theme::Light, Ink::Magenta) => 127, // #af00af
            (Theme::Auto | Theme::Both, Ink::Red) => 160, // #d70000
            (Theme::Auto | Theme::Both, Ink::Yellow) => 136, // #af8700
            (Theme::Auto | Theme::Both, Ink::Green) => 28, // #008700
            (Theme::Auto | Theme::Both, Ink::Cyan) => 30, // #008787
            (Theme::Auto | Theme::Both, Ink::Blue) => 33, // #0087ff
            (Theme::Auto | Theme::Both, Ink::Magenta) => 163, // #d700af
        }
    }

    /// `text` in this ink, in the process's theme (see [`set_theme`]).
    pub fn paint(self, text: &str) -> ColoredString {
        text.color(Color::AnsiColor(self.code(theme())))
    }
}

static THEME: AtomicU8 = AtomicU8::new(3);

/// Decides the theme once, for the whole process: `choice`, or for [`Theme::Auto`] what
/// `COLORFGBG` says (see [`from_colorfgbg`]), or [`Theme::Both`].
pub fn set_theme(choice: Theme) {
    let theme = match choice {
        Theme::Auto => {
            std::env::var("COLORFGBG").ok().and_then(|v| from_colorfgbg(&v)).unwrap_or(Theme::Both)
        }
        t => t,
    };
    THEME.store(theme as u8, Ordering::Relaxed);
}

/// The process's theme: [`Theme::Dark`], [`Theme::Light`] or [`Theme::Both`].
pub fn theme() -> Theme {
    match THEME.load(Ordering::Relaxed) {
        1 => Theme::Dark,
        2 => Theme::Light,
        _ => Theme::Both,
    }
}

/// The background `COLORFGBG` names (`FG;BG` or `FG;default;BG`, colour numbers of
/// the 16-colour palette): 0–6 and 8 are dark, 7 and 9–15 light; anything else is
/// not known (None).
pub fn from_colorfgbg(value: &str) -> Option<Theme> {
    match value.rsplit(';').next()?.trim().parse::<u8>().ok()? {
        0..=6 | 8 => Some(Theme::Dark),
        7 | 9..=15 => Some(Theme::Light),
        _ => None,
    }
}

/// The RGB value xterm gives the 256-colour index `n`.
pub fn xterm_rgb(n: u8) -> (u8, u8, u8) {
    const BASIC: [(u8, u8, u8); 16] = [
        (0, 0, 0),
        (205, 0, 0),
        (0, 205, 0),
        (205, 205, 0),
        (0, 0, 238),
        (205, 0, 205),
        (0, 205, 205),
        (229, 229, 229),
        (127, 127, 127),
        (255, 0, 0),
        (0, 255, 0),
        (255, 255, 0),
        (92, 92, 255),
        (255, 0, 255),
        (0, 255, 255),
        (255, 255, 255),
    ];
    match n {
        0..=15 => BASIC[n as usize],
        16..=231 => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            let i = n - 16;
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        _ => {
            let g = 8 + 10 * (n - 232);
            (g, g, g)
        }
    }
}

/// WCAG 2's contrast ratio of two colours: (L1 + 0.05) / (L2 + 0.05), L the relative
/// luminance of sRGB, the lighter colour's over the darker's; from 1 to 21.
pub fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let lum = |(r, g, b): (u8, u8, u8)| {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLACK: (u8, u8, u8) = (0, 0, 0);
    const WHITE: (u8, u8, u8) = (255, 255, 255);

    #[test]
    fn the_xterm_values_and_wcag_contrast_are_the_known_ones() {
        assert_eq!(xterm_rgb(220), (255, 215, 0));
        assert_eq!(xterm_rgb(24), (0, 95, 135));
        assert_eq!(xterm_rgb(244), (128, 128, 128));
        assert!((contrast(BLACK, WHITE) - 21.0).abs() < 1e-9);
        // The faint ones of the 16 basic colours, as xterm draws them: yellow and cyan on white.
        assert!(contrast(xterm_rgb(3), WHITE) < 1.8 && contrast(xterm_rgb(6), WHITE) < 2.0);
    }

    #[test]
    fn every_ink_reads_on_its_background() {
        for ink in Ink::ALL {
            let on = |theme, bg| contrast(xterm_rgb(ink.code(theme)), bg);
            assert!(on(Theme::Dark, BLACK) >= 4.5, "{ink:?} on black: {:.2}", on(Theme::Dark, BLACK));
            assert!(on(Theme::Light, WHITE) >= 4.5, "{ink:?} on white: {:.2}", on(Theme::Light, WHITE));
            // Unknown background: bold text, at least 3:1 on either.
            for bg in [BLACK, WHITE] {
                assert!(on(Theme::Both, bg) >= 3.0, "{ink:?} (both) on {bg:?}: {:.2}", on(Theme::Both, bg));
            }
        }
    }

    #[test]
    fn colorfgbg_names_the_background() {
        assert_eq!(from_colorfgbg("15;0"), Some(Theme::Dark));
        assert_eq!(from_colorfgbg("0;15"), Some(Theme::Light));
        assert_eq!(from_colorfgbg("0;default;15"), Some(Theme::Light));
        assert_eq!(from_colorfgbg("12;8"), Some(Theme::Dark));
        assert_eq!(from_colorfgbg("7;default"), None);
        assert_eq!(from_colorfgbg(""), None);
    }
}
