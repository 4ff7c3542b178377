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
      title.textContent = say('forwarded', { src: r.src, dst: r.dst });
      cause.appendChild(el('div', '', r.text));
      cause.appendChild(copy(r.before));
      cause.appendChild(copy(r.after));
      const rt = r.router_time === null ? say('clocks') : say('in_router', { ms: (r.router_time * 1000).toFixed(3) });
      cause.appendChild(el('div', 'hint', say('hop_changed', { time: rt })));
      const f1 = FRAMES.get(r.before.link + '#' + r.before.frame);
      const f2 = FRAMES.get(r.after.link + '#' + r.after.frame);
      if (f1) { Detail.showLayers(f1, null); Detail.showBytes(f1); }
      if (f2) document.getElementById('bytes').appendChild(el('p', 'hint', say('copy_above', { link: r.before.link })));
    } else {
      title.textContent = say('only_title', { link: r.link, frame: r.frame });
      cause.appendChild(el('div', '', r.text));
      cause.appendChild(el('div', 'hint', r.reason_text));
      const f = FRAMES.get(r.link + '#' + r.frame);
      if (f) { Detail.showLayers(f, null); Detail.showBytes(f); }
    }
  }
  return { show };
})();
