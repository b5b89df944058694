import type { INestApplication } from '@nestjs/common';
import { chromium, type Browser } from 'playwright-core';
import { tokenFor } from '../support/auth';
import { newTenantId } from '../support/fixtures';
import { chromiumPath, describeWithBrowser } from '../support/suite-requirements';
import { startTestApp } from '../support/test-app';

/**
 * Issue 13: Swagger UI works in a real browser (Debian's Chromium driven by playwright-core):
 * authorize with a development token, run "register", see 201. Its Content-Security-Policy
 * must let the UI's own scripts run, and the document must be one the UI can execute.
 */
describeWithBrowser('Swagger UI in a real browser', () => {
  let app: INestApplication;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    app = await startTestApp('fastify');
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await chromium.launch({
      executablePath: chromiumPath() as string,
      // As root (CI here), Chromium's sandbox cannot start.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('authorizes with a token, runs "register" and gets 201', async () => {
    const tenant = newTenantId();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${base}/api/docs`);
    await page.locator('button.authorize').first().click();
    await page
      .locator('.auth-container input')
      .first()
      .fill(tokenFor({ tenantId: tenant, roles: ['tenant-admin'] }));
    await page.locator('.auth-btn-wrapper button.authorize').first().click();
    await page.locator('button.btn-done').first().click();

    const operation = page.locator('#operations-platforms-registerPlatform');
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('textarea.body-param__text').fill(
      JSON.stringify({
        tenant_id: tenant,
        service_name: 'hubspot',
        config: {
          client_id: '5d9a0a3e-2f4b-4c6d-8e1f-0a1b2c3d4e5f',
          client_secret: 'from-the-browser',
        },
      }),
    );
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor({ timeout: 15_000 });
    expect((await status.innerText()).trim()).toBe('201');
    const body = await operation
      .locator('.live-responses-table tbody .response-col_description .microlight')
      .first()
      .innerText();
    expect(body).toContain('"client_secret": "********"');
    expect(body).not.toContain('from-the-browser');
    expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
  }, 60_000);
});
