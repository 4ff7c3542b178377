// The selected segment in detail: its cause, its layers as a tree (each
// field with its meaning) and its bytes, a colour per layer; hovering a
// field lights its bytes, hovering a byte lights its field.

const Detail = (() => {
  const title = document.getElementById('detail-title');
  const cause = document.getElementById('cause');
  const tree = document.getElementById('layers');
  const hexBox = document.getElementById('bytes');
  let fieldEls = [];
  let byteEls = [];

  function layerClass(l) { return l.replace('.', ''); }

  function light(on, off, len) {
    for (const b of byteEls) b.classList.remove('hl');
    for (const f of fieldEls) f.e.classList.remove('hl');
    if (on === null) return;
    for (let k = on; k < on + len && k < byteEls.length; k++) byteEls[k].classList.add('hl');
    if (off) off.classList.add('hl');
  }

  /** The field that holds byte `k`: the smallest one. */
  function fieldAt(k) {
    let best = null;
    for (const f of fieldEls) {
      if (k >= f.offset && k < f.offset + f.length && (!best || f.length < best.length)) best = f;
    }
    return best;
  }

  function showLayers(f, r) {
    clear(tree);
    fieldEls = [];
    if (!f) {
      tree.appendChild(el('p', 'hint', say('no_bytes')));
      return;
    }
    for (const l of f.layers) {
      const d = el('details', layerClass(l.layer));
      d.open = true;
      d.appendChild(el('summary', '', l.layer + ' ' + l.text));
      for (const [field, offset, length, raw] of l.fields) {
        const x = { field, offset, length, value: raw };
        const [label, meaning] = D.fields[x.field] || [x.field, ''];
        let value = x.value;
        if (r && isSeg(r) && x.field === 'tcp.seq') value = say('relative_seq', { n: r.seq, raw: x.value });
        if (r && isSeg(r) && x.field === 'tcp.ack') value = (r.ack === null ? say('no_ack') : say('relative', { n: r.ack })) + '; ' + x.value;
        if (r && isSeg(r) && x.field === 'tcp.window_size_value' && r.window_size_scalefactor > 1) {
          value = x.value + ' × ' + r.window_size_scalefactor + ' = ' + r.window_size;
        }
        const row = el('div', 'field', null, el('span', 'k', label), el('span', 'v mono', value), el('span', 'm', meaning));
        row.title = say('field_bytes', { field: x.field, from: x.offset, to: x.offset + x.length - 1 });
        row.dataset.field = x.field;
        const entry = { e: row, offset: x.offset, length: x.length, field: x.field };
        row.addEventListener('mouseenter', () => light(x.offset, row, x.length));
        row.addEventListener('mouseleave', () => light(null));
        fieldEls.push(entry);
        d.appendChild(row);
      }
      tree.appendChild(d);
    }
  }

  let bytesShown = null;
  /** Bytes per line: 16, or 8 or 4 when the pane is narrow (a projector's zoom). */
  function perLine() {
    const room = hexBox.clientWidth / parseFloat(getComputedStyle(hexBox).fontSize);
    return [16, 8].find((n) => 5 + 2.1 * n + (n > 8 ? 1 : 0) <= room) || 4;
  }
  function showBytes(f) {
    clear(hexBox);
    byteEls = [];
    bytesShown = f;
    if (!f) return;
    const per = perLine();
    const b = bytesOf(f);
    const cls = new Array(b.length).fill('');
    for (const l of f.layers) for (let k = l.offset; k < l.offset + l.length && k < b.length; k++) cls[k] = layerClass(l.layer);
    const frag = document.createDocumentFragment();
    for (let o = 0; o < b.length; o += per) {
      const line = el('div', 'line', null, el('span', 'off', o.toString(16).padStart(4, '0')));
      const text = [];
      for (let k = o; k < o + per; k++) {
        if (per > 8 && k === o + 8) line.appendChild(el('span', 'gap', ' '));
        if (k >= b.length) { line.appendChild(el('span', 'b', '  ')); continue; }
        const s = el('span', 'b ' + cls[k], b[k].toString(16).padStart(2, '0'));
        s.dataset.k = String(k);
        byteEls.push(s);
        line.appendChild(s);
        const c = b[k];
        text.push(el('span', 't ' + cls[k], c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.'));
      }
      line.appendChild(el('span', 'gap', ' '));
      for (const t of text) line.appendChild(t);
      frag.appendChild(line);
    }
    hexBox.appendChild(frag);
    if (f.captured > b.length) {
      hexBox.appendChild(el('p', 'hint', say('kept', { kept: b.length, captured: f.captured })));
    }
    if (f.wire > f.captured) {
      hexBox.appendChild(el('p', 'hint', say('snap', { wire: f.wire, captured: f.captured })));
    }
  }

  hexBox.addEventListener('mouseover', (e) => {
    const s = e.target.closest('.b');
    if (!s || s.dataset.k === undefined) return;
    const f = fieldAt(Number(s.dataset.k));
    if (f) light(f.offset, f.e, f.length);
  });
  hexBox.addEventListener('mouseleave', () => light(null));

  function show() {
    const r = ROWS[S.sel];
    clear(cause);
    if (!r) { title.textContent = say('select'); clear(tree); clear(hexBox); return; }
    if (HOP) { Hop.show(r); return; }
    if (isSeg(r)) {
      title.textContent = say('frame_title', { frame: r.frame }) + ' · stream ' + r.stream + ' · ' + r.from + ' → ' +
        (r.from === 'client' ? 'server' : 'client') + ' [' + r.flags + ']';
      cause.appendChild(el('div', '', r.role_text));
      cause.appendChild(el('div', '', '← ' + r.cause));
      cause.appendChild(el('div', 'hint', say('after_it', { client: r.client_state, server: r.server_state }) +
        (r.analysis.length ? ' · Wireshark: ' + r.analysis.join(', ') : '')));
      // Joined after the handshake: why the states are `?`, and that the roles are a guess.
      if ((CONNS.find((c) => c.stream === r.stream) || {}).joined_late) cause.appendChild(el('div', 'hint', say('joined')));
    } else {
      title.textContent = say('frame_title', { frame: r.frame }) + ' · ' + r.protocol.toUpperCase();
      cause.appendChild(el('div', '', r.text));
    }
    if (!isSeg(r)) { clear(tree); clear(hexBox); return; }
    const f = frameOf(r);
    showLayers(f, r);
    showBytes(f);
  }

  onChange((what) => {
    if (what === 'select') show();
    else if (what === 'zoom') showBytes(bytesShown);
  });
  window.addEventListener('resize', () => showBytes(bytesShown));
  return { show, showLayers, showBytes, fields: () => fieldEls };
})();
