// The time-sequence graph (one direction of one stream: each segment a bar
// from seq to nxtseq, the other side's ACK and window lines, as --tsg draws
// them) and the RTT samples (each ACK's ack_rtt). Wheel zooms, drag pans,
// double-click resets; a click on a point selects its segment.

const Graph = (() => {
  const boxes = { tsg: document.getElementById('tsg'), rtt: document.getElementById('rtt') };
  const view = { tsg: null, rtt: null };
  let key = '';

  /** The stream and direction to draw: the selected segment's, else the busiest. An
   *  RTT sample belongs to an ACK and times the other side's segments: selecting it
   *  keeps their graph, where it is a point (not the ACK sender's, where it is none). */
  function pick(kind) {
    const r = ROWS[S.sel];
    if (r && isSeg(r)) {
      if (kind === 'rtt' && r.ack_rtt !== null) return [r.stream, r.from === 'client' ? 'server' : 'client'];
      return [r.stream, r.from];
    }
    let best = null;
    for (const c of CONNS) {
      for (const [side, f] of [['client', c.client_to_server], ['server', c.server_to_client]]) {
        if (!best || f.bytes > best[2]) best = [c.stream, side, f.bytes];
      }
    }
    return best ? [best[0], best[1]] : [0, 'client'];
  }

  function data(kind, stream, side) {
    const pts = [];
    for (let i = 0; i < ROWS.length; i++) {
      const r = ROWS[i];
      if (!isSeg(r) || r.stream !== stream) continue;
      if (kind === 'tsg') pts.push({ i, r, mine: r.from === side });
      else if (r.ack_rtt !== null && r.from !== side) pts.push({ i, r });
    }
    return pts;
  }

  function bounds(kind, pts) {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const p of pts) {
      x0 = Math.min(x0, p.r.time); x1 = Math.max(x1, p.r.time);
      const ys = kind === 'tsg' ? (p.mine ? [p.r.seq, p.r.nxtseq] : (p.r.ack !== null ? [p.r.ack] : []))
        : [p.r.ack_rtt * 1000];
      for (const y of ys) { y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    }
    if (!isFinite(x0)) return null;
    if (kind === 'rtt') y0 = 0;
    const px = (x1 - x0) * 0.03 || 0.001, py = (y1 - y0) * 0.05 || 1;
    // The margins stop at zero: no time before the capture's first frame, no
    // sequence number or round trip below 0 (an axis reading '-0.0000 s' confuses).
    const from = (v, m) => (v >= 0 ? Math.max(0, v - m) : v - m);
    return { x0: from(x0, px), x1: x1 + px, y0: from(y0, py), y1: y1 + py };
  }

  function draw(kind) {
    const box = boxes[kind];
    if (box.hidden) return;
    const [stream, side] = pick(kind);
    const pts = data(kind, stream, side);
    const k = kind + stream + side;
    if (!view[kind] || view[kind].key !== k) view[kind] = Object.assign({ key: k }, bounds(kind, pts));
    const v = view[kind];
    clear(box);
    box.classList.add('graph');
    const other = side === 'client' ? 'server' : 'client';
    box.appendChild(el('div', 'hint', say(kind === 'tsg' ? 'tsg_hint' : 'rtt_hint', { stream, side, other })));
    if (v.x0 === undefined) { box.appendChild(el('p', 'hint', say('nothing'))); return; }
    const W = Math.max(200, box.clientWidth - 8), H = Math.max(120, box.clientHeight - 40);
    const X = (t) => 44 + (t - v.x0) / (v.x1 - v.x0) * (W - 50);
    const Y = (y) => H - 18 - (y - v.y0) / (v.y1 - v.y0) * (H - 24);
    const s = svg('svg', { width: W, height: H, overflow: 'hidden' });
    s.appendChild(svg('line', { x1: 44, y1: H - 18, x2: W, y2: H - 18, class: 'axis' }));
    s.appendChild(svg('line', { x1: 44, y1: 0, x2: 44, y2: H - 18, class: 'axis' }));
    s.appendChild(svg('text', { x: 46, y: H - 4 }, v.x0.toFixed(4) + ' s'));
    s.appendChild(svg('text', { x: W - 4, y: H - 4, 'text-anchor': 'end' }, v.x1.toFixed(4) + ' s'));
    s.appendChild(svg('text', { x: 2, y: 12 }, Math.round(v.y1) + (kind === 'rtt' ? ' ms' : '')));
    s.appendChild(svg('text', { x: 2, y: H - 20 }, Math.round(v.y0)));
    const inX = (t) => t >= v.x0 && t <= v.x1;
    if (kind === 'tsg') {
      // The other side's ACKs as steps, as --tsg draws them: an ACK number holds until
      // the next ACK (a slope would claim numbers no ACK carried). Every ACK is drawn,
      // so that a zoomed view starts at the level of the last ACK before it; the plot's
      // clip keeps the lines off the axes.
      const clip = 'tsgclip' + stream + side;
      const c = svg('clipPath', { id: clip });
      c.appendChild(svg('rect', { x: 44, y: 0, width: W - 44, height: H - 18 }));
      s.appendChild(c);
      let ack = '', win = '';
      for (const p of pts) {
        if (p.mine || p.r.ack === null) continue;
        const x = X(p.r.time).toFixed(1);
        const a = Y(p.r.ack).toFixed(1), w = Y(p.r.ack + p.r.window_size).toFixed(1);
        ack += ack ? ' H' + x + ' V' + a : 'M' + x + ' ' + a;
        win += win ? ' H' + x + ' V' + w : 'M' + x + ' ' + w;
      }
      if (ack) s.appendChild(svg('path', { d: ack, class: 'ackl', 'clip-path': 'url(#' + clip + ')' }));
      if (win) s.appendChild(svg('path', { d: win, class: 'winl', 'clip-path': 'url(#' + clip + ')' }));
      for (const p of pts) {
        if (!p.mine || !inX(p.r.time)) continue;
        const re = p.r.analysis.some((a) => a.includes('retransmission'));
        const hi = p.r.nxtseq > p.r.seq ? p.r.nxtseq : p.r.seq + 0.5;
        // A bar 4 px wide, at least 4 px tall: a SYN or an ACK is a point one can click.
        const top = Math.min(Y(hi), Y(p.r.seq) - 4);
        const l = svg('rect', { x: X(p.r.time) - 2, y: top, width: 4, height: Y(p.r.seq) - top,
          class: 'pt seg' + (re ? ' re' : '') + (p.i === S.sel ? ' sel' : ''), 'data-i': p.i });
        l.appendChild(svg('title', {}, 'frame ' + p.r.frame + ': seq ' + p.r.seq + '–' + p.r.nxtseq));
        s.appendChild(l);
      }
    } else {
      for (const p of pts) {
        if (!inX(p.r.time)) continue;
        const c = svg('circle', { cx: X(p.r.time), cy: Y(p.r.ack_rtt * 1000), r: p.i === S.sel ? 6 : 4,
          class: 'pt rttp' + (p.r.ack_rtt_retransmitted ? ' amb' : '') + (p.i === S.sel ? ' sel' : ''), 'data-i': p.i });
        const ms = (p.r.ack_rtt * 1000).toFixed(3);
        c.appendChild(svg('title', {}, say('acks_frame', { frame: p.r.frame, acked: p.r.acks_frame, ms })));
        s.appendChild(c);
      }
    }
    box.appendChild(s);
    s.addEventListener('click', (e) => {
      const t = e.target.closest('.pt');
      if (t) select(Number(t.getAttribute('data-i')));
    });
    s.addEventListener('wheel', (e) => {
      e.preventDefault();
      const f = e.deltaY < 0 ? 0.8 : 1.25;
      const r = s.getBoundingClientRect();
      const fx = (e.clientX - r.left - 44) / (W - 50), fy = 1 - (e.clientY - r.top) / (H - 24);
      const cx = v.x0 + fx * (v.x1 - v.x0), cy = v.y0 + fy * (v.y1 - v.y0);
      v.x0 = cx - (cx - v.x0) * f; v.x1 = cx + (v.x1 - cx) * f;
      if (!e.shiftKey) { v.y0 = cy - (cy - v.y0) * f; v.y1 = cy + (v.y1 - cy) * f; }
      draw(kind);
    }, { passive: false });
    let drag = null;
    s.addEventListener('mousedown', (e) => { drag = [e.clientX, e.clientY, v.x0, v.x1, v.y0, v.y1]; });
    s.addEventListener('mousemove', (e) => {
      if (!drag || e.buttons !== 1) return;
      const dx = (e.clientX - drag[0]) / (W - 50) * (drag[3] - drag[2]);
      const dy = (e.clientY - drag[1]) / (H - 24) * (drag[5] - drag[4]);
      if (Math.abs(e.clientX - drag[0]) + Math.abs(e.clientY - drag[1]) < 4) return;
      v.x0 = drag[2] - dx; v.x1 = drag[3] - dx; v.y0 = drag[4] + dy; v.y1 = drag[5] + dy;
      draw(kind);
    });
    s.addEventListener('mouseup', () => { drag = null; });
    s.addEventListener('dblclick', () => { view[kind] = null; draw(kind); });
  }

  // Drawn once per burst of changes, after the list and the ladder: a graph of
  // thousands of points must not hold up the first rows.
  let pending = false;
  onChange((what) => {
    if (what === 'zoom') key = '';
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      const k = pick('tsg').join() + pick('rtt').join() + S.sel;
      if (k === key) return;
      key = k;
      draw('tsg');
      draw('rtt');
    }, 0);
  });
  return { draw };
})();
