import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_TEMPLATES_DIR, createRenderer, loadTemplates } from '../../src/render/index.js';
import { loadSeedIssue, makeSubscriber, planFor, segmentInput } from './seed-digest.js';

describe('the compiled template cache', () => {
  it('compiles once, then later renderers reuse the HTML without MJML; a changed template compiles again', async () => {
    const cacheDir = join(mkdtempSync(join(tmpdir(), 'pb-cache-')), 'cache');
    const issue = await loadSeedIssue();
    const plan = planFor(issue, [makeSubscriber('sub_0123456789abcdef', ['graphs'])]);
    const templates = loadTemplates(BUNDLED_TEMPLATES_DIR);

    const first = createRenderer(templates, { cacheDir });
    const rendered = await first.renderSegment(segmentInput(plan, issue));
    expect(first.stats.mjmlCompiles).toBe(1);
    expect(readdirSync(cacheDir)).toHaveLength(1);

    const second = createRenderer(templates, { cacheDir });
    const again = await second.renderSegment(segmentInput(plan, issue));
    expect(second.stats.mjmlCompiles).toBe(0);
    // Markers are random per render: compare the text around them.
    expect(again.html.parts).toEqual(rendered.html.parts);

    const edited = mkdtempSync(join(tmpdir(), 'pb-templates-'));
    cpSync(BUNDLED_TEMPLATES_DIR, edited, { recursive: true });
    const mjml = join(edited, 'digest.mjml');
    writeFileSync(mjml, readFileSync(mjml, 'utf8').replace('Manage your topics', 'Your topics'));
    const third = createRenderer(loadTemplates(edited), { cacheDir });
    const changed = await third.renderSegment(segmentInput(plan, issue));
    expect(third.stats.mjmlCompiles).toBe(1);
    expect(changed.html.parts.join('')).toContain('Your topics');
    expect(readdirSync(cacheDir)).toHaveLength(2);
  });
});
