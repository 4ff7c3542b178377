//! The colours in a program's output, read from its escape sequences (SGR, `ESC [ … m`):
//! which xterm 256-colour values it paints with (`38;5;N`), and whether any of the 16
//! basic colours is left (30–37, 90–97), whose yellow and cyan fade on a white background.

/// Every foreground colour `text` sets, in order: `Colour::Xterm(n)` for `38;5;n`, and
/// `Colour::Basic(c)` for the basic ones (30–37, 90–97). Backgrounds are skipped.
pub fn colours(text: &str) -> Vec<Colour> {
    let mut found = Vec::new();
    for seq in text.split("\x1b[").skip(1) {
        let params: Vec<u16> =
            seq.split('m').next().unwrap_or("").split(';').filter_map(|p| p.parse().ok()).collect();
        let mut i = 0;
        while i < params.len() {
            match params[i] {
                38 if params.get(i + 1) == Some(&5) => {
                    if let Some(&n) = params.get(i + 2) {
                        found.push(Colour::Xterm(n));
                    }
                    i += 3
                }
                // 48;5;N (a background) or 38/48;2;R;G;B (true colour): skipped whole.
                38 | 48 if params.get(i + 1) == Some(&2) => i += 5,
                48 => i += 3,
                c @ (30..=37 | 90..=97) => {
                    found.push(Colour::Basic(c));
                    i += 1
                }
                _ => i += 1,
            }
        }
    }
    found
}

/// A foreground colour set by an escape sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// One of the 16 basic colours: 30–37, or 90–97 (bright).
    Basic(u16),
    /// An xterm 256-colour value, `38;5;N`.
    Xterm(u16),
}

/// The basic colours (30–37, 90–97) `text` sets, each once, in order of first use.
pub fn basic_colours(text: &str) -> Vec<u16> {
    let mut v: Vec<u16> = Vec::new();
    for c in colours(text) {
        if let Colour::Basic(n) = c {
            if !v.contains(&n) {
                v.push(n);
            }
        }
    }
    v
}

/// Whether `text` paints with the xterm 256-colour value `n`.
pub fn uses_xterm(text: &str, n: u16) -> bool {
    colours(text).contains(&Colour::Xterm(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_read_from_the_sequences() {
        let text =
            "\x1b[1;33mSYN\x1b[0m \x1b[38;5;130mFIN\x1b[0m \x1b[48;5;33;36mx\x1b[0m \x1b[38;2;1;2;3;92my";
        assert_eq!(
            colours(text),
            [Colour::Basic(33), Colour::Xterm(130), Colour::Basic(36), Colour::Basic(92)]
        );
        assert_eq!(basic_colours(text), [33, 36, 92]);
        assert!(uses_xterm(text, 130) && !uses_xterm(text, 33));
        assert!(basic_colours("\x1b[1m\x1b[38;5;33mbold\x1b[0m").is_empty());
    }
}
