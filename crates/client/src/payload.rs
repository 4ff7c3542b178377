//! What the client sends and how it checks what came back: the message from
//! `--message`, stdin or `--file`, cut into two writes for `--split`, and the
//! echo compared byte for byte.

use std::io::{self, Read};
use std::path::Path;

use anyhow::{bail, Context};
use kit::{escape, escape_path, hinted, plural};

/// The bytes to send: `file` if given, else stdin if `stdin`, else `message`.
pub fn load(message: &str, stdin: bool, file: Option<&Path>) -> anyhow::Result<Vec<u8>> {
    let data = match file {
        Some(path) => read_file(path)?,
        None if stdin => {
            let mut data = Vec::new();
            io::stdin().read_to_end(&mut data).context("reading stdin")?;
            data
        }
        None => message.as_bytes().to_vec(),
    };
    if data.is_empty() {
        bail!(hinted(
            "the payload is empty",
            "an echo of nothing shows nothing; give --message, or bytes on stdin / in --file"
        ));
    }
    Ok(data)
}

/// Reads `path`, or fails with one line that names the file (escaped) and the real cause.
fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        let hint = match e.kind() {
            io::ErrorKind::NotFound => "check the path; it is relative to the current directory",
            io::ErrorKind::PermissionDenied => "this user may not read it: check its mode with ls -l",
            io::ErrorKind::IsADirectory => "give a file, not a directory",
            _ => "give a readable file",
        };
        hinted(format!("cannot read --file {}: {e}", escape_path(path)), hint).into()
    })
}

/// The message as the send() calls that carry it: one, or with `--split N`
/// two (the first N bytes, then the rest), the write–write–read pattern
/// where Nagle's algorithm meets the peer's delayed ACK.
pub fn parts(payload: &[u8], split: Option<usize>) -> anyhow::Result<Vec<&[u8]>> {
    match split {
        None => Ok(vec![payload]),
        Some(n) if n > 0 && n < payload.len() => Ok(vec![&payload[..n], &payload[n..]]),
        Some(n) => bail!(hinted(
            format!("--split {n} does not cut the message ({}) in two", plural(payload.len() as u64, "byte")),
            format!("give --split between 1 and {}", payload.len().saturating_sub(1))
        )),
    }
}

/// The echo must be exactly what was sent.
pub fn check_echo(sent: &[u8], echo: &[u8]) -> anyhow::Result<()> {
    if sent == echo {
        return Ok(());
    }
    match sent.iter().zip(echo).position(|(a, b)| a != b) {
        Some(i) => bail!(
            "the echo differs from what was sent, first at byte {i}: sent {}, got {}",
            escape(&sent[i..], 16),
            escape(&echo[i..], 16)
        ),
        None => bail!("the echo has {}, {} were sent", plural(echo.len() as u64, "byte"), sent.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_cuts_in_two_or_says_why_not() {
        assert_eq!(parts(b"Hello", Some(3)).unwrap(), vec![&b"Hel"[..], &b"lo"[..]]);
        assert_eq!(parts(b"Hello", None).unwrap(), vec![&b"Hello"[..]]);
        let err = parts(b"Hello", Some(5)).unwrap_err().to_string();
        assert_eq!(err, "--split 5 does not cut the message (5 bytes) in two");
    }

    #[test]
    fn a_short_echo_names_both_lengths() {
        let err = check_echo(b"Hello", b"He").unwrap_err().to_string();
        assert_eq!(err, "the echo has 2 bytes, 5 were sent");
    }
}
