// The log's proofs checked in this browser: RFC 9162 inclusion and
// consistency, C2SP checkpoints, and the verify buttons of the pages that
// show entries (a title, a listing, a right, an attestation, the log).
import { meta, say, $, $$, concat, equal, b64, unb64, hex, sha256, jcs, verifyBytes, utf8 } from '/static/app.js';

// ---- proofs (RFC 9162) and checkpoints (C2SP signed notes) ----
const node = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

export async function rootFromInclusion(index, size, leaf, path) {
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

wireVerify();
