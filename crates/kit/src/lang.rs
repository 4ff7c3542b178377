//! The language the kit's reports speak, English or Vietnamese: chosen once at
//! start (`--lang`, else the environment as gettext reads it) and read by
//! every phrase, as the colour choice is.

use std::sync::atomic::{AtomicU8, Ordering};

/// A language the kit's reports are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// English.
    En,
    /// Vietnamese (tiếng Việt).
    Vi,
}

/// The process's language; English until [`Lang::apply`] says otherwise.
static CURRENT: AtomicU8 = AtomicU8::new(0);

impl Lang {
    /// The language the environment asks for, in gettext's order: the first
    /// of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and not empty decides;
    /// a value starting with `vi` (`vi_VN.UTF-8`, `vi`) is Vietnamese, any
    /// other English.
    pub fn from_env() -> Lang {
        Lang::from_vars(|name| std::env::var(name).ok())
    }

    /// [`Lang::from_env`] over any source of variables (to test it).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Lang {
        let chosen = ["LC_ALL", "LC_MESSAGES", "LANG"].iter().find_map(|n| var(n).filter(|v| !v.is_empty()));
        match chosen {
            Some(v) if v.starts_with("vi") => Lang::Vi,
            _ => Lang::En,
        }
    }

    /// `--lang` when given, else the environment's choice.
    pub fn resolve(flag: Option<Lang>) -> Lang {
        flag.unwrap_or_else(Lang::from_env)
    }

    /// Makes this the language of every phrase the process writes from now on.
    pub fn apply(self) {
        CURRENT.store(self as u8, Ordering::Relaxed);
    }

    /// The language [`Lang::apply`] chose (English before any choice).
    pub fn current() -> Lang {
        match CURRENT.load(Ordering::Relaxed) {
            1 => Lang::Vi,
            _ => Lang::En,
        }
    }
}

/// English until dropped, then the language chosen again: what is written
/// for machines (osi-trace's JSON) stays the same whatever `--lang` says.
#[must_use = "English lasts as long as the guard"]
pub struct English(u8);

impl English {
    /// Switches to English until the guard is dropped.
    pub fn now() -> English {
        English(CURRENT.swap(Lang::En as u8, Ordering::Relaxed))
    }
}

impl Drop for English {
    fn drop(&mut self) {
        CURRENT.store(self.0, Ordering::Relaxed);
    }
}

/// Whether the process writes Vietnamese (a phrase's one question).
pub fn vi() -> bool {
    Lang::current() == Lang::Vi
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Lang {
        Lang::from_vars(|n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn gettext_order_decides() {
        assert_eq!(env(&[]), Lang::En);
        assert_eq!(env(&[("LANG", "vi_VN.UTF-8")]), Lang::Vi);
        assert_eq!(env(&[("LANG", "vi")]), Lang::Vi);
        assert_eq!(env(&[("LANG", "en_US.UTF-8")]), Lang::En);
        // LC_ALL wins over LC_MESSAGES, which wins over LANG.
        assert_eq!(env(&[("LC_ALL", "C.UTF-8"), ("LANG", "vi_VN.UTF-8")]), Lang::En);
        assert_eq!(env(&[("LC_MESSAGES", "vi_VN.UTF-8"), ("LANG", "en_US.UTF-8")]), Lang::Vi);
        assert_eq!(env(&[("LC_ALL", "vi_VN"), ("LC_MESSAGES", "en_US")]), Lang::Vi);
        // An empty variable is as good as unset.
        assert_eq!(env(&[("LC_ALL", ""), ("LANG", "vi_VN.UTF-8")]), Lang::Vi);
    }

    #[test]
    fn the_flag_beats_the_environment() {
        assert_eq!(Lang::resolve(Some(Lang::En)), Lang::En);
        assert_eq!(Lang::resolve(Some(Lang::Vi)), Lang::Vi);
    }
}
