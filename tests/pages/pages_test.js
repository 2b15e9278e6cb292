#!/usr/bin/env node
// End-to-end test of the HTML service pages in a real browser: Debian's /usr/bin/chromium,
// headless, driven by playwright-core (pinned in package.json; it never downloads a browser).
//
//   node pages_test.js http://127.0.0.1:PORT
//
// Run by tests/pages/run.sh, which starts the server on a fresh database. Loads /services and
// follows its links, sends samples through the try-it forms of /services/UserService and
// /bench (the Send button, i.e. the page's own fetch()) and reads the answers the page shows;
// the UsernameToken comes from the page's Username and Password fields, filled as a user would.
// Full-page screenshots go to tests/pages/output/. Prints one line per check and a last line
// `N passed, M failed`; exits non-zero when a check failed.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OUTPUT = path.join(__dirname, 'output');
const ACTION_TIMEOUT_MS = 10_000; // each click, fill, wait
const NAVIGATION_TIMEOUT_MS = 15_000;
const LAUNCH_TIMEOUT_MS = 30_000;
const WHOLE_RUN_MS = 90_000;

const SERVICES = {
  UserService: '/services/UserService',
  CatalogService: '/services/CatalogService',
  OrderService: '/services/OrderService',
  AuthService: '/services/AuthService',
  BenchService: '/bench',
};
const NS_11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const NS_12 = 'http://www.w3.org/2003/05/soap-envelope';
// The admin run.sh creates; the pages must never show this password.
const ADMIN_PASSWORD = 'soapstone-admin';
const PASSWORD_PLACEHOLDER = '(the Password field above)';
const SECURED = ['UserService', 'CatalogService', 'OrderService', 'AuthService'];

const base = (process.argv[2] || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(base)) {
  console.error('usage: node pages_test.js http://HOST:PORT');
  process.exit(2);
}

let passed = 0;
let failed = 0;

function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

// Never hang: whatever is still pending after WHOLE_RUN_MS counts as one more failure.
const watchdog = setTimeout(() => {
  console.log(`not ok - the whole run finished within ${WHOLE_RUN_MS / 1000} s`);
  failed += 1;
  finish();
  process.exit(1);
}, WHOLE_RUN_MS);

async function check(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`not ok - ${name}: ${reason(e)}`);
  }
}

/** An error as a few readable lines (playwright's call logs carry ANSI colours). */
function reason(e) {
  return String((e && e.message) || e)
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, 8)
    .join('\n    ');
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Clicks the Send button of `op` and returns the text of its result <pre> once answered. */
async function send(page, op) {
  const result = page.locator(`#res-${op}`);
  await page.locator(`#send-${op}`).click();
  // The page writes 'Sending...' first, then `HTTP <status>` + the answer (or 'Request failed');
  // with the Password field empty it sends nothing and asks for the password.
  await page.waitForFunction(
    (id) => /^(HTTP \d{3}|Request failed|Type the password)/.test(document.getElementById(id).textContent),
    `res-${op}`,
    { timeout: ACTION_TIMEOUT_MS },
  );
  return result.textContent();
}

function expectAnswer(text, status, ...needles) {
  const head = text.split('\n')[0];
  assert(head === `HTTP ${status}`, `expected "HTTP ${status}", the page shows "${head}":\n${text.slice(0, 400)}`);
  for (const needle of needles) {
    assert(text.includes(needle), `"${needle}" is not in the answer shown:\n${text.slice(0, 600)}`);
  }
}

/** The answer is shown indented, one element a line (the page's pretty()), not on one line. */
function expectPretty(text) {
  const lines = text.split('\n').slice(2); // past "HTTP 200" and the blank line
  assert(lines.length >= 4, `answer is not pretty-printed (${lines.length} lines):\n${text.slice(0, 400)}`);
  assert(lines.some((l) => /^ {2,}</.test(l)), `answer has no indented element:\n${text.slice(0, 400)}`);
}

async function screenshot(page, file) {
  fs.mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(OUTPUT, file), fullPage: true, timeout: ACTION_TIMEOUT_MS });
}

async function main() {
  assert(fs.existsSync(CHROMIUM), `${CHROMIUM} not found (apt-get install chromium)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'soapstone-pages-chromium-'));
  let context;
  try {
    // A persistent context is how playwright takes a --user-data-dir: here a fresh, empty one.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
      timeout: LAUNCH_TIMEOUT_MS,
    });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }

  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  const scriptErrors = [];
  page.on('pageerror', (e) => scriptErrors.push(`${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    // Responses with an error status (the deliberate 500 fault, the browser's own /favicon.ico
    // that the server does not have) are logged as 'Failed to load resource': not script errors.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      scriptErrors.push(`${page.url()}: console: ${m.text()}`);
    }
  });

  try {
    await run(page);
    await check('no script errors (exceptions or console errors) on any page', async () => {
      assert(scriptErrors.length === 0, scriptErrors.join('\n'));
    });
  } finally {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function run(page) {
  // --- /services ------------------------------------------------------------------------------
  await check('GET /services loads and lists UserService, CatalogService, OrderService, AuthService, BenchService', async () => {
    const response = await page.goto(`${base}/services`);
    assert(response && response.status() === 200, `status ${response && response.status()}`);
    assert((await page.title()) === 'Soapstone services', `title "${await page.title()}"`);
    for (const [name, href] of Object.entries(SERVICES)) {
      const link = page.locator('table a', { has: page.locator(`strong:text-is("${name}")`) });
      assert((await link.count()) === 1, `no link for ${name}`);
      const got = await link.getAttribute('href');
      assert(got === href, `${name} links to ${got}, not ${href}`);
    }
    await screenshot(page, 'services.png');
  });

  for (const [name, href] of Object.entries(SERVICES)) {
    await check(`/services link to ${name} opens its page with its operations`, async () => {
      await page.goto(`${base}/services`);
      const link = page.locator('table a', { has: page.locator(`strong:text-is("${name}")`) });
      await Promise.all([page.waitForURL(`${base}${href}`), link.click()]);
      assert((await page.locator('h1').textContent()) === name, `h1 is "${await page.locator('h1').textContent()}"`);
      const ops = await page.locator('section.op').count();
      assert(ops > 0, 'no <section class="op">');
      // Every operation has its whole form: the sample, both versions, Send, the result.
      for (const id of await page.locator('section.op').evaluateAll((s) => s.map((e) => e.id))) {
        for (const sel of [`#req-${id}`, `input[name="v-${id}"][value="1.1"]`, `input[name="v-${id}"][value="1.2"]`, `#send-${id}`, `#res-${id}`]) {
          assert((await page.locator(sel).count()) === 1, `${sel} missing`);
        }
        const sample = await page.locator(`#req-${id}`).inputValue();
        assert(sample.includes(NS_11), `${id}: the SOAP 1.1 sample is not in its textarea`);
      }
      const html = await page.content();
      assert(!html.includes(ADMIN_PASSWORD), 'the page shows the sample password');
      if (SECURED.includes(name)) {
        assert(html.includes(PASSWORD_PLACEHOLDER), 'no sample carries the password placeholder');
        assert((await page.locator('#wsse-username').inputValue()) === 'admin', 'the Username field is not "admin"');
        const password = page.locator('#wsse-password');
        assert((await password.getAttribute('type')) === 'password', 'the Password field is not type=password');
        assert((await password.inputValue()) === '', 'the Password field is not empty');
      } else {
        assert((await page.locator('#wsse-password').count()) === 0, 'a page without secured samples has a Password field');
      }
    });
  }

  await check('/services links to WSDLs and schemas answer 200 with XML', async () => {
    await page.goto(`${base}/services`);
    const hrefs = await page.locator('table a[href*="?wsdl"], table a[href*="?xsd="]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert(hrefs.length >= 8, `only ${hrefs.length} WSDL/schema links`);
    for (const href of hrefs) {
      const r = await page.request.get(new URL(href, base).href, { timeout: ACTION_TIMEOUT_MS });
      assert(r.status() === 200, `${href}: status ${r.status()}`);
      assert((await r.text()).trimStart().startsWith('<'), `${href}: not XML`);
    }
  });

  // --- /services/UserService ----------------------------------------------------------------
  await check('UserService: "All services" link goes back to /services', async () => {
    await page.goto(`${base}/services/UserService`);
    await Promise.all([page.waitForURL(`${base}/services`), page.locator('a', { hasText: 'All services' }).click()]);
  });

  await check('UserService: Send with the Password field empty asks for the password and sends nothing', async () => {
    await page.goto(`${base}/services/UserService`);
    const text = await send(page, 'CreateUser');
    assert(text === 'Type the password of "admin" in the Password field above.', `the page shows "${text}"`);
  });

  await check('UserService: CreateUser sample sent with the admin\'s password in the Password field shows HTTP 200 and CreateUserResponse', async () => {
    assert(await page.locator('input[name="v-CreateUser"][value="1.1"]').isChecked(), 'SOAP 1.1 is not checked by default');
    await page.locator('#wsse-password').fill(ADMIN_PASSWORD);
    const text = await send(page, 'CreateUser');
    expectAnswer(text, 200, 'CreateUserResponse', NS_11, 'alice');
    expectPretty(text);
  });

  await check('UserService: GetUser switched to SOAP 1.2 loads the 1.2 sample, sends it, shows HTTP 200 and GetUserResponse', async () => {
    await page.locator('input[name="v-GetUser"][value="1.2"]').check();
    const sample = await page.locator('#req-GetUser').inputValue();
    assert(sample.includes(NS_12) && !sample.includes(NS_11), `textarea does not hold the SOAP 1.2 sample:\n${sample}`);
    const text = await send(page, 'GetUser');
    expectAnswer(text, 200, 'GetUserResponse', NS_12, 'alice');
    expectPretty(text);
    await screenshot(page, 'user-service.png'); // CreateUser and GetUser (1.2) answered
  });

  await check('UserService: CreateUser edited to username "X!" shows HTTP 500 and ValidationFault', async () => {
    const textarea = page.locator('#req-CreateUser');
    const sample = await textarea.inputValue();
    const edited = sample.replace('<u:username>alice</u:username>', '<u:username>X!</u:username>');
    assert(edited !== sample, 'the CreateUser sample has no <u:username>alice</u:username> to edit');
    await textarea.fill(edited);
    const text = await send(page, 'CreateUser');
    expectAnswer(text, 500, 'ValidationFault', 'Fault');
    await textarea.evaluate((t) => { t.scrollTop = 0; }); // fill() left it scrolled to the end
    await screenshot(page, 'user-service-fault.png');
  });

  await check('UserService: switching GetUser back to SOAP 1.1 loads the 1.1 sample', async () => {
    await page.locator('input[name="v-GetUser"][value="1.1"]').check();
    const sample = await page.locator('#req-GetUser').inputValue();
    assert(sample.includes(NS_11) && !sample.includes(NS_12), `textarea does not hold the SOAP 1.1 sample:\n${sample}`);
  });

  await check('UserService: GetUser sent with a wrong password shows HTTP 500 and wsse:FailedAuthentication', async () => {
    await page.locator('#wsse-password').fill('not-the-admin-password');
    const text = await send(page, 'GetUser');
    expectAnswer(text, 500, 'wsse:FailedAuthentication');
    assert(!text.includes('GetUserResponse'), `the wrong password was accepted:\n${text.slice(0, 400)}`);
  });

  await check('UserService: the Username field names the user: another username with the admin\'s password is refused', async () => {
    await page.locator('#wsse-username').fill('nobody-here');
    await page.locator('#wsse-password').fill(ADMIN_PASSWORD);
    const text = await send(page, 'GetUser');
    expectAnswer(text, 500, 'wsse:FailedAuthentication');
  });

  // --- /bench (BenchService) -------------------------------------------------------------------
  await check('BenchService (/bench): Echo sample sent with Send shows HTTP 200 and EchoResponse', async () => {
    const response = await page.goto(`${base}/bench`);
    assert(response && response.status() === 200, `status ${response && response.status()}`);
    const text = await send(page, 'Echo');
    expectAnswer(text, 200, 'EchoResponse');
    if (!text.includes('R&amp;D &lt;perf&gt;')) throw new Error('the answer is not shown escaped as the server wrote it');
    expectPretty(text);
    await screenshot(page, 'bench-service.png');
  });
}

main()
  .catch((e) => {
    failed += 1;
    console.log(`not ok - browser session: ${reason(e)}`);
  })
  .finally(() => {
    clearTimeout(watchdog);
    finish();
  });
