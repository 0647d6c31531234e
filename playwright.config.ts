import { defineConfig, devices } from "@playwright/test";

// Runs from `npm test`, which starts the server and passes its address. Debian's Chromium is the
// browser: Playwright's own download cannot run on these machines.
const baseURL = process.env.TEST_BASE_URL;
if (!baseURL) throw new Error("TEST_BASE_URL is not set: run the browser suite through `npm test`.");
const url = new URL(baseURL);
if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") throw new Error(`Refusing to run browser tests against ${url.host}: only a local server.`);

export default defineConfig({
  testDir: "e2e",
  outputDir: ".test-data/playwright-results",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\/.*\.setup\.ts/ },
    { name: "chromium", use: { ...devices["Desktop Chrome"] }, dependencies: ["setup"], testIgnore: /\.setup\.ts/ },
  ],
});
