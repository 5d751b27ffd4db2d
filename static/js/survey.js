// The clerk's import of a surveyed GeoJSON, through the registry's survey
// import (`POST /api/v1/survey/plan`, the service `sanquan import` uses too):
// the server says which entries register what is not registered yet, this
// page signs them with the clerk's key and submits them, and asks again —
// once the parcels are in, for the contracts of the households they name.
import { EN, say, $, keys, bindingsOf, hex, submitEntry } from '/static/app.js';

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

function wireSurvey() {
  const form = $('#survey');
  if (!form) return;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const bar = $('progress', form);
    const report = $('.report', form);
    const status = $('.status', form);
    report.replaceChildren();
    const key = (await keys.all()).find((k) => k.name === form.elements._signer.value);
    const file = form.elements.file.files[0];
    if (!key || !file) {
      status.textContent = say('请选择密钥和文件', 'choose a key and a file');
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
    const note = (code, what) => refused.push(`${code || '?'}: ${what}`);
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
        for (const r of p.rejected) note(r.code, `${r.reason} (${r.error})`);
      }
      const todo = p.entries.filter((x) => !tried.has(`${x.kind} ${x.code}`));
      if (!todo.length) break;
      bar.max += todo.length;
      for (const x of todo) {
        tried.add(`${x.kind} ${x.code}`);
        if (x.party && party && x.party !== party) {
          note(x.code, say(`须由 ${x.party} 的密钥签署`, `to be signed by ${x.party}'s key`));
        } else {
          try {
            await submitEntry(key, x.kind, x.body);
            accepted++;
          } catch (err) {
            note(x.code, `${EN ? err.message : err.message_zh} (${err.code})`);
          }
        }
        bar.value++;
      }
    }
    status.textContent = say(
      `完成：登记 ${accepted} 条，已登记过 ${skipped} 条，未登记 ${refused.length} 条。`,
      `Done: ${accepted} registered, ${skipped} registered before, ${refused.length} refused.`,
    );
    for (const r of refused) {
      const li = document.createElement('li');
      li.textContent = r;
      report.append(li);
    }
    form.dataset.done = String(accepted);
  });
}

wireSurvey();
