/*
 * mwds operator display. Plain script, no framework, nothing from the
 * internet: the map data comes from the node (/map/...), the picture from
 * its server-sent events (/events, event "picture", schema mwds-picture/1
 * in docs/display.md).
 *
 * Layers: a canvas with the base map (drawn again only when the view
 * changes), a canvas with the trails and the dashed ways to impact (the
 * long lines: two strokes in all), and an SVG overlay with the rest of the
 * picture (track symbols and labels, launch and impact ellipses,
 * threatened and overflown areas), whose elements are kept per track and
 * updated in place, so 200 tracks stay cheap. While the map is dragged or
 * zoomed, the layers are moved by a CSS transform and drawn again once it
 * settles.
 *
 * Time: a snapshot carries the picture's time (simulated in an exercise)
 * and the node's wall time. Between snapshots the page runs the picture
 * clock on at the rate measured over the last snapshots (20 in an exercise
 * at 20x, 1 in real time), so countdowns to impact move smoothly; they
 * stop when the link is lost.
 *
 * Projection: Mercator, longitudes unwrapped about the view's centre (the
 * picture may cross the antimeridian: Pacific impacts).
 */
(function () {
  'use strict';

  const D2R = Math.PI / 180, R2D = 180 / Math.PI, EARTH_M = 6371008.8;
  const SVGNS = 'http://www.w3.org/2000/svg';
  const MAX_CARDS = 60, MAX_ROWS = 120, LABEL_ALL_BELOW = 40;

  const $ = (id) => document.getElementById(id);
  const mapEl = $('map'), canvas = $('base'), svg = $('overlay'), trailCanvas = $('trails');
  const ctx = canvas.getContext('2d'), tctx = trailCanvas.getContext('2d');

  // ---- state ----
  const st = {
    snap: null,            // latest snapshot
    recvMs: 0,             // performance.now() when it came
    history: [],           // [{pic, wall}] of recent snapshots, for the rate
    rate: 1,               // picture seconds per wall second
    countries: [],         // [{rings: [Float64Array lon/lat interleaved], box}]
    areas: new Map(),      // code -> {rings, box, nation}
    view: { cx: 140, cy: mercY(38), k: 9 },  // centre lon, centre merc-y (deg), px per deg
    userMoved: false,
    fitted: false,
    sel: 0,
    linkUp: false,
    w: 0, h: 0, dpr: 1,
    stats: { updates: [], renders: [], baseDraws: [], ticks: [], snapshots: 0, bytes: 0 },
  };
  window.mwds = st;  // for tests and the benchmark

  // ---- small helpers ----
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, (c) => (
      { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }
  function mercY(lat) {
    lat = Math.max(-85, Math.min(85, lat));
    return R2D * Math.log(Math.tan(Math.PI / 4 + lat * D2R / 2));
  }
  function invMercY(y) { return R2D * (2 * Math.atan(Math.exp(y * D2R)) - Math.PI / 2); }
  function wrap180(d) { return ((d + 540) % 360) - 180; }
  function fmtLat(v) { return Math.abs(v).toFixed(2) + (v >= 0 ? 'N' : 'S'); }
  function fmtLon(v) { v = wrap180(v); return Math.abs(v).toFixed(2) + (v >= 0 ? 'E' : 'W'); }
  function hms(tS) {
    const d = new Date(tS * 1000);
    return d.toISOString().substring(11, 19) + 'Z';
  }
  function mmss(s) {
    const neg = s < 0; s = Math.abs(Math.round(s));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
    const t = (h ? h + ':' + String(m).padStart(2, '0') : String(m).padStart(2, '0')) + ':' +
      String(x).padStart(2, '0');
    return (neg ? '+' : '') + t;
  }
  function km(m, digits) { return (m / 1000).toFixed(digits == null ? 0 : digits); }
  // a screen coordinate to a tenth of a pixel (cheaper than toFixed)
  function f1(x) { return Math.round(x * 10) / 10; }

  // x, y on screen of lon, lat (longitude wrapped about the view centre)
  function px(lon, lat) {
    const v = st.view;
    return [st.w / 2 + wrap180(lon - v.cx) * v.k, st.h / 2 - (mercY(lat) - v.cy) * v.k];
  }
  function unpx(x, y) {
    const v = st.view;
    return [wrap180(v.cx + (x - st.w / 2) / v.k), invMercY(v.cy - (y - st.h / 2) / v.k)];
  }

  // the point at distance d_m and bearing b (radians) from lat, lon (sphere)
  function dest(lat, lon, dM, b) {
    const p1 = lat * D2R, l1 = lon * D2R, dl = dM / EARTH_M;
    const p2 = Math.asin(Math.sin(p1) * Math.cos(dl) + Math.cos(p1) * Math.sin(dl) * Math.cos(b));
    const l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(dl) * Math.cos(p1),
      Math.cos(dl) - Math.sin(p1) * Math.sin(p2));
    return [l2 * R2D, p2 * R2D];
  }
  // the outline of an ellipse {lat, lon, major_m, minor_m, az_deg}: n
  // points, lon/lat interleaved; the last few are kept, since an ellipse
  // changes far less often than the picture is drawn
  const outlines = new Map();
  function ellipseOutline(e, n) {
    const key = e.lat + ',' + e.lon + ',' + e.major_m + ',' + e.minor_m + ',' + e.az_deg + ',' + n;
    let o = outlines.get(key);
    if (o) return o;
    const a = Math.max(e.major_m, 1), b = Math.max(e.minor_m || 0, 1), az = (e.az_deg || 0) * D2R;
    const sa = Math.sin(az), ca = Math.cos(az);
    o = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const t = 2 * Math.PI * i / n, ct = Math.cos(t), s = Math.sin(t);
      const east = a * ct * sa + b * s * ca, north = a * ct * ca - b * s * sa;
      const ll = dest(e.lat, e.lon, Math.hypot(east, north), Math.atan2(east, north));
      o[2 * i] = ll[0]; o[2 * i + 1] = ll[1];
    }
    if (outlines.size > 4000) outlines.clear();
    outlines.set(key, o);
    return o;
  }
  // ... as an SVG path on screen
  function ellipsePath(e, n) {
    if (!e || e.major_m == null || e.lat == null) return '';
    const o = ellipseOutline(e, n);
    let d = '';
    for (let i = 0; i < n; i++) {
      const p = px(o[2 * i], o[2 * i + 1]);
      d += (i ? 'L' : 'M') + f1(p[0]) + ' ' + f1(p[1]);
    }
    return d + 'Z';
  }

  // ---- map data ----
  function decodeTopo(topo) {
    const tf = topo.transform, arcs = [];
    for (const arc of topo.arcs) {
      const out = new Float64Array(arc.length * 2);
      let x = 0, y = 0;
      for (let i = 0; i < arc.length; i++) {
        if (tf) {
          x += arc[i][0]; y += arc[i][1];
          out[2 * i] = x * tf.scale[0] + tf.translate[0];
          out[2 * i + 1] = y * tf.scale[1] + tf.translate[1];
        } else {
          out[2 * i] = arc[i][0]; out[2 * i + 1] = arc[i][1];
        }
      }
      arcs.push(out);
    }
    function ring(idx) {
      const pts = [];
      idx.forEach((a, k) => {
        const rev = a < 0, arc = arcs[rev ? ~a : a], n = arc.length / 2;
        for (let j = (k ? 1 : 0); j < n; j++) {
          const i = rev ? n - 1 - j : j;
          pts.push(arc[2 * i], arc[2 * i + 1]);
        }
      });
      return Float64Array.from(pts);
    }
    const out = [];
    for (const g of topo.objects.countries.geometries) {
      const polys = g.type === 'Polygon' ? [g.arcs] : g.type === 'MultiPolygon' ? g.arcs : [];
      const rings = [];
      for (const poly of polys) for (const r of poly) rings.push(ring(r));
      out.push(withBoxes({ id: g.id, rings }));
    }
    return out;
  }
  function withBoxes(o) {
    o.boxes = o.rings.map((r) => {
      let x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
      for (let i = 0; i < r.length; i += 2) {
        x0 = Math.min(x0, r[i]); x1 = Math.max(x1, r[i]);
        y0 = Math.min(y0, r[i + 1]); y1 = Math.max(y1, r[i + 1]);
      }
      return [x0, y0, x1, y1];
    });
    return o;
  }
  function geoRings(geom) {
    const polys = geom.type === 'Polygon' ? [geom.coordinates]
      : geom.type === 'MultiPolygon' ? geom.coordinates : [];
    const rings = [];
    for (const p of polys) for (const r of p) {
      const a = new Float64Array(r.length * 2);
      r.forEach((c, i) => { a[2 * i] = c[0]; a[2 * i + 1] = c[1]; });
      rings.push(a);
    }
    return rings;
  }

  // the shift (0 or +-360) that brings a ring nearest the view's centre
  function ringShift(box) {
    const mid = (box[0] + box[2]) / 2;
    return wrap180(mid - st.view.cx) - (mid - st.view.cx);
  }
  function ringVisible(box, s) {
    const a = px(box[0] + s, box[3]), b = px(box[2] + s, box[1]);
    const x0 = st.w / 2 + (box[0] + s - st.view.cx) * st.view.k;
    const x1 = st.w / 2 + (box[2] + s - st.view.cx) * st.view.k;
    return !(x1 < -20 || x0 > st.w + 20 || b[1] < -20 || a[1] > st.h + 20);
  }
  function traceRing(c, r, s) {
    const v = st.view, cx = st.w / 2 - v.cx * v.k, k = v.k, cy = st.h / 2 + v.cy * v.k;
    for (let i = 0; i < r.length; i += 2) {
      const x = cx + (r[i] + s) * k, y = cy - mercY(r[i + 1]) * k;
      if (i) c.lineTo(x, y); else c.moveTo(x, y);
    }
    c.closePath();
  }
  function ringPath(r, s) {
    const v = st.view, cx = st.w / 2 - v.cx * v.k, k = v.k, cy = st.h / 2 + v.cy * v.k;
    let d = '';
    let lx = NaN, ly = NaN;
    for (let i = 0; i < r.length; i += 2) {
      const x = Math.round((cx + (r[i] + s) * k) * 2) / 2, y = Math.round((cy - mercY(r[i + 1]) * k) * 2) / 2;
      if (x === lx && y === ly) continue;
      d += (d ? 'L' : 'M') + x + ' ' + y;
      lx = x; ly = y;
    }
    return d + 'Z';
  }

  // ---- the base map ----
  function resize() {
    const r = mapEl.getBoundingClientRect();
    st.dpr = window.devicePixelRatio || 1;
    st.w = Math.max(1, Math.round(r.width));
    st.h = Math.max(1, Math.round(r.height));
    canvas.width = trailCanvas.width = Math.round(st.w * st.dpr);
    canvas.height = trailCanvas.height = Math.round(st.h * st.dpr);
    svg.setAttribute('viewBox', '0 0 ' + st.w + ' ' + st.h);
    redrawAll();
  }

  function drawBase() {
    const t0 = performance.now();
    const c = ctx, v = st.view;
    c.setTransform(st.dpr, 0, 0, st.dpr, 0, 0);
    c.fillStyle = '#060a10';
    c.fillRect(0, 0, st.w, st.h);
    const own = st.snap ? st.snap.node : '';
    const ownArea = st.areas.get(own);
    // land
    c.fillStyle = '#1a222d';
    c.beginPath();
    for (const ctry of st.countries)
      ctry.rings.forEach((r, i) => {
        const s = ringShift(ctry.boxes[i]);
        if (ringVisible(ctry.boxes[i], s)) traceRing(c, r, s);
      });
    c.fill('evenodd');
    if (ownArea) {  // the node's own territory, a shade lighter
      c.fillStyle = '#222d3b';
      c.beginPath();
      ownArea.rings.forEach((r, i) => {
        const s = ringShift(ownArea.boxes[i]);
        if (ringVisible(ownArea.boxes[i], s)) traceRing(c, r, s);
      });
      c.fill('evenodd');
    }
    // graticule
    const span = st.w / v.k;
    const step = span > 120 ? 20 : span > 50 ? 10 : span > 20 ? 5 : span > 8 ? 2 : 1;
    c.strokeStyle = 'rgba(120, 140, 170, 0.13)';
    c.lineWidth = 1;
    c.beginPath();
    const ll0 = unpx(0, st.h), ll1 = unpx(st.w, 0);
    const lonStart = Math.floor((v.cx - span / 2) / step) * step;
    for (let lon = lonStart; lon <= v.cx + span / 2 + step; lon += step) {
      const x = Math.round(st.w / 2 + (lon - v.cx) * v.k) + 0.5;
      c.moveTo(x, 0); c.lineTo(x, st.h);
    }
    for (let lat = Math.floor(ll0[1] / step) * step; lat <= ll1[1] + step; lat += step) {
      if (lat < -85 || lat > 85) continue;
      const y = Math.round(px(v.cx, lat)[1]) + 0.5;
      c.moveTo(0, y); c.lineTo(st.w, y);
    }
    c.stroke();
    // borders and coasts
    c.strokeStyle = '#3b4a5f';
    c.lineWidth = 0.8;
    c.beginPath();
    for (const ctry of st.countries)
      ctry.rings.forEach((r, i) => {
        const s = ringShift(ctry.boxes[i]);
        if (ringVisible(ctry.boxes[i], s)) traceRing(c, r, s);
      });
    c.stroke();
    // graticule labels
    c.fillStyle = 'rgba(150, 165, 190, 0.75)';
    c.font = '10px "DejaVu Sans Mono", monospace';
    c.textBaseline = 'top';
    for (let lon = lonStart; lon <= v.cx + span / 2 + step; lon += step) {
      const x = st.w / 2 + (lon - v.cx) * v.k;
      if (x < 4 || x > st.w - 40) continue;
      const l = wrap180(lon);
      c.fillText(Math.abs(l) + (l > 0 ? 'E' : l < 0 ? 'W' : ''), x + 3, 3);
    }
    c.textBaseline = 'bottom';
    for (let lat = Math.floor(ll0[1] / step) * step; lat <= ll1[1] + step; lat += step) {
      if (lat < -85 || lat > 85) continue;
      const y = px(v.cx, lat)[1];
      if (y < 16 || y > st.h - 4) continue;
      c.fillText(Math.abs(lat) + (lat > 0 ? 'N' : lat < 0 ? 'S' : ''), 4, y - 2);
    }
    st.stats.baseDraws.push(performance.now() - t0);
  }

  // ---- the overlay ----
  const layers = {};
  for (const name of ['exmark', 'areas', 'launch', 'impact', 'heads', 'labels']) {
    const g = document.createElementNS(SVGNS, 'g');
    g.setAttribute('id', 'layer-' + name);
    svg.appendChild(g);
    layers[name] = g;
  }
  const exText = document.createElementNS(SVGNS, 'text');
  exText.setAttribute('class', 'exmark');
  exText.setAttribute('text-anchor', 'middle');
  layers.exmark.appendChild(exText);

  const elems = new Map();  // track number -> its SVG elements
  function el(layer, tag, cls) {
    const e = document.createElementNS(SVGNS, tag);
    if (cls) e.setAttribute('class', cls);
    layers[layer].appendChild(e);
    return e;
  }
  function trackElems(n) {
    let e = elems.get(n);
    if (e) return e;
    e = {
      head: el('heads', 'path', 'head'),
      impE: el('impact', 'path', 'impact-ellipse'),
      impP: el('impact', 'path', 'impact-point'),
      lauE: el('launch', 'path', 'launch-ellipse'),
      lauP: el('launch', 'path', 'launch-point'),
      label: el('labels', 'text', 'label'),
    };
    e.l1 = document.createElementNS(SVGNS, 'tspan');
    e.l2 = document.createElementNS(SVGNS, 'tspan');
    e.l2.setAttribute('class', 'l2');
    e.label.appendChild(e.l1);
    e.label.appendChild(e.l2);
    e.head.dataset.track = n;
    elems.set(n, e);
    return e;
  }
  function dropElems(n) {
    const e = elems.get(n);
    for (const k of ['head', 'impE', 'impP', 'lauE', 'lauP', 'label']) e[k].remove();
    elems.delete(n);
  }
  function setD(e, d) { if (e.getAttribute('d') !== d) e.setAttribute('d', d); }
  function setCls(e, c) { if (e.getAttribute('class') !== c) e.setAttribute('class', c); }

  function renderOverlay() {
    const t0 = performance.now();
    const s = st.snap;
    const tracks = s ? s.tracks : [];
    const many = tracks.length > LABEL_ALL_BELOW;
    // the long lines go to the trail canvas as three paths
    tctx.live = new Path2D(); tctx.ended = new Path2D(); tctx.togo = new Path2D();
    const warned = warnedTracks(s);
    const seen = new Set();
    for (const t of tracks) {
      seen.add(t.number);
      const e = trackElems(t.number);
      const cls = t.ended ? ' ended' : '';
      if (e.ended !== t.ended) {
        e.head.style.fill = t.ended ? '#8a8f99' : '';
        e.ended = t.ended;
      }
      // trail: flat [lat, lon, h, ...], then the head
      const c2 = t.ended ? tctx.ended : tctx.live;
      const tr = t.trail || [];
      let first = true;
      for (let i = 0; i + 2 < tr.length; i += 3) {
        const p = px(tr[i + 1], tr[i]);
        if (first) { c2.moveTo(p[0], p[1]); first = false; } else c2.lineTo(p[0], p[1]);
      }
      const h = px(t.lon, t.lat);
      if (t.lat != null) { if (first) c2.moveTo(h[0], h[1]); else c2.lineTo(h[0], h[1]); }
      const r = t.number === st.sel ? 8 : 6;
      setD(e.head, t.lat == null ? '' : 'M' + f1(h[0]) + ' ' + f1(h[1] - r) + 'l' + r + ' ' + r +
        'l' + -r + ' ' + r + 'l' + -r + ' ' + -r + 'Z');
      setCls(e.head, 'head' + cls + (t.number === st.sel ? ' sel' : ''));
      // impact: ellipse, centre, the way still to go
      const im = t.impact;
      if (im && !t.ended) {
        setD(e.impE, ellipsePath(im, 40));
        const c = px(im.lon, im.lat);
        // the centre, and a ring of fixed size: a small ellipse stays visible
        setD(e.impP, 'M' + (c[0] - 4).toFixed(1) + ' ' + (c[1] - 4).toFixed(1) + 'l8 8m0 -8l-8 8' +
          'M' + (c[0] - 11).toFixed(1) + ' ' + c[1].toFixed(1) + 'a11 11 0 1 0 22 0a11 11 0 1 0 -22 0');
        if (t.lat != null) { tctx.togo.moveTo(h[0], h[1]); tctx.togo.lineTo(c[0], c[1]); }
      } else {
        setD(e.impE, ''); setD(e.impP, '');
      }
      const la = t.launch;
      if (la) {
        setD(e.lauE, ellipsePath(la, 24));
        const c = px(la.lon, la.lat);
        setD(e.lauP, 'M' + (c[0] - 5).toFixed(1) + ' ' + (c[1] - 5).toFixed(1) + 'l10 10m0 -10l-10 10');
      } else {
        setD(e.lauE, ''); setD(e.lauP, '');
      }
      // label: number, class, height; origins
      const show = !many || warned.has(t.number) || t.number === st.sel;
      if (show && t.lat != null) {
        const x = String(f1(h[0] + 10)), y = String(f1(h[1] - 2));
        const l1 = 'T' + t.number + (t['class'] ? ' ' + t['class'] : '') + ' ' + km(t.h_m) + 'km';
        const l2 = (t.origins || []).join(' ') + (t.ended ? ' ENDED' : '');
        if (e.lx !== x || e.ly !== y) {
          e.label.setAttribute('x', x); e.label.setAttribute('y', y);
          e.l2.setAttribute('x', x); e.l2.setAttribute('dy', '12');
          e.lx = x; e.ly = y;
        }
        if (e.t1 !== l1) { e.l1.textContent = l1; e.t1 = l1; }
        if (e.t2 !== l2) { e.l2.textContent = l2; e.t2 = l2; }
        if (e.shown !== true) { e.label.style.display = ''; e.shown = true; }
      } else if (e.shown !== false) {
        e.label.style.display = 'none';
        e.shown = false;
      }
    }
    for (const n of Array.from(elems.keys())) if (!seen.has(n)) dropElems(n);
    tctx.setTransform(st.dpr, 0, 0, st.dpr, 0, 0);
    tctx.clearRect(0, 0, st.w, st.h);
    tctx.lineJoin = 'round';
    tctx.lineWidth = 1;
    tctx.setLineDash([3, 4]);
    tctx.strokeStyle = 'rgba(255, 77, 77, 0.6)';
    tctx.stroke(tctx.togo);
    tctx.setLineDash([]);
    tctx.lineWidth = 2;
    tctx.strokeStyle = 'rgba(138, 143, 153, 0.5)';
    tctx.stroke(tctx.ended);
    tctx.strokeStyle = 'rgba(255, 77, 77, 0.85)';
    tctx.stroke(tctx.live);
    renderAreas(s);
    if (s && s.exercise) {
      exText.setAttribute('x', st.w / 2);
      exText.setAttribute('y', st.h - 24);
      exText.textContent = 'EXERCISE';
    } else {
      exText.textContent = '';
    }
    st.stats.renders.push(performance.now() - t0);
  }

  function warnedTracks(s) {
    const out = new Set();
    if (!s) return out;
    for (const w of s.warnings) if (w.origin === s.node) out.add(w.track);
    return out;
  }

  // threatened (red) and overflown (amber) areas, from the tracks'
  // assessments and the warnings in force
  let areaKey = '';
  function renderAreas(s) {
    const threat = new Set(), over = new Set();
    if (s) {
      for (const t of s.tracks) {
        if (t.ended) continue;
        (t.threatened || []).forEach((c) => threat.add(c));
        (t.overflown || []).forEach((o) => over.add(o.area));
      }
      for (const w of s.warnings) {
        if (w.closed) continue;
        (w.threatened || []).forEach((c) => threat.add(c));
        if (w.kind === 'OVERFLIGHT' && w.area) over.add(w.area);
      }
    }
    for (const c of threat) over.delete(c);
    const key = [...threat].sort().join(',') + '|' + [...over].sort().join(',') + '|' +
      st.view.cx + ',' + st.view.cy + ',' + st.view.k + ',' + st.w + ',' + st.h;
    if (key === areaKey) return;
    areaKey = key;
    const g = layers.areas;
    while (g.firstChild) g.firstChild.remove();
    const add = (code, cls) => {
      const a = st.areas.get(code);
      if (!a) return;
      let d = '';
      a.rings.forEach((r, i) => {
        const sft = ringShift(a.boxes[i]);
        if (ringVisible(a.boxes[i], sft)) d += ringPath(r, sft);
      });
      const p = document.createElementNS(SVGNS, 'path');
      p.setAttribute('class', cls);
      p.setAttribute('fill-rule', 'evenodd');
      p.setAttribute('d', d);
      p.dataset.area = code;
      g.appendChild(p);
    };
    over.forEach((c) => add(c, 'area-over'));
    threat.forEach((c) => add(c, 'area-threat'));
  }

  // ---- time ----
  // the picture's time now, run on from the latest snapshot
  function pictureNow() {
    const s = st.snap;
    if (!s) return null;
    const dt = Math.min((performance.now() - st.recvMs) / 1000, 10);
    return s.picture_t_s + (st.linkUp ? st.rate * dt : 0);
  }
  function measureRate(s) {
    const h = st.history;
    h.push({ pic: s.picture_t_s, wall: s.wall_t_s });
    while (h.length > 12) h.shift();
    const a = h[0], b = h[h.length - 1];
    if (b.wall - a.wall >= 1.0 && b.pic >= a.pic) {
      st.rate = Math.max(0, Math.min(10000, (b.pic - a.pic) / (b.wall - a.wall)));
    } else if (b.pic < a.pic) {  // a replay started again
      st.history = [h[h.length - 1]];
    }
  }

  // ---- the side panel ----
  const KIND = { LAUNCH: 'LAUNCH', IMPACT_PREDICTION: 'IMPACT PRED', OVERFLIGHT: 'OVERFLIGHT',
    IMPACT: 'IMPACT', END: 'END', CANCEL: 'CANCEL' };
  let cards = [];  // [{el, impactT, closed}] for the countdowns

  function groups(s) {
    const m = new Map();
    for (const w of s.warnings) {
      const k = w.origin + ':' + w.track;
      let g = m.get(k);
      if (!g) { g = { origin: w.origin, track: w.track, ws: [] }; m.set(k, g); }
      g.ws.push(w);
    }
    const out = [];
    for (const g of m.values()) {
      g.ws.sort((a, b) => a.issued_t_s - b.issued_t_s || a.id - b.id);
      g.latest = g.ws[g.ws.length - 1];
      g.closed = g.ws.some((w) => w.closed);
      g.closer = g.ws.find((w) => w.kind === 'IMPACT' || w.kind === 'END' || w.kind === 'CANCEL');
      let withImpact = null;
      for (const w of g.ws) if (w.impact) withImpact = w;
      g.impact = withImpact ? withImpact.impact : null;
      g.basis = withImpact || g.latest;
      g.over = g.ws.filter((w) => w.kind === 'OVERFLIGHT');
      g.sortT = g.closed ? 1e15 + g.latest.issued_t_s : (g.impact ? g.impact.t_s : 1e14);
      out.push(g);
    }
    out.sort((a, b) => a.sortT - b.sortT);
    return out;
  }

  function renderWarnings(s) {
    const gs = groups(s);
    const open = gs.filter((g) => !g.closed).length;
    $('warnsum').textContent = open + ' open' + (gs.length > open ? ', ' + (gs.length - open) + ' closed' : '');
    $('nwarnings').textContent = String(open);
    const list = $('warnings');
    if (!gs.length) {
      list.innerHTML = '<li class="none">No warnings in force.</li>';
      cards = [];
      $('warnmore').textContent = '';
      return;
    }
    let html = '';
    const shown = gs.slice(0, MAX_CARDS);
    for (const g of shown) {
      const w = g.latest, b = g.basis, own = w.origin === s.node;
      const kinds = [...new Set(g.ws.map((x) => KIND[x.kind] || x.kind))];
      const threat = b.threatened || [];
      const cls = 'warning' + (g.closed ? ' closed' : '') + (!g.impact && !g.closed ? ' launch-only' : '');
      let where = '';
      if (g.impact) {
        where = 'impact ' + fmtLat(g.impact.lat) + ' ' + fmtLon(g.impact.lon) + ' \u00b1' +
          km(g.impact.major_m) + ' km';
      } else if (b.launch) {
        where = 'launch ' + fmtLat(b.launch.lat) + ' ' + fmtLon(b.launch.lon);
      } else if (b.lat != null) {
        where = 'at ' + fmtLat(b.lat) + ' ' + fmtLon(b.lon);
      }
      html += '<li class="' + cls + '" data-origin="' + esc(g.origin) + '" data-track="' + esc(g.track) +
        '" data-kind="' + esc(w.kind) + '">' +
        '<div class="w1"><div><span class="who">' + esc(w.origin) + ' W' + esc(w.id) +
        ' <span class="rx">' + (own ? 'own' : 'received') + ' \u00b7 track ' + esc(g.origin) + '-' +
        esc(g.track) + '</span></span><div>' +
        kinds.map((k) => '<span class="chip kind">' + esc(k) + '</span>').join('') + '</div></div>' +
        '<div><div class="cd"></div><div class="cdl"></div></div></div>' +
        '<div class="w2">' + esc(b['class'] || 'class ?') + (b.profile && b.profile !== 'standard' ? ' ' + esc(b.profile) : '') +
        ' \u00b7 ' + esc(where) + '</div>' +
        '<div class="w3">' + threat.map((c) => '<span class="chip threat">THREAT ' + esc(c) + '</span>').join('') +
        g.over.map((o) => '<span class="chip over" data-t="' + esc(o.event_t_s) + '">OVER ' + esc(o.area) + '</span>').join('') +
        '</div></li>';
    }
    list.innerHTML = html;
    cards = Array.from(list.children).map((li, i) => ({
      li, cd: li.querySelector('.cd'), cdl: li.querySelector('.cdl'), g: shown[i],
      over: Array.from(li.querySelectorAll('.chip.over')),
    }));
    $('warnmore').textContent = gs.length > MAX_CARDS ? '+' + (gs.length - MAX_CARDS) + ' more' : '';
    tick();
  }

  function renderTracks(s) {
    const ts = s.tracks.slice().sort((a, b) => (a.ended - b.ended) ||
      ((a.impact ? a.impact.t_s : 1e15) - (b.impact ? b.impact.t_s : 1e15)) || a.number - b.number);
    const live = ts.filter((t) => !t.ended).length;
    $('tracksum').textContent = live + ' live' + (ts.length > live ? ', ' + (ts.length - live) + ' ended' : '');
    $('ntracks').textContent = String(live);
    const now = pictureNow();
    let html = '';
    for (const t of ts.slice(0, MAX_ROWS)) {
      const left = t.impact ? t.impact.t_s - now : 0;
      const imp = t.impact && !t.ended ? 'T' + (left >= 0 ? '-' : '') + mmss(left) : t.ended ? 'ended' : '';
      html += '<tr class="track' + (t.ended ? ' ended' : '') + '" data-number="' + esc(t.number) + '">' +
        '<td>T' + esc(t.number) + '</td><td>' + esc((t.origins || []).join(' ')) + '</td><td>' +
        esc(t['class'] || '') + '</td><td>' + (t.h_m != null ? km(t.h_m) : '') + '</td><td>' +
        (t.speed_m_s != null ? km(t.speed_m_s, 2) : '') + '</td><td>' + esc(imp) + '</td></tr>';
    }
    $('tracks').tBodies[0].innerHTML = html ||
      '<tr><td colspan="6" class="none">No tracks.</td></tr>';
    $('trackmore').textContent = ts.length > MAX_ROWS ? '+' + (ts.length - MAX_ROWS) + ' more' : '';
  }

  // countdowns, clock and link state (4 times a second)
  function tick() {
    const t0 = performance.now();
    const s = st.snap;
    const age = s ? (performance.now() - st.recvMs) / 1000 : Infinity;
    const link = $('link');
    const state = !st.linkUp || age > 10 ? 'down' : age > 3 ? 'stale' : 'live';
    link.className = 'link ' + state;
    link.textContent = state === 'live' ? 'LIVE' : state === 'stale' ? 'STALE ' + Math.round(age) + ' s' : 'NO LINK';
    if (!s) return;
    const now = pictureNow();
    $('clock').textContent = hms(now);
    $('tplus').textContent = s.start_t_s != null ? 'T+' + Math.round(now - s.start_t_s) + ' s' : '';
    for (const c of cards) {
      const g = c.g;
      if (g.closed) {
        c.cd.textContent = g.closer ? g.closer.kind : 'CLOSED';
        c.cdl.textContent = g.closer ? 'AT ' + hms(g.closer.event_t_s || g.closer.issued_t_s) : '';
      } else if (g.impact) {
        const left = g.impact.t_s - now;
        c.cd.textContent = left >= 0 ? 'T-' + mmss(left) : 'T' + mmss(left);
        c.cdl.textContent = left >= 0 ? 'TO IMPACT' : 'PAST IMPACT';
      } else {
        c.cd.textContent = '--:--';
        c.cdl.textContent = 'NO IMPACT YET';
      }
      for (const o of c.over) {
        const left = parseFloat(o.dataset.t) - now;
        const txt = o.textContent.replace(/ (in|T).*$/, '');
        o.textContent = left > 0 ? txt + ' in ' + mmss(left) : txt;
      }
    }
    st.stats.ticks.push(performance.now() - t0);
  }

  // ---- fitting the view ----
  function contentBox(s) {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity, ref = null;
    const add = (lat, lon) => {
      if (lat == null || lon == null) return;
      if (ref === null) ref = lon;
      const l = ref + wrap180(lon - ref);
      x0 = Math.min(x0, l); x1 = Math.max(x1, l);
      y0 = Math.min(y0, lat); y1 = Math.max(y1, lat);
    };
    for (const t of s.tracks) {
      add(t.lat, t.lon);
      const tr = t.trail || [];
      if (tr.length >= 3) add(tr[0], tr[1]);
      if (t.impact) add(t.impact.lat, t.impact.lon);
      if (t.launch) add(t.launch.lat, t.launch.lon);
    }
    for (const w of s.warnings) if (w.impact) add(w.impact.lat, w.impact.lon);
    const own = st.areas.get(s.node);
    if (own) {  // the node's own territory stays in view
      own.boxes.forEach((b) => {
        if ((b[2] - b[0]) * (b[3] - b[1]) > 1) { add(b[1], b[0]); add(b[3], b[2]); }
      });
    }
    return x0 <= x1 ? [x0, y0, x1, y1] : null;
  }
  function fit(box, pad) {
    if (!box) return;
    let [x0, y0, x1, y1] = box;
    const minSpan = 14;
    if (x1 - x0 < minSpan) { const m = (x0 + x1) / 2; x0 = m - minSpan / 2; x1 = m + minSpan / 2; }
    if (y1 - y0 < minSpan / 2) { const m = (y0 + y1) / 2; y0 = m - minSpan / 4; y1 = m + minSpan / 4; }
    const my0 = mercY(y0), my1 = mercY(y1);
    const k = Math.min((st.w - 2 * pad) / (x1 - x0), (st.h - 2 * pad) / (my1 - my0));
    st.view = { cx: (x0 + x1) / 2, cy: (my0 + my1) / 2, k: Math.max(0.5, Math.min(k, 400)) };
  }
  function inView(box) {
    const a = px(box[0], box[3]), b = px(box[2], box[1]);
    return a[0] >= 20 && a[1] >= 20 && b[0] <= st.w - 20 && b[1] <= st.h - 20;
  }
  function autoFit(s) {
    if (st.userMoved) return false;
    const box = contentBox(s);
    if (!box) return false;
    if (st.fitted && inView(box)) return false;
    fit(box, 50);
    st.fitted = true;
    return true;
  }

  // ---- updates ----
  let baseDirty = true, overlayDirty = true, rafPending = false;
  function redrawAll() { baseDirty = true; overlayDirty = true; schedule(); }
  function schedule() {
    if (rafPending) return;
    rafPending = true;
    requestAnimationFrame(() => {
      rafPending = false;
      if (baseDirty) { baseDirty = false; drawBase(); }
      if (overlayDirty) { overlayDirty = false; renderOverlay(); }
    });
  }

  function onSnapshot(s) {
    const t0 = performance.now();
    if (!s || s.schema !== 'mwds-picture/1') return;
    const nodeChanged = !st.snap || st.snap.node !== s.node;
    st.snap = s;
    st.recvMs = performance.now();
    st.stats.snapshots++;
    measureRate(s);
    $('node').textContent = s.node;
    document.title = (s.exercise ? 'EXERCISE ' : '') + s.node + ' mwds picture';
    $('banner').hidden = !s.exercise;
    $('exname').textContent = s.exercise ? (s.exercise_name || '') : '';
    $('mapstatus').textContent = '';
    if (autoFit(s) || nodeChanged) baseDirty = true;
    if (moving.s !== 1 || moving.dx || moving.dy) {
      // drawn in the new view now: the moving transform no longer applies
      moving.dx = 0; moving.dy = 0; moving.s = 1;
      canvas.style.transform = ''; svg.style.transform = ''; trailCanvas.style.transform = '';
      baseDirty = true;
    }
    renderOverlay();
    renderWarnings(s);
    renderTracks(s);
    if (baseDirty) schedule();
    st.stats.updates.push(performance.now() - t0);
    for (const k of ['updates', 'renders', 'baseDraws', 'ticks'])
      if (st.stats[k].length > 2000) st.stats[k].splice(0, 1000);
  }

  function connect() {
    const es = new EventSource('/events');
    es.addEventListener('open', () => { st.linkUp = true; tick(); });
    es.addEventListener('error', () => { st.linkUp = es.readyState === EventSource.OPEN; tick(); });
    es.addEventListener('picture', (ev) => {
      st.linkUp = true;
      st.stats.bytes += ev.data.length;
      let s;
      try { s = JSON.parse(ev.data); } catch (e) { return; }
      onSnapshot(s);
    });
  }

  // ---- interaction ----
  let drag = null;
  // While the map moves, the drawn layers are shifted and scaled by a CSS
  // transform (the compositor's work, every frame); they are drawn again
  // once it settles, so dragging and zooming stay smooth with 200 tracks.
  const moving = { dx: 0, dy: 0, s: 1, timer: 0 };
  function showMove() {
    const t = 'translate(' + moving.dx + 'px,' + moving.dy + 'px) scale(' + moving.s + ')';
    canvas.style.transform = t; svg.style.transform = t; trailCanvas.style.transform = t;
  }
  function settle(delay) {
    clearTimeout(moving.timer);
    moving.timer = setTimeout(() => {
      moving.dx = 0; moving.dy = 0; moving.s = 1; moving.ox = undefined;
      canvas.style.transform = ''; svg.style.transform = ''; trailCanvas.style.transform = '';
      drawBase(); renderOverlay();
    }, delay);
  }
  canvas.style.transformOrigin = svg.style.transformOrigin = trailCanvas.style.transformOrigin = '0 0';
  mapEl.addEventListener('mousedown', (e) => {
    if (e.target.closest('#maptools')) return;
    drag = { x: e.clientX, y: e.clientY, cx: st.view.cx, cy: st.view.cy, dx0: moving.dx, dy0: moving.dy };
    mapEl.classList.add('dragging');
  });
  window.addEventListener('mouseup', () => {
    if (drag) settle(0);
    drag = null;
    mapEl.classList.remove('dragging');
  });
  window.addEventListener('mousemove', (e) => {
    const r = mapEl.getBoundingClientRect();
    const ll = unpx(e.clientX - r.left, e.clientY - r.top);
    if (e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom)
      $('cursor').textContent = fmtLat(ll[1]) + ' ' + fmtLon(ll[0]);
    if (!drag) return;
    const cy = Math.max(-170, Math.min(170, drag.cy + (e.clientY - drag.y) / st.view.k));
    const cx = drag.cx - (e.clientX - drag.x) / st.view.k;
    moving.dx = drag.dx0 + (st.view.cx - cx) * st.view.k;
    moving.dy = drag.dy0 + (cy - st.view.cy) * st.view.k;
    drag.dx0 = moving.dx; drag.dy0 = moving.dy;
    drag.x = e.clientX; drag.y = e.clientY; drag.cx = cx; drag.cy = cy;
    st.view.cx = cx; st.view.cy = cy;
    st.userMoved = true;
    showMove();
    settle(300);
  });
  function zoomAt(f, x, y) {
    const k0 = st.view.k;
    const before = unpx(x, y);
    st.view.k = Math.max(0.5, Math.min(400, st.view.k * f));
    const after = unpx(x, y);
    st.view.cx += wrap180(before[0] - after[0]);
    st.view.cy += mercY(before[1]) - mercY(after[1]);
    st.userMoved = true;
    // the drawn layers scaled about (x, y) until they are drawn again
    const g = st.view.k / k0;
    moving.dx = x - g * (x - moving.dx);
    moving.dy = y - g * (y - moving.dy);
    moving.s *= g;
    showMove();
    settle(150);
  }
  mapEl.addEventListener('wheel', (e) => {
    e.preventDefault();
    const r = mapEl.getBoundingClientRect();
    zoomAt(e.deltaY < 0 ? 1.25 : 0.8, e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  $('zin').addEventListener('click', () => zoomAt(1.5, st.w / 2, st.h / 2));
  $('zout').addEventListener('click', () => zoomAt(1 / 1.5, st.w / 2, st.h / 2));
  $('fit').addEventListener('click', () => {
    st.userMoved = false; st.fitted = false;
    if (st.snap) autoFit(st.snap);
    redrawAll();
  });
  $('tracks').addEventListener('click', (e) => {
    const tr = e.target.closest('tr.track');
    if (!tr || !st.snap) return;
    const n = Number(tr.dataset.number);
    st.sel = st.sel === n ? 0 : n;
    const t = st.snap.tracks.find((x) => x.number === n);
    if (t && t.lat != null && st.sel) {
      st.view.cx = t.lon; st.view.cy = mercY(t.lat); st.userMoved = true;
    }
    redrawAll();
  });
  window.addEventListener('resize', resize);

  // ---- start ----
  $('mapstatus').textContent = 'WAITING FOR THE PICTURE';
  resize();
  setInterval(tick, 250);
  Promise.all([
    fetch('/map/countries-50m.json').then((r) => r.json()).then((topo) => { st.countries = decodeTopo(topo); }),
    fetch('/map/areas.geojson').then((r) => r.json()).then((fc) => {
      for (const f of fc.features || []) {
        const code = f.properties && f.properties.code;
        if (code && f.geometry) st.areas.set(code, withBoxes({ rings: geoRings(f.geometry), nation: f.properties.nation }));
      }
    }),
  ]).catch(() => { $('mapstatus').textContent = 'MAP DATA NOT LOADED'; })
    .finally(() => {
      st.mapReady = true;
      if (st.snap) { st.fitted = false; autoFit(st.snap); }
      redrawAll();
    });
  connect();
})();
