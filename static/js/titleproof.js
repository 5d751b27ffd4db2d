// A title's proof (issue 20) checked in this browser, with no trust in the
// server: the compact form a certificate's QR holds (SQ1: and base45) or
// the C2SP tlog-proof text; the county's state-log key and its witnesses'
// keys are pinned in the page (a C2SP tlog-policy). The same checks as
// `sanquan verify-proof`: the log's signature, the witnesses' quorum of
// cosignatures (cosignature/v1), the state leaf, the map path, the record.
import { say, $, $$, concat, equal, unb64, hex, sha256, verifyBytes, utf8, jsQRLoaded } from '/static/app.js';
import { rootFromInclusion } from '/static/js/proofs.js';

const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const fail = (zh, en) => {
  const err = new Error(say(zh, en));
  err.ours = true;
  throw err;
};

export function unbase45(text) {
  const v = [...text].map((c) => B45.indexOf(c));
  if (v.some((x) => x < 0)) fail('二维码内容不是本登记簿的权属证明', 'not a title proof');
  const out = [];
  for (let i = 0; i < v.length; i += 3) {
    if (i + 2 < v.length) {
      const n = v[i] + v[i + 1] * 45 + v[i + 2] * 2025;
      if (n > 65535) fail('二维码内容损坏', 'the QR text is damaged');
      out.push(n >> 8, n & 255);
    } else if (i + 1 < v.length) {
      const n = v[i] + v[i + 1] * 45;
      if (n > 255) fail('二维码内容损坏', 'the QR text is damaged');
      out.push(n);
    } else fail('二维码内容损坏', 'the QR text is damaged');
  }
  return Uint8Array.from(out);
}

function reader(bytes) {
  let at = 0;
  const take = (n) => {
    if (at + n > bytes.length) fail('证明不完整', 'the proof is cut short');
    const s = bytes.slice(at, at + n);
    at += n;
    return s;
  };
  const num = (n) => take(n).reduce((a, b) => a * 256 + b, 0);
  return { take, u8: () => num(1), u16: () => num(2), u32: () => num(4) >>> 0, u64: () => num(8), end: () => at === bytes.length || fail('证明末尾有多余内容', 'trailing bytes') };
}

function own(r) {
  const title = new TextDecoder().decode(r.take(r.u8()));
  const n = r.u16();
  const record = n ? r.take(n) : null;
  const map = r.take(r.u16());
  return { title, record, map };
}

const leafOf = (b) => ({ bytes: b, eventSize: reader(b.slice(0, 8)).u64(), eventRoot: b.slice(8, 40), mapRoot: b.slice(40, 72) });
const b64 = (u8) => btoa(String.fromCharCode(...u8));

/** Reads the compact form (what the QR holds, without its prefix). */
export function fromCompact(bytes, origin) {
  const r = reader(bytes);
  if (r.u8() !== 0x51) fail('不是本登记簿的权属证明', 'not a compact title proof');
  const p = own(r);
  p.leaf = leafOf(r.take(72));
  const size = r.u64();
  const root = r.take(32);
  p.index = size - 1;
  p.path = null;
  p.sigs = [];
  for (let n = r.u8(); n > 0; n--) p.sigs.push({ name: '', id: hex(r.take(4)), blob: r.take(r.u8()) });
  r.end();
  p.body = `${origin}\n${size}\n${b64(root)}\nstate ${p.leaf.eventSize} ${b64(p.leaf.eventRoot)} ${b64(p.leaf.mapRoot)}\n`;
  return p;
}

/** Reads the text bundle (C2SP tlog-proof). */
export function fromText(text) {
  if (!text.startsWith('c2sp.org/tlog-proof@v1\n')) fail('不是权属证明', 'not a tlog-proof');
  const cut = text.indexOf('\n\n');
  const head = text.slice(0, cut).split('\n').slice(1);
  const note = text.slice(cut + 2);
  const r = reader(unb64(head[0].replace(/^extra /, '')));
  const p = own(r);
  p.leaf = leafOf(r.take(72));
  r.end();
  p.index = Number(head[1].replace(/^index /, ''));
  p.path = head.slice(2).map(unb64);
  const split = note.lastIndexOf('\n\n');
  p.body = note.slice(0, split + 1);
  p.sigs = note.slice(split + 2).split('\n').filter(Boolean).map((line) => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line) ?? fail('签名行格式不对', 'a bad signature line');
    const raw = unb64(m[2]);
    return { name: m[1], id: hex(raw.slice(0, 4)), blob: raw.slice(4) };
  });
  return p;
}

/** A C2SP tlog-policy: logs, witnesses, groups, the quorum. */
export function parsePolicy(text) {
  const pol = { logs: [], witnesses: [], names: new Map(), quorum: null };
  for (const line of text.split('\n')) {
    const w = line.trim().split(/[ \t]+/).filter(Boolean);
    if (!w.length || w[0].startsWith('#')) continue;
    const key = (vkey) => {
      const [name, id, ...rest] = vkey.split('+');
      return { name, id, pub: unb64(rest.join('+')).slice(1) };
    };
    if (w[0] === 'log') pol.logs.push(key(w[1]));
    else if (w[0] === 'witness') {
      pol.names.set(w[1], { witness: pol.witnesses.length });
      pol.witnesses.push({ name: w[1], key: key(w[2]) });
    } else if (w[0] === 'group') {
      const members = w.slice(3).map((m) => pol.names.get(m));
      const k = w[2] === 'all' ? members.length : w[2] === 'any' ? 1 : Number(w[2]);
      pol.names.set(w[1], { k, members });
    } else if (w[0] === 'quorum') pol.quorum = w[1] === 'none' ? null : pol.names.get(w[1]);
  }
  return pol;
}

const met = (m, ok) => (m.witness !== undefined ? ok.has(m.witness) : m.members.filter((x) => met(x, ok)).length >= m.k);
const node = (l, r) => sha256(concat(Uint8Array.of(1), l, r));
const bit = (key, d) => (key[d >> 3] >> (7 - (d & 7))) & 1;

async function mapValue(proof, root, key) {
  const r = reader(proof);
  const depth = r.u16();
  const bitmap = r.take(Math.ceil(depth / 8));
  const siblings = [];
  for (let d = 0; d < depth; d++) siblings.push(bitmap[d >> 3] & (0x80 >> (d & 7)) ? r.take(32) : new Uint8Array(32));
  const end = r.u8();
  let hash;
  let value = null;
  if (end === 0) hash = new Uint8Array(32);
  else if (end === 1) {
    value = r.take(32);
    hash = await sha256(concat(Uint8Array.of(0), key, value));
  } else if (end === 2) {
    const other = r.take(32);
    const v = r.take(32);
    for (let d = 0; d < depth; d++) if (bit(other, d) !== bit(key, d)) fail('状态树路径不对', 'the map path is off the key');
    if (equal(other, key)) fail('状态树路径不对', 'the map path is off the key');
    hash = await sha256(concat(Uint8Array.of(0), other, v));
  } else fail('状态树路径格式不对', 'a bad map path');
  r.end();
  for (let d = depth - 1; d >= 0; d--) hash = bit(key, d) ? await node(siblings[d], hash) : await node(hash, siblings[d]);
  if (!equal(hash, root)) fail('记录与状态树的根不符', 'the record is not under the map root');
  return value;
}

/** Verifies a proof against a policy; what it shows. */
export async function verifyTitle(p, pol) {
  const lines = p.body.split('\n');
  const [origin, size] = [lines[0], Number(lines[1])];
  const signedBy = async (k, s) => s.id === k.id && (!s.name || s.name === k.name) && s.blob.length === 64 && verifyBytes(k.pub, s.blob, utf8.encode(p.body));
  let log = null;
  for (const k of pol.logs.filter((k) => k.name === origin)) for (const s of p.sigs) if (!log && (await signedBy(k, s))) log = k;
  if (!log) fail('检查点不是所信任的县登记簿签发的', 'the checkpoint is not signed by a trusted log');
  const ok = new Set();
  let time = 0;
  for (const [n, w] of pol.witnesses.entries()) {
    for (const s of p.sigs) {
      if (s.id !== w.key.id || (s.name && s.name !== w.key.name) || s.blob.length !== 72) continue;
      const t = reader(s.blob.slice(0, 8)).u64();
      if (await verifyBytes(w.key.pub, s.blob.slice(8), utf8.encode(`cosignature/v1\ntime ${t}\n${p.body}`))) {
        ok.add(n);
        time = Math.max(time, t);
      }
    }
  }
  if (pol.quorum && !met(pol.quorum, ok)) fail(`见证方联署不足（${ok.size} 个有效）`, `the witnesses' quorum is not met (${ok.size} valid)`);
  const ext = `state ${p.leaf.eventSize} ${b64(p.leaf.eventRoot)} ${b64(p.leaf.mapRoot)}`;
  const named = p.index === size - 1 && lines[3] === ext;
  const leafHash = await sha256(concat(Uint8Array.of(0), p.leaf.bytes));
  const included = p.path && equal((await rootFromInclusion(p.index, size, leafHash, p.path)) ?? new Uint8Array(), unb64(lines[2]));
  if (!named && !included) fail('状态日志叶不在检查点中', 'the state leaf is not in the checkpoint');
  const key = await sha256(utf8.encode(p.title));
  const value = await mapValue(p.map, p.leaf.mapRoot, key);
  let record = null;
  if (p.record) {
    if (!value || !equal(value, await sha256(p.record))) fail('记录与状态树不符', 'the record is not the one in the map');
    const text = new TextDecoder().decode(p.record);
    record = JSON.parse(text);
    if (JSON.stringify(record) !== text || record.title !== p.title) fail('记录不是规范形式', 'the record is not canonical');
  } else if (value) fail('状态树中有此权属，证明却说没有', 'the map holds the title the proof says is absent');
  return { title: p.title, record, eventSize: p.leaf.eventSize, witnesses: [...ok].map((n) => pol.witnesses[n].name), time };
}

const MODES = { lease: '出租', subcontract: '转包', equity: '入股', onward: '再流转', house_lease: '房屋出租' };
const KINDS = { seizure: '查封', objection: '异议', pledge: '抵押' };

/** What a verified proof says, in plain words, a line each. */
export function describe(v) {
  const out = [];
  const r = v.record;
  out.push(say(`截至登记簿第 ${v.eventSize} 条：`, `As of the register's first ${v.eventSize} entries:`));
  if (!r) return [...out, say(`登记簿中没有 ${v.title} 这项权属。`, `the register holds no title ${v.title}.`)];
  out.push(r.holder ? say(`${r.title} 由承包方 ${r.holder} 持有。`, `${r.title} is held by ${r.holder}.`) : say(`${r.title} 没有承包方。`, `${r.title} has no holder.`));
  if (r.contract) out.push(say(`承包合同 ${r.contract.code}，${r.contract.start} 至 ${r.contract.end}${r.contract.returned_on ? `，自愿交回，${r.contract.returned_on} 生效` : ''}。`, `Contract ${r.contract.code}, ${r.contract.start} to ${r.contract.end}.`));
  if (r.shares !== undefined) out.push(say(`集体收益分配份额 ${r.shares} 份。`, `${r.shares} shares.`));
  for (const x of r.rights ?? []) out.push(say(`已${MODES[x.mode] ?? x.mode}给 ${x.holder}，${x.start} 至 ${x.end}。`, `${x.mode} to ${x.holder}, ${x.start} to ${x.end}.`));
  const enc = r.encumbrances ?? [];
  out.push(enc.length ? enc.map((e) => say(`有${KINDS[e.kind] ?? e.kind}（登记簿第 ${e.index} 条）。`, `${e.kind} (entry ${e.index}).`)).join('') : say('没有查封、异议或抵押。', 'No seizure, objection or pledge.'));
  const acts = r.acts ?? [];
  out.push(acts.length ? say(`有 ${acts.length} 项正在公示、尚未办结的处理事项。`, `${acts.length} acts pending.`) : say('没有正在公示的处理事项。', 'No act pending.'));
  out.push(say(`县登记簿签名有效；见证方：${v.witnesses.join('、') || '无'}。办理流转、抵押前请索取最新证明。`, `Signed by the county; witnesses: ${v.witnesses.join(', ') || 'none'}.`));
  return out;
}

/** Reads what a scan or a paste gives: SQ1: and base45, or tlog-proof text. */
export function readProof(text, pol) {
  const t = text.trim();
  if (t.startsWith('SQ1:')) return fromCompact(unbase45(t.slice(4)), pol.logs[0]?.name ?? '');
  return fromText(text);
}

function show(out, lines, good) {
  out.replaceChildren(...lines.map((line, i) => {
    const li = document.createElement('li');
    li.textContent = (i === 0 ? (good ? '✓ ' : '✗ ') : '') + line;
    return li;
  }));
  out.dataset.result = good ? 'ok' : 'bad';
}

async function check(text, out) {
  const pol = parsePolicy($('#policy').textContent);
  let proof;
  try {
    proof = readProof(text, pol);
  } catch (err) {
    // Text that is not a proof at all (a typing slip, another QR): the
    // browser's own decoding errors are not shown, they are in English.
    show(out, [say('核验不通过：', 'Not verified: ') + (err.ours ? err.message : say('这不是本登记簿的权属证明，请重新扫描或粘贴', 'this is not a title proof of this register'))], false);
    return;
  }
  try {
    show(out, describe(await verifyTitle(proof, pol)), true);
  } catch (err) {
    show(out, [say('核验不通过：', 'Not verified: ') + (err.message ?? String(err))], false);
  }
}

function wire() {
  const out = $('#title-report');
  if (!out) return;
  for (const button of $$('button[data-title-proof]')) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      const text = await (await fetch(`/api/v1/titles/${encodeURIComponent(button.dataset.titleProof)}/proof`)).text();
      await check(text, out);
      button.disabled = false;
    });
  }
  $('#proof-text')?.form?.addEventListener('submit', (e) => {
    e.preventDefault();
    check($('#proof-text').value, out);
  });
  $('#proof-photo')?.addEventListener('change', async (e) => {
    const file = e.target.files?.[0];
    if (!file) return;
    try {
      const bitmap = await createImageBitmap(file);
      // The phone's own barcode reader where it has one (it reads the
      // dense codes a certificate carries); jsQR otherwise.
      let found = null;
      if ('BarcodeDetector' in globalThis) {
        const codes = await new globalThis.BarcodeDetector({ formats: ['qr_code'] }).detect(bitmap).catch(() => []);
        found = codes.map((c) => c.rawValue).find((v) => v.startsWith('SQ1:')) ?? null;
      }
      if (!found) {
        await jsQRLoaded();
        const canvas = document.createElement('canvas');
        [canvas.width, canvas.height] = [bitmap.width, bitmap.height];
        const ctx = canvas.getContext('2d');
        ctx.drawImage(bitmap, 0, 0);
        const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
        found = globalThis.jsQR(image.data, image.width, image.height)?.data;
      }
      if (!found) fail('照片里没有认出二维码，请对准一个二维码再拍一张', 'no QR code in the photo');
      $('#proof-text').value = found;
      await check(found, out);
    } catch (err) {
      show(out, [err.message ?? String(err)], false);
    }
  });
}

wire();
