// The field app. A record is first saved on the phone (IndexedDB), then sent when there is a
// connection. Each carries a UUID made here, so a retry never creates a second record on the server.
// A record leaves the phone as soon as the server acknowledges it; only a line without personal
// data stays in the "sent" list.
(function () {
  'use strict';
  const user = document.body.dataset.user;
  const csrf = document.querySelector('meta[name=csrf]').content;
  const $ = (id) => document.getElementById(id);
  const form = $('rec');
  const SENT = 'hocvuso-field-sent-' + user;
  const BATCH = 100;
  let db = null;
  let syncing = false;
  let sessionLost = false;

  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open('hocvuso-field', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('queue', { keyPath: 'id' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  function run(mode, fn) {
    return new Promise((resolve, reject) => {
      const t = db.transaction('queue', mode);
      const req = fn(t.objectStore('queue'));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error);
    });
  }
  const queued = () => run('readonly', (s) => s.getAll())
    .then((all) => all.filter((q) => q.user === user).sort((a, b) => a.created - b.created));
  const save = (q) => run('readwrite', (s) => s.put(q));
  const drop = (id) => run('readwrite', (s) => s.delete(id));

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  const day = (iso) => iso.split('-').reverse().join('/');
  const describe = (r) => {
    const n = r.skills.length;
    const done = ['vneid', 'app', 'signature', 'domain'].filter((k) => r[k]).length;
    return day(r.date) + ' · ' + n + ' kỹ năng' + (done ? ' · ' + done + ' việc khác' : '') + (r.cccd ? ' · có CCCD' : '');
  };

  function status(text, off) {
    const net = $('net');
    net.textContent = text;
    net.classList.toggle('off', !!off);
  }

  function sentList() {
    try { return JSON.parse(localStorage.getItem(SENT) || '[]'); } catch (e) { return []; }
  }

  function remember(q) {
    const list = sentList();
    list.unshift({ id: q.id, text: describe(q.record), at: new Date().toTimeString().slice(0, 5) });
    localStorage.setItem(SENT, JSON.stringify(list.slice(0, 20)));
  }

  function item(text, buttons) {
    const li = document.createElement('li');
    li.textContent = text;
    for (const [label, action] of buttons || []) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.addEventListener('click', action);
      li.appendChild(b);
    }
    return li;
  }

  async function render() {
    const list = await queued();
    $('pending-count').textContent = String(list.length);
    const ul = $('pending');
    ul.replaceChildren(...list.map((q) => {
      if (!q.error) return item(describe(q.record) + ' — chờ gửi');
      return item(describe(q.record) + ' — không được nhận: ' + q.error, [
        ['Sửa', () => edit(q)],
        ['Xoá', () => drop(q.id).then(render)],
      ]);
    }));
    $('synced').replaceChildren(...sentList().map((s) => item(s.at + ' · ' + s.text + ' — đã gửi')));
    if (sessionLost) status('Phiên đăng nhập đã hết: đăng nhập lại để gửi. Bản ghi vẫn được giữ trên máy.', true);
    else if (!navigator.onLine) status('Không có kết nối: bản ghi được lưu trên máy và tự gửi khi có sóng.', true);
    else if (list.some((q) => !q.error)) status('Có kết nối: đang chờ gửi ' + list.filter((q) => !q.error).length + ' bản ghi.');
    else status('Có kết nối: mọi bản ghi đã được gửi.');
  }

  function showSummary(s) {
    $('summary').textContent = s.village + ': tuần này ' + s.records_this_week + ' bản ghi, ' + s.people_this_week +
      ' người mới được hướng dẫn; từ đầu đợt ' + s.people_total + ' người' +
      (s.golden_week ? ' · đã thực hiện Tuần lễ vàng' : '') + '.';
  }

  async function sync() {
    if (syncing || !navigator.onLine) return render();
    syncing = true;
    try {
      const pending = (await queued()).filter((q) => !q.error);
      for (let i = 0; i < pending.length; i += BATCH) {
        const batch = pending.slice(i, i + BATCH);
        const res = await fetch('/api/v1/field/records', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
          body: JSON.stringify({ records: batch.map((q) => q.record) }),
        });
        sessionLost = res.status === 401 || res.status === 403;
        if (!res.ok) return;
        const reply = await res.json();
        for (const r of reply.results) {
          const q = batch[r.index];
          if (r.status === 'stored' || r.status === 'duplicate') {
            await drop(q.id);
            remember(q);
          } else {
            q.error = r.problems.map((p) => p.message).join('; ');
            await save(q);
          }
        }
        showSummary(reply.summary);
      }
      if (!pending.length) {
        const res = await fetch('/api/v1/field/summary', { credentials: 'same-origin' });
        sessionLost = res.status === 401 || res.status === 403;
        if (res.ok) showSummary(await res.json());
      }
    } catch (e) {
      // No connection after all, or it dropped: the records stay queued.
    } finally {
      syncing = false;
      await render();
    }
  }

  function read() {
    const f = new FormData(form);
    const year = (f.get('birth_year') || '').trim();
    return {
      id: uuid(),
      date: f.get('date'),
      skills: f.getAll('skill').map(Number),
      vneid: f.has('vneid'),
      app: f.has('app'),
      signature: f.has('signature'),
      domain: f.has('domain'),
      birth_year: year ? Number(year) : null,
      age_band: f.get('age_band') || null,
      gender: f.get('gender') || null,
      minority: f.has('minority'),
      cccd: (f.get('cccd') || '').replace(/[\s.-]/g, '') || null,
    };
  }

  function problem(r) {
    if (!r.date) return 'Chọn ngày hướng dẫn.';
    if (!r.skills.length && !r.vneid && !r.app && !r.signature && !r.domain) {
      return 'Đánh dấu ít nhất một kỹ năng hoặc một việc đã làm.';
    }
    if (r.birth_year !== null && !/^\d{4}$/.test(String(r.birth_year))) return 'Năm sinh gồm 4 chữ số.';
    if (r.cccd && !/^\d{12}$/.test(r.cccd)) return 'Số CCCD gồm đúng 12 chữ số (hoặc để trống).';
    return '';
  }

  function edit(q) {
    const r = q.record;
    form.reset();
    form.elements.date.value = r.date;
    for (const box of form.querySelectorAll('input[name=skill]')) box.checked = r.skills.includes(Number(box.value));
    for (const k of ['vneid', 'app', 'signature', 'domain', 'minority']) form.elements[k].checked = !!r[k];
    form.elements.birth_year.value = r.birth_year || '';
    form.elements.age_band.value = r.age_band || '';
    for (const g of form.querySelectorAll('input[name=gender]')) g.checked = g.value === r.gender;
    form.elements.cccd.value = r.cccd || '';
    drop(q.id).then(render);
    form.scrollIntoView();
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = read();
    const p = problem(r);
    const err = $('form-error');
    err.hidden = !p;
    err.textContent = p;
    if (p) return;
    await save({ id: r.id, user: user, record: r, created: Date.now(), error: null });
    const keep = form.elements.date.value;
    form.reset();
    form.elements.date.value = keep;
    await render();
    sync();
  });
  $('sync').addEventListener('click', sync);
  window.addEventListener('online', sync);
  window.addEventListener('offline', render);

  openDb().then((opened) => {
    db = opened;
    render();
    sync();
    setInterval(sync, 20000);
  }).catch(() => status('Trình duyệt này không cho lưu dữ liệu trên máy; hãy dùng Chrome hoặc tắt chế độ ẩn danh.', true));

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/field/sw.js', { scope: '/field' }).catch(() => {});
  }
})();
