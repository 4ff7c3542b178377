// The page's start and its controls: title and notes, filters, tabs, step
// mode, zoom and theme, and the keyboard. Sets data-ready on <html> once the
// list and the ladder are built (what the benchmark and the tests wait for).

(() => {
  const $ = (id) => document.getElementById(id);
  document.title = 'osi-trace · ' + D.page.source;
  $('title').textContent = 'osi-trace · ' + D.page.source;
  const segs = ROWS.filter((r) => HOP || isSeg(r)).length;
  $('stats').textContent = HOP
    ? say('rows', { n: ROWS.length, links: D.page.links.join(say('and')) })
    : say(segs === 1 ? 'one_segment' : 'n_segments', { n: segs }) + ', ' +
      say(CONNS.length === 1 ? 'one_connection' : 'n_connections', { n: CONNS.length }) +
      (D.page.programs.length ? say('programs', { list: D.page.programs.join(', ') }) : '');
  // A hop page has no connections to graph or follow, and no code: the list takes their room.
  if (HOP) {
    document.body.classList.add('hop');
    for (const e of [$('lower-pane'), $('code'), $('code').previousElementSibling]) e.hidden = true;
  }
  if (D.page.left_out > 0) {
    const n = $('notice');
    n.hidden = false;
    n.textContent = say('left_out', { cap: D.page.cap, n: D.page.left_out });
  }

  // Filters: the streams and flags this capture has.
  const opt = (sel, value, text) => { const o = el('option', '', text); o.value = value; sel.appendChild(o); };
  opt($('stream'), '', say('all'));
  for (const c of CONNS) opt($('stream'), String(c.stream), '#' + c.stream + ' ' + c.client + ' → ' + c.server);
  opt($('flag'), '', say('any'));
  const flags = new Set();
  for (const r of ROWS) for (const f of rowFlags(r).split(', ')) flags.add(f);
  for (const f of [...flags].sort()) opt($('flag'), f, f);
  for (const id of ['stream', 'flag', 'anomaly']) $(id).addEventListener('change', () => { Follow.reset(); applyFilters(); });
  $('text').addEventListener('input', applyFilters);

  // Tabs below the list.
  function tab(name) {
    for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('on', b.dataset.tab === name);
    for (const t of document.querySelectorAll('.tab')) t.hidden = t.id !== name;
    if (name === 'follow') Follow.draw(); else Graph.draw(name);
  }
  $('tabs').addEventListener('click', (e) => { const b = e.target.closest('button'); if (b) tab(b.dataset.tab); });

  // Step mode: the rows appear one at a time, the ladder growing with each.
  function stepTo(k) {
    S.step = Math.max(0, Math.min(S.vis.length, k));
    const v = shown();
    S.sel = v.length ? v[v.length - 1] : -1;
    emit('select');
  }
  function stepMode(on) {
    $('step').classList.toggle('on', on);
    if (on) stepTo(0); else { S.step = null; emit('select'); }
  }
  $('step').addEventListener('click', () => stepMode(S.step === null));

  // Zoom for a projector: everything is sized in rem, so the layout stays.
  let zoom = 1;
  function setZoom(z) {
    zoom = Math.max(0.7, Math.min(3, z));
    document.documentElement.style.setProperty('--z', String(zoom));
    emit('zoom');
  }
  $('zoomin').addEventListener('click', () => setZoom(zoom * 1.25));
  $('zoomout').addEventListener('click', () => setZoom(zoom / 1.25));
  function theme(dark) { document.documentElement.classList.toggle('dark', dark); }
  theme(window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches);
  $('theme').addEventListener('click', () => theme(!document.documentElement.classList.contains('dark')));

  document.addEventListener('keydown', (e) => {
    if (e.target.tagName === 'INPUT' && e.target.type !== 'checkbox') {
      if (e.key === 'Escape') e.target.blur();
      return;
    }
    if (e.target.tagName === 'SELECT' || e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key;
    if (S.step !== null && (k === 'ArrowRight' || k === 'ArrowLeft')) stepTo(S.step + (k === 'ArrowRight' ? 1 : -1));
    else if (k === 'ArrowDown' || k === 'j') move(1);
    else if (k === 'ArrowUp' || k === 'k') move(-1);
    else if (k === 'PageDown') move(10);
    else if (k === 'PageUp') move(-10);
    else if (k === 'Home') move(-ROWS.length);
    else if (k === 'End') move(ROWS.length);
    else if (k === 's') stepMode(S.step === null);
    else if (k === 't') theme(!document.documentElement.classList.contains('dark'));
    else if (k === '+' || k === '=') setZoom(zoom * 1.25);
    else if (k === '-') setZoom(zoom / 1.25);
    else if (k === '/') $('text').focus();
    else if (k === '1' || k === '2' || k === '3') tab(['tsg', 'rtt', 'follow'][Number(k) - 1]);
    else return;
    e.preventDefault();
  });

  List.measure();
  applyFilters();
  if (ROWS.length) select(ROWS.findIndex((r) => HOP || isSeg(r)));
  // A link can open the page as shown in class: #zoom=1.6&theme=dark&row=3 (scripts/screenshots.sh).
  const want = new URLSearchParams(location.hash.slice(1));
  if (want.has('zoom')) setZoom(Number(want.get('zoom')) || 1);
  if (want.has('theme')) theme(want.get('theme') === 'dark');
  if (want.has('row')) select(Math.max(0, Math.min(ROWS.length - 1, Number(want.get('row')) || 0)));
  document.documentElement.dataset.ready = String(Math.round(performance.now()));
})();
