// The ladder: the textbook time line as SVG, client and server columns (with
// --hop: client side | router | server side), one arrow per visible row, each
// end's TCP state beside its column. Drawn only where it can be seen.

const Ladder = (() => {
  const box = document.getElementById('ladder');
  const spacer = el('div');
  box.appendChild(spacer);
  let pic = null;
  /** The router's MACs: each forwarded copy leaves it from one, and was sent to the other. */
  const ROUTER_MACS = new Set();
  for (const r of HOP ? D.hop : []) {
    if (r.type === 'hop') [r.after.eth_src, r.before.eth_dst].forEach((m) => m && ROUTER_MACS.add(m));
  }
  /** Text widths, measured as the ladder draws them (a hidden text of the same class). */
  const ruler = svg('svg', { width: 0, height: 0 });
  ruler.style.position = 'absolute';
  ruler.style.visibility = 'hidden';
  const probe = svg('text', {});
  ruler.appendChild(probe);
  box.appendChild(ruler);
  function rem() { return parseFloat(getComputedStyle(document.documentElement).fontSize); }
  /** Each character's width, measured once per size and zoom: a page of 50 000 rows
   * measures its labels without touching the page for each. */
  const chars = new Map();
  /** `size` 0.75: a state's text (class state); 0.8: an arrow's label. A little over the
   * drawn width (no kerning), never under. */
  function width(text, size) {
    let sum = 0;
    const at = size + '|' + rem() + '|';
    for (const c of text) {
      const key = at + c;
      if (!chars.has(key)) {
        probe.setAttribute('class', size === 0.75 ? 'state' : '');
        probe.textContent = c === ' ' ? 'a a' : c;
        let wc = probe.getComputedTextLength();
        if (c === ' ') { probe.textContent = 'aa'; wc -= probe.getComputedTextLength(); }
        probe.textContent = '';
        chars.set(key, wc);
      }
      sum += chars.get(key);
    }
    return sum * 1.03 + 2;
  }
  /** One label line's height: the arrows' text is 0.8rem. */
  function L() { return 0.8 * rem() * 1.2; }
  /** The geometry for the shown rows at this width and zoom: each end's state
   * column, and each label's lines, the gap between the columns allows. */
  let geo = { key: '', left: 0, right: 0, lines: new Map(), n: 1 };
  function layout(v, w) {
    const key = w + '|' + rem() + '|' + v.length + '|' + (v.length ? v[0] + ':' + v[v.length - 1] : '');
    if (geo.key === key) return geo;
    const cs = new Set(['CLOSED']); const ss = new Set(['LISTEN']);
    for (const i of v) { const r = ROWS[i]; if (isSeg(r)) { cs.add(r.client_state); ss.add(r.server_state); } }
    const most = (set) => Math.max(...[...set].map((t) => width(t, 0.75)));
    const time = v.length ? width(fmtTime(ROWS[v[v.length - 1]].time || 0), 0.75) : 0;
    let left = Math.max(most(cs), time) + 8;
    let right = most(ss) + 8;
    // The states' room, as long as the arrows keep some 5rem between the columns.
    const room = Math.max(w / 2, w - 5 * rem());
    if (left + right > room) { const f = room / (left + right); left *= f; right *= f; }
    const gap = w - left - right - 10;
    const lines = new Map();
    let n = 1;
    for (const i of v) {
      const r = ROWS[i];
      if (!isSeg(r)) continue;
      const text = segLabel(r);
      if (width(text, 0.8) <= gap) continue;
      const out = [];
      for (const word of text.split(' ')) {
        let t = word;
        while (t.length > 1 && width(t, 0.8) > gap) t = t.slice(0, -2) + '…';
        const last = out.length ? out[out.length - 1] + ' ' + t : null;
        if (last !== null && width(last, 0.8) <= gap) out[out.length - 1] = last;
        else out.push(t);
      }
      lines.set(i, out);
      n = Math.max(n, out.length);
    }
    geo = { key, left, right, lines, n };
    return geo;
  }
  /** A row's height: its label's lines, the arrow's drop, room for the states below it. */
  function lh() { return Math.round(L() * (geo.n + 1.9)); }

  /** The selected stream's connection record (of the stream picked when no segment is). */
  function conn() {
    const r = ROWS[S.sel];
    const stream = r && isSeg(r) ? r.stream : Number(document.getElementById('stream').value || 0);
    return CONNS.find((x) => x.stream === stream);
  }

  /** The column names, from the selected stream's connection (or the hop links). */
  function heads() {
    if (HOP) {
      const [a, b] = D.page.links;
      const syn = D.hop.find((r) => r.tcp && r.tcp.flags === 'SYN');
      const clientOnA = !syn || (syn.type === 'hop' ? syn.before.link : syn.link) === a;
      return [(clientOnA ? 'client' : 'server') + ' (' + a + ')', 'router',
        (clientOnA ? 'server' : 'client') + ' (' + b + ')'];
    }
    const c = conn();
    return c ? ['client ' + c.client, 'server ' + c.server] : ['client', 'server'];
  }

  /** An arrow from (x1, y1) to (x2, y2), its label's lines above it (the last at `ly`). */
  function arrow(g, x1, y1, x2, y2, text, lines, ly) {
    g.appendChild(svg('line', { x1, y1, x2, y2 }));
    const dir = x2 > x1 ? 1 : -1;
    g.appendChild(svg('line', { x1: x2, y1: y2, x2: x2 - dir * 8, y2: y2 - 5 }));
    g.appendChild(svg('line', { x1: x2, y1: y2, x2: x2 - dir * 9, y2: y2 + 3 }));
    const x = (x1 + x2) / 2;
    const parts = lines || [text];
    const t = svg('text', { x, y: ly === undefined ? (y1 + y2) / 2 - 4 : ly, 'text-anchor': 'middle' });
    // One line per tspan; a space ends each but the last, so that textContent reads as one label.
    parts.forEach((p, k) => {
      const attrs = k ? { x, dy: L() } : { x, dy: -(parts.length - 1) * L() };
      t.appendChild(svg('tspan', attrs, k < parts.length - 1 ? p + ' ' : p));
    });
    g.appendChild(t);
  }

  function segLabel(r) {
    let t = r.flags.replace(/, /g, '+') + ' seq=' + r.seq;
    if (r.ack !== null) t += ' ack=' + r.ack;
    if (r.len) t += ' len=' + r.len;
    if (r.analysis.length) t = '⚠ ' + t + ' (' + r.analysis.join(', ') + ')';
    return t;
  }

  function draw() {
    const v = shown();
    // The height first: a scroll bar it brings narrows the width.
    spacer.style.height = (v.length + 1) * lh() + 'px';
    const w = Math.max(200, box.clientWidth - 4);
    const g0 = layout(v, w);
    const h = lh();
    const l = L();
    spacer.style.height = (v.length + 1) * h + 'px';
    const first = Math.max(0, Math.floor(box.scrollTop / h) - 2);
    const last = Math.min(v.length, Math.ceil((box.scrollTop + box.clientHeight) / h) + 2);
    const top = first * h;
    const height = (last - first + 1) * h;
    const s = svg('svg', { width: w, height, viewBox: '0 ' + top + ' ' + w + ' ' + height });
    s.style.position = 'absolute';
    s.style.left = '0';
    s.style.top = top + 'px';
    const names = heads();
    const xs = names.length === 3
      ? [Math.min(w * 0.32, 7.6 * rem() * 0.75 + 8), w / 2, w - Math.min(w * 0.32, 7.6 * rem() * 0.75 + 8)]
      : [g0.left, w - g0.right];
    for (const x of xs) s.appendChild(svg('line', { x1: x, y1: Math.max(top, 2.1 * l), x2: x, y2: top + height, class: 'col' }));
    if (first === 0) {
      // Each column's name over its address, anchored inward so that neither runs off the edge.
      names.forEach((n, k) => {
        const anchor = k === 0 ? 'start' : k === names.length - 1 ? 'end' : 'middle';
        const x = k === 0 ? 2 : k === names.length - 1 ? w - 2 : xs[k];
        const [who, ...where] = n.split(' ');
        s.appendChild(svg('text', { x, y: 0.9 * l, 'text-anchor': anchor, class: 'head' }, who));
        s.appendChild(svg('text', { x, y: 1.85 * l, 'text-anchor': anchor, class: 'state' }, where.join(' ')));
      });
      if (!HOP) {
        // Joined after the handshake (no SYN seen), neither end's state is known: `?`, as the views print it.
        const late = (conn() || {}).joined_late;
        s.appendChild(svg('text', { x: xs[0] - 6, y: h - 0.25 * l, 'text-anchor': 'end', class: 'state' }, late ? '?' : 'CLOSED'));
        s.appendChild(svg('text', { x: xs[1] + 6, y: h - 0.25 * l, class: 'state' }, late ? '?' : 'LISTEN'));
      }
    }
    for (let k = first; k < last; k++) {
      const i = v[k];
      const r = ROWS[i];
      const y0 = (k + 1) * h;
      const g = svg('g', { class: 'arrow', 'data-i': i });
      g.appendChild(svg('rect', { x: 0, y: y0, width: w, height: h }));
      if (i === S.sel) g.classList.add('sel');
      if (HOP) drawHop(g, r, xs, y0, h);
      else if (isSeg(r)) {
        const c2s = r.from === 'client';
        g.classList.add(c2s ? 'fromc' : 'froms');
        if (r.analysis.length) g.classList.add('bad');
        const [a, b] = c2s ? [xs[0], xs[1]] : [xs[1], xs[0]];
        // The label's lines on top, the arrow below them, each end's state where it lands.
        const lines = g0.lines.get(i);
        const ly = y0 + 0.1 * l + g0.n * l - 0.25 * l;
        const ya = y0 + (0.2 + g0.n) * l;
        const yb = ya + l;
        arrow(g, a, ya, b, yb, segLabel(r), lines, ly);
        g.appendChild(svg('text', { x: xs[0] - 6, y: yb + 0.3 * l, 'text-anchor': 'end', class: 'state' }, r.client_state));
        g.appendChild(svg('text', { x: xs[1] + 6, y: yb + 0.3 * l, class: 'state' }, r.server_state));
        g.appendChild(svg('text', { x: 2, y: y0 + 0.85 * l, class: 'state' }, fmtTime(r.time)));
      } else {
        g.appendChild(svg('text', { x: w / 2, y: y0 + h * 0.6, 'text-anchor': 'middle', class: 'state' },
          r.protocol.toUpperCase() + ': ' + r.text));
      }
      s.appendChild(g);
    }
    if (pic) pic.remove();
    pic = s;
    box.appendChild(s);
  }

  function drawHop(g, r, xs, y0, h) {
    const first = D.page.links[0];
    if (r.type === 'hop') {
      const fromA = r.before.link === first;
      const [a, m, b] = fromA ? xs : [xs[2], xs[1], xs[0]];
      const t = r.tcp ? r.tcp.flags.replace(/, /g, '+') + ' seq=' + r.tcp.seq : r.text;
      arrow(g, a, y0 + h * 0.3, m, y0 + h * 0.55, t);
      arrow(g, m, y0 + h * 0.55, b, y0 + h * 0.85, 'TTL ' + r.before.ttl + '→' + r.after.ttl);
    } else {
      g.classList.add('bad');
      // On its link only: from the router when its source MAC is one the router forwards from.
      const host = r.link === first ? xs[0] : xs[2];
      const [a, b] = ROUTER_MACS.has(r.eth_src) ? [xs[1], host] : [host, xs[1]];
      arrow(g, a, y0 + h * 0.35, b, y0 + h * 0.8, r.text.length > 36 ? r.text.slice(0, 35) + '…' : r.text);
    }
  }

  box.addEventListener('scroll', draw, { passive: true });
  box.addEventListener('click', (e) => {
    const g = e.target.closest('.arrow');
    if (g) select(Number(g.getAttribute('data-i')));
  });
  window.addEventListener('resize', draw);
  onChange((what) => {
    if (what === 'select') {
      const k = shown().indexOf(S.sel);
      const h = lh();
      if (k >= 0 && ((k + 1) * h < box.scrollTop || (k + 2) * h > box.scrollTop + box.clientHeight)) {
        box.scrollTop = Math.max(0, (k + 1) * h - box.clientHeight / 2);
      }
    }
    draw();
  });
  return { draw };
})();
