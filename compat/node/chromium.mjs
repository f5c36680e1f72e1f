// How the browser tests start Chromium: Debian's binary (or $CHROMIUM),
// headless, without the sandbox (CI runs as root) and without background
// traffic. playwright-core gives every launch a fresh, empty profile
// directory (it refuses --user-data-dir for that reason), which is what
// these machines need.

import { chromium } from 'playwright-core';

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}
