// click-install.mjs PORTAL_URL PROFILE_DIR LINK
//
// A person in Chromium: opens the portal's FluxCAD product page, signing in as Alice, and clicks
// the "Install with Toolhub" link whose href is LINK. Chromium hands the link to the program the
// desktop registers for toolhub:// (xdg-open); the portal's origin is allowed to do so without
// asking, in the profile's preferences. Prints "clicked" once the click was made, then keeps the
// browser open until a line "close" (or the end of stdin) arrives: Chromium starts xdg-open a
// moment after the click. The environment (HOME, XDG_*, DISPLAY) is passed on to Chromium.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const [portal, profile, link] = process.argv.slice(2);
if (!portal || !profile || !link) {
  console.error('usage: click-install.mjs PORTAL_URL PROFILE_DIR LINK');
  process.exit(2);
}
const origin = new URL(portal).origin;
const timeout = 15000;

// Without this, Chromium asks before it opens a toolhub:// link.
const preferencesFile = path.join(profile, 'Default', 'Preferences');
fs.mkdirSync(path.dirname(preferencesFile), { recursive: true });
let preferences = {};
if (fs.existsSync(preferencesFile)) {
  preferences = JSON.parse(fs.readFileSync(preferencesFile, 'utf8'));
}
preferences.protocol_handler = {
  allowed_origin_protocol_pairs: { [origin]: { toolhub: true } },
};
fs.writeFileSync(preferencesFile, JSON.stringify(preferences));

const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: false,
  env: process.env,
  timeout,
  // Chromium's sandbox does not start as root (CI machines run the tests as root); the page is
  // the test's own portal.
  args: ['--no-sandbox', '--no-first-run', '--disable-gpu'],
});
let status = 0;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(timeout);
  // The product page sends a visitor to the sign-in form and back; a profile that signed in
  // before goes straight to it.
  const productPage = new URL('/products/fluxcad', portal);
  await page.goto(productPage.href);
  if (new URL(page.url()).pathname === '/signin') {
    await page.fill('#login', 'alice.archer@acme.example');
    await page.fill('#password', 'acme-demo-1');
    await Promise.all([page.waitForURL((url) => url.pathname === productPage.pathname),
                       page.press('#password', 'Enter')]);
  }
  const anchor = page.locator(`a[href="${link}"]`);
  if ((await anchor.count()) !== 1) {
    throw new Error(`the page has ${await anchor.count()} links to ${link}`);
  }
  await anchor.click();
  console.log('clicked');
  const lines = readline.createInterface({ input: process.stdin });
  await new Promise((resolve) => {
    lines.on('line', (line) => line.trim() === 'close' && resolve());
    lines.on('close', resolve);
  });
  lines.close();
} catch (error) {
  console.error(`click-install: ${error.message}`);
  status = 1;
} finally {
  await context.close();
}
process.exit(status);
