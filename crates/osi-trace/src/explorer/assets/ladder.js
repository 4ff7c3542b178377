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
  const LINES = 2.6;

  function lh() { return Math.round(List.rowH() * LINES); }
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

  function arrow(g, x1, y1, x2, y2, text, cls) {
    g.appendChild(svg('line', { x1, y1, x2, y2 }));
    const dir = x2 > x1 ? 1 : -1;
    g.appendChild(svg('line', { x1: x2, y1: y2, x2: x2 - dir * 8, y2: y2 - 5 }));
    g.appendChild(svg('line', { x1: x2, y1: y2, x2: x2 - dir * 9, y2: y2 + 3 }));
    const t = svg('text', { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, 'text-anchor': 'middle', class: cls || '' }, text);
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
    const h = lh();
    const w = Math.max(320, box.clientWidth - 4);
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
    // Room beside each end's column for its state (ESTABLISHED: about 7 of the state's ems).
    const em = parseFloat(getComputedStyle(document.documentElement).fontSize) * 0.75;
    const margin = Math.min(w * 0.32, 7.6 * em + 8);
    const xs = names.length === 3 ? [margin, w / 2, w - margin] : [margin, w - margin];
    for (const x of xs) s.appendChild(svg('line', { x1: x, y1: Math.max(top, h * 0.7), x2: x, y2: top + height, class: 'col' }));
    if (first === 0) {
      // Each column's name over its address, anchored inward so that neither runs off the edge.
      names.forEach((n, k) => {
        const anchor = k === 0 ? 'start' : k === names.length - 1 ? 'end' : 'middle';
        const x = k === 0 ? 2 : k === names.length - 1 ? w - 2 : xs[k];
        const [who, ...where] = n.split(' ');
        s.appendChild(svg('text', { x, y: h * 0.3, 'text-anchor': anchor, class: 'head' }, who));
        s.appendChild(svg('text', { x, y: h * 0.62, 'text-anchor': anchor, class: 'state' }, where.join(' ')));
      });
      if (!HOP) {
        // Joined after the handshake (no SYN seen), neither end's state is known: `?`, as the views print it.
        const late = (conn() || {}).joined_late;
        s.appendChild(svg('text', { x: xs[0] - 6, y: h * 0.95, 'text-anchor': 'end', class: 'state' }, late ? '?' : 'CLOSED'));
        s.appendChild(svg('text', { x: xs[1] + 6, y: h * 0.95, class: 'state' }, late ? '?' : 'LISTEN'));
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
        arrow(g, a, y0 + h * 0.35, b, y0 + h * 0.8, segLabel(r));
        g.appendChild(svg('text', { x: xs[0] - 6, y: y0 + h * 0.85, 'text-anchor': 'end', class: 'state' }, r.client_state));
        g.appendChild(svg('text', { x: xs[1] + 6, y: y0 + h * 0.85, class: 'state' }, r.server_state));
        g.appendChild(svg('text', { x: 2, y: y0 + h * 0.4, class: 'state' }, fmtTime(r.time)));
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
