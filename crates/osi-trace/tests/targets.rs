//! Where `--write` and `--tsg` put their file: a regular file or a new path is
//! written beside and renamed into place, keeping the old file's mode and
//! owner; a character device or a FIFO is written through, as tcpdump does; a
//! directory, a block device or a socket is refused with one line, before any
//! frame is read; a symbolic link stays a link, even one to nothing yet.
//! Device nodes are made in a temporary folder (`mknod`), never
//! the machine's own `/dev`.

mod common;

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{fixture, osi_trace, text};
use nix::sys::stat::{makedev, mknod, Mode, SFlag};

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Whether this test may make device nodes and change owners (root, as CI runs).
fn root(test: &str) -> bool {
    let outcome = if is_root() { Ok(()) } else { Err("mknod and chown need root".into()) };
    harness::require_that(test, "root", outcome)
}

/// A character device node `name` in `dir`, mode 0666, as /dev has them.
fn char_device(dir: &Path, name: &str, major: u64, minor: u64) -> anyhow::Result<PathBuf> {
    let path = dir.join(name);
    mknod(&path, SFlag::S_IFCHR, Mode::from_bits_truncate(0o666), makedev(major, minor))?;
    // mknod's mode went through the umask: set it as /dev has it.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666))?;
    Ok(path)
}

/// The names in `dir`, sorted: what a run left there.
fn names(dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut n: Vec<String> = std::fs::read_dir(dir)?
        .map(|e| Ok(e?.file_name().to_string_lossy().into_owned()))
        .collect::<anyhow::Result<_>>()?;
    n.sort();
    Ok(n)
}

/// Asserts `path` is still the character device `major:minor`, mode 0666.
fn still_device(path: &Path, major: u64, minor: u64) -> anyhow::Result<()> {
    let m = std::fs::symlink_metadata(path)?;
    assert!(m.file_type().is_char_device(), "{} is no longer a device: {:?}", path.display(), m.file_type());
    assert_eq!(m.rdev(), makedev(major, minor), "{}", path.display());
    assert_eq!(m.mode() & 0o7777, 0o666, "{}", path.display());
    Ok(())
}

/// `--write` and `--tsg` to a "null" node (1:3) succeed and to a "full" node
/// (1:7) fail with the device's own error; either way the node stays a device.
#[test]
fn a_character_device_is_written_through_and_stays_a_device() -> anyhow::Result<()> {
    if !root(&harness::test_name!()) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let null = char_device(dir.path(), "null", 1, 3)?;
    let full = char_device(dir.path(), "full", 1, 7)?;
    let pcap = fixture("three-clients.pcap");
    let read = pcap.to_string_lossy();

    let out = osi_trace(&["--read", &read, "-q", "--write", &null.to_string_lossy()])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    still_device(&null, 1, 3)?;
    // An SVG into a device replaces nothing: no --force needed.
    let out = osi_trace(&["--read", &read, "-q", "--tsg", &null.to_string_lossy()])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    still_device(&null, 1, 3)?;

    for args in [&["--write"][..], &["--tsg"], &["--force", "--tsg"]] {
        let mut all = vec!["--read", &read, "-q"];
        all.extend_from_slice(args);
        let target = full.to_string_lossy();
        all.push(&target);
        let out = osi_trace(&all)?;
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
        still_device(&full, 1, 7)?;
    }
    assert_eq!(names(dir.path())?, ["full", "null"], "nothing left beside the nodes");
    Ok(())
}

/// A FIFO is written through: its reader gets the same bytes a regular file would hold.
#[test]
fn a_fifo_is_written_through_to_its_reader() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let fifo = dir.path().join("fifo");
    nix::unistd::mkfifo(&fifo, Mode::from_bits_truncate(0o600))?;
    let pcap = fixture("three-clients.pcap");
    let read = pcap.to_string_lossy();
    let file = dir.path().join("file.pcap");
    let svg = dir.path().join("file.svg");
    let out = osi_trace(&[
        "--read",
        &read,
        "-q",
        "--write",
        &file.to_string_lossy(),
        "--tsg",
        &svg.to_string_lossy(),
    ])?;
    assert!(out.status.success(), "{}", text(&out.stderr));

    for (flag, want) in [("--write", &file), ("--tsg", &svg)] {
        // The reader reports on a channel: if the FIFO were replaced, its open()
        // would wait for ever on the old node, and the test must still end.
        let (tx, rx) = std::sync::mpsc::channel();
        let path = fifo.clone();
        std::thread::spawn(move || {
            let mut got = Vec::new();
            let r = std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut got));
            let _ = tx.send(r.map(|_| got));
        });
        let out = osi_trace(&["--read", &read, "-q", flag, &fifo.to_string_lossy()])?;
        assert!(out.status.success(), "{flag}: {}", text(&out.stderr));
        let got = rx
            .recv_timeout(Duration::from_secs(30))
            .map_err(|_| anyhow::anyhow!("{flag}: the FIFO's reader got nothing in 30 s"))??;
        assert_eq!(got, std::fs::read(want)?, "{flag}: the FIFO's reader got what the file holds");
        assert!(std::fs::symlink_metadata(&fifo)?.file_type().is_fifo(), "{flag}: still a FIFO");
    }
    assert_eq!(names(dir.path())?, ["fifo", "file.pcap", "file.svg"]);
    Ok(())
}

/// A socket, a directory and a block device are refused in one line, before
/// any frame is read (nothing on stdout), and left as they were.
#[test]
fn a_socket_a_directory_and_a_block_device_are_refused_before_reading() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let sock = dir.path().join("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock)?;
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder)?;
    let mut targets = vec![(sock.clone(), "is a socket"), (folder.clone(), "is a directory")];
    let disk = dir.path().join("disk");
    if is_root() {
        // A loop device's node; never opened: refused from its type alone.
        mknod(&disk, SFlag::S_IFBLK, Mode::from_bits_truncate(0o600), makedev(7, 0))?;
        targets.push((disk.clone(), "is a block device"));
    }
    let pcap = fixture("three-clients.pcap");
    for (target, says) in &targets {
        let before = std::fs::symlink_metadata(target)?;
        for args in [&["--write"][..], &["--tsg"], &["--force", "--tsg"]] {
            let mut all = vec!["--read".to_string(), pcap.to_string_lossy().into_owned()];
            all.extend(args.iter().map(|a| a.to_string()));
            all.push(target.to_string_lossy().into_owned());
            let all: Vec<&str> = all.iter().map(String::as_str).collect();
            let out = osi_trace(&all)?;
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{all:?}: {err}");
            assert_eq!(err.lines().count(), 1, "{all:?}: {err}");
            assert!(err.contains(says) && err.contains("; hint: "), "{all:?}: {err}");
            assert_eq!(err.matches("irectory").count(), usize::from(*says == "is a directory"), "{err}");
            assert!(out.stdout.is_empty(), "{all:?}: refused before reading: {}", text(&out.stdout));
            let after = std::fs::symlink_metadata(target)?;
            assert_eq!((after.ino(), after.mode()), (before.ino(), before.mode()), "{all:?}");
        }
    }
    assert!(std::fs::read_dir(&folder)?.next().is_none(), "nothing written into the folder");
    Ok(())
}

/// A regular file that is replaced keeps its mode and its owner; a symbolic
/// link stays a link, and the file it points to is the one replaced.
#[test]
fn a_replaced_file_keeps_its_mode_and_owner_and_a_link_stays_a_link() -> anyhow::Result<()> {
    if !root(&harness::test_name!()) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let pcap = fixture("three-clients.pcap");
    for (flag, name) in [("--write", "old.pcap"), ("--tsg", "old.svg")] {
        let old = dir.path().join(name);
        std::fs::write(&old, "the previous run")?;
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644))?;
        std::os::unix::fs::chown(&old, Some(65534), Some(65534))?;
        let out = osi_trace(
            &["--read", &pcap.to_string_lossy(), "-q", flag, &old.to_string_lossy(), "--force"]
                .into_iter()
                .filter(|a| flag == "--tsg" || *a != "--force")
                .collect::<Vec<_>>(),
        )?;
        assert!(out.status.success(), "{flag}: {}", text(&out.stderr));
        let m = std::fs::metadata(&old)?;
        assert_ne!(std::fs::read(&old)?, b"the previous run", "{flag}: replaced");
        assert_eq!(m.mode() & 0o7777, 0o644, "{flag}: mode kept");
        assert_eq!((m.uid(), m.gid()), (65534, 65534), "{flag}: owner kept");

        let link = dir.path().join(format!("link-{name}"));
        std::os::unix::fs::symlink(&old, &link)?;
        std::fs::write(&old, "older still")?;
        let out = osi_trace(
            &["--read", &pcap.to_string_lossy(), "-q", flag, &link.to_string_lossy(), "--force"]
                .into_iter()
                .filter(|a| flag == "--tsg" || *a != "--force")
                .collect::<Vec<_>>(),
        )?;
        assert!(out.status.success(), "{flag}: {}", text(&out.stderr));
        assert!(std::fs::symlink_metadata(&link)?.file_type().is_symlink(), "{flag}: still a link");
        assert_ne!(std::fs::read(&old)?, b"older still", "{flag}: the file it points to was replaced");
    }
    assert_eq!(names(dir.path())?, ["link-old.pcap", "link-old.svg", "old.pcap", "old.svg"]);
    Ok(())
}

/// A new file gets the mode any new file gets (0666 less the umask), as
/// tcpdump's files do, not a temporary file's 0600.
#[test]
fn a_new_file_gets_the_usual_mode() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let pcap = fixture("three-clients.pcap");
    let (new, svg) = (dir.path().join("new.pcap"), dir.path().join("new.svg"));
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.args(["--read", &pcap.to_string_lossy(), "-q", "--write", &new.to_string_lossy()]);
    cmd.args(["--tsg", &svg.to_string_lossy()]);
    // The child's umask: 022, set by a shell around it.
    let mut sh = Command::new("sh");
    sh.arg("-c").arg("umask 022 && exec \"$@\"").arg("sh").arg(cmd.get_program()).args(cmd.get_args());
    let out = harness::run(sh, b"", Duration::from_secs(60))?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    for f in [&new, &svg] {
        assert_eq!(std::fs::metadata(f)?.mode() & 0o777, 0o644, "{}", f.display());
    }
    Ok(())
}

/// A symbolic link to nothing stays a link: `--write` and `--tsg` create the
/// file it names (relative to the link's folder), as a shell's `>` does; a
/// link into a folder that does not exist is refused with one line, and stays.
#[test]
fn a_link_to_nothing_stays_a_link() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let pcap = fixture("three-clients.pcap");
    for (flag, name) in [("--write", "run.pcap"), ("--tsg", "run.svg")] {
        let link = dir.path().join(format!("link-{name}"));
        std::os::unix::fs::symlink(name, &link)?;
        let out = osi_trace(&["--read", &pcap.to_string_lossy(), "-q", flag, &link.to_string_lossy()])?;
        assert!(out.status.success(), "{flag}: {}", text(&out.stderr));
        assert!(std::fs::symlink_metadata(&link)?.file_type().is_symlink(), "{flag}: still a link");
        assert!(std::fs::symlink_metadata(dir.path().join(name))?.is_file(), "{flag}: its target written");

        let astray = dir.path().join(format!("astray-{name}"));
        std::os::unix::fs::symlink(format!("nowhere/{name}"), &astray)?;
        let out = osi_trace(&["--read", &pcap.to_string_lossy(), "-q", flag, &astray.to_string_lossy()])?;
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{flag}: {err}");
        assert_eq!(err.lines().count(), 1, "{flag}: {err}");
        assert!(err.contains("no directory") && err.contains("nowhere") && err.contains("; hint: "), "{err}");
        assert!(std::fs::symlink_metadata(&astray)?.file_type().is_symlink(), "{flag}: still a link");
    }
    let names = names(dir.path())?;
    assert_eq!(
        names,
        ["astray-run.pcap", "astray-run.svg", "link-run.pcap", "link-run.svg", "run.pcap", "run.svg"]
    );
    Ok(())
}
