//! The kernel's memory-mapped receive ring (`PACKET_RX_RING`, `TPACKET_V3`),
//! what libpcap uses: the kernel writes frames into shared blocks and hands
//! each full (or timed-out) block over, so a burst costs no system call per frame.
//! All of the capture's `unsafe` lives in this file, each block with its reason.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::{fence, Ordering};
use std::time::Duration;

use libc::{sockaddr_ll, tpacket3_hdr, tpacket_block_desc, tpacket_req3, tpacket_stats_v3};

/// Size of one block: a power of two, above the biggest frame a link hands
/// over (64 KiB on lo; larger ones would be cut to fit). Small blocks waste
/// little when one is handed over part full after `RETIRE_MS`.
const BLOCK_SIZE: u32 = 128 << 10;
/// Blocks in the ring: 64 MiB in all, about 300 000 small loopback segments
/// (a frame takes its length plus ~90 bytes of headers), enough to ride out
/// seconds in which the capturing process gets less CPU than the traffic needs.
const BLOCKS: u32 = 512;
/// The nominal frame size the kernel wants to check the request (frames vary in V3).
const FRAME_SIZE: u32 = 2048;
/// A block that is not full is handed over after this long, so a quiet
/// capture still shows each frame within a few milliseconds.
const RETIRE_MS: u32 = 8;
/// The same, for waiting on it.
pub(super) const RETIRE: Duration = Duration::from_millis(RETIRE_MS as u64);

/// One frame as the ring holds it, borrowed until the next call.
#[derive(Debug)]
pub(super) struct RawFrame<'a> {
    /// The kernel's receive (or, for outgoing frames, send) time.
    pub ts: Duration,
    /// Length on the wire.
    pub len: u32,
    /// `PACKET_HOST`, `PACKET_OUTGOING`, … (`sll_pkttype`).
    pub pkttype: u8,
    /// The interface it was seen on (`sll_ifindex`).
    pub ifindex: i32,
    /// That interface's ARPHRD type (`sll_hatype`): which link header `data` starts with.
    pub hatype: u16,
    /// The captured bytes, from the link-layer header on.
    pub data: &'a [u8],
}

/// A packet socket with its receive ring mapped into this process.
pub(super) struct Ring {
    fd: OwnedFd,
    map: NonNull<u8>,
    /// The block being read, and where in it.
    block: usize,
    in_block: bool,
    next: usize,
    left: u32,
}

// SAFETY: the mapping belongs to this Ring alone and is only touched through
// &self/&mut self, so moving the Ring to the capture thread moves all access with it.
unsafe impl Send for Ring {}

impl std::fmt::Debug for Ring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ring").field("fd", &self.fd.as_raw_fd()).field("block", &self.block).finish()
    }
}

fn check(rc: libc::c_int, what: &str) -> io::Result<()> {
    if rc < 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("{what}: {e}")));
    }
    Ok(())
}

/// `setsockopt(fd, SOL_PACKET, opt, value)` for a plain C value.
fn set_packet_opt<T>(fd: &OwnedFd, opt: libc::c_int, value: &T, what: &str) -> io::Result<()> {
    // SAFETY: fd is an open socket; value points to a live T of the size given.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_PACKET,
            opt,
            (value as *const T).cast(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    check(rc, what)
}

impl Ring {
    /// Turns an unbound packet socket (protocol 0: it receives nothing yet,
    /// its filter already attached) into a ring, then binds it to `ifindex`
    /// (0: every interface) for all protocols — only then do frames flow.
    pub(super) fn new(fd: OwnedFd, ifindex: i32) -> io::Result<Ring> {
        set_packet_opt(
            &fd,
            libc::PACKET_VERSION,
            &(libc::tpacket_versions::TPACKET_V3 as libc::c_int),
            "PACKET_VERSION",
        )?;
        let req = tpacket_req3 {
            tp_block_size: BLOCK_SIZE,
            tp_block_nr: BLOCKS,
            tp_frame_size: FRAME_SIZE,
            tp_frame_nr: BLOCKS * (BLOCK_SIZE / FRAME_SIZE),
            tp_retire_blk_tov: RETIRE_MS,
            tp_sizeof_priv: 0,
            tp_feature_req_word: 0,
        };
        set_packet_opt(&fd, libc::PACKET_RX_RING, &req, "PACKET_RX_RING")?;
        let len = (BLOCK_SIZE * BLOCKS) as usize;
        // SAFETY: maps the ring the kernel just allocated for this socket;
        // the mapping is unmapped in Drop and outlives every borrow of it.
        let map = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if map == libc::MAP_FAILED {
            return Err(io::Error::other(format!(
                "mmap of the receive ring: {}",
                io::Error::last_os_error()
            )));
        }
        let map = NonNull::new(map.cast::<u8>()).ok_or_else(|| io::Error::other("mmap returned null"))?;
        let ring = Ring { fd, map, block: 0, in_block: false, next: 0, left: 0 };
        // SAFETY: sockaddr_ll is plain data; all-zero is a valid value.
        let mut addr: sockaddr_ll = unsafe { std::mem::zeroed() };
        addr.sll_family = libc::AF_PACKET as u16;
        addr.sll_protocol = (libc::ETH_P_ALL as u16).to_be();
        addr.sll_ifindex = ifindex;
        // SAFETY: addr is a valid sockaddr_ll of the length given.
        let rc = unsafe {
            libc::bind(
                ring.fd.as_raw_fd(),
                (&addr as *const sockaddr_ll).cast(),
                std::mem::size_of::<sockaddr_ll>() as libc::socklen_t,
            )
        };
        check(rc, "bind to the interface")?;
        Ok(ring)
    }

    /// The descriptor of block `i`.
    fn desc(&self, i: usize) -> *mut tpacket_block_desc {
        // SAFETY: i < BLOCKS, so the offset stays inside the mapping.
        unsafe { self.map.as_ptr().add(i * BLOCK_SIZE as usize).cast() }
    }

    /// The block's status word, read as the kernel publishes it (acquire:
    /// the frames it wrote before setting TP_STATUS_USER are visible after).
    fn status(&self, i: usize) -> u32 {
        // SAFETY: the descriptor is inside the mapping; the kernel writes the
        // word concurrently, hence the volatile read.
        let s = unsafe { std::ptr::addr_of!((*self.desc(i)).hdr.bh1.block_status).read_volatile() };
        fence(Ordering::Acquire);
        s
    }

    /// The next frame in the ring, or `None` when the kernel has handed over
    /// no more. A block is given back once all its frames were read (on the
    /// call after its last frame, when that frame's borrow has ended): call
    /// this before waiting, or poll() keeps reporting the block still held.
    pub(super) fn next(&mut self) -> Option<RawFrame<'_>> {
        let block_len = BLOCK_SIZE as usize;
        loop {
            if self.left == 0 {
                if self.in_block {
                    // Give the block back: our reads of it happen before the kernel reuses it.
                    fence(Ordering::Release);
                    // SAFETY: the descriptor is inside the mapping and ours until this write.
                    unsafe {
                        std::ptr::addr_of_mut!((*self.desc(self.block)).hdr.bh1.block_status)
                            .write_volatile(libc::TP_STATUS_KERNEL)
                    };
                    self.block = (self.block + 1) % BLOCKS as usize;
                    self.in_block = false;
                }
                if self.status(self.block) & libc::TP_STATUS_USER == 0 {
                    return None;
                }
                // SAFETY: the block is ours (TP_STATUS_USER); the kernel does not write it now.
                let h = unsafe { std::ptr::addr_of!((*self.desc(self.block)).hdr.bh1).read() };
                self.in_block = true;
                self.left = h.num_pkts;
                self.next = h.offset_to_first_pkt as usize;
                continue;
            }
            self.left -= 1;
            let off = self.next;
            let hdr_len = std::mem::size_of::<tpacket3_hdr>();
            let sll_off = off + hdr_len.next_multiple_of(libc::TPACKET_ALIGNMENT);
            if sll_off + std::mem::size_of::<sockaddr_ll>() > block_len {
                // Never seen: the kernel's offsets leave the block. Drop the rest of it.
                self.left = 0;
                continue;
            }
            let base = self.desc(self.block).cast::<u8>();
            // SAFETY: off and sll_off are inside this block (checked above),
            // which is ours until we hand it back; both structs are 16-aligned
            // by the kernel (TPACKET_ALIGN), read_unaligned does not rely on it.
            let (h, sll) = unsafe {
                (
                    base.add(off).cast::<tpacket3_hdr>().read_unaligned(),
                    base.add(sll_off).cast::<sockaddr_ll>().read_unaligned(),
                )
            };
            self.next = off + h.tp_next_offset as usize;
            let start = off + h.tp_mac as usize;
            let end = start + h.tp_snaplen as usize;
            if end > block_len {
                self.left = 0;
                continue;
            }
            // SAFETY: start..end is inside the block (checked above), borrowed
            // until the next call, which is the earliest the block is given back.
            let data = unsafe { std::slice::from_raw_parts(base.add(start), end - start) };
            return Some(RawFrame {
                ts: Duration::new(u64::from(h.tp_sec), h.tp_nsec.min(999_999_999)),
                len: h.tp_len,
                pkttype: sll.sll_pkttype,
                ifindex: sll.sll_ifindex,
                hatype: sll.sll_hatype,
                data,
            });
        }
    }

    /// Waits until the kernel hands over a block (true), `wait` passed or a
    /// signal came (false). A socket error (the interface went down) is an `Err`.
    pub(super) fn wait(&self, wait: Duration) -> io::Result<bool> {
        let ms = wait.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as i32;
        let mut pfd = libc::pollfd { fd: self.fd.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd.
        let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
        if rc < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted { Ok(false) } else { Err(e) };
        }
        if rc > 0 && pfd.revents & libc::POLLERR != 0 {
            // The socket's pending error, e.g. ENETDOWN when the interface went down.
            let err = self.sock_opt::<libc::c_int>(libc::SOL_SOCKET, libc::SO_ERROR)?;
            if err != 0 {
                return Err(io::Error::from_raw_os_error(err));
            }
        }
        Ok(rc > 0 && pfd.revents & libc::POLLIN != 0)
    }

    /// `(frames that passed the filter, frames dropped)` since the last call
    /// (`PACKET_STATISTICS`, which the kernel resets on each read).
    pub(super) fn stats(&self) -> io::Result<(u32, u32)> {
        let st = self.sock_opt::<tpacket_stats_v3>(libc::SOL_PACKET, libc::PACKET_STATISTICS)?;
        Ok((st.tp_packets, st.tp_drops))
    }

    fn sock_opt<T: Copy>(&self, level: libc::c_int, opt: libc::c_int) -> io::Result<T> {
        let mut v = std::mem::MaybeUninit::<T>::zeroed();
        let mut len = std::mem::size_of::<T>() as libc::socklen_t;
        // SAFETY: v and len are valid for writes of the size given.
        let rc =
            unsafe { libc::getsockopt(self.fd.as_raw_fd(), level, opt, v.as_mut_ptr().cast(), &mut len) };
        check(rc, "getsockopt")?;
        // SAFETY: zero-initialised plain C data, possibly filled by the kernel.
        Ok(unsafe { v.assume_init() })
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: the mapping made in new(), of that length; no borrow of it
        // can outlive self.
        unsafe { libc::munmap(self.map.as_ptr().cast(), (BLOCK_SIZE * BLOCKS) as usize) };
    }
}
