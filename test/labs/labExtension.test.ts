// The VS Code side of the labs that needs no workbench: lab manifests, launch configurations,
// the README breakpoint links, the lab guide's page, and the walkthrough's definition.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  breakAtUri, breakLinksIn, candidatePaths, labGuideHtml, labLaunchConfigurations, launchJsonText, mergeConfigurations,
  parseBreakAtArgs, parseLabIndex, parseLabManifest, sanitizeGuideHtml, sortLabs,
} from '../../src/extension/labs/labModel';
import { GUIDE_COMMANDS } from '../../src/extension/labs/commandIds';

const root = resolve(__dirname, '../..');
const labsRoot = join(root, 'labs');
const labIds = readdirSync(labsRoot).filter((n) => existsSync(join(labsRoot, n, 'lab.json'))).sort();

describe('labs in VS Code', function () {
  it('every shipped lab.json parses, and the labs sort into workshop order', function () {
    const labs = labIds.map((id) => parseLabManifest(readFileSync(join(labsRoot, id, 'lab.json'), 'utf8'), id));
    assert.deepEqual(sortLabs([...labs].reverse()).map((l) => l.id), labIds);
  });

  it('labs/index.json lists exactly the lab folders (the web extension host cannot list folders)', function () {
    assert.deepEqual(parseLabIndex(readFileSync(join(labsRoot, 'index.json'), 'utf8')), labIds);
    assert.throws(() => parseLabIndex('{"labs": ["../etc"]}'), /index\.json/);
  });

  it('a lab.json whose id is not its folder, or whose outcome is missing, is refused with a sentence', function () {
    assert.throws(() => parseLabManifest('{"id":"02-x","order":1,"title":"t","summary":"s","breakpoints":[],"scenario":{"exit":0},"exercise":{"exit":3}}', '01-y'), /differs from the folder name/);
    assert.throws(() => parseLabManifest('{"id":"01-y","order":1,"title":"t","summary":"s","breakpoints":[]}', '01-y'), /scenario\.exit/);
    assert.throws(() => parseLabManifest('not json', '01-y'), /not valid JSON/);
  });

  it('opening a lab gives a scenario and an exercise launch configuration, with the lab\'s physical memory', function () {
    const lab = parseLabManifest(readFileSync(join(labsRoot, '09-pinning-pressure', 'lab.json'), 'utf8'), '09-pinning-pressure');
    const configs = labLaunchConfigurations(lab, '${workspaceFolder}/labs/09-pinning-pressure');
    assert.equal(configs.length, 2);
    assert.deepEqual(configs.map((c) => c.program), ['${workspaceFolder}/labs/09-pinning-pressure/scenario.c', '${workspaceFolder}/labs/09-pinning-pressure/exercise.c']);
    for (const c of configs) {
      assert.equal(c.type, 'mdl');
      assert.equal(c.request, 'launch');
      assert.equal(c.physicalMemory, '64m');
    }
    const json = JSON.parse(launchJsonText(configs));
    assert.equal(json.version, '0.2.0');
    assert.equal(json.configurations.length, 2);
  });

  it('reopening a lab replaces its launch configurations and keeps the user\'s own', function () {
    const lab = parseLabManifest(readFileSync(join(labsRoot, '01-describe-lock-map-free', 'lab.json'), 'utf8'), '01-describe-lock-map-free');
    const mine = { type: 'node', request: 'launch', name: 'my server' };
    const first = mergeConfigurations([mine], labLaunchConfigurations(lab, 'A'));
    const second = mergeConfigurations(first, labLaunchConfigurations(lab, 'B'));
    assert.equal(second.length, 3);
    assert.deepEqual(second[0], mine);
    assert.ok(second.slice(1).every((c) => String(c.program).startsWith('B/')));
  });

  it('every README breakpoint link decodes to its own lab, a .c file of it, and a line that exists', function () {
    for (const id of labIds) {
      const readme = readFileSync(join(labsRoot, id, 'README.md'), 'utf8');
      const links = breakLinksIn(readme);
      assert.ok(links.length >= 3, `${id}: at least three breakpoint links`);
      for (const link of links) {
        assert.ok(link, `${id}: a malformed breakpoint link`);
        assert.equal(link.lab, id);
        const file = join(labsRoot, id, link.file);
        assert.ok(existsSync(file), `${id}: ${link.file} exists`);
        const lines = readFileSync(file, 'utf8').split('\n');
        assert.ok(link.line <= lines.length && lines[link.line - 1].trim() !== '', `${id}: ${link.file}:${link.line} is a line of code`);
        assert.ok(readme.includes(`[${link.file}:${link.line}](${breakAtUri(link)})`), `${id}: the link text names its target`);
      }
    }
  });

  it('breakpoint arguments from a link are validated: no paths, no other folders, positive lines', function () {
    assert.deepEqual(parseBreakAtArgs([{ lab: '01-a', file: 'scenario.c', line: 3 }]), { lab: '01-a', file: 'scenario.c', line: 3 });
    assert.equal(parseBreakAtArgs([{ lab: '../01-a', file: 'scenario.c', line: 3 }]), null);
    assert.equal(parseBreakAtArgs({ lab: '01-a', file: '../../etc/passwd.c', line: 3 }), null);
    assert.equal(parseBreakAtArgs({ lab: '01-a', file: 'scenario.c', line: 0 }), null);
    assert.equal(parseBreakAtArgs('scenario.c:3'), null);
    assert.deepEqual(candidatePaths({ lab: '01-a', file: 'exercise.c', line: 1 }), ['labs/01-a/exercise.c', '01-a/exercise.c', 'exercise.c']);
  });

  it('the lab guide page runs no script and keeps only command links to MDL Lab\'s own commands', function () {
    const hostile = '<p onclick="x()">hi</p><script>alert(1)</script><a href="command:workbench.action.terminal.new">t</a>'
      + `<a href="${breakAtUri({ lab: '01-a', file: 'scenario.c', line: 2 })}">ok</a><a href="javascript:alert(1)">j</a><iframe src="x"></iframe>`;
    const clean = sanitizeGuideHtml(hostile, GUIDE_COMMANDS);
    assert.ok(!/script|onclick|iframe|javascript:|terminal\.new/i.test(clean), clean);
    assert.ok(clean.includes('command:mdlLab.breakAt?'));
    const html = labGuideHtml({ title: '<Lab>', bodyHtml: clean, cspSource: 'vscode-resource:', nonce: 'abcDEF1234567890abcDEF1234567890' });
    assert.match(html, /default-src 'none'/);
    assert.ok(!/script-src/.test(html), 'no script source is allowed at all');
    assert.ok(html.includes('&lt;Lab&gt;'));
  });

  it('the walkthrough takes a newcomer through five steps, each with an image that ships and a command that exists', function () {
    const walkthroughs = JSON.parse(readFileSync(join(root, 'src/extension/labs/walkthroughs.json'), 'utf8'));
    assert.equal(walkthroughs.length, 1);
    const steps = walkthroughs[0].steps as Array<{ id: string; description: string; media: { image: string; altText: string }; completionEvents: string[] }>;
    assert.equal(steps.length, 5);
    const known = new Set<string>([...GUIDE_COMMANDS]);
    for (const s of steps) {
      assert.ok(s.media.image.startsWith('labs/'), `${s.id}: its image ships in the .vsix (labs/ is packaged, src/ is not)`);
      assert.ok(existsSync(join(root, s.media.image)), `${s.id}: ${s.media.image} exists`);
      assert.ok(s.media.altText.length > 20, `${s.id}: the image has a description`);
      const commands = [...s.description.matchAll(/\(command:([A-Za-z0-9_.]+)/g)].map((m) => m[1]);
      assert.ok(commands.length >= 1, `${s.id}: a link that does the step`);
      for (const c of commands) assert.ok(known.has(c), `${s.id}: ${c} is a command the guide allows`);
      for (const link of breakLinksIn(s.description)) {
        assert.ok(link, `${s.id}: breakpoint link is well formed`);
        const line = readFileSync(join(labsRoot, link.lab, link.file), 'utf8').split('\n')[link.line - 1];
        assert.match(line, /ShowMdl\("locked"/, 'the walkthrough breaks on the line after MmProbeAndLockPages');
      }
    }
  });
});
