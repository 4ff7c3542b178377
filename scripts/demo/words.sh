# shellcheck shell=bash
# The demo's own headings and the sentences under them, in English and in Vietnamese,
# sourced by scripts/demo.sh: `phrase KEY [ARG…]` prints KEY's words in the language the
# kit's programs speak here (kit::Lang): the first of LC_ALL, LC_MESSAGES, LANG that is set
# and not empty decides, one starting with vi being Vietnamese, so that the headings and
# osi-trace's annotations under them are in one language. Read before show.sh may set
# LC_ALL for this shell alone. crates/lesson-check/tests/lang.rs fails on a key without its
# Vietnamese, or with English words left in it.

case ${LC_ALL:-${LC_MESSAGES:-${LANG:-}}} in
  vi*) phrase_lang="vi" ;;
  *) phrase_lang="en" ;;
esac

# shellcheck disable=SC2034 # read by phrase, by name
declare -A phrases_en=(
  [basic]="Lesson 03–05 · server-basic (article §2): one echo, handshake to teardown"
  [basic_story]="One client sends \"Hello\"; the server echoes it and exits. A second client then finds no one listening: the kernel answers its SYN with RST (connection refused)."
  [loop]="Lesson 06 · server-loop (article §3.1): clients wait their turn"
  [loop_story]="Client A holds its connection for 2 s. Client B connects at once (the kernel finishes the handshake into the accept queue) but gets its echo only after A leaves."
  [threads]="Lesson 07 · server-threads (article §3.2): a thread per connection"
  [threads_story]="Two clients at once, each holding 1 s: both get their echo immediately."
  [select]="Lesson 08 · server-select (article §3.3): one thread, select(2)"
  [select_story]="Three clients at once, each sending three messages: one thread serves them all."
  [lab]="Lessons 14–17 · the network lab: %s"
  [server_before]="The server, before any packet:"
  [wire]="What went over the wire (osi-trace):"
  [browser]="In a browser (the trace explorer): %s"
  [server_then]="What the server said then:"
  [client_said]="What the client said:"
  [clients_said]="What the clients said (A: and B: mark whose line it is):"
  [next_run]="— Enter for the next run —"
  [finished]="Done"
  [lab_kept]="Each lab run's captures (link1.pcap, link2.pcap) are in %s/lab-*"
  [nothing_captured]="Nothing was captured (no permission, see the start); the servers' logs are in:"
  [kept]="Every run's trace, ladder, JSON, page and pcap are in:"
  [wireshark]="Open a pcap in Wireshark:"
  [read_again]="Or read it again here:"
  [step_next]="— Enter: next segment · c: play on —"
  [step_handshake]="— handshake done · Enter: next segment · c: play on —"
  [step_teardown]="— teardown done · Enter: go on · c: play on —"
  [build_first]="Building what the first run needs: %s (release; %s)…"
  [build_quick]="seconds: only what changed"
  [build_long]="about a minute the first time on two cores"
  [build_rest]="The rest of the kit (the other servers, the lessons' programs) builds in the background while this run plays (about 30 s more on two cores)."
  [build_wait]="Waiting for the background build of the rest of the kit (about 30 s after the first run started, on two cores)…"
  [build_done]="… built (%s s of waiting)."
  [no_capture]="No capture permission here: running the programs without osi-trace."
  [no_capture_how]="To see the traces: run as root, or let unprivileged user namespaces be created (e.g. sysctl kernel.apparmor_restrict_unprivileged_userns=0 on recent Ubuntu), or once (again after each build):"
)

# shellcheck disable=SC2034 # read by phrase, by name
declare -A phrases_vi=(
  [basic]="Bài 03–05 · server-basic (bài viết §2): một lần echo, từ bắt tay tới đóng"
  [basic_story]="Một client gửi \"Hello\"; server echo lại rồi thoát. Sau đó client thứ hai không thấy ai lắng nghe: kernel trả lời SYN của nó bằng RST (connection refused)."
  [loop]="Bài 06 · server-loop (bài viết §3.1): các client chờ đến lượt"
  [loop_story]="Client A giữ kết nối của nó 2 s. Client B kết nối được ngay (kernel hoàn tất handshake vào accept queue) nhưng chỉ nhận được echo sau khi A rời đi."
  [threads]="Bài 07 · server-threads (bài viết §3.2): mỗi kết nối một thread"
  [threads_story]="Hai client cùng lúc, mỗi client giữ kết nối 1 s: cả hai đều nhận echo ngay."
  [select]="Bài 08 · server-select (bài viết §3.3): một thread, select(2)"
  [select_story]="Ba client cùng lúc, mỗi client gửi ba message: một thread phục vụ tất cả."
  [lab]="Bài 14–17 · phòng lab mạng: %s"
  [server_before]="Server, trước gói tin đầu tiên:"
  [wire]="Những gì đã đi trên đường truyền (osi-trace):"
  [browser]="Trong trình duyệt (trace explorer): %s"
  [server_then]="Server đã nói gì lúc đó:"
  [client_said]="Client đã nói gì:"
  [clients_said]="Các client đã nói gì (A: và B: cho biết dòng của ai):"
  [next_run]="— Enter: lần chạy tiếp theo —"
  [finished]="Đã xong"
  [lab_kept]="Capture của mỗi lần chạy lab (link1.pcap, link2.pcap) nằm trong %s/lab-*"
  [nothing_captured]="Không bắt được gói nào (không có quyền, xem phần đầu); log của các server nằm trong:"
  [kept]="Trace, ladder, JSON, trang web và pcap của mỗi lần chạy nằm trong:"
  [wireshark]="Mở một pcap trong Wireshark:"
  [read_again]="Hoặc đọc lại nó ở đây:"
  [step_next]="— Enter: segment tiếp theo · c: chạy tiếp một mạch —"
  [step_handshake]="— bắt tay xong · Enter: segment tiếp theo · c: chạy tiếp một mạch —"
  [step_teardown]="— đóng kết nối xong · Enter: đi tiếp · c: chạy tiếp một mạch —"
  [build_first]="Đang build những gì lần chạy đầu cần: %s (release; %s)…"
  [build_quick]="vài giây: chỉ phần đã thay đổi"
  [build_long]="khoảng một phút cho lần đầu trên máy hai nhân"
  [build_rest]="Phần còn lại của bộ kit (các server khác, chương trình của các bài) được build chạy nền trong lúc lần chạy này diễn ra (thêm khoảng 30 s trên máy hai nhân)."
  [build_wait]="Đang chờ build chạy nền của phần còn lại của bộ kit (khoảng 30 s sau khi lần chạy đầu bắt đầu, trên máy hai nhân)…"
  [build_done]="… đã build xong (chờ %s s)."
  [no_capture]="Ở đây không có quyền bắt gói: chạy các chương trình mà không có osi-trace."
  [no_capture_how]="Để thấy các trace: chạy bằng root, hoặc cho phép user thường tạo user namespace (ví dụ sysctl kernel.apparmor_restrict_unprivileged_userns=0 trên Ubuntu gần đây), hoặc một lần (làm lại sau mỗi lần build):"
)

# phrase KEY [ARG…]: KEY's words in the demo's language, each %s filled with an ARG.
phrase() {
  local -n words_of=phrases_$phrase_lang
  # shellcheck disable=SC2059 # the format is the table's own
  printf "${words_of[$1]}" "${@:2}"
}
