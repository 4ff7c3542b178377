// Follow stream: each direction's bytes in order, as text (valid UTF-8 as
// characters, control bytes escaped), from the bytes the page keeps of each
// frame; a retransmission's bytes are shown once.

const Follow = (() => {
  const box = document.getElementById('follow');
  let drawn = null;

  function draw() {
    if (box.hidden) return;
    const r = ROWS[S.sel];
    const stream = r && isSeg(r) ? r.stream : (CONNS[0] ? CONNS[0].stream : 0);
    if (drawn === stream) return;
    drawn = stream;
    clear(box);
    const c = CONNS.find((x) => x.stream === stream);
    const ends = c ? ': client ' + c.client + ' → server ' + c.server : '';
    box.appendChild(el('div', 'hint', say('follow_head', { stream, ends })));
    const pre = el('pre');
    let missing = 0;
    for (let i = 0; i < ROWS.length; i++) {
      const s = ROWS[i];
      if (!isSeg(s) || s.stream !== stream || s.len === 0) continue;
      if (s.analysis.some((a) => a.includes('retransmission'))) continue;
      const f = frameOf(s);
      const tcp = f && f.layers.find((l) => l.layer === 'L7');
      const b = tcp ? bytesOf(f).slice(tcp.offset, tcp.offset + s.len) : new Uint8Array(0);
      const part = el('span', s.from === 'client' ? 'c2s' : 's2c');
      part.dataset.i = String(i);
      showText(part, bytesText(b));
      if (b.length < s.len) {
        missing += s.len - b.length;
        part.appendChild(el('span', 'esc', say('follow_cut', { n: s.len - b.length })));
      }
      pre.appendChild(part);
    }
    box.appendChild(pre);
    if (missing) box.appendChild(el('p', 'hint', say('follow_missing', { n: missing, k: D.page.frame_bytes })));
  }
  box.addEventListener('click', (e) => {
    const p = e.target.closest('[data-i]');
    if (p) select(Number(p.dataset.i));
  });
  onChange((what) => { if (what === 'select' || what === 'tab') draw(); });
  return { draw, reset: () => { drawn = null; } };
})();
