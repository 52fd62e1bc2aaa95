// The field app in the browser: a team member loses the signal, logs people (the page reopens from
// the service worker's cache), the signal returns, the records sync exactly once and show in the
// commune's figures; nothing stays queued on the phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { login, suite } from './support.mjs';

const ctx = suite({ before, after });

const summary = (page) => page.evaluate(() => fetch('/api/v1/field/summary').then((r) => r.json()));
const queued = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve) => {
        const req = indexedDB.open('hocvuso-field', 1);
        req.onsuccess = () => {
          const get = req.result.transaction('queue').objectStore('queue').getAll();
          get.onsuccess = () => resolve(get.result);
        };
      }),
  );

async function villageRow(page, village) {
  await page.goto(`${ctx.server.base}/field/activity?unit=22015&as_of=05/09/2025`);
  const text = await page.locator(`#activity tr[data-unit="${village}"] td[data-item="records"]`).innerText();
  return Number(text.replace(/\./g, ''));
}

test('offline records sync exactly once and reach the commune', async () => {
  const context = await ctx.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await login(page, ctx.server.base, 'to.cns');
  assert.equal(new URL(page.url()).pathname, '/field');
  await page.evaluate(() => navigator.serviceWorker.ready);
  const village = await page.evaluate(() => document.body.dataset.village);
  const start = await summary(page);

  const staffContext = await ctx.browser.newContext();
  const staff = await staffContext.newPage();
  await login(staff, ctx.server.base, 'sokhcn');
  const rowBefore = await villageRow(staff, village);

  await context.setOffline(true);
  await page.reload(); // opens from the service worker's cache
  await page.locator('#net.off').waitFor();
  assert.match(await page.locator('#net').innerText(), /Không có kết nối/);
  const people = [
    { skills: ['1', '2', '3', '4', '5'], cccd: '066 158 000 321', year: '1958', gender: 'female' },
    { skills: ['1'], cccd: '', year: '1990', gender: 'male' },
    { skills: ['2', '3'], cccd: '', year: '', gender: '' },
  ];
  for (const p of people) {
    for (const s of p.skills) await page.locator(`input[name=skill][value="${s}"]`).check();
    await page.locator('input[name=vneid]').check();
    if (p.year) await page.getByLabel('Năm sinh').fill(p.year);
    if (p.gender) await page.locator(`input[name=gender][value=${p.gender}]`).check();
    if (p.cccd) await page.getByLabel('Số CCCD (không bắt buộc)').fill(p.cccd);
    await page.getByRole('button', { name: 'Lưu bản ghi' }).click();
    await page.locator('#pending-count').filter({ hasText: String(people.indexOf(p) + 1) }).waitFor();
  }
  // An empty record is refused on the phone.
  await page.getByRole('button', { name: 'Lưu bản ghi' }).click();
  assert.match(await page.locator('#form-error').innerText(), /ít nhất một kỹ năng/);
  await page.screenshot({ path: `${ctx.shots}field-offline.png`, fullPage: true });
  await page.reload();
  assert.equal(await page.locator('#pending-count').innerText(), '3');
  assert.equal((await queued(page)).length, 3);

  await context.setOffline(false);
  await page.locator('#pending-count', { hasText: /^0$/ }).waitFor({ timeout: 30_000 });
  await page.locator('#synced li').nth(2).waitFor();
  await page.getByRole('button', { name: 'Gửi ngay' }).click();
  await page.screenshot({ path: `${ctx.shots}field-synced.png`, fullPage: true });
  const end = await summary(page);
  assert.equal(end.records_total - start.records_total, 3);
  assert.equal(end.people_total - start.people_total, 3);
  assert.deepEqual(await queued(page), []);
  assert.match(await page.locator('#summary').innerText(), /người mới được hướng dẫn/);

  assert.equal(await villageRow(staff, village), rowBefore + 3);
  await staff.screenshot({ path: `${ctx.shots}field-activity.png`, fullPage: false });
  await staff.goto(`${ctx.server.base}/reports/22015/2025-09-05`);
  assert.match(await staff.locator('[data-log="2.4"]').innerText(), /Theo nhật ký Tổ CNS cộng đồng: [\d.]+/);
  await staff.goto(`${ctx.server.base}/field/inclusion?unit=22015&as_of=05/09/2025`);
  await staff.screenshot({ path: `${ctx.shots}field-inclusion.png`, fullPage: false });
  assert.deepEqual(errors, []);
  await staffContext.close();
  await context.close();
});
