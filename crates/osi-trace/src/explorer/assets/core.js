// The explorer's core: reads the embedded records, keeps the selection and the
// filters, and tells every pane when either changes. The DOM is built with
// createElement and textContent only: a string from a capture is never markup.
'use strict';

const D = JSON.parse(document.getElementById('data').textContent);
const HOP = D.page.mode === 'hop';
/** The rows the list and the ladder show: segments and control frames, or hop rows. */
const ROWS = HOP ? D.hop : D.records.filter((r) => r.type !== 'connection');
const CONNS = HOP ? [] : D.records.filter((r) => r.type === 'connection');
const FRAMES = new Map();
for (const f of D.frames) FRAMES.set((f.link || '') + '#' + f.frame, f);
const S = { sel: -1, vis: [], step: null, listeners: [] };

/** An element with a class and text; children appended. */
function el(tag, cls, text, ...kids) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const k of kids) if (k) e.appendChild(k);
  return e;
}
const SVGNS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}
function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
/** The page's words in its language (osi-trace --lang), `{name}` filled from `args`. */
function say(name, args) {
  let s = D.words[name] === undefined ? name : D.words[name];
  for (const [k, v] of Object.entries(args || {})) s = s.split('{' + k + '}').join(String(v));
  return s;
}

function frameOf(r) {
  if (!r) return null;
  return FRAMES.get('#' + r.frame) || null;
}
function isSeg(r) { return r.type === 'segment'; }
function fmtTime(t) { return t.toFixed(6); }
/** A segment's numbers, as the terminal's line shows them. */
function numbers(r) {
  let s = 'seq=' + r.seq;
  if (r.ack !== null) s += ' ack=' + r.ack;
  return s + ' win=' + r.window_size + ' len=' + r.len;
}
function anomalous(r) { return isSeg(r) && r.analysis.length > 0; }
/** What the row says, as one string, for the text filter. */
function rowText(r) {
  if (HOP) return [r.type, r.src, r.dst, r.text, r.reason_text, r.link, r.tcp && r.tcp.flags].join(' ');
  if (!isSeg(r)) return [r.protocol, r.message, r.src, r.dst, r.text].join(' ');
  return [r.from, r.src, r.dst, r.flags, numbers(r), r.role, r.role_text, r.cause, r.client_state,
    r.server_state, r.payload, r.analysis.join(' '), r.call || ''].join(' ');
}
function rowStream(r) { return HOP ? null : (isSeg(r) ? r.stream : null); }
function rowFlags(r) { return HOP ? (r.tcp ? r.tcp.flags : r.type) : (isSeg(r) ? r.flags : r.protocol); }

/** Recomputes the visible rows from the filters; keeps the selection if it stays visible. */
function applyFilters() {
  const stream = document.getElementById('stream').value;
  const flag = document.getElementById('flag').value;
  const onlyBad = document.getElementById('anomaly').checked;
  const text = document.getElementById('text').value.trim().toLowerCase();
  const vis = [];
  for (let i = 0; i < ROWS.length; i++) {
    const r = ROWS[i];
    if (stream !== '' && String(rowStream(r)) !== stream) continue;
    if (flag !== '' && !rowFlags(r).split(', ').includes(flag)) continue;
    if (onlyBad && !(anomalous(r) || (HOP && r.type === 'hop_only'))) continue;
    if (text && !rowText(r).toLowerCase().includes(text)) continue;
    vis.push(i);
  }
  S.vis = vis;
  emit('filter');
}

/** The rows shown now: the filtered ones, cut at the step in step mode. */
function shown() { return S.step === null ? S.vis : S.vis.slice(0, S.step); }

function onChange(f) { S.listeners.push(f); }
function emit(what) { for (const f of S.listeners) f(what); }
/** Selects row `i` of ROWS (-1: none); every pane follows. */
function select(i) {
  if (i === S.sel) return;
  S.sel = i;
  emit('select');
}
/** Moves the selection by `d` visible rows. */
function move(d) {
  const v = shown();
  if (!v.length) return;
  const at = v.indexOf(S.sel);
  const next = at < 0 ? (d > 0 ? 0 : v.length - 1) : Math.max(0, Math.min(v.length - 1, at + d));
  select(v[next]);
}

/** Bytes of a frame record (hex) as numbers. */
function bytesOf(f) {
  const out = new Uint8Array(f.bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(f.bytes.substr(2 * i, 2), 16);
  return out;
}

/** Bytes as text: valid UTF-8 as characters, control bytes and invalid bytes escaped. */
function bytesText(b) {
  const parts = [];
  let i = 0;
  let plain = '';
  const flush = () => { if (plain) parts.push([plain, false]); plain = ''; };
  const esc = (s) => { flush(); parts.push([s, true]); };
  while (i < b.length) {
    const c = b[i];
    let n = 0;
    if (c < 0x80) n = 1; else if (c >= 0xc2 && c < 0xe0) n = 2; else if (c >= 0xe0 && c < 0xf0) n = 3;
    else if (c >= 0xf0 && c < 0xf5) n = 4;
    let cp = -1;
    if (n === 1) cp = c;
    else if (n > 1 && i + n <= b.length) {
      cp = c & (0xff >> (n + 1));
      for (let k = 1; k < n; k++) {
        if ((b[i + k] & 0xc0) !== 0x80) { cp = -1; break; }
        cp = (cp << 6) | (b[i + k] & 0x3f);
      }
      const min = [0, 0, 0x80, 0x800, 0x10000][n];
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) cp = -1;
    }
    if (cp < 0) { esc('\\x' + c.toString(16).padStart(2, '0')); i += 1; continue; }
    if (cp === 10) { esc('\\n'); plain += '\n'; }
    else if (cp === 13) esc('\\r');
    else if (cp === 9) esc('\\t');
    else if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0) || cp === 0x2028 || cp === 0x2029) {
      esc(cp < 0x100 ? '\\x' + cp.toString(16).padStart(2, '0') : '\\u' + cp.toString(16).padStart(4, '0'));
    } else plain += String.fromCodePoint(cp);
    i += n;
  }
  flush();
  return parts;
}

/** Appends text parts to `into`: escapes dimmed. */
function showText(into, parts) {
  for (const [s, e] of parts) into.appendChild(e ? el('span', 'esc', s) : document.createTextNode(s));
}
