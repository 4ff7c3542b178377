//! osi-trace — capture a TCP run (live, or from a pcap/pcapng file) and
//! explain every segment by OSI layer, TCP state and the socket call that
//! caused it. This file parses the command line (`osi_trace::cli`) and hands
//! it to a driver (`osi_trace::drive`): the trace, or the hop view.

use osi_trace::cli::{self, Args};
use osi_trace::drive::hop::{files, live, HopOptions};
use osi_trace::drive::trace;
use osi_trace::source::Stop;

fn main() -> std::process::ExitCode {
    kit::run("osi-trace", || {
        let args = kit::parse_args::<Args>();
        args.output.apply();
        kit::Lang::resolve(args.lang).apply();
        // Before any thread starts: every thread started after it leaves the signals to its own.
        let stop = Stop::install()?;
        let Some(link2) = &args.hop else { return trace::run(&args, &stop) };
        let (html, force) = (args.html.clone(), args.force);
        let opts =
            HopOptions { json: args.json, quiet: args.output.quiet, width: cli::width(&args), html, force };
        match (&args.read, link2, args.interface.as_slice()) {
            (Some(link1), Some(link2), _) if args.duration.is_none() => {
                let out = kit::PipeOut(std::io::stdout().lock());
                files::run(&[link1.clone(), link2.clone()], &opts, &stop, out)
            }
            (None, None, [a, b]) => live::run(&[a.clone(), b.clone()], args.limits(), &opts, &stop),
            _ => Err(kit::hinted(
                "--hop compares two files (--read LINK1 --hop LINK2) or two live links (two --interface, no file)",
                "e.g. --read link1.pcap --hop link2.pcap, or --interface eth0 --interface eth1 --hop --duration 10",
            )
            .into()),
        }
    })
}
