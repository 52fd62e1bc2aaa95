// Each demo role signs in through the browser and sees the pages it should, and not the others.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { login, suite } from './support.mjs';

const ctx = suite({ before, after });

/** A fresh browser context (its own cookies) signed in as `username`. */
async function signedIn(username) {
  const context = await ctx.browser.newContext();
  const page = await context.newPage();
  await login(page, ctx.server.base, username);
  return { page, close: () => context.close() };
}

async function forbidden(page, path) {
  const response = await page.goto(`${ctx.server.base}${path}`);
  assert.equal(response.status(), 403, path);
  assert.match(await page.locator('.error').innerText(), /không có quyền|không được/);
}

test('the login page lists the demo accounts, and pages need a login', async () => {
  const context = await ctx.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${ctx.server.base}/units/24412`);
  assert.match(page.url(), /\/login\?next=%2Funits%2F24412$/);
  assert.equal(await page.locator('#demo-accounts tbody tr').count(), 7);
  await page.getByLabel('Tên đăng nhập').fill('lanhdao');
  await page.getByLabel('Mật khẩu').fill('sai-mat-khau-1');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  assert.match(await page.locator('.error').innerText(), /không đúng/);
  await page.screenshot({ path: `${ctx.shots}login.png`, fullPage: true });
  await context.close();
});

test('admin manages accounts and reads the audit log', async () => {
  const { page, close } = await signedIn('admin');
  await page.getByRole('link', { name: 'Tài khoản', exact: true }).click();
  await page.locator('#users').waitFor();
  assert.ok((await page.locator('#users tbody tr').count()) >= 7);
  await page.getByLabel('Tên đăng nhập').fill('xa.mdrak');
  await page.getByLabel('Họ tên').fill("Cán bộ xã M'Drắk");
  await page.getByLabel('Vai trò').selectOption('reporter');
  await page.getByLabel('Mã đơn vị (trừ quản trị và thường trực)').fill('24412');
  await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
  assert.match(await page.locator('#secret').innerText(), /^hvs-/);
  await page.screenshot({ path: `${ctx.shots}users.png`, fullPage: true });
  await page.getByRole('link', { name: 'Nhật ký' }).click();
  assert.ok((await page.locator('#audit tr[data-action="create"]').count()) > 0);
  await close();
});

test('the secretariat sees the province and the audit log, not the accounts', async () => {
  const { page, close } = await signedIn('sokhcn');
  await page.getByRole('heading', { name: 'Tỉnh Đắk Lắk' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Tài khoản', exact: true }).count(), 0);
  await page.getByRole('link', { name: 'Nhật ký' }).click();
  await page.locator('#audit').waitFor();
  await page.getByLabel('Người thực hiện').fill('sokhcn');
  await page.getByRole('button', { name: 'Lọc' }).click();
  assert.ok((await page.locator('#audit tr[data-action="login"]').count()) >= 1);
  await page.screenshot({ path: `${ctx.shots}audit.png`, fullPage: true });
  await forbidden(page, '/admin/users');
  await close();
});

test('a commune reporter sees and reports for its own commune only', async () => {
  const { page, close } = await signedIn('baocao.xa');
  await page.getByRole('heading', { name: /Phường Tuy Hoà/ }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Nhật ký' }).count(), 0);
  await page.getByRole('link', { name: 'Nhập báo cáo tuần này' }).click();
  await page.locator('#report-form').waitFor();
  await page.screenshot({ path: `${ctx.shots}report.png`, fullPage: true });
  await page.locator('#v-2\\.8b-n').fill('1.234');
  await page.getByLabel('Khó khăn, vướng mắc').fill('Sóng di động yếu ở Tổ dân phố 3');
  await page.getByLabel('Ghi chú chỉ tiêu 2.8b').fill('Số liệu Công an xã đối chiếu');
  await page.getByRole('button', { name: 'Gửi báo cáo' }).click();
  assert.match(await page.locator('#status').innerText(), /đã gửi, chờ duyệt/);
  await page.goto(`${ctx.server.base}/units/22015`);
  assert.equal(await page.locator('tr[data-indicator="2.8b"] .value').innerText(), '1.234 người');
  await forbidden(page, '/units/24412');
  await forbidden(page, '/reports/24412/2025-09-05');
  await forbidden(page, '/audit');
  await close();
});

test('a provincial leader reads everything and writes nothing', async () => {
  const { page, close } = await signedIn('lanhdao');
  await page.getByRole('heading', { name: 'Tỉnh Đắk Lắk' }).waitFor();
  await page.goto(`${ctx.server.base}/units/24412`);
  await page.getByRole('heading', { name: /M'Drắk/ }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Nhập báo cáo tuần này' }).count(), 0);
  await forbidden(page, '/reports/24412/2025-09-05');
  await forbidden(page, '/audit');
  await close();
});

test('a commune leader and a team member stay in their unit', async () => {
  const leader = await signedIn('lanhdao.xa');
  await leader.page.getByRole('heading', { name: /Phường Tuy Hoà/ }).waitFor();
  await leader.page.goto(`${ctx.server.base}/`);
  assert.match(leader.page.url(), /\/units\/22015$/);
  await forbidden(leader.page, '/units/24412');
  await leader.close();
  const team = await signedIn('to.cns');
  // A team member lands on the field app of its village.
  await team.page.getByRole('heading', { name: 'Nhật ký Tổ CNS cộng đồng' }).waitFor();
  assert.match(await team.page.locator('header').innerText(), /Tổ dân phố 1/);
  await forbidden(team.page, '/units/22015');
  await team.close();
});
