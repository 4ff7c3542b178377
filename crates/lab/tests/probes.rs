//! The lab's probe scripts end in one line when the network does not answer, as
//! lesson 16's bottleneck drops a ping at its full queue: never a Python traceback.

use std::time::Duration;

use harness::Need;
use lab::Lab;

#[test]
fn a_ping_nobody_answers_ends_in_one_line_not_a_traceback() {
    if !harness::require!(Need::Netns, Need::Tool("python3")) {
        return;
    }
    // 10.0.1.99 is on the client's link, and nobody has it: no reply ever comes.
    let script = "on client icmp-probe.py echo 10.0.1.99 >\"$LAB_DIR/probe.log\" 2>&1 || echo \"exit $?\" >>\"$LAB_DIR/probe.log\"\n";
    let run = Lab::with(&[]).run(script, Duration::from_secs(60)).expect("the lab runs");
    assert!(run.status.success(), "lab failed: {}\n{}", run.stdout, run.stderr);
    let log = run.read("probe.log");
    assert_eq!(log, "icmp-probe: no echo reply from 10.0.1.99 within 2 s\nexit 1\n", "{log}");
}
