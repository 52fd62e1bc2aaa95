// The weekly reporting loop in the browser: a unit submits, the secretariat returns the report with a
// reason, the unit sees it and resubmits, the secretariat approves it; the follow-up pages show the week.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { login, suite } from './support.mjs';

const ctx = suite({ before, after });

async function signedIn(username) {
  const context = await ctx.browser.newContext();
  const page = await context.newPage();
  await login(page, ctx.server.base, username);
  return { page, close: () => context.close() };
}

test('submit, return, correct, resubmit, approve', async () => {
  // At 17:00 on Friday Phường Tuy Hoà has not reported yet; it submits, with the change column
  // following what is typed.
  const unit = await signedIn('baocao.xa');
  await unit.page.goto(`${ctx.server.base}/reports/22015/2025-09-05`);
  assert.match(await unit.page.locator('#status').innerText(), /chưa có báo cáo/);
  const row = unit.page.locator('#report-form tr[data-previous]:not([data-previous=""])').first();
  const previous = Number(await row.getAttribute('data-previous'));
  const input = row.locator('input[name$=".n"]');
  const typed = await input.inputValue();
  await input.fill(String(previous + 1234));
  assert.equal(await row.locator('td.change').innerText(), '+1.234');
  await input.fill(typed);
  assert.equal(await row.locator('td.change').innerText(), 'không đổi');
  await unit.page.getByRole('button', { name: 'Gửi báo cáo' }).click();
  assert.match(await unit.page.locator('#status').innerText(), /đã gửi, chờ duyệt/);

  const staff = await signedIn('sokhcn');
  await staff.page.getByRole('link', { name: 'Duyệt', exact: true }).click();
  assert.ok((await staff.page.locator('#queue tbody tr').count()) > 50);
  await staff.page.screenshot({ path: `${ctx.shots}review.png`, fullPage: false });
  await staff.page.goto(`${ctx.server.base}/reports/22015/2025-09-05`);
  await staff.page.getByLabel('Lý do trả lại (đơn vị sẽ thấy)').fill('Bổ sung biên bản phát động Tuần lễ');
  await staff.page.getByRole('button', { name: 'Trả lại' }).click();
  assert.match(await staff.page.locator('#status').innerText(), /bị trả lại/);

  await unit.page.reload();
  assert.match(await unit.page.locator('#return-reason').innerText(), /Bổ sung biên bản phát động Tuần lễ/);
  await unit.page.locator('#v-2\\.10a-n').fill('1');
  await unit.page.getByRole('button', { name: 'Gửi báo cáo' }).click();
  assert.match(await unit.page.locator('#status').innerText(), /đã gửi, chờ duyệt/);
  await unit.page.screenshot({ path: `${ctx.shots}report-resubmitted.png`, fullPage: true });

  await staff.page.reload();
  await staff.page.getByRole('button', { name: 'Duyệt', exact: true }).click();
  assert.match(await staff.page.locator('#status').innerText(), /đã duyệt/);
  assert.equal(await staff.page.locator('#history tbody tr').count() >= 4, true);
  await unit.page.reload();
  assert.equal(await unit.page.getByRole('button', { name: 'Gửi báo cáo' }).count(), 0, 'an approved report is closed to the unit');
  await staff.close();
  await unit.close();
});

test('completeness matrix and the week\'s difficulties', async () => {
  const staff = await signedIn('sokhcn');
  await staff.page.getByRole('link', { name: 'Tình hình báo cáo' }).click();
  assert.equal(await staff.page.locator('#matrix tbody tr').count(), 102);
  await staff.page.screenshot({ path: `${ctx.shots}completeness.png`, fullPage: false });
  await staff.page.getByLabel('chỉ đơn vị còn thiếu').check();
  await staff.page.getByRole('button', { name: 'Lọc' }).click();
  assert.ok((await staff.page.locator('#matrix tbody tr').count()) < 102);
  await staff.page.getByRole('link', { name: 'Khó khăn', exact: true }).click();
  await staff.page.getByLabel('Tìm (có dấu hoặc không dấu)').fill('song yeu');
  await staff.page.getByRole('button', { name: 'Xem' }).click();
  const rows = staff.page.locator('#concerns tbody tr');
  assert.ok((await rows.count()) > 0);
  assert.match(await rows.first().innerText(), /Sóng di động yếu/);
  await staff.page.screenshot({ path: `${ctx.shots}concerns.png`, fullPage: false });
  await staff.close();
});
