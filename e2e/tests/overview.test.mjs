// First browser test: the overview shows Đắk Lắk's 16 indicators with the progress API's numbers,
// the date can be changed, and a known commune is found by a search typed without diacritics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { login, suite } from './support.mjs';

const ctx = suite({ before, after });

test('overview lists the 16 indicators with the numbers of the progress API', async () => {
  const page = await ctx.browser.newPage();
  await login(page, ctx.server.base, 'sokhcn');
  await page.goto(`${ctx.server.base}/`);
  await assert.doesNotReject(page.getByRole('heading', { name: 'Tỉnh Đắk Lắk' }).waitFor());
  assert.match(await page.locator('.synthetic').innerText(), /số liệu giả lập/);
  const rows = page.locator('tr[data-indicator]');
  assert.equal(await rows.count(), 16);

  const api = await (await page.request.get(`${ctx.server.base}/api/v1/progress?unit=66`)).json();
  assert.equal(api.indicators.length, 16);
  for (const [i, ind] of api.indicators.entries()) {
    const row = rows.nth(i);
    assert.equal(await row.getAttribute('data-indicator'), ind.indicator);
    assert.ok(Math.abs(Number(await row.getAttribute('data-value')) - ind.value) < 1e-9, ind.indicator);
    assert.equal(await row.locator('.short').innerText(), ind.short_name);
  }
  // The value cell reads as Vietnamese: comma decimals and a percent sign, or a count with dots.
  assert.match(await rows.first().locator('.value').innerText(), /^\d{1,3}(,\d)? %$/);
  await page.screenshot({ path: `${ctx.shots}overview.png`, fullPage: true });
  await page.close();
});

test('choosing an earlier date shows that week', async () => {
  const page = await ctx.browser.newPage();
  await login(page, ctx.server.base, 'lanhdao');
  await page.goto(`${ctx.server.base}/`);
  const box = page.getByLabel('Số liệu đến ngày');
  await box.fill('01/08/2025');
  await box.press('Enter');
  await page.waitForURL(/as_of=01%2F08%2F2025/);
  assert.match(await page.locator('.moment').innerText(), /tuần 3\/15/);
  const api = await (await page.request.get(`${ctx.server.base}/api/v1/progress?unit=66&as_of=2025-08-01`)).json();
  const first = page.locator('tr[data-indicator]').first();
  assert.ok(Math.abs(Number(await first.getAttribute('data-value')) - api.indicators[0].value) < 1e-9);
  await page.close();
});

test('a commune is found without diacritics and opens its page', async () => {
  const page = await ctx.browser.newPage();
  await login(page, ctx.server.base, 'sokhcn');
  await page.goto(`${ctx.server.base}/units`);
  assert.match(await page.locator('#count').innerText(), /^102 đơn vị/);
  await page.getByLabel('Tìm (gõ có dấu hoặc không dấu)').fill('buon ma thuot');
  await page.getByRole('button', { name: 'Tìm' }).click();
  const link = page.getByRole('link', { name: 'Phường Buôn Ma Thuột', exact: true });
  await link.click();
  await page.getByRole('heading', { name: /Phường Buôn Ma Thuột/ }).waitFor();
  assert.equal(await page.locator('tr[data-indicator]').count(), 16);
  assert.match(await page.locator('.crumbs').innerText(), /Đắk Lắk/);
  await page.screenshot({ path: `${ctx.shots}commune.png`, fullPage: true });
  await page.close();
});
