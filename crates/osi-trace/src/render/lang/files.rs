//! The Vietnamese of what osi-trace says about files (`render::words::files`):
//! a path it will not write, a capture file's damage.

use kit::Hinted;

use crate::render::words::files::{Damage, Refused};

/// A path to write that is not a file osi-trace writes.
pub fn refused(flag: &str, at: &str, why: Refused) -> Hinted {
    let give = "hãy đưa tên một file để ghi, ví dụ run.pcap hoặc graph.svg";
    let (what, hint) = match why {
        Refused::Directory(inside) => {
            ("là một thư mục".to_string(), format!("hãy đưa một file trong đó, ví dụ {inside}"))
        }
        Refused::Socket => ("là một socket: không thể ghi một file vào đó".into(), give.into()),
        Refused::BlockDevice => {
            ("là một block device (một ổ đĩa): osi-trace không ghi đè lên ổ đĩa".into(), give.into())
        }
        Refused::Exists => ("đã có".into(), "hãy đưa tên file khác, hoặc --force để thay nó".into()),
        Refused::NoDirectory(dir) => {
            (format!("không ghi được: không có thư mục {dir}"), "hãy tạo nó trước".into())
        }
    };
    kit::hinted(format!("{flag} {at} {what}"), hint)
}

/// A capture file's damage.
pub fn damage(d: Damage) -> String {
    match d {
        Damage::TruncatedHeader => "file kết thúc giữa chừng header pcap của nó (bị cắt cụt)".into(),
        Damage::TruncatedRecord => "file kết thúc giữa chừng một record (bị cắt cụt)".into(),
        Damage::NotPcapHeader => "không phải header của file pcap".into(),
        Damage::RecordAfter(n) => format!("record hỏng sau frame {n}"),
        Damage::RecordTooBig(caplen, max) => format!("một record có {caplen} byte đã bắt (nhiều hơn {max})"),
        Damage::NgStart => "file pcapng phải bắt đầu bằng một section header block".into(),
        Damage::NgSectionHeader => "section header pcapng bị hỏng".into(),
        Damage::ByteOrder => "một section header có byte-order magic sai".into(),
        Damage::BlockLength(kind, len) => format!("một block (type {kind:#x}) có độ dài không thể có {len}"),
        Damage::LengthsDisagree(kind, len, tail) => {
            format!("một block (type {kind:#x}) có hai trường độ dài không khớp ({len} và {tail})")
        }
        Damage::BlockShort(kind) => format!("một block (type {kind}) quá ngắn cho các trường của nó"),
        Damage::SectionShort => "một section header quá ngắn cho các trường của nó".into(),
        Damage::Version(major, minor) => {
            format!("một section header của pcapng phiên bản {major}.{minor}, không phải 1.x")
        }
        Damage::InterfaceShort => "một interface description quá ngắn cho các trường của nó".into(),
        Damage::Undescribed(iface) => format!("một packet trên interface {iface}, thứ mà file chưa hề mô tả"),
        Damage::PacketTooBig(caplen, block) => {
            format!("một packet có {caplen} byte đã bắt trong một block {block} byte")
        }
    }
}
