import { requireRole, type HttpApp } from '@odx/runtime';
import type { Request, Response } from 'express';
import { exportPage, nextPageLink } from '../export/export-page.js';
import { exportFileName, exportWindow, parseExportQuery, type ExportLimits } from '../export/export-query.js';
import { csvHeader, csvLine, exportRow, ndjsonLine } from '../export/export-rows.js';
import type { SinkQueries } from '../sink-queries.js';

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson; charset=utf-8' } as const;

/**
 * GET /v1/export?day&days&format&limit&offset: the index entries of `days` UTC days from `day`, in time order,
 * at most `limit` rows per response (`x-total-count` the window's rows; `link: <…>; rel="next"` the next page).
 * Parameters over the caps (`limits`) answer 400 naming the parameter, the cap and its setting.
 */
export function mountExportRoute(http: HttpApp, queries: SinkQueries, limits: ExportLimits): void {
  http.api.get('/v1/export', requireRole('viewer'), async (req: Request, res: Response) => {
    const q = parseExportQuery(req.query, limits);
    const { from, to } = exportWindow(q);
    const page = exportPage(await queries.inWindow(from, to), q);
    res
      .status(200)
      .type(CONTENT_TYPES[q.format])
      .setHeader('content-disposition', `attachment; filename="${exportFileName(q)}"`);
    res.setHeader('x-total-count', String(page.total));
    if (page.nextOffset !== null) res.setHeader('link', nextPageLink(req.path, q, page.nextOffset));
    if (q.format === 'csv') res.write(csvHeader());
    // Written in chunks, waiting for the socket to drain, so a large window never sits in one buffer.
    for (let i = 0; i < page.rows.length && !res.destroyed; i += 500) {
      const chunk = page.rows
        .slice(i, i + 500)
        .map((e) => (q.format === 'csv' ? csvLine(exportRow(e)) : ndjsonLine(exportRow(e))))
        .join('');
      if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
    }
    res.end();
  });
}
