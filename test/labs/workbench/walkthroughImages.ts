// `npx tsx test/labs/workbench/walkthroughImages.ts`: renders the real MDL panel on the engine's
// snapshots of Lab 1 and of Lab 6 and stores the pictures the walkthrough and the guides show
// (PNG inside SVG, so the file names package.json refers to stay the same).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launchChromium, openPanel } from '../../browser/harness';
import { snapshotsAt } from '../engineRun';

async function main(): Promise<void> {
  const lab1 = join(ROOT, 'labs/01-describe-lock-map-free/scenario.c');
  const lines = readFileSync(lab1, 'utf8').split('\n');
  const mapped = lines.findIndex((l) => l.includes('ShowMdl("mapped"')) + 1;
  const { snapshots } = await snapshotsAt(lab1, [{ line: mapped, hit: 1 }]);
  const snap = snapshots.get(`${mapped}:1`) as { mdls: { address: string }[] };
  if (!snap) throw new Error(`no stop at lab 1 line ${mapped}`);
  const browser = await launchChromium();
  try {
    const p = await openPanel(browser, 'dark', undefined, { width: 1100, height: 640 });
    await p.packedSnapshot(snap);
    await p.send({ type: 'selectMdl', address: snap.mdls[0].address });
    await embed(p.page, 'mdl-panel.svg', 'The MDL panel at Lab 1, after MmGetSystemAddressForMdlSafe: the fields with their offsets, MdlFlags as named chips (MDL_MAPPED_TO_SYSTEM_VA, MDL_PAGES_LOCKED, MDL_ALLOCATED_FIXED_SIZE, MDL_WRITE_OPERATION), and the four PFNs');
    await p.page.close();
  } finally {
    await browser.close();
  }
}

async function embed(page: import('playwright-core').Page, name: string, title: string): Promise<void> {
  const png = await page.screenshot({ fullPage: false });
  const { width, height } = page.viewportSize()!;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}">
<title>${title}</title>
<image width="${width}" height="${height}" href="data:image/png;base64,${png.toString('base64')}"/>
</svg>
`;
  writeFileSync(join(ROOT, 'labs/walkthrough', name), svg);
  console.log(`labs/walkthrough/${name}: ${svg.length} bytes`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
