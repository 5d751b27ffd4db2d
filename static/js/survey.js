// The clerk's import of a surveyed GeoJSON.
import { EN, say, $, keys, submitEntry } from '/static/app.js';

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

wireSurvey();
