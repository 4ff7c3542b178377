// The code pane: the socket call that caused the selected segment and, when
// the run's programs are known (--programs), the lines of that program's
// listing that make the call, a few lines around each.

const Code = (() => {
  const box = document.getElementById('code');
  const AROUND = 3;
  const PROGRAMS = new Map();
  for (const l of D.listings) {
    if (!PROGRAMS.has(l.side)) PROGRAMS.set(l.side, l.program);
  }

  function excerpt(listing, lines) {
    const text = listing.text.split('\n');
    const out = el('div', 'listing');
    out.appendChild(el('div', 'hint', listing.file));
    const want = new Set();
    for (const n of lines) for (let k = n - AROUND; k <= n + AROUND; k++) if (k >= 1 && k <= text.length) want.add(k);
    let last = 0;
    // The excerpt's common indentation is left out: its lines keep the room (a projector's zoom).
    const ks = [...want].sort((a, b) => a - b);
    const cut = Math.min(...ks.filter((k) => text[k - 1].trim()).map((k) => text[k - 1].search(/\S/)));
    for (const k of ks) {
      if (last && k > last + 1) out.appendChild(el('div', 'n', '⋮'));
      const line = el('div', lines.includes(k) ? 'hit' : '', null, el('span', 'n', k), document.createTextNode(text[k - 1].slice(cut)));
      out.appendChild(line);
      last = k;
    }
    return out;
  }

  function show() {
    clear(box);
    const r = ROWS[S.sel];
    if (!r || HOP || !isSeg(r)) return;
    const side = r.by.replace('_kernel', '');
    const kernel = r.by.endsWith('_kernel');
    const call = r.call ? r.call + '()' : null;
    let head;
    if (!call) head = say('by_kernel', { side });
    else if (kernel) head = say('kernel_for', { side, call });
    else head = say('call_of', { side, call });
    box.appendChild(el('div', 'call', head));
    if (!call) return;
    const program = PROGRAMS.get(side);
    if (!program) {
      box.appendChild(el('div', 'hint', say('program_unknown', { side, call })));
      return;
    }
    const found = D.code.filter((c) => c.program === program && c.call === r.call);
    if (!found.length) {
      box.appendChild(el('div', 'hint', say('no_line', { program, call })));
      return;
    }
    // A close: which of its sites sent it, when the capture proves it (D.closes);
    // otherwise each site, close() first, with the run it belongs to.
    const proven = r.call === 'close' ? D.closes[r.frame] : null;
    const kinds = new Set(found.map((c) => c.how));
    const sites = proven ? found.filter((c) => c.how === proven) : found;
    if (proven && kinds.size > 1) box.appendChild(el('div', 'hint', say('close_proven_' + proven, { side })));
    else if (kinds.size > 1) box.appendChild(el('div', 'hint', say('close_either', { side })));
    for (const c of sites) {
      const listing = D.listings.find((l) => l.program === program && l.file === c.file);
      if (!listing) continue;
      if (!proven && kinds.size > 1) box.appendChild(el('div', 'when', say('close_if_' + c.how, { side })));
      box.appendChild(excerpt(listing, c.lines));
    }
  }

  onChange((what) => { if (what === 'select') show(); });
  return { show };
})();
