/**
 * Headless Chromium for report tests, with the network cut off: every request that is not a local file
 * is aborted AND recorded, so a test can fail when a report tries to reach anything (a CDN, fonts, tiles).
 * Debian's /usr/bin/chromium through playwright-core (no browser download).
 */
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** undefined when Chromium can run here; otherwise why not. Under CI=true a missing Chromium is an error, never a skip. */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const why = `${CHROMIUM_PATH} not found (Debian package chromium; npm run setup installs it)`;
  if (process.env.CI === "true") throw new Error(`CI: ${why}`);
  console.log(`# skipping browser checks: ${why}`);
  return why;
}

export interface OfflinePage {
  page: Page;
  /** URLs the page tried to load that were not file: URLs (all of them were aborted). */
  blocked: string[];
  /** console.error messages and uncaught page errors. */
  errors: string[];
  close(): Promise<void>;
}

/** Headless Chromium with one page; requests `allow` refuses are aborted and recorded, console errors collected. */
export async function launchPage(allow: (url: string) => boolean): Promise<OfflinePage> {
  const { chromium } = await import("playwright-core");
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const blocked: string[] = [];
    const errors: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (allow(url)) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(String(error)));
    return { page, blocked, errors, close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** A local file in a page that can reach nothing but local files. */
export async function openOffline(path: string): Promise<OfflinePage> {
  const view = await launchPage((url) => url.startsWith("file:"));
  try {
    await view.page.goto(pathToFileURL(path).href, { waitUntil: "load" });
    return view;
  } catch (error) {
    await view.close();
    throw error;
  }
}
