// The workshop labs are tested like code: every lab is complete and consistent, every scenario.c
// runs clean through the CLI's run path (in-process), and every exercise.c fails exactly the way its
// lab.json and README say.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expectationText, loadLab, outcomeMatches, parseRun, watchMatches, type LabInfo, type RunResult } from './labRunner';
import { runLabFile, snapshotsAt } from './engineRun';

const labsRoot = resolve(__dirname, '../../labs');
const labIds = readdirSync(labsRoot, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(labsRoot, d.name, 'lab.json')))
  .map((d) => d.name)
  .sort();

/**
 * Labs whose run cannot be judged yet because the emulator feature they exercise is not built.
 * Each entry says what is missing; see labs/KNOWN-GAPS.md. Remove an entry when the feature lands.
 */
const PENDING: Record<string, string> = {};

/**
 * The routines behind each feature a lab.json may require. A run that fails to compile only because
 * some of these do not exist yet is pending, not failed; any other compile error fails the test.
 */
const FEATURE_ROUTINES: Record<string, string[]> = {
  'io-manager': ['IoCreateDevice', 'IoDeleteDevice', 'IoCompleteRequest', 'IofCompleteRequest', 'IoAllocateIrp', 'IoFreeIrp', 'IoCallDriver', 'IofCallDriver',
    'IoSetCompletionRoutine', 'IoGetRelatedDeviceObject', 'IoAttachDeviceToDeviceStack', 'IoDetachDevice', 'IoMarkIrpPending',
    'LabLoadDriver', 'LabDeviceIoControl', 'LabReadFile', 'LabWriteFile'],
  'file-cache': ['LabCreateFile', 'LabMapViewOfFile', 'LabEvictFromCache'],
};

/** The missing routines, when a compile error is nothing but required routines that do not exist yet. */
function missingFeatureRoutines(lab: LabInfo, result: RunResult): string[] | null {
  if (result.exit !== 2 || !lab.requires?.length) return null;
  const allowed = new Set(lab.requires.flatMap((f) => FEATURE_ROUTINES[f] ?? []));
  const errors = result.output.split('\n').filter((l) => /: error: /.test(l));
  const names = errors.map((l) => /unresolved external symbol '(\w+)'|'(\w+)' is not declared/.exec(l)).map((m) => m?.[1] ?? m?.[2]);
  if (!names.length || names.some((n) => !n || !allowed.has(n))) return null;
  return [...new Set(names as string[])];
}

describe('workshop labs', function () {
  it('there are eleven labs, numbered 1 to 11 in order', function () {
    const labs = labIds.map((id) => loadLab(labsRoot, id));
    assert.deepEqual(labs.map((l) => l.order), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const lab of labs) assert.ok(lab.id.startsWith(String(lab.order).padStart(2, '0') + '-'), `${lab.id} is numbered as its order`);
  });

  for (const id of labIds) {
    describe(id, function () {
      const lab: LabInfo = loadLab(labsRoot, id);
      const scenarioPath = join(labsRoot, id, 'scenario.c');
      const exercisePath = join(labsRoot, id, 'exercise.c');
      const readme = readFileSync(join(labsRoot, id, 'README.md'), 'utf8');

      it('has a scenario, an exercise that differs from it, a README and lab.json', function () {
        const scenario = readFileSync(scenarioPath, 'utf8');
        const exercise = readFileSync(exercisePath, 'utf8');
        assert.ok(scenario.includes('VOID LabMain(VOID)'), 'scenario.c has the LabMain entry point');
        assert.ok(exercise.includes('VOID LabMain(VOID)'), 'exercise.c has the LabMain entry point');
        assert.notEqual(exercise, scenario);
        assert.ok(readme.startsWith('# Lab '), 'README opens with its title');
      });

      it("lab.json's breakpoint lines are the lines the README talks about", function () {
        const lines = readFileSync(scenarioPath, 'utf8').split('\n');
        assert.ok(lab.breakpoints.length >= 3, 'at least three lines to break on');
        for (const bp of lab.breakpoints) {
          assert.ok(lines[bp.line - 1]?.includes(bp.text), `scenario.c:${bp.line} should contain "${bp.text}" but is "${lines[bp.line - 1]}"`);
          assert.ok(readme.includes(`scenario.c:${bp.line}`), `README links to scenario.c:${bp.line}`);
        }
      });

      it("the README says exactly how the exercise fails", function () {
        for (const fragment of expectationText(lab.exercise)) {
          assert.ok(readme.includes(fragment), `README mentions ${fragment}`);
        }
      });

      const pending = PENDING[id];
      const describeRun = (file: string, which: 'scenario' | 'exercise') => {
        const expected = lab[which];
        const title = which === 'scenario'
          ? `scenario.c runs to the end: ${describeOutcome(expected)}`
          : `exercise.c fails as its README says: ${describeOutcome(expected)}`;
        if (pending) {
          it.skip(`${title} (pending: ${pending})`, () => undefined);
          return;
        }
        it(title, async function () {
          this.timeout(300_000);
          const result: RunResult = parseRun(await runLabFile(file, lab.physicalMemory));
          const missing = missingFeatureRoutines(lab, result);
          if (missing) {
            // Pending until the emulator has these routines (labs/KNOWN-GAPS.md).
            this.test!.title += ` (pending: the emulator has no ${missing.join(', ')} yet)`;
            this.skip();
          }
          const why = outcomeMatches(expected, result);
          assert.equal(why, null, `${why}\n--- output of mdl-lab run ${which}.c ---\n${result.output}`);
        });
      };
      describeRun(scenarioPath, 'scenario');
      describeRun(exercisePath, 'exercise');

      // What the README tells the student to watch is what the panel's snapshot shows there.
      // One run of scenario.c serves every watch point of the lab.
      let watched: Promise<{ snapshots: Map<string, unknown>; run: { stderr: string } }> | undefined;
      const watchRun = () => (watched ??= snapshotsAt(scenarioPath, (lab.watch ?? []).map((w) => ({ line: w.line, hit: w.hit ?? 1 })), lab.physicalMemory));
      for (const w of lab.watch ?? []) {
        it(`stopped at scenario.c:${w.line}${w.hit && w.hit > 1 ? ` (hit ${w.hit})` : ''}, the panel shows: ${w.why}`, async function () {
          if (pending) this.skip();
          this.timeout(300_000);
          const line = readFileSync(scenarioPath, 'utf8').split('\n')[w.line - 1] ?? '';
          assert.ok(line.includes(w.text), `scenario.c:${w.line} should contain "${w.text}"`);
          const { snapshots, run } = await watchRun();
          const snapshot = snapshots.get(`${w.line}:${w.hit ?? 1}`);
          if (!snapshot) assert.fail(`the run never stopped at scenario.c:${w.line}${w.hit && w.hit > 1 ? ` a ${w.hit}th time` : ''}\n${run.stderr}`);
          assert.equal(watchMatches(w, snapshot), null);
        });
      }
    });
  }
});

function describeOutcome(o: LabInfo['scenario']): string {
  if (o.exit === 0) return 'exit 0, every LabExpect holds';
  if (o.exit === 1) return `exit 1, LabExpect "${o.expectFailed}" fails`;
  if (o.exit === 3) return `exit 3, bug check ${[o.bugcheck, o.p1 && `P1 ${o.p1}`, o.p2 && `P2 ${o.p2}`, o.p3 && `P3 ${o.p3}`].filter(Boolean).join(', ')}`;
  return `exit ${o.exit}`;
}
