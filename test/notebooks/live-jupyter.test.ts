/**
 * The notebooks in a real, live Jupyter (`npm run jupyter`: Debian's classic notebook server + the project kernel)
 * driven by headless Chromium the way a user works: open 03, change `threshold` in the parameters cell, Run All,
 * see the counts change and every Plotly chart drawn; reload the page (same kernel) and Run All again: the charts
 * still draw. Then 02 with a teacher that trains live: its training curve is redrawn while the cell runs.
 * Quick profile, on the repository's series cache (shared with series.test.ts: a warm cache makes a run of 03 take
 * seconds; a cold one trains the quick teacher first).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { seriesConfig } from "../../lib/series/settings";
import { jupyterMissing } from "./runner";
import {
  chartState, editParameters, gotoNotebook, liveJupyterMissing, openNotebook, runAll, screenshot, startJupyter, tableText, waitForCharts,
  type LiveJupyter, type NotebookPage,
} from "./jupyter";

const skip = jupyterMissing() ?? liveJupyterMissing();
let jupyter: LiveJupyter | undefined;

before(async () => {
  if (!skip) jupyter = await startJupyter();
});

after(async () => {
  await jupyter?.stop();
});

const QUICK: [RegExp, string] = [/let profile = "default";/, 'let profile = "quick";'];

async function withNotebook(name: string, run: (notebook: NotebookPage) => Promise<void>): Promise<void> {
  const notebook = await openNotebook(jupyter!.notebookUrl(name));
  try {
    await run(notebook);
    assert.deepEqual(notebook.blocked, [], "the page reached outside the local server");
  } catch (error) {
    (error as Error).message += `\n--- server log (tail) ---\n${jupyter!.log().slice(-3000)}`;
    throw error;
  } finally {
    await notebook.close();
  }
}

async function expectChartsDrawn(notebook: NotebookPage, when: string): Promise<number> {
  const state = await waitForCharts(notebook);
  assert.deepEqual(state.notDrawn, [], `${when}: charts not drawn`);
  assert.ok(state.charts >= 3, `${when}: only ${state.charts} charts`);
  assert.equal(state.drawn, state.charts, `${when}: ${state.drawn} of ${state.charts} charts drawn`);
  return state.charts;
}

test("03 in live Jupyter: a new threshold changes the counts, charts draw, and still draw after a reload", { skip, timeout: 1_500_000 }, async () => {
  await withNotebook("03-pseudo-strong-labels.ipynb", async (notebook) => {
    await editParameters(notebook, [QUICK]);
    const first = await runAll(notebook);
    assert.deepEqual(first.errors, [], "cell errors in the first run");
    const charts = await expectChartsDrawn(notebook, "first run");
    const atDefault = await tableText(notebook, "At threshold");
    assert.equal(atDefault.length, 1, "one 'At threshold' table");

    await editParameters(notebook, [[/let threshold: number \| null = null;/, "let threshold: number | null = 0.33;"]]);
    const second = await runAll(notebook);
    assert.deepEqual(second.errors, [], "cell errors after changing threshold");
    const atNew = await tableText(notebook, "At threshold 0.33");
    assert.equal(atNew.length, 1, "the table follows the new threshold");
    assert.notEqual(atNew[0].replace(/^At threshold [\d.]+/, ""), atDefault[0].replace(/^At threshold [\d.]+/, ""), "counts changed");
    assert.equal(await expectChartsDrawn(notebook, "after the threshold change"), charts);

    // Reload the page: the kernel lives on (it already sent charts); a fresh page must still draw all of them.
    await gotoNotebook(notebook);
    assert.equal((await chartState(notebook)).charts, 0, "the reloaded page starts from the saved (output-free) notebook");
    await editParameters(notebook, [QUICK]);
    const third = await runAll(notebook);
    assert.deepEqual(third.errors, [], "cell errors after the reload");
    assert.equal(await expectChartsDrawn(notebook, "after a reload with the same kernel"), charts);
    assert.deepEqual(await tableText(notebook, "At threshold"), atDefault, "same parameters, same counts");
    await screenshot(notebook, "03-after-reload", charts - 1);
    console.log(`# 03 live: ${first.seconds.toFixed(0)} s, ${second.seconds.toFixed(0)} s, after reload ${third.seconds.toFixed(0)} s; ${charts} charts`);
  });
});

/** The quick series' teacher folders trained with this test's step budget (found by their params.json, not by a log). */
const LIVE_TEACHER_STEPS = 45;
function liveTeacherDirs(): string[] {
  const root = join(seriesConfig({ profile: "quick" }).cacheDir, "teacher");
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((name) => join(root, name))
    .filter((dir) => {
      try {
        return (JSON.parse(readFileSync(join(dir, "params.json"), "utf8")) as { settings?: { steps?: number } }).settings?.steps === LIVE_TEACHER_STEPS;
      } catch {
        return false; // a folder still being written (no params.json yet) belongs to another run
      }
    });
}
const removeLiveTeachers = () => liveTeacherDirs().forEach((dir) => rmSync(dir, { recursive: true, force: true }));

test("02 in live Jupyter: the teacher's training curve is redrawn while it trains", { skip, timeout: 1_500_000 }, async () => {
  // A teacher left by an earlier run that stopped half-way would be loaded from the cache instead of trained live.
  removeLiveTeachers();
  try {
    await withNotebook("02-teacher.ipynb", async (notebook) => {
      // A step budget no other test uses, so the teacher trains now (its folder is removed afterwards): 45 steps are
      // three validation periods of the quick profile's 15 steps, so the final curve has three points.
      await editParameters(notebook, [QUICK, [/let teacherSteps: number \| null = null;/, `let teacherSteps: number | null = ${LIVE_TEACHER_STEPS};`]]);
      const seen: number[] = [];
      const result = await runAll(notebook, {
        async onPoll() {
          const points = (await notebook.page.evaluate(
            `(() => { const el = document.querySelector('[id^="psl-live-"]'); return el && el.data ? el.data[0].x.length : -1; })()`,
          )) as number;
          if (points >= 0 && seen.at(-1) !== points) seen.push(points);
        },
      });
      const log = (await notebook.page.evaluate(`[...document.querySelectorAll(".output_text")].map((el) => el.textContent).join("\\n")`)) as string;
      assert.deepEqual(result.errors, []);
      // The pipeline logs the folder it trains in; a teacher loaded from the cache would not log this line.
      assert.match(log, /teacher: training in /, "the teacher trained in this run (not from the cache)");
      assert.ok(seen.length >= 2, `the live curve was redrawn while training (validation points seen: ${JSON.stringify(seen)})`);
      assert.equal((await notebook.page.evaluate(`document.querySelector('[id^="psl-live-"]').data[0].x.length`)) as number, 3, "the final curve has every validation point");
      await expectChartsDrawn(notebook, "02");
      await screenshot(notebook, "02-live-curve", 1);
    });
  } finally {
    removeLiveTeachers();
  }
});
