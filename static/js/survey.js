// The clerk's import of a surveyed GeoJSON, through the registry's survey
// import (`POST /api/v1/survey/plan`, the service `sanquan import` uses too):
// the server says which entries register what is not registered yet, this
// page signs them with the clerk's key and submits them, and asks again —
// once the parcels are in, for the contracts of the households they name.
// A village's NY/T 2539 package (.zip) goes the same way, step by step
// (`POST /api/v1/survey/package?step=…`): land, households, contracts,
// certificates; the report is a table, the refused rows first.
import { EN, say, $, keys, bindingsOf, hex, submitEntries } from '/static/app.js';

/** What is left to sign for `collection`, as the server plans it. */
async function plan(collection) {
  const r = await fetch('/api/v1/survey/plan', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(collection),
  });
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) throw answer.error ?? { code: `http_${r.status}`, message: r.statusText, message_zh: '服务器没有回应，请稍后再试' };
  return answer;
}

/** What is left to sign of a package's `step`, as the server plans it. */
async function packagePlan(bytes, step) {
  const r = await fetch(`/api/v1/survey/package?step=${step}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/zip' },
    body: bytes,
  });
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) throw answer.error ?? { code: `http_${r.status}`, message: r.statusText, message_zh: '服务器没有回应，请稍后再试' };
  return answer;
}

/** The report as a table: the refused rows first, then the warnings. */
function showReport(table, refused, warnings) {
  const body = table.tBodies[0];
  body.replaceChildren();
  const row = (cells, cls) => {
    const tr = document.createElement('tr');
    if (cls) tr.className = cls;
    for (const [label, text] of cells) {
      const td = document.createElement('td');
      td.dataset.label = label;
      td.textContent = text ?? '';
      tr.append(td);
    }
    body.append(tr);
  };
  const cells = (r, what) => [
    [say('文件', 'file'), r.file],
    [say('行', 'row'), r.row],
    [say('编码', 'code'), r.code],
    [say('问题', 'problem'), what],
  ];
  for (const r of refused) row(cells(r, r.what), 'refused');
  for (const w of warnings) row(cells(w, EN ? w.reason : w.reason_zh), 'warning');
  table.hidden = !refused.length && !warnings.length;
}

/** A village's NY/T 2539 package (.zip), step by step: each step's
 * entries signed with the clerk's key and submitted, a household's with
 * its members' personal records. */
async function importPackage(form, key, party, file) {
  const bar = $('progress', form);
  const status = $('.status', form);
  const bytes = await file.arrayBuffer();
  const refused = [];
  const warnings = [];
  const seen = new Set();
  const refuse = (r, what) => {
    const id = `${r.file} ${r.row} ${r.code} ${what}`;
    if (!seen.has(id)) {
      seen.add(id);
      refused.push({ file: r.file, row: r.row, code: r.code, what });
    }
  };
  let accepted = 0;
  let skipped = 0;
  bar.value = 0;
  bar.max = 0;
  for (const step of ['land', 'households', 'contracts', 'certificates']) {
    let p;
    try {
      p = await packagePlan(bytes, step);
    } catch (err) {
      refuse({ file: file.name, row: '', code: '' }, `${EN ? err.message : err.message_zh} (${err.code})`);
      break;
    }
    skipped += p.skipped.length;
    for (const r of p.rejected) refuse(r, `${EN ? r.reason : r.reason_zh} (${r.error}${r.field ? `, ${r.field}` : ''})`);
    for (const w of p.warnings) if (!warnings.some((x) => x.file === w.file && x.row === w.row && x.warning === w.warning)) warnings.push(w);
    bar.max += p.entries.length;
    const mine = [];
    for (const x of p.entries) {
      if (x.party && party && x.party !== party) {
        refuse(x, say(`须由 ${x.party} 的密钥签署`, `to be signed by ${x.party}'s key`));
        bar.value++;
      } else mine.push(x);
    }
    const start = bar.value;
    const outcomes = await submitEntries(key, mine, (n) => { bar.value = start + n; });
    outcomes.forEach((o, i) => {
      if (o.error) refuse(mine[i], `${EN ? o.error.message : o.error.message_zh} (${o.error.code})`);
      else accepted++;
    });
  }
  status.textContent = say(
    `完成：登记 ${accepted} 条，已登记过 ${skipped} 条，未通过 ${refused.length} 行，提醒 ${warnings.length} 条。`,
    `Done: ${accepted} registered, ${skipped} registered before, ${refused.length} rows refused, ${warnings.length} warnings.`,
  );
  showReport($('table.report', form), refused, warnings);
  form.dataset.done = String(accepted);
}

function wireSurvey() {
  const form = $('#survey');
  if (!form) return;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const bar = $('progress', form);
    const report = $('table.report', form);
    const status = $('.status', form);
    report.tBodies[0].replaceChildren();
    report.hidden = true;
    const key = (await keys.all()).find((k) => k.name === form.elements._signer.value);
    const file = form.elements.file.files[0];
    if (!key || !file) {
      status.textContent = say('请选择密钥和文件', 'choose a key and a file');
      return;
    }
    if (/\.zip$/i.test(file.name)) {
      const party = (await bindingsOf([key.pub])).get(hex(key.pub))?.party;
      await importPackage(form, key, party, file);
      return;
    }
    let collection;
    try {
      collection = JSON.parse(await file.text());
    } catch (_) {
      status.textContent = say('文件不是 GeoJSON', 'the file is not GeoJSON');
      return;
    }
    const party = (await bindingsOf([key.pub])).get(hex(key.pub))?.party;
    const refused = [];
    const note = (code, what, row = '') => refused.push({ file: file.name, row, code, what });
    let accepted = 0;
    let skipped = 0;
    bar.value = 0;
    bar.max = 0;
    // Parcels first, then the contracts over them; what this key may not
    // sign is reported, not tried, so a round never repeats itself.
    const tried = new Set();
    for (let round = 0; round < 3; round++) {
      let p;
      try {
        p = await plan(collection);
      } catch (err) {
        note('', `${EN ? err.message : err.message_zh} (${err.code})`);
        break;
      }
      if (round === 0) {
        skipped = p.skipped.length;
        for (const r of p.rejected) note(r.code, `${EN ? r.reason : r.reason_zh} (${r.error})`, r.row);
      }
      const todo = p.entries.filter((x) => !tried.has(`${x.kind} ${x.code}`));
      if (!todo.length) break;
      bar.max += todo.length;
      const mine = [];
      for (const x of todo) {
        tried.add(`${x.kind} ${x.code}`);
        if (x.party && party && x.party !== party) {
          note(x.code, say(`须由 ${x.party} 的密钥签署`, `to be signed by ${x.party}'s key`));
          bar.value++;
        } else mine.push({ kind: x.kind, body: x.body, code: x.code });
      }
      const start = bar.value;
      const outcomes = await submitEntries(key, mine, (n) => { bar.value = start + n; });
      outcomes.forEach((o, i) => {
        if (o.error) note(mine[i].code, `${EN ? o.error.message : o.error.message_zh} (${o.error.code})`);
        else accepted++;
      });
    }
    status.textContent = say(
      `完成：登记 ${accepted} 条，已登记过 ${skipped} 条，未登记 ${refused.length} 条。`,
      `Done: ${accepted} registered, ${skipped} registered before, ${refused.length} refused.`,
    );
    showReport(report, refused, []);
    form.dataset.done = String(accepted);
  });
}

wireSurvey();
