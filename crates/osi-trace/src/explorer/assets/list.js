// The segment list: one row per segment (and per control frame, or per hop
// row), drawn only where it can be seen, so that 50 000 rows open at once.

const List = (() => {
  const box = document.getElementById('list');
  const spacer = el('div');
  box.appendChild(spacer);
  let rowH = 18;
  let drawn = new Map();

  function label(r) {
    if (HOP) {
      const t = r.tcp ? r.tcp.flags + ' seq=' + r.tcp.seq + (r.tcp.ack !== null ? ' ack=' + r.tcp.ack : '') + ' len=' + r.tcp.len : '';
      if (r.type === 'hop') {
        return fmtTime(r.time) + ' ' + r.before.link + '→' + r.after.link + ' ' + r.src + ' → ' + r.dst +
          ' TTL ' + r.before.ttl + '→' + r.after.ttl + ' ' + t + '  ' + r.text;
      }
      return fmtTime(r.time) + ' ' + say('only_on', { link: r.link }) + ' ' + r.text + '  (' + r.reason_text + ')';
    }
    // Seen on one of several links: its name first, as the terminal's line shows it.
    const on = r.link ? '[' + r.link + '] ' : '';
    if (!isSeg(r)) return on + fmtTime(r.time) + '    ' + r.protocol.toUpperCase() + ' ' + r.text;
    const dir = r.from === 'client' ? 'client → server' : 'client ← server';
    const bad = r.analysis.length ? ' [' + r.analysis.join(', ') + ']' : '';
    // The payload's start, as the terminal's line shows it (escaped like a Python bytes literal).
    const said = r.len ? ' "' + (r.payload.length > 40 ? r.payload.slice(0, 40) + '…' : r.payload) + '"' : '';
    return on + fmtTime(r.time) + ' #' + r.stream + ' ' + dir + ' [' + r.flags + '] ' + numbers(r) + bad + '  ' +
      r.role_text + said + '  ← ' + r.cause + '  [client ' + r.client_state + ', server ' + r.server_state + ']';
  }

  function row(i) {
    const r = ROWS[i];
    const d = el('div', 'row');
    d.setAttribute('role', 'option');
    d.dataset.i = String(i);
    if (isSeg(r) || HOP) {
      const side = HOP ? '' : r.from;
      if (side) d.classList.add(side);
    }
    if (anomalous(r)) d.classList.add('bad');
    d.textContent = label(r);
    d.title = label(r);
    if (i === S.sel) { d.classList.add('sel'); d.setAttribute('aria-selected', 'true'); }
    return d;
  }

  function draw() {
    const v = shown();
    spacer.style.height = v.length * rowH + 'px';
    const first = Math.max(0, Math.floor(box.scrollTop / rowH) - 5);
    const last = Math.min(v.length, Math.ceil((box.scrollTop + box.clientHeight) / rowH) + 5);
    const keep = new Map();
    for (let k = first; k < last; k++) {
      const i = v[k];
      let d = drawn.get(i);
      if (!d || d.dataset.k !== String(k)) {
        if (d) d.remove();
        d = row(i);
        d.dataset.k = String(k);
        d.style.top = k * rowH + 'px';
        d.style.height = rowH + 'px';
        box.appendChild(d);
      }
      keep.set(i, d);
    }
    for (const [i, d] of drawn) if (!keep.has(i)) d.remove();
    drawn = keep;
    document.getElementById('count').textContent =
      '(' + (v.length !== ROWS.length ? say('count_of', { n: v.length, all: ROWS.length }) : v.length) + ')';
  }

  /** Scrolls so that row `i` is in view. */
  function reveal(i) {
    const k = shown().indexOf(i);
    if (k < 0) return;
    const top = k * rowH;
    if (top < box.scrollTop || top + rowH > box.scrollTop + box.clientHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 2);
    }
  }

  function measure() {
    const probe = el('div', 'row', 'M');
    probe.style.position = 'static';
    box.appendChild(probe);
    rowH = Math.max(12, Math.ceil(probe.getBoundingClientRect().height));
    probe.remove();
    for (const d of drawn.values()) d.remove();
    drawn = new Map();
  }

  box.addEventListener('scroll', draw, { passive: true });
  box.addEventListener('click', (e) => {
    const d = e.target.closest('.row');
    if (d) select(Number(d.dataset.i));
  });
  onChange((what) => {
    if (what === 'zoom') measure();
    if (what === 'select') {
      for (const d of drawn.values()) {
        const on = Number(d.dataset.i) === S.sel;
        d.classList.toggle('sel', on);
        d.setAttribute('aria-selected', on ? 'true' : 'false');
      }
      reveal(S.sel);
    }
    draw();
  });
  return { measure, draw, rowH: () => rowH };
})();
