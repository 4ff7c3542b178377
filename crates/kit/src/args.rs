//! The flags every server shares, and the output flags every program shares.

use std::io::IsTerminal;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use anyhow::Context;

use crate::palette::Theme;

/// Flags of the four echo servers. The defaults are the article's:
/// `HOST = "127.0.0.1"`, `PORT = 65432`, `conn.recv(1024)`.
#[derive(clap::Args, Debug, Clone)]
pub struct ServerArgs {
    /// Address to bind: an IPv4 or IPv6 address, or a host name such as `localhost`.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on; 0 lets the kernel pick a free one (see the READY line).
    #[arg(long, default_value_t = 65432)]
    pub port: u16,

    /// Bytes asked of each recv() call, as in the article's `conn.recv(1024)`.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=16_777_216))]
    pub buffer: u32,

    /// Length of the accept queue asked of listen(); the kernel caps it at net.core.somaxconn.
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(i32).range(1..))]
    pub backlog: i32,

    #[command(flatten)]
    pub output: OutputArgs,
}

impl ServerArgs {
    /// The socket address to bind, resolving `--host` if it is a name.
    pub fn bind_addr(&self) -> anyhow::Result<SocketAddr> {
        resolve(&self.host, self.port)
    }

    /// The recv() buffer size, in bytes.
    pub fn buffer_len(&self) -> usize {
        // The range check above keeps this well inside usize on every platform.
        self.buffer as usize
    }
}

/// Resolves `host` (an address or a name) and `port` to the first socket address found.
/// An IPv6 address may come in brackets, as in URLs: `[::1]`.
pub fn resolve(host: &str, port: u16) -> anyhow::Result<SocketAddr> {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    (host, port)
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve host {host:?}"))?
        .next()
        .ok_or_else(|| anyhow::anyhow!("host {host:?} has no address"))
}

/// When to colour the output.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Decides once, for the whole process, whether `colored` paints.
    pub fn apply(self) {
        let on = match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        colored::control::set_override(on);
    }
}

/// Output flags shared by every program.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct OutputArgs {
    /// Print only the READY line and errors, no narration.
    #[arg(long, short)]
    pub quiet: bool,

    /// Colour the narration: auto (terminal and no NO_COLOR), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// The terminal's background, for colours that read on it: dark, light, or auto
    /// (COLORFGBG when the terminal sets it, else colours readable on both).
    #[arg(long, value_enum, default_value_t = Theme::Auto)]
    pub theme: Theme,
}

impl OutputArgs {
    /// Decides once, for the whole process, whether to colour and with which palette.
    pub fn apply(&self) {
        self.color.apply();
        crate::palette::set_theme(self.theme);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_addresses_need_no_resolver() -> anyhow::Result<()> {
        assert_eq!(resolve("::1", 7)?, "[::1]:7".parse()?);
        assert_eq!(resolve("[::1]", 7)?, "[::1]:7".parse()?);
        assert_eq!(resolve("127.0.0.1", 0)?, "127.0.0.1:0".parse()?);
        Ok(())
    }

    #[test]
    fn localhost_resolves_to_a_loopback_address() -> anyhow::Result<()> {
        assert!(resolve("localhost", 1)?.ip().is_loopback());
        Ok(())
    }
}
