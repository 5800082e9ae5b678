/**
 * @module results/report/html.test
 * The report page is self-contained and escapes what it embeds; Markdown tables become HTML tables.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleResult } from '../performance/testing/sample-result.ts';
import { renderReportHtml } from './html.ts';
import { markdownToHtml } from './markdown-table.ts';

describe('report html', () => {
  it('has no external resource and escapes reasons', () => {
    const r = sampleResult();
    r.skippedModes[0]!.reason = '<script>alert(1)</script>';
    const html = renderReportHtml({
      result: r,
      charts: [{ name: 'x', title: 'X', svg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' }],
    });
    assert.ok(!/<script/i.test(html));
    assert.ok(html.includes('&lt;script&gt;'));
    assert.ok(!/(src|href)="https?:/.test(html));
    assert.match(html, /data-field="p90AddedMs" data-mode="sidecar">0\.610</);
  });
  it('says so when there is no summary or feature table', () => {
    const r = sampleResult();
    r.summary = [];
    const html = renderReportHtml({ result: r, charts: [] });
    assert.match(html, /id="no-summary"/);
    assert.match(html, /id="no-features"/);
    assert.match(html, /id="no-charts"/);
  });
});

describe('markdownToHtml', () => {
  it('renders pipe tables, headings and safe links only', () => {
    const html = markdownToHtml(
      '# T\n\n| a | b |\n| --- | --- |\n| [ok](e/x.txt) | [bad](javascript:alert) |\n',
    );
    assert.match(html, /<h3>T<\/h3>/);
    assert.match(
      html,
      /<table class="feature-table"><thead><tr><th>a<\/th><th>b<\/th><\/tr><\/thead><tbody><tr><td><a href="e\/x.txt">ok<\/a><\/td><td>bad<\/td><\/tr>/,
    );
  });
});
