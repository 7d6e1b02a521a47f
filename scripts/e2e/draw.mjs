// End-to-end check of the drawing page of `digits serve`, in headless Chromium:
// draws a "7" with mouse events on the canvas, waits for the prediction of the finished drawing,
// checks that a class and ten probability bars are shown, and saves a screenshot.
//
//   node draw.mjs <base-url> [screenshot.png] [--expect <digit>]
//
// CHROMIUM overrides the browser (default /usr/bin/chromium, Debian's package).
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

const args = process.argv.slice(2);
const expectAt = args.indexOf("--expect");
const expected = expectAt >= 0 ? args.splice(expectAt, 2)[1] : null;
const [base, screenshot = "docs/serve.png"] = args;
if (!base) {
  console.error("usage: node draw.mjs <base-url> [screenshot.png] [--expect <digit>]");
  process.exit(2);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 860, height: 460 } });
  const pageErrors = [];
  page.on("pageerror", e => pageErrors.push(e.message));
  await page.goto(base);
  await page.waitForFunction(() => document.body.dataset.model === "ready", null, { timeout: 15000 });

  // A "7": the top bar left to right, then the stem down to the lower left, one stroke.
  const box = await page.locator("#pad").boundingBox();
  const at = (x, y) => [box.x + x * box.width, box.y + y * box.height];
  await page.mouse.move(...at(0.30, 0.25));
  await page.mouse.down();
  await page.mouse.move(...at(0.70, 0.25), { steps: 12 });
  await page.mouse.move(...at(0.45, 0.80), { steps: 18 });
  await page.mouse.up();

  // The answer to the last request sent (the finished drawing), not one sent while drawing.
  await page.waitForFunction(() => {
    const a = document.getElementById("answer").dataset;
    return a.state === "done" && a.answered === a.sent;
  }, null, { timeout: 15000 });
  const digit = (await page.textContent("#digit")).trim();
  const probabilities = await page.$$eval("#bars li", items => items.map(li => Number(li.dataset.p)));
  const widths = await page.$$eval("#bars .bar", bars => bars.map(b => b.style.width));

  check(pageErrors.length === 0, "errors on the page: " + pageErrors.join("; "));
  check(/^[0-9]$/.test(digit), `the page shows no class: '${digit}'`);
  check(probabilities.length === 10 && probabilities.every(p => p >= 0 && p <= 1),
    "ten probabilities expected, got " + JSON.stringify(probabilities));
  const sum = probabilities.reduce((a, b) => a + b, 0);
  check(Math.abs(sum - 1) < 1e-3, "probabilities sum to " + sum);
  check(probabilities.indexOf(Math.max(...probabilities)) === Number(digit), "the class is not the top bar");
  check(widths.every(w => w.endsWith("%")), "bars not drawn: " + JSON.stringify(widths));
  check(expected === null || digit === expected, `expected ${expected}, the page says ${digit}`);

  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot });
  console.log(`drew a 7; the page predicts ${digit} (p=${probabilities[Number(digit)].toFixed(3)}); screenshot ${screenshot}`);
} finally {
  await browser.close();
}
