//! Messages on a TCP byte stream (L7 over L4). TCP keeps the bytes in order but
//! not the boundaries of the `send()` calls: one `recv()` may return half a
//! message, or two. A *frame* puts the boundary back: here a 4-byte length prefix.

use std::fmt;

/// The largest message a [`Decoder`] accepts: a length prefix is read from the
/// network, and must not make us allocate whatever a peer claims.
pub const MAX_MESSAGE: usize = 1 << 20;

/// Bytes of the length prefix (big-endian, "network byte order").
const PREFIX: usize = 4;

/// One message as it goes on the wire: its length in 4 bytes, then the bytes.
pub fn encode(message: &[u8]) -> Vec<u8> {
    let len = u32::try_from(message.len()).unwrap_or(u32::MAX);
    let mut frame = Vec::with_capacity(PREFIX + message.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(message);
    frame
}

/// A length prefix larger than [`MAX_MESSAGE`]: the peer is not speaking this protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLong(pub usize);

impl fmt::Display for TooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a frame announces {} bytes, more than the {MAX_MESSAGE} allowed", self.0)
    }
}

impl std::error::Error for TooLong {}

/// Collects bytes in the pieces `recv()` returns and hands out whole messages.
#[derive(Debug, Default)]
pub struct Decoder {
    /// Received bytes not yet handed out as a message.
    buffer: Vec<u8>,
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Adds bytes as they came from one `recv()`: any number, any split.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole message, if all its bytes are here; `None` means "recv() more".
    pub fn next_message(&mut self) -> Result<Option<Vec<u8>>, TooLong> {
        let Some(prefix) = self.buffer.first_chunk::<PREFIX>() else {
            return Ok(None);
        };
        let len = u32::from_be_bytes(*prefix) as usize;
        if len > MAX_MESSAGE {
            return Err(TooLong(len));
        }
        if self.buffer.len() < PREFIX + len {
            return Ok(None);
        }
        let message = self.buffer[PREFIX..PREFIX + len].to_vec();
        self.buffer.drain(..PREFIX + len);
        Ok(Some(message))
    }

    /// Bytes received that are not yet part of a whole message.
    pub fn pending(&self) -> usize {
        self.buffer.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(d: &mut Decoder) -> Vec<Vec<u8>> {
        std::iter::from_fn(|| d.next_message().expect("valid frames")).collect()
    }

    #[test]
    fn a_message_split_anywhere_comes_out_whole() {
        let wire = encode(b"Hello, OSI");
        for cut in 0..=wire.len() {
            let mut d = Decoder::new();
            d.push(&wire[..cut]);
            let early = decode_all(&mut d);
            d.push(&wire[cut..]);
            let late = decode_all(&mut d);
            assert_eq!([early, late].concat(), [b"Hello, OSI".to_vec()], "cut at {cut}");
            assert_eq!(d.pending(), 0);
        }
    }

    #[test]
    fn two_messages_in_one_recv_come_out_as_two() {
        let mut d = Decoder::new();
        d.push(&[encode(b"Hello"), encode(b""), encode(b"World")].concat());
        assert_eq!(decode_all(&mut d), [b"Hello".to_vec(), Vec::new(), b"World".to_vec()]);
    }

    #[test]
    fn a_huge_length_is_refused_before_anything_is_allocated() {
        let mut d = Decoder::new();
        d.push(&u32::MAX.to_be_bytes());
        assert_eq!(d.next_message(), Err(TooLong(u32::MAX as usize)));
    }
}
