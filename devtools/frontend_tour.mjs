// A user's tour of the Home Assistant frontend in headless Chromium, with screenshots.
//
// Logs in on the login page, opens a device page and, from its Controls card, an entity's
// more-info dialog; or, with `pages`, each page in turn (waiting for a text on it) and, with
// `openCard`, the dialog a click on a text opens. Reads one JSON object on stdin:
//   {url, username, password, devicePath, entityName, waitFor, chromium, playwrightCore, outDir,
//    pages: [{name, path, waitFor}], openCard: {path, text, waitFor}}
// and prints one JSON object: for every step its screenshot and the text a user sees (the
// flattened text of the page, or of the dialog, shadow DOM included), plus the seconds taken.
// Used by tests/e2e/test_browser.py (scripts/setup-browser installs what it needs).

import { createRequire } from 'node:module';
import path from 'node:path';

const STEP_TIMEOUT_MS = 30_000;
const SETTLE_MS = 500; // let animations finish before a screenshot
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

// Runs in the page: the text of a subtree as rendered, through shadow roots and slots.
function renderedText(root) {
  const lines = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.textContent.trim();
      if (text) lines.push(text);
      return;
    }
    if (node.nodeType === Node.ELEMENT_NODE) {
      if (['STYLE', 'SCRIPT', 'TEMPLATE'].includes(node.tagName)) return;
      if (node.shadowRoot) {
        walk(node.shadowRoot);
        return;
      }
      if (node.tagName === 'SLOT') {
        const assigned = node.assignedNodes({ flatten: true });
        for (const child of assigned.length ? assigned : node.childNodes) walk(child);
        return;
      }
    }
    for (const child of node.childNodes) walk(child);
  };
  walk(root);
  return lines.join('\n');
}

async function capture(page, target, outDir, name) {
  await page.waitForTimeout(SETTLE_MS);
  const png = path.join(outDir, `${name}.png`);
  await page.screenshot({ path: png });
  const text = await target.evaluate(renderedText);
  return { png, text };
}

const tour = await readStdin();
const require = createRequire(import.meta.url);
const { chromium } = require(tour.playwrightCore);
const started = Date.now();
const browser = await chromium.launch({ executablePath: tour.chromium, args: CHROMIUM_ARGS });
const steps = {};
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.setDefaultTimeout(STEP_TIMEOUT_MS);
try {
  await page.goto(`${tour.url}/`);
  await page.getByLabel('Username').fill(tour.username);
  await page.getByLabel('Password', { exact: true }).fill(tour.password);
  steps.login = await capture(page, page.locator('body'), tour.outDir, 'login');
  await page.getByRole('button', { name: 'Log in' }).click();
  // The frontend stores its tokens, then drops auth_callback from the address.
  await page.waitForURL((url) => !url.pathname.startsWith('/auth/') && !url.search.includes('auth_callback'));
  await page.getByText('Settings').first().waitFor();
  steps.home = await capture(page, page.locator('body'), tour.outDir, 'home');

  if (tour.devicePath) {
    await page.goto(`${tour.url}${tour.devicePath}`);
    const controls = page.locator('ha-device-entities-card').filter({ hasText: 'Controls' });
    await controls.getByText(tour.waitFor).first().waitFor();
    steps.device = await capture(page, page.locator('body'), tour.outDir, 'device');

    await controls.getByText(tour.entityName).first().click();
    const dialog = page.getByRole('dialog').first();
    await dialog.waitFor();
    steps.moreInfo = await capture(page, dialog, tour.outDir, 'more-info');
  }
  for (const visit of tour.pages ?? []) {
    await page.goto(`${tour.url}${visit.path}`);
    await page.getByText(visit.waitFor).first().waitFor();
    steps[visit.name] = await capture(page, page.locator('body'), tour.outDir, visit.name);
  }
  if (tour.openCard) {
    await page.goto(`${tour.url}${tour.openCard.path}`);
    await page.getByText(tour.openCard.text).first().waitFor();
    steps.discovered = await capture(page, page.locator('body'), tour.outDir, 'discovered');
    await page.getByRole('button', { name: 'Add', exact: true }).first().click();
    await page.getByText(tour.openCard.waitFor).first().waitFor();
    steps.discoveredDialog = await capture(
      page, page.locator('body'), tour.outDir, 'discovered-dialog',
    );
  }
} catch (error) {
  // What the page showed when a step failed is the first thing to look at.
  await page.screenshot({ path: path.join(tour.outDir, 'failure.png') }).catch(() => {});
  throw error;
} finally {
  await browser.close();
}
process.stdout.write(`${JSON.stringify({ steps, seconds: (Date.now() - started) / 1000 })}\n`);
