// The map page: parcels coloured by state on Leaflet, and, for
// `sanquan bench web`, a finger's drag measured.
import { say, $, benchPort, report } from '/static/app.js';

// ---- the map ----
/** What each colour means, in the glossary's words. */
const STATES = {
  contracted: ['已承包', 'contracted'],
  leased: ['已流转', 'transferred'],
  listed: ['挂牌中', 'listed'],
  encumbered: ['有查封、抵押或异议', 'encumbered'],
  free: ['未发包', 'not contracted'],
  homestead: ['宅基地', 'homestead'],
};

const COLOURS = {
  contracted: '#2e7d32',
  leased: '#f9a825',
  listed: '#1565c0',
  encumbered: '#c62828',
  free: '#9e9e9e',
  homestead: '#6d4c41',
};

async function mapPage() {
  const el = $('#map');
  if (!el || !globalThis.L) return;
  const L = globalThis.L;
  // Chinese controls; the map library named in the corner.
  const map = L.map(el, { preferCanvas: true, zoomSnap: 0.5, zoomControl: false, attributionControl: false });
  L.control.zoom({ zoomInTitle: say('放大', 'Zoom in'), zoomOutTitle: say('缩小', 'Zoom out') }).addTo(map);
  L.control.attribution({ prefix: say('地图库 <span lang="en">Leaflet</span>', 'Leaflet') }).addTo(map);
  el.leafletMap = map;
  // The county's base map, where it has configured one (its 天地图 key):
  // under the parcels, with the attribution its provider requires.
  if (el.dataset.tiles) {
    const tiles = L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.tilesAttribution ?? '' }).addTo(map);
    tiles.on('tileload', () => (el.dataset.tilesLoaded = String(Number(el.dataset.tilesLoaded ?? 0) + 1)));
  }
  const started = performance.now();
  const [states, data] = await Promise.all([
    fetch(el.dataset.states).then((r) => r.json()),
    fetch(el.dataset.parcels).then((r) => r.json()),
  ]);
  const fetched = performance.now();
  const layers = new Map();
  const homesteads = new Map();
  const layer = L.geoJSON(data, {
    style: (f) => {
      const state = states[f.id] ?? (f.properties.holder ? 'contracted' : 'free');
      return { color: '#333', weight: 0.6, fillColor: COLOURS[state], fillOpacity: 0.65 };
    },
    onEachFeature: (f, l) => {
      layers.set(f.id, l);
      // A parcel's name is the collective's text: shown as text, never
      // parsed as HTML (a name with markup must not navigate or restyle).
      const tip = document.createElement('span');
      tip.textContent = `${f.properties.DKMC} ${f.id}`;
      l.bindTooltip(tip);
      // A tap keeps the map: a sheet below it says what the parcel is and
      // leads to its title.
      l.on('click', () => showSheet(f, states[f.id] ?? (f.properties.holder ? 'contracted' : 'free')));
    },
  }).addTo(map);
  // The collective's boundary (村界), drawn over the parcels.
  if (el.dataset.boundary) {
    fetch(el.dataset.boundary)
      .then((r) => (r.ok ? r.json() : null))
      .then((f) => {
        if (!f?.geometry) return;
        L.geoJSON(f, { interactive: false, style: { color: '#b71c1c', weight: 2.5, dashArray: '8 5', fill: false } }).addTo(map);
        el.dataset.boundaryDrawn = '1';
      }, () => {});
  }
  // The village's homesteads (宅基地), each by its household, under the
  // same tap and labels as the parcels.
  if (el.dataset.homesteads) {
    fetch(el.dataset.homesteads)
      .then((r) => (r.ok ? r.json() : null))
      .then((h) => {
        if (!h?.features?.length) return;
        L.geoJSON(h, {
          style: { color: '#333', weight: 0.6, fillColor: COLOURS.homestead, fillOpacity: 0.7 },
          onEachFeature: (f, l) => {
            f.properties.DKMC = say(`宅基地 第${Number(f.id.slice(14))}户`, `homestead of no. ${Number(f.id.slice(14))}`);
            homesteads.set(f.id, l);
            const tip = document.createElement('span');
            tip.textContent = `${f.properties.DKMC} ${f.id}`;
            l.bindTooltip(tip);
            l.on('click', () => showSheet(f, 'homestead'));
          },
        }).addTo(map);
        el.dataset.homesteads = String(h.features.length);
        el.dataset.labelled = '';
        labels();
      }, () => {});
  }
  // From a close zoom each parcel carries its name, so a farmer finds his
  // field by what the village calls it.
  const labelAt = 17;
  const labels = () => {
    const close = map.getZoom() >= labelAt;
    if (el.dataset.labelled === String(close)) return;
    el.dataset.labelled = String(close);
    for (const [id, l] of [...layers, ...homesteads]) {
      const tip = document.createElement('span');
      tip.textContent = close ? l.feature.properties.DKMC : `${l.feature.properties.DKMC} ${id}`;
      l.unbindTooltip();
      l.bindTooltip(tip, close ? { permanent: true, direction: 'center', className: 'parcel-label' } : {});
    }
  };
  map.on('zoomend', labels);
  if (data.features.length) map.fitBounds(layer.getBounds());
  else map.setView([36.2, 113.4], 12);
  await new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn)));
  el.dataset.drawnMs = String(Math.round(performance.now() - started));
  el.dataset.features = String(data.features.length);
  if (benchPort) {
    const before = map.project(map.getCenter());
    const pan = await dragFrames(el, 120);
    pan.panned_px = Math.round(map.project(map.getCenter()).x - before.x);
    report({ features: data.features.length, fetch_ms: fetched - started, draw_ms: Number(el.dataset.drawnMs) - (fetched - started), first_draw_ms: Math.round(started) + Number(el.dataset.drawnMs), ...pan });
  }
  $('#map-search')?.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = e.target.elements.q.value.trim();
    // By code (or its beginning), by part of a name, or every parcel of a
    // household.
    const found = q
      ? data.features.filter((x) => x.id.startsWith(q) || x.properties.holder === q || (x.properties.DKMC ?? '').includes(q))
      : [];
    const out = $('.status', e.target);
    for (const l of layers.values()) layer.resetStyle(l);
    if (!found.length) {
      out.textContent = say('没有找到这块地', 'no such parcel');
      return;
    }
    out.textContent = say(`找到 ${found.length} 块地`, `${found.length} found`);
    const bounds = L.latLngBounds([]);
    for (const f of found) {
      const l = layers.get(f.id);
      l.setStyle({ weight: 3, color: '#000' });
      bounds.extend(l.getBounds());
    }
    map.fitBounds(bounds, { maxZoom: 17 });
    if (found.length === 1) {
      layers.get(found[0].id).openTooltip();
      showSheet(found[0], states[found[0].id] ?? (found[0].properties.holder ? 'contracted' : 'free'));
    }
  });
}


/** The sheet under the map for one parcel: its name and area, who holds
 * it, its state, and the way to its title. */
function showSheet(f, state) {
  const sheet = $('#map-sheet');
  if (!sheet) return;
  const p = f.properties;
  const mu = Number.parseFloat(p.area_mu ?? '0').toFixed(2);
  $('.name', sheet).textContent = `${p.DKMC ?? ''} · ${mu} ${say('亩', 'mu')}`;
  $('.holder', sheet).textContent = p.holder ? say(`承包方 ${p.holder}`, `held by ${p.holder}`) : say('未发包', 'not contracted');
  $('.state', sheet).textContent = say(...(STATES[state] ?? STATES.free));
  const a = $('a', sheet);
  a.href = state === 'homestead' ? `/household/${encodeURIComponent(f.id)}` : `/parcel/${encodeURIComponent(f.id)}`;
  sheet.hidden = false;
}

/** Drags the map as a finger would, one step a frame: the frames a second
 * while it moves, and the redraw when it is let go. */
async function dragFrames(el, frames) {
  const box = el.getBoundingClientRect();
  let x = box.left + box.width / 2;
  const y = box.top + box.height / 2;
  const at = (px) => ({ clientX: px, clientY: y, bubbles: true, button: 0, buttons: 1 });
  el.dispatchEvent(new MouseEvent('mousedown', at(x)));
  const times = [];
  await new Promise((done) => {
    const step = (t) => {
      times.push(t);
      x -= 5;
      document.dispatchEvent(new MouseEvent('mousemove', at(x)));
      if (times.length < frames) requestAnimationFrame(step);
      else done();
    };
    requestAnimationFrame(step);
  });
  const released = performance.now();
  document.dispatchEvent(new MouseEvent('mouseup', at(x)));
  await new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn)));
  const gaps = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
  return {
    pan_fps: (1000 * (times.length - 1)) / (times[times.length - 1] - times[0]),
    pan_worst_frame_ms: gaps[gaps.length - 1],
    pan_p95_frame_ms: gaps[Math.floor(gaps.length * 0.95)],
    redraw_after_pan_ms: performance.now() - released,
  };
}

mapPage();
