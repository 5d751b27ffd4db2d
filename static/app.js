// sanquan's pages: keys kept in this browser, entries signed here, the
// log's proofs checked here. The private key never leaves the browser:
// WebCrypto Ed25519 with a non-extractable key where the browser has it,
// the vendored noble-ed25519 where it does not (older phones, or plain
// http:// on a LAN address, where WebCrypto does not exist at all).
import * as ed from './vendor/noble-ed25519-2.3.0/index.js';
import { sha256 as nobleSha256, sha512 } from './vendor/noble-hashes-1.8.0/sha2.js';

ed.etc.sha512Sync = (...m) => sha512(ed.etc.concatBytes(...m));

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content ?? '';
const EN = document.documentElement.lang === 'en';
const say = (zh, en) => (EN ? en : zh);
const utf8 = new TextEncoder();
const subtle = globalThis.crypto?.subtle;
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// ---- bytes ----
export const b64 = (u8) => {
  let s = '';
  for (const b of u8) s += String.fromCharCode(b);
  return btoa(s);
};
export const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
export const hex = (u8) => [...u8].map((b) => b.toString(16).padStart(2, '0')).join('');
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const random = (n) => crypto.getRandomValues(new Uint8Array(n));

export async function sha256(bytes) {
  return subtle ? new Uint8Array(await subtle.digest('SHA-256', bytes)) : nobleSha256(bytes);
}

/** RFC 8785 canonical JSON: keys sorted by UTF-16 code units, numbers and
 * strings as ECMAScript writes them — what the server hashes and signs. */
export function jcs(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  return `{${Object.keys(v)
    .filter((k) => v[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${jcs(v[k])}`)
    .join(',')}}`;
}

// ---- Ed25519, native or vendored ----
let native = null;
/** Whether this browser signs with WebCrypto Ed25519 (a test may force the
 * fallback with localStorage.sanquanFallback = "1"). */
export async function nativeEd25519() {
  if (native !== null) return native;
  native = false;
  if (subtle && localStorage.getItem('sanquanFallback') !== '1') {
    try {
      await subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
      native = true;
    } catch (_) {
      native = false;
    }
  }
  return native;
}

export async function signBytes(key, message) {
  if (key.how === 'webcrypto') {
    return new Uint8Array(await subtle.sign({ name: 'Ed25519' }, key.priv, message));
  }
  return ed.sign(message, key.seed);
}

export async function verifyBytes(pub, sig, message) {
  if (await nativeEd25519()) {
    const k = await subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
    return subtle.verify({ name: 'Ed25519' }, k, sig, message);
  }
  return ed.verify(sig, message, pub);
}

/** The C2SP signed-note key hash: SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)[:4]. */
async function keyHash(name, pub) {
  return (await sha256(concat(utf8.encode(`${name}\n`), Uint8Array.of(1), pub))).slice(0, 4);
}

async function verifierKey(name, pub) {
  return `${name}+${hex(await keyHash(name, pub))}+${b64(concat(Uint8Array.of(1), pub))}`;
}

// ---- the key store (IndexedDB) ----
function db() {
  return new Promise((ok, fail) => {
    const r = indexedDB.open('sanquan', 1);
    r.onupgradeneeded = () => r.result.createObjectStore('keys', { keyPath: 'name' });
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
}

async function store(mode, act) {
  const d = await db();
  return new Promise((ok, fail) => {
    const t = d.transaction('keys', mode);
    const r = act(t.objectStore('keys'));
    t.oncomplete = () => ok(r.result);
    t.onerror = () => fail(t.error);
  });
}

export const keys = {
  all: () => store('readonly', (s) => s.getAll()),
  put: (k) => store('readwrite', (s) => s.put(k)),
  remove: (name) => store('readwrite', (s) => s.delete(name)),
};

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Makes a key in this browser. With WebCrypto its private half cannot be
 * read back by anyone, this page included; a lost key is replaced by the
 * key recovery of the collective and the county. */
export async function generateKey(name) {
  if (!NAME.test(name)) throw new Error(say('名称只能用字母、数字、点、横线', 'a name is letters, digits, dots and dashes'));
  let record;
  if (await nativeEd25519()) {
    const pair = await subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    const pub = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
    record = { name, pub, how: 'webcrypto', priv: pair.privateKey };
  } else {
    const seed = random(32);
    record = { name, pub: await ed.getPublicKeyAsync(seed), how: 'fallback', seed };
  }
  record.vkey = await verifierKey(name, record.pub);
  await keys.put(record);
  return record;
}

/** Imports a signer key file (`PRIVATE+KEY+name+hash+base64(0x01 ‖ seed)`,
 * as `sanquan keygen` writes it); with WebCrypto it is kept non-extractable. */
export async function importKeyFile(text) {
  // The base64 at the end may itself hold '+'.
  const all = text.trim().split('+');
  const parts = [...all.slice(0, 4), all.slice(4).join('+')];
  const bad = () => new Error(say('这不是三权的密钥文件', 'this is not a sanquan key file'));
  if (all.length < 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw bad();
  const [, , name, hash] = parts;
  let raw;
  try {
    raw = unb64(parts[4]);
  } catch (_) {
    throw bad();
  }
  if (raw.length !== 33 || raw[0] !== 1 || !NAME.test(name)) throw bad();
  const seed = raw.slice(1);
  const pub = ed.getPublicKey(seed);
  if (hex(await keyHash(name, pub)) !== hash) throw bad();
  let record;
  if (await nativeEd25519()) {
    const pkcs8 = concat(Uint8Array.of(0x30, 0x2e, 2, 1, 0, 0x30, 5, 6, 3, 0x2b, 0x65, 0x70, 4, 0x22, 4, 0x20), seed);
    const priv = await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
    pkcs8.fill(0);
    seed.fill(0);
    record = { name, pub, how: 'webcrypto', priv };
  } else {
    record = { name, pub, how: 'fallback', seed };
  }
  raw.fill(0);
  record.vkey = await verifierKey(name, pub);
  await keys.put(record);
  return record;
}

const bindings = new Map();
/** Who each key is on the log (`GET /keys?signers=…`, one request for all
 * this browser holds): hex → binding, for the registered ones. */
export async function bindingsOf(pubs) {
  const wanted = pubs.map(hex).filter((h) => !bindings.has(h));
  if (wanted.length) {
    const answer = await fetch(`/api/v1/keys?signers=${wanted.join(',')}`).then((r) => (r.ok ? r.json() : { keys: {} }), () => ({ keys: {} }));
    for (const h of wanted) bindings.set(h, answer.keys[h] ?? null);
  }
  return new Map(pubs.map((p) => [hex(p), bindings.get(hex(p))]));
}

// ---- entries ----
// The writer refuses an entry whose time is more than ten minutes from its
// own; a phone's clock may be wrong, so entries carry the server's time as
// this page learned it.
const skew = Date.parse(meta('server-time')) - Date.now() || 0;
const now = () => new Date(Date.now() + skew).toISOString();

/** Signs `body` as an entry of `kind` with `key` and submits it (with the
 * personal records of the persons it names, which stay off the log). */
export async function submitEntry(key, kind, body, personal) {
  const entry = {
    v: 1,
    log: meta('log-origin'),
    kind,
    signer: b64(key.pub),
    nonce: `web-${hex(random(12))}`,
    time: now(),
    body,
  };
  const sig = await signBytes(key, concat(utf8.encode('sanquan entry v1\n'), utf8.encode(jcs(entry))));
  const envelope = { entry, sig: b64(sig) };
  const payload = JSON.stringify(personal ? { envelope, personal } : envelope);
  for (let attempt = 0; ; attempt++) {
    const r = await fetch('/api/v1/entries', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: payload,
    });
    const answer = await r.json().catch(() => ({}));
    if (r.ok) return answer;
    if (r.status === 503 && attempt < 5) {
      await new Promise((ok) => setTimeout(ok, 1000));
      continue;
    }
    throw answer.error ?? { code: `http_${r.status}`, message: r.statusText, message_zh: '服务器没有回应，请稍后再试' };
  }
}

/** A person's record and its commitment: SHA-256 of its canonical JSON,
 * salt included, so the log names the person without their data. */
async function personOf(name, idNumber, phone) {
  const record = { salt: b64(random(16)), name, id_number: idNumber };
  if (phone) record.phone = phone;
  return { record, commitment: hex(await sha256(utf8.encode(jcs(record)))) };
}

// ---- forms: <form data-kind="…" data-roles="…"> ----
function setPath(obj, path, value) {
  const parts = path.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) o = o[p] ??= {};
  o[parts[parts.length - 1]] = value;
}

async function valueOf(el) {
  const type = el.dataset.type ?? 'text';
  if (type === 'sha256-file') {
    const file = el.files?.[0];
    return file ? hex(await sha256(new Uint8Array(await file.arrayBuffer()))) : undefined;
  }
  if (type === 'bool') return el.type === 'checkbox' ? el.checked : el.value === 'true';
  if (el.type === 'checkbox' && !el.checked) return undefined;
  const v = el.value.trim();
  if (v === '') return undefined;
  switch (type) {
    case 'int':
      return Number.parseInt(v, 10);
    case 'list':
      return v.split(/[\s,，、;；]+/).filter(Boolean);
    case 'json':
      return JSON.parse(v);
    default:
      return el.value;
  }
}

async function bodyOf(form) {
  const body = {};
  for (const el of form.elements) {
    if (!el.name || el.name.startsWith('_') || el.disabled) continue;
    let v;
    try {
      v = await valueOf(el);
    } catch (_) {
      throw { field: el.name, message: 'not valid JSON', message_zh: '格式不对，须为 JSON' };
    }
    if (v === undefined) continue;
    if (el.name.endsWith('[]')) {
      const name = el.name.slice(0, -2);
      const list = body[name] ?? [];
      list.push(v);
      setPath(body, name, list);
    } else {
      setPath(body, el.name, v);
    }
  }
  let personal;
  const rows = $$('.member', form);
  if (rows.length) {
    body.members = [];
    personal = [];
    for (const row of rows) {
      const name = $('[name=_name]', row).value.trim();
      if (!name) continue;
      const p = await personOf(name, $('[name=_id_number]', row).value.trim().toUpperCase(), $('[name=_phone]', row).value.trim());
      personal.push(p.record);
      body.members.push({ person: p.commitment, relation: $('[name=_relation]', row).value });
    }
  }
  if (form.dataset.fillMembers && !body.certificate_members && body.CBFBM) {
    const h = await fetch(`/api/v1/households/${encodeURIComponent(body.CBFBM)}`).then((r) => (r.ok ? r.json() : null));
    if (h) body.certificate_members = h.members.map((m) => m.person);
  }
  return { body, personal };
}

function clearErrors(form) {
  $$('.err', form).forEach((e) => e.remove());
  $$('[aria-invalid]', form).forEach((e) => e.removeAttribute('aria-invalid'));
}

/** Shows a refusal next to the field at fault, in the page's language. */
function showError(form, error) {
  const text = (EN ? error.message : error.message_zh) || error.message || String(error);
  const field = (error.field ?? '').replace(/^entry\.body\./, '');
  let el = null;
  const person = /^personal\[(\d+)\]\.(\w+)$/.exec(field) || /^members\[(\d+)\]\.(\w+)$/.exec(field);
  if (person) {
    const row = $$('.member', form)[Number(person[1])];
    el = row && ($(`[name=_${person[2]}]`, row) || $('[name=_name]', row));
  } else if (field === 'entry.signer' || field.startsWith('cosigs')) {
    el = $('[name=_signer]', form);
  } else if (field) {
    const top = field.split(/[.[]/)[0];
    el = form.elements.namedItem(field) || form.elements.namedItem(top) || form.elements.namedItem(`${top}[]`) || $(`[data-field="${top}"]`, form);
    if (el instanceof RadioNodeList) el = el[0];
  }
  const p = document.createElement('p');
  p.className = 'err';
  p.setAttribute('role', 'alert');
  p.textContent = text + (error.code ? ` (${error.code})` : '');
  if (el && el.insertAdjacentElement) {
    el.setAttribute('aria-invalid', 'true');
    el.insertAdjacentElement('afterend', p);
    el.focus?.();
  } else {
    $('.status', form)?.replaceChildren(p);
  }
}

// A county key is offered for a form only within its remit (A2): the root
// key for settings and department keys, each department for its own kinds.
const REMITS = JSON.parse(document.body?.dataset.remits || '{}');
function withinRemit(b, kind) {
  if (b.role !== 'county' || !kind || !Object.keys(REMITS).length) return true;
  return (REMITS[b.department ?? 'root'] ?? []).includes(kind);
}

// A county form is shown only to the departments whose remit it is (A2): a
// form that only a county key signs is hidden unless this browser holds a
// county key in force that may sign it — each desk sees its own forms, and
// a farmer's phone none of the county's.
function countyFormOfAnother(form, bindings) {
  const roles = (form.dataset.roles ?? '').split(',');
  if (!Object.keys(REMITS).length || roles.some((r) => r !== 'county')) return false;
  const county = bindings.filter((b) => b && !b.revoked_at && b.role === 'county');
  return !county.some((b) => withinRemit(b, form.dataset.kind));
}

async function fillSigners() {
  const all = await keys.all();
  const who = await bindingsOf(all.map((k) => k.pub));
  const held = all.map((k) => who.get(hex(k.pub)));
  for (const form of $$('form[data-roles]')) {
    const select = $('select[name=_signer]', form);
    if (!select) continue;
    form.hidden = countyFormOfAnother(form, held);
    const roles = (form.dataset.roles ?? '').split(',');
    select.replaceChildren();
    let chosen = null;
    for (const k of all) {
      const o = document.createElement('option');
      o.value = k.name;
      o.textContent = k.name;
      select.append(o);
      const b = who.get(hex(k.pub));
      if (b && !b.revoked_at && roles.includes(b.role) && withinRemit(b, form.dataset.kind)
          && (!form.dataset.party || b.party === form.dataset.party)) {
        o.textContent = `${k.name} · ${b.party}${b.department ? ` · ${b.department}` : ''}`;
        chosen ??= k.name;
      }
    }
    if (!all.length) {
      const o = document.createElement('option');
      o.value = '';
      o.textContent = say('本机还没有密钥，请先到“我的密钥”', 'no key in this browser yet: see My keys');
      select.append(o);
    }
    if (chosen) select.value = chosen;
  }
}

function wireForms() {
  for (const form of $$('form[data-kind]')) {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const status = $('.status', form);
      const button = $('button[type=submit]', form);
      button.disabled = true;
      status.textContent = say('正在签名并提交…', 'Signing and sending…');
      try {
        const key = (await keys.all()).find((k) => k.name === form.elements._signer?.value);
        if (!key) throw { field: 'entry.signer', message: 'choose a key of this browser', message_zh: '请选择本机的一把密钥' };
        const { body, personal } = await bodyOf(form);
        const receipt = await submitEntry(key, form.dataset.kind, body, personal);
        status.textContent = say(`已签名并记入日志，第 ${receipt.index} 条。`, `Signed and logged as entry ${receipt.index}.`);
        form.dataset.done = String(receipt.index);
        if (form.dataset.next !== 'stay') {
          setTimeout(() => location.assign(form.dataset.next || location.href), 600);
        }
      } catch (err) {
        status.textContent = '';
        showError(form, err);
      } finally {
        button.disabled = false;
      }
    });
  }
  $$('[data-add-member]').forEach((b) =>
    b.addEventListener('click', () => {
      const rows = $$('.member', b.form);
      const copy = rows[rows.length - 1].cloneNode(true);
      $$('input', copy).forEach((i) => (i.value = ''));
      rows[rows.length - 1].after(copy);
    }),
  );
}

// ---- signed reads of personal data ----
const readSkew = Date.parse(meta('read-time')) - Date.now() || 0;

/** GETs `path` with a signed read (`Authorization: Sanquan …`): the server
 * learns who reads, and shows personal data only to those allowed. */
export async function signedRead(key, path) {
  const time = new Date(Date.now() + readSkew).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const nonce = hex(random(16));
  const sig = await signBytes(key, utf8.encode(`sanquan read v2\nGET ${path}\n${time}\n${nonce}`));
  const r = await fetch(path, {
    headers: { Authorization: `Sanquan keyid=${b64(key.pub)},time=${time},nonce=${nonce},sig=${b64(sig)}` },
  });
  const answer = await r.json();
  if (!r.ok) throw answer.error;
  return answer;
}

function wireReads() {
  for (const form of $$('form[data-read]')) {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const status = $('.status', form);
      try {
        const key = (await keys.all()).find((k) => k.name === form.elements._signer.value);
        if (!key) throw { field: 'entry.signer', message: 'choose a key of this browser', message_zh: '请选择本机的一把密钥' };
        const h = await signedRead(key, form.dataset.read);
        let shown = 0;
        for (const m of h.members) {
          const el = $(`.pii[data-person="${m.person}"]`);
          if (el && m.name) {
            el.textContent = `${m.name} ${m.id_number ?? ''}${m.phone ? ` ${m.phone}` : ''}`;
            shown++;
          }
        }
        status.textContent = shown
          ? say(`已显示 ${shown} 位成员。`, `${shown} members shown.`)
          : say('这把密钥无权查看姓名。', 'This key may not see the names.');
        form.dataset.done = String(shown);
      } catch (err) {
        showError(form, err.field === 'header.Authorization' ? { ...err, field: 'entry.signer' } : err);
      }
    });
  }
}

// ---- the key page ----
async function keyPage() {
  const list = $('#keys');
  if (!list) return;
  const show = async () => {
    const all = await keys.all();
    const who = await bindingsOf(all.map((k) => k.pub));
    list.replaceChildren();
    for (const k of all) {
      const li = document.createElement('li');
      const b = who.get(hex(k.pub));
      const role = b ? `${b.role} · ${b.party}${b.revoked_at ? say('（已注销）', ' (revoked)') : ''}` : say('尚未登记', 'not registered yet');
      li.innerHTML = '<b></b> <span class="who"></span><br><code class="vkey"></code> <small></small> <button type="button" class="link"></button>';
      $('b', li).textContent = k.name;
      $('.who', li).textContent = role;
      $('.vkey', li).textContent = k.vkey;
      $('small', li).textContent = k.how === 'webcrypto' ? say('浏览器内置，不可导出', 'WebCrypto, not extractable') : say('备用算法', 'fallback');
      const del = $('button', li);
      del.textContent = say('删除', 'Remove');
      del.addEventListener('click', async () => {
        if (confirm(say(`从本机删除密钥 ${k.name}？`, `Remove key ${k.name} from this browser?`))) {
          await keys.remove(k.name);
          show();
        }
      });
      list.append(li);
    }
    $('#no-keys').hidden = all.length > 0;
  };
  $('#how').textContent = (await nativeEd25519())
    ? say('本浏览器用内置的 WebCrypto 签名，私钥不可导出。', 'This browser signs with WebCrypto; the private key cannot be exported.')
    : say('本浏览器没有内置 Ed25519（或不是安全连接），用备用算法签名。', 'No WebCrypto Ed25519 here (or not a secure context): signing with the fallback.');
  const report = (form, text, ok) => {
    const s = $('.status', form);
    s.textContent = text;
    s.className = ok ? 'status ok' : 'status err';
  };
  $('#generate').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const k = await generateKey(e.target.elements.name.value.trim());
      report(e.target, say(`已生成。请把下面的验证公钥交给村里或交易所登记：${k.vkey}`, `Made. Give this verifier key to be registered: ${k.vkey}`), true);
      show();
    } catch (err) {
      report(e.target, err.message, false);
    }
  });
  $('#import').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    try {
      const file = f.elements.file.files[0];
      const text = file ? await file.text() : f.elements.text.value;
      const k = await importKeyFile(text);
      f.reset();
      report(f, say(`已导入 ${k.name}。`, `Imported ${k.name}.`), true);
      show();
    } catch (err) {
      report(f, err.message, false);
    }
  });
  show();
}

// ---- proofs (RFC 9162) and checkpoints (C2SP signed notes) ----
const node = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

async function rootFromInclusion(index, size, leaf, path) {
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await node(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export async function consistent(oldSize, newSize, oldRoot, newRoot, proof) {
  if (oldSize === newSize) return proof.length === 0 && equal(oldRoot, newRoot);
  if (oldSize === 0 || oldSize > newSize) return false;
  const path = (oldSize & (oldSize - 1)) === 0 ? [oldRoot, ...proof] : [...proof];
  if (!path.length) return false;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await node(c, fr);
      sr = await node(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = await node(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, oldRoot) && equal(sr, newRoot);
}

/** The newest checkpoint, its signature checked against the log's verifier
 * key shown on the page (compare it with the one the county publishes). */
export async function checkpoint() {
  const note = await (await fetch('/api/v1/checkpoint')).text();
  const [name, hash, ...rest] = meta('log-vkey').split('+');
  const key = rest.join('+');
  const cut = note.indexOf('\n\n');
  const text = note.slice(0, cut + 1);
  const [origin, size, root] = text.split('\n');
  let signed = false;
  for (const line of note.slice(cut + 2).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const raw = unb64(m[2]);
    if (hex(raw.slice(0, 4)) !== hash) continue;
    signed ||= await verifyBytes(unb64(key).slice(1), raw.slice(4), utf8.encode(text));
  }
  if (!signed) throw new Error(say('检查点的签名不对', 'the checkpoint signature does not verify'));
  return { origin, size: Number(size), root: unb64(root), note };
}

/** Checks entry `index`: the leaf is canonical, its signatures hold, and the
 * tree of the signed checkpoint includes it. */
export async function verifyEntry(index, cp) {
  const leaf = new Uint8Array(await (await fetch(`/api/v1/entries/${index}`)).arrayBuffer());
  const text = new TextDecoder().decode(leaf);
  const record = JSON.parse(text);
  if (jcs(record) !== text || record.index !== index) throw new Error(say('条目不是规范形式', 'the entry is not canonical'));
  const { entry, sig, cosigs = [] } = record.envelope;
  const input = concat(utf8.encode('sanquan entry v1\n'), utf8.encode(jcs(entry)));
  for (const s of [{ signer: entry.signer, sig }, ...cosigs]) {
    if (!(await verifyBytes(unb64(s.signer), unb64(s.sig), input))) {
      throw new Error(say('签名不对', 'a signature does not verify'));
    }
  }
  if (index >= cp.size) return { record, included: false };
  const proof = await (await fetch(`/api/v1/proofs/inclusion?index=${index}&size=${cp.size}`)).json();
  const root = await rootFromInclusion(index, cp.size, await sha256(concat(Uint8Array.of(0), leaf)), proof.hashes.map(unb64));
  if (!root || !equal(root, cp.root)) throw new Error(say('不在检查点的树中', 'not included in the checkpoint'));
  return { record, included: true };
}

/** The log only grew since the checkpoint this browser saw last. */
async function sinceLastVisit(cp) {
  const seen = JSON.parse(localStorage.getItem('sanquanCheckpoint') ?? 'null');
  let line = null;
  if (seen && seen.origin === cp.origin && seen.size <= cp.size) {
    const proof = await (await fetch(`/api/v1/proofs/consistency?old=${seen.size}&new=${cp.size}`)).json();
    const ok = await consistent(seen.size, cp.size, unb64(seen.root), cp.root, (proof.hashes ?? []).map(unb64));
    if (!ok) throw new Error(say(`日志与您上次看到的第 ${seen.size} 号树不一致！`, `The log is not consistent with the tree of size ${seen.size} you saw before!`));
    line = say(`与您上次看到的 ${seen.size} 条一致：日志只增未改。`, `Consistent with the ${seen.size} entries you saw before: the log only grew.`);
  } else if (seen && seen.origin === cp.origin) {
    throw new Error(say('日志比您上次看到的还短！', 'The log is shorter than when you saw it last!'));
  }
  localStorage.setItem('sanquanCheckpoint', JSON.stringify({ origin: cp.origin, size: cp.size, root: b64(cp.root) }));
  return line;
}

function wireVerify() {
  for (const button of $$('button[data-verify]')) {
    button.addEventListener('click', async () => {
      const out = $(button.dataset.out ?? '#verify-report');
      out.replaceChildren();
      out.className = 'report';
      const add = (text, ok) => {
        const li = document.createElement('li');
        li.textContent = (ok ? '✓ ' : '✗ ') + text;
        li.className = ok ? 'ok' : 'bad';
        out.append(li);
      };
      button.disabled = true;
      try {
        const cp = await checkpoint();
        add(say(`检查点：${cp.size} 条，日志公钥签名有效。`, `Checkpoint: ${cp.size} entries, signed by the log key.`), true);
        const since = await sinceLastVisit(cp);
        if (since) add(since, true);
        const indices = button.dataset.verify.split(',').filter(Boolean).map(Number);
        for (const i of indices) {
          const { record, included } = await verifyEntry(i, cp);
          add(
            included
              ? say(`第 ${i} 条（${record.envelope.entry.kind}）：签名有效，包含在检查点中。`, `Entry ${i} (${record.envelope.entry.kind}): signatures valid, included in the checkpoint.`)
              : say(`第 ${i} 条：签名有效，下一个检查点会包含它。`, `Entry ${i}: signatures valid; the next checkpoint will include it.`),
            true,
          );
        }
        out.dataset.result = 'ok';
        add(say(`全部 ${indices.length} 条核验通过，不必相信服务器。`, `All ${indices.length} entries verified, without trusting the server.`), true);
      } catch (err) {
        out.dataset.result = 'bad';
        add(err.message ?? String(err), false);
      } finally {
        button.disabled = false;
      }
    });
  }
}

// ---- the map ----
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
  const map = L.map(el, { preferCanvas: true, zoomSnap: 0.5 });
  el.leafletMap = map;
  const started = performance.now();
  const [states, data] = await Promise.all([
    fetch(el.dataset.states).then((r) => r.json()),
    fetch(el.dataset.parcels).then((r) => r.json()),
  ]);
  const fetched = performance.now();
  const layers = new Map();
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
      l.on('click', () => location.assign(`/parcel/${encodeURIComponent(f.id)}`));
    },
  }).addTo(map);
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
    const f = data.features.find((x) => x.id === q || x.properties.holder === q || x.properties.DKMC === q);
    const out = $('.status', e.target);
    if (!f) {
      out.textContent = say('没有找到这块地', 'no such parcel');
      return;
    }
    out.textContent = '';
    const l = layers.get(f.id);
    map.fitBounds(l.getBounds(), { maxZoom: 17 });
    l.setStyle({ weight: 3, color: '#000' });
    l.openTooltip();
  });
}

// ---- measurements for `sanquan bench web` (only with #bench=PORT) ----
const benchPort = /^#bench=(\d+)$/.exec(location.hash)?.[1];

/** Sends the page's figures to the benchmark that opened it. */
function report(extra) {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const figures = {
    page: location.pathname,
    load_ms: nav.loadEventEnd,
    dom_ms: nav.domContentLoadedEventEnd,
    bytes: nav.transferSize + resources.reduce((n, r) => n + r.transferSize, 0),
    resources: resources.map((r) => [new URL(r.name).pathname, r.transferSize]),
    ...extra,
  };
  fetch(`http://127.0.0.1:${benchPort}/`, { method: 'POST', mode: 'no-cors', body: JSON.stringify(figures) });
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

// ---- the language switch and the clock ----
/** Small behaviours without inline script (the pages' policy forbids it). */
function wireButtons() {
  $$('[data-print]').forEach((b) => b.addEventListener('click', () => print()));
  $$('[data-autosubmit]').forEach((el) => el.addEventListener('change', () => el.form.submit()));
}

function wireLanguage() {
  for (const a of $$('[data-lang]')) {
    a.addEventListener('click', (e) => {
      e.preventDefault();
      document.cookie = `lang=${a.dataset.lang}; path=/; max-age=31536000; SameSite=Lax`;
      location.reload();
    });
  }
}

/** Import of a surveyed GeoJSON: one signed parcel.register per feature,
 * with a progress bar and a report of what the log refused. */
function wireSurvey() {
  const form = $('#survey');
  if (!form) return;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const bar = $('progress', form);
    const report = $('.report', form);
    report.replaceChildren();
    const key = (await keys.all()).find((k) => k.name === form.elements._signer.value);
    const file = form.elements.file.files[0];
    if (!key || !file) {
      $('.status', form).textContent = say('请选择密钥和文件', 'choose a key and a file');
      return;
    }
    let features;
    try {
      features = JSON.parse(await file.text()).features ?? [];
    } catch (_) {
      $('.status', form).textContent = say('文件不是 GeoJSON', 'the file is not GeoJSON');
      return;
    }
    bar.max = features.length;
    bar.value = 0;
    let accepted = 0;
    const refused = [];
    const FIELDS = ['DKBM', 'DKMC', 'DKLB', 'TDYT', 'DLDJ', 'SFJBNT', 'SCMJ'];
    for (const f of features) {
      const body = { geometry: f.geometry };
      for (const k of FIELDS) if (f.properties?.[k] != null) body[k] = String(f.properties[k]);
      try {
        await submitEntry(key, 'parcel.register', body);
        accepted++;
      } catch (err) {
        refused.push(`${body.DKBM ?? '?'}: ${EN ? err.message : err.message_zh} (${err.code})`);
      }
      bar.value++;
    }
    $('.status', form).textContent = say(`完成：登记 ${accepted} 块，未登记 ${refused.length} 块。`, `Done: ${accepted} registered, ${refused.length} refused.`);
    for (const r of refused) {
      const li = document.createElement('li');
      li.textContent = r;
      report.append(li);
    }
    form.dataset.done = String(accepted);
  });
}

/** Counts down a listing's deadline where the page shows one. */
function wireCountdowns() {
  const tick = () => {
    for (const el of $$('[data-deadline]')) {
      const left = Date.parse(el.dataset.deadline) - (Date.now() + skew);
      if (left <= 0) {
        el.textContent = say('已截止', 'closed');
        continue;
      }
      const m = Math.floor(left / 60000);
      el.textContent = say(`还剩 ${Math.floor(m / 60)} 小时 ${m % 60} 分`, `${Math.floor(m / 60)} h ${m % 60} min left`);
    }
  };
  if ($$('[data-deadline]').length) {
    tick();
    setInterval(tick, 15000);
  }
}

/** While an auction runs, its page follows the bids: when a new one is
 * logged it reloads, unless the reader is typing into a form. */
function wireLiveBids() {
  const el = $('[data-live]');
  if (!el) return;
  setInterval(async () => {
    const typing = document.activeElement?.closest?.('form') && document.activeElement.value;
    if (typing || document.hidden) return;
    const l = await fetch(el.dataset.live).then((r) => (r.ok ? r.json() : null), () => null);
    if (l && (l.bids.length !== Number(el.dataset.bids) || l.status !== 'trading')) location.reload();
  }, 5000);
}

wireLanguage();
wireButtons();
wireLiveBids();
wireForms();
wireReads();
wireVerify();
wireSurvey();
wireCountdowns();
fillSigners();
keyPage();
mapPage();
document.documentElement.dataset.ready = '1';
if (benchPort && !$('#map')) {
  addEventListener('load', () => setTimeout(() => report({}), 50));
}
