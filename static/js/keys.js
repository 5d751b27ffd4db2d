// The key page: the keys this browser holds, made or imported here.
import { say, $, hex, nativeEd25519, keys, generateKey, importKeyFile, bindingsOf, shortCode, keyQrText } from '/static/app.js';

/** The card that hands a new key to the village (issue 18): its QR code,
 * its short code, the next step in plain words; the key is offered to the
 * registry under the code, so the clerk may also type it. */
async function handover(k) {
  const card = document.createElement('div');
  card.className = 'handover';
  const code = await shortCode(k.pub);
  const qr = globalThis.qrcode?.(0, 'M');
  if (qr) {
    qr.addData(keyQrText(k.vkey));
    qr.make();
    const box = document.createElement('div');
    box.className = 'qr';
    box.innerHTML = qr.createSvgTag({ cellSize: 4, margin: 4, scalable: true, title: say('密钥二维码', 'Key QR code') });
    card.append(box);
  }
  const p = document.createElement('p');
  p.innerHTML = '<span></span><b class="short-code"></b>';
  p.firstChild.textContent = say('短码：', 'Short code: ');
  $('.short-code', p).textContent = code;
  const next = document.createElement('p');
  next.className = 'next-step';
  next.textContent = say(
    '下一步：请带身份证和这部手机到村委会，让村里扫这个二维码，或者念这 8 位短码给村里登记。登记好以前，这把密钥还不能签名。',
    'Next: take your ID card and this phone to the village committee; they scan this QR code, or you read them the 8-character code. Until then the key cannot sign.',
  );
  card.append(p, next);
  fetch('/api/v1/key-offers', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ vkey: k.vkey }),
  }).catch(() => {});
  return card;
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
      const role = b ? `${roleWord(b.role)} · ${b.party}${b.revoked_at ? say('（已注销）', ' (revoked)') : ''}` : say('尚未登记', 'not registered yet');
      li.innerHTML = '<b class="key-name"></b> <span class="who"></span><br><code class="vkey"></code> <small></small> <button type="button" class="link"></button>';
      $('b', li).textContent = k.name;
      $('.who', li).textContent = role;
      $('.vkey', li).textContent = k.vkey;
      $('small', li).textContent = k.how === 'webcrypto' ? say('浏览器内置，不可导出', 'WebCrypto, not extractable') : say('备用算法', 'fallback');
      if (!b) li.append(await handover(k));
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
    ? say('本浏览器用内置的加密功能签名，私钥不能导出。', 'This browser signs with WebCrypto; the private key cannot be exported.')
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
      report(e.target, say(`已生成“${k.name}”。请看上面的二维码和下一步。`, `Made “${k.name}”: see its QR code and the next step above.`), true);
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

/** Whom a key acts as, in the glossary's words. */
function roleWord(role) {
  const words = {
    household: ['承包户', 'household'],
    collective: ['村集体（发包方）', 'collective'],
    exchange: ['交易所', 'exchange'],
    county: ['县里', 'county'],
    transferee: ['受让方', 'transferee'],
    member: ['集体成员本人', 'member'],
  };
  const w = words[role];
  return w ? say(...w) : role;
}
