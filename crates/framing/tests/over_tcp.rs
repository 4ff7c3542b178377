//! Framing over a real TCP connection on loopback: the sender writes its frames
//! one byte per `send()` (with TCP_NODELAY, so each byte may leave as its own
//! segment); the receiver gets them in whatever pieces `recv()` returns, and
//! still sees exactly the messages that were sent.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use framing::{encode, Decoder};

#[test]
fn messages_sent_byte_by_byte_arrive_whole() -> std::io::Result<()> {
    let messages: Vec<Vec<u8>> = vec![b"Hello".to_vec(), b"byte stream".to_vec(), vec![0; 3000], Vec::new()];
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let wire: Vec<u8> = messages.iter().flat_map(|m| encode(m)).collect();
    let sender = std::thread::spawn(move || -> std::io::Result<()> {
        let mut s = TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        for byte in wire {
            s.write_all(&[byte])?;
        }
        Ok(())
    });
    let (mut conn, _) = listener.accept()?;
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut decoder = Decoder::new();
    let mut got = Vec::new();
    let mut recvs = 0;
    let mut buf = [0u8; 512];
    loop {
        let n = conn.read(&mut buf)?;
        if n == 0 {
            break;
        }
        recvs += 1;
        decoder.push(&buf[..n]);
        while let Some(m) = decoder.next_message().map_err(std::io::Error::other)? {
            got.push(m);
        }
    }
    sender.join().expect("sender thread")?;
    assert_eq!(got, messages);
    assert_eq!(decoder.pending(), 0);
    // 3032 bytes through a 512-byte buffer: at least 6 recv() calls for 4 messages.
    assert!(recvs > messages.len(), "{recvs} recv() calls");
    Ok(())
}
