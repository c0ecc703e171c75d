import { Counter, type Registry } from 'prom-client';

/** EDI document counters, on the runtime's registry (served at /metrics). */
export interface EdiMetrics {
  documents: Counter<'partner' | 'direction' | 'type' | 'status'>;
}

export function createEdiMetrics(registry: Registry): EdiMetrics {
  return {
    documents: new Counter({
      name: 'odx_edi_documents_total',
      help: 'EDI documents received (status accepted/rejected) and sent (status sent), by partner and transaction set',
      labelNames: ['partner', 'direction', 'type', 'status'],
      registers: [registry],
    }),
  };
}
