//! What osi-trace says about the files it reads and writes: a capture that is
//! no pcap, damaged or cut short, a link type it cannot decode (the notes), a
//! path it will not write (`--write`, `--tsg`, `--html`), a graph it cannot
//! draw. One error line with its hint each; the Vietnamese in `lang::files`.

use kit::lang::vi;
use kit::Hinted;

use crate::render::lang::files as vi_words;

/// `cannot open PATH` (the path already escaped).
pub fn cannot_open(path: &str) -> String {
    if vi() {
        return format!("không mở được {path}");
    }
    format!("cannot open {path}")
}

/// `cannot read PATH`.
pub fn cannot_read(path: &str) -> String {
    if vi() {
        return format!("không đọc được {path}");
    }
    format!("cannot read {path}")
}

/// `cannot write WHAT` (`--write run.pcap`, or a path).
pub fn cannot_write(what: &str) -> String {
    if vi() {
        return format!("không ghi được {what}");
    }
    format!("cannot write {what}")
}

/// `cannot create PATH`.
pub fn cannot_create(path: &str) -> String {
    if vi() {
        return format!("không tạo được {path}");
    }
    format!("cannot create {path}")
}

/// `writing PATH`: the context of an error while a capture is written.
pub fn writing(path: &str) -> String {
    if vi() {
        return format!("khi ghi {path}");
    }
    format!("writing {path}")
}

/// A path to write that is not a file osi-trace writes: what it is, and the hint.
pub fn refused(flag: &str, at: &str, why: Refused) -> Hinted {
    if vi() {
        return vi_words::refused(flag, at, why);
    }
    let give = "give the name of a file to write, e.g. run.pcap or graph.svg";
    let (what, hint) = match why {
        Refused::Directory(inside) => {
            ("is a directory".to_string(), format!("give a file in it, e.g. {inside}"))
        }
        Refused::Socket => ("is a socket: a file cannot be written into one".into(), give.into()),
        Refused::BlockDevice => {
            ("is a block device (a disk): osi-trace does not write over disks".into(), give.into())
        }
        Refused::Exists => ("exists".into(), "give another file name, or --force to replace it".into()),
        Refused::NoDirectory(dir) => {
            (format!("cannot be written: no directory {dir}"), "create it first".into())
        }
    };
    kit::hinted(format!("{flag} {at} {what}"), hint)
}

/// Why a path is refused (paths already escaped).
#[derive(Debug, Clone, Copy)]
pub enum Refused<'a> {
    /// A directory; the example of a file in it.
    Directory(&'a str),
    Socket,
    BlockDevice,
    /// A regular file, without `--force`.
    Exists,
    /// The directory the file would go in does not exist.
    NoDirectory(&'a str),
}

/// A file that appeared at the path while osi-trace ran.
pub fn appeared(at: &str, e: &std::io::Error) -> Hinted {
    if vi() {
        return kit::hinted(
            format!("không ghi được {at}: {e}"),
            "nó xuất hiện trong lúc osi-trace chạy; --force sẽ thay nó",
        );
    }
    kit::hinted(format!("cannot write {at}: {e}"), "it appeared while osi-trace ran; --force replaces it")
}

/// `--write` names the file `--read` reads.
pub fn write_is_read(path: &str) -> String {
    if vi() {
        return format!(
            "--write {path} là chính file mà --read đang đọc: nó sẽ bị xóa trắng trước khi được đọc; gợi ý: \
             hãy ghi vào một file khác"
        );
    }
    format!(
        "--write {path} is the file --read reads: it would be emptied before it is read; hint: write to another file"
    )
}

/// A link type osi-trace does not decode (its number and libpcap's name).
pub fn unsupported_link(number: u32, name: &str) -> Hinted {
    if vi() {
        return kit::hinted(
            format!("kiểu link {number} ({name}) không được hỗ trợ"),
            "osi-trace đọc các capture Ethernet, Linux cooked (SLL, SLL2), IP thô, PPP, IP over InfiniBand và \
             loopback của BSD",
        );
    }
    kit::hinted(
        format!("unsupported link type {number} ({name})"),
        "osi-trace reads Ethernet, Linux cooked (SLL, SLL2), raw IP, PPP, IP over InfiniBand and BSD loopback captures",
    )
}

/// The note of a file whose link type osi-trace does not decode: `iface` is the
/// pcapng interface's number (none in a pcap file).
pub fn frames_skipped(iface: Option<usize>, why: &str) -> String {
    match (iface, vi()) {
        (None, false) => format!("{why}; its frames are skipped"),
        (None, true) => format!("{why}; các frame của nó bị bỏ qua"),
        (Some(i), false) => format!("interface {i} of the pcapng file: {why}; its frames are skipped"),
        (Some(i), true) => format!("interface {i} của file pcapng: {why}; các frame của nó bị bỏ qua"),
    }
}

/// A record's fraction of a second past one second (`unit`: µs or ns).
pub fn fraction_note(frac: u32, unit: &str) -> String {
    if vi() {
        return format!(
            "một record có phần lẻ của giây là {frac} {unit} (≥ 1 s); được cộng vào phần giây, như Wireshark hiện nó"
        );
    }
    format!("a record's fraction of a second is {frac} {unit} (≥ 1 s); carried into the seconds, as Wireshark shows it")
}

/// What is wrong with a capture file's bytes.
#[derive(Debug, Clone, Copy)]
pub enum Damage {
    TruncatedHeader,
    TruncatedRecord,
    NotPcapHeader,
    /// After this many frames.
    RecordAfter(u64),
    /// A record's captured length, and the most osi-trace takes.
    RecordTooBig(u32, u32),
    NgStart,
    NgSectionHeader,
    ByteOrder,
    /// A block's type and its impossible length.
    BlockLength(u32, u32),
    /// A block's type and its two length fields.
    LengthsDisagree(u32, u32, u32),
    /// A block too short for its fields: its type.
    BlockShort(u32),
    SectionShort,
    /// The section's pcapng version.
    Version(u16, u16),
    InterfaceShort,
    /// A packet on an interface the file never described.
    Undescribed(u32),
    /// A packet's captured length, and its block's length.
    PacketTooBig(u32, usize),
}

/// The words of a damage.
pub fn damage(d: Damage) -> String {
    if vi() {
        return vi_words::damage(d);
    }
    match d {
        Damage::TruncatedHeader => "the file ends in the middle of its pcap header (truncated)".into(),
        Damage::TruncatedRecord => "the file ends in the middle of a record (truncated)".into(),
        Damage::NotPcapHeader => "not a pcap file header".into(),
        Damage::RecordAfter(n) => format!("damaged record after frame {n}"),
        Damage::RecordTooBig(caplen, max) => format!("a record of {caplen} captured bytes (more than {max})"),
        Damage::NgStart => "a pcapng file must start with a section header block".into(),
        Damage::NgSectionHeader => "a damaged pcapng section header".into(),
        Damage::ByteOrder => "a section header with a bad byte-order magic".into(),
        Damage::BlockLength(kind, len) => format!("a block (type {kind:#x}) with an impossible length {len}"),
        Damage::LengthsDisagree(kind, len, tail) => {
            format!("a block (type {kind:#x}) whose two length fields disagree ({len} and {tail})")
        }
        Damage::BlockShort(kind) => format!("a block (type {kind}) too short for its fields"),
        Damage::SectionShort => "a section header too short for its fields".into(),
        Damage::Version(major, minor) => {
            format!("a section header of pcapng version {major}.{minor}, not 1.x")
        }
        Damage::InterfaceShort => "an interface description too short for its fields".into(),
        Damage::Undescribed(iface) => {
            format!("a packet on interface {iface}, which the file never described")
        }
        Damage::PacketTooBig(caplen, block) => {
            format!("a packet of {caplen} captured bytes in a block of {block} bytes")
        }
    }
}

/// Frames of two link types written to what cannot be rewritten as pcapng.
pub fn two_link_types(first: &str, then: &str, path: &str) -> Hinted {
    if vi() {
        return kit::hinted(
            format!(
                "frame của hai kiểu link ({first}, rồi {then}) cần một file pcapng, làm bằng cách viết lại file \
                 pcap đã ghi tới giờ, và {path} không viết lại được"
            ),
            "hãy --write vào một file thường",
        );
    }
    kit::hinted(
        format!(
            "frames of two link types ({first}, then {then}) need a pcapng file, made by rewriting the pcap \
             written so far, and {path} cannot be rewritten"
        ),
        "--write to a regular file",
    )
}

/// The context of an error while a pcap becomes pcapng.
pub fn turning_pcapng() -> &'static str {
    if vi() {
        "khi chuyển file sang pcapng"
    } else {
        "turning the file into pcapng"
    }
}

/// A frame's time past what a pcap file holds.
pub fn too_late(secs: u64) -> String {
    if vi() {
        return format!("thời điểm frame {secs} s sau năm 1970 không vừa một file pcap");
    }
    format!("a frame time of {secs} s after 1970 does not fit a pcap file")
}
