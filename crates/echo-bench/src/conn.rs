//! Opening many client connections: enough file descriptors for them, and
//! source addresses spread over 127.0.0.1, .2, … when one address's
//! ephemeral ports (net.ipv4.ip_local_port_range) would run short.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

use nix::sys::resource::{getrlimit, setrlimit, Resource};
use socket2::{Domain, Protocol, Socket, Type};

/// Raises this process's open-file limit so that `conns` connections fit,
/// up to the hard limit; refuses with a hint if even that is too low.
pub fn fd_room(conns: u32) -> anyhow::Result<()> {
    let want = u64::from(conns) + 64;
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    if soft >= want {
        return Ok(());
    }
    anyhow::ensure!(
        hard >= want,
        "{conns} connections need {want} open files, and the hard limit is {hard}; hint: raise it (ulimit -Hn {want}, as root)"
    );
    setrlimit(Resource::RLIMIT_NOFILE, want, hard)?;
    Ok(())
}

/// Connects to `addr` (connection number `i`), from source address
/// 127.0.0.(1 + i mod `sources`) when `sources` > 1 and `addr` is on loopback.
pub fn connect(addr: SocketAddr, i: u32, sources: u8, timeout: Duration) -> io::Result<TcpStream> {
    let s = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if sources > 1 && addr.ip() == IpAddr::V4(Ipv4Addr::LOCALHOST) {
        // Each source address has its own range of ephemeral ports.
        let last = 1 + (i % u32::from(sources)) as u8;
        s.bind(&SocketAddr::from(([127, 0, 0, last], 0)).into())?;
    }
    s.connect_timeout(&addr.into(), timeout)?;
    let s: TcpStream = s.into();
    s.set_nodelay(true)?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(timeout))?;
    Ok(s)
}
