/** Faults the admin API can switch on, applied to Odoo's endpoints (never to /sim/admin). */
export interface FaultState {
  /** Answer like a proxy in front of a stopped Odoo: '503' page or a closed connection. */
  downtime: false | '503' | 'close';
  /** Added before every answer. */
  latencyMs: number;
  /** Answer 502 with an HTML error page (nginx style). */
  htmlErrors: boolean;
  /** Cut JSON (and XML) bodies in half. */
  truncatedJson: boolean;
  /** Share of requests (0..1) the html/truncated faults apply to. @default 1 */
  rate: number;
}

export const noFaults = (): FaultState => ({ downtime: false, latencyMs: 0, htmlErrors: false, truncatedJson: false, rate: 1 });

export const PAGE_503 =
  '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
export const PAGE_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
