//! What the client sends and how it checks what came back: the message from
//! `--message`, stdin or `--file` (`--split` cuts its first send), and the
//! echo compared byte for byte as it arrives. Up to [`IN_MEMORY`] bytes are
//! read once and kept; a bigger file or stdin is sent in [`CHUNK`]s, so a
//! payload of any size (even /dev/zero) takes bounded memory.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context};
use kit::{escape, escape_path, hinted, plural};

/// A payload up to this size is read once and kept, to send again (`--repeat`, `--clients`).
pub const IN_MEMORY: usize = 1 << 20;
/// Bytes per send() of a bigger payload.
pub const CHUNK: usize = 64 << 10;
/// A payload read only once (a big stdin) keeps what was sent until its echo
/// is back, to compare: at most this much; past it the client reads the echo first.
pub const WINDOW: usize = 4 << 20;

/// The bytes to send.
pub enum Payload {
    /// `--message`, or a stdin or `--file` of at most [`IN_MEMORY`] bytes.
    Bytes(Vec<u8>),
    /// A bigger regular file: read again for each round, each client, and to check the echo.
    File { path: PathBuf, len: u64 },
    /// A bigger stdin, FIFO or device: its first bytes, then the rest, read once.
    Once { head: Vec<u8>, rest: Mutex<Option<Box<dyn Read + Send>>> },
}

/// The bytes to send: `file` if given, else stdin if `stdin`, else `message`.
/// `sends` is how many times they are sent (`--repeat` × `--clients`), which
/// a payload read only once cannot be.
pub fn load(message: &str, stdin: bool, file: Option<&Path>, sends: (u32, u32)) -> anyhow::Result<Payload> {
    let (payload, what) = match file {
        Some(path) => {
            let f = File::open(path).map_err(|e| cannot_read(path, &e))?;
            let meta = f.metadata().map_err(|e| cannot_read(path, &e))?;
            if meta.is_dir() {
                return Err(cannot_read(path, &io::Error::from(io::ErrorKind::IsADirectory)));
            }
            if meta.is_file() && meta.len() > IN_MEMORY as u64 {
                (Payload::File { path: path.to_path_buf(), len: meta.len() }, "--file")
            } else {
                (head_of(Box::new(f)).map_err(|e| cannot_read(path, &e))?, "--file")
            }
        }
        None if stdin => (head_of(Box::new(io::stdin())).context("reading stdin")?, "stdin"),
        None => (Payload::Bytes(message.as_bytes().to_vec()), "--message"),
    };
    if matches!(&payload, Payload::Bytes(b) if b.is_empty()) {
        bail!(hinted(
            "the payload is empty",
            "an echo of nothing shows nothing; give --message, or bytes on stdin / in --file"
        ));
    }
    if let (Payload::Once { .. }, Some(flag)) =
        (&payload, [("--repeat", sends.0), ("--clients", sends.1)].iter().find(|(_, n)| *n > 1))
    {
        bail!(hinted(
            format!("{what} holds more than {} MiB and can be read only once, but {} sends the message more than once", IN_MEMORY >> 20, flag.0),
            "give a --file (read again for each send), or at most 1 MiB"
        ));
    }
    Ok(payload)
}

/// Reads up to [`IN_MEMORY`] bytes of `input`: all of it, kept; or its head, the rest to stream.
fn head_of(mut input: Box<dyn Read + Send>) -> io::Result<Payload> {
    let mut head = Vec::new();
    input.by_ref().take(IN_MEMORY as u64 + 1).read_to_end(&mut head)?;
    if head.len() <= IN_MEMORY {
        return Ok(Payload::Bytes(head));
    }
    Ok(Payload::Once { head, rest: Mutex::new(Some(input)) })
}

/// One line that names the file (escaped) and the real cause, with a hint.
fn cannot_read(path: &Path, e: &io::Error) -> anyhow::Error {
    let hint = match e.kind() {
        io::ErrorKind::NotFound => "check the path; it is relative to the current directory",
        io::ErrorKind::PermissionDenied => "this user may not read it: check its mode with ls -l",
        io::ErrorKind::IsADirectory => "give a file, not a directory",
        _ => "give a readable file",
    };
    hinted(format!("cannot read --file {}: {e}", escape_path(path)), hint).into()
}

impl Payload {
    /// The payload in memory, if it is kept there.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Payload::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The pieces this round sends, each one send() call: the message in one,
    /// or with `--split N` the first N bytes and then the rest; a payload too
    /// big to keep in [`CHUNK`]s.
    pub fn pieces(&self, split: Option<usize>) -> anyhow::Result<Pieces<'_>> {
        let size = self.bytes().map_or(CHUNK, <[u8]>::len);
        Ok(Pieces { source: self.reader()?, first: split, size, buf: Vec::new() })
    }

    /// The bytes to send in this round, from the start.
    fn reader(&self) -> anyhow::Result<Box<dyn Read + '_>> {
        Ok(match self {
            Payload::Bytes(b) => Box::new(&b[..]),
            Payload::File { path, .. } => Box::new(File::open(path).map_err(|e| cannot_read(path, &e))?),
            Payload::Once { head, rest } => {
                let rest = rest.lock().map_err(|_| anyhow::anyhow!("the payload's reader panicked"))?.take();
                let rest = rest.context("the payload was read once already")?;
                Box::new(head.as_slice().chain(rest))
            }
        })
    }

    /// What the echo is compared with as it comes.
    pub fn checker(&self) -> anyhow::Result<Check<'_>> {
        Ok(match self {
            Payload::Bytes(b) => Check::Slice(b),
            Payload::File { path, .. } => Check::File(File::open(path).map_err(|e| cannot_read(path, &e))?),
            Payload::Once { .. } => Check::Kept(VecDeque::new()),
        })
    }

    /// Refuses a `--split N` that does not cut the message in two.
    pub fn check_split(&self, split: Option<usize>) -> anyhow::Result<()> {
        let len = match self {
            Payload::Bytes(b) => b.len() as u64,
            Payload::File { len, .. } => *len,
            Payload::Once { head, .. } => head.len() as u64,
        };
        match split {
            Some(n) if n == 0 || n as u64 >= len => bail!(hinted(
                format!("--split {n} does not cut the message ({}) in two", plural(len, "byte")),
                format!("give --split between 1 and {}", len.saturating_sub(1))
            )),
            _ => Ok(()),
        }
    }
}

/// The send() calls of one round, read from the payload one at a time.
pub struct Pieces<'a> {
    source: Box<dyn Read + 'a>,
    /// `--split N`: the size of the first piece.
    first: Option<usize>,
    size: usize,
    buf: Vec<u8>,
}

impl Pieces<'_> {
    /// The next piece; `None` once the payload is all sent.
    pub fn next(&mut self) -> anyhow::Result<Option<&[u8]>> {
        self.buf.resize(self.first.take().unwrap_or(self.size), 0);
        let n = fill(&mut self.source, &mut self.buf).context("reading the payload")?;
        Ok((n > 0).then(|| &self.buf[..n]))
    }
}

/// The sent bytes the echo is compared with.
pub enum Check<'a> {
    /// The payload in memory.
    Slice(&'a [u8]),
    /// The file, read again alongside the echo.
    File(File),
    /// What was sent and is not back yet (a payload read only once).
    Kept(VecDeque<u8>),
}

impl Check<'_> {
    /// Bytes just sent: kept when they cannot be read again.
    pub fn sent(&mut self, bytes: &[u8]) {
        if let Check::Kept(kept) = self {
            kept.extend(bytes);
        }
    }

    /// Compares `echo`, which starts at byte `at` of the echo, with what was sent there.
    pub fn echo(&mut self, at: u64, echo: &[u8]) -> anyhow::Result<()> {
        let mut file_bytes;
        let sent: &[u8] = match self {
            Check::Slice(b) => b.get(at as usize..).unwrap_or_default(),
            Check::File(f) => {
                file_bytes = vec![0u8; echo.len()];
                let n = fill(f, &mut file_bytes).context("reading the file again to check the echo")?;
                file_bytes.truncate(n);
                &file_bytes
            }
            Check::Kept(kept) => {
                let n = echo.len().min(kept.len());
                file_bytes = kept.drain(..n).collect();
                &file_bytes
            }
        };
        match sent.iter().zip(echo).position(|(a, b)| a != b) {
            Some(i) => bail!(
                "the echo differs from what was sent, first at byte {}: sent {}, got {}",
                at + i as u64,
                escape(&sent[i..], 16),
                escape(&echo[i..], 16)
            ),
            None if sent.len() < echo.len() => bail!("the echo has more bytes than were sent"),
            None => Ok(()),
        }
    }
}

/// Reads from `source` until `buf` is full or the input ends; how many bytes came.
pub fn fill(source: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match source.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_must_cut_the_message_in_two() {
        assert!(Payload::Bytes(b"Hello".to_vec()).check_split(Some(3)).is_ok());
        let err = Payload::Bytes(b"Hello".to_vec()).check_split(Some(5)).unwrap_err().to_string();
        assert_eq!(err, "--split 5 does not cut the message (5 bytes) in two");
    }

    #[test]
    fn the_echo_is_checked_as_it_comes() {
        let mut c = Payload::Bytes(b"Hello".to_vec());
        let mut check = c.checker().expect("in memory");
        assert!(check.echo(0, b"He").is_ok());
        let err = check.echo(2, b"lp").unwrap_err().to_string();
        assert_eq!(err, "the echo differs from what was sent, first at byte 3: sent \"lo\", got \"p\"");
        c = Payload::Once { head: Vec::new(), rest: Mutex::new(None) };
        let mut kept = c.checker().expect("kept");
        kept.sent(b"abc");
        assert!(kept.echo(0, b"ab").is_ok());
        assert!(kept.echo(2, b"x").is_err());
    }
}
