//! Where `--write` and `--tsg` put their file, decided before any frame is
//! read: a new path or a regular file gets a temporary file beside it, renamed
//! into place at the end (the old file's mode and owner kept); a character
//! device or a FIFO is written through, as tcpdump does, and stays what it is;
//! a symbolic link stays a link (its target is written, even one not there yet);
//! a directory, a block device or a socket is refused with one line.

use std::fs::{File, Metadata, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::Context;
use tempfile::TempPath;

use crate::render::words::files::{self, Refused};

/// A file being written for `--write` or `--tsg`.
#[derive(Debug)]
pub struct Target {
    /// The path as given, for messages.
    shown: PathBuf,
    how: How,
}

#[derive(Debug)]
enum How {
    /// Written to `tmp` beside `path` (a symbolic link's target, not the link),
    /// then renamed over it; `old` is the regular file there was, if any.
    Replace { path: PathBuf, tmp: TempPath, old: Option<Old>, clobber: bool },
    /// A character device or FIFO, open for writing.
    Through(File),
}

/// What a replaced file keeps: its owner and mode.
#[derive(Debug, Clone, Copy)]
struct Old {
    uid: u32,
    gid: u32,
    mode: u32,
}

/// What may happen to a regular file already at the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Replaced (`--write`, as tcpdump's `-w`; `--tsg --force`).
    Replace,
    /// Refused, then and at the end (`--tsg` without `--force`).
    Keep,
}

impl Target {
    /// Looks at `path` and prepares to write it; `flag` names it in errors.
    /// A FIFO is opened here, so this waits for its reader, as tcpdump does.
    pub fn open(path: &Path, flag: &str, existing: Existing) -> anyhow::Result<Target> {
        let shown = path.to_path_buf();
        let mut at = kit::escape_path(path);
        let meta = match std::fs::metadata(path) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(anyhow::Error::new(e).context(files::cannot_write(&format!("{flag} {at}")))),
        };
        // A symbolic link to nothing (yet) stays a link: the file it names is
        // the one created, as a shell's `>` and tcpdump's -w do.
        let named = match meta {
            Some(_) => path.to_path_buf(),
            None => dangling_to(path).with_context(|| files::cannot_write(&format!("{flag} {at}")))?,
        };
        if named != path {
            at = format!("{at} → {}", kit::escape_path(&named));
        }
        let refuse = |why: Refused| -> anyhow::Result<Target> { Err(files::refused(flag, &at, why).into()) };
        let cannot = || files::cannot_write(&format!("{flag} {at}"));
        let kind = meta.as_ref().map(Metadata::file_type);
        match kind {
            Some(k) if k.is_dir() => {
                return refuse(Refused::Directory(&kit::escape_path(&path.join("run.pcap"))));
            }
            Some(k) if k.is_socket() => return refuse(Refused::Socket),
            Some(k) if k.is_block_device() => return refuse(Refused::BlockDevice),
            Some(k) if k.is_char_device() || k.is_fifo() => {
                let file = OpenOptions::new().write(true).open(path).with_context(cannot)?;
                return Ok(Target { shown, how: How::Through(file) });
            }
            Some(_) if existing == Existing::Keep => return refuse(Refused::Exists),
            _ => {}
        }
        // A symbolic link stays one: the file it points to is the one replaced.
        let path = match &meta {
            Some(_) => std::fs::canonicalize(path).with_context(cannot)?,
            None => named,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            return refuse(Refused::NoDirectory(&kit::escape_path(dir)));
        }
        // A new file gets the mode any new file gets (0666 less the umask); a
        // file that replaces another stays private until it takes that one's mode.
        let mode = if meta.is_some() { 0o600 } else { 0o666 };
        let tmp = tempfile::Builder::new()
            .prefix(".osi-trace-")
            .suffix(".part")
            .permissions(Permissions::from_mode(mode))
            .tempfile_in(dir)
            .with_context(cannot)?
            .into_temp_path();
        let clobber = existing == Existing::Replace;
        let old = meta.map(|m| Old { uid: m.uid(), gid: m.gid(), mode: m.mode() });
        Ok(Target { shown, how: How::Replace { path, tmp, old, clobber } })
    }

    /// The file to write now: the temporary one, or the device or FIFO.
    pub fn file(&self) -> anyhow::Result<File> {
        let f = match &self.how {
            How::Replace { tmp, .. } => OpenOptions::new().write(true).truncate(true).open(tmp),
            How::Through(file) => file.try_clone(),
        };
        f.with_context(|| files::cannot_write(&kit::escape_path(&self.shown)))
    }

    /// The path written now (the temporary file's, or the device's).
    pub fn writing(&self) -> &Path {
        match &self.how {
            How::Replace { tmp, .. } => tmp,
            How::Through(_) => &self.shown,
        }
    }

    /// Whether what was written can be read back and rewritten (not a FIFO or device).
    pub fn rewritable(&self) -> bool {
        matches!(self.how, How::Replace { .. })
    }

    /// The path as given, for messages.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    /// Puts the file in place: the old file's owner and mode on the new one,
    /// then renamed over it. Dropped instead, the temporary file is removed.
    pub fn commit(self) -> anyhow::Result<()> {
        let at = kit::escape_path(&self.shown);
        let How::Replace { path, tmp, old, clobber } = self.how else {
            return Ok(());
        };
        if let Some(old) = old {
            // The owner first: chown clears set-id bits, which the mode then restores.
            // Only root may give a file away; anyone else keeps the file as theirs.
            match std::os::unix::fs::chown(&tmp, Some(old.uid), Some(old.gid)) {
                Err(e) if e.kind() != io::ErrorKind::PermissionDenied => {
                    return Err(anyhow::Error::new(e).context(files::cannot_write(&at)))
                }
                _ => {}
            }
            std::fs::set_permissions(&tmp, Permissions::from_mode(old.mode & 0o7777))
                .with_context(|| files::cannot_write(&at))?;
        }
        let placed = if clobber { tmp.persist(&path) } else { tmp.persist_noclobber(&path) };
        placed.map_err(|e| {
            // The error alone: its path is the temporary file's, which is gone.
            let e = e.error;
            if e.kind() == io::ErrorKind::AlreadyExists {
                return files::appeared(&at, &e).into();
            }
            anyhow::Error::new(e).context(files::cannot_write(&at))
        })
    }
}

/// The path a write to `path` creates: `path` itself, or, if it is a symbolic
/// link to nothing, link after link, the name it points to (relative to the
/// link's folder). Renaming over the link itself would replace it.
fn dangling_to(path: &Path) -> io::Result<PathBuf> {
    let mut at = path.to_path_buf();
    // Linux follows at most 40 links in a path (ELOOP); so does this.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&at)?;
                at = match at.parent() {
                    Some(dir) => dir.join(to),
                    None => to,
                };
            }
            _ => return Ok(at),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}
