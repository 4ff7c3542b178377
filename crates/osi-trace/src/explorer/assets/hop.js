// The hop page's detail: one datagram's two copies side by side (what the
// router rewrote: MACs, TTL), or why a frame was seen on one link only.

const Hop = (() => {
  const title = document.getElementById('detail-title');
  const cause = document.getElementById('cause');

  function copy(c) {
    return el('div', 'field', null, el('span', 'k', c.link + ', frame ' + c.frame),
      el('span', 'v mono', 'MAC ' + (c.eth_src || '—') + ' → ' + (c.eth_dst || '—') + ', TTL ' + c.ttl));
  }

  function show(r) {
    clear(cause);
    clear(document.getElementById('layers'));
    clear(document.getElementById('bytes'));
    if (r.type === 'hop') {
      title.textContent = r.src + ' → ' + r.dst + ' · forwarded by the router';
      cause.appendChild(el('div', '', r.text));
      cause.appendChild(copy(r.before));
      cause.appendChild(copy(r.after));
      const rt = r.router_time === null ? 'the two files\u2019 clocks disagree' : (r.router_time * 1000).toFixed(3) + ' ms in the router';
      cause.appendChild(el('div', 'hint', 'L2 rewritten (new MACs on each link), L3 TTL one lower, L4 and up unchanged; ' + rt + '.'));
      const f1 = FRAMES.get(r.before.link + '#' + r.before.frame);
      const f2 = FRAMES.get(r.after.link + '#' + r.after.frame);
      if (f1) { Detail.showLayers(f1, null); Detail.showBytes(f1); }
      if (f2) document.getElementById('bytes').appendChild(el('p', 'hint', 'above: the copy on ' + r.before.link + ' (before the router)'));
    } else {
      title.textContent = r.link + ' only · frame ' + r.frame;
      cause.appendChild(el('div', '', r.text));
      cause.appendChild(el('div', 'hint', r.reason_text));
      const f = FRAMES.get(r.link + '#' + r.frame);
      if (f) { Detail.showLayers(f, null); Detail.showBytes(f); }
    }
  }
  return { show };
})();
