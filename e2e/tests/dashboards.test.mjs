// The heat table and the map: change the indicator and the date, and the cells and areas show the
// numbers of the progress API for that indicator and date; the table sorts and filters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { login, suite } from './support.mjs';

const ctx = suite({ before, after });

async function unitsApi(page, asOf) {
  const r = await page.request.get(`${ctx.server.base}/api/v1/progress/units?unit=66&as_of=${asOf}`);
  assert.equal(r.status(), 200);
  const api = await r.json();
  const index = (code) => api.units[0].indicators.findIndex((i) => i.indicator === code);
  const byUnit = new Map(api.units.map((u) => [u.unit.code, u.indicators]));
  return { api, index, byUnit };
}

function close(a, b, what) {
  assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);
}

test('the map draws every commune and follows the chosen indicator and date', async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url)) errors.push(m.text()); });
  await login(page, ctx.server.base, 'sokhcn');
  await page.goto(`${ctx.server.base}/map`);
  await page.locator('#map[data-ready="102"]').waitFor();
  // ECharts drew one SVG path per commune at least, filled with the status colours.
  assert.ok(await page.locator('#map svg path').count() >= 102);

  await page.getByLabel('Chỉ tiêu').selectOption('2.5');
  await page.waitForURL(/indicator=2\.5/);
  const box = page.getByLabel('Số liệu đến ngày');
  await box.fill('15/08/2025');
  await box.press('Enter');
  await page.waitForURL(/as_of=15%2F08%2F2025/);
  await page.locator('#map[data-ready="102"]').waitFor();
  assert.equal(await page.getByLabel('Chỉ tiêu').inputValue(), '2.5');

  const { index, byUnit } = await unitsApi(page, '2025-08-15');
  const rows = page.locator('#areas tbody tr');
  assert.equal(await rows.count(), 102);
  for (let i = 0; i < 102; i += 1) {
    const row = rows.nth(i);
    const ind = byUnit.get(await row.getAttribute('data-unit'))[index('2.5')];
    const raw = await row.locator('td').nth(1).getAttribute('data-sort-value');
    if (ind.value === null) assert.equal(raw, '');
    else close(Number(raw), ind.value, `2.5 of ${await row.getAttribute('data-unit')}`);
  }
  // The area under the pointer names its commune and value.
  const box2 = await page.locator('#map').boundingBox();
  await page.mouse.move(box2.x + box2.width / 2, box2.y + box2.height / 2);
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${ctx.shots}map.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the heat table shows the API numbers, sorts, filters by status and searches without diacritics', async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, ctx.server.base, 'sokhcn');
  await page.goto(`${ctx.server.base}/table`);
  const box = page.getByLabel('Số liệu đến ngày');
  await box.fill('22/08/2025');
  await page.getByRole('button', { name: 'Xem' }).click();
  await page.waitForURL(/as_of=22%2F08%2F2025/);

  const { api, index, byUnit } = await unitsApi(page, '2025-08-22');
  const rows = page.locator('#heat tbody tr');
  assert.equal(await rows.count(), 102);
  const headings = await page.locator('#heat thead th abbr').allInnerTexts();
  assert.deepEqual(headings, api.columns);
  for (const i of [0, 37, 101]) {
    const row = rows.nth(i);
    const indicators = byUnit.get(await row.getAttribute('data-unit'));
    const cells = row.locator('td');
    for (const [c, code] of api.columns.entries()) {
      const ind = indicators[index(code)];
      const raw = await cells.nth(c).getAttribute('data-sort-value');
      if (ind.value === null || ind.subjects_expected === 0) assert.equal(raw, '');
      else close(Number(raw), ind.value, code);
    }
  }

  // Sorting by 2.5: largest first, then smallest first.
  const column = api.columns.indexOf('2.5');
  await page.locator('#heat thead th').nth(column + 1).click();
  const values = async () => (await page.locator(`#heat tbody tr td:nth-child(${column + 2})`).evaluateAll(
    (tds) => tds.map((td) => td.getAttribute('data-sort-value')).filter((v) => v !== '').map(Number)));
  const down = await values();
  assert.deepEqual(down, [...down].sort((a, b) => b - a));
  await page.locator('#heat thead th').nth(column + 1).click();
  const up = await values();
  assert.deepEqual(up, [...up].sort((a, b) => a - b));

  // Only the communes off track on 2.2a.
  await page.getByLabel('Tình trạng').selectOption('off_track');
  await page.getByLabel('ở chỉ tiêu').selectOption('2.2a');
  await page.getByRole('button', { name: 'Xem' }).click();
  await page.waitForURL(/status=off_track/);
  const late = api.units.filter((u) => u.indicators[index('2.2a')].status === 'off_track').map((u) => u.unit.code).sort();
  const shown = (await page.locator('#heat tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.unit))).sort();
  assert.deepEqual(shown, late);
  await page.screenshot({ path: `${ctx.shots}heat-table.png`, fullPage: true });

  await page.getByLabel('Tình trạng').selectOption('');
  await page.getByLabel('Tìm (không cần dấu)').fill('ea sup');
  await page.getByRole('button', { name: 'Xem' }).click();
  await page.waitForURL(/q=ea\+sup/);
  assert.deepEqual(await page.locator('#heat tbody th a').allInnerTexts(), ['Ea Súp']);
  await page.close();
});

test('a unit page draws a trend per indicator with data and lists its reports', async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await login(page, ctx.server.base, 'sokhcn');
  await page.goto(`${ctx.server.base}/units/22015?as_of=29/08/2025`);
  const api = await (await page.request.get(`${ctx.server.base}/api/v1/progress?unit=22015&as_of=2025-08-29`)).json();
  const withData = api.indicators.filter((i) => i.history.some(([, v]) => v !== null));
  await page.locator(`#trends[data-ready="${withData.length}"]`).waitFor();
  assert.equal(await page.locator('#trends figure.trend').count(), withData.length);
  assert.equal(await page.locator('#trends figure.trend svg').count(), withData.length);
  // The commune's own report weeks, latest first, each with its status and timeliness.
  const weeks = await page.locator('#history tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.week));
  assert.ok(weeks.length >= 6, `${weeks}`);
  assert.deepEqual(weeks, [...weeks].sort().reverse());
  assert.match(await page.locator('#history tbody tr').first().innerText(), /đã (duyệt|gửi)/);
  await page.screenshot({ path: `${ctx.shots}unit-trends.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
