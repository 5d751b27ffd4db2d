// The key page: the keys this browser holds, made or imported here.
import { say, $, hex, nativeEd25519, keys, generateKey, importKeyFile, bindingsOf } from '/static/app.js';

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

keyPage();
